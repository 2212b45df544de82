package sqldb

import "context"

// ArchiveOwnershipsForTest archives every ownership of a property, so a
// test can ask for approval of work nobody owns.
func (db *DB) ArchiveOwnershipsForTest(ctx context.Context, companyID, propertyID int64) error {
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE ownerships SET archived_at = $1 WHERE company_id = $2 AND property_id = $3`, ts(tx.Now), companyID, propertyID)
		return err
	})
}
