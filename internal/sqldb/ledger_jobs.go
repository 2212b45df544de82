package sqldb

import (
	"context"
	"time"

	"lintel.dev/lintel/internal/lintel"
)

// The store side of the ledger's scheduled work (internal/billing): which
// leases have rent to generate, which rent charges are late, and posting a
// charge as the system. These run for every company, with no staff actor:
// the scope is each row's own company, carried from the lease to the
// charge.

// RentLease is a lease as the recurring-rent job sees it.
type RentLease struct {
	ID, CompanyID int64
	Start, End    lintel.Date // End zero: open-ended
	RentMinor     int64
	DueDay        int
	Recorded      lintel.Date // the day the lease was entered in Lintel
	LastPeriod    string      // the latest period with a rent charge ("2026-03"); "" when none
}

// rentLeasesSQL reads a batch of RentLeases: a walk of the leases by id,
// each with the latest period generated (one probe of the ledger's unique
// period index).
const rentLeasesSQL = `SELECT l.id, l.company_id, l.start_date, l.end_date, l.rent_minor, l.rent_due_day, l.created_at,
		COALESCE((SELECT MAX(t.period) FROM ledger_transactions t
			WHERE t.company_id = l.company_id AND t.lease_id = l.id AND t.period IS NOT NULL), '')
	FROM leases l
	WHERE l.id > $1 AND l.archived_at IS NULL AND l.rent_minor > 0
		AND l.start_date <= $2 AND (l.end_date IS NULL OR l.end_date >= $3)
	ORDER BY l.id LIMIT $4`

// RentLeases lists, in id order after id after, at most limit leases that
// may have rent to generate: not archived, rent above zero, starting by
// startsBy (the current month's last day: a lease starting later this
// month owes its first rent this month) and not ended before since. LastPeriod lets the caller skip leases
// already generated up to current; they are still listed so the keyset
// moves on.
func (db *DB) RentLeases(ctx context.Context, startsBy, since lintel.Date, current string, after int64, limit int) ([]RentLease, error) {
	var out []RentLease
	err := db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, rentLeasesSQL, after, startsBy, since, limit)
		if err != nil {
			return mapErr(err)
		}
		defer rows.Close()
		for rows.Next() {
			var l RentLease
			var recorded time.Time
			if err := rows.Scan(&l.ID, &l.CompanyID, &l.Start, &l.End, &l.RentMinor, &l.DueDay, at(&recorded), &l.LastPeriod); err != nil {
				return err
			}
			l.Recorded = lintel.DateOf(recorded)
			out = append(out, l)
		}
		return rows.Err()
	})
	return out, err
}

// LateRent is a rent charge, not reversed and with no late fee yet, on a
// lease with a late fee rule.
type LateRent struct {
	CompanyID, LeaseID, ChargeID int64
	Description                  string
	Due                          lintel.Date
	Open                         int64 // still unpaid
	Fee                          int64 // the lease's late fee
	GraceDays                    int
}

// lateRentSQL reads the open rent charges for LateRentCharges company by
// company, so the (company_id, effective_date) index bounds the read to
// the window, not the whole history. CROSS JOIN keeps SQLite to that
// order (given a plain join it reads the whole ledger, with statistics or
// without); PostgreSQL takes it as the join it is.
const lateRentSQL = `SELECT company_id, lease_id, id, description, effective_date, open_minor, late_fee_minor, late_fee_grace_days FROM (
		SELECT t.company_id, t.lease_id, t.id, t.description, t.effective_date, l.late_fee_minor, l.late_fee_grace_days,
			t.amount_minor - COALESCE((SELECT SUM(a.amount_minor) FROM ledger_allocations a
				WHERE a.charge_id = t.id AND a.company_id = t.company_id
					AND NOT EXISTS (SELECT 1 FROM ledger_transactions r WHERE r.reverses_id = a.source_id)), 0) AS open_minor
		FROM companies c
		CROSS JOIN ledger_transactions t
		JOIN leases l ON l.id = t.lease_id AND l.company_id = t.company_id
		WHERE t.company_id = c.id AND t.effective_date >= $1 AND t.effective_date < $2
			AND t.kind = 'charge' AND t.category = 'rent'
			AND l.late_fee_minor > 0 AND l.archived_at IS NULL
			AND NOT EXISTS (SELECT 1 FROM ledger_transactions r WHERE r.reverses_id = t.id)
			AND NOT EXISTS (SELECT 1 FROM ledger_transactions f
				WHERE f.company_id = t.company_id AND f.idempotency_key = 'late:' || CAST(t.id AS TEXT))
	) late WHERE open_minor > 0
	ORDER BY id`

// LateRentCharges lists the rent charges due on or after from and before
// to that are still open, on leases (not archived) with a late fee, and
// have no late fee yet. Whether each is late yet is the caller's rule
// (billing.LateFee). Open counts allocations of payments and credits
// that were not reversed.
func (db *DB) LateRentCharges(ctx context.Context, from, to lintel.Date) ([]LateRent, error) {
	var out []LateRent
	err := db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, lateRentSQL, from, to)
		if err != nil {
			return mapErr(err)
		}
		defer rows.Close()
		for rows.Next() {
			var r LateRent
			if err := rows.Scan(&r.CompanyID, &r.LeaseID, &r.ChargeID, &r.Description, &r.Due, &r.Open, &r.Fee, &r.GraceDays); err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// PostSystemCharge posts a charge for a job (recurring rent, late fees) in
// company companyID, as "Lintel", under the same rules as a staff charge.
// The charge's idempotency key (and, for rent, its period) makes it post
// once: a repeat, or a second node racing this one, answers the first
// charge's id with created false.
func (db *DB) PostSystemCharge(ctx context.Context, companyID int64, c lintel.NewCharge) (id int64, created bool, err error) {
	if err := c.Validate(); err != nil {
		return 0, false, err
	}
	post := func() error {
		return db.update(ctx, func(tx *Tx) error {
			var err error
			id, created, err = tx.postCharge(ctx, companyID, c, systemActor)
			return err
		})
	}
	err = post()
	if isConflict(err) {
		// Another node committed the same key or period between our check
		// and our insert; on PostgreSQL that aborts the transaction, so
		// look again in a fresh one, where the first charge is visible.
		err = post()
	}
	if isConflict(err) && c.Period != "" {
		// The period is taken by a charge under another key (posted by
		// hand with the period set): that is this period's rent.
		err = db.view(ctx, func(tx *Tx) error {
			return tx.get(ctx, `SELECT id FROM ledger_transactions WHERE company_id = $1 AND lease_id = $2 AND period = $3`,
				[]any{companyID, c.LeaseID, c.Period}, &id)
		})
		created = false
	}
	return id, created, err
}
