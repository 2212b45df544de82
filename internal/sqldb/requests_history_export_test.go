package sqldb

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// SeedRequestHistoryForBench gives a unit n closed requests on lease
// leaseID (0: none), older than any of the company's: the history a unit
// gathers over years, which a resident's or manager's page must not read.
func (db *DB) SeedRequestHistoryForBench(ctx context.Context, companyID, unitID, leaseID int64, n int) error {
	return db.update(ctx, func(tx *Tx) error {
		var propertyID int64
		if err := tx.get(ctx, `SELECT property_id FROM units WHERE id = $1 AND company_id = $2`, []any{unitID, companyID}, &propertyID); err != nil {
			return err
		}
		var oldest string
		if err := tx.get(ctx, `SELECT COALESCE(MIN(created_at), $1) FROM requests WHERE company_id = $2`, []any{ts(tx.Now), companyID}, &oldest); err != nil {
			return err
		}
		from, err := time.Parse(tsLayout, oldest)
		if err != nil {
			from = tx.Now
		}
		var lease any
		if leaseID != 0 {
			lease = leaseID
		}
		const batch = 200
		for start := 0; start < n; start += batch {
			var sb strings.Builder
			var args []any
			for i := start; i < min(start+batch, n); i++ {
				if len(args) > 0 {
					sb.WriteString(",")
				}
				k := len(args)
				fmt.Fprintf(&sb, "($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)", k+1, k+2, k+3, k+4, k+5, k+6, k+7, k+8, k+9, k+9, k+9)
				created := from.Add(-time.Duration(i+1) * time.Hour)
				status := "closed"
				if i%9 == 0 {
					status = "cancelled"
				}
				args = append(args, companyID, propertyID, unitID, lease, "Plumbing",
					fmt.Sprintf("Old request %06d: tap drips", i), "The kitchen tap drips again.", status, ts(created))
			}
			if _, err := tx.exec(ctx, `INSERT INTO requests (company_id, property_id, unit_id, lease_id, category_name, summary, description,
				status, created_at, updated_at, closed_at) VALUES `+sb.String(), args...); err != nil {
				return err
			}
		}
		return nil
	})
}
