package sqldb

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"lintel.dev/lintel/internal/lintel"
)

// Owner approvals. A manager asks the owners of a request's asset to
// approve the work (an estimate, notes, an optional quote); the first owner
// to decide decides for all, and the others see that decision. Owners
// decide signed in to the portal, or from the one-click link in the e-mail,
// which opens the decision page without signing in (the decision itself is
// still a POST, so a mail scanner opening the link changes nothing).
// Owners who have not answered are reminded.
//
// "The owners of the asset" are the owners of the whole property, plus,
// for a request on a unit (a common area included), the owners of that
// unit: ownerships not archived and not ended. The same rule picks whom to
// e-mail, who may open the approval in the portal and whose link works.

// Project choices for approval links and reminders.
const (
	// ApprovalLinkLife is how long a one-click link works. Each reminder
	// sends a fresh link, so an owner always holds one that works while
	// the approval is pending.
	ApprovalLinkLife = 14 * 24 * time.Hour
	// ApprovalFirstReminder is how long owners have before the first
	// reminder; ApprovalReminderEvery spaces the next ones.
	ApprovalFirstReminder = 2 * 24 * time.Hour
	ApprovalReminderEvery = 3 * 24 * time.Hour
	// ApprovalMaxReminders bounds the reminders of one approval: after
	// that, the manager follows up by other means.
	ApprovalMaxReminders = 3
)

// Field limits of an approval.
const (
	maxApprovalNotes   = 5000
	maxDecisionComment = 2000
)

// ErrAlreadyDecided answers a decision on an approval that is no longer
// pending: another owner decided first, or the manager withdrew it.
var ErrAlreadyDecided = lintel.Conflict("This approval request has already been answered or withdrawn, so nothing was changed. The page shows where it stands.")

// ApprovalOwner is an owner asked to approve.
type ApprovalOwner struct {
	ContactID int64
	Name      string
	Email     string // first e-mail on record; "" when none (they cannot be asked)
}

// ownsAsset is an SQL condition: the contact (an SQL expression) owns
// request r's asset on the day given by the parameter today.
func ownsAsset(contact, today string) string {
	return `EXISTS (SELECT 1 FROM ownerships o WHERE o.contact_id = ` + contact + ` AND o.company_id = r.company_id
		AND o.property_id = r.property_id AND o.archived_at IS NULL AND (o.unit_id IS NULL OR o.unit_id = r.unit_id)
		AND (o.end_date IS NULL OR o.end_date >= ` + today + `))`
}

// assetOwners lists the owners of a property (unitID 0) or of a unit and
// its property, by name.
func (tx *Tx) assetOwners(ctx context.Context, companyID, propertyID, unitID int64) ([]ApprovalOwner, error) {
	rows, err := tx.QueryContext(ctx, `SELECT c.id, c.name,
			COALESCE((SELECT email FROM contact_emails e WHERE e.contact_id = c.id ORDER BY e.position, e.id LIMIT 1), '')
		FROM contacts c WHERE c.company_id = $1 AND c.archived_at IS NULL AND c.is_owner AND c.id IN (
			SELECT o.contact_id FROM ownerships o WHERE o.company_id = $1 AND o.property_id = $2 AND o.archived_at IS NULL
				AND (o.unit_id IS NULL OR o.unit_id = $3) AND (o.end_date IS NULL OR o.end_date >= $4))
		ORDER BY c.name, c.id`, companyID, propertyID, unitID, lintel.DateOf(tx.Now))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ApprovalOwner
	for rows.Next() {
		var o ApprovalOwner
		if err := rows.Scan(&o.ContactID, &o.Name, &o.Email); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// ApprovalDraft is what the manager's "ask the owners" form shows.
type ApprovalDraft struct {
	Request     lintel.Request
	CompanyName string
	Currency    string
	LimitMinor  *int64 // the property's approval limit; nil: always ask
	Owners      []ApprovalOwner
	Previous    []lintel.Approval // earlier approvals of the request, oldest first
}

// CanAsk reports whether the request is where approval may be asked:
// submitted, or declined (asking again).
func (d ApprovalDraft) CanAsk() bool {
	return d.Request.Status == lintel.StatusSubmitted || d.Request.Status == lintel.StatusDeclined
}

// Reachable lists the owners who have an e-mail address.
func (d ApprovalDraft) Reachable() []ApprovalOwner {
	var out []ApprovalOwner
	for _, o := range d.Owners {
		if o.Email != "" {
			out = append(out, o)
		}
	}
	return out
}

// Unreachable lists the owners without an e-mail address.
func (d ApprovalDraft) Unreachable() []ApprovalOwner {
	var out []ApprovalOwner
	for _, o := range d.Owners {
		if o.Email == "" {
			out = append(out, o)
		}
	}
	return out
}

// LastDeclined is the latest declined approval, or nil: asking again starts
// from its estimate and shows its comment.
func (d ApprovalDraft) LastDeclined() *lintel.Approval {
	for i := len(d.Previous) - 1; i >= 0; i-- {
		if d.Previous[i].Status == lintel.ApprovalDeclined {
			return &d.Previous[i]
		}
	}
	return nil
}

// ApprovalDraft reads what the form to ask for approval of request
// requestID needs.
func (db *DB) ApprovalDraft(ctx context.Context, s lintel.Staff, requestID int64) (ApprovalDraft, error) {
	if err := s.Require(lintel.PermDispatch); err != nil {
		return ApprovalDraft{}, err
	}
	var d ApprovalDraft
	err := db.view(ctx, func(tx *Tx) (err error) {
		d, err = tx.approvalDraft(ctx, s.CompanyID, requestID)
		return err
	})
	if err != nil {
		return ApprovalDraft{}, fmt.Errorf("read approval draft for request %d: %w", requestID, err)
	}
	return d, nil
}

func (tx *Tx) approvalDraft(ctx context.Context, companyID, requestID int64) (ApprovalDraft, error) {
	var d ApprovalDraft
	if err := scanRequest(tx.QueryRowContext(ctx, `SELECT `+requestCols+requestFrom+` WHERE r.id = $1 AND r.company_id = $2`,
		requestID, companyID), &d.Request); err != nil {
		return d, mapErr(err)
	}
	var limit *int64
	if err := tx.get(ctx, `SELECT co.name, co.currency, p.approval_limit_minor FROM companies co JOIN properties p ON p.company_id = co.id
		WHERE co.id = $1 AND p.id = $2`, []any{companyID, d.Request.PropertyID}, &d.CompanyName, &d.Currency, &limit); err != nil {
		return d, err
	}
	d.LimitMinor = limit
	var err error
	if d.Owners, err = tx.assetOwners(ctx, companyID, d.Request.PropertyID, d.Request.UnitID); err != nil {
		return d, err
	}
	d.Previous, err = tx.approvalsOf(ctx, companyID, requestID)
	return d, err
}

// NewApproval is what a manager sends the owners.
type NewApproval struct {
	EstimateMinor int64
	Notes         string
	Quote         *NewFile // optional, already written to blob storage
}

// ApprovalNotice is what one owner is told: asked to approve, or reminded.
// The web layer (internal/approvals) composes the e-mail, with a one-click
// link that only it knows.
type ApprovalNotice struct {
	CompanyName  string
	CompanyPhone string
	Currency     string
	Request      lintel.Request
	Approval     lintel.Approval
	Owner        ApprovalOwner
	Reminder     int // 0: the first request; n: the nth reminder
	HasQuote     bool
}

// OwnerMail is one e-mail to an owner and the hash of the one-click link
// it carries.
type OwnerMail struct {
	Email     lintel.Email
	TokenHash string
}

// ApprovalOutcome says what asking for approval did.
type ApprovalOutcome struct {
	ID         int64
	UnderLimit bool            // approved at once: the estimate is under the property's limit
	Asked      []ApprovalOwner // owners e-mailed
	NotAsked   []ApprovalOwner // owners without an e-mail address
}

// RequestApproval asks the owners of request requestID's asset to approve
// the work, or, when the estimate is under the property's approval limit,
// approves it at once (no e-mail). seen is the request's version as the
// manager saw it. The request must be submitted, or declined (asking
// again). Each owner with an e-mail address gets a message with their own
// one-click link; compose writes it, in this transaction.
func (db *DB) RequestApproval(ctx context.Context, s lintel.Staff, requestID int64, seen int, in NewApproval,
	compose func(ApprovalNotice) (OwnerMail, error)) (ApprovalOutcome, error) {
	var out ApprovalOutcome
	if err := s.Require(lintel.PermDispatch); err != nil {
		return out, err
	}
	in.Notes = strings.TrimSpace(in.Notes)
	fe := lintel.FieldErrors{}
	if in.EstimateMinor <= 0 {
		fe.Add("estimate", "Enter the estimated cost of the work, e.g. 850.00.")
	}
	if utf8.RuneCountInString(in.Notes) > maxApprovalNotes {
		fe.Add("notes", fmt.Sprintf("Keep the notes under %d characters; attach a quote for the details.", maxApprovalNotes))
	}
	if err := fe.Err(); err != nil {
		return out, err
	}
	err := db.update(ctx, func(tx *Tx) error {
		d, err := tx.approvalDraft(ctx, s.CompanyID, requestID)
		if err != nil {
			return err
		}
		switch {
		case d.Request.Status == lintel.StatusAwaitingApproval:
			return lintel.Conflict("This request is already waiting for the owners' decision. To change the estimate, withdraw that approval request first.")
		case !d.CanAsk():
			return lintel.Conflict(fmt.Sprintf("Owner approval is asked before work is assigned. This request is %s.", strings.ToLower(d.Request.Status.Label())))
		}
		out.UnderLimit = d.LimitMinor != nil && in.EstimateMinor < *d.LimitMinor
		out.Asked, out.NotAsked = d.Reachable(), d.Unreachable()
		if !out.UnderLimit && len(out.Asked) == 0 {
			if len(d.Owners) == 0 {
				return lintel.Conflict("Nobody is recorded as owning this property or unit, so there is nobody to ask. Add the owners on the property's page first.")
			}
			return lintel.Conflict("None of the owners has an e-mail address, so they cannot be asked. Add an e-mail address to their contact first.")
		}
		var quote any
		if in.Quote != nil {
			id, err := tx.insertFile(ctx, s.CompanyID, *in.Quote, s.Name)
			if err != nil {
				return err
			}
			quote = id
		}
		a := lintel.Approval{CompanyID: s.CompanyID, RequestID: requestID, EstimateMinor: in.EstimateMinor, Notes: in.Notes,
			Status: lintel.ApprovalPending, CreatedAt: tx.Now}
		if id, ok := quote.(int64); ok {
			a.QuoteFileID = id
		}
		estimate := lintel.FormatMoney(in.EstimateMinor, d.Currency)
		if out.UnderLimit {
			a.Status, a.DecisionComment, a.DecidedAt = lintel.ApprovalApproved, "Under the approval limit", tx.Now
			out.ID, err = tx.insert(ctx, `INSERT INTO approvals (company_id, request_id, estimate_minor, notes, quote_file_id, status,
				decision_comment, decided_at, requested_by_user_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8)`,
				s.CompanyID, requestID, in.EstimateMinor, in.Notes, quote, string(a.Status), a.DecisionComment, ts(tx.Now), s.UserID)
			if err != nil {
				return err
			}
			if err := tx.moveRequest(ctx, s.CompanyID, requestID, seen, lintel.StatusApproved, s.Name); err != nil {
				return err
			}
			if err := tx.addEvent(ctx, Event{CompanyID: s.CompanyID, RequestID: requestID, Kind: EventApproval, Audience: AudienceResidents,
				Actor: s.Name, Body: "Under the approval limit: the work goes ahead without asking the owners."}); err != nil {
				return err
			}
			return tx.staffAudit(ctx, s, "approval.under_limit", "request", requestID, fmt.Sprintf("approval %d, estimate %s", out.ID, estimate))
		}
		out.ID, err = tx.insert(ctx, `INSERT INTO approvals (company_id, request_id, estimate_minor, notes, quote_file_id, status,
			requested_by_user_id, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7)`,
			s.CompanyID, requestID, in.EstimateMinor, in.Notes, quote, s.UserID, ts(tx.Now))
		if err != nil {
			return err
		}
		a.ID = out.ID
		if err := tx.moveRequest(ctx, s.CompanyID, requestID, seen, lintel.StatusAwaitingApproval, s.Name); err != nil {
			return err
		}
		d.Request.Status = lintel.StatusAwaitingApproval
		names := make([]string, len(out.Asked))
		for i, o := range out.Asked {
			names[i] = o.Name
		}
		if err := tx.addEvent(ctx, Event{CompanyID: s.CompanyID, RequestID: requestID, Kind: EventApproval, Audience: AudienceStaff,
			Actor: s.Name, Body: fmt.Sprintf("Owner approval asked of %s, estimate %s.", strings.Join(names, ", "), estimate)}); err != nil {
			return err
		}
		if err := tx.staffAudit(ctx, s, "approval.request", "request", requestID, fmt.Sprintf("approval %d, estimate %s", out.ID, estimate)); err != nil {
			return err
		}
		return tx.mailOwners(ctx, d, a, out.Asked, 0, compose)
	})
	if err != nil {
		return ApprovalOutcome{}, fmt.Errorf("request approval: %w", err)
	}
	return out, nil
}

// mailOwners e-mails each owner a fresh one-click link to approval a,
// storing the links' hashes. reminder is 0 for the first request.
func (tx *Tx) mailOwners(ctx context.Context, d ApprovalDraft, a lintel.Approval, owners []ApprovalOwner, reminder int,
	compose func(ApprovalNotice) (OwnerMail, error)) error {
	if compose == nil {
		return nil
	}
	var phone string
	if err := tx.get(ctx, `SELECT phone FROM companies WHERE id = $1`, []any{a.CompanyID}, &phone); err != nil {
		return err
	}
	// Owners get these whatever their maintenance e-mail setting: an
	// approval request asks them to act (the work waits for their answer),
	// it is not an update they chose to follow.
	for _, o := range owners {
		if o.Email == "" {
			continue
		}
		m, err := compose(ApprovalNotice{CompanyName: d.CompanyName, CompanyPhone: phone, Currency: d.Currency, Request: d.Request,
			Approval: a, Owner: o, Reminder: reminder, HasQuote: a.QuoteFileID != 0})
		if err != nil {
			return err
		}
		if m.TokenHash == "" {
			return errors.New("approval e-mail without a link")
		}
		if _, err := tx.exec(ctx, `INSERT INTO approval_links (token_hash, approval_id, contact_id, expires_at) VALUES ($1, $2, $3, $4)`,
			m.TokenHash, a.ID, o.ContactID, ts(tx.Now.Add(ApprovalLinkLife))); err != nil {
			return err
		}
		m.Email.CompanyID = a.CompanyID
		if err := tx.enqueueEmail(ctx, m.Email); err != nil {
			return err
		}
	}
	return nil
}

// WithdrawApproval withdraws a pending approval request: the owners can no
// longer decide, their links stop working, and the request goes back to
// submitted. It returns the request's id.
func (db *DB) WithdrawApproval(ctx context.Context, s lintel.Staff, approvalID int64) (int64, error) {
	if err := s.Require(lintel.PermDispatch); err != nil {
		return 0, err
	}
	var requestID int64
	err := db.update(ctx, func(tx *Tx) error {
		var status lintel.ApprovalStatus
		if err := tx.get(ctx, `SELECT request_id, status FROM approvals WHERE id = $1 AND company_id = $2`,
			[]any{approvalID, s.CompanyID}, &requestID, &status); err != nil {
			return err
		}
		res, err := tx.exec(ctx, `UPDATE approvals SET status = 'withdrawn', decided_at = $1 WHERE id = $2 AND company_id = $3 AND status = 'pending'`,
			ts(tx.Now), approvalID, s.CompanyID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return lintel.Conflict("This approval request is no longer waiting for the owners (it was " + string(status) + "), so it cannot be withdrawn.")
		}
		if _, err := tx.exec(ctx, `UPDATE approval_links SET expires_at = $1 WHERE approval_id = $2 AND expires_at > $1`, ts(tx.Now), approvalID); err != nil {
			return err
		}
		var reqStatus lintel.RequestStatus
		if err := tx.get(ctx, `SELECT status FROM requests WHERE id = $1 AND company_id = $2`, []any{requestID, s.CompanyID}, &reqStatus); err != nil {
			return err
		}
		if reqStatus == lintel.StatusAwaitingApproval {
			if err := tx.moveRequest(ctx, s.CompanyID, requestID, 0, lintel.StatusSubmitted, s.Name); err != nil {
				return err
			}
		}
		if err := tx.addEvent(ctx, Event{CompanyID: s.CompanyID, RequestID: requestID, Kind: EventApproval, Audience: AudienceStaff,
			Actor: s.Name, Body: "Owner approval request withdrawn."}); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "approval.withdraw", "request", requestID, fmt.Sprintf("approval %d", approvalID))
	})
	if err != nil {
		return 0, fmt.Errorf("withdraw approval %d: %w", approvalID, err)
	}
	return requestID, nil
}

// ApprovalView is an approval with what its pages show: the request, the
// company, the quote, who was asked and who decided.
type ApprovalView struct {
	Approval     lintel.Approval
	Request      lintel.Request // staff notes left out
	CompanyName  string
	CompanyEmail string
	CompanyPhone string
	Currency     string
	Quote        StoredFile // Key "" when there is no quote
	Asked        []string   // names of the owners e-mailed
	DecidedByID  int64      // contact id of the owner who decided
	Reminders    int
	// Viewer is the owner looking at the page (portal or link); zero for staff.
	Viewer ApprovalOwner
}

// Open reports whether the owners may still decide.
func (v ApprovalView) Open() bool {
	return v.Approval.Status == lintel.ApprovalPending && v.Request.Status == lintel.StatusAwaitingApproval
}

// DecidedByViewer reports whether the owner looking made the decision.
func (v ApprovalView) DecidedByViewer() bool {
	return v.DecidedByID != 0 && v.DecidedByID == v.Viewer.ContactID
}

// HasQuote reports whether a quote document is attached.
func (v ApprovalView) HasQuote() bool { return v.Quote.Key != "" }

// Estimate is the estimate in the company's currency.
func (v ApprovalView) Estimate() string {
	return lintel.FormatMoney(v.Approval.EstimateMinor, v.Currency)
}

// approvalView reads approval id of the company with what its pages show.
func (tx *Tx) approvalView(ctx context.Context, companyID, id int64) (ApprovalView, error) {
	var v ApprovalView
	a := &v.Approval
	err := tx.get(ctx, `SELECT a.id, a.company_id, a.request_id, a.estimate_minor, a.notes, COALESCE(a.quote_file_id, 0), a.status,
			COALESCE(dc.name, ''), COALESCE(a.decided_by_contact_id, 0), a.decision_comment, a.decided_at, a.created_at, a.reminder_count,
			co.name, co.email, co.phone, co.currency
		FROM approvals a JOIN companies co ON co.id = a.company_id LEFT JOIN contacts dc ON dc.id = a.decided_by_contact_id
		WHERE a.id = $1 AND a.company_id = $2`, []any{id, companyID},
		&a.ID, &a.CompanyID, &a.RequestID, &a.EstimateMinor, &a.Notes, &a.QuoteFileID, &a.Status,
		&a.DecidedByName, &v.DecidedByID, &a.DecisionComment, at(&a.DecidedAt), at(&a.CreatedAt), &v.Reminders,
		&v.CompanyName, &v.CompanyEmail, &v.CompanyPhone, &v.Currency)
	if err != nil {
		return v, err
	}
	if err := scanRequest(tx.QueryRowContext(ctx, `SELECT `+requestCols+requestFrom+` WHERE r.id = $1 AND r.company_id = $2`,
		a.RequestID, companyID), &v.Request); err != nil {
		return v, mapErr(err)
	}
	v.Request.StaffNotes = ""
	if a.QuoteFileID != 0 {
		if v.Quote, err = tx.quoteFile(ctx, companyID, a.QuoteFileID); err != nil {
			return v, err
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT c.name FROM contacts c WHERE c.company_id = $1
		AND c.id IN (SELECT contact_id FROM approval_links WHERE approval_id = $2) ORDER BY c.name, c.id`, companyID, id)
	if err != nil {
		return v, err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return v, err
		}
		v.Asked = append(v.Asked, name)
	}
	return v, rows.Err()
}

// quoteFile reads a stored file of the company.
func (tx *Tx) quoteFile(ctx context.Context, companyID, id int64) (StoredFile, error) {
	var f StoredFile
	err := tx.get(ctx, `SELECT storage_key, name, content_type, size FROM files WHERE id = $1 AND company_id = $2`,
		[]any{id, companyID}, &f.Key, &f.Name, &f.ContentType, &f.Size)
	return f, err
}

// StaffApproval reads one of the company's approvals.
func (db *DB) StaffApproval(ctx context.Context, s lintel.Staff, id int64) (ApprovalView, error) {
	var v ApprovalView
	err := db.view(ctx, func(tx *Tx) (err error) {
		v, err = tx.approvalView(ctx, s.CompanyID, id)
		return err
	})
	if err != nil {
		return ApprovalView{}, fmt.Errorf("read approval %d: %w", id, err)
	}
	return v, nil
}

// residentApprover resolves which of the resident's owner contacts owns
// the asset of approval id; lintel.ErrNotFound when none does.
func (tx *Tx) residentApprover(ctx context.Context, r lintel.Resident, id int64) (companyID int64, o ApprovalOwner, err error) {
	err = tx.get(ctx, myContacts+`SELECT a.company_id, me.id, me.name FROM approvals a
		JOIN requests r ON r.id = a.request_id AND r.company_id = a.company_id
		JOIN me ON me.company_id = a.company_id AND me.is_owner
		WHERE a.id = $2 AND `+ownsAsset("me.id", "$3")+` ORDER BY me.id LIMIT 1`,
		[]any{r.UserID, id, lintel.DateOf(tx.Now)}, &companyID, &o.ContactID, &o.Name)
	o.Email = r.Email
	return companyID, o, err
}

// ResidentApproval reads an approval of an asset the resident owns.
func (db *DB) ResidentApproval(ctx context.Context, r lintel.Resident, id int64) (ApprovalView, error) {
	var v ApprovalView
	err := db.view(ctx, func(tx *Tx) error {
		companyID, owner, err := tx.residentApprover(ctx, r, id)
		if err != nil {
			return err
		}
		v, err = tx.approvalView(ctx, companyID, id)
		v.Viewer = owner
		return err
	})
	if err != nil {
		return ApprovalView{}, fmt.Errorf("read approval %d: %w", id, err)
	}
	return v, nil
}

// linkApprover resolves a one-click link: its approval, company and
// owner. A link that is unknown, expired, or whose owner no longer owns
// the asset is lintel.ErrNotFound.
func (tx *Tx) linkApprover(ctx context.Context, tokenHash string) (companyID, approvalID int64, o ApprovalOwner, err error) {
	err = tx.get(ctx, `SELECT a.company_id, a.id, c.id, c.name FROM approval_links l
		JOIN approvals a ON a.id = l.approval_id
		JOIN requests r ON r.id = a.request_id AND r.company_id = a.company_id
		JOIN contacts c ON c.id = l.contact_id AND c.company_id = a.company_id AND c.archived_at IS NULL AND c.is_owner
		WHERE l.token_hash = $1 AND l.expires_at > $2 AND `+ownsAsset("c.id", "$3"),
		[]any{tokenHash, ts(tx.Now), lintel.DateOf(tx.Now)}, &companyID, &approvalID, &o.ContactID, &o.Name)
	return companyID, approvalID, o, err
}

// LinkApproval reads the approval a one-click link opens. Opening it
// changes nothing.
func (db *DB) LinkApproval(ctx context.Context, tokenHash string) (ApprovalView, error) {
	var v ApprovalView
	err := db.view(ctx, func(tx *Tx) error {
		companyID, id, owner, err := tx.linkApprover(ctx, tokenHash)
		if err != nil {
			return err
		}
		v, err = tx.approvalView(ctx, companyID, id)
		v.Viewer = owner
		return err
	})
	if err != nil {
		return ApprovalView{}, fmt.Errorf("open approval link: %w", err)
	}
	return v, nil
}

// StaffApprovalQuote returns the quote of one of the company's approvals.
func (db *DB) StaffApprovalQuote(ctx context.Context, s lintel.Staff, id int64) (StoredFile, error) {
	v, err := db.StaffApproval(ctx, s, id)
	return quoteOf(v, err)
}

// ResidentApprovalQuote returns the quote of an approval of an asset the
// resident owns.
func (db *DB) ResidentApprovalQuote(ctx context.Context, r lintel.Resident, id int64) (StoredFile, error) {
	v, err := db.ResidentApproval(ctx, r, id)
	return quoteOf(v, err)
}

func quoteOf(v ApprovalView, err error) (StoredFile, error) {
	if err != nil {
		return StoredFile{}, err
	}
	if !v.HasQuote() {
		return StoredFile{}, lintel.ErrNotFound
	}
	return v.Quote, nil
}

// Decision is an owner's answer.
type Decision struct {
	Approve bool
	Comment string // required to decline
	Version int    // the request's version the owner saw (0: any)
	IP      string // for the audit log
}

// DecisionNotice is what the dispatching staff are told about a decision.
type DecisionNotice struct {
	CompanyName string
	Currency    string
	Request     lintel.Request
	Approval    lintel.Approval // with the decision
	Staff       []Recipient
}

// decider is the owner deciding, and how they came.
type decider struct {
	owner  ApprovalOwner
	userID int64  // the portal user, 0 from a link
	via    string // "portal" or "e-mailed link"
}

// DecideApproval records a signed-in owner's decision on an approval of
// an asset they own. The first decision counts: a later one, or one racing
// it, answers ErrAlreadyDecided (or ErrStale) and changes nothing.
func (db *DB) DecideApproval(ctx context.Context, r lintel.Resident, id int64, d Decision,
	compose func(DecisionNotice) ([]lintel.Email, error)) error {
	if err := checkDecision(&d); err != nil {
		return err
	}
	err := db.update(ctx, func(tx *Tx) error {
		companyID, owner, err := tx.residentApprover(ctx, r, id)
		if err != nil {
			return err
		}
		return tx.decide(ctx, companyID, id, decider{owner: owner, userID: r.UserID, via: "portal"}, d, compose)
	})
	if err != nil {
		return fmt.Errorf("decide approval %d: %w", id, err)
	}
	return nil
}

// DecideApprovalByLink records the decision of the owner holding a
// one-click link, and returns the approval's id.
func (db *DB) DecideApprovalByLink(ctx context.Context, tokenHash string, d Decision,
	compose func(DecisionNotice) ([]lintel.Email, error)) (int64, error) {
	if err := checkDecision(&d); err != nil {
		return 0, err
	}
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		companyID, approvalID, owner, err := tx.linkApprover(ctx, tokenHash)
		if err != nil {
			return err
		}
		id = approvalID
		return tx.decide(ctx, companyID, approvalID, decider{owner: owner, via: "e-mailed link"}, d, compose)
	})
	if err != nil {
		return id, fmt.Errorf("decide approval by link: %w", err)
	}
	return id, nil
}

func checkDecision(d *Decision) error {
	d.Comment = strings.TrimSpace(d.Comment)
	switch {
	case !d.Approve && d.Comment == "":
		return lintel.FieldErrors{"comment": "Say why you decline, so your property manager knows what to do next."}.Err()
	case utf8.RuneCountInString(d.Comment) > maxDecisionComment:
		return lintel.FieldErrors{"comment": fmt.Sprintf("Keep the comment under %d characters.", maxDecisionComment)}.Err()
	}
	return nil
}

// decide records the decision: a conditional UPDATE that only a pending
// approval passes (two owners deciding at once: exactly one wins), then
// the request's move at the version the owner saw.
func (tx *Tx) decide(ctx context.Context, companyID, id int64, who decider, d Decision,
	compose func(DecisionNotice) ([]lintel.Email, error)) error {
	status, to, verb := lintel.ApprovalApproved, lintel.StatusApproved, "approved"
	if !d.Approve {
		status, to, verb = lintel.ApprovalDeclined, lintel.StatusDeclined, "declined"
	}
	res, err := tx.exec(ctx, `UPDATE approvals SET status = $1, decided_by_contact_id = $2, decided_by_user_id = $3, decision_comment = $4, decided_at = $5
		WHERE id = $6 AND company_id = $7 AND status = 'pending'`,
		string(status), who.owner.ContactID, nullID(who.userID), d.Comment, ts(tx.Now), id, companyID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return ErrAlreadyDecided
	}
	v, err := tx.approvalView(ctx, companyID, id)
	if err != nil {
		return err
	}
	if v.Request.Status != lintel.StatusAwaitingApproval {
		return lintel.Conflict(fmt.Sprintf("This request is no longer waiting for a decision (it is %s), so nothing was changed.", strings.ToLower(v.Request.Status.Label())))
	}
	actor := who.owner.Name + " (owner)"
	if err := tx.moveRequest(ctx, companyID, v.Request.ID, d.Version, to, actor); err != nil {
		return err
	}
	v.Request.Status = to
	body := fmt.Sprintf("%s %s the estimate of %s.", who.owner.Name, verb, v.Estimate())
	if d.Comment != "" {
		body += " Comment: " + d.Comment
	}
	if err := tx.addEvent(ctx, Event{CompanyID: companyID, RequestID: v.Request.ID, Kind: EventApproval, Audience: AudienceStaff,
		Actor: actor, Body: body}); err != nil {
		return err
	}
	if err := tx.audit(ctx, lintel.AuditEvent{CompanyID: companyID, UserID: who.userID, Actor: who.owner.Name + " (owner, " + who.via + ")",
		Action: "approval." + verb[:len(verb)-1], ObjectType: "request", ObjectID: v.Request.ID,
		Detail: fmt.Sprintf("approval %d: %s", id, d.Comment), IP: d.IP}); err != nil {
		return err
	}
	if compose == nil {
		return nil
	}
	n := DecisionNotice{CompanyName: v.CompanyName, Currency: v.Currency, Request: v.Request, Approval: v.Approval}
	if n.Staff, err = tx.dispatchers(ctx, companyID); err != nil {
		return err
	}
	msgs, err := compose(n)
	if err != nil {
		return err
	}
	return tx.enqueueAll(ctx, companyID, msgs)
}

// ApprovalItem is one line of an owner's list of approvals.
type ApprovalItem struct {
	ID            int64
	RequestID     int64
	CompanyName   string
	Summary       string
	Place         string
	EstimateMinor int64
	Currency      string
	Status        lintel.ApprovalStatus
	RequestStatus lintel.RequestStatus
	DecidedBy     string
	AskedAt       time.Time
	DecidedAt     time.Time
}

// Open reports whether the owners may still decide.
func (it ApprovalItem) Open() bool {
	return it.Status == lintel.ApprovalPending && it.RequestStatus == lintel.StatusAwaitingApproval
}

// Estimate is the estimate in the company's currency.
func (it ApprovalItem) Estimate() string { return lintel.FormatMoney(it.EstimateMinor, it.Currency) }

// OwnerApprovals lists the approvals of the assets the resident owns,
// those waiting for a decision first, then the latest others; at most limit
// (DefaultPageSize when 0). Withdrawn ones and those approved under the
// limit without asking are left out: there was nothing to decide.
func (db *DB) OwnerApprovals(ctx context.Context, r lintel.Resident, limit int) ([]ApprovalItem, error) {
	limit = pageSize(limit)
	var out []ApprovalItem
	err := db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, myContacts+`SELECT a.id, a.request_id, co.name, r.summary, p.name, COALESCE(un.label, ''),
				COALESCE(un.common_area, FALSE), a.estimate_minor, co.currency, a.status, r.status, COALESCE(dc.name, ''), a.created_at, a.decided_at
			FROM approvals a
			JOIN requests r ON r.id = a.request_id AND r.company_id = a.company_id
			JOIN properties p ON p.id = r.property_id
			LEFT JOIN units un ON un.id = r.unit_id
			JOIN companies co ON co.id = a.company_id
			LEFT JOIN contacts dc ON dc.id = a.decided_by_contact_id
			WHERE a.status <> 'withdrawn' AND EXISTS (SELECT 1 FROM approval_links l WHERE l.approval_id = a.id)
				AND EXISTS (SELECT 1 FROM me WHERE me.company_id = a.company_id AND me.is_owner AND `+ownsAsset("me.id", "$2")+`)
			ORDER BY CASE WHEN a.status = 'pending' THEN 0 ELSE 1 END, a.id DESC
			LIMIT $3`, r.UserID, lintel.DateOf(tx.Now), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var it ApprovalItem
			var unit string
			var common bool
			if err := rows.Scan(&it.ID, &it.RequestID, &it.CompanyName, &it.Summary, &it.Place, &unit, &common, &it.EstimateMinor,
				&it.Currency, &it.Status, &it.RequestStatus, &it.DecidedBy, at(&it.AskedAt), at(&it.DecidedAt)); err != nil {
				return err
			}
			switch {
			case unit == "":
				it.Place += " · the whole property"
			case common:
				it.Place += " · " + unit + " (common area)"
			default:
				it.Place += " · " + unit
			}
			out = append(out, it)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list approvals: %w", err)
	}
	return out, nil
}

// reminderClaim takes an approval due a reminder, the one whose owners
// were written to longest ago, and counts the reminder, in one statement
// portable to both engines. The outer WHERE repeats the condition on
// purpose (as claimSQL does for the outbox): on PostgreSQL a second worker
// that picked the same row waits for the first's lock, re-checks, and
// updates nothing; SQLite has one writer.
//
// The inner SELECT walks the partial index approvals_reminder_due, which
// holds only pending approvals with reminders left, by when the owners
// were last written to, up to $4 (the later of $2 and $3: none after it
// can be due), so it reads what may be due however many approvals were
// ever decided or left unanswered. The index's predicate names the limit
// as a literal, and so must this query for either engine to use it.
var reminderClaim = `UPDATE approvals SET reminder_count = reminder_count + 1, last_reminder_at = $1
	WHERE id = (SELECT a.id FROM approvals a JOIN requests r ON r.id = a.request_id AND r.company_id = a.company_id
		WHERE a.status = 'pending' AND a.reminder_count < ` + strconv.Itoa(ApprovalMaxReminders) + `
			AND COALESCE(a.last_reminder_at, a.created_at) <= $4 AND r.status = 'awaiting_approval'
			AND ((a.reminder_count = 0 AND a.created_at <= $2) OR (a.reminder_count > 0 AND a.last_reminder_at <= $3))
		ORDER BY COALESCE(a.last_reminder_at, a.created_at), a.id LIMIT 1)
	AND status = 'pending' AND reminder_count < ` + strconv.Itoa(ApprovalMaxReminders) + `
	AND ((reminder_count = 0 AND created_at <= $2) OR (reminder_count > 0 AND last_reminder_at <= $3))
	RETURNING id, company_id, request_id, reminder_count`

// SendApprovalReminder reminds the owners of the approval most overdue for
// a reminder: pending for ApprovalFirstReminder, then every
// ApprovalReminderEvery, at most ApprovalMaxReminders times. Each owner
// gets a fresh one-click link. The reminder is claimed and its e-mails
// queued in one transaction, so two workers never send the same reminder.
// It returns the approval's id, or lintel.ErrNotFound when none is due.
func (db *DB) SendApprovalReminder(ctx context.Context, compose func(ApprovalNotice) (OwnerMail, error)) (int64, error) {
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		var companyID, requestID int64
		var n int
		first, every := tx.Now.Add(-ApprovalFirstReminder), tx.Now.Add(-ApprovalReminderEvery)
		bound := first
		if every.After(bound) {
			bound = every
		}
		if err := tx.get(ctx, reminderClaim, []any{ts(tx.Now), ts(first), ts(every), ts(bound)},
			&id, &companyID, &requestID, &n); err != nil {
			return err
		}
		d, err := tx.approvalDraft(ctx, companyID, requestID)
		if err != nil {
			return err
		}
		v, err := tx.approvalView(ctx, companyID, id)
		if err != nil {
			return err
		}
		if err := tx.addEvent(ctx, Event{CompanyID: companyID, RequestID: requestID, Kind: EventApproval, Audience: AudienceStaff,
			Actor: "Lintel", Body: fmt.Sprintf("Reminder %d of %d sent to the owners.", n, ApprovalMaxReminders)}); err != nil {
			return err
		}
		return tx.mailOwners(ctx, d, v.Approval, d.Reachable(), n, compose)
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}
