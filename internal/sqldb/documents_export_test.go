package sqldb

import "context"

// SetNotifyDocumentsForTest sets a login's "e-mail me about documents"
// choice, as the portal's settings page does.
func (db *DB) SetNotifyDocumentsForTest(ctx context.Context, email string, on bool) error {
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE users SET notify_documents = $1 WHERE email = $2`, on, email)
		return err
	})
}
