package sqldb_test

import (
	"context"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

func TestResidentMaintenancePrefs(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := testkit.NewWorld(t, db)
		tenant := lintel.Resident{UserID: w.A.Users[testkit.Tenant], Email: w.A.Emails[testkit.Tenant]}
		cotenant := lintel.Resident{UserID: w.A.Users[testkit.Cotenant], Email: w.A.Emails[testkit.Cotenant]}

		p, err := db.ResidentMaintenancePrefsOf(ctx, tenant)
		if err != nil || p.HideCancelled {
			t.Fatalf("new resident's prefs = %+v, %v; want cancelled requests shown", p, err)
		}
		if err := db.SetHideCancelledRequests(ctx, tenant, true); err != nil {
			t.Fatal(err)
		}
		if p, _ := db.ResidentMaintenancePrefsOf(ctx, tenant); !p.HideCancelled {
			t.Fatal("hide cancelled was not saved")
		}
		// The choice is the person's own: the co-tenant's list is unchanged.
		if p, _ := db.ResidentMaintenancePrefsOf(ctx, cotenant); p.HideCancelled {
			t.Fatal("one tenant's preference changed another's")
		}
		if err := db.SetHideCancelledRequests(ctx, tenant, false); err != nil {
			t.Fatal(err)
		}
		if p, _ := db.ResidentMaintenancePrefsOf(ctx, tenant); p.HideCancelled {
			t.Fatal("show cancelled was not saved")
		}
		if err := db.SetHideCancelledRequests(ctx, lintel.Resident{UserID: 987654}, true); !lintel.IsNotFound(err) {
			t.Fatalf("unknown user: %v, want not found", err)
		}
	})
}

func TestResidentOwnedRequests(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := testkit.NewWorld(t, db)
		all := []int64{w.A.Request, w.A.OwnerRequest, w.A.OtherRequest, w.B.Request, w.B.OwnerRequest, w.B.OtherRequest}
		who := func(p testkit.Persona, c *testkit.Company) lintel.Resident {
			return lintel.Resident{UserID: c.Users[p], Email: c.Emails[p]}
		}
		for _, tc := range []struct {
			name string
			r    lintel.Resident
			want []int64
		}{
			// The whole property's owner owns both requests on it; the
			// unit's owner only the one on their unit; tenants own nothing,
			// and nobody owns another company's requests.
			{"property owner", who(testkit.PropertyOwner, w.A), []int64{w.A.Request, w.A.OwnerRequest}},
			{"unit owner", who(testkit.UnitOwner, w.A), []int64{w.A.OwnerRequest}},
			{"other owner", who(testkit.OtherOwner, w.A), []int64{w.A.OtherRequest}},
			{"tenant", who(testkit.Tenant, w.A), nil},
			{"B property owner", who(testkit.PropertyOwner, w.B), []int64{w.B.Request, w.B.OwnerRequest}},
		} {
			got, err := db.ResidentOwnedRequests(ctx, tc.r, all)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Errorf("%s owns %v, want %v", tc.name, got, tc.want)
			}
			for _, id := range tc.want {
				if !got[id] {
					t.Errorf("%s: request %d missing from %v", tc.name, id, got)
				}
			}
		}
		if got, err := db.ResidentOwnedRequests(ctx, who(testkit.PropertyOwner, w.A), nil); err != nil || len(got) != 0 {
			t.Fatalf("no ids: %v, %v", got, err)
		}
	})
}
