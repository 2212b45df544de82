package sqldb_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// upgradeLevels are the migration levels that landed on main, each as the
// databases of that release were left: the newest migration then, and the
// files that read differently at the time. When a release with new
// migrations lands, add its newest one here.
var upgradeLevels = []struct {
	name  string
	level int
	then  map[string]string // migration file → the testdata file it was then
}{
	{name: "0006 (maintenance)", level: 6},
	{name: "0010 at c5b465e (early 0008)", level: 10, then: map[string]string{
		"0008_manage_maintenance.sqlite.sql":   "testdata/migrations-c5b465e/0008_manage_maintenance.sql",
		"0008_manage_maintenance.postgres.sql": "testdata/migrations-c5b465e/0008_manage_maintenance.sql",
	}},
	{name: "0010", level: 10},
	{name: "0015", level: 15},
	{name: "0016 (ledger)", level: 16},
	{name: "0017", level: 17},
	{name: "0021", level: 21},
	{name: "0022", level: 22},
	{name: "0023", level: 23},
	{name: "0024 (second factor)", level: 24},
}

// TestUpgradeFromEveryRelease builds a database at each level that landed
// on main, fills it with a company made before maintenance categories were
// seeded (none), a tenant on a lease and a request with a visit, upgrades
// it to this release on both databases, then signs the tenant in and
// submits a request, and the manager lists requests with their operator.
func TestUpgradeFromEveryRelease(t *testing.T) {
	t.Parallel()
	versions, err := sqldb.MigrationVersionsForTest(sqldb.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	for i, lv := range upgradeLevels {
		if !slices.Contains(versions, lv.level) || i > 0 && lv.level < upgradeLevels[i-1].level {
			t.Fatalf("upgrade level %s is not one of the migrations, in order", lv.name)
		}
	}
	for _, lv := range upgradeLevels {
		for _, e := range []struct {
			name string
			url  func(testing.TB) string
		}{{"sqlite", testkit.SQLiteURL}, {"postgres", testkit.PostgresURL}} {
			t.Run(lv.name+"/"+e.name, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				text := map[string]string{}
				for file, path := range lv.then {
					b, err := os.ReadFile(path)
					if err != nil {
						t.Fatal(err)
					}
					text[file] = string(b)
				}
				url := e.url(t)
				old, err := sqldb.OpenAtLevelForTest(ctx, url, lv.level, text)
				if err != nil {
					t.Fatalf("build the database at %s: %v", lv.name, err)
				}
				f := fillOldDatabase(t, old)
				old.Close()

				db, err := sqldb.Open(ctx, url, "", sqldb.Options{})
				if err != nil {
					t.Fatalf("upgrade from %s: %v", lv.name, err)
				}
				defer db.Close()
				checkUpgraded(t, db, f)
				// A second start finds every checksum recorded and agrees.
				db2, err := sqldb.Open(ctx, url, "", sqldb.Options{})
				if err != nil {
					t.Fatalf("start again after the upgrade: %v", err)
				}
				db2.Close()
			})
		}
	}
}

type oldFill struct {
	company, admin, tenant, property, unit, request int64
	tenantEmail, password                           string
}

// fillOldDatabase writes, in SQL every level since 0006 accepts, a company
// with an administrator, a property, a unit, a tenant with a login on a
// lease of it, an operator and a request with a visit.
func fillOldDatabase(t *testing.T, db *sqldb.DB) oldFill {
	t.Helper()
	ctx := context.Background()
	now := sqldb.NowForTest(db)
	f := oldFill{tenantEmail: "old.tenant@example.com", password: "an old but good password"}
	hash := testkit.HashPassword(f.password)
	ins := func(q string, args ...any) int64 {
		t.Helper()
		id, err := db.IdentityInsertForTest(ctx, q, args...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if err := db.IdentityExecForTest(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	f.company = ins(`INSERT INTO companies (name, created_at) VALUES ('Old Lettings', $1)`, now)
	f.admin = ins(`INSERT INTO users (email, name, password_hash, email_verified_at, created_at, updated_at) VALUES ('old.admin@example.com', 'Old Admin', $1, $2, $2, $2)`, hash, now)
	exec(`INSERT INTO memberships (company_id, user_id, role, created_at) VALUES ($1, $2, 'admin', $3)`, f.company, f.admin, now)
	f.tenant = ins(`INSERT INTO users (email, name, password_hash, email_verified_at, created_at, updated_at) VALUES ($1, 'Old Tenant', $2, $3, $3, $3)`, f.tenantEmail, hash, now)
	f.property = ins(`INSERT INTO properties (company_id, name, created_at, updated_at) VALUES ($1, 'Old House', $2, $2)`, f.company, now)
	f.unit = ins(`INSERT INTO units (company_id, property_id, label, created_at, updated_at) VALUES ($1, $2, 'Flat 1', $3, $3)`, f.company, f.property, now)
	contact := ins(`INSERT INTO contacts (company_id, name, is_tenant, created_at, updated_at) VALUES ($1, 'Old Tenant', TRUE, $2, $2)`, f.company, now)
	exec(`INSERT INTO contact_emails (company_id, contact_id, email) VALUES ($1, $2, $3)`, f.company, contact, f.tenantEmail)
	lease := ins(`INSERT INTO leases (company_id, unit_id, start_date, month_to_month, rent_minor, created_at, updated_at) VALUES ($1, $2, '2020-01-01', TRUE, 90000, $3, $3)`, f.company, f.unit, now)
	exec(`INSERT INTO lease_tenants (lease_id, contact_id, company_id) VALUES ($1, $2, $3)`, lease, contact, f.company)
	operator := ins(`INSERT INTO contacts (company_id, name, is_operator, created_at, updated_at) VALUES ($1, 'Old Plumbing Ltd', TRUE, $2, $2)`, f.company, now)
	f.request = ins(`INSERT INTO requests (company_id, property_id, unit_id, lease_id, summary, status, created_at, updated_at) VALUES ($1, $2, $3, $4, 'Dripping tap', 'assigned', $5, $5)`,
		f.company, f.property, f.unit, lease, now)
	ins(`INSERT INTO visits (company_id, request_id, operator_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)`, f.company, f.request, operator, now)
	return f
}

func checkUpgraded(t *testing.T, db *sqldb.DB, f oldFill) {
	t.Helper()
	ctx := context.Background()
	hour := sqldb.SessionLimits{Idle: time.Hour, Absolute: time.Hour}
	// Signing in: the tenant's login and password, as the log-in form checks them.
	u, err := db.UserByEmail(ctx, f.tenantEmail)
	if err != nil || !auth.CheckPassword(u.PasswordHash, f.password) {
		t.Fatalf("the tenant cannot sign in after the upgrade: %+v, %v", u, err)
	}
	if err := db.CreateSession(ctx, u.ID, "upgrade-test-session", "127.0.0.1", "test", hour, hour); err != nil {
		t.Fatalf("a session after the upgrade: %v", err)
	}
	if _, err := db.SessionByToken(ctx, "upgrade-test-session"); err != nil {
		t.Fatalf("the session after the upgrade: %v", err)
	}
	res := lintel.Resident{UserID: u.ID}
	cats, err := db.ResidentCategories(ctx, res, f.company)
	if err != nil || len(cats) == 0 {
		t.Fatalf("a company made before categories has %d categories after the upgrade (%v): its tenants could not report a problem", len(cats), err)
	}
	answers := map[int64]string{}
	for _, q := range cats[0].Questions {
		switch q.Kind {
		case lintel.QuestionYesNo:
			answers[q.ID] = "yes"
		case lintel.QuestionChoice:
			answers[q.ID] = q.Options[0]
		default:
			answers[q.ID] = "Since last night"
		}
	}
	id, err := db.SubmitRequest(ctx, res, f.company, sqldb.NewRequest{PropertyID: f.property, UnitID: f.unit, CategoryID: cats[0].ID,
		Summary: "Heating is off", Description: "No heat since last night.", Answers: answers}, nil, nil)
	if err != nil {
		t.Fatalf("submit a request after the upgrade: %v", err)
	}
	admin := lintel.Staff{UserID: f.admin, CompanyID: f.company, Role: lintel.RoleAdmin}
	list, err := db.ListRequests(ctx, admin, sqldb.RequestFilter{Status: sqldb.FilterAll})
	if err != nil {
		t.Fatalf("the manager's list after the upgrade: %v", err)
	}
	var sawNew, sawOld bool
	for _, r := range list.Requests {
		sawNew = sawNew || r.ID == id
		if r.ID == f.request {
			sawOld = true
			if r.OperatorName != "Old Plumbing Ltd" {
				t.Errorf("the old request's operator is %q after the upgrade, want its visit's", r.OperatorName)
			}
		}
	}
	if !sawNew || !sawOld {
		t.Errorf("the manager's list after the upgrade: %+v", list.Requests)
	}
	if problems, err := db.CheckLedger(ctx); err != nil || len(problems) > 0 {
		t.Errorf("the ledger after the upgrade: %v, %v", problems, err)
	}
}

// TestMigrationsAreChecked: a start refuses a database whose applied
// migration differs from this binary's (an edited migration), or that a
// newer Lintel migrated, saying what to do, instead of serving a schema it
// does not know.
func TestMigrationsAreChecked(t *testing.T) {
	t.Parallel()
	for _, e := range []struct {
		name string
		url  func(testing.TB) string
	}{{"sqlite", testkit.SQLiteURL}, {"postgres", testkit.PostgresURL}} {
		for _, tt := range []struct {
			name, change, want string
		}{
			{"an edited migration", `UPDATE schema_migrations SET checksum = 'a1b2c3d4e5f6a1b2c3d4e5f6' WHERE version = 7`,
				"migration 0007_resident.sql differs from the one this database applied (checksum a1b2c3d4e5f6…"},
			{"a newer release's migration", `INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES (9999, '9999_future.sql', '2030-01-01T00:00:00Z', 'x')`,
				"migrated by a newer Lintel (migration 9999_future.sql"},
		} {
			t.Run(e.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				url := e.url(t)
				db, err := sqldb.Open(ctx, url, "", sqldb.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if err := db.IdentityExecForTest(ctx, tt.change); err != nil {
					t.Fatal(err)
				}
				db.Close()
				db, err = sqldb.Open(ctx, url, "", sqldb.Options{})
				if err == nil {
					db.Close()
					t.Fatal("the start went ahead")
				}
				if !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("the start failed with %q, want it to say %q", err, tt.want)
				}
			})
		}
	}
}
