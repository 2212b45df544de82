package sqldb

import (
	"context"
	"fmt"
	"time"

	"lintel.dev/lintel/internal/lintel"
)

// The portal's Lease tab: a tenant's leases and one
// lease's details. A lease is theirs when one of their tenant contacts
// (myContacts) is on it; ended leases stay readable, so former tenants keep
// their lease's details, documents and maintenance history.

// ResidentLeaseItem is one of the resident's leases, as a list shows it.
type ResidentLeaseItem struct {
	ID           int64
	CompanyName  string
	PropertyName string
	Address      string
	UnitLabel    string
	Start, End   lintel.Date
	MonthToMonth bool
	RentMinor    int64
	Currency     string
	Status       lintel.LeaseStatus
}

// Rent is the rent in the company's currency.
func (l ResidentLeaseItem) Rent() string { return lintel.FormatMoney(l.RentMinor, l.Currency) }

// ResidentLease is one lease as its tenant reads it.
type ResidentLease struct {
	ResidentLeaseItem
	RentDueDay   int
	DepositMinor int64
	// CoTenants are the other tenants' names: nothing else about them.
	CoTenants []string
	Company   PortalCompany // the management company's contact details
	// Requests are the maintenance requests made on this lease, newest
	// first; the tenant may open each (myRequests: a lease's tenants see
	// its requests).
	Requests []ResidentLeaseRequest
}

// Deposit is the deposit in the company's currency.
func (l ResidentLease) Deposit() string { return lintel.FormatMoney(l.DepositMinor, l.Currency) }

// ResidentLeaseRequest is a line of a lease's maintenance history.
type ResidentLeaseRequest struct {
	ID        int64
	Summary   string
	Status    lintel.RequestStatus
	CreatedAt time.Time
}

// residentLeaseCols and residentLeaseFrom read a lease the resident is a
// tenant on; the query adds its own conditions after WHERE. The leases are
// found from the person's contacts (IN), not tested one by one (EXISTS),
// which would read every lease of every company.
const residentLeaseCols = `l.id, co.name, p.name, p.address_line1, p.address_line2, p.city, p.region, p.postal_code, p.country,
	un.label, l.start_date, l.end_date, l.month_to_month, l.rent_minor, co.currency`

const residentLeaseFrom = ` FROM leases l
	JOIN units un ON un.id = l.unit_id AND un.company_id = l.company_id
	JOIN properties p ON p.id = un.property_id AND p.company_id = un.company_id
	JOIN companies co ON co.id = l.company_id
	WHERE l.archived_at IS NULL AND l.id IN (SELECT lt.lease_id FROM me
		JOIN lease_tenants lt ON lt.contact_id = me.id AND lt.company_id = me.company_id
		WHERE me.is_tenant)`

func scanResidentLease(row scanner, l *ResidentLeaseItem, today lintel.Date) error {
	var p lintel.Property
	if err := row.Scan(&l.ID, &l.CompanyName, &l.PropertyName, &p.AddressLine1, &p.AddressLine2, &p.City, &p.Region, &p.PostalCode, &p.Country,
		&l.UnitLabel, &l.Start, &l.End, &l.MonthToMonth, &l.RentMinor, &l.Currency); err != nil {
		return err
	}
	l.Address = p.Address()
	l.Status = lintel.Lease{Start: l.Start, End: l.End}.StatusOn(today)
	return nil
}

// ResidentLeases lists the leases the resident is a tenant on: current and
// upcoming ones first, then ended ones, newest start first.
func (db *DB) ResidentLeases(ctx context.Context, r lintel.Resident) ([]ResidentLeaseItem, error) {
	var out []ResidentLeaseItem
	err := db.view(ctx, func(tx *Tx) error {
		today := lintel.DateOf(tx.Now)
		rows, err := tx.QueryContext(ctx, myContacts+`SELECT `+residentLeaseCols+residentLeaseFrom+`
			ORDER BY CASE WHEN l.end_date IS NOT NULL AND l.end_date < $2 THEN 1 ELSE 0 END, l.start_date DESC, l.id DESC`,
			r.UserID, today)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var l ResidentLeaseItem
			if err := scanResidentLease(rows, &l, today); err != nil {
				return err
			}
			out = append(out, l)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list leases: %w", err)
	}
	return out, nil
}

// ResidentLease reads one lease the resident is (or was) a tenant on, with
// its co-tenants' names, the company's contact details and its maintenance
// history. Any other lease is lintel.ErrNotFound.
func (db *DB) ResidentLease(ctx context.Context, r lintel.Resident, id int64) (ResidentLease, error) {
	var l ResidentLease
	err := db.view(ctx, func(tx *Tx) error {
		today := lintel.DateOf(tx.Now)
		var companyID int64
		row := tx.QueryRowContext(ctx, myContacts+`SELECT `+residentLeaseCols+`, l.rent_due_day, l.deposit_minor,
				co.id, co.name, co.email, co.phone, co.address`+residentLeaseFrom+` AND l.id = $2`, r.UserID, id)
		var p lintel.Property
		err := mapErr(row.Scan(&l.ID, &l.CompanyName, &l.PropertyName, &p.AddressLine1, &p.AddressLine2, &p.City, &p.Region, &p.PostalCode, &p.Country,
			&l.UnitLabel, &l.Start, &l.End, &l.MonthToMonth, &l.RentMinor, &l.Currency, &l.RentDueDay, &l.DepositMinor,
			&companyID, &l.Company.Name, &l.Company.Email, &l.Company.Phone, &l.Company.Address))
		if err != nil {
			return err
		}
		l.Address = p.Address()
		l.Status = lintel.Lease{Start: l.Start, End: l.End}.StatusOn(today)
		l.Company.ID = companyID

		// The other tenants: every tenant on the lease who is not one of
		// the resident's own contact records.
		rows, err := tx.QueryContext(ctx, myContacts+`SELECT c.name FROM lease_tenants lt
			JOIN contacts c ON c.id = lt.contact_id AND c.company_id = lt.company_id
			WHERE lt.lease_id = $2 AND lt.company_id = $3 AND c.id NOT IN (SELECT id FROM me)
			ORDER BY c.name, c.id`, r.UserID, id, companyID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				return err
			}
			l.CoTenants = append(l.CoTenants, name)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()

		rows, err = tx.QueryContext(ctx, `SELECT id, summary, status, created_at FROM requests
			WHERE lease_id = $1 AND company_id = $2 ORDER BY id DESC LIMIT 50`, id, companyID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var q ResidentLeaseRequest
			if err := rows.Scan(&q.ID, &q.Summary, &q.Status, at(&q.CreatedAt)); err != nil {
				return err
			}
			l.Requests = append(l.Requests, q)
		}
		return rows.Err()
	})
	if err != nil {
		return ResidentLease{}, fmt.Errorf("read lease %d: %w", id, err)
	}
	return l, nil
}
