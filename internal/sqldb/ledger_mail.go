package sqldb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"lintel.dev/lintel/internal/lintel"
)

// Billing e-mails: a receipt to the tenants when a
// payment is recorded, and a monthly statement to owners. Both respect the
// resident's "billing" e-mail setting (users.notify_billing).
//
// A receipt e-mail carries the receipt as a PDF, which takes rendering and
// storing a file: work for a job, not for the posting's transaction. So the
// payment's transaction only queues a job (enqueueReceiptEmails): a
// rollback leaves no job and sends nothing; a commit always leads to the
// e-mails. The job (internal/billingmail) renders the PDF, stores it as a
// file, and queues one outbox message per address in one transaction
// (QueueReceiptEmails); the outbox's dedupe keys make a retried job send
// nothing twice.

// JobPaymentReceipt is the job kind that e-mails a payment's receipt.
const JobPaymentReceipt = "payment_receipt"

// ReceiptJob is a JobPaymentReceipt job's payload.
type ReceiptJob struct {
	CompanyID int64 `json:"company_id"`
	PaymentID int64 `json:"payment_id"`
}

// enqueueReceiptEmails queues the receipt e-mail of payment paymentID of
// company companyID, inside the posting's transaction. The ledger core
// calls it from PostPayment once the payment is written.
func (tx *Tx) enqueueReceiptEmails(ctx context.Context, companyID, paymentID int64) error {
	b, err := json.Marshal(ReceiptJob{CompanyID: companyID, PaymentID: paymentID})
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO jobs (kind, payload, run_at, created_at) VALUES ($1, $2, $3, $3)`, JobPaymentReceipt, string(b), ts(tx.Now))
	return err
}

// receiptDedupe is the outbox key of a payment's receipt to one address.
func receiptDedupe(paymentID int64, email string) string {
	return "payment_receipt:" + strconv.FormatInt(paymentID, 10) + ":" + email
}

// contactAddresses are the SQL conditions that pick the addresses of
// contact c (ce) that take billing e-mail. The unary + keeps the company
// a check, not a way in: given the company, SQLite without statistics
// (databases in use have none) walks the company's whole address index
// for each contact rather than the contact's own few addresses.
const contactAddresses = `ce.contact_id = c.id AND +ce.company_id = c.company_id
	AND NOT EXISTS (SELECT 1 FROM users u WHERE u.email = ce.email AND NOT u.notify_billing)`

// receiptRecipientsSQL lists the billing addresses of lease $1's tenants
// in company $2.
const receiptRecipientsSQL = `SELECT ce.email, MIN(c.name) FROM lease_tenants lt
	JOIN contacts c ON c.id = lt.contact_id AND c.company_id = lt.company_id AND c.archived_at IS NULL
	JOIN contact_emails ce ON ` + contactAddresses + `
	WHERE lt.lease_id = $1 AND lt.company_id = $2
	GROUP BY ce.email ORDER BY ce.email`

// receiptRecipients are the addresses of the tenants on the payment's
// lease (contacts not archived), once each, leaving out addresses whose
// login turned billing e-mail off.
func (tx *Tx) receiptRecipients(ctx context.Context, companyID, leaseID int64) ([]Recipient, error) {
	rows, err := tx.QueryContext(ctx, receiptRecipientsSQL, leaseID, companyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Recipient
	for rows.Next() {
		var r Recipient
		if err := rows.Scan(&r.Email, &r.Name); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ReceiptToSend is what a receipt job needs: the receipt, and who gets it.
// Nothing is to be sent when Recipients is empty (everyone turned billing
// e-mail off, or it went already) or the payment was reversed meanwhile.
type ReceiptToSend struct {
	Receipt    PaymentReceipt
	Recipients []Recipient
}

// ReceiptForEmail reads a payment's receipt for its e-mail job. It is not
// scoped by an actor: only the job calls it, with the ids the payment's
// own transaction queued.
func (db *DB) ReceiptForEmail(ctx context.Context, j ReceiptJob) (ReceiptToSend, error) {
	var out ReceiptToSend
	err := db.view(ctx, func(tx *Tx) error {
		var err error
		if out.Receipt, err = tx.paymentReceipt(ctx, j.CompanyID, j.PaymentID); err != nil {
			return err
		}
		if out.Receipt.Kind != "payment" || !out.Receipt.Reversed.IsZero() {
			return nil
		}
		to, err := tx.receiptRecipients(ctx, j.CompanyID, out.Receipt.LeaseID)
		if err != nil {
			return err
		}
		if sent, err := tx.receiptQueued(ctx, j.PaymentID, to); err != nil || sent {
			return err
		}
		out.Recipients = to
		return nil
	})
	return out, err
}

// receiptQueued reports whether a payment's receipt e-mails are in the
// outbox already (a job that ran, then died before it was marked done):
// whether any of its recipients' messages is. Each is one look-up of the
// outbox's unique key; a prefix LIKE would read every message ever sent,
// as neither engine can take a case-insensitive or collated LIKE to that
// index.
func (tx *Tx) receiptQueued(ctx context.Context, paymentID int64, to []Recipient) (bool, error) {
	if len(to) == 0 {
		return false, nil
	}
	args := make([]any, len(to))
	for i, r := range to {
		args[i] = receiptDedupe(paymentID, r.Email)
	}
	var sent bool
	err := tx.get(ctx, receiptQueuedSQL(len(to)), args, &sent)
	return sent, err
}

// receiptQueuedSQL tells whether any of n outbox keys ($1...) is taken.
func receiptQueuedSQL(n int) string {
	ph := make([]string, n)
	for i := range ph {
		ph[i] = "$" + strconv.Itoa(i+1)
	}
	return `SELECT EXISTS (SELECT 1 FROM outbox WHERE dedupe_key IN (` + strings.Join(ph, ", ") + `))`
}

// ReceiptMail composes one receipt e-mail; attached says whether the PDF
// could be attached (the company's storage may be full: then the e-mail
// links to the portal instead).
type ReceiptMail func(r PaymentReceipt, to Recipient, attached bool) (lintel.Email, error)

// QueueReceiptEmails records the receipt's PDF (file, already in the file
// store) and queues one e-mail per recipient, in one transaction. It
// answers whether the file was recorded: when not (nobody to send to any
// more, or the storage quota is full), the caller deletes the blob.
func (db *DB) QueueReceiptEmails(ctx context.Context, j ReceiptJob, file NewFile, compose ReceiptMail) (recorded bool, err error) {
	err = db.update(ctx, func(tx *Tx) error {
		recorded = false
		r, err := tx.paymentReceipt(ctx, j.CompanyID, j.PaymentID)
		if err != nil {
			return err
		}
		if r.Kind != "payment" || !r.Reversed.IsZero() {
			return nil
		}
		to, err := tx.receiptRecipients(ctx, j.CompanyID, r.LeaseID)
		if err != nil || len(to) == 0 {
			return err
		}
		if sent, err := tx.receiptQueued(ctx, j.PaymentID, to); err != nil || sent {
			return err
		}
		fileID, err := tx.insertFile(ctx, j.CompanyID, file, systemActor)
		switch {
		case errors.Is(err, ErrStorageFull):
			fileID = 0
		case err != nil:
			return err
		default:
			recorded = true
		}
		for _, rc := range to {
			m, err := compose(r, rc, fileID != 0)
			if err != nil {
				return err
			}
			m.CompanyID, m.DedupeKey, m.AttachmentFileID = j.CompanyID, receiptDedupe(j.PaymentID, rc.Email), fileID
			if err := tx.enqueueEmail(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("queue receipt e-mails for payment %d: %w", j.PaymentID, err)
	}
	return recorded, nil
}

// Monthly statements.

// statementDedupe is the outbox key of an owner's statement for a month:
// one per owner contact and month, whichever node sends it.
func statementDedupe(contactID int64, period string) string {
	return "statement:" + strconv.FormatInt(contactID, 10) + ":" + period
}

// StatementOwner is an owner contact due a monthly statement.
type StatementOwner struct {
	ContactID, CompanyID int64
}

// ownersDueSQL lists owner contacts after $1 who have not had period $3's
// statement, have something posted to an owner account of theirs by $2,
// and a billing address. The statement already queued is asked first: it
// is one look-up of the outbox's key, and once the month's statements are
// out it answers for every owner. The nested EXISTS fix the order of the
// look-ups whatever the planner knows: the contact's owner accounts, an
// account's postings, each posting's transaction by its key; the unary +
// keeps each company a check, as in contactAddresses (given the company,
// SQLite without statistics walks all the company's owner accounts, or its
// transactions by date, for every owner).
const ownersDueSQL = `SELECT c.id, c.company_id FROM contacts c
	WHERE c.id > $1 AND c.is_owner AND c.archived_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.dedupe_key = 'statement:' || CAST(c.id AS TEXT) || ':' || $3)
		AND EXISTS (SELECT 1 FROM ledger_accounts oa WHERE oa.contact_id = c.id AND +oa.company_id = c.company_id AND oa.kind = 'owner'
			AND EXISTS (SELECT 1 FROM ledger_postings p WHERE p.account_id = oa.id AND +p.company_id = oa.company_id
				AND EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.id = p.transaction_id AND +t.company_id = p.company_id
					AND t.effective_date <= $2)))
		AND EXISTS (SELECT 1 FROM contact_emails ce WHERE ` + contactAddresses + `)
	ORDER BY c.id LIMIT $4`

// OwnersDueStatement lists, in contact id order after after, at most limit
// owner contacts (not archived) who have an owner account with something
// posted on or before the end of period ("YYYY-MM"), an address that takes
// billing e-mail, and no statement for the period yet.
func (db *DB) OwnersDueStatement(ctx context.Context, period string, after int64, limit int) ([]StatementOwner, error) {
	if !lintel.ValidPeriod(period) {
		return nil, fmt.Errorf("statement period %q: use YYYY-MM", period)
	}
	var out []StatementOwner
	err := db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, ownersDueSQL, after, period+"-31", period, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var o StatementOwner
			if err := rows.Scan(&o.ContactID, &o.CompanyID); err != nil {
				return err
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	return out, err
}

// StatementNotice is what a monthly statement e-mail says.
type StatementNotice struct {
	OwnerStatement
	ContactID int64
	Period    string    // "2026-03"
	Address   Recipient // where it goes
}

// contactAsMe defines `me` as one contact ($1) of company $2, so the
// owner reads (ownerStatement) serve a job as they serve a resident.
const contactAsMe = `WITH me AS (
	SELECT c.id, c.company_id, c.name, c.is_tenant, c.is_owner FROM contacts c
	WHERE c.id = $1 AND c.company_id = $2 AND c.archived_at IS NULL)
`

// statementAddressSQL picks owner contact $1's (of company $2) first
// address that takes billing e-mail.
const statementAddressSQL = `SELECT ce.email, c.name FROM contacts c
	JOIN contact_emails ce ON ` + contactAddresses + `
	WHERE c.id = $1 AND c.company_id = $2 AND c.archived_at IS NULL AND c.is_owner
	ORDER BY ce.position, ce.id LIMIT 1`

// QueueOwnerStatement queues the statement e-mail of owner contact
// o for period ("YYYY-MM"): to their first address that takes billing
// e-mail, once (the outbox keeps one per contact and month). It answers
// whether a message was queued.
func (db *DB) QueueOwnerStatement(ctx context.Context, o StatementOwner, period string, compose func(StatementNotice) (lintel.Email, error)) (bool, error) {
	first, err := lintel.ParseDate(period + "-01")
	if err != nil || !lintel.ValidPeriod(period) {
		return false, fmt.Errorf("statement period %q: use YYYY-MM", period)
	}
	last := lintel.DateOf(first.Time().AddDate(0, 1, -1))
	queued := false
	err = db.update(ctx, func(tx *Tx) error {
		n := StatementNotice{ContactID: o.ContactID, Period: period}
		err := tx.get(ctx, statementAddressSQL, []any{o.ContactID, o.CompanyID}, &n.Address.Email, &n.Address.Name)
		if lintel.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if n.OwnerStatement, err = tx.ownerStatement(ctx, contactAsMe, []any{o.ContactID, o.CompanyID}, first, last); err != nil {
			return err
		}
		n.Owner = n.Address.Name
		m, err := compose(n)
		if err != nil {
			return err
		}
		m.CompanyID, m.DedupeKey = o.CompanyID, statementDedupe(o.ContactID, period)
		if err := tx.enqueueEmail(ctx, m); err != nil {
			return err
		}
		queued = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("queue statement for contact %d: %w", o.ContactID, err)
	}
	return queued, nil
}
