package sqldb

import "context"

// EnqueueReceiptEmailsForTest queues a payment's receipt job as the
// payment's own transaction does.
func (db *DB) EnqueueReceiptEmailsForTest(ctx context.Context, companyID, paymentID int64) error {
	return db.update(ctx, func(tx *Tx) error { return tx.enqueueReceiptEmails(ctx, companyID, paymentID) })
}
