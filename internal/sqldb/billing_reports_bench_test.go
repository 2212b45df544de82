package sqldb_test

import (
	"context"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// benchUnits is the "tens of thousands of leases" the billing reports
// must stay fast at: 20,000 units, 16,000 of them leased with a few
// months of charges and payments, and as many in another company.
const benchUnits = 20000

// BenchmarkBillingReports reads the first and a deep page of receivables
// and of the rent roll, and each whole report as the CSV exports read
// it, on SQLite.
func BenchmarkBillingReports(b *testing.B) {
	db := testkit.SQLite(b)
	s := newCompanyStaff(b, db, "Big Lettings")
	other := newCompanyStaff(b, db, "Other Lettings")
	ctx := context.Background()
	for _, st := range []lintel.Staff{s, other} {
		if err := db.SeedReceivablesForBench(ctx, st.CompanyID, benchUnits); err != nil {
			b.Fatal(err)
		}
	}
	first, err := db.Receivables(ctx, s, sqldb.ReceivablesFilter{})
	if err != nil || first.Count != benchUnits*4/5 || len(first.Rows) != sqldb.DefaultPageSize {
		b.Fatalf("receivables: %d leases, %d rows, %v", first.Count, len(first.Rows), err)
	}
	deepAR := &sqldb.Keyset{Key: "200000", ID: first.Rows[0].LeaseID + 12000}
	roll, err := db.RentRoll(ctx, s, sqldb.RentRollFilter{})
	if err != nil || roll.Totals.Units != benchUnits {
		b.Fatalf("rent roll: %+v, %v", roll.Totals, err)
	}
	deepRoll := &sqldb.Keyset{Key: "Bench Block 0300\x1fFlat 10", ID: 1 << 40}
	for _, bc := range []struct {
		name string
		run  func() error
	}{
		{"receivables-first", func() error { _, err := db.Receivables(ctx, s, sqldb.ReceivablesFilter{}); return err }},
		{"receivables-deep", func() error { _, err := db.Receivables(ctx, s, sqldb.ReceivablesFilter{After: deepAR}); return err }},
		{"rent-roll-first", func() error { _, err := db.RentRoll(ctx, s, sqldb.RentRollFilter{}); return err }},
		{"rent-roll-deep", func() error { _, err := db.RentRoll(ctx, s, sqldb.RentRollFilter{After: deepRoll}); return err }},
		{"receivables-export", func() error {
			_, err := db.Receivables(ctx, s, sqldb.ReceivablesFilter{All: true})
			return err
		}},
		{"rent-roll-export", func() error { _, err := db.RentRoll(ctx, s, sqldb.RentRollFilter{All: true}); return err }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if err := bc.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
