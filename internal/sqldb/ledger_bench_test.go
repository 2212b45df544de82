package sqldb_test

import (
	"context"
	"fmt"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// BenchmarkLeaseLedger reads a lease with ten years of monthly history
// (rent, a payment, a utility bill and now and then a late fee: about 400
// lines, all posted through the store) in a company with 100,000 more
// ledger rows: the tenant's first page, a page deep in the past, and the
// balance.
func BenchmarkLeaseLedger(b *testing.B) {
	for _, engine := range []struct {
		name string
		open func(testing.TB, ...sqldb.Options) *sqldb.DB
	}{{"sqlite", testkit.SQLite}, {"postgres", testkit.Postgres}} {
		b.Run(engine.name, func(b *testing.B) {
			db := engine.open(b)
			ctx := context.Background()
			f := newLedgerFixture(b, db, "Big Lettings")
			if err := db.SeedLedgerForBench(ctx, f.s.CompanyID, f.flat2, 100_000); err != nil {
				b.Fatal(err)
			}
			lines := 0
			for m := range 120 {
				due := fmt.Sprintf("%04d-%02d-", 2016+m/12, m%12+1)
				rent := f.charge(b, db, f.lease, lintel.ChargeRent, 100000, due+"01")
				f.charge(b, db, f.lease, lintel.ChargeUtility, 4500, due+"10")
				lines += 3
				if m%7 == 0 {
					f.charge(b, db, f.lease, lintel.ChargeLateFee, 5000, due+"06")
					lines++
				}
				f.pay(b, db, f.lease, 100000, due+"03", rent)
			}
			if err := db.AnalyzeForBench(ctx); err != nil {
				b.Fatal(err)
			}
			first, err := db.LeaseLedger(ctx, f.s, f.lease, "", 50)
			if err != nil || len(first.Lines) != 50 || first.Next == "" {
				b.Fatalf("first page: %d lines, %v", len(first.Lines), err)
			}
			deep := first.Next
			for range 5 {
				acc, err := db.LeaseLedger(ctx, f.s, f.lease, deep, 50)
				if err != nil {
					b.Fatal(err)
				}
				deep = acc.Next
			}
			b.Logf("%d lines on the lease", lines)
			b.Run("first page", func(b *testing.B) {
				for b.Loop() {
					if _, err := db.LeaseLedger(ctx, f.s, f.lease, "", 50); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("deep page", func(b *testing.B) {
				for b.Loop() {
					if _, err := db.LeaseLedger(ctx, f.s, f.lease, deep, 50); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("balance", func(b *testing.B) {
				for b.Loop() {
					if _, _, err := db.LeaseBalance(ctx, f.s, f.lease); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("post a payment", func(b *testing.B) {
				for b.Loop() {
					f.pay(b, db, f.lease, 100, "2026-01-03", 0)
				}
			})
		})
	}
}
