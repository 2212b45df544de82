package sqldb_test

import (
	"context"
	"testing"
	"time"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// The dashboard keeps its counts between views; every kind of change to
// what it counts, and the next day, must show on the next view.
func TestDashboardCountsFollowEveryChange(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Date(2026, 5, 10, 9, 0, 0, 0, time.UTC))
	testkit.ForEachDBWith(t, sqldb.Options{Now: clock.Now}, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newCompanyStaff(t, db, "Acme Homes")
		other := newCompanyStaff(t, db, "Other Co")
		var want sqldb.DashboardCounts
		check := func(step string) {
			t.Helper()
			for range 2 { // counted, then kept
				if d, err := db.DashboardCounts(ctx, s); err != nil || d != want {
					t.Fatalf("after %s:\n got %+v, %v\nwant %+v", step, d, err, want)
				}
			}
		}
		check("nothing")
		mustProperty(t, db, other, lintel.Property{Name: "Not ours"})
		check("another company's property")
		elm := mustProperty(t, db, s, lintel.Property{Name: "Elm Court"})
		want.Properties, want.Unowned = 1, 1
		check("a property")
		u1 := mustUnit(t, db, s, lintel.Unit{PropertyID: elm, Label: "1"})
		want.Units = 1
		check("a unit")
		tim := mustContact(t, db, s, "Tim", false)
		want.Tenants = 1
		check("a tenant")
		today := lintel.DateOf(clock.Now())
		lease, err := db.SeedLeaseForTest(ctx, s.CompanyID, u1, today.AddDays(-10), today.AddDays(20), tim)
		if err != nil {
			t.Fatal(err)
		}
		want.OccupiedUnits, want.ActiveLeases, want.EndingSoon, want.TenantsNotAsked = 1, 1, 1, 1
		check("a lease")
		ann := mustContact(t, db, s, "Ann", true)
		if _, err := db.CreateOwnership(ctx, s, lintel.Ownership{ContactID: ann, PropertyID: elm, ShareBP: 10000}); err != nil {
			t.Fatal(err)
		}
		want.Owners, want.Unowned = 1, 0
		check("an owner")
		tia := mustContact(t, db, s, "Tia", false)
		want.Tenants = 2
		check("a second tenant")
		if err := db.AddLeaseTenant(ctx, s, lease, tia); err != nil {
			t.Fatal(err)
		}
		want.TenantsNotAsked = 2
		check("a tenant added to the lease")
		if err := db.RemoveLeaseTenant(ctx, s, lease, tim); err != nil {
			t.Fatal(err)
		}
		want.TenantsNotAsked = 1
		check("a tenant taken off the lease")
		clock.Advance(30 * 24 * time.Hour)
		want.OccupiedUnits, want.ActiveLeases, want.EndingSoon, want.TenantsNotAsked = 0, 0, 0, 0
		check("the lease's end passing")
		if err := db.ArchiveUnit(ctx, s, u1); err != nil {
			t.Fatal(err)
		}
		want.Units = 0
		check("a unit archived")
	})
}

// Two servers on one database: a change made through one shows on the
// other's next view.
func TestDashboardCountsAcrossNodes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := testkit.SQLiteURL(t)
	open := func() *sqldb.DB {
		db, err := sqldb.Open(ctx, path, "", sqldb.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	a, b := open(), open()
	s := newCompanyStaff(t, a, "Acme Homes")
	if d, err := a.DashboardCounts(ctx, s); err != nil || d.Properties != 0 {
		t.Fatalf("before: %+v, %v", d, err)
	}
	mustProperty(t, b, s, lintel.Property{Name: "Elm Court"})
	if d, err := a.DashboardCounts(ctx, s); err != nil || d.Properties != 1 {
		t.Fatalf("after a property added on the other node: %+v, %v", d, err)
	}
}
