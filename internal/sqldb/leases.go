package sqldb

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"lintel.dev/lintel/internal/lintel"
)

// LeaseFilter chooses which leases a list shows.
type LeaseFilter struct {
	Search     string             // in the tenants' names, the unit's label and the property's name
	Status     lintel.LeaseStatus // "" for every status
	PropertyID int64              // 0: every property
	UnitID     int64              // 0: every unit
	Archived   bool               // archived leases instead of those in use
	Today      lintel.Date        // the day statuses are computed for; the store's today when zero
	After      *Keyset            // the page after this (start date, id)
	Before     *Keyset            // the page before this (start date, id)
	Limit      int                // DefaultPageSize when 0
}

// LeasePage is one page of leases, newest start first, and the cursors of
// its neighbours (nil at either end).
type LeasePage struct {
	Leases     []lintel.Lease
	Next, Prev *Keyset
}

const leaseCols = `l.id, l.company_id, l.unit_id, u.label, u.property_id, p.name, l.start_date, l.end_date, l.month_to_month,
	l.rent_minor, l.rent_due_day, l.deposit_minor, l.notes, l.created_at, l.updated_at, l.archived_at, l.late_fee_minor, l.late_fee_grace_days`

const leaseFrom = ` FROM leases l JOIN units u ON u.id = l.unit_id JOIN properties p ON p.id = u.property_id`

func scanLease(row scanner, l *lintel.Lease) error {
	return row.Scan(&l.ID, &l.CompanyID, &l.UnitID, &l.UnitLabel, &l.PropertyID, &l.PropertyName, &l.Start, &l.End, &l.MonthToMonth,
		&l.RentMinor, &l.RentDueDay, &l.DepositMinor, &l.Notes, at(&l.CreatedAt), at(&l.UpdatedAt), at(&l.ArchivedAt),
		&l.LateFeeMinor, &l.LateFeeGraceDays)
}

// openEnd stands for "no end date" in date comparisons: dates are stored as
// YYYY-MM-DD text, so it sorts after every real day.
const openEnd = "9999-12-31"

// ListLeases lists the company's leases, newest start first. Status is
// computed in SQL from the dates and f.Today, matching lintel.Lease.StatusOn.
func (db *DB) ListLeases(ctx context.Context, s lintel.Staff, f LeaseFilter) (LeasePage, error) {
	var out LeasePage
	limit := pageSize(f.Limit)
	more := false
	err := db.view(ctx, func(tx *Tx) error {
		today := f.Today
		if today.IsZero() {
			today = lintel.DateOf(tx.Now)
		}
		args := sqlArgs{s.CompanyID}
		search := strings.TrimSpace(f.Search) != ""
		var ts textSearch
		if search {
			ts = db.newTextSearch(&args, f.Search)
		}
		q := `SELECT ` + leaseCols + leaseFrom + ` WHERE ` + ts.scope("l.company_id", "$1")
		if f.Archived {
			q += ` AND l.archived_at IS NOT NULL`
		} else {
			q += ` AND l.archived_at IS NULL`
		}
		switch f.Status {
		case lintel.LeaseUpcoming:
			q += ` AND l.start_date > ` + args.add(today)
		case lintel.LeaseEnded:
			q += ` AND l.end_date < ` + args.add(today)
		case lintel.LeaseActive:
			n := args.add(today)
			q += ` AND l.start_date <= ` + n + ` AND (l.end_date IS NULL OR l.end_date >= ` + n + `)`
		}
		if f.PropertyID != 0 {
			q += ` AND u.property_id = ` + args.add(f.PropertyID)
		}
		if f.UnitID != 0 {
			q += ` AND l.unit_id = ` + args.add(f.UnitID)
		}
		if search {
			// The leases of the units found (by label or property name) and
			// those of the tenants found, each through its own index.
			q += ` AND l.id IN (SELECT sl.id FROM leases sl WHERE sl.unit_id IN (` + unitSearch(ts, "$1") + `)
				UNION ALL SELECT lt.lease_id FROM lease_tenants lt WHERE lt.contact_id IN (` +
				ts.ids("sc.id", "contacts", "sc", "contacts_fts", "$1", "lower(sc.name)") + `))`
		}
		// Newest first: the page after a cursor holds smaller (start, id).
		start := ts.sortKey("l.start_date")
		switch {
		case f.Before != nil:
			q += fmt.Sprintf(` AND (%[1]s, l.id) > (%s, %s) ORDER BY %[1]s, l.id`, start, args.add(f.Before.Key), args.add(f.Before.ID))
		case f.After != nil:
			q += fmt.Sprintf(` AND (%[1]s, l.id) < (%s, %s) ORDER BY %[1]s DESC, l.id DESC`, start, args.add(f.After.Key), args.add(f.After.ID))
		default:
			q += ` ORDER BY ` + start + ` DESC, l.id DESC`
		}
		q += ` LIMIT ` + args.add(limit+1)
		if err := ts.plan(ctx, tx); err != nil {
			return err
		}
		ls, err := tx.queryLeasesNoTenants(ctx, q, args...)
		if err != nil {
			return err
		}
		if more = len(ls) > limit; more {
			ls = ls[:limit]
		}
		out.Leases = ls
		return tx.fillLeaseTenants(ctx, s, out.Leases, false)
	})
	if err != nil {
		return LeasePage{}, fmt.Errorf("list leases: %w", err)
	}
	if f.Before != nil {
		reverse(out.Leases)
	}
	keys := make([]Keyset, len(out.Leases))
	for i, l := range out.Leases {
		keys[i] = Keyset{l.Start.String(), l.ID}
	}
	out.Next, out.Prev = pageLinks(keys, more, f.After, f.Before)
	return out, nil
}

func (tx *Tx) queryLeasesNoTenants(ctx context.Context, q string, args ...any) ([]lintel.Lease, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []lintel.Lease
	for rows.Next() {
		var l lintel.Lease
		if err := scanLease(rows, &l); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// queryLeases reads leases and their tenants (names only).
func (tx *Tx) queryLeases(ctx context.Context, s lintel.Staff, q string, args ...any) ([]lintel.Lease, error) {
	ls, err := tx.queryLeasesNoTenants(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return ls, tx.fillLeaseTenants(ctx, s, ls, false)
}

// fillLeaseTenants reads the tenants of ls in one query, by name. With
// details, each tenant also carries its e-mails and phones (one more query).
func (tx *Tx) fillLeaseTenants(ctx context.Context, s lintel.Staff, ls []lintel.Lease, details bool) error {
	if len(ls) == 0 {
		return nil
	}
	args := sqlArgs{s.CompanyID}
	idx := make(map[int64]int, len(ls))
	in := make([]string, len(ls))
	for i, l := range ls {
		idx[l.ID] = i
		in[i] = args.add(l.ID)
	}
	rows, err := tx.QueryContext(ctx, `SELECT lt.lease_id, `+contactCols+` FROM lease_tenants lt JOIN contacts c ON c.id = lt.contact_id
		WHERE lt.company_id = $1 AND lt.lease_id IN (`+strings.Join(in, ", ")+`) ORDER BY lt.lease_id, c.name, c.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var leaseID int64
		var c lintel.Contact
		if err := rows.Scan(append([]any{&leaseID}, contactScanDest(&c)...)...); err != nil {
			return err
		}
		l := &ls[idx[leaseID]]
		l.Tenants = append(l.Tenants, c)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	if details {
		for i := range ls {
			if err := tx.fillContactDetails(ctx, s, ls[i].Tenants, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// Lease returns one of the company's leases, archived or not, with its
// tenants and their e-mails and phones.
func (db *DB) Lease(ctx context.Context, s lintel.Staff, id int64) (lintel.Lease, error) {
	var l lintel.Lease
	err := db.view(ctx, func(tx *Tx) error {
		var err error
		l, err = tx.lease(ctx, s, id)
		if err != nil {
			return err
		}
		ls := []lintel.Lease{l}
		err = tx.fillLeaseTenants(ctx, s, ls, true)
		l = ls[0]
		return err
	})
	return l, err
}

// lease reads one lease without its tenants.
func (tx *Tx) lease(ctx context.Context, s lintel.Staff, id int64) (lintel.Lease, error) {
	var l lintel.Lease
	err := mapErr(scanLease(tx.QueryRowContext(ctx, `SELECT `+leaseCols+leaseFrom+` WHERE l.id = $1 AND l.company_id = $2`, id, s.CompanyID), &l))
	return l, err
}

// CreateLease stores a lease of l.UnitID with the tenants tenantIDs (the
// company's contacts) and, when newTenant is not nil, a new tenant contact
// created in the same transaction. Every id is re-checked against the
// company (SECURITY.md 12). Messages about newTenant's fields are keyed
// "new_tenant_" + the contact field ("new_tenant_name", "new_tenant_email_0").
func (db *DB) CreateLease(ctx context.Context, s lintel.Staff, l lintel.Lease, tenantIDs []int64, newTenant *lintel.Contact) (int64, error) {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return 0, err
	}
	l.Normalize()
	fe := l.Validate()
	if newTenant != nil {
		newTenant.IsTenant = true
		newTenant.Normalize()
		for k, v := range newTenant.Validate() {
			fe.Add("new_tenant_"+k, v)
		}
	}
	tenantIDs = uniqueIDs(tenantIDs)
	if len(tenantIDs) == 0 && newTenant == nil {
		fe.Add("tenants", "Add at least one tenant: find an existing contact, or enter a new tenant's name.")
	}
	if err := fe.Err(); err != nil {
		return 0, err
	}
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		if err := tx.checkLeaseUnit(ctx, s, l.UnitID); err != nil {
			return err
		}
		if err := tx.checkLeaseOverlap(ctx, s, l); err != nil {
			return err
		}
		var err error
		id, err = tx.insert(ctx, `INSERT INTO leases (company_id, unit_id, start_date, end_date, month_to_month, rent_minor, rent_due_day, deposit_minor, notes, created_at, updated_at,
				late_fee_minor, late_fee_grace_days)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12)`,
			s.CompanyID, l.UnitID, l.Start, l.End, l.MonthToMonth, l.RentMinor, l.RentDueDay, l.DepositMinor, l.Notes, ts(tx.Now), l.LateFeeMinor, l.LateFeeGraceDays)
		if err != nil {
			return err
		}
		if err := tx.staffAudit(ctx, s, "lease.create", "lease", id, l.Start.String()); err != nil {
			return err
		}
		for _, cid := range tenantIDs {
			if err := tx.addLeaseTenant(ctx, s, id, cid, "tenants"); err != nil {
				return err
			}
		}
		if newTenant != nil {
			cid, err := tx.insertContact(ctx, s, *newTenant)
			if err != nil {
				return err
			}
			if err := tx.addLeaseTenant(ctx, s, id, cid, "tenants"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("create lease: %w", err)
	}
	return id, nil
}

func uniqueIDs(ids []int64) []int64 {
	var out []int64
	for _, id := range ids {
		if id > 0 && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// checkLeaseUnit checks that unitID is a rentable unit in use of the
// company. Touching the unit row also serialises lease changes of one unit
// on PostgreSQL (a row lock until commit), so two leases created at once
// cannot both pass the overlap check; SQLite has one writer anyway.
func (tx *Tx) checkLeaseUnit(ctx context.Context, s lintel.Staff, unitID int64) error {
	r, err := tx.exec(ctx, `UPDATE units SET updated_at = updated_at WHERE id = $1 AND company_id = $2`, unitID, s.CompanyID)
	if err := oneRow(r, err); err != nil {
		if lintel.IsNotFound(err) {
			return lintel.FieldErrors{"unit_id": "Choose one of your company's units."}.Err()
		}
		return err
	}
	var label string
	var common, unitGone, propGone bool
	if err := tx.get(ctx, `SELECT u.label, u.common_area, u.archived_at IS NOT NULL, p.archived_at IS NOT NULL
		FROM units u JOIN properties p ON p.id = u.property_id WHERE u.id = $1 AND u.company_id = $2`,
		[]any{unitID, s.CompanyID}, &label, &common, &unitGone, &propGone); err != nil {
		return err
	}
	switch {
	case common:
		return lintel.FieldErrors{"unit_id": label + " is a common area, which cannot be leased. Choose a rentable unit."}.Err()
	case unitGone:
		return lintel.FieldErrors{"unit_id": label + " is archived. Restore it first, or choose another unit."}.Err()
	case propGone:
		return lintel.FieldErrors{"unit_id": "The property of " + label + " is archived. Restore it first, or choose another unit."}.Err()
	}
	return nil
}

// checkLeaseOverlap refuses dates that share a day with another lease of
// the same unit in use: one unit, one lease at a time.
func (tx *Tx) checkLeaseOverlap(ctx context.Context, s lintel.Staff, l lintel.Lease) error {
	var end any = openEnd
	if !l.End.IsZero() {
		end = l.End
	}
	var other lintel.Lease
	err := tx.get(ctx, `SELECT l.id, l.start_date, l.end_date, l.month_to_month, u.label FROM leases l JOIN units u ON u.id = l.unit_id
		WHERE l.unit_id = $1 AND l.company_id = $2 AND l.archived_at IS NULL AND l.id <> $3
		AND l.start_date <= $4 AND (l.end_date IS NULL OR l.end_date >= $5)
		ORDER BY l.start_date LIMIT 1`, []any{l.UnitID, s.CompanyID, l.ID, end, l.Start},
		&other.ID, &other.Start, &other.End, &other.MonthToMonth, &other.UnitLabel)
	switch {
	case lintel.IsNotFound(err):
		return nil
	case err != nil:
		return err
	}
	return lintel.FieldErrors{"start": fmt.Sprintf("%s already has a lease for some of these days (%s). End that lease first, or choose dates that do not overlap it.",
		other.UnitLabel, other.Term())}.Err()
}

// UpdateLease saves the editable fields of l, one of the company's leases
// in use: dates, rent, due day, deposit and notes. The unit and the tenants
// are not changed here (tenants have their own actions; a move to another
// unit is a new lease).
func (db *DB) UpdateLease(ctx context.Context, s lintel.Staff, l lintel.Lease) error {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		old, err := tx.lease(ctx, s, l.ID)
		if err != nil {
			return err
		}
		if old.Archived() {
			return lintel.Conflict("This lease is archived and can no longer be changed.")
		}
		l.UnitID = old.UnitID
		l.Normalize()
		if err := l.Validate().Err(); err != nil {
			return err
		}
		// Lock the unit like CreateLease does, then check the new dates.
		if _, err := tx.exec(ctx, `UPDATE units SET updated_at = updated_at WHERE id = $1 AND company_id = $2`, l.UnitID, s.CompanyID); err != nil {
			return err
		}
		if err := tx.checkLeaseOverlap(ctx, s, l); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE leases SET start_date = $1, end_date = $2, month_to_month = $3, rent_minor = $4, rent_due_day = $5,
			deposit_minor = $6, notes = $7, updated_at = $8, late_fee_minor = $11, late_fee_grace_days = $12 WHERE id = $9 AND company_id = $10`,
			l.Start, l.End, l.MonthToMonth, l.RentMinor, l.RentDueDay, l.DepositMinor, l.Notes, ts(tx.Now), l.ID, s.CompanyID,
			l.LateFeeMinor, l.LateFeeGraceDays); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "lease.update", "lease", l.ID, l.Start.String())
	})
}

// AddLeaseTenant adds one of the company's contacts to a lease in use as a
// co-tenant, marking the contact a tenant. Adding someone twice changes
// nothing.
func (db *DB) AddLeaseTenant(ctx context.Context, s lintel.Staff, leaseID, contactID int64) error {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		if err := tx.leaseInUse(ctx, s, leaseID); err != nil {
			return err
		}
		return tx.addLeaseTenant(ctx, s, leaseID, contactID, "contact_id")
	})
}

// AddNewLeaseTenant creates a tenant contact and adds it to a lease in use,
// in one transaction. It returns the new contact's id.
func (db *DB) AddNewLeaseTenant(ctx context.Context, s lintel.Staff, leaseID int64, c lintel.Contact) (int64, error) {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return 0, err
	}
	c.IsTenant = true
	c.Normalize()
	if err := c.Validate().Err(); err != nil {
		return 0, err
	}
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		if err := tx.leaseInUse(ctx, s, leaseID); err != nil {
			return err
		}
		var err error
		if id, err = tx.insertContact(ctx, s, c); err != nil {
			return err
		}
		return tx.addLeaseTenant(ctx, s, leaseID, id, "name")
	})
	return id, err
}

// leaseInUse checks that leaseID is the company's and not archived.
func (tx *Tx) leaseInUse(ctx context.Context, s lintel.Staff, leaseID int64) error {
	var archived *string
	if err := tx.get(ctx, `SELECT archived_at FROM leases WHERE id = $1 AND company_id = $2`, []any{leaseID, s.CompanyID}, &archived); err != nil {
		return err
	}
	if archived != nil {
		return lintel.Conflict("This lease is archived and can no longer be changed.")
	}
	return nil
}

// addLeaseTenant checks that contactID is a contact in use of the company
// and links it to the lease; field names the form field for messages.
func (tx *Tx) addLeaseTenant(ctx context.Context, s lintel.Staff, leaseID, contactID int64, field string) error {
	var name string
	var archived *string
	err := tx.get(ctx, `SELECT name, archived_at FROM contacts WHERE id = $1 AND company_id = $2`, []any{contactID, s.CompanyID}, &name, &archived)
	switch {
	case lintel.IsNotFound(err):
		return lintel.FieldErrors{field: "Choose tenants from your company's contacts."}.Err()
	case err != nil:
		return err
	case archived != nil:
		return lintel.FieldErrors{field: name + " is archived. Restore the contact first, or choose someone else."}.Err()
	}
	if _, err := tx.exec(ctx, `INSERT INTO lease_tenants (lease_id, contact_id, company_id) VALUES ($1, $2, $3) ON CONFLICT (lease_id, contact_id) DO NOTHING`,
		leaseID, contactID, s.CompanyID); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE contacts SET is_tenant = TRUE, updated_at = $1 WHERE id = $2 AND company_id = $3 AND NOT is_tenant`,
		ts(tx.Now), contactID, s.CompanyID); err != nil {
		return err
	}
	return tx.staffAudit(ctx, s, "lease.tenant_add", "lease", leaseID, fmt.Sprintf("%s (contact %d)", name, contactID))
}

// RemoveLeaseTenant takes a co-tenant off a lease in use. The last tenant
// stays: a lease always has someone to bill.
func (db *DB) RemoveLeaseTenant(ctx context.Context, s lintel.Staff, leaseID, contactID int64) error {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		if err := tx.leaseInUse(ctx, s, leaseID); err != nil {
			return err
		}
		var n int
		if err := tx.get(ctx, `SELECT COUNT(*) FROM lease_tenants WHERE lease_id = $1 AND company_id = $2`, []any{leaseID, s.CompanyID}, &n); err != nil {
			return err
		}
		var name string
		if err := tx.get(ctx, `SELECT c.name FROM lease_tenants lt JOIN contacts c ON c.id = lt.contact_id
			WHERE lt.lease_id = $1 AND lt.contact_id = $2 AND lt.company_id = $3`, []any{leaseID, contactID, s.CompanyID}, &name); err != nil {
			return err
		}
		if n <= 1 {
			return lintel.Conflict(name + " is the only tenant of this lease. Add the new tenant first, then remove " + name + " — or end the lease.")
		}
		if _, err := tx.exec(ctx, `DELETE FROM lease_tenants WHERE lease_id = $1 AND contact_id = $2 AND company_id = $3`, leaseID, contactID, s.CompanyID); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "lease.tenant_remove", "lease", leaseID, fmt.Sprintf("%s (contact %d)", name, contactID))
	})
}

// EndLease ends a lease in use early: end is its last day, on or after its
// start and not after the end it already has.
func (db *DB) EndLease(ctx context.Context, s lintel.Staff, id int64, end lintel.Date) error {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		l, err := tx.lease(ctx, s, id)
		if err != nil {
			return err
		}
		if l.Archived() {
			return lintel.Conflict("This lease is archived and can no longer be changed.")
		}
		if err := l.ValidateEnd(end).Err(); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE leases SET end_date = $1, updated_at = $2 WHERE id = $3 AND company_id = $4`, end, ts(tx.Now), id, s.CompanyID); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "lease.end", "lease", id, end.String())
	})
}

// ArchiveLease takes a lease out of use: it leaves the lists and no longer
// holds its unit. Archiving twice changes nothing.
func (db *DB) ArchiveLease(ctx context.Context, s lintel.Staff, id int64) error {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		l, err := tx.lease(ctx, s, id)
		if err != nil || l.Archived() {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE leases SET archived_at = $1, updated_at = $1 WHERE id = $2 AND company_id = $3`, ts(tx.Now), id, s.CompanyID); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "lease.archive", "lease", id, "")
	})
}
