package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the migrations for d in order. A file is
// NNNN_name.sql (both dialects) or NNNN_name.<dialect>.sql.
func migrations(d Dialect) ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		base := strings.TrimSuffix(name, ".sql")
		if i := strings.LastIndexByte(base, '.'); i >= 0 {
			if Dialect(base[i+1:]) != d {
				continue
			}
			base = base[:i]
		}
		num, _, _ := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", name)
		}
		b, err := migrationFiles.ReadFile("migrations/" + name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("two migrations numbered %d: %s and %s", ms[i].version, ms[i-1].name, ms[i].name)
		}
	}
	return ms, nil
}

// MigrationsDigest names the schema d's migrations build. A tool that keeps
// a migrated database to copy (the test kit does, so that each test starts
// from a copy instead of from the first migration) knows by it when its copy
// is stale.
func MigrationsDigest(d Dialect) (string, error) {
	ms, err := migrations(d)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, m := range ms {
		fmt.Fprintf(h, "%d %s %d\n%s\n", m.version, m.name, len(m.sql), m.sql)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// migrationSteps are the parts of a migration written in Go, run in its
// transaction: before its SQL what SQLite cannot say conditionally, after
// it what needs the domain's code. A step must be a no-op where there is
// nothing to do, like the SQL beside it.
var migrationSteps = map[int]struct {
	before, after func(context.Context, *Tx) error
}{
	25: {before: addLatestVisitColumns, after: seedMissingCategories},
}

// checksum names a migration's content. It is recorded when the migration
// is applied and compared on every start afterwards: a migration that has
// shipped is never edited (add a new one), and a database built by other
// migrations than this binary's is refused rather than half-understood.
func (m migration) checksum() string {
	h := sha256.Sum256([]byte(m.sql))
	return hex.EncodeToString(h[:])
}

// migrate applies pending migrations, each in its own transaction. On
// PostgreSQL an advisory lock keeps two nodes starting together from
// racing; SQLite's single writer does the same. It first checks the
// migrations already applied: each must be one of this binary's, with the
// same content (databases from before checksums were recorded get theirs
// once the pending migrations, repairs included, have run).
func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrations(db.dialect)
	if err != nil {
		return err
	}
	if db.migrateUpTo > 0 {
		ms = slices.DeleteFunc(ms, func(m migration) bool { return m.version > db.migrateUpTo })
	}
	for i, m := range ms {
		if text, ok := db.migrationText[m.name]; ok {
			ms[i].sql = text
		}
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if db.dialect == Postgres {
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(7340001)"); err != nil {
			return fmt.Errorf("lock for migrations: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(7340001)")
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL, checksum TEXT)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	if err := db.addChecksumColumn(ctx, conn); err != nil {
		return err
	}
	applied := map[int]*string{} // version → recorded checksum, nil when none was
	names := map[int]string{}
	rows, err := conn.QueryContext(ctx, "SELECT version, name, checksum FROM schema_migrations")
	if err != nil {
		return err
	}
	for rows.Next() {
		var v int
		var name string
		var sum *string
		if err := rows.Scan(&v, &name, &sum); err != nil {
			rows.Close()
			return err
		}
		applied[v], names[v] = sum, name
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	known := map[int]migration{}
	for _, m := range ms {
		known[m.version] = m
	}
	for v, sum := range applied {
		m, ok := known[v]
		if !ok {
			return fmt.Errorf("this database was migrated by a newer Lintel (migration %s, which this one does not have): run that release or a newer one; an older Lintel cannot serve it", names[v])
		}
		if sum != nil && *sum != m.checksum() {
			return fmt.Errorf("migration %s differs from the one this database applied (checksum %.12s…, this Lintel has %.12s…): migrations are never edited after they ship, so this build or this database is not what it seems; run the Lintel release that last served this database, or restore a backup", m.name, *sum, m.checksum())
		}
	}
	for _, m := range ms {
		if _, ok := applied[m.version]; ok {
			continue
		}
		if err := db.applyMigration(ctx, conn, m); err != nil {
			return err
		}
		db.log.Info("applied migration", "name", m.name, "dialect", string(db.dialect))
	}
	for v, sum := range applied {
		if sum == nil {
			if _, err := conn.ExecContext(ctx, `UPDATE schema_migrations SET checksum = $1 WHERE version = $2`, known[v].checksum(), v); err != nil {
				return fmt.Errorf("record the checksum of migration %s: %w", known[v].name, err)
			}
		}
	}
	return nil
}

func (db *DB) applyMigration(ctx context.Context, conn *sql.Conn, m migration) error {
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer sqlTx.Rollback()
	tx := &Tx{Tx: sqlTx, Now: db.now(), db: db}
	steps := migrationSteps[m.version]
	if steps.before != nil {
		if err := steps.before(ctx, tx); err != nil {
			return fmt.Errorf("migration %s (before): %w", m.name, err)
		}
	}
	if _, err := sqlTx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if steps.after != nil {
		if err := steps.after(ctx, tx); err != nil {
			return fmt.Errorf("migration %s (after): %w", m.name, err)
		}
	}
	if _, err := sqlTx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES ($1, $2, $3, $4)",
		m.version, m.name, ts(db.now()), m.checksum()); err != nil {
		return fmt.Errorf("record migration %s: %w", m.name, err)
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit migration %s: %w", m.name, err)
	}
	return nil
}

// addChecksumColumn gives a schema_migrations made before checksums were
// recorded its checksum column.
func (db *DB) addChecksumColumn(ctx context.Context, conn *sql.Conn) error {
	q := `ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum TEXT`
	if db.dialect == SQLite {
		var n int
		if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_table_info('schema_migrations') WHERE name = 'checksum'`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		q = `ALTER TABLE schema_migrations ADD COLUMN checksum TEXT`
	}
	if _, err := conn.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("add checksums to schema_migrations: %w", err)
	}
	return nil
}

// addLatestVisitColumns adds, on SQLite, the columns an early version of
// 0008_manage_maintenance did not (the repair migration's SQL fills them).
// PostgreSQL's repair says ADD COLUMN IF NOT EXISTS itself.
func addLatestVisitColumns(ctx context.Context, tx *Tx) error {
	if tx.db.dialect != SQLite {
		return nil
	}
	for _, col := range []string{"latest_visit_id", "latest_operator_id"} {
		var n int
		if err := tx.get(ctx, `SELECT COUNT(*) FROM pragma_table_info('requests') WHERE name = $1`, []any{col}, &n); err != nil {
			return err
		}
		if n == 0 {
			if _, err := tx.ExecContext(ctx, `ALTER TABLE requests ADD COLUMN `+col+` INTEGER`); err != nil {
				return err
			}
		}
	}
	return nil
}

// seedMissingCategories gives every company without a maintenance category
// (made before categories existed) the defaults a new company gets.
func seedMissingCategories(ctx context.Context, tx *Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM companies c WHERE NOT EXISTS (SELECT 1 FROM maintenance_categories m WHERE m.company_id = c.id) ORDER BY id`)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		if err := tx.seedCategories(ctx, id); err != nil {
			return fmt.Errorf("default categories for company %d: %w", id, err)
		}
	}
	return nil
}
