package sqldb_test

import (
	"context"
	"slices"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// A resident's list reads a page from each of their leases and assets and
// keeps the newest: paging with small pages must still give every request
// they may see once, newest first, whatever source it comes from.
func TestResidentRequestsPagesAcrossSources(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		// History on the tenants' lease, and on the unit the unit owner
		// owns (no lease), so pages mix sources.
		noErr(t, db.SeedRequestHistoryForBench(ctx, a.ID, a.Unit, a.Lease, 11))
		noErr(t, db.SeedRequestHistoryForBench(ctx, a.ID, a.OwnedUnit, 0, 7))
		for _, who := range []testkit.Persona{testkit.Tenant, testkit.PropertyOwner, testkit.UnitOwner} {
			for _, hide := range []bool{false, true} {
				r := residentOf(a, who)
				all := get(db.ResidentRequests(ctx, r, sqldb.ResidentRequestFilter{HideCancelled: hide, Limit: 200})).ok(t)
				var want []int64
				for _, q := range all.Requests {
					want = append(want, q.ID)
					if hide && q.Status == lintel.StatusCancelled {
						t.Errorf("%s: cancelled request %d shows with cancelled hidden", who, q.ID)
					}
				}
				if len(want) < 7 {
					t.Fatalf("%s sees %d requests, want the seeded history too", who, len(want))
				}
				if !slices.IsSortedFunc(want, func(x, y int64) int { return int(y - x) }) {
					t.Errorf("%s: requests %v not newest first", who, want)
				}
				var paged []int64
				f := sqldb.ResidentRequestFilter{HideCancelled: hide, Limit: 3}
				for range 100 {
					p := get(db.ResidentRequests(ctx, r, f)).ok(t)
					for _, q := range p.Requests {
						paged = append(paged, q.ID)
					}
					if p.NextBefore == 0 {
						break
					}
					f.Before = p.NextBefore
				}
				if !slices.Equal(paged, want) {
					t.Errorf("%s (hide cancelled %v): pages of 3 give %v, want %v", who, hide, paged, want)
				}
			}
		}
	})
}
