package testkit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"

	"lintel.dev/lintel/internal/sqldb"
)

// PostgresEnv names the environment variable with the admin URL of a
// PostgreSQL server for tests, e.g.
// postgres://lintel@127.0.0.1:55432/postgres?sslmode=disable. The user must
// be allowed to create databases. `make test` sets it.
const PostgresEnv = "LINTEL_TEST_POSTGRES_URL"

// The throwaway cluster testkit starts when PostgresEnv is unset. It lives in
// a fixed folder and stays running after the tests, so the next run (and
// every test binary of this run) reuses it instead of paying for initdb.
const (
	localPGDir  = "/tmp/lintel-test-pg"
	localPGPort = 55432
	localPGUser = "lintel"
)

const testDepsHint = "run `make test-deps` (or set " + PostgresEnv + " to a PostgreSQL admin URL)"

// ForEachDB runs fn as the subtests "sqlite" and "postgres", each on a fresh,
// migrated database.
func ForEachDB(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	ForEachDBWith(t, sqldb.Options{}, fn)
}

// ForEachDBWith is ForEachDB with options for sqldb.Open, e.g. a Clock's Now.
func ForEachDBWith(t *testing.T, opt sqldb.Options, fn func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t, opt)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t, opt)) })
}

// SQLite opens a fresh, migrated SQLite database in a file under t.TempDir()
// (a copy of one migrated once per schema). At most one Options may be given.
func SQLite(t testing.TB, opts ...sqldb.Options) *sqldb.DB {
	t.Helper()
	path := SQLiteURL(t)
	copySQLite(t, path)
	return open(t, "sqlite", path, opts)
}

// SQLiteURL returns the path of a SQLite database file that does not exist
// yet, in t.TempDir(): what `lintel --database-url` takes.
func SQLiteURL(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "lintel.db")
}

// Postgres creates a fresh, migrated PostgreSQL database (a copy of a
// template migrated once per schema), dropped when the test ends. At most
// one Options may be given.
func Postgres(t testing.TB, opts ...sqldb.Options) *sqldb.DB {
	t.Helper()
	return open(t, "postgres", postgresDatabase(t, true), opts)
}

func open(t testing.TB, engine, dsn string, opts []sqldb.Options) *sqldb.DB {
	t.Helper()
	var opt sqldb.Options
	switch len(opts) {
	case 0:
	case 1:
		opt = opts[0]
	default:
		t.Fatalf("testkit: give at most one sqldb.Options, got %d", len(opts))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := sqldb.Open(ctx, dsn, "", opt)
	if err != nil {
		t.Fatalf("testkit: open and migrate the %s test database: %v", engine, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// PostgresURL creates a fresh, empty PostgreSQL database (not migrated) and
// returns its URL; the database is dropped when the test ends. Without
// PostgresEnv it starts, or reuses, a local throwaway cluster; when
// PostgreSQL is missing it fails the test, saying to run `make test-deps`.
func PostgresURL(t testing.TB) string {
	t.Helper()
	return postgresDatabase(t, false)
}

// postgresDatabase creates a database for one test, a copy of the migrated
// template when migrated is set, and returns its URL.
func postgresDatabase(t testing.TB, migrated bool) string {
	t.Helper()
	admin, adminURL, err := pgAdmin()
	if err != nil {
		t.Fatalf("testkit: no PostgreSQL for tests: %v\n%s", err, testDepsHint)
	}
	name := "lintel_test_" + randomHex(8)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if migrated {
		tpl, err := migratedPostgres(admin, adminURL)
		if err != nil {
			t.Fatalf("testkit: %v", err)
		}
		if err := createFromTemplate(ctx, admin, name, tpl); err != nil {
			t.Fatalf("testkit: create PostgreSQL database %s from %s: %v", name, tpl, err)
		}
	} else if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("testkit: create PostgreSQL database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// FORCE ends connections a test left open (a server still shutting
		// down, a leaked pool) instead of failing the drop.
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("testkit: drop PostgreSQL database %s: %v", name, err)
		}
	})
	u, err := url.Parse(adminURL)
	if err != nil {
		t.Fatalf("testkit: %s is not a URL: %v", PostgresEnv, err)
	}
	u.Path = "/" + name
	return u.String()
}

var pgState struct {
	once sync.Once
	db   *sql.DB
	url  string
	err  error
}

// pgAdmin connects, once per test binary, to the admin database.
func pgAdmin() (*sql.DB, string, error) {
	pgState.once.Do(func() {
		u := os.Getenv(PostgresEnv)
		if u == "" {
			u, pgState.err = ensureLocalPG()
			if pgState.err != nil {
				return
			}
		}
		pgState.url = u
		pgState.db, pgState.err = connectPG(u, 15*time.Second)
	})
	return pgState.db, pgState.url, pgState.err
}

// connectPG opens u and waits up to wait for it to answer.
func connectPG(u string, wait time.Duration) (*sql.DB, error) {
	db, err := sql.Open("pgx", u)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", redact(u), err)
	}
	db.SetMaxOpenConns(4)
	deadline := time.Now().Add(wait)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		err = db.PingContext(ctx)
		cancel()
		if err == nil {
			return db, nil
		}
		if time.Now().After(deadline) {
			db.Close()
			return nil, fmt.Errorf("connect to %s: %w", redact(u), err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func redact(u string) string {
	if p, err := url.Parse(u); err == nil {
		return p.Redacted()
	}
	return "the PostgreSQL URL"
}

// ensureLocalPG starts the throwaway cluster unless it already runs. A file
// lock serialises the test binaries that `go test ./...` runs in parallel,
// so only one of them runs initdb and pg_ctl.
func ensureLocalPG() (string, error) {
	adminURL := fmt.Sprintf("postgres://%s@127.0.0.1:%d/postgres?sslmode=disable", localPGUser, localPGPort)
	lock, err := os.OpenFile(localPGDir+".lock", os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return "", fmt.Errorf("open lock file: %w", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", fmt.Errorf("lock %s: %w", lock.Name(), err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)

	if db, err := connectPG(adminURL, 0); err == nil {
		db.Close()
		return adminURL, nil
	}
	bin, err := pgBinDir()
	if err != nil {
		return "", err
	}
	root := os.Geteuid() == 0
	if err := os.MkdirAll(localPGDir, 0o700); err != nil {
		return "", err
	}
	if root {
		// PostgreSQL refuses to run as root; the Debian package's postgres
		// user owns the cluster instead.
		if out, err := exec.Command("chown", "-R", "postgres:postgres", localPGDir).CombinedOutput(); err != nil {
			return "", fmt.Errorf("chown %s to postgres: %v: %s", localPGDir, err, out)
		}
	}
	data := filepath.Join(localPGDir, "data")
	logFile := filepath.Join(localPGDir, "log")
	if _, err := os.Stat(filepath.Join(data, "PG_VERSION")); err != nil {
		_ = os.RemoveAll(data) // a half-done initdb
		if out, err := asPG(root, filepath.Join(bin, "initdb"), "-D", data, "-U", localPGUser, "--auth=trust", "-E", "UTF8", "--no-sync"); err != nil {
			return "", fmt.Errorf("initdb: %v: %s", err, out)
		}
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=500", localPGPort, localPGDir)
	if out, err := asPG(root, filepath.Join(bin, "pg_ctl"), "-D", data, "-o", opts, "-l", logFile, "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(logFile)
		return "", fmt.Errorf("pg_ctl start: %v: %s\nserver log %s:\n%s", err, out, logFile, tail(string(log), 20))
	}
	return adminURL, nil
}

// pgBinDir finds the newest /usr/lib/postgresql/<version>/bin, or the folder
// of initdb on PATH.
func pgBinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) < pgVersion(dirs[j]) })
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "pg_ctl")); err == nil {
			return dirs[i], nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/pg_ctl and no initdb on PATH)")
}

func pgVersion(binDir string) int {
	var v int
	fmt.Sscanf(filepath.Base(filepath.Dir(binDir)), "%d", &v)
	return v
}

// asPG runs a PostgreSQL program, as the postgres user when we are root.
func asPG(root bool, name string, args ...string) ([]byte, error) {
	var cmd *exec.Cmd
	if root {
		line := shellQuote(name)
		for _, a := range args {
			line += " " + shellQuote(a)
		}
		cmd = exec.Command("su", "postgres", "-s", "/bin/sh", "-c", line)
	} else {
		cmd = exec.Command(name, args...)
	}
	// The server pg_ctl starts outlives this command; should it inherit our
	// output pipe, WaitDelay stops Wait from waiting for it.
	cmd.WaitDelay = 5 * time.Second
	return cmd.CombinedOutput()
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Clock is a settable clock for sqldb.Options.Now and the like. Safe for
// concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Advance moves the clock forward by d and returns the new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}
