package testkit

import (
	"context"
	"database/sql"
	"net/url"
	"strings"
	"testing"
	"time"

	"lintel.dev/lintel/internal/sqldb"
)

func TestForEachDB(t *testing.T) {
	clock := NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	var seen []sqldb.Dialect
	ForEachDBWith(t, sqldb.Options{Now: clock.Now}, func(t *testing.T, db *sqldb.DB) {
		seen = append(seen, db.Dialect())
		if !strings.HasSuffix(t.Name(), "/"+string(db.Dialect())) {
			t.Errorf("subtest %s runs on %s", t.Name(), db.Dialect())
		}
		if err := db.Ping(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got := db.Now(); !got.Equal(clock.Now()) {
			t.Errorf("db.Now() = %v, want the clock's %v", got, clock.Now())
		}
	})
	if len(seen) != 2 || seen[0] != sqldb.SQLite || seen[1] != sqldb.Postgres {
		t.Errorf("ran on %v, want [sqlite postgres]", seen)
	}
}

func TestPostgresURLIsFreshAndDropped(t *testing.T) {
	var first, second string
	t.Run("create", func(t *testing.T) {
		first, second = PostgresURL(t), PostgresURL(t)
		if first == second {
			t.Fatalf("two calls gave the same database %s", first)
		}
		for _, u := range []string{first, second} {
			db, err := sql.Open("pgx", u)
			if err != nil {
				t.Fatal(err)
			}
			var n int
			// Fresh: no tables at all, not even schema_migrations.
			err = db.QueryRowContext(t.Context(), "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'").Scan(&n)
			db.Close()
			if err != nil {
				t.Fatalf("query %s: %v", u, err)
			}
			if n != 0 {
				t.Errorf("%s has %d tables, want a fresh database", u, n)
			}
		}
	})
	admin, _, err := pgAdmin()
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{first, second} {
		p, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		name := strings.TrimPrefix(p.Path, "/")
		if err := admin.QueryRowContext(context.Background(), "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("database %s still exists after its test ended", name)
		}
	}
}

func TestOpenMigrates(t *testing.T) {
	for _, engine := range []struct {
		name, driver string
		url          func(testing.TB) string
	}{
		{"sqlite", "sqlite", SQLiteURL},
		{"postgres", "pgx", PostgresURL},
	} {
		t.Run(engine.name, func(t *testing.T) {
			u := engine.url(t)
			// Twice: the second Open finds the migrations recorded and
			// applies nothing.
			for range 2 {
				db, err := sqldb.Open(t.Context(), u, "", sqldb.Options{})
				if err != nil {
					t.Fatalf("open %s: %v", u, err)
				}
				db.Close()
			}
			raw, err := sql.Open(engine.driver, u)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			var n int
			if err := raw.QueryRowContext(t.Context(), "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Error("schema_migrations is empty after Open")
			}
		})
	}
}

func TestClock(t *testing.T) {
	start := time.Date(2026, 1, 31, 23, 0, 0, 0, time.UTC)
	c := NewClock(start)
	if got := c.Advance(2 * time.Hour); !got.Equal(start.Add(2*time.Hour)) || !c.Now().Equal(got) {
		t.Errorf("Advance = %v, Now = %v", got, c.Now())
	}
	c.Set(start)
	if !c.Now().Equal(start) {
		t.Errorf("after Set, Now = %v", c.Now())
	}
}
