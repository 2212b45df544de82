package sqldb

import "context"

// OpenAtLevelForTest opens url migrated only up to version level, with the
// migration files in text read as an earlier release had them, and leaves
// it as the releases before migration checksums did: without them.
func OpenAtLevelForTest(ctx context.Context, url string, level int, text map[string]string) (*DB, error) {
	db, err := Open(ctx, url, "", Options{migrateUpTo: level, migrationText: text})
	if err != nil {
		return nil, err
	}
	if _, err := db.write.ExecContext(ctx, `ALTER TABLE schema_migrations DROP COLUMN checksum`); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// MigrationVersionsForTest lists this binary's migration versions.
func MigrationVersionsForTest(d Dialect) ([]int, error) {
	ms, err := migrations(d)
	var vs []int
	for _, m := range ms {
		vs = append(vs, m.version)
	}
	return vs, err
}
