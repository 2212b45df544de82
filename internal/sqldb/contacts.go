package sqldb

import (
	"context"
	"fmt"
	"strings"

	"lintel.dev/lintel/internal/lintel"
)

// ContactFilter chooses which contacts a list shows.
type ContactFilter struct {
	Search   string             // in the name and every e-mail address
	Role     lintel.ContactRole // "" for every role
	Archived bool               // archived contacts instead of those in use
	After    *Keyset            // the page after this (name, id)
	Before   *Keyset            // the page before this (name, id)
	Limit    int                // DefaultPageSize when 0
}

// ContactPage is one page of contacts and the cursors of its neighbours
// (nil at either end). Each contact carries its e-mails and phones.
type ContactPage struct {
	Contacts   []lintel.Contact
	Next, Prev *Keyset
}

const contactCols = `c.id, c.company_id, c.name, c.is_organization, c.is_tenant, c.is_owner, c.is_operator, c.trades,
	c.insurance_expiry, c.notes, c.portal_invited_at, c.created_at, c.updated_at, c.archived_at`

func scanContact(row scanner, c *lintel.Contact) error { return row.Scan(contactScanDest(c)...) }

// contactScanDest lists the destinations of contactCols, for queries that
// read more columns around them.
func contactScanDest(c *lintel.Contact) []any {
	return []any{&c.ID, &c.CompanyID, &c.Name, &c.IsOrganization, &c.IsTenant, &c.IsOwner, &c.IsOperator, &c.Trades,
		&c.InsuranceExpiry, &c.Notes, at(&c.PortalInvitedAt), at(&c.CreatedAt), at(&c.UpdatedAt), at(&c.ArchivedAt)}
}

// ListContacts lists the company's contacts by name. The page's e-mails
// and phones come in one more query for the whole page, not one per row.
func (db *DB) ListContacts(ctx context.Context, s lintel.Staff, f ContactFilter) (ContactPage, error) {
	var out ContactPage
	limit := pageSize(f.Limit)
	args := sqlArgs{s.CompanyID}
	search := strings.TrimSpace(f.Search) != ""
	var ts textSearch
	if search {
		ts = db.newTextSearch(&args, f.Search)
	}
	q := `SELECT ` + contactCols + ` FROM contacts c WHERE ` + ts.scope("c.company_id", "$1")
	if f.Archived {
		q += ` AND c.archived_at IS NOT NULL`
	} else {
		q += ` AND c.archived_at IS NULL`
	}
	switch f.Role {
	case lintel.RoleTenant:
		q += ` AND c.is_tenant`
	case lintel.RoleOwner:
		q += ` AND c.is_owner`
	case lintel.RoleOperator:
		q += ` AND c.is_operator`
	}
	if search {
		// The ids matching by name and those matching by an e-mail, each
		// from its own index, rather than an OR on the contact: an OR of
		// two indexes leaves both engines walking the company's contacts.
		q += ` AND c.id IN (` + ts.ids("n.id", "contacts", "n", "contacts_fts", "$1", "lower(n.name)") +
			` UNION ALL ` + ts.ids("e.contact_id", "contact_emails", "e", "contact_emails_fts", "$1", "e.email") + `)`
	}
	where, order := keysetClause(&args, ts.sortKey("c.name"), "c.id", f.After, f.Before)
	q += where + order + ` LIMIT ` + args.add(limit+1)
	more := false
	err := db.view(ctx, func(tx *Tx) error {
		if err := ts.plan(ctx, tx); err != nil {
			return err
		}
		cs, err := tx.queryContacts(ctx, q, args...)
		if err != nil {
			return err
		}
		// The extra row only tells whether there is another page; cut it
		// before reading details.
		if more = len(cs) > limit; more {
			cs = cs[:limit]
		}
		out.Contacts = cs
		return tx.fillContactDetails(ctx, s, out.Contacts, false)
	})
	if err != nil {
		return ContactPage{}, fmt.Errorf("list contacts: %w", err)
	}
	if f.Before != nil {
		reverse(out.Contacts)
	}
	keys := make([]Keyset, len(out.Contacts))
	for i, c := range out.Contacts {
		keys[i] = Keyset{c.Name, c.ID}
	}
	out.Next, out.Prev = pageLinks(keys, more, f.After, f.Before)
	return out, nil
}

func (tx *Tx) queryContacts(ctx context.Context, q string, args ...any) ([]lintel.Contact, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []lintel.Contact
	for rows.Next() {
		var c lintel.Contact
		if err := scanContact(rows, &c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// fillContactDetails reads the e-mails and phones of cs in one query. With
// verified, each e-mail also says whether a portal user has proved it (the
// detail and edit pages need that; lists do not).
func (tx *Tx) fillContactDetails(ctx context.Context, s lintel.Staff, cs []lintel.Contact, verified bool) error {
	if len(cs) == 0 {
		return nil
	}
	args := sqlArgs{s.CompanyID}
	idx := make(map[int64]int, len(cs))
	in := make([]string, len(cs))
	for i, c := range cs {
		idx[c.ID] = i
		in[i] = args.add(c.ID)
	}
	ids := strings.Join(in, ", ")
	verifiedCol := `FALSE`
	if verified {
		verifiedCol = `EXISTS (SELECT 1 FROM users u WHERE u.email = e.email AND u.email_verified_at IS NOT NULL)`
	}
	// The unary + keeps SQLite from picking an index by company (it would
	// then walk every address of the company) over seeking each contact;
	// on PostgreSQL it changes nothing.
	rows, err := tx.QueryContext(ctx, `SELECT e.contact_id, 'e', e.email, e.label, `+verifiedCol+`, e.position, e.id FROM contact_emails e
			WHERE e.contact_id IN (`+ids+`) AND +e.company_id = $1
		UNION ALL
		SELECT p.contact_id, 'p', p.phone, p.label, FALSE, p.position, p.id FROM contact_phones p
			WHERE p.contact_id IN (`+ids+`) AND +p.company_id = $1
		ORDER BY 1, 2, 6, 7`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			contactID, pos, id int64
			kind, value, label string
			ok                 bool
		)
		if err := rows.Scan(&contactID, &kind, &value, &label, &ok, &pos, &id); err != nil {
			return err
		}
		c := &cs[idx[contactID]]
		if kind == "e" {
			c.Emails = append(c.Emails, lintel.ContactEmail{Email: value, Label: label, Verified: ok})
		} else {
			c.Phones = append(c.Phones, lintel.ContactPhone{Phone: value, Label: label})
		}
	}
	return rows.Err()
}

// Contact returns one of the company's contacts, archived or not, with its
// e-mails (each saying whether it is verified) and phones.
func (db *DB) Contact(ctx context.Context, s lintel.Staff, id int64) (lintel.Contact, error) {
	var c lintel.Contact
	err := db.view(ctx, func(tx *Tx) error {
		var err error
		c, err = tx.contact(ctx, s, id)
		return err
	})
	return c, err
}

func (tx *Tx) contact(ctx context.Context, s lintel.Staff, id int64) (lintel.Contact, error) {
	var c lintel.Contact
	err := mapErr(scanContact(tx.QueryRowContext(ctx, `SELECT `+contactCols+` FROM contacts c WHERE c.id = $1 AND c.company_id = $2`, id, s.CompanyID), &c))
	if err != nil {
		return c, err
	}
	cs := []lintel.Contact{c}
	err = tx.fillContactDetails(ctx, s, cs, true)
	return cs[0], err
}

// CreateContact stores a new contact with its e-mails and phones.
func (db *DB) CreateContact(ctx context.Context, s lintel.Staff, c lintel.Contact) (int64, error) {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return 0, err
	}
	c.Normalize()
	if err := c.Validate().Err(); err != nil {
		return 0, err
	}
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.insertContact(ctx, s, c)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("create contact: %w", err)
	}
	return id, nil
}

// insertContact stores a normalized, valid contact.
func (tx *Tx) insertContact(ctx context.Context, s lintel.Staff, c lintel.Contact) (int64, error) {
	id, err := tx.insert(ctx, `INSERT INTO contacts (company_id, name, is_organization, is_tenant, is_owner, is_operator, trades, insurance_expiry, notes, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
		s.CompanyID, c.Name, c.IsOrganization, c.IsTenant, c.IsOwner, c.IsOperator, c.Trades, c.InsuranceExpiry, c.Notes, ts(tx.Now))
	if err != nil {
		return 0, err
	}
	if err := tx.writeContactDetails(ctx, s, id, c); err != nil {
		return 0, err
	}
	return id, tx.staffAudit(ctx, s, "contact.create", "contact", id, c.Name)
}

// writeContactDetails replaces a contact's e-mails and phones. Whether an
// address is verified lives with the user, not here, so rewriting the rows
// loses nothing.
func (tx *Tx) writeContactDetails(ctx context.Context, s lintel.Staff, id int64, c lintel.Contact) error {
	if _, err := tx.exec(ctx, `DELETE FROM contact_emails WHERE contact_id = $1 AND company_id = $2`, id, s.CompanyID); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM contact_phones WHERE contact_id = $1 AND company_id = $2`, id, s.CompanyID); err != nil {
		return err
	}
	for i, e := range c.Emails {
		if _, err := tx.exec(ctx, `INSERT INTO contact_emails (company_id, contact_id, email, label, position) VALUES ($1, $2, $3, $4, $5)`,
			s.CompanyID, id, e.Email, e.Label, i); err != nil {
			return err
		}
	}
	for i, p := range c.Phones {
		if _, err := tx.exec(ctx, `INSERT INTO contact_phones (company_id, contact_id, phone, label, position) VALUES ($1, $2, $3, $4, $5)`,
			s.CompanyID, id, p.Phone, p.Label, i); err != nil {
			return err
		}
	}
	return nil
}

// UpdateContact saves the editable fields of c, one of the company's
// contacts, replacing its e-mails and phones. An address a portal user has
// verified may not be changed or removed by staff: the update is refused
// with a message at that address's field (lintel.ContactVerifiedEmailLocked).
func (db *DB) UpdateContact(ctx context.Context, s lintel.Staff, c lintel.Contact) error {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return err
	}
	c.Normalize()
	if err := c.Validate().Err(); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		old, err := tx.contact(ctx, s, c.ID)
		if err != nil {
			return err
		}
		if _, fe := lintel.LockVerifiedEmails(old.Emails, c.Emails); len(fe) > 0 {
			return fe.Err()
		}
		if _, err := tx.exec(ctx, `UPDATE contacts SET name = $1, is_organization = $2, is_tenant = $3, is_owner = $4, is_operator = $5,
			trades = $6, insurance_expiry = $7, notes = $8, updated_at = $9 WHERE id = $10 AND company_id = $11`,
			c.Name, c.IsOrganization, c.IsTenant, c.IsOwner, c.IsOperator, c.Trades, c.InsuranceExpiry, c.Notes, ts(tx.Now), c.ID, s.CompanyID); err != nil {
			return err
		}
		if err := tx.writeContactDetails(ctx, s, c.ID, c); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "contact.update", "contact", c.ID, c.Name)
	})
}

// ArchiveContact takes a contact out of use. It refuses while the contact
// is a tenant of a current or upcoming lease, or holds an ownership in
// effect: those records would point at someone who has disappeared from
// the lists. Archiving twice changes nothing.
func (db *DB) ArchiveContact(ctx context.Context, s lintel.Staff, id int64) error {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		c, err := tx.contact(ctx, s, id)
		if err != nil || c.Archived() {
			return err
		}
		today := lintel.DateOf(tx.Now)
		var label, prop string
		err = tx.get(ctx, `SELECT u.label, p.name FROM lease_tenants lt JOIN leases l ON l.id = lt.lease_id
			JOIN units u ON u.id = l.unit_id JOIN properties p ON p.id = u.property_id
			WHERE lt.contact_id = $1 AND lt.company_id = $2 AND l.archived_at IS NULL AND (l.end_date IS NULL OR l.end_date >= $3)
			ORDER BY l.start_date LIMIT 1`, []any{id, s.CompanyID, today}, &label, &prop)
		switch {
		case err == nil:
			return lintel.Conflict(fmt.Sprintf("%s is a tenant on a current or upcoming lease of %s, %s. End or archive that lease first, then archive the contact.", c.Name, label, prop))
		case !lintel.IsNotFound(err):
			return err
		}
		err = tx.get(ctx, `SELECT p.name FROM ownerships o JOIN properties p ON p.id = o.property_id
			WHERE o.contact_id = $1 AND o.company_id = $2 AND o.archived_at IS NULL AND (o.end_date IS NULL OR o.end_date >= $3)
			ORDER BY p.name LIMIT 1`, []any{id, s.CompanyID, today}, &prop)
		switch {
		case err == nil:
			return lintel.Conflict(fmt.Sprintf("%s is recorded as an owner of %s. Remove that ownership first, then archive the contact.", c.Name, prop))
		case !lintel.IsNotFound(err):
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE contacts SET archived_at = $1, updated_at = $1 WHERE id = $2 AND company_id = $3`, ts(tx.Now), id, s.CompanyID); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "contact.archive", "contact", id, c.Name)
	})
}

// UnarchiveContact puts an archived contact back in use.
func (db *DB) UnarchiveContact(ctx context.Context, s lintel.Staff, id int64) error {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		var archived *string
		if err := tx.get(ctx, `SELECT archived_at FROM contacts WHERE id = $1 AND company_id = $2`, []any{id, s.CompanyID}, &archived); err != nil {
			return err
		}
		if archived == nil {
			return nil
		}
		if _, err := tx.exec(ctx, `UPDATE contacts SET archived_at = NULL, updated_at = $1 WHERE id = $2 AND company_id = $3`, ts(tx.Now), id, s.CompanyID); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "contact.unarchive", "contact", id, "")
	})
}

// ContactLeases lists the leases a contact is a tenant of, archived ones
// included, newest first, with their co-tenants.
func (db *DB) ContactLeases(ctx context.Context, s lintel.Staff, contactID int64) ([]lintel.Lease, error) {
	var out []lintel.Lease
	err := db.view(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.queryLeases(ctx, s, `SELECT `+leaseCols+leaseFrom+`
			WHERE l.company_id = $1 AND l.id IN (SELECT lt.lease_id FROM lease_tenants lt WHERE lt.contact_id = $2 AND lt.company_id = $1)
			ORDER BY l.start_date DESC, l.id DESC LIMIT 200`, s.CompanyID, contactID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list the contact's leases: %w", err)
	}
	return out, nil
}

// ContactOwnerships lists what a contact owns or owned (archived and ended
// ownerships included): whole properties first, then units.
func (db *DB) ContactOwnerships(ctx context.Context, s lintel.Staff, contactID int64) ([]lintel.Ownership, error) {
	var out []lintel.Ownership
	err := db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT o.id, o.company_id, o.contact_id, c.name, o.property_id, p.name, COALESCE(o.unit_id, 0), COALESCE(u.label, ''),
				o.share_bp, o.start_date, o.end_date, o.created_at, o.archived_at
			FROM ownerships o JOIN contacts c ON c.id = o.contact_id JOIN properties p ON p.id = o.property_id LEFT JOIN units u ON u.id = o.unit_id
			WHERE o.contact_id = $1 AND o.company_id = $2
			ORDER BY o.archived_at IS NOT NULL, p.name, o.unit_id IS NOT NULL, u.label, o.id LIMIT 500`, contactID, s.CompanyID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var o lintel.Ownership
			if err := rows.Scan(&o.ID, &o.CompanyID, &o.ContactID, &o.ContactName, &o.PropertyID, &o.PropertyName, &o.UnitID, &o.UnitLabel,
				&o.ShareBP, &o.Start, &o.End, at(&o.CreatedAt), at(&o.ArchivedAt)); err != nil {
				return err
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list the contact's ownerships: %w", err)
	}
	return out, nil
}
