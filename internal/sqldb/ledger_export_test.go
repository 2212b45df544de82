package sqldb

import (
	"context"
	"fmt"
	"strings"

	"lintel.dev/lintel/internal/lintel"
)

// PostChargeAsSystemForTest runs the system's charge posting (what the
// recurring-rent job calls) in a transaction of its own.
func (db *DB) PostChargeAsSystemForTest(ctx context.Context, companyID int64, c lintel.NewCharge) (id int64, created bool, err error) {
	err = db.update(ctx, func(tx *Tx) error {
		id, created, err = tx.postCharge(ctx, companyID, c, "")
		return err
	})
	return id, created, err
}

// LedgerRowsForTest lists every ledger row of a company as text, so a test
// can prove that posting only ever adds rows.
func (db *DB) LedgerRowsForTest(ctx context.Context, companyID int64) (map[string]string, error) {
	out := map[string]string{}
	err := db.view(ctx, func(tx *Tx) error {
		for _, q := range []string{
			`SELECT 't' || id, kind || '|' || category || '|' || COALESCE(lease_id, 0) || '|' || amount_minor || '|' || effective_date || '|' ||
				COALESCE(reverses_id, 0) || '|' || COALESCE(receipt_number, 0) || '|' || idempotency_key || '|' || description FROM ledger_transactions WHERE company_id = $1`,
			`SELECT 'p' || id, transaction_id || '|' || account_id || '|' || amount_minor || '|' || COALESCE(allocation_id, 0) FROM ledger_postings WHERE company_id = $1`,
			`SELECT 'a' || id, source_id || '|' || charge_id || '|' || amount_minor FROM ledger_allocations WHERE company_id = $1`,
		} {
			rows, err := tx.QueryContext(ctx, q, companyID)
			if err != nil {
				return err
			}
			for rows.Next() {
				var k, v string
				if err := rows.Scan(&k, &v); err != nil {
					rows.Close()
					return err
				}
				out[k] = v
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

// SeedLedgerForBench gives companyID about n ledger rows on leases of its
// own (on unitID): each lease gets monthly rent charges and payments over
// ten years, written as multi-row INSERTs straight into the tables (the
// benchmark measures reads; posting 100,000 rows one by one would dominate
// it). Balances are not maintained.
func (db *DB) SeedLedgerForBench(ctx context.Context, companyID, unitID int64, n int) error {
	return db.update(ctx, func(tx *Tx) error {
		now := ts(tx.Now)
		var lease int64
		var sb strings.Builder
		var args []any
		flush := func() error {
			if len(args) == 0 {
				return nil
			}
			_, err := tx.exec(ctx, `INSERT INTO ledger_transactions (company_id, kind, category, lease_id, unit_id, description, effective_date,
				amount_minor, idempotency_key, created_by, created_at) VALUES `+sb.String(), args...)
			sb.Reset()
			args = args[:0]
			return err
		}
		for i := 0; i < n; i++ {
			month := i / 2 % 120
			if i%240 == 0 {
				var err error
				if lease, err = tx.insert(ctx, `INSERT INTO leases (company_id, unit_id, start_date, created_at, updated_at) VALUES ($1, $2, '2016-01-01', $3, $3)`,
					companyID, unitID, now); err != nil {
					return err
				}
			}
			kind, cat := "charge", "rent"
			if i%2 == 1 {
				kind, cat = "payment", ""
			}
			if len(args) > 0 {
				sb.WriteString(",")
			}
			p := len(args)
			fmt.Fprintf(&sb, "($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)", p+1, p+2, p+3, p+4, p+5, p+6, p+7, p+8, p+9, p+10, p+11)
			args = append(args, companyID, kind, cat, lease, unitID, "Seeded", fmt.Sprintf("%04d-%02d-01", 2016+month/12, month%12+1),
				100000, fmt.Sprintf("bench-%d-%d", companyID, i), "bench", now)
			if len(args) >= 11*400 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return flush()
	})
}
