package sqldb

import (
	"context"
	"fmt"

	"lintel.dev/lintel/internal/lintel"
)

// SeedReceivablesForBench gives companyID n units in properties of 50,
// each leased to one tenant, with three monthly rent charges (due 75, 45
// and 15 days before today) and a payment that paid the oldest; every
// fifth unit is vacant instead. Rows are written directly in one
// transaction, receivable balances cached as the core would; postings are
// left out, as the reports do not read them.
func (db *DB) SeedReceivablesForBench(ctx context.Context, companyID int64, n int) error {
	return db.update(ctx, func(tx *Tx) error {
		now := ts(tx.Now)
		today := lintel.DateOf(tx.Now)
		var property int64
		for i := range n {
			var err error
			if i%50 == 0 {
				property, err = tx.insert(ctx, `INSERT INTO properties (company_id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)`,
					companyID, fmt.Sprintf("Bench Block %04d", i/50), now)
				if err != nil {
					return err
				}
			}
			unit, err := tx.insert(ctx, `INSERT INTO units (company_id, property_id, label, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)`,
				companyID, property, fmt.Sprintf("Flat %02d", i%50), now)
			if err != nil {
				return err
			}
			if i%5 == 4 {
				continue
			}
			lease, err := tx.insert(ctx, `INSERT INTO leases (company_id, unit_id, start_date, month_to_month, rent_minor, rent_due_day, deposit_minor, created_at, updated_at)
				VALUES ($1, $2, $3, TRUE, 100000, 1, 100000, $4, $4)`, companyID, unit, today.AddDays(-400), now)
			if err != nil {
				return err
			}
			contact, err := tx.insert(ctx, `INSERT INTO contacts (company_id, name, is_tenant, created_at, updated_at) VALUES ($1, $2, TRUE, $3, $3)`,
				companyID, fmt.Sprintf("Tenant %05d", i), now)
			if err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `INSERT INTO lease_tenants (lease_id, contact_id, company_id) VALUES ($1, $2, $3)`, lease, contact, companyID); err != nil {
				return err
			}
			var charges []int64
			for m, days := range []int{75, 45, 15} {
				id, err := tx.insert(ctx, `INSERT INTO ledger_transactions (company_id, kind, category, lease_id, property_id, unit_id, description,
					effective_date, amount_minor, idempotency_key, created_by, created_at) VALUES ($1, 'charge', 'rent', $2, $3, $4, $5, $6, 100000, $7, 'bench', $8)`,
					companyID, lease, property, unit, fmt.Sprintf("Rent %d", m), today.AddDays(-days), fmt.Sprintf("bench:%d:%d", lease, m), now)
				if err != nil {
					return err
				}
				charges = append(charges, id)
			}
			pay, err := tx.insert(ctx, `INSERT INTO ledger_transactions (company_id, kind, lease_id, property_id, unit_id, description,
				effective_date, amount_minor, method, receipt_number, idempotency_key, created_by, created_at)
				VALUES ($1, 'payment', $2, $3, $4, 'Payment', $5, 100000, 'bank_transfer', $6, $7, 'bench', $8)`,
				companyID, lease, property, unit, today.AddDays(-70), i+1, fmt.Sprintf("bench:%d:pay", lease), now)
			if err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `INSERT INTO ledger_allocations (company_id, source_id, charge_id, amount_minor, created_at) VALUES ($1, $2, $3, 100000, $4)`,
				companyID, pay, charges[0], now); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `INSERT INTO ledger_accounts (company_id, kind, lease_id, balance_minor, created_at) VALUES ($1, 'receivable', $2, 200000, $3)`,
				companyID, lease, now); err != nil {
				return err
			}
		}
		return nil
	})
}
