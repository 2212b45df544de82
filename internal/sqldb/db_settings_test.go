package sqldb_test

import (
	"context"
	"testing"

	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// The connection settings the pages' speed rests on: on SQLite the file is
// read through memory maps rather than a read call per page; on PostgreSQL
// statements run on generic plans unless the URL says otherwise.
func TestConnectionSettings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name, url, setting, want string
	}{
		{"sqlite maps the file", testkit.SQLiteURL(t), "mmap_size", "1073741824"},
		{"postgres plans once", testkit.PostgresURL(t), "plan_cache_mode", "force_generic_plan"},
		{"postgres URL wins", testkit.PostgresURL(t) + "&plan_cache_mode=auto", "plan_cache_mode", "auto"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := sqldb.Open(ctx, tc.url, t.TempDir(), sqldb.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			got, err := db.SettingForTest(ctx, tc.setting)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("%s = %q, want %q", tc.setting, got, tc.want)
			}
		})
	}
}
