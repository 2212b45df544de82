package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

func listIDs(t *testing.T, db *sqldb.DB, s lintel.Staff, f sqldb.RequestFilter) []int64 {
	t.Helper()
	l, err := db.ListRequests(context.Background(), s, f)
	if err != nil {
		t.Fatalf("list %+v: %v", f, err)
	}
	var ids []int64
	for _, r := range l.Requests {
		ids = append(ids, r.ID)
	}
	return ids
}

func TestListRequestsFilters(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		admin := a.Staff[testkit.Admin]
		other := otherCategory(t, db, a)
		closed, err := db.CreateRequest(ctx, admin, sqldb.NewRequest{PropertyID: a.Property, UnitID: a.CommonArea, CategoryID: other,
			Summary: "Laundry sink blocked"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		d, _ := db.StaffRequest(ctx, admin, closed)
		if err := db.SetRequestStatus(ctx, admin, closed, sqldb.StatusChange{To: lintel.StatusClosed, Version: d.Request.Version}, nil); err != nil {
			t.Fatal(err)
		}

		open := worldRequests(a)
		for _, tc := range []struct {
			name string
			f    sqldb.RequestFilter
			want []int64
		}{
			{"open by default, newest first", sqldb.RequestFilter{}, open},
			{"all", sqldb.RequestFilter{Status: sqldb.FilterAll}, append([]int64{closed}, open...)},
			{"one status", sqldb.RequestFilter{Status: "submitted"}, []int64{a.OwnerRequest}},
			{"closed", sqldb.RequestFilter{Status: "closed"}, []int64{closed}},
			{"property", sqldb.RequestFilter{PropertyID: a.OtherProperty}, []int64{a.OtherRequest}},
			{"category", sqldb.RequestFilter{CategoryID: a.Plumbing, Status: sqldb.FilterAll}, open},
			{"another category", sqldb.RequestFilter{CategoryID: other, Status: sqldb.FilterAll}, []int64{closed}},
			{"another category, open", sqldb.RequestFilter{CategoryID: other}, nil},
			{"operator of the latest visit", sqldb.RequestFilter{OperatorID: a.Operator2}, []int64{a.OtherRequest}},
			{"search the summary", sqldb.RequestFilter{Search: "FAN"}, []int64{a.OwnerRequest}},
			{"search the description", sqldb.RequestFilter{Search: "since yesterday"}, open},
			{"search the unit", sqldb.RequestFilter{Search: "unit a"}, []int64{a.OtherRequest}},
			{"search takes wildcards literally", sqldb.RequestFilter{Search: "%"}, nil},
			{"older than a day", sqldb.RequestFilter{OlderThanDays: 1}, nil},
			{"another company's property finds nothing", sqldb.RequestFilter{PropertyID: w.B.Property}, nil},
			{"another company's operator finds nothing", sqldb.RequestFilter{OperatorID: w.B.Operator}, nil},
			{"nothing needs a decision", sqldb.RequestFilter{Status: sqldb.FilterAttention}, nil},
		} {
			if got := listIDs(t, db, admin, tc.f); !slices.Equal(got, tc.want) {
				t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
			}
		}
		if _, err := db.ListRequests(ctx, admin, sqldb.RequestFilter{Status: "bogus"}); lintel.KindOf(err) != lintel.KindInvalid {
			t.Errorf("unknown status: %v, want invalid", err)
		}

		// The operator filter follows the latest visit: reassigning moves
		// the request from one operator's list to the other's.
		_, hash := auth.NewToken()
		if _, err := db.AssignOperator(ctx, admin, a.Request, 0, sqldb.Dispatch{OperatorID: a.Operator2, TokenHash: hash}, nil); err != nil {
			t.Fatal(err)
		}
		if got := listIDs(t, db, admin, sqldb.RequestFilter{OperatorID: a.Operator}); len(got) != 0 {
			t.Errorf("after reassigning, the first operator still has %v", got)
		}
		l, _ := db.ListRequests(ctx, admin, sqldb.RequestFilter{OperatorID: a.Operator2})
		if len(l.Requests) != 2 || l.Requests[1].ID != a.Request || l.Requests[1].OperatorName != "Sparks Harbour" {
			t.Errorf("second operator's list = %+v", l.Requests)
		}
	})
}

func TestListRequestsAgeAndPages(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	testkit.ForEachWorldWith(t, sqldb.Options{Now: clock.Now}, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		admin := a.Staff[testkit.Admin]
		clock.Advance(10 * 24 * time.Hour)
		var newer []int64
		for i := range 7 {
			id, err := db.CreateRequest(ctx, admin, sqldb.NewRequest{PropertyID: a.Property, CategoryID: otherCategory(t, db, a),
				Summary: fmt.Sprintf("Leak %d", i)}, nil)
			if err != nil {
				t.Fatal(err)
			}
			newer = append(newer, id)
		}
		if got := listIDs(t, db, admin, sqldb.RequestFilter{OlderThanDays: 7}); !slices.Equal(got, worldRequests(a)) {
			t.Errorf("older than a week: %v", got)
		}

		// Pages of 4, newest first, forwards then back.
		all := append(slices.Clone(newer), worldRequests(a)...)
		slices.SortFunc(all, func(x, y int64) int { return int(y - x) })
		var seen []int64
		f := sqldb.RequestFilter{Limit: 4}
		var pages []sqldb.RequestList
		for {
			l, err := db.ListRequests(ctx, admin, f)
			if err != nil {
				t.Fatal(err)
			}
			pages = append(pages, l)
			for _, r := range l.Requests {
				seen = append(seen, r.ID)
			}
			if l.Next == 0 {
				break
			}
			f.Before = l.Next
		}
		if !slices.Equal(seen, all) || len(pages) != 3 {
			t.Fatalf("paged through %v in %d pages, want %v in 3", seen, len(pages), all)
		}
		if pages[0].Prev != 0 || pages[2].Next != 0 || pages[1].Prev == 0 {
			t.Errorf("cursors: first prev %d, last next %d, middle prev %d", pages[0].Prev, pages[2].Next, pages[1].Prev)
		}
		back, err := db.ListRequests(ctx, admin, sqldb.RequestFilter{Limit: 4, After: pages[2].Prev})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(idsOf(back), idsOf(pages[1])) || back.Next != pages[1].Next || back.Prev != pages[1].Prev {
			t.Errorf("back from the last page: %v (prev %d next %d), want %v (prev %d next %d)",
				idsOf(back), back.Prev, back.Next, idsOf(pages[1]), pages[1].Prev, pages[1].Next)
		}
		first, _ := db.ListRequests(ctx, admin, sqldb.RequestFilter{Limit: 4, After: pages[1].Prev})
		if !slices.Equal(idsOf(first), idsOf(pages[0])) || first.Prev != 0 {
			t.Errorf("back to the first page: %v prev %d", idsOf(first), first.Prev)
		}
	})
}

// worldRequests are the fixture company's requests, all open and in the
// Plumbing category, newest first.
func worldRequests(c *testkit.Company) []int64 {
	ids := []int64{c.Request, c.OwnerRequest, c.OtherRequest}
	if c.ApprovalRequest != 0 {
		ids = append(ids, c.ApprovalRequest)
	}
	slices.SortFunc(ids, func(x, y int64) int { return int(y - x) })
	return ids
}

// otherCategory is the company's "Other" category, which asks no questions.
func otherCategory(t *testing.T, db *sqldb.DB, c *testkit.Company) int64 {
	t.Helper()
	cats, err := db.Categories(context.Background(), c.Staff[testkit.Admin])
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(cats, func(c lintel.Category) bool { return c.Name == "Other" })
	if i < 0 {
		t.Fatalf("%s has no Other category", c.Name)
	}
	return cats[i].ID
}

func idsOf(l sqldb.RequestList) []int64 {
	var ids []int64
	for _, r := range l.Requests {
		ids = append(ids, r.ID)
	}
	return ids
}

func TestCountMaintenanceAndAttention(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		admin := a.Staff[testkit.Admin]
		c, err := db.CountMaintenance(ctx, admin)
		if err != nil || c.ToTriage != 1 || c.NeedsDecision != 0 {
			t.Fatalf("counts = %+v, %v; want 1 to triage", c, err)
		}
		// The operator cannot complete: the request needs the manager's
		// decision, and shows in the "attention" list.
		if _, err := db.ContractorUnable(ctx, auth.HashToken(a.VisitToken), "127.0.0.1", "No access: nobody home", nil); err != nil {
			t.Fatal(err)
		}
		c, _ = db.CountMaintenance(ctx, admin)
		if c.NeedsDecision != 1 {
			t.Errorf("after unable: counts %+v, want 1 needing a decision", c)
		}
		l, _ := db.ListRequests(ctx, admin, sqldb.RequestFilter{Status: sqldb.FilterAttention})
		if len(l.Requests) != 1 || l.Requests[0].ID != a.Request || !l.Requests[0].NeedsDecision() {
			t.Errorf("attention list = %+v", l.Requests)
		}
		// Sending someone again settles it.
		_, hash := auth.NewToken()
		if _, err := db.AssignOperator(ctx, admin, a.Request, 0, sqldb.Dispatch{OperatorID: a.Operator, TokenHash: hash}, nil); err != nil {
			t.Fatal(err)
		}
		if c, _ = db.CountMaintenance(ctx, admin); c.NeedsDecision != 0 {
			t.Errorf("after sending the operator again: %+v", c)
		}
		// B counts its own.
		if c, _ := db.CountMaintenance(ctx, w.B.Staff[testkit.Admin]); c.ToTriage != 1 || c.NeedsDecision != 0 {
			t.Errorf("B's counts = %+v", c)
		}
	})
}

func TestUpdateRequest(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		admin := a.Staff[testkit.Admin]
		d, _ := db.StaffRequest(ctx, admin, a.Request)
		v := d.Request.Version
		cats, _ := db.Categories(ctx, admin)
		other := cats[slices.IndexFunc(cats, func(c lintel.Category) bool { return c.ID == otherCategory(t, db, a) })]
		edit := sqldb.RequestEdit{Summary: "Kitchen tap leaks badly", Description: "Under the sink too.", StaffNotes: "Call before 9.",
			Priority: lintel.PriorityHigh, CategoryID: other.ID, Version: v}
		if err := db.UpdateRequest(ctx, admin, a.Request, edit); err != nil {
			t.Fatal(err)
		}
		d, _ = db.StaffRequest(ctx, admin, a.Request)
		q := d.Request
		if q.Summary != edit.Summary || q.Description != edit.Description || q.StaffNotes != edit.StaffNotes || q.Priority != lintel.PriorityHigh ||
			q.CategoryID != other.ID || q.CategoryName != other.Name || q.Version != v+1 {
			t.Errorf("after the edit: %+v", q)
		}
		// The residents see the new summary on their timeline, not the staff notes.
		rd, err := db.ResidentRequest(ctx, lintel.Resident{UserID: a.Users[testkit.Tenant], Email: a.Emails[testkit.Tenant]}, a.Request)
		if err != nil {
			t.Fatal(err)
		}
		if rd.Request.StaffNotes != "" || !slices.ContainsFunc(rd.Events, func(e sqldb.Event) bool { return e.Body == "Summary changed to “Kitchen tap leaks badly”" }) {
			t.Errorf("resident view: notes %q, events %+v", rd.Request.StaffNotes, rd.Events)
		}
		if slices.ContainsFunc(rd.Events, func(e sqldb.Event) bool { return e.Audience == sqldb.AudienceStaff }) {
			t.Error("a staff-only event reached the residents")
		}

		// The same page saved again: stale.
		if err := db.UpdateRequest(ctx, admin, a.Request, edit); !errors.Is(err, sqldb.ErrStale) {
			t.Errorf("stale edit: %v, want ErrStale", err)
		}
		for name, tc := range map[string]struct {
			e     sqldb.RequestEdit
			field string
		}{
			"empty summary":   {sqldb.RequestEdit{Priority: "normal", CategoryID: other.ID}, "summary"},
			"bad priority":    {sqldb.RequestEdit{Summary: "x", Priority: "whenever", CategoryID: other.ID}, "priority"},
			"other company's": {sqldb.RequestEdit{Summary: "x", Priority: "normal", CategoryID: mustFirstCategory(t, db, w.B)}, "category_id"},
		} {
			tc.e.Version = v + 1
			if err := db.UpdateRequest(ctx, admin, a.Request, tc.e); lintel.FieldsOf(err)[tc.field] == "" {
				t.Errorf("%s: %v, want a message for %s", name, err, tc.field)
			}
		}
		if err := db.UpdateRequest(ctx, w.B.Staff[testkit.Admin], a.Request, edit); !lintel.IsNotFound(err) {
			t.Errorf("B's admin: %v, want not found", err)
		}
		if err := db.UpdateRequest(ctx, a.Staff[testkit.Bookkeeper], a.Request, edit); !errors.Is(err, lintel.ErrForbidden) {
			t.Errorf("bookkeeper: %v, want forbidden", err)
		}
	})
}

func mustFirstCategory(t *testing.T, db *sqldb.DB, c *testkit.Company) int64 {
	t.Helper()
	cats, err := db.Categories(context.Background(), c.Staff[testkit.Admin])
	if err != nil || len(cats) == 0 {
		t.Fatalf("categories of %s: %v", c.Name, err)
	}
	return cats[0].ID
}

func TestSetRequestStatus(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		admin := a.Staff[testkit.Admin]
		version := func(id int64) int {
			d, err := db.StaffRequest(ctx, admin, id)
			if err != nil {
				t.Fatal(err)
			}
			return d.Request.Version
		}
		// Cancelling needs a reason.
		err := db.SetRequestStatus(ctx, admin, a.Request, sqldb.StatusChange{To: lintel.StatusCancelled, Version: version(a.Request)}, nil)
		if lintel.FieldsOf(err)["reason"] == "" {
			t.Fatalf("cancel without a reason: %v", err)
		}
		// Cancelling calls off the open visit: its link dies, the operator is told.
		var told []sqldb.VisitEnded
		err = db.SetRequestStatus(ctx, admin, a.Request, sqldb.StatusChange{To: lintel.StatusCancelled, Reason: "Tenant fixed it", Version: version(a.Request)},
			func(n sqldb.VisitEnded) ([]lintel.Email, error) {
				told = append(told, n)
				return []lintel.Email{{DedupeKey: "t", Kind: "test", To: n.Operator.Email, Subject: "off", Text: "off"}}, nil
			})
		if err != nil {
			t.Fatal(err)
		}
		if len(told) != 1 || told[0].Operator.Email != "pipes@harbour.test" || told[0].Reason != "Tenant fixed it" {
			t.Errorf("operator notices = %+v", told)
		}
		if _, err := db.ContractorTask(ctx, auth.HashToken(a.VisitToken)); !sqldb.IsTaskLinkDead(err) {
			t.Errorf("the cancelled visit's link: %v, want dead", err)
		}
		d, _ := db.StaffRequest(ctx, admin, a.Request)
		if d.Request.Status != lintel.StatusCancelled || d.Visits[0].Status != lintel.VisitCancelled || d.Request.ClosedAt.IsZero() {
			t.Errorf("after cancel: %s, visit %s", d.Request.Status, d.Visits[0].Status)
		}
		rd, _ := db.ResidentRequest(ctx, lintel.Resident{UserID: a.Users[testkit.Cotenant], Email: a.Emails[testkit.Cotenant]}, a.Request)
		if !slices.ContainsFunc(rd.Events, func(e sqldb.Event) bool { return e.Body == "Why it was cancelled: Tenant fixed it" }) {
			t.Errorf("the co-tenant does not see why: %+v", rd.Events)
		}
		// Nothing moves a cancelled request.
		for _, to := range []lintel.RequestStatus{lintel.StatusClosed, lintel.StatusSubmitted, lintel.StatusCancelled} {
			err := db.SetRequestStatus(ctx, admin, a.Request, sqldb.StatusChange{To: to, Reason: "x", Version: version(a.Request)}, nil)
			if lintel.KindOf(err) != lintel.KindConflict {
				t.Errorf("cancelled → %s: %v, want a conflict", to, err)
			}
		}
		// Reopening an assigned request calls off its visit too.
		err = db.SetRequestStatus(ctx, admin, a.OtherRequest, sqldb.StatusChange{To: lintel.StatusSubmitted, Version: version(a.OtherRequest)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ContractorTask(ctx, auth.HashToken(a.OtherVisitToken)); !sqldb.IsTaskLinkDead(err) {
			t.Errorf("the reopened request's old link: %v, want dead", err)
		}
		// Closing a submitted request, with a note for the residents.
		if err := db.SetRequestStatus(ctx, admin, a.OwnerRequest, sqldb.StatusChange{To: lintel.StatusClosed, Reason: "Fan replaced by the owner", Version: version(a.OwnerRequest)}, nil); err != nil {
			t.Fatal(err)
		}
		// Stale, forbidden, out of scope, unknown.
		if err := db.SetRequestStatus(ctx, admin, a.OtherRequest, sqldb.StatusChange{To: lintel.StatusClosed, Version: 1}, nil); !errors.Is(err, sqldb.ErrStale) {
			t.Errorf("stale: %v", err)
		}
		if err := db.SetRequestStatus(ctx, a.Staff[testkit.Bookkeeper], a.OtherRequest, sqldb.StatusChange{To: lintel.StatusClosed, Version: version(a.OtherRequest)}, nil); !errors.Is(err, lintel.ErrForbidden) {
			t.Errorf("bookkeeper: %v", err)
		}
		if err := db.SetRequestStatus(ctx, w.B.Staff[testkit.Admin], a.OtherRequest, sqldb.StatusChange{To: lintel.StatusClosed, Version: version(a.OtherRequest)}, nil); !lintel.IsNotFound(err) {
			t.Errorf("B's admin: %v", err)
		}
		if err := db.SetRequestStatus(ctx, admin, a.OtherRequest, sqldb.StatusChange{To: lintel.StatusCompleted, Version: version(a.OtherRequest)}, nil); lintel.KindOf(err) != lintel.KindInvalid {
			t.Errorf("to completed by hand: %v, want invalid", err)
		}
	})
}

// Two managers acting on the same page at the same moment (SECURITY.md
// 13): whatever the mix of cancel, close, reopen, edit and assign, exactly
// one change lands and the others are told the request changed.
func TestConcurrentDeskChangesMakeOneTransition(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		admin, maint := a.Staff[testkit.Admin], a.Staff[testkit.Maintenance]
		d, err := db.StaffRequest(ctx, admin, a.Request)
		if err != nil {
			t.Fatal(err)
		}
		seen := d.Request.Version
		events := len(d.Events)
		actions := []func() error{
			func() error {
				return db.SetRequestStatus(ctx, admin, a.Request, sqldb.StatusChange{To: lintel.StatusCancelled, Reason: "duplicate", Version: seen}, nil)
			},
			func() error {
				return db.SetRequestStatus(ctx, maint, a.Request, sqldb.StatusChange{To: lintel.StatusSubmitted, Version: seen}, nil)
			},
			func() error {
				_, hash := auth.NewToken()
				_, err := db.AssignOperator(ctx, maint, a.Request, seen, sqldb.Dispatch{OperatorID: a.Operator2, TokenHash: hash}, nil)
				return err
			},
			func() error {
				return db.UpdateRequest(ctx, admin, a.Request, sqldb.RequestEdit{Summary: "Edited", Priority: "high", CategoryID: a.Plumbing, Version: seen})
			},
		}
		var wg sync.WaitGroup
		errs := make([]error, 4*len(actions))
		for i := range errs {
			wg.Go(func() { errs[i] = actions[i%len(actions)]() })
		}
		wg.Wait()
		ok := 0
		for i, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, sqldb.ErrStale):
				t.Errorf("action %d lost with %v, want ErrStale", i%len(actions), err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d changes landed, want exactly 1", ok)
		}
		d, _ = db.StaffRequest(ctx, admin, a.Request)
		if d.Request.Version != seen+1 {
			t.Errorf("version %d, want %d", d.Request.Version, seen+1)
		}
		if len(d.Events) <= events || len(d.Events) > events+4 {
			t.Errorf("%d new timeline events: more than one change's worth", len(d.Events)-events)
		}
	})
}
