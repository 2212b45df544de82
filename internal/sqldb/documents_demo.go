package sqldb

import (
	"context"

	"lintel.dev/lintel/internal/lintel"
)

// DemoDocumentPlaces is what `lintel demo` needs to share its documents.
type DemoDocumentPlaces struct {
	Admin        lintel.Staff
	TenantLease  int64 // the newest lease of the contact with the tenant's e-mail
	Property     int64 // the property named so
	OwnerContact int64 // the contact with the owner's e-mail
	HasDocuments bool  // seeded already: leave it alone
}

// DemoDocumentPlaces finds, in the demo company id, its administrator, the
// tenant's lease, the building and the owner, by the demo's fixed names
// and e-mails. Like DemoCompany it acts as the installation's operator.
func (db *DB) DemoDocumentPlaces(ctx context.Context, companyID int64, tenantEmail, propertyName, ownerEmail string) (DemoDocumentPlaces, error) {
	p := DemoDocumentPlaces{Admin: lintel.Staff{CompanyID: companyID, Role: lintel.RoleAdmin}}
	err := db.view(ctx, func(tx *Tx) error {
		if err := tx.get(ctx, `SELECT EXISTS (SELECT 1 FROM documents WHERE company_id = $1)`, []any{companyID}, &p.HasDocuments); err != nil {
			return err
		}
		if err := tx.get(ctx, `SELECT u.id, u.name FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.company_id = $1 AND m.role = 'admin' AND m.disabled_at IS NULL ORDER BY m.created_at, u.id LIMIT 1`,
			[]any{companyID}, &p.Admin.UserID, &p.Admin.Name); err != nil {
			return err
		}
		if err := tx.get(ctx, `SELECT l.id FROM leases l JOIN lease_tenants lt ON lt.lease_id = l.id AND lt.company_id = l.company_id
			JOIN contact_emails ce ON ce.contact_id = lt.contact_id AND ce.company_id = lt.company_id
			WHERE l.company_id = $1 AND ce.email = $2 AND l.archived_at IS NULL ORDER BY l.start_date DESC, l.id DESC LIMIT 1`,
			[]any{companyID, tenantEmail}, &p.TenantLease); err != nil {
			return err
		}
		if err := tx.get(ctx, `SELECT id FROM properties WHERE company_id = $1 AND name = $2 ORDER BY id LIMIT 1`,
			[]any{companyID, propertyName}, &p.Property); err != nil {
			return err
		}
		return tx.get(ctx, `SELECT contact_id FROM contact_emails WHERE company_id = $1 AND email = $2 ORDER BY id LIMIT 1`,
			[]any{companyID, ownerEmail}, &p.OwnerContact)
	})
	return p, err
}
