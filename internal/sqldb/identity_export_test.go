package sqldb

import "context"

// Test-only doors for the identity tests in sqldb_test: raw SQL to build
// contacts, leases and ownerships without depending on the code that
// manages them, and to look at rows no public method shows.

// IdentityExecForTest runs one statement.
func (db *DB) IdentityExecForTest(ctx context.Context, q string, args ...any) error {
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, q, args...)
		return err
	})
}

// IdentityInsertForTest runs an INSERT and returns the new row's id.
func (db *DB) IdentityInsertForTest(ctx context.Context, q string, args ...any) (int64, error) {
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.insert(ctx, q, args...)
		return err
	})
	return id, err
}

// IdentityCountForTest runs a query answering one integer.
func (db *DB) IdentityCountForTest(ctx context.Context, q string, args ...any) (int, error) {
	var n int
	err := db.view(ctx, func(tx *Tx) error { return tx.get(ctx, q, args, &n) })
	return n, err
}

// NowForTest formats t as the store does, for raw inserts.
func NowForTest(db *DB) string { return ts(db.Now()) }
