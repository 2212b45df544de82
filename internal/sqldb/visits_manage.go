package sqldb

import (
	"context"
	"fmt"
	"time"

	"lintel.dev/lintel/internal/lintel"
)

// The manager's side of visits: the operators to choose from, and what a
// manager does to a visit after assigning it (AssignOperator, in visits.go):
// revoke its link, send a new one, set or change its time.

// OperatorChoice is an operator the manager may assign.
type OperatorChoice struct {
	ID     int64
	Name   string
	Trades string
	Email  string // first e-mail; "" means a link cannot be sent
}

// Operators lists the company's operators in use, by name.
func (db *DB) Operators(ctx context.Context, s lintel.Staff) ([]OperatorChoice, error) {
	var out []OperatorChoice
	err := db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT c.id, c.name, c.trades,
			COALESCE((SELECT email FROM contact_emails e WHERE e.contact_id = c.id ORDER BY position, id LIMIT 1), '')
			FROM contacts c WHERE c.company_id = $1 AND c.is_operator AND c.archived_at IS NULL ORDER BY c.name, c.id`, s.CompanyID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var o OperatorChoice
			if err := rows.Scan(&o.ID, &o.Name, &o.Trades, &o.Email); err != nil {
				return err
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list operators: %w", err)
	}
	return out, nil
}

// staffVisit reads one of the company's visits.
func (tx *Tx) staffVisit(ctx context.Context, companyID, visitID int64) (lintel.Visit, error) {
	var v lintel.Visit
	err := scanVisit(tx.QueryRowContext(ctx, `SELECT `+visitCols+` FROM visits v JOIN contacts o ON o.id = v.operator_id
		WHERE v.id = $1 AND v.company_id = $2`, visitID, companyID), &v)
	return v, mapErr(err)
}

// open reports whether the operator may still come for the visit.
func visitOpen(v lintel.Visit) bool {
	return v.Status == lintel.VisitAssigned || v.Status == lintel.VisitScheduled
}

// RevokeVisitLink kills a visit's contractor link at once. The visit stays
// with its operator; a new link can be sent with ResendVisitLink.
func (db *DB) RevokeVisitLink(ctx context.Context, s lintel.Staff, visitID int64) (lintel.Visit, error) {
	if err := s.Require(lintel.PermDispatch); err != nil {
		return lintel.Visit{}, err
	}
	var v lintel.Visit
	err := db.update(ctx, func(tx *Tx) (err error) {
		if v, err = tx.staffVisit(ctx, s.CompanyID, visitID); err != nil {
			return err
		}
		if !v.TokenRevoked.IsZero() {
			return lintel.Conflict("This link was already revoked. Send a new link if " + v.OperatorName + " still needs one.")
		}
		if _, err := tx.exec(ctx, `UPDATE visits SET token_revoked_at = $1, updated_at = $1 WHERE id = $2 AND company_id = $3 AND token_revoked_at IS NULL`,
			ts(tx.Now), visitID, s.CompanyID); err != nil {
			return err
		}
		v.TokenRevoked = tx.Now
		if err := tx.addEvent(ctx, Event{CompanyID: s.CompanyID, RequestID: v.RequestID, VisitID: v.ID, Kind: EventVisit, Audience: AudienceStaff,
			Actor: s.Name, Body: "Revoked " + v.OperatorName + "'s link; it no longer opens the task."}); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "visit.revoke_link", "visit", visitID, "")
	})
	if err != nil {
		return lintel.Visit{}, fmt.Errorf("revoke link of visit %d: %w", visitID, err)
	}
	return v, nil
}

// LinkNotice is what an operator is told when a manager sends a new link;
// the web layer composes the message (it alone knows the raw token).
type LinkNotice struct {
	CompanyName  string
	CompanyPhone string
	Request      lintel.Request
	Visit        lintel.Visit
	Operator     Recipient
}

// ResendVisitLink gives a visit a new contractor link (tokenHash) and
// e-mails it to the operator; the old link dies at once. Only while the
// visit is not over for good (reassigned or cancelled) and its request is
// open: a completed visit's operator may still need the link for the
// invoice.
func (db *DB) ResendVisitLink(ctx context.Context, s lintel.Staff, visitID int64, tokenHash string, compose func(LinkNotice) ([]lintel.Email, error)) (lintel.Visit, error) {
	if err := s.Require(lintel.PermDispatch); err != nil {
		return lintel.Visit{}, err
	}
	var v lintel.Visit
	err := db.update(ctx, func(tx *Tx) (err error) {
		if v, err = tx.staffVisit(ctx, s.CompanyID, visitID); err != nil {
			return err
		}
		if v.Status == lintel.VisitReassigned || v.Status == lintel.VisitCancelled {
			return lintel.Conflict("This visit is over (" + string(v.Status) + "), so it has no link to send. Assign an operator to send a new task.")
		}
		n := LinkNotice{Visit: v}
		if n.Request, err = tx.staffRequestHead(ctx, s.CompanyID, v.RequestID); err != nil {
			return err
		}
		if !n.Request.Status.Open() {
			return lintel.Conflict("This request is " + n.Request.Status.Label() + "; its links are no longer sent.")
		}
		if n.Operator, err = tx.operatorRecipient(ctx, s.CompanyID, v.OperatorID); err != nil {
			return err
		}
		if n.Operator.Email == "" {
			return lintel.Conflict(n.Operator.Name + " has no e-mail address, so the link cannot be sent. Add one to their contact first.")
		}
		if _, err := tx.exec(ctx, `UPDATE visits SET token_hash = $1, token_revoked_at = NULL, token_last_opened_at = NULL, updated_at = $2
			WHERE id = $3 AND company_id = $4`, tokenHash, ts(tx.Now), visitID, s.CompanyID); err != nil {
			return err
		}
		v.TokenRevoked, v.TokenLastOpened = time.Time{}, time.Time{}
		n.Visit = v
		if err := tx.addEvent(ctx, Event{CompanyID: s.CompanyID, RequestID: v.RequestID, VisitID: v.ID, Kind: EventVisit, Audience: AudienceStaff,
			Actor: s.Name, Body: "Sent " + v.OperatorName + " a new link; the old one no longer works."}); err != nil {
			return err
		}
		if err := tx.staffAudit(ctx, s, "visit.resend_link", "visit", visitID, ""); err != nil {
			return err
		}
		if compose == nil {
			return nil
		}
		if err := tx.get(ctx, `SELECT name, phone FROM companies WHERE id = $1`, []any{s.CompanyID}, &n.CompanyName, &n.CompanyPhone); err != nil {
			return err
		}
		msgs, err := compose(n)
		if err != nil {
			return err
		}
		return tx.enqueueAll(ctx, s.CompanyID, msgs)
	})
	if err != nil {
		return lintel.Visit{}, fmt.Errorf("resend link of visit %d: %w", visitID, err)
	}
	return v, nil
}

// ScheduleNotice is what the tenants and the operator are told about a
// visit's new time.
type ScheduleNotice struct {
	CompanyName  string
	CompanyPhone string
	Request      lintel.Request
	Visit        lintel.Visit
	Previous     time.Time // the time it had before, zero when none
	Operator     Recipient
	Tenants      []Recipient
}

// ScheduleVisit sets or changes the time of an open visit; the request
// becomes scheduled. seen is the request's version as the manager saw it
// (0: not checked). compose tells the tenants and the operator.
func (db *DB) ScheduleVisit(ctx context.Context, s lintel.Staff, visitID int64, seen int, when time.Time, compose func(ScheduleNotice) ([]lintel.Email, error)) (lintel.Visit, error) {
	if err := s.Require(lintel.PermDispatch); err != nil {
		return lintel.Visit{}, err
	}
	var v lintel.Visit
	err := db.update(ctx, func(tx *Tx) (err error) {
		if v, err = tx.staffVisit(ctx, s.CompanyID, visitID); err != nil {
			return err
		}
		if when.IsZero() {
			return lintel.FieldErrors{"date": "Choose the day of the visit."}.Err()
		}
		if !visitOpen(v) {
			return lintel.Conflict("This visit is over (" + string(v.Status) + "), so its time cannot change. Assign an operator for a new visit.")
		}
		if v.ScheduledAt.Equal(when) {
			return nil
		}
		n := ScheduleNotice{Previous: v.ScheduledAt}
		if err := tx.moveRequest(ctx, s.CompanyID, v.RequestID, seen, lintel.StatusScheduled, s.Name); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE visits SET status = 'scheduled', scheduled_at = $1, updated_at = $2 WHERE id = $3 AND company_id = $4`,
			ts(when), ts(tx.Now), visitID, s.CompanyID); err != nil {
			return err
		}
		v.Status, v.ScheduledAt = lintel.VisitScheduled, when
		body := v.OperatorName + " is booked for " + when.Format("Mon 2 Jan 2006, 15:04") + "."
		if !n.Previous.IsZero() {
			body = v.OperatorName + "'s visit moved to " + when.Format("Mon 2 Jan 2006, 15:04") + "."
		}
		if err := tx.addEvent(ctx, Event{CompanyID: s.CompanyID, RequestID: v.RequestID, VisitID: v.ID, Kind: EventVisit, Audience: AudienceResidents,
			Actor: s.Name, Body: body}); err != nil {
			return err
		}
		if err := tx.staffAudit(ctx, s, "visit.schedule", "visit", visitID, ts(when)); err != nil {
			return err
		}
		if compose == nil {
			return nil
		}
		n.Visit = v
		if n.Request, err = tx.staffRequestHead(ctx, s.CompanyID, v.RequestID); err != nil {
			return err
		}
		if err := tx.get(ctx, `SELECT name, phone FROM companies WHERE id = $1`, []any{s.CompanyID}, &n.CompanyName, &n.CompanyPhone); err != nil {
			return err
		}
		if n.Operator, err = tx.operatorRecipient(ctx, s.CompanyID, v.OperatorID); err != nil {
			return err
		}
		if n.Tenants, err = tx.leaseTenants(ctx, s.CompanyID, n.Request.LeaseID); err != nil {
			return err
		}
		msgs, err := compose(n)
		if err != nil {
			return err
		}
		return tx.enqueueAll(ctx, s.CompanyID, msgs)
	})
	if err != nil {
		return lintel.Visit{}, fmt.Errorf("schedule visit %d: %w", visitID, err)
	}
	return v, nil
}

// StaffVisitInvoice returns the invoice document of one of the company's
// visits.
func (db *DB) StaffVisitInvoice(ctx context.Context, s lintel.Staff, visitID int64) (StoredFile, error) {
	var f StoredFile
	err := db.view(ctx, func(tx *Tx) error {
		return tx.get(ctx, `SELECT f.storage_key, f.name, f.content_type, f.size FROM visits v JOIN files f ON f.id = v.invoice_file_id
			WHERE v.id = $1 AND v.company_id = $2 AND f.company_id = $2`, []any{visitID, s.CompanyID}, &f.Key, &f.Name, &f.ContentType, &f.Size)
	})
	return f, err
}

// StaffVisitRequest returns the request id of one of the company's visits.
func (db *DB) StaffVisitRequest(ctx context.Context, s lintel.Staff, visitID int64) (int64, error) {
	var id int64
	err := db.view(ctx, func(tx *Tx) error {
		return tx.get(ctx, `SELECT request_id FROM visits WHERE id = $1 AND company_id = $2`, []any{visitID, s.CompanyID}, &id)
	})
	return id, err
}
