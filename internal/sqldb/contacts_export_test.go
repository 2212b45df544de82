package sqldb

import (
	"context"
	"fmt"
)

// SeedContactsForBench inserts n contacts of companyID in one transaction,
// each with two e-mails and a phone, every third a tenant, owner or
// operator; names repeat every 1,000 so pages hold equal names.
func (db *DB) SeedContactsForBench(ctx context.Context, companyID int64, n int) error {
	return db.update(ctx, func(tx *Tx) error {
		now := ts(tx.Now)
		first := []string{"Maya", "Noah", "Liam", "Olivia", "Amara", "Kenji", "Sofia", "Omar", "Priya", "Lucas"}
		last := []string{"Chen", "Osei", "Brandt", "Novak", "Reyes", "Okafor", "Tanaka", "Haddad", "Larsen", "Silva"}
		for i := range n {
			name := fmt.Sprintf("%s %s %03d", first[i%10], last[(i/10)%10], (i/100)%10)
			id, err := tx.insert(ctx, `INSERT INTO contacts (company_id, name, is_tenant, is_owner, is_operator, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)`,
				companyID, name, i%3 == 0, i%3 == 1, i%3 == 2, now)
			if err != nil {
				return err
			}
			for j, e := range []string{fmt.Sprintf("c%d.%d@example.com", companyID, i), fmt.Sprintf("c%d.%d@work.example.com", companyID, i)} {
				if _, err := tx.exec(ctx, `INSERT INTO contact_emails (company_id, contact_id, email, position) VALUES ($1, $2, $3, $4)`, companyID, id, e, j); err != nil {
					return err
				}
			}
			if _, err := tx.exec(ctx, `INSERT INTO contact_phones (company_id, contact_id, phone, position) VALUES ($1, $2, $3, 0)`, companyID, id, fmt.Sprintf("555 %07d", i)); err != nil {
				return err
			}
		}
		return nil
	})
}
