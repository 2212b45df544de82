package sqldb

import (
	"context"

	"lintel.dev/lintel/internal/lintel"
)

// DemoBillingPlaces is what `lintel demo` needs to post a demo company's
// year of billing through the ledger's own methods.
type DemoBillingPlaces struct {
	Admin       lintel.Staff
	HasLedger   bool // something is posted already: the demo leaves it be
	Building    int64
	Owner       int64 // the building's 60% owner
	Request     int64 // a completed or closed request on the building; 0 if none
	Leases      []RentLease
	TenantLease int64 // the current lease of the demo tenants
}

// DemoBillingPlaces finds them in company companyID: its leases' rent
// terms, the building named building and the owner with ownerEmail. It is
// for the operator's demo command only.
func (db *DB) DemoBillingPlaces(ctx context.Context, companyID int64, building, ownerEmail, tenantEmail string) (DemoBillingPlaces, error) {
	p := DemoBillingPlaces{Admin: lintel.Staff{CompanyID: companyID, Role: lintel.RoleAdmin}}
	err := db.view(ctx, func(tx *Tx) error {
		if err := tx.get(ctx, `SELECT EXISTS (SELECT 1 FROM ledger_transactions WHERE company_id = $1)`, []any{companyID}, &p.HasLedger); err != nil {
			return err
		}
		if err := tx.get(ctx, `SELECT u.id, u.name FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.company_id = $1 AND m.role = 'admin' AND m.disabled_at IS NULL ORDER BY m.created_at, u.id LIMIT 1`,
			[]any{companyID}, &p.Admin.UserID, &p.Admin.Name); err != nil {
			return err
		}
		if err := tx.get(ctx, `SELECT id FROM properties WHERE company_id = $1 AND name = $2 ORDER BY id LIMIT 1`,
			[]any{companyID, building}, &p.Building); err != nil {
			return err
		}
		if err := tx.get(ctx, `SELECT contact_id FROM contact_emails WHERE company_id = $1 AND email = $2 ORDER BY id LIMIT 1`,
			[]any{companyID, ownerEmail}, &p.Owner); err != nil {
			return err
		}
		if err := tx.get(ctx, `SELECT l.id FROM leases l JOIN lease_tenants lt ON lt.lease_id = l.id AND lt.company_id = l.company_id
			JOIN contact_emails ce ON ce.contact_id = lt.contact_id AND ce.company_id = lt.company_id
			WHERE l.company_id = $1 AND ce.email = $2 ORDER BY l.start_date DESC, l.id DESC LIMIT 1`,
			[]any{companyID, tenantEmail}, &p.TenantLease); err != nil {
			return err
		}
		err := tx.get(ctx, `SELECT id FROM requests WHERE company_id = $1 AND property_id = $2 AND status IN ('completed', 'closed')
			ORDER BY id DESC LIMIT 1`, []any{companyID, p.Building}, &p.Request)
		if err != nil && !lintel.IsNotFound(err) {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, start_date, end_date, rent_minor, rent_due_day FROM leases
			WHERE company_id = $1 AND archived_at IS NULL ORDER BY id`, companyID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			l := RentLease{CompanyID: companyID}
			if err := rows.Scan(&l.ID, &l.Start, &l.End, &l.RentMinor, &l.DueDay); err != nil {
				return err
			}
			p.Leases = append(p.Leases, l)
		}
		return rows.Err()
	})
	return p, err
}
