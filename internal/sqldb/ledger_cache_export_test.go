package sqldb

import (
	"context"
	"fmt"
	"strings"
)

// LedgerCacheRowsForTest lists the caches derived from a company's ledger
// (ledger_open, ledger_owner_lines, ledger_owner_months) as text.
func (db *DB) LedgerCacheRowsForTest(ctx context.Context, companyID int64) ([]string, error) {
	var out []string
	err := db.view(ctx, func(tx *Tx) error {
		for _, q := range []string{
			`SELECT 'open ' || transaction_id || ' ' || lease_id || ' ' || kind || ' ' || effective_date || ' ' || open_minor FROM ledger_open WHERE company_id = $1 ORDER BY transaction_id`,
			`SELECT 'line ' || contact_id || ' ' || effective_date || ' ' || transaction_id FROM ledger_owner_lines WHERE company_id = $1 ORDER BY contact_id, effective_date, transaction_id`,
			`SELECT 'month ' || contact_id || ' ' || month || ' ' || income_minor || ' ' || expense_minor FROM ledger_owner_months WHERE company_id = $1 ORDER BY contact_id, month`,
		} {
			rows, err := tx.QueryContext(ctx, q, companyID)
			if err != nil {
				return err
			}
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					rows.Close()
					return err
				}
				out = append(out, s)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// RebuildLedgerCachesForTest drops the ledger caches and runs their
// migration again, which fills them from the ledger rows as an upgrade
// does.
func (db *DB) RebuildLedgerCachesForTest(ctx context.Context) error {
	undo := []string{
		`DROP TRIGGER ledger_open_item`, `DROP TRIGGER ledger_open_reversal`, `DROP TRIGGER ledger_open_allocation`, `DROP TRIGGER ledger_owner_posting`,
	}
	if db.Dialect() == Postgres {
		undo = []string{
			`DROP TRIGGER ledger_open_transaction ON ledger_transactions`, `DROP TRIGGER ledger_open_allocation ON ledger_allocations`,
			`DROP TRIGGER ledger_owner_posting ON ledger_postings`, `DROP FUNCTION ledger_open_track_transaction()`,
			`DROP FUNCTION ledger_open_track_allocation()`, `DROP FUNCTION ledger_owner_track_posting()`,
		}
	}
	undo = append(undo, `DROP TABLE ledger_open`, `DROP TABLE ledger_owner_lines`, `DROP TABLE ledger_owner_months`,
		`DROP INDEX ledger_accounts_receivable_open`, `DROP INDEX leases_current`)
	return db.RemigrateForTest(ctx, 19, undo, func() error { return nil })
}

// SpoilLedgerCacheForTest changes a cache row behind the poster's back, for
// CheckLedger to find: table is "open", "line" or "month".
func (db *DB) SpoilLedgerCacheForTest(ctx context.Context, table string, companyID int64) error {
	q := map[string]string{
		"open":  `UPDATE ledger_open SET open_minor = open_minor + 1 WHERE transaction_id = (SELECT MIN(transaction_id) FROM ledger_open WHERE company_id = $1)`,
		"line":  `DELETE FROM ledger_owner_lines WHERE transaction_id = (SELECT MIN(transaction_id) FROM ledger_owner_lines WHERE company_id = $1)`,
		"month": `UPDATE ledger_owner_months SET income_minor = income_minor + 1 WHERE company_id = $1`,
	}[table]
	if q == "" {
		return fmt.Errorf("spoil: no cache %q (want open, line or month)", strings.TrimSpace(table))
	}
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, q, companyID)
		return err
	})
}
