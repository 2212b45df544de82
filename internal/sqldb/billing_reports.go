package sqldb

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"lintel.dev/lintel/internal/lintel"
)

// Billing reports for the manager app (issue 5, point 9): receivables aged
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

// Receivables lists the company's leases with open charges or a non-zero
// balance. A charge is open for its amount less what non-reversed payments
// and credits applied to it; a reversed charge is not open.
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
		// Amounts are cast to BIGINT: PostgreSQL sums a bigint as numeric.
		q := `WITH paid AS (
			SELECT a.charge_id, SUM(a.amount_minor) AS amount
			FROM ledger_allocations a LEFT JOIN ledger_transactions rv ON rv.reverses_id = a.source_id
			WHERE a.company_id = ` + co + ` AND rv.id IS NULL
			GROUP BY a.charge_id
		), open_charges AS (
			SELECT t.lease_id, t.effective_date AS due, t.amount_minor - COALESCE(p.amount, 0) AS open
			FROM ledger_transactions t
			LEFT JOIN paid p ON p.charge_id = t.id
			LEFT JOIN ledger_transactions rv ON rv.reverses_id = t.id
			WHERE t.company_id = ` + co + ` AND t.kind = 'charge' AND t.lease_id IS NOT NULL AND rv.id IS NULL
		), aged AS (
			SELECT lease_id,
				SUM(CASE WHEN due >= ` + d0 + ` THEN open ELSE 0 END) AS not_due,
				SUM(CASE WHEN due < ` + d0 + ` AND due >= ` + d30 + ` THEN open ELSE 0 END) AS d30,
				SUM(CASE WHEN due < ` + d30 + ` AND due >= ` + d60 + ` THEN open ELSE 0 END) AS d60,
				SUM(CASE WHEN due < ` + d60 + ` AND due >= ` + d90 + ` THEN open ELSE 0 END) AS d90,
				SUM(CASE WHEN due < ` + d90 + ` THEN open ELSE 0 END) AS over90
			FROM open_charges WHERE open > 0 GROUP BY lease_id
		), owing AS (
			SELECT l.id AS lease_id,
				CAST(COALESCE(ag.not_due, 0) AS BIGINT) AS not_due, CAST(COALESCE(ag.d30, 0) AS BIGINT) AS d30,
				CAST(COALESCE(ag.d60, 0) AS BIGINT) AS d60, CAST(COALESCE(ag.d90, 0) AS BIGINT) AS d90,
				CAST(COALESCE(ag.over90, 0) AS BIGINT) AS over90, CAST(COALESCE(ra.balance_minor, 0) AS BIGINT) AS balance
			FROM leases l
			LEFT JOIN aged ag ON ag.lease_id = l.id
			LEFT JOIN ledger_accounts ra ON ra.company_id = ` + co + ` AND ra.kind = 'receivable' AND ra.lease_id = l.id
			WHERE l.company_id = ` + co + ` AND (ag.lease_id IS NOT NULL OR COALESCE(ra.balance_minor, 0) <> 0)
		), ranked AS (
			SELECT o.*, COUNT(*) OVER () AS n,
				CAST(SUM(not_due) OVER () AS BIGINT) AS t_not_due, CAST(SUM(d30) OVER () AS BIGINT) AS t_d30,
				CAST(SUM(d60) OVER () AS BIGINT) AS t_d60, CAST(SUM(d90) OVER () AS BIGINT) AS t_d90,
				CAST(SUM(over90) OVER () AS BIGINT) AS t_over90, CAST(SUM(balance) OVER () AS BIGINT) AS t_balance
			FROM owing o
		), page AS (
			SELECT * FROM ranked`
		if f.After != nil {
			if bal, err := strconv.ParseInt(f.After.Key, 10, 64); err == nil {
				b := args.add(bal)
				q += ` WHERE (balance < ` + b + ` OR (balance = ` + b + ` AND lease_id > ` + args.add(f.After.ID) + `))`
			}
		}
		q += ` ORDER BY balance DESC, lease_id`
		if !f.All {
			q += ` LIMIT ` + args.add(limit+1)
		}
		// Names and tenants only for the page's rows.
		q += `)
		SELECT r.lease_id, p.id, p.name, u.id, u.label,
			COALESCE((SELECT string_agg(c.name, ', ' ORDER BY c.name, c.id) FROM lease_tenants lt JOIN contacts c ON c.id = lt.contact_id
				WHERE lt.lease_id = r.lease_id AND lt.company_id = ` + co + `), ''),
			l.start_date, l.end_date, r.not_due, r.d30, r.d60, r.d90, r.over90, r.balance,
			r.n, r.t_not_due, r.t_d30, r.t_d60, r.t_d90, r.t_over90, r.t_balance
		FROM page r JOIN leases l ON l.id = r.lease_id JOIN units u ON u.id = l.unit_id JOIN properties p ON p.id = u.property_id
		ORDER BY r.balance DESC, r.lease_id`
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r ReceivableRow
			t := &out.Totals
			if err := rows.Scan(&r.LeaseID, &r.PropertyID, &r.PropertyName, &r.UnitID, &r.UnitLabel, &r.Tenants, &r.Start, &r.End,
				&r.NotYetDue, &r.Days0To30, &r.Days31To60, &r.Days61To90, &r.Over90, &r.Balance,
				&out.Count, &t.NotYetDue, &t.Days0To30, &t.Days31To60, &t.Days61To90, &t.Over90, &t.Balance); err != nil {
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
		// A unit has at most one lease in use on a day (CreateLease refuses
		// overlaps); MAX(id) keeps one row per unit even if data disagrees.
		q := `WITH current_lease AS (
			SELECT unit_id, MAX(id) AS lease_id FROM leases
			WHERE company_id = ` + co + ` AND archived_at IS NULL AND start_date <= ` + day + ` AND (end_date IS NULL OR end_date >= ` + day + `)
			GROUP BY unit_id
		), roll AS (
			SELECT p.id AS property_id, p.name AS property_name, u.id AS unit_id, u.label AS unit_label,
				l.id AS lease_id, l.start_date, l.end_date, COALESCE(l.month_to_month, FALSE) AS month_to_month,
				CAST(COALESCE(l.rent_minor, 0) AS BIGINT) AS rent, CAST(COALESCE(l.deposit_minor, 0) AS BIGINT) AS deposit,
				CAST(COALESCE(-da.balance_minor, 0) AS BIGINT) AS held, CAST(COALESCE(ra.balance_minor, 0) AS BIGINT) AS balance
			FROM units u
			JOIN properties p ON p.id = u.property_id
			LEFT JOIN current_lease cl ON cl.unit_id = u.id
			LEFT JOIN leases l ON l.id = cl.lease_id
			LEFT JOIN ledger_accounts ra ON ra.company_id = ` + co + ` AND ra.kind = 'receivable' AND ra.lease_id = l.id
			LEFT JOIN ledger_accounts da ON da.company_id = ` + co + ` AND da.kind = 'deposits' AND da.lease_id = l.id
			WHERE u.company_id = ` + co + ` AND u.archived_at IS NULL AND p.archived_at IS NULL AND NOT u.common_area
		), ranked AS (
			SELECT r.*, COUNT(*) OVER () AS n, COUNT(r.lease_id) OVER () AS occupied,
				CAST(SUM(rent) OVER () AS BIGINT) AS t_rent, CAST(SUM(held) OVER () AS BIGINT) AS t_held,
				CAST(SUM(balance) OVER () AS BIGINT) AS t_balance
			FROM roll r
		), page AS (
			SELECT * FROM ranked`
		if f.After != nil {
			if name, label, ok := strings.Cut(f.After.Key, rentRollSep); ok {
				q += fmt.Sprintf(` WHERE (property_name, unit_label, unit_id) > (%s, %s, %s)`, args.add(name), args.add(label), args.add(f.After.ID))
			}
		}
		q += ` ORDER BY property_name, unit_label, unit_id`
		if !f.All {
			q += ` LIMIT ` + args.add(limit+1)
		}
		q += `)
		SELECT property_id, property_name, unit_id, unit_label, COALESCE(lease_id, 0),
			COALESCE((SELECT string_agg(c.name, ', ' ORDER BY c.name, c.id) FROM lease_tenants lt JOIN contacts c ON c.id = lt.contact_id
				WHERE lt.lease_id = page.lease_id AND lt.company_id = ` + co + `), ''),
			start_date, end_date, month_to_month, rent, deposit, held, balance, n, occupied, t_rent, t_held, t_balance
		FROM page ORDER BY property_name, unit_label, unit_id`
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r RentRollRow
			t := &out.Totals
			if err := rows.Scan(&r.PropertyID, &r.PropertyName, &r.UnitID, &r.UnitLabel, &r.LeaseID, &r.Tenants, &r.Start, &r.End, &r.MonthToMonth,
				&r.Rent, &r.Deposit, &r.DepositHeld, &r.Balance, &t.Units, &t.Occupied, &t.Rent, &t.DepositHeld, &t.Balances); err != nil {
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
