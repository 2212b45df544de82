// Package billingmail sends the ledger's e-mails: the
// receipt of every payment to the lease's tenants, with the receipt PDF
// attached, and each owner's monthly statement with a link to download it
// from the portal. Both respect the resident's billing e-mail setting.
//
// A payment's transaction queues a job (sqldb.JobPaymentReceipt); the
// Worker here renders the receipt (internal/receipt), stores the PDF as a
// file of the company and queues the e-mails in one transaction, so the
// outbox attaches it like any document. Statements go out once per owner
// and month (outbox key "statement:<contact>:<YYYY-MM>") from the first day
// of the next month, whichever node gets there first.
package billingmail

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"lintel.dev/lintel/internal/blob"
	"lintel.dev/lintel/internal/i18n"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/mail"
	"lintel.dev/lintel/internal/receipt"
	"lintel.dev/lintel/internal/sqldb"
)

// Worker runs the receipt jobs and sends the monthly statements.
type Worker struct {
	DB      *sqldb.DB
	Files   blob.Store // where the receipt PDFs go (the same store as uploads)
	BaseURL *url.URL
	Log     *slog.Logger
	// Now is the clock; the store's when nil.
	Now func() time.Time
	// Poll is how often it looks for jobs; 2 s when zero. Statements are
	// looked for every StatementEvery (an hour when zero).
	Poll, StatementEvery time.Duration
}

// maxAttempts is how often a failing receipt job is tried.
const maxAttempts = 8

// batch is how many owners a statement run reads at a time.
const batch = 200

func (w *Worker) log() *slog.Logger {
	if w.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Log.With("worker", "billingmail")
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return w.DB.Now()
}

// Run processes jobs and statements until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	poll, every := w.Poll, w.StatementEvery
	if poll == 0 {
		poll = 2 * time.Second
	}
	if every == 0 {
		every = time.Hour
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	var lastStatements time.Time
	for {
		if _, err := w.RunDue(ctx); err != nil && ctx.Err() == nil {
			w.log().Error("receipt e-mails", "err", err)
		}
		if time.Since(lastStatements) >= every {
			if n, err := w.SendStatements(ctx); err != nil && ctx.Err() == nil {
				w.log().Error("owner statements", "err", err, "queued", n)
			} else if n > 0 {
				w.log().Info("owner statements queued", "count", n)
			}
			lastStatements = time.Now()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunDue processes every due receipt job and returns how many it ran.
// Tests call it to send what a payment queued.
func (w *Worker) RunDue(ctx context.Context) (int, error) {
	n := 0
	for ctx.Err() == nil {
		j, err := w.DB.ClaimJob(ctx, []string{sqldb.JobPaymentReceipt}, 5*time.Minute)
		if lintel.IsNotFound(err) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
		if err := w.sendReceipt(ctx, j); err != nil {
			giveUp := j.Attempts >= maxAttempts
			w.log().Warn("receipt e-mail job failed", "job", j.ID, "attempt", j.Attempts, "giving_up", giveUp, "err", err)
			delay := time.Duration(j.Attempts*j.Attempts) * 15 * time.Second
			if rerr := w.DB.RetryJob(ctx, j.ID, err.Error(), delay, giveUp); rerr != nil {
				return n, errors.Join(err, rerr)
			}
			continue
		}
		if err := w.DB.FinishJob(ctx, j.ID); err != nil {
			return n, err
		}
	}
	return n, ctx.Err()
}

func (w *Worker) link(path string, q url.Values) string {
	u := *w.BaseURL
	u.Path, u.RawQuery = path, q.Encode()
	return u.String()
}

// receiptMail is the data of the payment_receipt e-mail.
type receiptMail struct {
	Name, Company, Number, Amount, Received, About, Method, Reference string
	Attached                                                          bool
	FileName, Link                                                    string
}

// sendReceipt renders a payment's receipt, stores it and queues its
// e-mails. Nothing is stored when nobody is to get it.
func (w *Worker) sendReceipt(ctx context.Context, j sqldb.Job) error {
	var job sqldb.ReceiptJob
	if err := json.Unmarshal([]byte(j.Payload), &job); err != nil {
		return fmt.Errorf("job %d payload: %w", j.ID, err)
	}
	if w.Files == nil {
		return errors.New("no file store configured for receipt PDFs")
	}
	rs, err := w.DB.ReceiptForEmail(ctx, job)
	if lintel.IsNotFound(err) {
		return nil // a payment that does not exist (a restored backup): nothing to send
	}
	if err != nil || len(rs.Recipients) == 0 {
		return err
	}
	// E-mails are in English, like every e-mail Lintel sends; so is the
	// attached receipt. The portal serves it in the person's language.
	pdf, err := receipt.ForPayment(rs.Receipt, i18n.Default, w.now()).PDF()
	if err != nil {
		return err
	}
	name := receipt.FileName(rs.Receipt.Number)
	file, err := storeBlob(ctx, w.Files, pdf, name)
	if err != nil {
		return err
	}
	recorded, err := w.DB.QueueReceiptEmails(ctx, job, file, func(r sqldb.PaymentReceipt, to sqldb.Recipient, attached bool) (lintel.Email, error) {
		c, err := mail.Compose("payment_receipt", receiptMail{
			Name: to.Name, Company: r.Company.Name, Number: receipt.Number(r.Number), Amount: lintel.FormatMoney(r.Amount, r.Currency),
			Received: r.Received.Long(), About: r.About, Method: methodLabel(r.Method), Reference: r.Reference,
			Attached: attached, FileName: name, Link: w.link("/portal/billing", nil),
		})
		if err != nil {
			return lintel.Email{}, err
		}
		return lintel.Email{Kind: "payment_receipt", To: to.Email, ToName: to.Name, Subject: c.Subject, Text: c.Text, HTML: c.HTML}, nil
	})
	if err != nil || !recorded {
		if derr := w.Files.Delete(context.WithoutCancel(ctx), file.Key); derr != nil {
			w.log().Warn("delete unused receipt blob", "key", file.Key, "err", derr)
		}
	}
	return err
}

func methodLabel(m string) string {
	if m == "" {
		return ""
	}
	return lintel.PaymentMethod(m).Label()
}

// statementMail is the data of the owner_statement e-mail.
type statementMail struct {
	Name, Company, Month            string
	Opening, In, Out, Closing, Link string
}

// StatementPeriod is the month whose statements are due on day today: the
// previous calendar month.
func StatementPeriod(today lintel.Date) string {
	first := lintel.Date{Year: today.Year, Month: today.Month, Day: 1}
	return lintel.DateOf(first.Time().AddDate(0, -1, 0)).String()[:7]
}

// SendStatements queues last month's statement for every owner due one
// and reports how many it queued. Running it again (or on another node)
// queues nothing more.
func (w *Worker) SendStatements(ctx context.Context) (int, error) {
	period := StatementPeriod(lintel.DateOf(w.now().UTC()))
	first, _ := lintel.ParseDate(period + "-01")
	month := first.Time().Format("January 2006")
	queued := 0
	var after int64
	for ctx.Err() == nil {
		owners, err := w.DB.OwnersDueStatement(ctx, period, after, batch)
		if err != nil {
			return queued, err
		}
		for _, o := range owners {
			after = o.ContactID
			ok, err := w.DB.QueueOwnerStatement(ctx, o, period, func(n sqldb.StatementNotice) (lintel.Email, error) {
				var in, out int64
				for _, l := range n.Lines {
					if l.Amount > 0 {
						in += l.Amount
					} else {
						out += l.Amount
					}
				}
				money := func(v int64) string { return lintel.FormatMoney(v, n.Currency) }
				c, err := mail.Compose("owner_statement", statementMail{
					Name: n.Address.Name, Company: n.Company.Name, Month: month,
					Opening: money(n.Opening), In: money(in), Out: money(out), Closing: money(n.Closing()),
					Link: w.link("/portal/billing/statement.pdf", url.Values{"company": {fmt.Sprint(n.Company.ID)},
						"from": {n.From.String()}, "to": {n.To.String()}}),
				})
				if err != nil {
					return lintel.Email{}, err
				}
				return lintel.Email{Kind: "owner_statement", To: n.Address.Email, ToName: n.Address.Name, Subject: c.Subject, Text: c.Text, HTML: c.HTML}, nil
			})
			if err != nil {
				return queued, err
			}
			if ok {
				queued++
			}
		}
		if len(owners) < batch {
			break
		}
	}
	return queued, ctx.Err()
}

// storeBlob puts a generated PDF in the file store under a new key and
// returns it as a file for the store to record.
func storeBlob(ctx context.Context, files blob.Store, data []byte, name string) (sqldb.NewFile, error) {
	key := blob.NewKey()
	if err := files.Put(ctx, key, bytes.NewReader(data), int64(len(data)), "application/pdf"); err != nil {
		return sqldb.NewFile{}, fmt.Errorf("store %s: %w", name, err)
	}
	sum := sha256.Sum256(data)
	return sqldb.NewFile{Key: key, Name: name, ContentType: "application/pdf", Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}, nil
}
