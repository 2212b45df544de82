package sqldb

import (
	"context"

	"lintel.dev/lintel/internal/lintel"
)

// audit appends an audit event inside tx.
func (tx *Tx) audit(ctx context.Context, e lintel.AuditEvent) error {
	var company, user, object any
	if e.CompanyID != 0 {
		company = e.CompanyID
	}
	if e.UserID != 0 {
		user = e.UserID
	}
	if e.ObjectID != 0 {
		object = e.ObjectID
	}
	_, err := tx.exec(ctx, `INSERT INTO audit_events (company_id, actor_user_id, actor, action, object_type, object_id, detail, ip, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		company, user, e.Actor, e.Action, e.ObjectType, object, e.Detail, e.IP, ts(tx.Now))
	return err
}

// staffAudit appends an audit event for something a staff member did.
func (tx *Tx) staffAudit(ctx context.Context, s lintel.Staff, action, objectType string, objectID int64, detail string) error {
	return tx.audit(ctx, lintel.AuditEvent{
		CompanyID: s.CompanyID, UserID: s.UserID, Actor: s.Name + " (" + string(s.Role) + ")",
		Action: action, ObjectType: objectType, ObjectID: objectID, Detail: detail,
	})
}

// AuditLog lists a company's audit events for one object, newest first.
func (db *DB) AuditLog(ctx context.Context, s lintel.Staff, objectType string, objectID int64, limit int) ([]lintel.AuditEvent, error) {
	var out []lintel.AuditEvent
	err := db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, actor, action, detail, created_at FROM audit_events
			WHERE company_id = $1 AND object_type = $2 AND object_id = $3 ORDER BY id DESC LIMIT $4`,
			s.CompanyID, objectType, objectID, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e := lintel.AuditEvent{CompanyID: s.CompanyID, ObjectType: objectType, ObjectID: objectID}
			if err := rows.Scan(&e.ID, &e.Actor, &e.Action, &e.Detail, at(&e.CreatedAt)); err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}
