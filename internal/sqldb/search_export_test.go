package sqldb

import (
	"context"
)

// SeedLeasesForBench gives each of companyID's tenant contacts
// (SeedContactsForBench) a current lease of one of its rentable units
// (SeedUnitsForBench), pairing them in id order, in two INSERT ... SELECTs.
func (db *DB) SeedLeasesForBench(ctx context.Context, companyID int64) error {
	return db.update(ctx, func(tx *Tx) error {
		now := ts(tx.Now)
		if _, err := tx.exec(ctx, `INSERT INTO leases (company_id, unit_id, start_date, created_at, updated_at)
			SELECT u.company_id, u.id, '2024-01-01', $2, $2 FROM
				(SELECT id, company_id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM units WHERE company_id = $1 AND NOT common_area) u
				JOIN (SELECT ROW_NUMBER() OVER (ORDER BY id) AS n FROM contacts WHERE company_id = $1 AND is_tenant) c ON c.n = u.n
			ORDER BY u.id`, companyID, now); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO lease_tenants (lease_id, contact_id, company_id)
			SELECT l.id, c.id, $1 FROM
				(SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM leases WHERE company_id = $1) l
				JOIN (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM contacts WHERE company_id = $1 AND is_tenant) c ON c.n = l.n`, companyID)
		return err
	})
}
