package sqldb

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// BackupTo writes a consistent copy of a SQLite database to path while
// writers keep running (VACUUM INTO takes a read snapshot). PostgreSQL is
// backed up with its own tools (pg_dump), so it answers an error.
func (db *DB) BackupTo(ctx context.Context, path string) error {
	if db.dialect != SQLite {
		return errors.New("online backup from Lintel is for SQLite; back up PostgreSQL with pg_dump")
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup target %s exists: choose a new file name", path)
	}
	if _, err := db.read.ExecContext(ctx, "VACUUM INTO $1", path); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}
