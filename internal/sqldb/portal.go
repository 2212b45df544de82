package sqldb

import (
	"context"

	"lintel.dev/lintel/internal/lintel"
)

// PortalHome is what a resident's portal home shows: every company, lease
// and owned asset linked to their verified e-mail.
type PortalHome struct {
	Companies []PortalCompany
	Leases    []PortalLease
	Assets    []PortalAsset
}

// Linked reports whether anything links the resident to a company.
func (h PortalHome) Linked() bool { return len(h.Companies) > 0 }

// PortalCompany is a management company the resident is a tenant or owner with.
type PortalCompany struct {
	ID           int64
	Name         string
	Email        string
	Phone        string
	Address      string
	ContactNames []string // how the company has the resident on record
	Tenant       bool
	Owner        bool
}

// PortalLease is one of the resident's leases.
type PortalLease struct {
	ID           int64
	CompanyName  string
	PropertyName string
	UnitLabel    string
	Start        lintel.Date
	End          lintel.Date
	MonthToMonth bool
	Status       lintel.LeaseStatus
}

// PortalAsset is a property or unit the resident owns a share of.
type PortalAsset struct {
	CompanyName  string
	PropertyName string
	UnitLabel    string // "" when the whole property is owned
	ShareBP      int    // basis points: 10000 = 100 %
}

// Share formats the share as a percentage, e.g. "50%".
func (a PortalAsset) Share() string { return lintel.FormatShare(a.ShareBP) + "%" }

// myContacts selects the contacts a resident is: tenant or owner contacts,
// not archived, carrying the user's verified e-mail, in the company the
// person chose to look at (users.portal_company_id) or, with no choice, in
// every company. Every portal query starts from it, so the links are
// resolved in SQL from the e-mail and never taken from the request, and
// the whole portal honours the company switch. A stale choice (a company
// the person is no longer linked to) counts as no choice, so nobody is
// left looking at an empty portal.
const myContacts = `WITH me AS (
	SELECT c.id, c.company_id, c.name, c.is_tenant, c.is_owner
	FROM users u
	JOIN contact_emails ce ON ce.email = u.email
	JOIN contacts c ON c.id = ce.contact_id AND c.company_id = ce.company_id
	WHERE u.id = $1 AND u.email_verified_at IS NOT NULL AND u.disabled_at IS NULL
		AND c.archived_at IS NULL AND (c.is_tenant OR c.is_owner)
		AND (u.portal_company_id IS NULL OR c.company_id = u.portal_company_id OR NOT EXISTS (
			SELECT 1 FROM contact_emails ce2
			JOIN contacts c2 ON c2.id = ce2.contact_id AND c2.company_id = ce2.company_id
			WHERE ce2.email = u.email AND c2.company_id = u.portal_company_id
				AND c2.archived_at IS NULL AND (c2.is_tenant OR c2.is_owner))))
`

// unplanned writes placeholder p where SQLite's planner must not read its
// value. Compared with an indexed column that has sqlite_stat4 samples
// (ANALYZE writes them), a placeholder makes SQLite compile the statement
// again each time a value is bound, so a cached statement would be
// compiled on every page view, which costs far more than running it. A
// unary plus hides the value from the planner and changes nothing else;
// PostgreSQL has no such cost, and no unary plus for text or dates.
func (db *DB) unplanned(p string) string {
	if db.dialect == SQLite {
		return "+" + p
	}
	return p
}

// PortalHomeOf returns the resident's links.
func (db *DB) PortalHomeOf(ctx context.Context, r lintel.Resident) (PortalHome, error) {
	var h PortalHome
	err := db.view(ctx, func(tx *Tx) error {
		today := lintel.DateOf(tx.Now)
		rows, err := tx.QueryContext(ctx, myContacts+`SELECT co.id, co.name, co.email, co.phone, co.address, me.name, me.is_tenant, me.is_owner
			FROM me JOIN companies co ON co.id = me.company_id ORDER BY co.name, co.id, me.name`, r.UserID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c PortalCompany
			var name string
			var tenant, owner bool
			if err := rows.Scan(&c.ID, &c.Name, &c.Email, &c.Phone, &c.Address, &name, &tenant, &owner); err != nil {
				return err
			}
			if n := len(h.Companies); n == 0 || h.Companies[n-1].ID != c.ID {
				h.Companies = append(h.Companies, c)
			}
			last := &h.Companies[len(h.Companies)-1]
			last.ContactNames = append(last.ContactNames, name)
			last.Tenant = last.Tenant || tenant
			last.Owner = last.Owner || owner
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()

		rows, err = tx.QueryContext(ctx, myContacts+`SELECT DISTINCT l.id, co.name, p.name, un.label, l.start_date, l.end_date, l.month_to_month
			FROM me
			JOIN lease_tenants lt ON lt.contact_id = me.id AND lt.company_id = me.company_id
			JOIN leases l ON l.id = lt.lease_id AND l.company_id = me.company_id
			JOIN units un ON un.id = l.unit_id AND un.company_id = l.company_id
			JOIN properties p ON p.id = un.property_id AND p.company_id = un.company_id
			JOIN companies co ON co.id = l.company_id
			WHERE l.archived_at IS NULL
			ORDER BY l.start_date DESC, l.id DESC`, r.UserID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var l PortalLease
			if err := rows.Scan(&l.ID, &l.CompanyName, &l.PropertyName, &l.UnitLabel, &l.Start, &l.End, &l.MonthToMonth); err != nil {
				return err
			}
			l.Status = lintel.Lease{Start: l.Start, End: l.End}.StatusOn(today)
			h.Leases = append(h.Leases, l)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()

		rows, err = tx.QueryContext(ctx, myContacts+`SELECT co.name, p.name, COALESCE(un.label, ''), o.share_bp
			FROM me
			JOIN ownerships o ON o.contact_id = me.id AND o.company_id = me.company_id
			JOIN properties p ON p.id = o.property_id AND p.company_id = o.company_id
			LEFT JOIN units un ON un.id = o.unit_id AND un.company_id = o.company_id
			JOIN companies co ON co.id = o.company_id
			WHERE o.archived_at IS NULL AND (o.end_date IS NULL OR o.end_date >= $2)
			ORDER BY co.name, p.name, COALESCE(un.label, ''), o.id`, r.UserID, today)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a PortalAsset
			if err := rows.Scan(&a.CompanyName, &a.PropertyName, &a.UnitLabel, &a.ShareBP); err != nil {
				return err
			}
			h.Assets = append(h.Assets, a)
		}
		return rows.Err()
	})
	return h, err
}

// PortalInvite is what the welcome e-mail needs to know about the contact.
type PortalInvite struct {
	ContactID   int64
	To          string // the contact's first e-mail
	Name        string
	CompanyName string
	HasAccount  bool // a login with this e-mail exists: the e-mail says to log in
}

// InviteContactToPortal invites a tenant or owner contact of the staff
// member's company to the portal: it stores the sign-up token nt (for the
// contact's first e-mail; skipped when they already have an account),
// queues the e-mail that compose writes, sets portal_invited_at and
// records an audit event, in one transaction. A contact outside the
// company is lintel.ErrNotFound; one that is not a tenant or owner, or has
// no e-mail, is a conflict saying what to fix.
func (db *DB) InviteContactToPortal(ctx context.Context, s lintel.Staff, contactID int64, nt NewToken,
	compose func(PortalInvite) (lintel.Email, error)) (PortalInvite, error) {
	var inv PortalInvite
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return inv, err
	}
	err := db.update(ctx, func(tx *Tx) error {
		var resident bool
		err := tx.get(ctx, `SELECT c.id, c.name, co.name, (c.is_tenant OR c.is_owner) FROM contacts c JOIN companies co ON co.id = c.company_id
			WHERE c.id = $1 AND c.company_id = $2 AND c.archived_at IS NULL`,
			[]any{contactID, s.CompanyID}, &inv.ContactID, &inv.Name, &inv.CompanyName, &resident)
		if err != nil {
			return err
		}
		if !resident {
			return lintel.Conflict("Only tenants and owners can be invited to the portal. Mark this contact as a tenant or an owner first.")
		}
		err = tx.get(ctx, `SELECT email FROM contact_emails WHERE contact_id = $1 AND company_id = $2 ORDER BY position, id LIMIT 1`,
			[]any{contactID, s.CompanyID}, &inv.To)
		if lintel.IsNotFound(err) {
			return lintel.Conflict("This contact has no e-mail address. Add one, then send the invitation.")
		}
		if err != nil {
			return err
		}
		if err := tx.get(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)`, []any{inv.To}, &inv.HasAccount); err != nil {
			return err
		}
		if !inv.HasAccount {
			nt.Purpose, nt.Email, nt.CompanyID, nt.CreatedBy = PurposeSignup, inv.To, s.CompanyID, s.UserID
			if err := tx.insertToken(ctx, nt); err != nil {
				return err
			}
		}
		m, err := compose(inv)
		if err != nil {
			return err
		}
		m.CompanyID = s.CompanyID
		if err := tx.enqueueEmail(ctx, m); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE contacts SET portal_invited_at = $1 WHERE id = $2 AND company_id = $3`, ts(tx.Now), contactID, s.CompanyID); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "contact.portal_invite", "contact", contactID, inv.To)
	})
	return inv, err
}
