package sqldb_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

func residentOf(c *testkit.Company, p testkit.Persona) lintel.Resident {
	return lintel.Resident{UserID: c.Users[p], Email: c.Emails[p], Name: string(p)}
}

func TestDefaultCategoriesSeeded(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		cats, err := db.Categories(context.Background(), w.A.Staff[testkit.Admin])
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range cats {
			names = append(names, c.Name)
			if c.CompanyID != w.A.ID {
				t.Errorf("category %q belongs to company %d, want %d", c.Name, c.CompanyID, w.A.ID)
			}
		}
		want := []string{"Appliance", "Electrical", "Plumbing", "Door or lock", "Heating or cooling", "Pests", "Other"}
		if !slices.Equal(names, want) {
			t.Errorf("categories = %q, want %q", names, want)
		}
		if len(cats[2].Questions) != 3 || !cats[2].Questions[0].Required {
			t.Errorf("plumbing questions = %+v, want 3 starting with a required one", cats[2].Questions)
		}
		if _, err := db.ResidentCategories(context.Background(), residentOf(w.B, testkit.Tenant), w.A.ID); !lintel.IsNotFound(err) {
			t.Errorf("company B's tenant reading A's categories: err = %v, want not found", err)
		}
	})
}

func TestResidentPlaces(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		a := w.A
		tests := []struct {
			who  testkit.Persona
			want []string // Place.Key()s
		}{
			// The leased unit and the property's common area.
			{testkit.Tenant, keys(a.Property, a.Unit, a.CommonArea)},
			{testkit.Cotenant, keys(a.Property, a.Unit, a.CommonArea)},
			// An ended lease gives no place.
			{testkit.FormerTenant, nil},
			// The whole property and all its units.
			{testkit.PropertyOwner, keys(a.Property, 0, a.Unit, a.OwnedUnit, a.CommonArea)},
			// Their unit and the common area only.
			{testkit.UnitOwner, keys(a.Property, a.OwnedUnit, a.CommonArea)},
			{testkit.OtherTenant, keys(a.OtherProperty, a.OtherUnit)},
		}
		for _, tt := range tests {
			places, err := db.ResidentPlaces(context.Background(), residentOf(a, tt.who))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range places {
				if p.CompanyID != a.ID {
					t.Errorf("%s: place %s is in company %d", tt.who, p.Label(), p.CompanyID)
				}
				got = append(got, p.Key())
			}
			slices.Sort(got)
			slices.Sort(tt.want)
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s: places %q, want %q", tt.who, got, tt.want)
			}
		}
	})
}

func keys(property int64, units ...int64) []string {
	var out []string
	for _, u := range units {
		out = append(out, sqldb.Place{PropertyID: property, UnitID: u}.Key())
	}
	return out
}

func TestResidentRequestScope(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		tests := []struct {
			who  testkit.Persona
			c    *testkit.Company
			want []int64
		}{
			{testkit.Tenant, a, []int64{a.ApprovalRequest, a.Request}}, // a common area of their property, then their unit
			{testkit.Cotenant, a, []int64{a.ApprovalRequest, a.Request}},
			{testkit.FormerTenant, a, nil},
			{testkit.OtherTenant, a, []int64{a.OtherRequest}},
			{testkit.PropertyOwner, a, []int64{a.ApprovalRequest, a.OwnerRequest, a.Request}},
			{testkit.UnitOwner, a, []int64{a.OwnerRequest}},
			{testkit.OtherOwner, a, []int64{a.OtherRequest}},
			{testkit.Tenant, w.B, []int64{w.B.ApprovalRequest, w.B.Request}},
		}
		for _, tt := range tests {
			r := residentOf(tt.c, tt.who)
			page, err := db.ResidentRequests(ctx, r, sqldb.ResidentRequestFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, q := range page.Requests {
				got = append(got, q.ID)
				if q.StaffNotes != "" {
					t.Errorf("%s sees staff notes", tt.who)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s of %s: requests %v, want %v (newest first)", tt.who, tt.c.Name, got, tt.want)
			}
			// The detail page agrees with the list, for every request in the world.
			for _, id := range []int64{a.Request, a.OwnerRequest, a.OtherRequest, a.ApprovalRequest, w.B.Request} {
				_, err := db.ResidentRequest(ctx, r, id)
				if visible := slices.Contains(tt.want, id); visible != (err == nil) {
					t.Errorf("%s of %s reading request %d: err = %v, visible in list = %v", tt.who, tt.c.Name, id, err, visible)
				}
				if err != nil && !lintel.IsNotFound(err) {
					t.Errorf("%s reading request %d: err = %v, want not found", tt.who, id, err)
				}
			}
		}
	})
}

func TestSubmitRequestValidation(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		tenant := residentOf(a, testkit.Tenant)
		cats, err := db.ResidentCategories(ctx, tenant, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		var plumbing lintel.Category
		for _, c := range cats {
			if c.ID == a.Plumbing {
				plumbing = c
			}
		}
		full := func() sqldb.NewRequest {
			return sqldb.NewRequest{PropertyID: a.Property, UnitID: a.Unit, CategoryID: a.Plumbing, Summary: "Tap drips",
				Answers: map[int64]string{plumbing.Questions[0].ID: "yes", plumbing.Questions[1].ID: "no"}}
		}
		tomorrow := lintel.DateOf(db.Now()).AddDays(1)
		tests := []struct {
			name   string
			edit   func(*sqldb.NewRequest)
			fields []string
		}{
			{"no summary", func(r *sqldb.NewRequest) { r.Summary = "  " }, []string{"summary"}},
			{"required question unanswered", func(r *sqldb.NewRequest) { delete(r.Answers, plumbing.Questions[0].ID) }, []string{"answer_" + itoa(plumbing.Questions[0].ID)}},
			{"yes/no answered otherwise", func(r *sqldb.NewRequest) { r.Answers[plumbing.Questions[1].ID] = "maybe" }, []string{"answer_" + itoa(plumbing.Questions[1].ID)}},
			{"future date", func(r *sqldb.NewRequest) { r.OccurredOn = tomorrow }, []string{"occurred_on"}},
			{"no category", func(r *sqldb.NewRequest) { r.CategoryID = 0 }, []string{"category_id"}},
			{"another company's category", func(r *sqldb.NewRequest) { r.CategoryID = w.B.Plumbing }, []string{"category_id"}},
			{"a unit that is not theirs", func(r *sqldb.NewRequest) { r.UnitID = a.OwnedUnit }, []string{"place"}},
			{"another company's unit", func(r *sqldb.NewRequest) { r.PropertyID, r.UnitID = w.B.Property, w.B.Unit }, []string{"place"}},
		}
		for _, tt := range tests {
			in := full()
			tt.edit(&in)
			_, err := db.SubmitRequest(ctx, tenant, a.ID, in, nil, nil)
			fe := lintel.FieldsOf(err)
			for _, f := range tt.fields {
				if fe[f] == "" {
					t.Errorf("%s: no error on %s (err %v)", tt.name, f, err)
				}
			}
		}

		// A valid request: the staff are told, the co-tenant sees it.
		var notice sqldb.RequestNotice
		id, err := db.SubmitRequest(ctx, tenant, a.ID, full(), nil, func(n sqldb.RequestNotice) ([]lintel.Email, error) {
			notice = n
			var out []lintel.Email
			for _, s := range n.Staff {
				out = append(out, lintel.Email{DedupeKey: "test-new-request:" + s.Email, Kind: "request_submitted", To: s.Email, Subject: "New request", Text: n.Request.Summary})
			}
			return out, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var staff []string
		for _, s := range notice.Staff {
			staff = append(staff, s.Email)
		}
		// The bookkeeper does not dispatch maintenance.
		if want := []string{a.Emails[testkit.Admin], a.Emails[testkit.Maintenance]}; !slices.Equal(staff, want) {
			t.Errorf("notified staff %q, want %q", staff, want)
		}
		if got, _ := db.QueuedEmails(ctx, a.Emails[testkit.Maintenance]); len(got) != 1 {
			t.Errorf("maintenance coordinator has %d queued e-mails, want 1", len(got))
		}
		d, err := db.ResidentRequest(ctx, residentOf(a, testkit.Cotenant), id)
		if err != nil {
			t.Fatal(err)
		}
		if d.Request.LeaseID != a.Lease || len(d.Request.Answers) != 2 || d.Request.Answers[0].Answer != "Yes" || d.Request.Status != lintel.StatusSubmitted {
			t.Errorf("stored request = %+v", d.Request)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Two managers assigning at the same moment from the same page: exactly
// one assignment happens, the other is told the request changed.
func TestConcurrentAssignMakesOneTransition(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		d, err := db.StaffRequest(ctx, a.Staff[testkit.Admin], a.OwnerRequest)
		if err != nil {
			t.Fatal(err)
		}
		seen := d.Request.Version
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				_, hash := auth.NewToken()
				op := a.Operator
				if i%2 == 1 {
					op = a.Operator2
				}
				_, errs[i] = db.AssignOperator(ctx, a.Staff[testkit.Admin], a.OwnerRequest, seen, sqldb.Dispatch{OperatorID: op, TokenHash: hash}, nil)
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, sqldb.ErrStale):
				t.Errorf("a losing assign failed with %v, want ErrStale", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d assigns succeeded, want exactly 1", ok)
		}
		d, err = db.StaffRequest(ctx, a.Staff[testkit.Admin], a.OwnerRequest)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Visits) != 1 || d.Request.Version != seen+1 || d.Request.Status != lintel.StatusAssigned {
			t.Errorf("after the race: %d visits, version %d (want %d), status %s", len(d.Visits), d.Request.Version, seen+1, d.Request.Status)
		}
	})
}

func TestReassignRevokesTheOldLink(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		_, hash := auth.NewToken()
		if _, err := db.AssignOperator(ctx, a.Staff[testkit.Admin], a.Request, 0, sqldb.Dispatch{OperatorID: a.Operator2, TokenHash: hash}, nil); err != nil {
			t.Fatal(err)
		}
		d, err := db.StaffRequest(ctx, a.Staff[testkit.Admin], a.Request)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Visits) != 2 {
			t.Fatalf("%d visits, want 2", len(d.Visits))
		}
		if old := d.Visits[0]; old.Status != lintel.VisitReassigned || old.TokenRevoked.IsZero() {
			t.Errorf("old visit: status %s, revoked %v; want reassigned and revoked", old.Status, old.TokenRevoked)
		}
		if cur := d.Visits[1]; cur.Status != lintel.VisitAssigned || cur.OperatorID != a.Operator2 || !cur.TokenRevoked.IsZero() {
			t.Errorf("new visit = %+v", cur)
		}
		// Staff without dispatch rights may not assign; B's admin cannot see A's request.
		if _, err := db.AssignOperator(ctx, a.Staff[testkit.Bookkeeper], a.Request, 0, sqldb.Dispatch{OperatorID: a.Operator, TokenHash: "x"}, nil); !errors.Is(err, lintel.ErrForbidden) {
			t.Errorf("bookkeeper assigning: %v, want forbidden", err)
		}
		if _, err := db.AssignOperator(ctx, w.B.Staff[testkit.Admin], a.Request, 0, sqldb.Dispatch{OperatorID: w.B.Operator, TokenHash: "y"}, nil); !lintel.IsNotFound(err) {
			t.Errorf("B's admin assigning A's request: %v, want not found", err)
		}
		if _, err := db.AssignOperator(ctx, a.Staff[testkit.Admin], a.Request, 0, sqldb.Dispatch{OperatorID: w.B.Operator, TokenHash: "z"}, nil); lintel.FieldsOf(err)["operator_id"] == "" {
			t.Errorf("assigning B's operator to A's request: %v, want a field error", err)
		}
	})
}
