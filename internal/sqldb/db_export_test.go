package sqldb

import "context"

// SettingForTest reads one of the connection's settings as the readers
// see it: a PostgreSQL parameter (SHOW) or a SQLite pragma.
func (db *DB) SettingForTest(ctx context.Context, name string) (string, error) {
	q := "SHOW " + name
	if db.dialect == SQLite {
		q = "PRAGMA " + name
	}
	var v string
	err := db.read.QueryRowContext(ctx, q).Scan(&v)
	return v, err
}
