package sqldb_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// ResidentReportCompanies answers, without listing places, what the
// companies of ResidentPlaces say: for every kind of resident, and after an
// ownership is archived.
func TestResidentReportCompaniesMatchPlaces(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		compare := func(step string) {
			t.Helper()
			for _, c := range []*testkit.Company{w.A, w.B} {
				for p, uid := range c.Users {
					if _, staff := c.Staff[p]; staff {
						continue
					}
					r := lintel.Resident{UserID: uid, Email: c.Emails[p]}
					places, err := db.ResidentPlaces(ctx, r)
					if err != nil {
						t.Fatal(err)
					}
					var want []int64
					for _, pl := range places {
						if !slices.Contains(want, pl.CompanyID) {
							want = append(want, pl.CompanyID)
						}
					}
					slices.Sort(want)
					got, err := db.ResidentReportCompanies(ctx, r)
					if err != nil {
						t.Fatal(err)
					}
					if fmt.Sprint(got) != fmt.Sprint(want) {
						t.Errorf("%s, %s of %s: companies %v, places say %v", step, p, c.Name, got, want)
					}
				}
			}
		}
		compare("the fixtures")
		if err := db.ArchiveOwnership(ctx, w.A.Staff[testkit.Admin], w.A.Ownership); err != nil {
			t.Fatal(err)
		}
		compare("an ownership archived")
	})
}
