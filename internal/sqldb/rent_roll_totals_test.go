package sqldb_test

import (
	"context"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// The rent roll keeps its totals between views: a posting, a lease change
// and another day must each show on the next view, as counted afresh.
func TestRentRollTotalsFollowChanges(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		bk := a.Staff[testkit.Bookkeeper]
		today := lintel.DateOf(db.Now())
		totals := func(day lintel.Date) sqldb.RentRollTotals {
			t.Helper()
			roll, err := db.RentRoll(ctx, bk, sqldb.RentRollFilter{Today: day})
			if err != nil {
				t.Fatal(err)
			}
			return roll.Totals
		}
		want := sqldb.RentRollTotals{Units: 3, Occupied: 2, Rent: 220000}
		check := func(step string, day lintel.Date) {
			t.Helper()
			for range 2 { // computed, then kept
				if got := totals(day); got != want {
					t.Fatalf("after %s:\n got %+v\nwant %+v", step, got, want)
				}
			}
		}
		check("nothing", today)
		mustCharge(t, db, bk, a.Lease, "Rent", 120000, today.AddDays(-3))
		want.Balances = 120000
		check("a charge", today)
		mustPayment(t, db, bk, a.Lease, 20000, today)
		want.Balances = 100000
		check("a payment", today)
		mustCharge(t, db, w.B.Staff[testkit.Bookkeeper], w.B.Lease, "Rent", 5000, today)
		check("another company's charge", today)
		// A day far ahead: the leases of the fixtures have ended or not.
		far := today.AddDays(3650)
		roll, err := db.RentRoll(ctx, bk, sqldb.RentRollFilter{Today: far})
		if err != nil {
			t.Fatal(err)
		}
		if roll.Totals == want {
			t.Fatalf("ten years on the totals are today's: %+v", roll.Totals)
		}
		check("looking at another day", today)
		if err := db.ArchiveUnit(ctx, a.Staff[testkit.Admin], a.OwnedUnit); err != nil {
			t.Fatal(err)
		}
		want.Units = 2
		check("a vacant unit archived", today)
	})
}
