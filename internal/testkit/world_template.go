package testkit

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"lintel.dev/lintel/internal/sqldb"
)

// Building NewWorld's two companies is most of what a typical test does
// before it starts, and under -race the pure-Go SQLite makes it slow. On
// SQLite, SQLiteWorld builds the world once per test binary and minute of
// the test's clock, and each test starts from a byte copy of that file and
// a copy of the World: the same rows, ids and link tokens NewWorld would
// give, stamped with the start of the clock's minute (a test clock set on
// the minute gets exactly its own time).

// worldKey picks a built world: the minute its rows are stamped with.
type worldKey struct{ minute int64 }

type worldTemplate struct {
	once  sync.Once
	path  string
	world *World
	err   error
}

var worldTemplates struct {
	mu   sync.Mutex
	dir  string
	byAt map[worldKey]*worldTemplate
}

// SQLiteWorld opens a fresh SQLite database holding NewWorld's companies,
// and returns it with the World. At most one Options may be given; its Now
// is the test's clock.
func SQLiteWorld(t testing.TB, opts ...sqldb.Options) (*sqldb.DB, *World) {
	t.Helper()
	var opt sqldb.Options
	if len(opts) > 1 {
		t.Fatalf("testkit: give at most one sqldb.Options, got %d", len(opts))
	} else if len(opts) == 1 {
		opt = opts[0]
	}
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}
	at := now().UTC().Truncate(time.Minute)
	tpl, err := worldTemplateAt(t, at)
	if err != nil {
		t.Fatalf("testkit: build the world template: %v", err)
	}
	path := SQLiteURL(t)
	data, err := os.ReadFile(tpl.path)
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatalf("testkit: %v", err)
	}
	return open(t, "sqlite", path, []sqldb.Options{opt}), tpl.world.clone()
}

// ForEachWorld is ForEachDB with NewWorld's companies already in each
// database: from the SQLite template on SQLite, built afresh on PostgreSQL.
func ForEachWorld(t *testing.T, fn func(t *testing.T, db *sqldb.DB, w *World)) {
	t.Helper()
	ForEachWorldWith(t, sqldb.Options{}, fn)
}

// ForEachWorldWith is ForEachWorld with options for sqldb.Open.
func ForEachWorldWith(t *testing.T, opt sqldb.Options, fn func(t *testing.T, db *sqldb.DB, w *World)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		db, w := SQLiteWorld(t, opt)
		fn(t, db, w)
	})
	t.Run("postgres", func(t *testing.T) {
		db := Postgres(t, opt)
		fn(t, db, NewWorld(t, db))
	})
}

func worldTemplateAt(t testing.TB, at time.Time) (*worldTemplate, error) {
	worldTemplates.mu.Lock()
	if worldTemplates.byAt == nil {
		worldTemplates.byAt = map[worldKey]*worldTemplate{}
	}
	if worldTemplates.dir == "" {
		if err := os.MkdirAll(sqliteTemplateDir(), 0o755); err != nil {
			worldTemplates.mu.Unlock()
			return nil, err
		}
		dir, err := os.MkdirTemp(sqliteTemplateDir(), "worlds-")
		if err != nil {
			worldTemplates.mu.Unlock()
			return nil, err
		}
		worldTemplates.dir = dir
		pruneWorldDirs(dir)
	}
	key := worldKey{at.Unix()}
	tpl, ok := worldTemplates.byAt[key]
	if !ok {
		tpl = &worldTemplate{}
		worldTemplates.byAt[key] = tpl
	}
	dir := worldTemplates.dir
	worldTemplates.mu.Unlock()
	tpl.once.Do(func() {
		// NewWorld fails its test with t.Fatal, which leaves this Do
		// without a result: the tests after it are told why.
		tpl.err = fmt.Errorf("an earlier test failed while building the world (see its output)")
		tpl.path, tpl.world, tpl.err = buildWorldTemplate(t, dir, at)
	})
	return tpl, tpl.err
}

// buildWorldTemplate runs NewWorld at a clock stopped at at, in a copy of
// the migrated database, and packs the result into one file.
func buildWorldTemplate(t testing.TB, dir string, at time.Time) (string, *World, error) {
	work := filepath.Join(dir, fmt.Sprintf("build-%d.db", at.Unix()))
	final := filepath.Join(dir, fmt.Sprintf("world-%d.db", at.Unix()))
	copySQLite(t, work)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db, err := sqldb.Open(ctx, work, "", sqldb.Options{Now: func() time.Time { return at }})
	if err != nil {
		return "", nil, err
	}
	w := NewWorld(t, db)
	err = db.BackupTo(ctx, final)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	_ = os.Remove(work)
	_ = os.Remove(work + "-wal")
	_ = os.Remove(work + "-shm")
	return final, w, err
}

// pruneWorldDirs removes the world templates of earlier test binaries once
// they are an hour old.
func pruneWorldDirs(keep string) {
	old, _ := filepath.Glob(filepath.Join(sqliteTemplateDir(), "worlds-*"))
	for _, p := range old {
		if st, err := os.Stat(p); err == nil && p != keep && time.Since(st.ModTime()) > time.Hour {
			_ = os.RemoveAll(p)
		}
	}
}

// clone copies w deeply enough that a test may change its copy.
func (w *World) clone() *World {
	return &World{A: w.A.clone(), B: w.B.clone()}
}

func (c *Company) clone() *Company {
	d := *c
	d.Staff = maps.Clone(c.Staff)
	d.Users = maps.Clone(c.Users)
	d.Emails = maps.Clone(c.Emails)
	d.Contacts = maps.Clone(c.Contacts)
	d.DocumentKeys = slices.Clone(c.DocumentKeys)
	return &d
}
