package sqldb

import "context"

// Test-only doors for the storage quota tests in sqldb_test.

// InsertFileForTest records a file as every upload does (tx.insertFile).
func (db *DB) InsertFileForTest(ctx context.Context, companyID int64, f NewFile) (int64, error) {
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.insertFile(ctx, companyID, f, "test")
		return err
	})
	return id, err
}

// DeleteFilesForTest removes file rows as the code that deletes files does
// (tx.deleteFiles).
func (db *DB) DeleteFilesForTest(ctx context.Context, companyID int64, ids ...int64) ([]string, error) {
	var keys []string
	err := db.update(ctx, func(tx *Tx) error {
		var err error
		keys, err = tx.deleteFiles(ctx, companyID, ids...)
		return err
	})
	return keys, err
}

// RemigrateForTest takes migration version back out with the undo
// statements, runs before (to set up rows as they were before it), and
// migrates again, so the test sees the migration run on existing data.
func (db *DB) RemigrateForTest(ctx context.Context, version int, undo []string, before func() error) error {
	err := db.update(ctx, func(tx *Tx) error {
		for _, q := range undo {
			if _, err := tx.exec(ctx, q); err != nil {
				return err
			}
		}
		_, err := tx.exec(ctx, `DELETE FROM schema_migrations WHERE version = $1`, version)
		return err
	})
	if err != nil {
		return err
	}
	if err := before(); err != nil {
		return err
	}
	return db.migrate(ctx)
}
