package sqldb

import (
	"context"
	"fmt"
	"strings"
	"time"

	"lintel.dev/lintel/internal/lintel"
)

// Dispatch is a manager's assignment of an operator to a request.
type Dispatch struct {
	OperatorID  int64
	ScheduledAt time.Time // zero: the operator arranges the time
	TokenHash   string    // hash of the contractor link's token (auth.NewToken)
	Note        string    // optional, for the operator (the visit's manager notes start empty)
}

// DispatchNotice is what the operator and the tenants are told about a
// new visit. The web layer composes the messages (the operator's carries
// the raw link, which only it knows).
type DispatchNotice struct {
	CompanyName  string
	CompanyPhone string
	Request      lintel.Request
	Visit        lintel.Visit
	Operator     Recipient
	Tenants      []Recipient // the tenants of the request's lease, if any
	Note         string
}

// AssignOperator creates a visit by an operator for a request and e-mails
// the operator the link to the task. Any visit still open on the request
// ends as reassigned and its link dies at once. The request moves to
// assigned (or scheduled) from submitted, approved, assigned, scheduled,
// in progress or completed (a follow-up visit); seen is the request's
// version as the manager saw it.
func (db *DB) AssignOperator(ctx context.Context, s lintel.Staff, requestID int64, seen int, d Dispatch,
	compose func(DispatchNotice) ([]lintel.Email, error)) (int64, error) {
	if err := s.Require(lintel.PermDispatch); err != nil {
		return 0, err
	}
	if len([]rune(d.Note)) > 2000 {
		return 0, lintel.FieldErrors{"note": "Keep the note for the operator under 2,000 characters."}.Err()
	}
	var visitID int64
	err := db.update(ctx, func(tx *Tx) error {
		req, err := tx.requestDetail(ctx, s.CompanyID, requestID, forStaff)
		if err != nil {
			return err
		}
		n := DispatchNotice{Request: req.Request, Note: d.Note}
		err = tx.get(ctx, `SELECT c.name, COALESCE((SELECT email FROM contact_emails e WHERE e.contact_id = c.id ORDER BY position, id LIMIT 1), '')
			FROM contacts c WHERE c.id = $1 AND c.company_id = $2 AND c.is_operator AND c.archived_at IS NULL`,
			[]any{d.OperatorID, s.CompanyID}, &n.Operator.Name, &n.Operator.Email)
		if lintel.IsNotFound(err) {
			return lintel.FieldErrors{"operator_id": "Choose an operator from the list."}.Err()
		}
		if err != nil {
			return err
		}
		if n.Operator.Email == "" {
			return lintel.FieldErrors{"operator_id": n.Operator.Name + " has no e-mail address, so the link cannot be sent. Add one to their contact first."}.Err()
		}
		switch req.Request.Status {
		case lintel.StatusAwaitingApproval:
			return lintel.Conflict("This request is waiting for the owner's approval. Withdraw the approval request, or wait for the decision, before assigning an operator.")
		case lintel.StatusDeclined:
			return lintel.Conflict("The owner declined this work. Ask for approval again, or close the request.")
		}
		to := lintel.StatusAssigned
		if !d.ScheduledAt.IsZero() {
			to = lintel.StatusScheduled
		}
		if err := tx.moveRequest(ctx, s.CompanyID, requestID, seen, to, s.Name); err != nil {
			return err
		}
		// The open visit, if any, ends now: its link must stop working.
		if _, err := tx.exec(ctx, `UPDATE visits SET status = 'reassigned', token_revoked_at = $1, updated_at = $1
			WHERE request_id = $2 AND company_id = $3 AND status IN ('assigned','scheduled')`, ts(tx.Now), requestID, s.CompanyID); err != nil {
			return err
		}
		status := lintel.VisitAssigned
		if !d.ScheduledAt.IsZero() {
			status = lintel.VisitScheduled
		}
		visitID, err = tx.insert(ctx, `INSERT INTO visits (company_id, request_id, operator_id, status, scheduled_at, token_hash, dispatch_note, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`, s.CompanyID, requestID, d.OperatorID, string(status), tsNull(d.ScheduledAt), d.TokenHash,
			strings.TrimSpace(d.Note), ts(tx.Now))
		if err != nil {
			return err
		}
		n.Visit = lintel.Visit{ID: visitID, CompanyID: s.CompanyID, RequestID: requestID, OperatorID: d.OperatorID, OperatorName: n.Operator.Name,
			Status: status, ScheduledAt: d.ScheduledAt, CreatedAt: tx.Now, UpdatedAt: tx.Now}
		body := n.Operator.Name + " will take care of this."
		if !d.ScheduledAt.IsZero() {
			body = n.Operator.Name + " is booked for " + d.ScheduledAt.Format("Mon 2 Jan 2006, 15:04") + "."
		}
		if err := tx.addEvent(ctx, Event{CompanyID: s.CompanyID, RequestID: requestID, VisitID: visitID, Kind: EventVisit,
			Audience: AudienceResidents, Actor: s.Name, Body: body}); err != nil {
			return err
		}
		if err := tx.staffAudit(ctx, s, "request.assign", "request", requestID, fmt.Sprintf("visit %d, operator %d", visitID, d.OperatorID)); err != nil {
			return err
		}
		if compose == nil {
			return nil
		}
		if err := tx.get(ctx, `SELECT name, phone FROM companies WHERE id = $1`, []any{s.CompanyID}, &n.CompanyName, &n.CompanyPhone); err != nil {
			return err
		}
		if n.Tenants, err = tx.leaseTenants(ctx, s.CompanyID, req.Request.LeaseID); err != nil {
			return err
		}
		msgs, err := compose(n)
		if err != nil {
			return err
		}
		return tx.enqueueAll(ctx, s.CompanyID, msgs)
	})
	if err != nil {
		return 0, fmt.Errorf("assign operator: %w", err)
	}
	return visitID, nil
}

// leaseTenants lists the tenants of a lease with their first e-mail, to
// e-mail them a maintenance update (those without one, or who turned
// maintenance e-mails off, are left out).
func (tx *Tx) leaseTenants(ctx context.Context, companyID, leaseID int64) ([]Recipient, error) {
	if leaseID == 0 {
		return nil, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT c.name, (SELECT email FROM contact_emails e WHERE e.contact_id = c.id ORDER BY position, id LIMIT 1)
		FROM lease_tenants lt JOIN contacts c ON c.id = lt.contact_id
		WHERE lt.lease_id = $1 AND lt.company_id = $2 AND c.archived_at IS NULL ORDER BY c.name, c.id`, leaseID, companyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Recipient
	for rows.Next() {
		var r Recipient
		var email *string
		if err := rows.Scan(&r.Name, &email); err != nil {
			return nil, err
		}
		if email != nil {
			r.Email = *email
			out = append(out, r)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	// These are maintenance updates: a tenant who turned them off in their
	// settings is not e-mailed (the request's page still shows everything).
	kept := out[:0]
	for _, r := range out {
		ok, err := tx.wantsEmail(ctx, r.Email, lintel.NotifyMaintenance)
		if err != nil {
			return nil, err
		}
		if ok {
			kept = append(kept, r)
		}
	}
	return kept, nil
}
