package sqldb_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// openOf reads what ledger_open holds open of one transaction.
func openOf(t *testing.T, db *sqldb.DB, id int64) int64 {
	t.Helper()
	return ledgerCount(t, db, `SELECT open_minor FROM ledger_open WHERE transaction_id = $1`, id)
}

// TestLedgerOpenThroughReversals follows the cached open amounts through
// allocations and reversals of both a charge and a payment: money a
// reversed charge took back flows to the next open charge, and a reversed
// payment reopens every charge it paid.
func TestLedgerOpenThroughReversals(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newLedgerFixture(t, db, "Opens")
		a := f.charge(t, db, f.lease, lintel.ChargeRent, 1000, "2025-01-01")
		b := f.charge(t, db, f.lease, lintel.ChargeRent, 500, "2025-02-01")
		p := f.pay(t, db, f.lease, 1200, "2025-02-03", 0)
		want := func(step string, open map[int64]int64) {
			t.Helper()
			for id, amount := range open {
				if got := openOf(t, db, id); got != amount {
					t.Fatalf("%s: transaction %d open %d, want %d", step, id, got, amount)
				}
			}
			if problems, err := db.CheckLedger(ctx); err != nil || len(problems) > 0 {
				t.Fatalf("%s: CheckLedger: %v %q", step, err, problems)
			}
		}
		want("paid", map[int64]int64{a: 0, b: 300, p: 0})

		if _, err := db.Reverse(ctx, f.s, a, "Posted twice", newKey()); err != nil {
			t.Fatalf("reverse charge: %v", err)
		}
		want("charge reversed", map[int64]int64{a: 0, b: 0, p: 700})

		c := f.charge(t, db, f.lease, lintel.ChargeRent, 400, "2025-03-01")
		want("next charge", map[int64]int64{c: 0, p: 300})

		if _, err := db.Reverse(ctx, f.s, p, "Bounced", newKey()); err != nil {
			t.Fatalf("reverse payment: %v", err)
		}
		want("payment reversed", map[int64]int64{a: 0, b: 500, c: 400, p: 0})

		bal, overdue, err := db.LeaseBalance(ctx, f.s, f.lease)
		if err != nil || bal != 900 || overdue != 900 {
			t.Fatalf("balance %d overdue %d (%v), want 900 and 900", bal, overdue, err)
		}
		acc, err := db.LeaseLedger(ctx, f.s, f.lease, "", 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range acc.Lines {
			wantOpen := map[int64]int64{b: 500, c: 400}[l.ID]
			if l.Open != wantOpen {
				t.Fatalf("line %d (%s): open %d, want %d", l.ID, l.Kind, l.Open, wantOpen)
			}
		}

		// A payment waits as credit when nothing is open, and is applied
		// to the next charge.
		q := f.pay(t, db, f.lease, 1000, "2025-03-05", 0)
		want("overpaid", map[int64]int64{b: 0, c: 0, q: 100})
		d := f.charge(t, db, f.lease, lintel.ChargeRent, 250, "2025-04-01")
		want("credit applied", map[int64]int64{d: 150, q: 0})
	})
}

// TestLedgerCachesRebuild proves the migration's backfill gives what the
// triggers kept, and that CheckLedger finds a cache row that disagrees.
func TestLedgerCachesRebuild(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newLedgerFixture(t, db, "Rebuild")
		r1 := f.charge(t, db, f.lease, lintel.ChargeRent, 100000, "2025-01-01")
		f.charge(t, db, f.lease2, lintel.ChargeRent, 100000, "2025-01-01")
		p1 := f.pay(t, db, f.lease, 60000, "2025-01-03", 0)
		f.pay(t, db, f.lease, 60000, "2025-01-20", 0)
		f.pay(t, db, f.lease2, 100000, "2025-01-04", 0)
		if _, err := db.Reverse(ctx, f.s, p1, "Bounced", newKey()); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Reverse(ctx, f.s, r1, "Wrong month", newKey()); err != nil {
			t.Fatal(err)
		}
		day, _ := lintel.ParseDate("2025-02-10")
		if _, err := db.PostOwnerEntry(ctx, f.s, lintel.NewOwnerEntry{Kind: lintel.OwnerExpense, ContactID: f.ann, PropertyID: f.prop,
			Amount: 2500, Date: day, Description: "Gutter", IdempotencyKey: newKey()}); err != nil {
			t.Fatal(err)
		}
		before, err := db.LedgerCacheRowsForTest(ctx, f.s.CompanyID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(before, func(s string) bool { return strings.HasPrefix(s, "month ") }) ||
			!slices.ContainsFunc(before, func(s string) bool { return strings.HasPrefix(s, "line ") }) {
			t.Fatalf("no owner caches kept: %q", before)
		}
		if err := db.RebuildLedgerCachesForTest(ctx); err != nil {
			t.Fatalf("rebuild: %v", err)
		}
		after, err := db.LedgerCacheRowsForTest(ctx, f.s.CompanyID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(before, after) {
			t.Fatalf("the backfill differs from what the triggers kept:\nkept   %q\nfilled %q", before, after)
		}
		if problems, err := db.CheckLedger(ctx); err != nil || len(problems) > 0 {
			t.Fatalf("CheckLedger after the backfill: %v %q", err, problems)
		}
		for table, says := range map[string]string{"open": "ledger_open", "line": "ledger_owner_lines", "month": "ledger_owner_months"} {
			if err := db.SpoilLedgerCacheForTest(ctx, table, f.s.CompanyID); err != nil {
				t.Fatal(err)
			}
			problems, err := db.CheckLedger(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, says) }) {
				t.Fatalf("CheckLedger missed a spoilt %s row: %q", says, problems)
			}
		}
	})
}
