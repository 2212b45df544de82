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

// The receivables report keeps its totals between views too: a charge, a
// payment, a reversal and another day must each show on the next view.
func TestReceivableTotalsFollowChanges(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		bk := a.Staff[testkit.Bookkeeper]
		today := lintel.DateOf(db.Now())
		type figures struct {
			totals sqldb.ReceivableRow
			count  int
		}
		report := func(day lintel.Date) figures {
			t.Helper()
			rep, err := db.Receivables(ctx, bk, sqldb.ReceivablesFilter{Today: day})
			if err != nil {
				t.Fatal(err)
			}
			return figures{rep.Totals, rep.Count}
		}
		var want figures
		check := func(step string, day lintel.Date) {
			t.Helper()
			for range 2 { // computed, then kept
				if got := report(day); got != want {
					t.Fatalf("after %s:\n got %+v\nwant %+v", step, got, want)
				}
			}
		}
		check("nothing", today)
		charge := mustCharge(t, db, bk, a.Lease, "Rent", 120000, today.AddDays(-3))
		want = figures{sqldb.ReceivableRow{Days0To30: 120000, Balance: 120000}, 1}
		check("a charge", today)
		mustPayment(t, db, bk, a.Lease, 20000, today)
		want.totals = sqldb.ReceivableRow{Days0To30: 100000, Balance: 100000}
		check("a payment", today)
		mustCharge(t, db, w.B.Staff[testkit.Bookkeeper], w.B.Lease, "Rent", 5000, today)
		check("another company's charge", today)
		// Forty days on, the same open charge is in the next bucket.
		later := report(today.AddDays(40))
		if later.totals.Days31To60 != 100000 || later.totals.Days0To30 != 0 {
			t.Fatalf("forty days on: %+v", later)
		}
		check("looking at another day", today)
		if _, err := db.Reverse(ctx, bk, charge, "Entered twice", ledgerKey()); err != nil {
			t.Fatal(err)
		}
		want = figures{sqldb.ReceivableRow{Balance: -20000}, 1}
		check("the charge reversed", today)
	})
}
