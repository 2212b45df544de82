package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"lintel.dev/lintel/internal/lintel"
)

// Outbox statuses, as stored in outbox.status. A message moves
// pending → sending → sent, or back to pending to retry, or to failed.
const (
	EmailPending = "pending" // waiting for its next attempt
	EmailSending = "sending" // claimed by a worker until claimed_until
	EmailSent    = "sent"    // accepted by the SMTP server (or the dev mailbox)
	EmailFailed  = "failed"  // given up: refused permanently, or retried too long
)

// OutboxEmail is one message in the outbox, as the delivery worker, the dev
// mailbox and the "not delivered" list see it.
type OutboxEmail struct {
	ID          int64
	CompanyID   int64 // 0 for mail that belongs to no company (sign-up, reset)
	DedupeKey   string
	Kind        string
	To          string
	ToName      string
	Subject     string
	Text        string
	HTML        string
	Status      string
	Attempts    int // attempts started, including the one in progress
	NextAttempt time.Time
	LastError   string
	CreatedAt   time.Time
	SentAt      time.Time // zero until sent
	// AttachmentFileID is the stored file to attach (0: none); see
	// EmailAttachment.
	AttachmentFileID int64
}

// enqueueEmail writes m to the outbox inside tx, so it is sent if and only
// if tx commits. A second message with the same DedupeKey is dropped: the
// same event never mails the same person twice.
func (tx *Tx) enqueueEmail(ctx context.Context, m lintel.Email) error {
	var company, attachment any
	if m.CompanyID != 0 {
		company = m.CompanyID
	}
	if m.AttachmentFileID != 0 {
		attachment = m.AttachmentFileID
	}
	_, err := tx.exec(ctx, `INSERT INTO outbox (company_id, dedupe_key, kind, to_email, to_name, subject, text_body, html_body, next_attempt_at, created_at, attachment_file_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) ON CONFLICT (dedupe_key) DO NOTHING`,
		company, m.DedupeKey, m.Kind, m.To, m.ToName, m.Subject, m.Text, m.HTML, ts(tx.Now), attachment)
	return err
}

const outboxColumns = `id, COALESCE(company_id, 0), dedupe_key, kind, to_email, to_name, subject, text_body, html_body,
	status, attempts, next_attempt_at, last_error, created_at, sent_at, COALESCE(attachment_file_id, 0)`

func scanOutbox(row interface{ Scan(...any) error }) (OutboxEmail, error) {
	var m OutboxEmail
	err := row.Scan(&m.ID, &m.CompanyID, &m.DedupeKey, &m.Kind, &m.To, &m.ToName, &m.Subject, &m.Text, &m.HTML,
		&m.Status, &m.Attempts, at(&m.NextAttempt), &m.LastError, at(&m.CreatedAt), at(&m.SentAt), &m.AttachmentFileID)
	return m, err
}

// claimSQL takes the oldest due messages (at most $3) in one statement,
// portable to both engines (SQLite has no FOR UPDATE). The outer WHERE
// repeats the claim condition on purpose: under PostgreSQL's READ
// COMMITTED, a second worker that picked the same ids waits for the first
// one's row locks and then re-checks the outer WHERE against the new rows,
// which no longer match, so it skips them instead of taking them twice. A
// message in 'sending' whose lease ran out belongs to a worker that crashed
// or hung, so it may be taken again; a 'sent' or 'failed' one never is.
// The inner SELECT reads the partial index outbox_due (0018), which holds
// only pending and sending messages, in the order it wants.
const claimSQL = `UPDATE outbox SET status = 'sending', claimed_until = $1, attempts = attempts + 1
	WHERE id IN (SELECT id FROM outbox
		WHERE status IN ('pending', 'sending') AND next_attempt_at <= $2 AND (claimed_until IS NULL OR claimed_until < $2)
		ORDER BY next_attempt_at, id LIMIT $3)
	AND status IN ('pending', 'sending') AND (claimed_until IS NULL OR claimed_until < $2)
	RETURNING ` + outboxColumns

// dueSQL tells whether any message is due, from the same index.
const dueSQL = `SELECT EXISTS (SELECT 1 FROM outbox
	WHERE status IN ('pending', 'sending') AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1))`

// ClaimEmail claims the next due message for delivery until now+lease and
// counts the attempt. It answers lintel.ErrNotFound when nothing is due.
// Two workers, on one node or several, never hold the same message.
func (db *DB) ClaimEmail(ctx context.Context, lease time.Duration) (OutboxEmail, error) {
	ms, err := db.ClaimEmails(ctx, lease, 1)
	if err != nil {
		return OutboxEmail{}, err
	}
	if len(ms) == 0 {
		return OutboxEmail{}, lintel.ErrNotFound
	}
	return ms[0], nil
}

// ClaimEmails claims up to limit due messages, oldest due first, for
// delivery until now+lease, and counts an attempt on each; none is an
// empty list. Two workers, on one node or several, never hold the same
// message. Whether anything is due is read first, outside a write
// transaction, so an idle poll takes no write lock.
func (db *DB) ClaimEmails(ctx context.Context, lease time.Duration, limit int) ([]OutboxEmail, error) {
	if limit < 1 {
		limit = 1
	}
	due := false
	if err := db.view(ctx, func(tx *Tx) error { return tx.get(ctx, dueSQL, []any{ts(tx.Now)}, &due) }); err != nil || !due {
		return nil, err
	}
	// Losing a race to another worker updates no row although work is due;
	// look again a few times rather than idling a whole poll interval.
	for range 5 {
		var ms []OutboxEmail
		err := db.update(ctx, func(tx *Tx) error {
			ms = ms[:0]
			rows, err := tx.QueryContext(ctx, claimSQL, ts(tx.Now.Add(lease)), ts(tx.Now), limit)
			if err != nil {
				return mapErr(err)
			}
			defer rows.Close()
			for rows.Next() {
				m, err := scanOutbox(rows)
				if err != nil {
					return err
				}
				ms = append(ms, m)
			}
			if err := rows.Err(); err != nil {
				return mapErr(err)
			}
			if len(ms) > 0 {
				return nil
			}
			return tx.get(ctx, dueSQL, []any{ts(tx.Now)}, &due)
		})
		if err != nil || len(ms) > 0 || !due {
			// RETURNING keeps no order.
			slices.SortFunc(ms, func(a, b OutboxEmail) int {
				return cmp.Or(a.NextAttempt.Compare(b.NextAttempt), cmp.Compare(a.ID, b.ID))
			})
			return ms, err
		}
	}
	return nil, nil
}

// ReleaseEmail hands a claimed message back unsent, as if the attempt
// had not been made (a worker that could no longer send it within its
// claim). Another worker, or this one, takes it again at once.
func (db *DB) ReleaseEmail(ctx context.Context, id int64, attempt int) error {
	return db.settle(ctx, func(tx *Tx) (sql.Result, error) {
		return tx.exec(ctx, `UPDATE outbox SET status = 'pending', claimed_until = NULL, attempts = attempts - 1
			WHERE id = $1 AND status = 'sending' AND attempts = $2`, id, attempt)
	})
}

// EmailAttachment returns the stored file attached to outbox message id,
// lintel.ErrNotFound when it has none. It is not scoped by an actor: only
// the mail worker calls it, for a message it holds.
func (db *DB) EmailAttachment(ctx context.Context, id int64) (StoredFile, error) {
	var f StoredFile
	err := db.view(ctx, func(tx *Tx) error {
		return tx.get(ctx, `SELECT f.storage_key, f.name, f.content_type, f.size FROM outbox o
			JOIN files f ON f.id = o.attachment_file_id AND (o.company_id IS NULL OR f.company_id = o.company_id)
			WHERE o.id = $1`, []any{id}, &f.Key, &f.Name, &f.ContentType, &f.Size)
	})
	return f, err
}

// ErrLeaseLost answers MarkEmailSent, RetryEmail and FailEmail when the
// claim ran out and another worker took the message (or it was settled):
// the caller's result no longer decides the message's fate.
var ErrLeaseLost = lintel.Conflict("The e-mail was taken over by another worker after its claim ran out.")

// settle moves a claimed message out of 'sending' with the UPDATE that
// exec runs. Each one matches only "id AND status = 'sending' AND attempts
// = attempt": a worker whose lease ran out, and whose message another
// worker then claimed, must not overwrite the newer attempt's outcome.
func (db *DB) settle(ctx context.Context, exec func(tx *Tx) (sql.Result, error)) error {
	return db.update(ctx, func(tx *Tx) error {
		r, err := exec(tx)
		if err != nil {
			return err
		}
		n, err := r.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrLeaseLost
		}
		return nil
	})
}

// MarkEmailSent records that the SMTP server accepted the claimed message.
func (db *DB) MarkEmailSent(ctx context.Context, id int64, attempt int) error {
	return db.settle(ctx, func(tx *Tx) (sql.Result, error) {
		return tx.exec(ctx, `UPDATE outbox SET status = 'sent', sent_at = $1, claimed_until = NULL, last_error = ''
			WHERE id = $2 AND status = 'sending' AND attempts = $3`, ts(tx.Now), id, attempt)
	})
}

// RetryEmail puts the claimed message back for another attempt at next,
// keeping reason (a delivery error, without the message's content).
func (db *DB) RetryEmail(ctx context.Context, id int64, attempt int, next time.Time, reason string) error {
	return db.settle(ctx, func(tx *Tx) (sql.Result, error) {
		return tx.exec(ctx, `UPDATE outbox SET status = 'pending', next_attempt_at = $1, claimed_until = NULL, last_error = $2
			WHERE id = $3 AND status = 'sending' AND attempts = $4`, ts(next), clip(reason), id, attempt)
	})
}

// FailEmail gives up on the claimed message: it will not be sent, and its
// company's managers see it as not delivered.
func (db *DB) FailEmail(ctx context.Context, id int64, attempt int, reason string) error {
	return db.settle(ctx, func(tx *Tx) (sql.Result, error) {
		return tx.exec(ctx, `UPDATE outbox SET status = 'failed', claimed_until = NULL, last_error = $1
			WHERE id = $2 AND status = 'sending' AND attempts = $3`, clip(reason), id, attempt)
	})
}

// clip keeps a stored error message short; SMTP servers can be chatty.
func clip(s string) string {
	const max = 500
	if len(s) <= max {
		return s
	}
	s = s[:max]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

// EmailPage is one page of a list of e-mails, newest first.
type EmailPage struct {
	Emails []OutboxEmail
	// Older is the Before cursor of the next (older) page; 0 when this is
	// the last page.
	Older int64
}

// DevMailbox lists every message in the outbox, newest first, the page
// ending before the message with id before (0: the newest page). It is not
// scoped by an actor: it backs the development mailbox, which the web
// layer serves only without SMTP and only to admins or loopback clients.
func (db *DB) DevMailbox(ctx context.Context, before int64, limit int) (EmailPage, error) {
	return db.emailPage(ctx, "", nil, before, limit)
}

// DevMailboxEmail returns one outbox message for the development mailbox
// (see DevMailbox on who may see it), lintel.ErrNotFound when none has id.
func (db *DB) DevMailboxEmail(ctx context.Context, id int64) (OutboxEmail, error) {
	var m OutboxEmail
	err := db.view(ctx, func(tx *Tx) error {
		var err error
		m, err = scanOutbox(tx.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = $1`, id))
		return mapErr(err)
	})
	return m, err
}

// UndeliveredEmails lists the staff member's company's e-mails that could
// not be delivered (refused by the recipient's server, or retried until
// given up), newest first, paged like DevMailbox.
func (db *DB) UndeliveredEmails(ctx context.Context, s lintel.Staff, before int64, limit int) (EmailPage, error) {
	if err := s.Require(lintel.PermViewRecords); err != nil {
		return EmailPage{}, err
	}
	var args sqlArgs
	where := ` AND company_id = ` + args.add(s.CompanyID) + ` AND status = 'failed'`
	return db.emailPage(ctx, where, args, before, limit)
}

func (db *DB) emailPage(ctx context.Context, where string, args sqlArgs, before int64, limit int) (EmailPage, error) {
	limit = pageSize(limit)
	var page EmailPage
	err := db.view(ctx, func(tx *Tx) error {
		q := `SELECT ` + outboxColumns + ` FROM outbox WHERE 1 = 1` + where
		if before > 0 {
			q += ` AND id < ` + args.add(before)
		}
		q += ` ORDER BY id DESC LIMIT ` + args.add(limit+1)
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanOutbox(rows)
			if err != nil {
				return err
			}
			page.Emails = append(page.Emails, m)
		}
		return rows.Err()
	})
	if len(page.Emails) > limit {
		page.Emails = page.Emails[:limit]
		page.Older = page.Emails[limit-1].ID
	}
	return page, err
}

// MailDelayedAfter is how long mail may wait before it counts as delayed:
// a person expecting an invitation or a task link has noticed by then.
const MailDelayedAfter = 15 * time.Minute

// MailDelay is the company's mail still waiting longer than
// MailDelayedAfter.
type MailDelay struct {
	Count  int
	Oldest time.Time // when the oldest of them was queued
}

// delayedMail is the condition on the outbox for the company's mail not
// sent yet that has failed at least once (attempts counts the one in
// progress too) or waited since before $2.
const delayedMail = `status IN ('pending', 'sending') AND company_id = $1
	AND ((status = 'pending' AND attempts > 0) OR attempts > 1 OR created_at < $2)`

// DelayedEmails lists the company's mail that is taking long: not sent yet,
// and either retrying after a failure or waiting longer than
// MailDelayedAfter, oldest first, at most limit of them.
func (db *DB) DelayedEmails(ctx context.Context, s lintel.Staff, limit int) ([]OutboxEmail, error) {
	if err := s.Require(lintel.PermViewRecords); err != nil {
		return nil, err
	}
	var out []OutboxEmail
	err := db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE `+delayedMail+` ORDER BY id LIMIT $3`,
			s.CompanyID, ts(tx.Now.Add(-MailDelayedAfter)), pageSize(limit))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanOutbox(rows)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("delayed e-mails: %w", err)
	}
	return out, nil
}

// MailDelayOf counts the company's mail waiting longer than
// MailDelayedAfter, for the dashboard's alert.
func (db *DB) MailDelayOf(ctx context.Context, s lintel.Staff) (MailDelay, error) {
	var d MailDelay
	err := db.view(ctx, func(tx *Tx) error {
		return tx.get(ctx, `SELECT COUNT(*), MIN(created_at) FROM outbox WHERE status IN ('pending', 'sending') AND company_id = $1 AND created_at < $2`,
			[]any{s.CompanyID, ts(tx.Now.Add(-MailDelayedAfter))}, &d.Count, at(&d.Oldest))
	})
	if err != nil {
		return MailDelay{}, fmt.Errorf("mail delay: %w", err)
	}
	return d, nil
}

// BouncedLink is a task-link or approval e-mail of a request that could not
// be delivered: the operator or owner never got their link.
type BouncedLink struct {
	VisitID    int64 // the visit whose task link it carried, or
	ApprovalID int64 // the approval it asked for
	To, Reason string
	At         time.Time // when it was queued
}

// BouncedLinks lists the undelivered task-link e-mails of visitIDs and
// approval requests (and reminders) of approvalIDs, in the order queued.
// Their dedupe keys name the visit or approval ("visit_assigned:<visit>:…",
// "visit_link:<visit>:…", "approval_request:<approval>:…",
// "approval_reminder:<approval>:…"); only failed mail is read, which is
// little.
func (db *DB) BouncedLinks(ctx context.Context, s lintel.Staff, visitIDs, approvalIDs []int64) ([]BouncedLink, error) {
	if len(visitIDs) == 0 && len(approvalIDs) == 0 {
		return nil, nil
	}
	var out []BouncedLink
	err := db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT dedupe_key, to_email, last_error, created_at FROM outbox
			WHERE status = 'failed' AND company_id = $1 AND kind IN ('visit_assigned_operator', 'approval_request') ORDER BY id`, s.CompanyID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var key string
			var b BouncedLink
			if err := rows.Scan(&key, &b.To, &b.Reason, at(&b.At)); err != nil {
				return err
			}
			what, rest, _ := strings.Cut(key, ":")
			idText, _, _ := strings.Cut(rest, ":")
			id, err := strconv.ParseInt(idText, 10, 64)
			if err != nil {
				continue
			}
			switch {
			case (what == "visit_assigned" || what == "visit_link") && slices.Contains(visitIDs, id):
				b.VisitID = id
			case (what == "approval_request" || what == "approval_reminder") && slices.Contains(approvalIDs, id):
				b.ApprovalID = id
			default:
				continue
			}
			out = append(out, b)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("bounced links: %w", err)
	}
	return out, nil
}
