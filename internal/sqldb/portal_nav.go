package sqldb

import (
	"context"
	"fmt"

	"lintel.dev/lintel/internal/lintel"
)

// PortalNav is what the portal's navigation needs on every page: which
// tabs the person has (Lease for tenants, Assets for owners), the
// companies they can switch between, and how many approvals wait for them.
type PortalNav struct {
	// Companies are every company the person is linked to, by name,
	// whatever company they chose to look at.
	Companies []PortalNavCompany
	// CurrentCompanyID is the company the portal shows; 0 shows them all.
	CurrentCompanyID int64
	// Tenant and Owner are true when the person is one in what the portal
	// shows (the chosen company, or any).
	Tenant, Owner bool
	// PendingApprovals counts the approvals waiting for the person's
	// decision as an owner, in what the portal shows.
	PendingApprovals int
}

// PortalNavCompany is one company of the switcher.
type PortalNavCompany struct {
	ID            int64
	Name          string
	Tenant, Owner bool
}

// PortalNavOf reads the navigation of resident r in one statement: it runs
// on every portal page. The company rows are not restricted by the
// person's choice (they are what the switcher offers); the approval count
// is (it comes through myContacts) and starts from the person's
// ownerships, so a tenant's page costs an index look-up or two.
func (db *DB) PortalNavOf(ctx context.Context, r lintel.Resident) (PortalNav, error) {
	var nav PortalNav
	err := db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, myContacts+`SELECT co.id, co.name, c.is_tenant, c.is_owner, COALESCE(u.portal_company_id, 0),
				(SELECT COUNT(DISTINCT a.id) FROM me
					JOIN ownerships o ON o.contact_id = me.id AND o.company_id = me.company_id AND o.archived_at IS NULL
						AND (o.end_date IS NULL OR o.end_date >= $2)
					JOIN requests r ON r.company_id = o.company_id AND r.property_id = o.property_id
						AND (o.unit_id IS NULL OR r.unit_id = o.unit_id) AND r.status = 'awaiting_approval'
					JOIN approvals a ON a.request_id = r.id AND a.company_id = r.company_id AND a.status = 'pending'
					WHERE me.is_owner AND EXISTS (SELECT 1 FROM approval_links l WHERE l.approval_id = a.id))
			FROM users u
			JOIN contact_emails ce ON ce.email = u.email
			JOIN contacts c ON c.id = ce.contact_id AND c.company_id = ce.company_id
			JOIN companies co ON co.id = c.company_id
			WHERE u.id = $1 AND u.email_verified_at IS NOT NULL AND u.disabled_at IS NULL
				AND c.archived_at IS NULL AND (c.is_tenant OR c.is_owner)
			ORDER BY co.name, co.id`, r.UserID, lintel.DateOf(tx.Now))
		if err != nil {
			return err
		}
		defer rows.Close()
		var chosen int64
		for rows.Next() {
			var c PortalNavCompany
			if err := rows.Scan(&c.ID, &c.Name, &c.Tenant, &c.Owner, &chosen, &nav.PendingApprovals); err != nil {
				return err
			}
			if n := len(nav.Companies); n > 0 && nav.Companies[n-1].ID == c.ID {
				last := &nav.Companies[n-1]
				last.Tenant, last.Owner = last.Tenant || c.Tenant, last.Owner || c.Owner
				continue
			}
			nav.Companies = append(nav.Companies, c)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		// The same rule as myContacts: a choice the person is no longer
		// linked to shows everything.
		for _, c := range nav.Companies {
			if c.ID == chosen {
				nav.CurrentCompanyID = chosen
			}
		}
		for _, c := range nav.Companies {
			if nav.CurrentCompanyID == 0 || c.ID == nav.CurrentCompanyID {
				nav.Tenant, nav.Owner = nav.Tenant || c.Tenant, nav.Owner || c.Owner
			}
		}
		return nil
	})
	if err != nil {
		return PortalNav{}, fmt.Errorf("read portal navigation: %w", err)
	}
	return nav, nil
}

// SetPortalCompany makes the portal of resident r show only company
// companyID, or every company when companyID is 0. A company the person is
// not linked to is lintel.ErrNotFound, like one that does not exist.
func (db *DB) SetPortalCompany(ctx context.Context, r lintel.Resident, companyID int64) error {
	err := db.update(ctx, func(tx *Tx) error {
		var chosen any // NULL: every company
		if companyID != 0 {
			var linked bool
			err := tx.get(ctx, `SELECT EXISTS (SELECT 1 FROM users u
				JOIN contact_emails ce ON ce.email = u.email
				JOIN contacts c ON c.id = ce.contact_id AND c.company_id = ce.company_id
				WHERE u.id = $1 AND u.email_verified_at IS NOT NULL AND c.company_id = $2
					AND c.archived_at IS NULL AND (c.is_tenant OR c.is_owner))`, []any{r.UserID, companyID}, &linked)
			if err != nil {
				return err
			}
			if !linked {
				return lintel.ErrNotFound
			}
			chosen = companyID
		}
		res, err := tx.exec(ctx, `UPDATE users SET portal_company_id = $1, updated_at = $2 WHERE id = $3 AND disabled_at IS NULL`,
			chosen, ts(tx.Now), r.UserID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return lintel.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("choose the portal's company: %w", err)
	}
	return nil
}

// CurrentCompanyName is the name of the company the portal shows, "" when
// it shows them all.
func (n PortalNav) CurrentCompanyName() string {
	for _, c := range n.Companies {
		if c.ID == n.CurrentCompanyID {
			return c.Name
		}
	}
	return ""
}
