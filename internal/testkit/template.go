package testkit

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"lintel.dev/lintel/internal/sqldb"
)

// Migrating a database from the first migration takes most of a second
// under -race, and the suite opens hundreds. Each test binary migrates one
// database per engine, once, and every test starts from a copy of it: a
// file copy for SQLite, CREATE DATABASE … TEMPLATE for PostgreSQL. The
// migrated originals are named by sqldb.MigrationsDigest, so a change to
// any migration makes new ones, and later runs and the other test binaries
// reuse them. sqldb.Open still runs (and finds nothing to do), so the
// product's own start-up checks run on every copy.

// sqliteTemplateDir keeps the migrated SQLite originals between runs.
func sqliteTemplateDir() string { return filepath.Join(os.TempDir(), "lintel-testkit") }

var sqliteTemplate struct {
	once sync.Once
	path string
	err  error
}

// migratedSQLite returns the path of a migrated SQLite database to copy.
func migratedSQLite() (string, error) {
	sqliteTemplate.once.Do(func() {
		sqliteTemplate.path, sqliteTemplate.err = buildSQLiteTemplate()
	})
	return sqliteTemplate.path, sqliteTemplate.err
}

func buildSQLiteTemplate() (string, error) {
	digest, err := sqldb.MigrationsDigest(sqldb.SQLite)
	if err != nil {
		return "", err
	}
	dir := sqliteTemplateDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	final := filepath.Join(dir, "sqlite-"+digest+".db")
	if _, err := os.Stat(final); err == nil {
		return final, nil
	}
	work, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db, err := sqldb.Open(ctx, filepath.Join(work, "migrated.db"), "", sqldb.Options{})
	if err != nil {
		return "", fmt.Errorf("migrate the SQLite template: %w", err)
	}
	if err := db.Close(); err != nil {
		return "", err
	}
	// VACUUM INTO writes one self-contained file: nothing left in a WAL
	// that a plain copy would miss.
	raw, err := sql.Open("sqlite", filepath.Join(work, "migrated.db"))
	if err != nil {
		return "", err
	}
	packed := filepath.Join(work, "packed.db")
	_, err = raw.ExecContext(ctx, "VACUUM INTO '"+strings.ReplaceAll(packed, "'", "''")+"'")
	raw.Close()
	if err != nil {
		return "", fmt.Errorf("pack the SQLite template: %w", err)
	}
	// Another test binary may have finished first: either file will do,
	// and rename replaces atomically.
	if err := os.Rename(packed, final); err != nil {
		return "", err
	}
	pruneSQLiteTemplates(dir, final)
	return final, nil
}

// pruneSQLiteTemplates removes originals of older schemas, left by earlier
// runs, once they are an hour old (a test binary of the previous schema
// may still be copying one).
func pruneSQLiteTemplates(dir, keep string) {
	old, _ := filepath.Glob(filepath.Join(dir, "sqlite-*.db"))
	for _, p := range old {
		if st, err := os.Stat(p); err == nil && p != keep && time.Since(st.ModTime()) > time.Hour {
			_ = os.Remove(p)
		}
	}
}

// copySQLite copies the migrated original to path.
func copySQLite(t testing.TB, path string) {
	t.Helper()
	src, err := migratedSQLite()
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	in, err := os.Open(src)
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	defer in.Close()
	out, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		t.Fatalf("testkit: copy the SQLite template: %v", err)
	}
	if err := out.Close(); err != nil {
		t.Fatalf("testkit: %v", err)
	}
}

var pgTemplate struct {
	once sync.Once
	name string
	err  error
}

// migratedPostgres returns the name of a migrated PostgreSQL database to
// use as a template, making it once per cluster and schema.
func migratedPostgres(admin *sql.DB, adminURL string) (string, error) {
	pgTemplate.once.Do(func() {
		pgTemplate.name, pgTemplate.err = buildPostgresTemplate(admin, adminURL)
	})
	return pgTemplate.name, pgTemplate.err
}

func buildPostgresTemplate(admin *sql.DB, adminURL string) (string, error) {
	digest, err := sqldb.MigrationsDigest(sqldb.Postgres)
	if err != nil {
		return "", err
	}
	name := "lintel_template_" + digest
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	exists := func() (bool, error) {
		var n int
		err := admin.QueryRowContext(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n)
		return n > 0, err
	}
	if ok, err := exists(); err != nil || ok {
		return name, err
	}
	// Test binaries run side by side: one builds, the others wait for it.
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(7340002)"); err != nil {
		return "", err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(7340002)")
	if ok, err := exists(); err != nil || ok {
		return name, err
	}
	// Built under another name and renamed when whole, so that a run
	// killed half-way leaves nothing a later run would take for a template.
	build := "lintel_template_build_" + randomHex(6)
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+build); err != nil {
		return "", err
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", err
	}
	u.Path = "/" + build
	db, err := sqldb.Open(ctx, u.String(), "", sqldb.Options{})
	if err != nil {
		_, _ = conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+build+" WITH (FORCE)")
		return "", fmt.Errorf("migrate the PostgreSQL template: %w", err)
	}
	db.Close()
	// A closed pool's back-ends may take a moment to leave; the rename
	// (and every later copy) needs the database to itself.
	if _, err := conn.ExecContext(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", build); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, "ALTER DATABASE "+build+" RENAME TO "+name); err != nil {
		return "", err
	}
	return name, nil
}

// createFromTemplate makes database name as a copy of the template,
// waiting out the moment when a back-end of the template's build is still
// leaving.
func createFromTemplate(ctx context.Context, admin *sql.DB, name, template string) error {
	for {
		_, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE "+template)
		if err == nil || !strings.Contains(err.Error(), "is being accessed by other users") {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(50 * time.Millisecond):
		}
	}
}
