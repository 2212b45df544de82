package sqldb

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"lintel.dev/lintel/internal/lintel"
)

// Billing reports for the manager app: receivables aged
// by due date, and the rent roll. Each page is one statement over the
// ledger tables, scoped by the staff member's company: totals come from
// window functions over the same rows, tenants' names from a subquery on
// the page's rows only, so a page costs the same at 20,000 leases as at 20.

// ReceivableRow is what one lease owes, by age of its open charges.
type ReceivableRow struct {
	LeaseID      int64
	PropertyID   int64
	PropertyName string
	UnitID       int64
	UnitLabel    string
	Tenants      string // names, comma-separated
	Start, End   lintel.Date
	NotYetDue    int64 // open charges due today or later
	Days0To30    int64 // due 1 to 30 days ago
	Days31To60   int64
	Days61To90   int64
	Over90       int64
	// Balance is the lease's receivable account: open charges less any
	// payment or credit not yet applied to a charge. Negative: in credit.
	Balance int64
}

// Overdue is what is owed and past its due date: the ledger's "overdue"
// (a charge due today is not late yet).
func (r ReceivableRow) Overdue() int64 { return r.Days0To30 + r.Days31To60 + r.Days61To90 + r.Over90 }

// ReceivablesFilter chooses a page of receivables.
type ReceivablesFilter struct {
	Today lintel.Date // the day ages are counted from; the store's today when zero
	After *Keyset     // the page after this (balance, lease id)
	Limit int         // DefaultPageSize when 0, at most MaxPageSize
	All   bool        // every row in one page, for the CSV export
}

// ReceivablesPage is one page of leases that owe (or are in credit),
// largest balance first, and the totals over every such lease.
type ReceivablesPage struct {
	Rows   []ReceivableRow
	Totals ReceivableRow // the sums of every row, not only this page's
	Count  int           // leases in the report
	Next   *Keyset
}

// Receivables lists the company's leases with a non-zero balance. A charge
// is open for its amount less what non-reversed payments and credits
// applied to it; a reversed charge is not open. The poster never leaves
// money waiting beside an unpaid charge, so a lease with open charges has
// a positive balance and the unsettled receivable accounts are the report.
//
// A page is a keyset walk of the partial index on unsettled receivables
// (balance, lease), then the open charges of its leases; the totals are one
// pass over what is open (ledger_open's partial index and that same
// index), never over the company's charges and allocations.
func (db *DB) Receivables(ctx context.Context, s lintel.Staff, f ReceivablesFilter) (ReceivablesPage, error) {
	var out ReceivablesPage
	limit := pageSize(f.Limit)
	err := db.view(ctx, func(tx *Tx) error {
		today := f.Today
		if today.IsZero() {
			today = lintel.DateOf(tx.Now)
		}
		args := sqlArgs{}
		co := args.add(s.CompanyID)
		d0, d30, d60, d90 := args.add(today), args.add(today.AddDays(-30)), args.add(today.AddDays(-60)), args.add(today.AddDays(-90))
		// The age buckets of open charges o, as named columns. Amounts are
		// cast to BIGINT: PostgreSQL sums a bigint as numeric.
		ages := []struct{ name, cond string }{
			{"not_due", `o.effective_date >= ` + d0},
			{"d30", `o.effective_date < ` + d0 + ` AND o.effective_date >= ` + d30},
			{"d60", `o.effective_date < ` + d30 + ` AND o.effective_date >= ` + d60},
			{"d90", `o.effective_date < ` + d60 + ` AND o.effective_date >= ` + d90},
			{"over90", `o.effective_date < ` + d90},
		}
		cols := make([]string, len(ages))
		for i, a := range ages {
			cols[i] = `CAST(COALESCE(SUM(CASE WHEN ` + a.cond + ` THEN o.open_minor ELSE 0 END), 0) AS BIGINT) AS ` + a.name
		}
		buckets := strings.Join(cols, ", ")
		// The totals read every open charge of the company: they are kept
		// until a posting moves the ledger's version on or the day
		// changes, like the rent roll's.
		key, err := tx.figureVersions(ctx, s.CompanyID, today)
		if err != nil {
			return err
		}
		key.records = 0 // the totals read only the ledger
		if kept, ok := db.receivableTotals.get(s.CompanyID, key); ok {
			out.Totals, out.Count = kept.totals, kept.count
		} else if err := tx.receivableTotals(ctx, args, co, buckets, &out); err != nil {
			return err
		} else {
			db.receivableTotals.put(s.CompanyID, key, keptReceivables{out.Totals, out.Count})
		}
		page := `SELECT lease_id, balance_minor AS balance FROM ledger_accounts
			WHERE company_id = ` + co + ` AND kind = 'receivable' AND balance_minor <> 0`
		if f.After != nil {
			if bal, err := strconv.ParseInt(f.After.Key, 10, 64); err == nil {
				b := args.add(bal)
				page += ` AND (balance_minor < ` + b + ` OR (balance_minor = ` + b + ` AND lease_id > ` + args.add(f.After.ID) + `))`
			}
		}
		page += ` ORDER BY balance_minor DESC, lease_id`
		if !f.All {
			page += ` LIMIT ` + args.add(limit+1)
		}
		// Open charges, names and tenants only for the page's leases.
		q := `WITH page AS (` + page + `), aged AS (
			SELECT o.lease_id, ` + buckets + `
			FROM ledger_open o WHERE o.company_id = ` + co + ` AND o.kind = 'charge' AND o.open_minor > 0
				AND o.lease_id IN (SELECT lease_id FROM page)
			GROUP BY o.lease_id)
		SELECT r.lease_id, p.id, p.name, u.id, u.label,
			COALESCE((SELECT string_agg(c.name, ', ' ORDER BY c.name, c.id) FROM lease_tenants lt JOIN contacts c ON c.id = lt.contact_id
				WHERE lt.lease_id = r.lease_id AND lt.company_id = ` + co + `), ''),
			l.start_date, l.end_date, COALESCE(ag.not_due, 0), COALESCE(ag.d30, 0), COALESCE(ag.d60, 0), COALESCE(ag.d90, 0),
			COALESCE(ag.over90, 0), CAST(r.balance AS BIGINT)
		FROM page r JOIN leases l ON l.id = r.lease_id AND l.company_id = ` + co + `
		JOIN units u ON u.id = l.unit_id JOIN properties p ON p.id = u.property_id
		LEFT JOIN aged ag ON ag.lease_id = r.lease_id
		ORDER BY r.balance DESC, r.lease_id`
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r ReceivableRow
			if err := rows.Scan(&r.LeaseID, &r.PropertyID, &r.PropertyName, &r.UnitID, &r.UnitLabel, &r.Tenants, &r.Start, &r.End,
				&r.NotYetDue, &r.Days0To30, &r.Days31To60, &r.Days61To90, &r.Over90, &r.Balance); err != nil {
				return err
			}
			out.Rows = append(out.Rows, r)
		}
		return rows.Err()
	})
	if err != nil {
		return ReceivablesPage{}, fmt.Errorf("receivables: %w", err)
	}
	if !f.All && len(out.Rows) > limit {
		out.Rows = out.Rows[:limit]
		last := out.Rows[limit-1]
		out.Next = &Keyset{Key: strconv.FormatInt(last.Balance, 10), ID: last.LeaseID}
	}
	return out, nil
}

// RentRollRow is one unit: its current lease (LeaseID 0 when vacant), the
// rent and deposit agreed, the deposit held and the lease's balance.
type RentRollRow struct {
	PropertyID   int64
	PropertyName string
	UnitID       int64
	UnitLabel    string
	LeaseID      int64
	Tenants      string
	Start, End   lintel.Date
	MonthToMonth bool
	Rent         int64
	Deposit      int64 // agreed in the lease
	DepositHeld  int64 // in the lease's deposits account
	Balance      int64 // the lease's receivable balance
}

// Vacant reports whether no lease holds the unit today.
func (r RentRollRow) Vacant() bool { return r.LeaseID == 0 }

// RentRollFilter chooses a page of the rent roll.
type RentRollFilter struct {
	Today lintel.Date // the day "current lease" means; the store's today when zero
	After *Keyset     // the page after this (property name + unit label, unit id)
	Limit int
	All   bool // every row in one page, for the CSV export
}

// RentRollTotals sum the whole roll, not one page.
type RentRollTotals struct {
	Units, Occupied             int
	Rent, DepositHeld, Balances int64
}

// RentRollPage is one page of the rent roll, by property and unit.
type RentRollPage struct {
	Rows   []RentRollRow
	Totals RentRollTotals
	Next   *Keyset
}

// rentRollSep joins a property's name and a unit's label into one keyset
// key; a unit separator character never appears in names people type.
const rentRollSep = "\x1f"

// RentRoll lists every unit in use (common areas left out) with the lease
// that holds it today, vacant units too.
//
// Leases pile up over the years while units stay, so neither part reads
// ended leases: the totals take the leases not ended by today from the
// partial index leases_current, and the page finds each of its units'
// current lease through leases_unit.
func (db *DB) RentRoll(ctx context.Context, s lintel.Staff, f RentRollFilter) (RentRollPage, error) {
	var out RentRollPage
	limit := pageSize(f.Limit)
	err := db.view(ctx, func(tx *Tx) error {
		today := f.Today
		if today.IsZero() {
			today = lintel.DateOf(tx.Now)
		}
		args := sqlArgs{}
		co, day := args.add(s.CompanyID), args.add(today)
		inUse := `u.company_id = ` + co + ` AND u.archived_at IS NULL AND p.archived_at IS NULL AND NOT u.common_area`
		// A unit has at most one lease in use on a day (CreateLease refuses
		// overlaps); MAX(id) keeps one per unit even if data disagrees.
		t := &out.Totals
		key, err := tx.figureVersions(ctx, s.CompanyID, today)
		if err != nil {
			return err
		}
		cached, kept := db.rentTotals.get(s.CompanyID, key)
		if kept {
			*t = cached
		} else if err := tx.get(ctx, `WITH current_lease AS (
				SELECT unit_id, MAX(id) AS lease_id FROM leases
				WHERE company_id = `+co+` AND archived_at IS NULL AND COALESCE(end_date, '9999-12-31') >= `+day+` AND start_date <= `+day+`
				GROUP BY unit_id)
			SELECT (SELECT COUNT(*) FROM units u JOIN properties p ON p.id = u.property_id WHERE `+inUse+`),
				COUNT(*), CAST(COALESCE(SUM(l.rent_minor), 0) AS BIGINT), CAST(COALESCE(SUM(-da.balance_minor), 0) AS BIGINT),
				CAST(COALESCE(SUM(ra.balance_minor), 0) AS BIGINT)
			FROM current_lease cl JOIN leases l ON l.id = cl.lease_id
			JOIN units u ON u.id = cl.unit_id JOIN properties p ON p.id = u.property_id
			LEFT JOIN ledger_accounts ra ON ra.company_id = `+co+` AND ra.kind = 'receivable' AND ra.lease_id = l.id
			LEFT JOIN ledger_accounts da ON da.company_id = `+co+` AND da.kind = 'deposits' AND da.lease_id = l.id
			WHERE `+inUse, args, &t.Units, &t.Occupied, &t.Rent, &t.DepositHeld, &t.Balances); err != nil {
			return err
		} else {
			// The totals read every unit's lease and accounts; they are
			// kept until a record or a balance of the company changes.
			db.rentTotals.put(s.CompanyID, key, *t)
		}
		// Properties in name order, each one's units in label order: a walk
		// of two indexes that stops after a page, never a sort of every unit.
		page := `SELECT p.id AS property_id, p.name AS property_name, u.id AS unit_id, u.label AS unit_label
			FROM properties p CROSS JOIN units u WHERE u.property_id = p.id AND p.company_id = ` + co + ` AND ` + inUse
		if f.After != nil {
			var name, label string
			var propertyID int64
			err := tx.get(ctx, `SELECT p.name, p.id, u.label FROM units u JOIN properties p ON p.id = u.property_id
				WHERE u.id = $1 AND u.company_id = $2`, []any{f.After.ID, s.CompanyID}, &name, &propertyID, &label)
			switch {
			case err == nil:
				n, pid := args.add(name), args.add(propertyID)
				page += fmt.Sprintf(` AND (p.name, p.id) >= (%s, %s) AND ((p.name, p.id) > (%s, %s) OR (u.label, u.id) > (%s, %s))`,
					n, pid, n, pid, args.add(label), args.add(f.After.ID))
			case !errors.Is(err, lintel.ErrNotFound):
				return err
			}
		}
		page += ` ORDER BY p.name, p.id, u.label, u.id`
		if !f.All {
			page += ` LIMIT ` + args.add(limit+1)
		}
		q := `WITH page AS (` + page + `), paged AS (
			SELECT pg.*, (SELECT MAX(l.id) FROM leases l WHERE l.unit_id = pg.unit_id AND l.archived_at IS NULL
				AND l.start_date <= ` + day + ` AND (l.end_date IS NULL OR l.end_date >= ` + day + `)) AS lease_id
			FROM page pg)
		SELECT r.property_id, r.property_name, r.unit_id, r.unit_label, COALESCE(l.id, 0),
			COALESCE((SELECT string_agg(c.name, ', ' ORDER BY c.name, c.id) FROM lease_tenants lt JOIN contacts c ON c.id = lt.contact_id
				WHERE lt.lease_id = l.id AND lt.company_id = ` + co + `), ''),
			l.start_date, l.end_date, COALESCE(l.month_to_month, FALSE),
			CAST(COALESCE(l.rent_minor, 0) AS BIGINT), CAST(COALESCE(l.deposit_minor, 0) AS BIGINT),
			CAST(COALESCE(-da.balance_minor, 0) AS BIGINT), CAST(COALESCE(ra.balance_minor, 0) AS BIGINT)
		FROM paged r
		LEFT JOIN leases l ON l.id = r.lease_id AND l.company_id = ` + co + `
		LEFT JOIN ledger_accounts ra ON ra.company_id = ` + co + ` AND ra.kind = 'receivable' AND ra.lease_id = l.id
		LEFT JOIN ledger_accounts da ON da.company_id = ` + co + ` AND da.kind = 'deposits' AND da.lease_id = l.id
		ORDER BY r.property_name, r.property_id, r.unit_label, r.unit_id`
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r RentRollRow
			if err := rows.Scan(&r.PropertyID, &r.PropertyName, &r.UnitID, &r.UnitLabel, &r.LeaseID, &r.Tenants, &r.Start, &r.End, &r.MonthToMonth,
				&r.Rent, &r.Deposit, &r.DepositHeld, &r.Balance); err != nil {
				return err
			}
			out.Rows = append(out.Rows, r)
		}
		return rows.Err()
	})
	if err != nil {
		return RentRollPage{}, fmt.Errorf("rent roll: %w", err)
	}
	if !f.All && len(out.Rows) > limit {
		out.Rows = out.Rows[:limit]
		last := out.Rows[limit-1]
		out.Next = &Keyset{Key: last.PropertyName + rentRollSep + last.UnitLabel, ID: last.UnitID}
	}
	return out, nil
}

// keptReceivables are the receivables report's totals, kept per company.
type keptReceivables struct {
	totals ReceivableRow
	count  int
}

// receivableTotals sums every open charge of the company by age and every
// unsettled account into out's totals and count.
func (tx *Tx) receivableTotals(ctx context.Context, args sqlArgs, co, buckets string, out *ReceivablesPage) error {
	t := &out.Totals
	return tx.get(ctx, `SELECT ag.*, ac.n, ac.balance FROM (SELECT `+buckets+`
				FROM ledger_open o WHERE o.company_id = `+co+` AND o.kind = 'charge' AND o.open_minor > 0) ag,
			(SELECT COUNT(*) AS n, CAST(COALESCE(SUM(balance_minor), 0) AS BIGINT) AS balance FROM ledger_accounts
				WHERE company_id = `+co+` AND kind = 'receivable' AND balance_minor <> 0) ac`, args,
		&t.NotYetDue, &t.Days0To30, &t.Days31To60, &t.Days61To90, &t.Over90, &out.Count, &t.Balance)
}
