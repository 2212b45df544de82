package sqldb_test

import (
	"context"
	"fmt"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// BenchmarkPagesByHistory reads what the resident, owner and manager pages
// read, for a company whose tenant's unit has gathered ever more closed
// requests. Each figure must stay the same from one history size to the
// next: a page reads the rows it shows (through indexes that hold the
// current work or lead to the newest rows), never a unit's whole history.
//
//	go test ./internal/sqldb -run '^$' -bench PagesByHistory
func BenchmarkPagesByHistory(b *testing.B) {
	for _, engine := range []struct {
		name string
		open func(testing.TB, ...sqldb.Options) *sqldb.DB
	}{{"sqlite", testkit.SQLite}, {"postgres", testkit.Postgres}} {
		b.Run(engine.name, func(b *testing.B) {
			db := engine.open(b)
			w := testkit.NewWorld(b, db)
			a := w.A
			ctx := context.Background()
			resident := func(p testkit.Persona) lintel.Resident {
				return lintel.Resident{UserID: a.Users[p], Email: a.Emails[p]}
			}
			tenant, owner := resident(testkit.Tenant), resident(testkit.PropertyOwner)
			staff := a.Staff[testkit.Admin]
			pages := []struct {
				name string
				read func() error
			}{
				{"tenant-requests", func() error {
					_, err := db.ResidentRequests(ctx, tenant, sqldb.ResidentRequestFilter{})
					return err
				}},
				{"owner-requests", func() error {
					_, err := db.ResidentRequests(ctx, owner, sqldb.ResidentRequestFilter{HideCancelled: true})
					return err
				}},
				{"tenant-places", func() error { _, err := db.ResidentPlaces(ctx, tenant); return err }},
				{"tenant-nav", func() error { _, err := db.PortalNavOf(ctx, tenant); return err }},
				{"tenant-leases", func() error { _, err := db.ResidentLeases(ctx, tenant); return err }},
				{"owner-assets", func() error { _, err := db.ResidentAssets(ctx, owner); return err }},
				{"manager-list", func() error {
					_, err := db.ListRequests(ctx, staff, sqldb.RequestFilter{})
					return err
				}},
				{"manager-list-all", func() error {
					_, err := db.ListRequests(ctx, staff, sqldb.RequestFilter{Status: sqldb.FilterAll})
					return err
				}},
				{"manager-search-rare", func() error {
					_, err := db.ListRequests(ctx, staff, sqldb.RequestFilter{Status: sqldb.FilterAll, Search: "zzyzx"})
					return err
				}},
				{"manager-dashboard", func() error { _, err := db.CountMaintenance(ctx, staff); return err }},
			}
			seeded := 0
			for _, history := range []int{1_000, 10_000, 40_000} {
				if err := db.SeedRequestHistoryForBench(ctx, a.ID, a.Unit, a.Lease, history-seeded); err != nil {
					b.Fatal(err)
				}
				seeded = history
				if err := db.AnalyzeForBench(ctx); err != nil {
					b.Fatal(err)
				}
				for _, p := range pages {
					b.Run(fmt.Sprintf("history=%d/%s", history, p.name), func(b *testing.B) {
						for b.Loop() {
							if err := p.read(); err != nil {
								b.Fatal(err)
							}
						}
					})
				}
			}
		})
	}
}
