package sqldb_test

import (
	"context"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// benchProps × benchUnitsPer = 20,000 units: the size DESIGN.md's "tens of
// thousands of rows" asks the lists to stay fast at.
const (
	benchProps    = 2000
	benchUnitsPer = 10
)

func seedBench(b *testing.B) (*sqldb.DB, lintel.Staff) {
	b.Helper()
	db := testkit.SQLite(b)
	s := newCompanyStaff(b, db, "Big Lettings")
	// A second company of the same size, so scope has something to skip.
	other := newCompanyStaff(b, db, "Other Lettings")
	ctx := context.Background()
	for _, st := range []lintel.Staff{s, other} {
		if err := db.SeedUnitsForBench(ctx, st.CompanyID, benchProps, benchUnitsPer); err != nil {
			b.Fatal(err)
		}
	}
	return db, s
}

func BenchmarkListProperties(b *testing.B) {
	db, s := seedBench(b)
	ctx := context.Background()
	deep := &sqldb.Keyset{Key: "Property 01500", ID: 1 << 40}
	for _, bc := range []struct {
		name string
		f    sqldb.PropertyFilter
	}{
		{"first-page", sqldb.PropertyFilter{}},
		{"deep-page", sqldb.PropertyFilter{After: deep}},
		{"back-page", sqldb.PropertyFilter{Before: deep}},
		{"search", sqldb.PropertyFilter{Search: "shelby"}},
		{"kind", sqldb.PropertyFilter{Kind: lintel.KindCommercial}}, // matches nothing: the worst case, a full scan of one company
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := db.ListProperties(ctx, s, bc.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkListUnits(b *testing.B) {
	db, s := seedBench(b)
	ctx := context.Background()
	page, err := db.ListProperties(ctx, s, sqldb.PropertyFilter{Search: "Property 01000"})
	if err != nil || len(page.Properties) != 1 {
		b.Fatalf("find a property: %v %v", page.Properties, err)
	}
	yes := true
	deep := &sqldb.Keyset{Key: "Unit 007", ID: 1}
	for _, bc := range []struct {
		name string
		f    sqldb.UnitFilter
	}{
		{"first-page", sqldb.UnitFilter{}},
		{"deep-page", sqldb.UnitFilter{After: deep}},
		{"one-property", sqldb.UnitFilter{PropertyID: page.Properties[0].ID}},
		{"vacant", sqldb.UnitFilter{Occupancy: sqldb.OccupancyVacant}},
		{"common-areas", sqldb.UnitFilter{CommonArea: &yes}},
		{"search", sqldb.UnitFilter{Search: "property 0199"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := db.ListUnits(ctx, s, bc.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDashboardCounts(b *testing.B) {
	db, s := seedBench(b)
	ctx := context.Background()
	for b.Loop() {
		if _, err := db.DashboardCounts(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
}
