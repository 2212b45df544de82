package sqldb_test

import (
	"context"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// benchRequests is the size the manager's maintenance list must stay fast
// at: a company with 100,000 requests over 20,000 units,
// beside another company with a fifth of that.
const benchRequests = 100_000

func seedRequestBench(b *testing.B, db *sqldb.DB) (lintel.Staff, []int64) {
	b.Helper()
	s := newCompanyStaff(b, db, "Big Lettings")
	other := newCompanyStaff(b, db, "Other Lettings")
	ctx := context.Background()
	for _, c := range []struct {
		st    lintel.Staff
		props int
		n     int
	}{{s, benchProps, benchRequests}, {other, benchProps / 5, benchRequests / 5}} {
		if err := db.SeedUnitsForBench(ctx, c.st.CompanyID, c.props, benchUnitsPer); err != nil {
			b.Fatal(err)
		}
		if err := db.SeedRequestsForBench(ctx, c.st.CompanyID, c.n); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.AnalyzeForBench(ctx); err != nil {
		b.Fatal(err)
	}
	ops, err := db.Operators(ctx, s)
	if err != nil || len(ops) == 0 {
		b.Fatalf("operators: %v", err)
	}
	var opIDs []int64
	for _, o := range ops {
		opIDs = append(opIDs, o.ID)
	}
	return s, opIDs
}

func BenchmarkListRequests(b *testing.B) {
	for _, engine := range []struct {
		name string
		open func(testing.TB, ...sqldb.Options) *sqldb.DB
	}{{"sqlite", testkit.SQLite}, {"postgres", testkit.Postgres}} {
		b.Run(engine.name, func(b *testing.B) {
			db := engine.open(b)
			s, ops := seedRequestBench(b, db)
			ctx := context.Background()
			all, err := db.ListRequests(ctx, s, sqldb.RequestFilter{Status: sqldb.FilterAll})
			if err != nil || len(all.Requests) == 0 {
				b.Fatalf("list: %v", err)
			}
			middle := all.Requests[0].ID - benchRequests/2
			props, _ := db.PropertyChoices(ctx, s)
			cats, _ := db.Categories(ctx, s)
			for _, bc := range []struct {
				name string
				f    sqldb.RequestFilter
			}{
				{"open", sqldb.RequestFilter{}},
				{"open-deep-page", sqldb.RequestFilter{Before: middle}},
				{"all", sqldb.RequestFilter{Status: sqldb.FilterAll}},
				{"all-deep-page", sqldb.RequestFilter{Status: sqldb.FilterAll, Before: middle}},
				{"all-previous-page", sqldb.RequestFilter{Status: sqldb.FilterAll, After: middle}},
				{"submitted", sqldb.RequestFilter{Status: string(lintel.StatusSubmitted)}},
				{"closed", sqldb.RequestFilter{Status: string(lintel.StatusClosed)}},
				{"attention", sqldb.RequestFilter{Status: sqldb.FilterAttention}},
				{"property-all", sqldb.RequestFilter{Status: sqldb.FilterAll, PropertyID: props[len(props)/2].ID}},
				{"category-all", sqldb.RequestFilter{Status: sqldb.FilterAll, CategoryID: cats[2].ID}},
				{"operator", sqldb.RequestFilter{OperatorID: ops[3]}},
				{"operator-all", sqldb.RequestFilter{Status: sqldb.FilterAll, OperatorID: ops[3]}},
				{"older-than-90-days", sqldb.RequestFilter{OlderThanDays: 90}},
				{"older-than-90-days-all", sqldb.RequestFilter{Status: sqldb.FilterAll, OlderThanDays: 90}},
				{"search-open", sqldb.RequestFilter{Search: "boiler"}},
				{"search-all", sqldb.RequestFilter{Status: sqldb.FilterAll, Search: "boiler"}},
				{"search-all-no-match", sqldb.RequestFilter{Status: sqldb.FilterAll, Search: "chandelier"}},
				{"search-unit", sqldb.RequestFilter{Status: sqldb.FilterAll, Search: "unit 004"}},
			} {
				b.Run(bc.name, func(b *testing.B) {
					for b.Loop() {
						if _, err := db.ListRequests(ctx, s, bc.f); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
			b.Run("dashboard-counts", func(b *testing.B) {
				for b.Loop() {
					if _, err := db.CountMaintenance(ctx, s); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
