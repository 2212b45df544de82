package sqldb_test

import (
	"context"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

func TestResidentMaintenancePrefs(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
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
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
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

func TestResidentRequestView(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		who := func(p testkit.Persona, c *testkit.Company) lintel.Resident {
			return lintel.Resident{UserID: c.Users[p], Email: c.Emails[p]}
		}
		for _, tc := range []struct {
			name      string
			r         lintel.Resident
			id        int64
			owner     bool
			wantFound bool
		}{
			{"tenant", who(testkit.Tenant, w.A), w.A.Request, false, true},
			{"co-tenant", who(testkit.Cotenant, w.A), w.A.Request, false, true},
			{"property owner", who(testkit.PropertyOwner, w.A), w.A.Request, true, true},
			{"property owner, unit request", who(testkit.PropertyOwner, w.A), w.A.OwnerRequest, true, true},
			{"unit owner", who(testkit.UnitOwner, w.A), w.A.OwnerRequest, true, true},
			{"unit owner, tenant's unit", who(testkit.UnitOwner, w.A), w.A.Request, false, false},
			{"former tenant", who(testkit.FormerTenant, w.A), w.A.Request, false, false},
			{"other tenant", who(testkit.OtherTenant, w.A), w.A.Request, false, false},
			{"B tenant", who(testkit.Tenant, w.B), w.A.Request, false, false},
		} {
			v, err := db.ResidentRequestView(ctx, tc.r, tc.id)
			if !tc.wantFound {
				if !lintel.IsNotFound(err) {
					t.Errorf("%s: err = %v, want not found", tc.name, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if v.Request.ID != tc.id || v.Owner != tc.owner || v.CompanyName != w.A.Name || v.Currency != "USD" {
				t.Errorf("%s: got request %d owner %v company %q %q", tc.name, v.Request.ID, v.Owner, v.CompanyName, v.Currency)
			}
			if v.Request.StaffNotes != "" {
				t.Errorf("%s sees staff notes", tc.name)
			}
			for _, e := range v.Events {
				if e.Audience != sqldb.AudienceResidents {
					t.Errorf("%s sees a staff event: %+v", tc.name, e)
				}
			}
		}
	})
}

func TestCheckResidentRequest(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		tenant := lintel.Resident{UserID: w.A.Users[testkit.Tenant], Email: w.A.Emails[testkit.Tenant]}
		cats, err := db.ResidentCategories(ctx, tenant, w.A.ID)
		if err != nil {
			t.Fatal(err)
		}
		var plumbing lintel.Category
		for _, c := range cats {
			if c.ID == w.A.Plumbing {
				plumbing = c
			}
		}
		answers := map[int64]string{}
		for _, q := range plumbing.Questions {
			answers[q.ID] = map[lintel.QuestionKind]string{lintel.QuestionYesNo: "no", lintel.QuestionText: "Bathroom"}[q.Kind]
		}
		good := sqldb.NewRequest{PropertyID: w.A.Property, UnitID: w.A.Unit, CategoryID: w.A.Plumbing, Summary: "Basin leaks", Answers: answers}
		if err := db.CheckResidentRequest(ctx, tenant, w.A.ID, good); err != nil {
			t.Fatalf("a good request: %v", err)
		}
		before := count(t, db, `SELECT COUNT(*) FROM requests`)

		for _, tc := range []struct {
			name    string
			company int64
			edit    func(*sqldb.NewRequest)
			fields  []string
		}{
			{"another tenant's unit", w.A.ID, func(n *sqldb.NewRequest) { n.UnitID = w.A.OtherUnit }, []string{"place"}},
			{"company B's unit", w.B.ID, func(n *sqldb.NewRequest) { n.PropertyID, n.UnitID = w.B.Property, w.B.Unit }, []string{"place"}},
			{"common area is fine", w.A.ID, func(n *sqldb.NewRequest) { n.UnitID = w.A.CommonArea }, nil},
			{"company B's category", w.A.ID, func(n *sqldb.NewRequest) { n.CategoryID = w.B.Plumbing }, []string{"category_id"}},
			{"no summary, future date", w.A.ID, func(n *sqldb.NewRequest) {
				n.Summary = " "
				n.OccurredOn = lintel.DateOf(db.Now()).AddDays(2)
			}, []string{"summary", "occurred_on"}},
			{"required answer missing", w.A.ID, func(n *sqldb.NewRequest) { n.Answers = map[int64]string{} }, []string{"answer_" + itoa(plumbing.Questions[0].ID)}},
		} {
			in := good
			in.Answers = answers
			tc.edit(&in)
			err := db.CheckResidentRequest(ctx, tenant, tc.company, in)
			fe := lintel.FieldsOf(err)
			if len(tc.fields) == 0 && err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			for _, f := range tc.fields {
				if fe[f] == "" {
					t.Errorf("%s: no message for %s in %v", tc.name, f, err)
				}
			}
		}
		if after := count(t, db, `SELECT COUNT(*) FROM requests`); after != before {
			t.Fatalf("checking wrote requests: %d → %d", before, after)
		}
	})
}
