// Package sqldb is Lintel's one store over SQLite and PostgreSQL. Every
// public method takes the actor it acts for (lintel.Staff, lintel.Resident,
// ...) and scopes its SQL by it: an object outside the actor's scope answers
// lintel.ErrNotFound, the same as one that does not exist.
//
// The SQL is one portable subset ($N parameters, RETURNING, ON CONFLICT);
// dialect differences live in migrations/, not in branches here.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib" // also registers "pgx" for the tools that open a URL
	"modernc.org/sqlite"             // also registers "sqlite" for the tools that open a file by name
)

// Dialect names the SQL engine behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the store. It is safe for concurrent use.
type DB struct {
	dialect Dialect
	write   *sql.DB // SQLite: one connection, BEGIN IMMEDIATE; Postgres: same as read
	read    *sql.DB
	log     *slog.Logger
	now     func() time.Time

	migrateUpTo   int               // Options.migrateUpTo
	migrationText map[string]string // Options.migrationText

	dashboards       companyCache[DashboardCounts]
	rentTotals       companyCache[RentRollTotals]
	receivableTotals companyCache[keptReceivables]
}

// Options tune Open.
type Options struct {
	Logger *slog.Logger
	Now    func() time.Time // the clock; time.Now when nil

	// The upgrade tests build databases as earlier releases left them
	// (export_test.go): only the migrations up to migrateUpTo, with the
	// files in migrationText read as they were then.
	migrateUpTo   int
	migrationText map[string]string
}

// Open connects to url and runs pending migrations. url is a postgres://
// URL, or a SQLite file path (optionally "sqlite:" prefixed). An empty url
// means the SQLite file lintel.db inside dataDir.
func Open(ctx context.Context, url, dataDir string, opt Options) (*DB, error) {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	db := &DB{log: opt.Logger, now: opt.Now, migrateUpTo: opt.migrateUpTo, migrationText: opt.migrationText}
	switch {
	case strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://"):
		db.dialect = Postgres
		cfg, err := pgx.ParseConfig(url)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w (the database URL must look like postgres://user:password@host:5432/name)", err)
		}
		// pgx prepares each statement once per connection, but PostgreSQL
		// still plans it afresh on every run for its first executions and,
		// for the portal's and reports' CTEs, for ever after (a custom plan
		// looks cheaper than the generic one): planning was most of the
		// server's time on a page. Every statement here looks rows up by
		// ids within one company, which a generic plan serves as well; the
		// text searches ask for custom plans themselves. A plan_cache_mode
		// in the URL wins.
		if _, ok := cfg.RuntimeParams["plan_cache_mode"]; !ok {
			cfg.RuntimeParams["plan_cache_mode"] = "force_generic_plan"
		}
		db.read = stdlib.OpenDB(*cfg)
		db.read.SetMaxOpenConns(20)
		// As many kept as may be open: under load a pool that keeps fewer
		// closes connections after each burst and opens them again (a
		// PostgreSQL back-end start and pgx's prepared statements lost).
		db.read.SetMaxIdleConns(20)
		db.read.SetConnMaxIdleTime(5 * time.Minute)
		db.write = db.read
	default:
		db.dialect = SQLite
		path := strings.TrimPrefix(url, "sqlite:")
		if path == "" {
			if err := os.MkdirAll(dataDir, 0o750); err != nil {
				return nil, fmt.Errorf("create data folder %s: %w", dataDir, err)
			}
			path = filepath.Join(dataDir, "lintel.db")
		}
		if err := db.openSQLite(path); err != nil {
			return nil, err
		}
	}
	if err := db.ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if db.dialect == SQLite {
		if err := db.checkPragmas(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

// sqlitePragmas are applied to every connection (SECURITY.md 25). FULL
// synchronous because the ledger lives here: an acknowledged write survives
// power loss. The file is read through a memory map (up to 1 GiB of it):
// a large company's database is far bigger than a connection's page
// cache, and a page fault on the shared OS cache is cheaper than a read
// call per page; it is address space, not memory.
var sqlitePragmas = []string{"foreign_keys(1)", "journal_mode(WAL)", "busy_timeout(10000)", "synchronous(FULL)", "mmap_size(1073741824)"}

func (db *DB) openSQLite(path string) error {
	q := ""
	for _, p := range sqlitePragmas {
		q += "&_pragma=" + p
	}
	// Writers take the lock at BEGIN (IMMEDIATE) so two transactions never
	// deadlock upgrading read locks; one writer connection serialises them
	// without busy-waiting.
	drv := &sqlite.Driver{}
	db.write = sql.OpenDB(stmtCacheConnector{dsn: "file:" + path + "?_txlock=immediate" + q, drv: drv})
	db.write.SetMaxOpenConns(1)
	db.read = sql.OpenDB(stmtCacheConnector{dsn: "file:" + path + "?mode=rw" + q, drv: drv})
	db.read.SetMaxOpenConns(8)
	// Every reader kept open: a connection closed after a burst takes its
	// page cache and compiled statements with it, and the next one pays
	// for opening the file and reading the schema again.
	db.read.SetMaxIdleConns(8)
	return nil
}

func (db *DB) checkPragmas(ctx context.Context) error {
	var mode string
	var fk, sync int
	if err := db.read.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return err
	}
	if err := db.read.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
		return err
	}
	if err := db.read.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
		return err
	}
	if mode != "wal" || fk != 1 || sync != 2 {
		return fmt.Errorf("sqlite settings not applied (journal_mode=%s foreign_keys=%d synchronous=%d): is the file on a filesystem that supports WAL?", mode, fk, sync)
	}
	return nil
}

func (db *DB) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.write.PingContext(ctx); err != nil {
		return fmt.Errorf("connect to %s database: %w", db.dialect, err)
	}
	return nil
}

// Ping checks that the database answers (for /readyz).
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Dialect reports which engine is behind db.
func (db *DB) Dialect() Dialect { return db.dialect }

// Now is the store's clock.
func (db *DB) Now() time.Time { return db.now() }

// Close closes the connections.
func (db *DB) Close() error {
	err := db.read.Close()
	if db.write != db.read {
		err = errors.Join(err, db.write.Close())
	}
	return err
}

// Tx is a transaction with one clock reading: everything written in it
// carries the same instant.
type Tx struct {
	*sql.Tx
	Now time.Time
	db  *DB
}

// update runs fn in a read-write transaction, committing when fn returns nil.
func (db *DB) update(ctx context.Context, fn func(*Tx) error) error {
	return db.inTx(ctx, db.write, false, fn)
}

// view runs fn in a read-only transaction.
func (db *DB) view(ctx context.Context, fn func(*Tx) error) error {
	return db.inTx(ctx, db.read, true, fn)
}

func (db *DB) inTx(ctx context.Context, pool *sql.DB, readOnly bool, fn func(*Tx) error) (err error) {
	var opts *sql.TxOptions
	if readOnly && db.dialect == Postgres {
		opts = &sql.TxOptions{ReadOnly: true}
	}
	stx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", mapErr(err))
	}
	tx := &Tx{Tx: stx, Now: db.now().UTC(), db: db}
	defer func() {
		if p := recover(); p != nil {
			_ = stx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = stx.Rollback()
			return
		}
		if cerr := stx.Commit(); cerr != nil {
			err = fmt.Errorf("commit: %w", mapErr(cerr))
		}
	}()
	return fn(tx)
}

// exec runs a statement, mapping driver errors to lintel kinds.
func (tx *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	r, err := tx.ExecContext(ctx, q, args...)
	return r, mapErr(err)
}

// insert runs an INSERT ... RETURNING id and returns the id.
func (tx *Tx) insert(ctx context.Context, q string, args ...any) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, q+" RETURNING id", args...).Scan(&id)
	return id, mapErr(err)
}

// get scans one row, answering lintel.ErrNotFound when there is none.
func (tx *Tx) get(ctx context.Context, q string, args []any, dest ...any) error {
	err := tx.QueryRowContext(ctx, q, args...).Scan(dest...)
	return mapErr(err)
}
