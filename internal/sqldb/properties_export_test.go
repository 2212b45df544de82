package sqldb

import (
	"context"
	"fmt"
	"strings"

	"lintel.dev/lintel/internal/lintel"
)

// Test-only doors for the sqldb_test package: the property tests need
// contacts and leases without depending on the code that manages them.

// SeedContactForTest inserts a contact of companyID.
func (db *DB) SeedContactForTest(ctx context.Context, companyID int64, name string, owner, tenant bool) (int64, error) {
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.insert(ctx, `INSERT INTO contacts (company_id, name, is_owner, is_tenant, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)`,
			companyID, name, owner, tenant, ts(tx.Now))
		return err
	})
	return id, err
}

// SeedLeaseForTest inserts a lease of unitID with tenants.
func (db *DB) SeedLeaseForTest(ctx context.Context, companyID, unitID int64, start, end lintel.Date, tenants ...int64) (int64, error) {
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.insert(ctx, `INSERT INTO leases (company_id, unit_id, start_date, end_date, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)`,
			companyID, unitID, start, end, ts(tx.Now))
		if err != nil {
			return err
		}
		for _, c := range tenants {
			if _, err := tx.exec(ctx, `INSERT INTO lease_tenants (lease_id, contact_id, company_id) VALUES ($1, $2, $3)`, id, c, companyID); err != nil {
				return err
			}
		}
		return err
	})
	return id, err
}

// SeedUnitsForBench inserts nProps properties of companyID with
// unitsPer units each, in one transaction of multi-row INSERTs: seeding
// 20,000 units one statement at a time would dominate the benchmark.
func (db *DB) SeedUnitsForBench(ctx context.Context, companyID int64, nProps, unitsPer int) error {
	return db.update(ctx, func(tx *Tx) error {
		now := ts(tx.Now)
		const batch = 400 // well under SQLite's parameter limit
		for start := 0; start < nProps; start += batch {
			var sb strings.Builder
			var args []any
			for i := start; i < min(start+batch, nProps); i++ {
				if len(args) > 0 {
					sb.WriteString(",")
				}
				n := len(args)
				fmt.Fprintf(&sb, "($%d, $%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5, n+5)
				args = append(args, companyID, fmt.Sprintf("Property %05d", i), fmt.Sprintf("%d Main Street", i), []string{"Springfield", "Shelbyville", "Ogdenville"}[i%3], now)
			}
			if _, err := tx.exec(ctx, `INSERT INTO properties (company_id, name, address_line1, city, created_at, updated_at) VALUES `+sb.String(), args...); err != nil {
				return err
			}
		}
		rows, err := tx.QueryContext(ctx, `SELECT id FROM properties WHERE company_id = $1 ORDER BY id`, companyID)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		type unit struct {
			prop  int64
			label string
			ca    bool
		}
		var all []unit
		for _, p := range ids {
			for j := range unitsPer {
				all = append(all, unit{p, fmt.Sprintf("Unit %03d", j), j == unitsPer-1 && unitsPer > 1})
			}
		}
		for start := 0; start < len(all); start += batch {
			var sb strings.Builder
			var args []any
			for _, u := range all[start:min(start+batch, len(all))] {
				if len(args) > 0 {
					sb.WriteString(",")
				}
				n := len(args)
				fmt.Fprintf(&sb, "($%d, $%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5, n+5)
				args = append(args, companyID, u.prop, u.label, u.ca, now)
			}
			if _, err := tx.exec(ctx, `INSERT INTO units (company_id, property_id, label, common_area, created_at, updated_at) VALUES `+sb.String(), args...); err != nil {
				return err
			}
		}
		return nil
	})
}
