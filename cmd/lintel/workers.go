package main

import (
	"context"
	"log/slog"
	"net/url"
	"sync"

	"lintel.dev/lintel/internal/accounts"
	"lintel.dev/lintel/internal/approvals"
	"lintel.dev/lintel/internal/billing"
	"lintel.dev/lintel/internal/billingmail"
	"lintel.dev/lintel/internal/blob"
	"lintel.dev/lintel/internal/mail"
	"lintel.dev/lintel/internal/sqldb"
)

// startWorkers starts the background workers (mail delivery, jobs) and
// returns a channel closed when they have all stopped after ctx ends. Each
// worker finishes the item in hand before it stops (SECURITY.md 28).
func startWorkers(ctx context.Context, sender mail.Sender, db *sqldb.DB, files blob.Store, base *url.URL, log *slog.Logger) <-chan struct{} {
	var wg sync.WaitGroup
	run := func(name string, fn func(context.Context) error) {
		wg.Go(func() {
			if err := fn(ctx); err != nil {
				log.Error("worker stopped with an error", "worker", name, "err", err)
			}
		})
	}

	run("mail", mail.NewWorker(db, sender, mail.WorkerConfig{Logger: log, Files: files}).Run)

	// Account checks (sign-up, password reset) run here, off the request
	// path, so those pages answer alike whatever the e-mail (SECURITY.md 2).
	accountsWorker := &accounts.Worker{DB: db, BaseURL: base, Log: log}
	run("accounts", func(ctx context.Context) error { accountsWorker.Run(ctx); return nil })

	// Reminders to owners who have not answered an approval request.
	approvalsWorker := &approvals.Worker{DB: db, Mailer: approvals.Mailer{BaseURL: base, Now: db.Now}, Log: log}
	run("approvals", func(ctx context.Context) error { approvalsWorker.Run(ctx); return nil })

	// Recurring rent and late fees: once at start, then hourly. Every node
	// may run it; the ledger's idempotency keys post each charge once.
	rentWorker := &billing.Worker{DB: db, Log: log}
	run("rent", func(ctx context.Context) error { rentWorker.Run(ctx); return nil })

	// Payment receipts (the PDF attached) and owners' monthly statements.
	billingMail := &billingmail.Worker{DB: db, Files: files, BaseURL: base, Log: log}
	run("billingmail", func(ctx context.Context) error { billingMail.Run(ctx); return nil })

	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	return done
}

// mailSender is the SMTP sender when --smtp-host is set, else the dev
// sender, which keeps every message in the dev mailbox.
func mailSender(c *config, base *url.URL, log *slog.Logger) (mail.Sender, error) {
	if c.SMTPHost == "" {
		return mail.NewDevSender(base, log), nil
	}
	return mail.NewSMTPSender(mail.SMTPConfig{
		Host:     c.SMTPHost,
		Port:     c.SMTPPort,
		User:     c.SMTPUser,
		Password: c.SMTPPass,
		From:     c.SMTPFrom,
		TLS:      c.SMTPTLS,
	}, log)
}
