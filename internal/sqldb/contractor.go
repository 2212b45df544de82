package sqldb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"lintel.dev/lintel/internal/lintel"
)

// The contractor's task page (DESIGN.md, "Contractor links"): an operator
// with no account opens one visit through the link e-mailed to them. The
// actor is the link itself: every method takes the SHA-256 of the token
// (auth.HashToken) and finds the visit, its request and its company from
// it, inside the same transaction as the read or the change. Nothing here
// takes an id of a visit, request or company from outside.

// ErrTaskLinkDead is the one answer for a contractor link that does not
// exist, was revoked (reassigned, or revoked by the manager), belongs to a
// visit that was cancelled, or expired lintel.ContractorLinkLife after its
// request closed. The cases are indistinguishable on purpose (no oracle
// for guessing).
var ErrTaskLinkDead = &lintel.Error{Kind: lintel.KindNotFound,
	Message: "This link no longer works. Ask the property manager who sent it for a new one."}

// Task is everything the task page shows to the operator of one visit.
type Task struct {
	Visit        lintel.Visit
	Request      lintel.Request // without StaffNotes: only staff see them
	CompanyName  string
	CompanyPhone string
	CompanyEmail string
	Currency     string
	// DispatchNote is the manager's note given when assigning this visit.
	DispatchNote string
	// When the operator last saved each note and the invoice.
	TenantNotesAt, ManagerNotesAt, InvoiceSavedAt time.Time
	// InvoiceFileName is the stored invoice document's name, "" when none.
	InvoiceFileName string
	// Contacts are who to call about access: the tenants of the request's
	// lease, or the person who asked when no lease is involved.
	Contacts []TaskContact
	// Earlier are the request's visits before this one (other operators'
	// invoices left out).
	Earlier []lintel.Visit
	// Photos are all the request's photos: the resident's and every visit's.
	Photos []Photo
	// ExpiresAt is when the link stops working; zero while the request is
	// open.
	ExpiresAt time.Time
}

// Open reports whether work may still be recorded on the request.
func (t Task) Open() bool { return t.Request.Status.Open() }

// Active reports whether the visit still waits for its outcome.
func (t Task) Active() bool {
	return t.Visit.Status == lintel.VisitAssigned || t.Visit.Status == lintel.VisitScheduled
}

// TaskContact is a person the operator may call or write to.
type TaskContact struct {
	Name   string
	Phones []string
	Emails []string
}

// taskRef is what a live link resolves to.
type taskRef struct {
	visitID, companyID, requestID int64
	visitStatus                   lintel.VisitStatus
	reqStatus                     lintel.RequestStatus
	operator                      string
	closedAt                      time.Time
}

func (r taskRef) open() bool { return r.reqStatus.Open() }

// taskLink resolves a link's token hash to its visit, or ErrTaskLinkDead.
// The visit must hold the hash, not be revoked, still be the operator's
// (assigned, scheduled, or ended by them: completed or unable), and its
// request must not have closed more than lintel.ContractorLinkLife ago.
func (tx *Tx) taskLink(ctx context.Context, tokenHash string) (taskRef, error) {
	var r taskRef
	if tokenHash == "" {
		return r, ErrTaskLinkDead
	}
	err := tx.get(ctx, `SELECT v.id, v.company_id, v.request_id, v.status, rq.status, rq.closed_at, o.name
		FROM visits v
		JOIN requests rq ON rq.id = v.request_id AND rq.company_id = v.company_id
		JOIN contacts o ON o.id = v.operator_id AND o.company_id = v.company_id
		WHERE v.token_hash = $1 AND v.token_revoked_at IS NULL
			AND v.status IN ('assigned','scheduled','completed','unable')`,
		[]any{tokenHash}, &r.visitID, &r.companyID, &r.requestID, &r.visitStatus, &r.reqStatus, at(&r.closedAt), &r.operator)
	if lintel.IsNotFound(err) {
		return r, ErrTaskLinkDead
	}
	if err != nil {
		return r, err
	}
	if !r.closedAt.IsZero() && !tx.Now.Before(r.closedAt.Add(lintel.ContractorLinkLife)) {
		return r, ErrTaskLinkDead
	}
	return r, nil
}

// ContractorTask reads the task behind a link. It changes nothing: mail
// scanners open links too (SECURITY.md 15); ContractorOpened records the
// opening.
func (db *DB) ContractorTask(ctx context.Context, tokenHash string) (Task, error) {
	var t Task
	err := db.view(ctx, func(tx *Tx) error {
		ref, err := tx.taskLink(ctx, tokenHash)
		if err != nil {
			return err
		}
		t, err = tx.task(ctx, ref)
		return err
	})
	if err != nil {
		return Task{}, fmt.Errorf("read task: %w", err)
	}
	return t, nil
}

func (tx *Tx) task(ctx context.Context, ref taskRef) (Task, error) {
	var t Task
	d, err := tx.requestDetail(ctx, ref.companyID, ref.requestID, forOperator)
	if err != nil {
		return t, err
	}
	t.Request, t.Photos = d.Request, d.Photos
	for _, v := range d.Visits {
		switch {
		case v.ID == ref.visitID:
			t.Visit = v
		case v.ID < ref.visitID:
			v.InvoiceNumber, v.InvoiceDate, v.InvoiceAmountMinor, v.InvoiceTaxMinor, v.InvoiceFileID = "", lintel.Date{}, nil, nil, 0
			v.TokenLastOpened = time.Time{}
			t.Earlier = append(t.Earlier, v)
		}
	}
	if err := tx.get(ctx, `SELECT v.dispatch_note, v.tenant_notes_at, v.manager_notes_at, v.invoice_saved_at, COALESCE(f.name, '')
		FROM visits v LEFT JOIN files f ON f.id = v.invoice_file_id AND f.company_id = v.company_id
		WHERE v.id = $1 AND v.company_id = $2`, []any{ref.visitID, ref.companyID},
		&t.DispatchNote, at(&t.TenantNotesAt), at(&t.ManagerNotesAt), at(&t.InvoiceSavedAt), &t.InvoiceFileName); err != nil {
		return t, err
	}
	if err := tx.get(ctx, `SELECT name, phone, email, currency FROM companies WHERE id = $1`, []any{ref.companyID},
		&t.CompanyName, &t.CompanyPhone, &t.CompanyEmail, &t.Currency); err != nil {
		return t, err
	}
	if t.Contacts, err = tx.taskContacts(ctx, t.Request); err != nil {
		return t, err
	}
	if !ref.closedAt.IsZero() {
		t.ExpiresAt = ref.closedAt.Add(lintel.ContractorLinkLife)
	}
	return t, nil
}

// taskContacts lists the tenants of the request's lease, or else the
// contact who asked, with every phone and e-mail on file.
func (tx *Tx) taskContacts(ctx context.Context, req lintel.Request) ([]TaskContact, error) {
	var q string
	var arg int64
	switch {
	case req.LeaseID != 0:
		q, arg = `SELECT c.id, c.name FROM lease_tenants lt JOIN contacts c ON c.id = lt.contact_id AND c.company_id = lt.company_id
			WHERE lt.lease_id = $1 AND lt.company_id = $2 AND c.archived_at IS NULL ORDER BY c.name, c.id`, req.LeaseID
	case req.RequestedByContact != 0:
		q, arg = `SELECT c.id, c.name FROM contacts c WHERE c.id = $1 AND c.company_id = $2`, req.RequestedByContact
	default:
		return nil, nil
	}
	rows, err := tx.QueryContext(ctx, q, arg, req.CompanyID)
	if err != nil {
		return nil, err
	}
	var ids []int64
	var out []TaskContact
	for rows.Next() {
		var id int64
		var c TaskContact
		if err := rows.Scan(&id, &c.Name); err != nil {
			rows.Close()
			return nil, err
		}
		ids, out = append(ids, id), append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, id := range ids {
		if out[i].Phones, err = tx.taskStrings(ctx, `SELECT phone FROM contact_phones WHERE contact_id = $1 AND company_id = $2 ORDER BY position, id`, id, req.CompanyID); err != nil {
			return nil, err
		}
		if out[i].Emails, err = tx.taskStrings(ctx, `SELECT email FROM contact_emails WHERE contact_id = $1 AND company_id = $2 ORDER BY position, id`, id, req.CompanyID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// taskStrings runs a query of one text column.
func (tx *Tx) taskStrings(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// taskOpenedAuditGap is how long after an audited opening the next one is
// audited again: a contractor on site reloads the page many times, and
// "last opened" is updated every time anyway.
const taskOpenedAuditGap = 30 * time.Minute

// ContractorOpened records that the operator opened the task page: it sets
// the link's "last opened" (shown to the manager) and audits the opening.
// The page calls it with a small POST from lintel.js, never on the GET,
// which must change nothing.
func (db *DB) ContractorOpened(ctx context.Context, tokenHash, ip string) error {
	return db.update(ctx, func(tx *Tx) error {
		ref, err := tx.taskLink(ctx, tokenHash)
		if err != nil {
			return err
		}
		return tx.touchTask(ctx, ref, "visit.opened", "", ip)
	})
}

// touchTask updates the link's "last opened" and audits action (an
// opening only when the last one is older than taskOpenedAuditGap).
func (tx *Tx) touchTask(ctx context.Context, ref taskRef, action, detail, ip string) error {
	var last time.Time
	if err := tx.get(ctx, `SELECT token_last_opened_at FROM visits WHERE id = $1 AND company_id = $2`,
		[]any{ref.visitID, ref.companyID}, at(&last)); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE visits SET token_last_opened_at = $1 WHERE id = $2 AND company_id = $3`,
		ts(tx.Now), ref.visitID, ref.companyID); err != nil {
		return err
	}
	if action == "visit.opened" && !last.IsZero() && tx.Now.Sub(last) < taskOpenedAuditGap {
		return nil
	}
	return tx.audit(ctx, lintel.AuditEvent{CompanyID: ref.companyID, Actor: ref.operator + " (contractor link)",
		Action: action, ObjectType: "visit", ObjectID: ref.visitID, Detail: detail, IP: ip})
}

// Notes the operator writes, and their limits.
const (
	TenantNotes  = "tenant"  // shown to the residents
	ManagerNotes = "manager" // shown to staff

	maxTaskNotes  = 5000
	maxTaskReason = 2000
)

// ContractorSaveNotes replaces the visit's tenant or manager notes (which)
// and returns when they were saved. Tenant notes go on the residents'
// timeline, manager notes on the staff's.
func (db *DB) ContractorSaveNotes(ctx context.Context, tokenHash, ip, which, text string) (time.Time, error) {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	field := which + "_notes"
	if which != TenantNotes && which != ManagerNotes {
		return time.Time{}, lintel.FieldErrors{"notes": "Choose which notes to save."}.Err()
	}
	if utf8.RuneCountInString(text) > maxTaskNotes {
		return time.Time{}, lintel.FieldErrors{field: fmt.Sprintf("Keep the notes under %d characters.", maxTaskNotes)}.Err()
	}
	var now time.Time
	err := db.update(ctx, func(tx *Tx) error {
		ref, err := tx.taskLink(ctx, tokenHash)
		if err != nil {
			return err
		}
		now = tx.Now
		var old string
		if err := tx.get(ctx, `SELECT `+field+` FROM visits WHERE id = $1 AND company_id = $2`,
			[]any{ref.visitID, ref.companyID}, &old); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE visits SET `+field+` = $1, `+field+`_at = $2, updated_at = $2 WHERE id = $3 AND company_id = $4`,
			text, ts(tx.Now), ref.visitID, ref.companyID); err != nil {
			return err
		}
		if text != old && text != "" {
			audience := AudienceResidents
			if which == ManagerNotes {
				audience = AudienceStaff
			}
			if err := tx.addEvent(ctx, Event{CompanyID: ref.companyID, RequestID: ref.requestID, VisitID: ref.visitID,
				Kind: EventNote, Audience: audience, Actor: ref.operator, Body: text}); err != nil {
				return err
			}
		}
		return tx.touchTask(ctx, ref, "visit."+which+"_notes", "", ip)
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("save notes: %w", err)
	}
	return now, nil
}

// ContractorSchedule records the time the operator agreed with the
// residents. The request moves to scheduled and the residents' timeline
// says when. at is a wall-clock time, stored as given (like the
// manager's scheduling).
func (db *DB) ContractorSchedule(ctx context.Context, tokenHash, ip string, when time.Time) error {
	err := db.update(ctx, func(tx *Tx) error {
		ref, err := tx.taskLink(ctx, tokenHash)
		if err != nil {
			return err
		}
		if err := ref.activeOpen(); err != nil {
			return err
		}
		if when.IsZero() {
			return lintel.FieldErrors{"scheduled_at": "Enter the date and time you agreed with the residents."}.Err()
		}
		// A day of slack: the time is the residents' wall clock, not UTC.
		if when.Before(tx.Now.Add(-24 * time.Hour)) {
			return lintel.FieldErrors{"scheduled_at": "That time has passed. Enter the date and time of the visit."}.Err()
		}
		if _, err := tx.exec(ctx, `UPDATE visits SET status = 'scheduled', scheduled_at = $1, updated_at = $2
			WHERE id = $3 AND company_id = $4 AND status IN ('assigned','scheduled')`, ts(when), ts(tx.Now), ref.visitID, ref.companyID); err != nil {
			return err
		}
		if ref.reqStatus == lintel.StatusAssigned {
			if err := tx.moveRequest(ctx, ref.companyID, ref.requestID, 0, lintel.StatusScheduled, ref.operator); err != nil {
				return err
			}
		}
		if err := tx.addEvent(ctx, Event{CompanyID: ref.companyID, RequestID: ref.requestID, VisitID: ref.visitID, Kind: EventVisit,
			Audience: AudienceResidents, Actor: ref.operator, Body: ref.operator + " is booked for " + when.Format("Mon 2 Jan 2006, 15:04") + "."}); err != nil {
			return err
		}
		return tx.touchTask(ctx, ref, "visit.schedule", ts(when), ip)
	})
	if err != nil {
		return fmt.Errorf("schedule visit: %w", err)
	}
	return nil
}

// activeOpen refuses changes that need a visit still waiting for its
// outcome on an open request.
func (r taskRef) activeOpen() error {
	if !r.open() {
		return errTaskClosed
	}
	switch r.visitStatus {
	case lintel.VisitCompleted:
		return lintel.Conflict("You have marked this visit complete. If more work is needed, ask for a follow-up below.")
	case lintel.VisitUnable:
		return lintel.Conflict("You have told the manager this visit could not be completed. They will arrange what happens next.")
	}
	return nil
}

var errTaskClosed = lintel.Conflict("The manager has closed this request, so nothing more can be recorded here. Contact the manager directly.")

// ContractorAddPhotos records photos the operator took (already stored),
// each with its phase (before, after or other).
func (db *DB) ContractorAddPhotos(ctx context.Context, tokenHash, ip string, photos []NewPhoto) error {
	if len(photos) == 0 {
		return lintel.FieldErrors{"photos": "Choose at least one photo."}.Err()
	}
	err := db.update(ctx, func(tx *Tx) error {
		ref, err := tx.taskLink(ctx, tokenHash)
		if err != nil {
			return err
		}
		phases := map[string]int{}
		for _, p := range photos {
			switch p.Phase {
			case "before", "after", "other":
			default:
				return lintel.FieldErrors{"phase": "Choose whether the photos are from before or after the work."}.Err()
			}
			if _, err := tx.addPhoto(ctx, ref.companyID, ref.requestID, ref.visitID, p, ref.operator); err != nil {
				return err
			}
			phases[p.Phase]++
		}
		var parts []string
		for _, ph := range []string{"before", "after", "other"} {
			if n := phases[ph]; n > 0 {
				parts = append(parts, taskPhotoCount(n, ph))
			}
		}
		if err := tx.addEvent(ctx, Event{CompanyID: ref.companyID, RequestID: ref.requestID, VisitID: ref.visitID, Kind: EventPhoto,
			Audience: AudienceResidents, Actor: ref.operator, Body: "Added " + strings.Join(parts, " and ") + "."}); err != nil {
			return err
		}
		return tx.touchTask(ctx, ref, "visit.photos", fmt.Sprint(len(photos)), ip)
	})
	if err != nil {
		return fmt.Errorf("add photos: %w", err)
	}
	return nil
}

func taskPhotoCount(n int, phase string) string {
	what := map[string]string{"before": "before the work", "after": "after the work", "other": ""}[phase]
	s := fmt.Sprintf("%d photo", n)
	if n != 1 {
		s += "s"
	}
	if what != "" {
		s += " " + what
	}
	return s
}

// Invoice is what the operator enters about their invoice.
type Invoice struct {
	Number      string
	Date        lintel.Date
	AmountMinor int64
	TaxMinor    *int64 // nil: no tax line
}

// ContractorSaveInvoice records the visit's invoice details and, when doc
// is not nil, its document (already stored). A document is required the
// first time. Invoices are refused once the request is closed or
// cancelled (seed: "Invoice documents cannot be uploaded if the
// maintenance request has been closed").
func (db *DB) ContractorSaveInvoice(ctx context.Context, tokenHash, ip string, in Invoice, doc *NewFile) error {
	in.Number = strings.TrimSpace(in.Number)
	err := db.update(ctx, func(tx *Tx) error {
		ref, err := tx.taskLink(ctx, tokenHash)
		if err != nil {
			return err
		}
		if !ref.open() {
			return ErrInvoiceClosed
		}
		var hasDoc bool
		if err := tx.get(ctx, `SELECT invoice_file_id IS NOT NULL FROM visits WHERE id = $1 AND company_id = $2`,
			[]any{ref.visitID, ref.companyID}, &hasDoc); err != nil {
			return err
		}
		fe := lintel.FieldErrors{}
		switch {
		case in.Number == "":
			fe.Add("invoice_number", "Enter your invoice number.")
		case utf8.RuneCountInString(in.Number) > 60:
			fe.Add("invoice_number", "Keep the invoice number under 60 characters.")
		}
		if in.Date.IsZero() {
			fe.Add("invoice_date", "Enter the date on the invoice.")
		} else if lintel.DateOf(tx.Now).AddDays(1).Before(in.Date) {
			fe.Add("invoice_date", "The invoice date cannot be in the future.")
		}
		if in.AmountMinor <= 0 {
			fe.Add("invoice_amount", "Enter the invoice total, e.g. 240.00.")
		}
		if in.TaxMinor != nil && (*in.TaxMinor < 0 || *in.TaxMinor > in.AmountMinor) {
			fe.Add("invoice_tax", "The tax cannot be negative or more than the total.")
		}
		if doc == nil && !hasDoc {
			fe.Add("invoice_file", "Add the invoice document: a PDF, or a photo of the paper invoice.")
		}
		if err := fe.Err(); err != nil {
			return err
		}
		var tax any
		if in.TaxMinor != nil {
			tax = *in.TaxMinor
		}
		if _, err := tx.exec(ctx, `UPDATE visits SET invoice_number = $1, invoice_date = $2, invoice_amount_minor = $3, invoice_tax_minor = $4,
			invoice_saved_at = $5, updated_at = $5 WHERE id = $6 AND company_id = $7`,
			in.Number, in.Date, in.AmountMinor, tax, ts(tx.Now), ref.visitID, ref.companyID); err != nil {
			return err
		}
		body := "Invoice " + in.Number + " saved."
		if doc != nil {
			fileID, err := tx.insertFile(ctx, ref.companyID, *doc, ref.operator)
			if err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `UPDATE visits SET invoice_file_id = $1 WHERE id = $2 AND company_id = $3`, fileID, ref.visitID, ref.companyID); err != nil {
				return err
			}
			body = "Invoice " + in.Number + " saved with its document."
		}
		if err := tx.addEvent(ctx, Event{CompanyID: ref.companyID, RequestID: ref.requestID, VisitID: ref.visitID, Kind: EventNote,
			Audience: AudienceStaff, Actor: ref.operator, Body: body}); err != nil {
			return err
		}
		return tx.touchTask(ctx, ref, "visit.invoice", in.Number, ip)
	})
	if err != nil {
		return fmt.Errorf("save invoice: %w", err)
	}
	return nil
}

// ErrInvoiceClosed is the answer to an invoice on a closed or cancelled
// request.
var ErrInvoiceClosed = lintel.Conflict("This request has been closed, so invoices can no longer be added here. Send your invoice to the property manager directly.")

// Outcomes the operator reports, for OutcomeNotice.
const (
	OutcomeCompleted = "completed"
	OutcomeUnable    = "unable"
	OutcomeFollowUp  = "follow_up"
)

// OutcomeNotice is what the company's dispatching staff are told when an
// operator completes a visit, cannot complete it, or asks for a follow-up.
type OutcomeNotice struct {
	CompanyName string
	Request     lintel.Request
	VisitID     int64
	Operator    string
	Outcome     string          // OutcomeCompleted, OutcomeUnable, OutcomeFollowUp
	FollowUp    lintel.FollowUp // for OutcomeFollowUp
	Reason      string
	Staff       []Recipient
}

// FollowUpLabel is a follow-up in the operator's words.
func FollowUpLabel(f lintel.FollowUp) string {
	switch f {
	case lintel.FollowUpReturn:
		return "I need to return at a later time"
	case lintel.FollowUpOtherOperator:
		return "Another operator is required"
	}
	return ""
}

// ContractorComplete marks the visit complete and the request completed.
// A second submit (a double tap, or two tabs) changes nothing and is not
// an error: changed is false then.
func (db *DB) ContractorComplete(ctx context.Context, tokenHash, ip string, compose func(OutcomeNotice) ([]lintel.Email, error)) (changed bool, err error) {
	err = db.update(ctx, func(tx *Tx) error {
		ref, err := tx.taskLink(ctx, tokenHash)
		if err != nil {
			return err
		}
		if ref.visitStatus == lintel.VisitCompleted {
			return nil
		}
		if err := ref.activeOpen(); err != nil {
			return err
		}
		if changed, err = tx.endVisit(ctx, ref, lintel.VisitCompleted, ""); err != nil || !changed {
			return err
		}
		if err := tx.moveIfAllowed(ctx, ref, lintel.StatusCompleted); err != nil {
			return err
		}
		if err := tx.addEvent(ctx, Event{CompanyID: ref.companyID, RequestID: ref.requestID, VisitID: ref.visitID, Kind: EventVisit,
			Audience: AudienceResidents, Actor: ref.operator, Body: "Work completed"}); err != nil {
			return err
		}
		if err := tx.touchTask(ctx, ref, "visit.complete", "", ip); err != nil {
			return err
		}
		return tx.noticeOutcome(ctx, ref, OutcomeNotice{Outcome: OutcomeCompleted}, compose)
	})
	if err != nil {
		return false, fmt.Errorf("complete visit: %w", err)
	}
	return changed, nil
}

// endVisit ends an open visit as completed or unable (with the reason);
// changed is false when a concurrent submit ended it first. The status in
// the WHERE makes that race-safe: the second submit waits for the first's
// row lock, then matches nothing.
func (tx *Tx) endVisit(ctx context.Context, ref taskRef, to lintel.VisitStatus, reason string) (changed bool, err error) {
	completed := any(nil)
	if to == lintel.VisitCompleted {
		completed = ts(tx.Now)
	}
	res, err := tx.exec(ctx, `UPDATE visits SET status = $1, outcome_reason = $2, completed_at = $3, updated_at = $4
		WHERE id = $5 AND company_id = $6 AND status IN ('assigned','scheduled')`,
		string(to), reason, completed, ts(tx.Now), ref.visitID, ref.companyID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// moveIfAllowed moves the request to status to when its lifecycle allows
// it; a request already there stays. Anything else is a conflict.
func (tx *Tx) moveIfAllowed(ctx context.Context, ref taskRef, to lintel.RequestStatus) error {
	var from lintel.RequestStatus
	if err := tx.get(ctx, `SELECT status FROM requests WHERE id = $1 AND company_id = $2`, []any{ref.requestID, ref.companyID}, &from); err != nil {
		return err
	}
	if from == to {
		return nil
	}
	if !from.CanMove(to) {
		return lintel.Conflict(fmt.Sprintf("The manager has set this request to %q, so this cannot be recorded now. Contact the manager.", from.Label()))
	}
	return tx.moveRequest(ctx, ref.companyID, ref.requestID, 0, to, ref.operator)
}

// ContractorUnable records that the visit could not be completed, and
// why. The request goes back to submitted so the manager can dispatch it
// again. A repeated submit changes nothing (changed is false).
func (db *DB) ContractorUnable(ctx context.Context, tokenHash, ip, reason string, compose func(OutcomeNotice) ([]lintel.Email, error)) (changed bool, err error) {
	reason = strings.TrimSpace(strings.ReplaceAll(reason, "\r\n", "\n"))
	err = db.update(ctx, func(tx *Tx) error {
		ref, err := tx.taskLink(ctx, tokenHash)
		if err != nil {
			return err
		}
		if ref.visitStatus == lintel.VisitUnable {
			return nil
		}
		if err := ref.activeOpen(); err != nil {
			return err
		}
		if err := checkTaskReason("unable_reason", reason, "Say why the work could not be completed, e.g. no access, or parts needed."); err != nil {
			return err
		}
		if changed, err = tx.endVisit(ctx, ref, lintel.VisitUnable, reason); err != nil || !changed {
			return err
		}
		if err := tx.moveIfAllowed(ctx, ref, lintel.StatusSubmitted); err != nil {
			return err
		}
		if err := tx.addEvent(ctx, Event{CompanyID: ref.companyID, RequestID: ref.requestID, VisitID: ref.visitID, Kind: EventVisit,
			Audience: AudienceResidents, Actor: ref.operator, Body: "The work could not be completed on this visit. Your property manager will arrange what happens next."}); err != nil {
			return err
		}
		if err := tx.addEvent(ctx, Event{CompanyID: ref.companyID, RequestID: ref.requestID, VisitID: ref.visitID, Kind: EventVisit,
			Audience: AudienceStaff, Actor: ref.operator, Body: "Unable to complete: " + reason}); err != nil {
			return err
		}
		if err := tx.touchTask(ctx, ref, "visit.unable", reason, ip); err != nil {
			return err
		}
		return tx.noticeOutcome(ctx, ref, OutcomeNotice{Outcome: OutcomeUnable, Reason: reason}, compose)
	})
	if err != nil {
		return false, fmt.Errorf("record unable to complete: %w", err)
	}
	return changed, nil
}

func checkTaskReason(field, reason, missing string) error {
	switch {
	case reason == "":
		return lintel.FieldErrors{field: missing}.Err()
	case utf8.RuneCountInString(reason) > maxTaskReason:
		return lintel.FieldErrors{field: fmt.Sprintf("Keep this under %d characters.", maxTaskReason)}.Err()
	}
	return nil
}

// ContractorFollowUp records, after the visit was completed, that more
// work is needed: the operator must return, or another operator is
// required. The manager creates the next visit from the request.
func (db *DB) ContractorFollowUp(ctx context.Context, tokenHash, ip string, kind lintel.FollowUp, reason string, compose func(OutcomeNotice) ([]lintel.Email, error)) error {
	reason = strings.TrimSpace(strings.ReplaceAll(reason, "\r\n", "\n"))
	err := db.update(ctx, func(tx *Tx) error {
		ref, err := tx.taskLink(ctx, tokenHash)
		if err != nil {
			return err
		}
		if !ref.open() {
			return errTaskClosed
		}
		if ref.visitStatus != lintel.VisitCompleted {
			return lintel.Conflict("Mark the work complete first; a follow-up is for more work after this visit. If you could not do the work, use \"Unable to complete\".")
		}
		fe := lintel.FieldErrors{}
		if kind != lintel.FollowUpReturn && kind != lintel.FollowUpOtherOperator {
			fe.Add("follow_up", "Choose whether you need to return, or another operator is required.")
		}
		if err := checkTaskReason("follow_up_reason", reason, "Say why another appointment is needed."); err != nil {
			for k, v := range lintel.FieldsOf(err) {
				fe.Add(k, v)
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		res, err := tx.exec(ctx, `UPDATE visits SET follow_up = $1, follow_up_reason = $2, updated_at = $3
			WHERE id = $4 AND company_id = $5 AND status = 'completed' AND follow_up = ''`, string(kind), reason, ts(tx.Now), ref.visitID, ref.companyID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return lintel.Conflict("You have already asked for a follow-up on this visit; the manager has been told. Contact them to change it.")
		}
		if err := tx.addEvent(ctx, Event{CompanyID: ref.companyID, RequestID: ref.requestID, VisitID: ref.visitID, Kind: EventVisit,
			Audience: AudienceResidents, Actor: ref.operator, Body: "A follow-up visit is needed. Your property manager will arrange it."}); err != nil {
			return err
		}
		if err := tx.addEvent(ctx, Event{CompanyID: ref.companyID, RequestID: ref.requestID, VisitID: ref.visitID, Kind: EventVisit,
			Audience: AudienceStaff, Actor: ref.operator, Body: "Follow-up requested (" + FollowUpLabel(kind) + "): " + reason}); err != nil {
			return err
		}
		if err := tx.touchTask(ctx, ref, "visit.follow_up", string(kind)+": "+reason, ip); err != nil {
			return err
		}
		return tx.noticeOutcome(ctx, ref, OutcomeNotice{Outcome: OutcomeFollowUp, FollowUp: kind, Reason: reason}, compose)
	})
	if err != nil {
		return fmt.Errorf("request follow-up: %w", err)
	}
	return nil
}

// noticeOutcome e-mails the company's dispatching staff about an outcome.
func (tx *Tx) noticeOutcome(ctx context.Context, ref taskRef, n OutcomeNotice, compose func(OutcomeNotice) ([]lintel.Email, error)) error {
	if compose == nil {
		return nil
	}
	n.VisitID, n.Operator = ref.visitID, ref.operator
	if err := scanRequest(tx.QueryRowContext(ctx, `SELECT `+requestCols+requestFrom+` WHERE r.id = $1 AND r.company_id = $2`,
		ref.requestID, ref.companyID), &n.Request); err != nil {
		return mapErr(err)
	}
	if err := tx.get(ctx, `SELECT name FROM companies WHERE id = $1`, []any{ref.companyID}, &n.CompanyName); err != nil {
		return err
	}
	var err error
	if n.Staff, err = tx.dispatchers(ctx, ref.companyID); err != nil {
		return err
	}
	msgs, err := compose(n)
	if err != nil {
		return err
	}
	return tx.enqueueAll(ctx, ref.companyID, msgs)
}

// ContractorPhoto returns a photo of the link's request (any of its
// photos: the resident's and every visit's), its thumbnail when thumb.
func (db *DB) ContractorPhoto(ctx context.Context, tokenHash string, photoID int64, thumb bool) (StoredFile, error) {
	var f StoredFile
	err := db.view(ctx, func(tx *Tx) error {
		ref, err := tx.taskLink(ctx, tokenHash)
		if err != nil {
			return err
		}
		f, err = tx.photoFile(ctx, ref.companyID, ref.requestID, photoID, thumb)
		return err
	})
	return f, err
}

// ContractorInvoice returns the visit's invoice document.
func (db *DB) ContractorInvoice(ctx context.Context, tokenHash string) (StoredFile, error) {
	var f StoredFile
	err := db.view(ctx, func(tx *Tx) error {
		ref, err := tx.taskLink(ctx, tokenHash)
		if err != nil {
			return err
		}
		return tx.get(ctx, `SELECT f.storage_key, f.name, f.content_type, f.size FROM visits v
			JOIN files f ON f.id = v.invoice_file_id AND f.company_id = v.company_id
			WHERE v.id = $1 AND v.company_id = $2`, []any{ref.visitID, ref.companyID}, &f.Key, &f.Name, &f.ContentType, &f.Size)
	})
	return f, err
}

// IsTaskLinkDead reports whether err means the link does not work.
func IsTaskLinkDead(err error) bool { return errors.Is(err, ErrTaskLinkDead) }
