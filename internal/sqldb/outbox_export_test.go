package sqldb

import (
	"context"

	"lintel.dev/lintel/internal/lintel"
)

// EnqueueEmailForTest queues m in a transaction that then runs fn; an error
// from fn rolls the transaction back, as any failed change would.
func (db *DB) EnqueueEmailForTest(ctx context.Context, m lintel.Email, fn func() error) error {
	return db.update(ctx, func(tx *Tx) error {
		if err := tx.enqueueEmail(ctx, m); err != nil {
			return err
		}
		return fn()
	})
}
