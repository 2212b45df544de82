package sqldb_test

import (
	"context"
	"testing"

	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// BenchmarkSearch is every list's text search at the size of a large
// company: 100,000 requests over 20,000 units, 20,000 contacts (each with
// two e-mails) and a lease for each tenant, beside a second company that
// holds many rows matching the big company's rare word ("wainscot"), so
// the cost of skipping another company's matches shows. Few-match and
// no-match terms are the cases a scan pays for in full.
func BenchmarkSearch(b *testing.B) {
	for _, engine := range []struct {
		name string
		open func(testing.TB, ...sqldb.Options) *sqldb.DB
	}{{"sqlite", testkit.SQLite}, {"postgres", testkit.Postgres}} {
		b.Run(engine.name, func(b *testing.B) {
			db := engine.open(b)
			s, _ := seedRequestBench(b, db)
			ctx := context.Background()
			// seedRequestBench made one other company.
			n, err := db.IdentityCountForTest(ctx, `SELECT MAX(id) FROM companies WHERE id <> $1`, s.CompanyID)
			if err != nil {
				b.Fatal(err)
			}
			otherID := int64(n)
			for _, c := range []int64{s.CompanyID, otherID} {
				if err := db.SeedContactsForBench(ctx, c, benchContacts); err != nil {
					b.Fatal(err)
				}
				if err := db.SeedLeasesForBench(ctx, c); err != nil {
					b.Fatal(err)
				}
			}
			// A rare word in five of the big company's descriptions, and in
			// a tenth of the other company's.
			if err := db.IdentityExecForTest(ctx, `UPDATE requests SET description = description || ' The wainscot is loose.'
				WHERE (company_id = $1 AND id % 20000 = 7) OR (company_id = $2 AND id % 10 = 3)`, s.CompanyID, otherID); err != nil {
				b.Fatal(err)
			}
			if err := db.AnalyzeForBench(ctx); err != nil {
				b.Fatal(err)
			}
			all := sqldb.FilterAll
			for _, bc := range []struct {
				name string
				f    sqldb.RequestFilter
			}{
				{"few-open", sqldb.RequestFilter{Search: "wainscot"}},
				{"few-all", sqldb.RequestFilter{Status: all, Search: "wainscot"}},
				{"few-summary-all", sqldb.RequestFilter{Status: all, Search: "request 01234"}},
				{"none-open", sqldb.RequestFilter{Search: "xylophone"}},
				{"none-all", sqldb.RequestFilter{Status: all, Search: "xylophone"}},
				{"many-all", sqldb.RequestFilter{Status: all, Search: "boiler"}},
				{"many-open", sqldb.RequestFilter{Search: "boiler"}},
				{"unit-all", sqldb.RequestFilter{Status: all, Search: "unit 004"}},
				{"short-all", sqldb.RequestFilter{Status: all, Search: "ta"}},
				{"short-none-all", sqldb.RequestFilter{Status: all, Search: "zq"}},
			} {
				b.Run("requests/"+bc.name, func(b *testing.B) {
					for b.Loop() {
						if _, err := db.ListRequests(ctx, s, bc.f); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
			for _, bc := range []struct{ name, q string }{
				{"few-name", "kenji novak 004"},
				{"few-email", "19999@work"},
				{"many", "kenji"},
				{"none", "zebedee"},
				{"short-none", "zq"},
			} {
				b.Run("contacts/"+bc.name, func(b *testing.B) {
					for b.Loop() {
						if _, err := db.ListContacts(ctx, s, sqldb.ContactFilter{Search: bc.q}); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
			for _, bc := range []struct{ name, q string }{
				{"few-tenant", "kenji novak 004"},
				{"few-property", "property 01234"},
				{"many-unit", "unit 004"},
				{"none", "zebedee"},
			} {
				b.Run("leases/"+bc.name, func(b *testing.B) {
					for b.Loop() {
						if _, err := db.ListLeases(ctx, s, sqldb.LeaseFilter{Search: bc.q}); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
			for _, bc := range []struct{ name, q string }{
				{"few-property", "property 0199"},
				{"many-label", "unit 004"},
				{"none", "zebedee"},
			} {
				b.Run("units/"+bc.name, func(b *testing.B) {
					for b.Loop() {
						if _, err := db.ListUnits(ctx, s, sqldb.UnitFilter{Search: bc.q}); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
			for _, bc := range []struct{ name, q string }{
				{"few-address", "1234 main"},
				{"many-city", "shelby"},
				{"none", "zebedee"},
			} {
				b.Run("properties/"+bc.name, func(b *testing.B) {
					for b.Loop() {
						if _, err := db.ListProperties(ctx, s, sqldb.PropertyFilter{Search: bc.q}); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
			for _, bc := range []struct{ name, q string }{
				{"few", "kenji novak 004"},
				{"none", "zebedee"},
			} {
				b.Run("owners/"+bc.name, func(b *testing.B) {
					for b.Loop() {
						if _, err := db.OwnerChoices(ctx, s, bc.q); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
