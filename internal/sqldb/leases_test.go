package sqldb_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// leaseFixture is a company with a property of two flats and a laundry
// room, and two tenant contacts.
type leaseFixture struct {
	s                     lintel.Staff
	prop                  int64
	flat1, flat2, laundry int64
	maya, noah            int64
}

func newLeaseFixture(t *testing.T, db *sqldb.DB, company string) leaseFixture {
	t.Helper()
	ctx := context.Background()
	f := leaseFixture{s: newCompanyStaff(t, db, company)}
	f.prop = mustProperty(t, db, f.s, lintel.Property{Name: company + " House"})
	f.flat1 = mustUnit(t, db, f.s, lintel.Unit{PropertyID: f.prop, Label: "Flat 1"})
	f.flat2 = mustUnit(t, db, f.s, lintel.Unit{PropertyID: f.prop, Label: "Flat 2"})
	f.laundry = mustUnit(t, db, f.s, lintel.Unit{PropertyID: f.prop, Label: "Laundry room", CommonArea: true})
	f.maya = get(db.CreateContact(ctx, f.s, newTestContact("Maya Chen", "maya@"+strings.ToLower(company)+".example.com"))).ok(t)
	f.noah = get(db.CreateContact(ctx, f.s, lintel.Contact{Name: "Noah Osei", IsTenant: true})).ok(t)
	return f
}

func testLease(unit int64, start, end lintel.Date) lintel.Lease {
	return lintel.Lease{UnitID: unit, Start: start, End: end, RentMinor: 125000, RentDueDay: 1, DepositMinor: 250000}
}

func TestLeaseCRUD(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newLeaseFixture(t, db, "Harbourview")
		l := testLease(f.flat1, date(t, "2026-01-01"), date(t, "2026-12-31"))
		l.Notes = "  Keys with the concierge. "
		id := get(db.CreateLease(ctx, f.s, l, []int64{f.maya, f.maya}, &lintel.Contact{Name: "Liam New", Emails: []lintel.ContactEmail{{Email: "Liam@Example.com"}}})).ok(t)
		got := get(db.Lease(ctx, f.s, id)).ok(t)
		if got.UnitLabel != "Flat 1" || got.PropertyID != f.prop || got.RentMinor != 125000 || got.DepositMinor != 250000 ||
			got.Notes != "Keys with the concierge." || got.End != date(t, "2026-12-31") {
			t.Errorf("stored %+v", got)
		}
		if len(got.Tenants) != 2 || got.Tenants[0].Name != "Liam New" || got.Tenants[1].ID != f.maya || got.Tenants[0].PrimaryEmail() != "liam@example.com" {
			t.Fatalf("tenants = %+v", got.Tenants)
		}
		if !got.Tenants[0].IsTenant {
			t.Error("the new contact is not a tenant")
		}
		if s := got.StatusOn(date(t, "2026-06-01")); s != lintel.LeaseActive {
			t.Errorf("status = %s", s)
		}

		// Edit the terms: open-ended, month-to-month.
		got.End, got.MonthToMonth, got.RentMinor, got.RentDueDay = lintel.Date{}, true, 130000, 5
		got.UnitID = f.flat2 // ignored: a lease stays on its unit
		noErr(t, db.UpdateLease(ctx, f.s, got))
		got = get(db.Lease(ctx, f.s, id)).ok(t)
		if !got.End.IsZero() || !got.MonthToMonth || got.RentMinor != 130000 || got.RentDueDay != 5 || got.UnitID != f.flat1 {
			t.Errorf("after update %+v", got)
		}

		// Co-tenants: add Noah, remove Liam, not the last one.
		noErr(t, db.AddLeaseTenant(ctx, f.s, id, f.noah))
		noErr(t, db.AddLeaseTenant(ctx, f.s, id, f.noah)) // twice is fine
		liam := got.Tenants[0].ID
		noErr(t, db.RemoveLeaseTenant(ctx, f.s, id, liam))
		noErr(t, db.RemoveLeaseTenant(ctx, f.s, id, f.maya))
		wantKind(t, "remove the last tenant", db.RemoveLeaseTenant(ctx, f.s, id, f.noah), lintel.KindConflict)
		wantKind(t, "remove a non-tenant", db.RemoveLeaseTenant(ctx, f.s, id, f.maya), lintel.KindNotFound)
		newID := get(db.AddNewLeaseTenant(ctx, f.s, id, lintel.Contact{Name: "Zoe Cotenant"})).ok(t)
		got = get(db.Lease(ctx, f.s, id)).ok(t)
		if len(got.Tenants) != 2 || got.Tenants[0].ID != f.noah || got.Tenants[1].ID != newID {
			t.Errorf("tenants = %+v", got.Tenants)
		}
		_, err := db.AddNewLeaseTenant(ctx, f.s, id, lintel.Contact{Name: ""})
		wantField(t, "new tenant without a name", err, "name", "name")

		// End early: not before the start, not after the end it has.
		wantField(t, "end before start", db.EndLease(ctx, f.s, id, date(t, "2025-12-31")), "end", "starts on")
		noErr(t, db.EndLease(ctx, f.s, id, date(t, "2026-08-31")))
		wantField(t, "end later than the end", db.EndLease(ctx, f.s, id, date(t, "2026-09-30")), "end", "already ends")
		got = get(db.Lease(ctx, f.s, id)).ok(t)
		if got.End != date(t, "2026-08-31") || got.StatusOn(date(t, "2026-09-01")) != lintel.LeaseEnded {
			t.Errorf("after end: %+v", got)
		}

		// Archive: a new lease may then take the same dates.
		noErr(t, db.ArchiveLease(ctx, f.s, id))
		wantKind(t, "add a tenant to an archived lease", db.AddLeaseTenant(ctx, f.s, id, f.maya), lintel.KindConflict)
		wantKind(t, "update an archived lease", db.UpdateLease(ctx, f.s, got), lintel.KindConflict)
		get(db.CreateLease(ctx, f.s, testLease(f.flat1, date(t, "2026-02-01"), lintel.Date{}), []int64{f.maya}, nil)).ok(t)
	})
}

func TestLeaseValidation(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newLeaseFixture(t, db, "Harbourview")
		_, err := db.CreateLease(ctx, f.s, lintel.Lease{UnitID: f.flat1, RentMinor: -1, RentDueDay: 29}, nil, nil)
		wantField(t, "no start", err, "start", "starts")
		wantField(t, "negative rent", err, "rent", "negative")
		wantField(t, "due day", err, "due_day", "1 to 28")
		wantField(t, "no tenants", err, "tenants", "at least one tenant")
		_, err = db.CreateLease(ctx, f.s, testLease(f.laundry, date(t, "2026-01-01"), lintel.Date{}), []int64{f.maya}, nil)
		wantField(t, "common area", err, "unit_id", "common area")
		_, err = db.CreateLease(ctx, f.s, testLease(f.flat1, date(t, "2026-01-01"), lintel.Date{}), nil, &lintel.Contact{Emails: []lintel.ContactEmail{{Email: "x"}}})
		wantField(t, "new tenant name", err, "new_tenant_name", "name")
		wantField(t, "new tenant e-mail", err, "new_tenant_email_0", "e-mail")
		if n := count(t, db, `SELECT COUNT(*) FROM leases`); n != 0 {
			t.Errorf("%d leases stored from invalid input", n)
		}
		bookkeeper := f.s
		bookkeeper.Role = lintel.RoleBookkeeper
		_, err = db.CreateLease(ctx, bookkeeper, testLease(f.flat1, date(t, "2026-01-01"), lintel.Date{}), []int64{f.maya}, nil)
		wantKind(t, "bookkeeper", err, lintel.KindForbidden)
	})
}

func TestLeaseOverlapRefused(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newLeaseFixture(t, db, "Harbourview")
		first := get(db.CreateLease(ctx, f.s, testLease(f.flat1, date(t, "2026-01-01"), date(t, "2026-06-30")), []int64{f.maya}, nil)).ok(t)
		cases := []struct {
			name       string
			start, end string
			ok         bool
		}{
			{"same dates", "2026-01-01", "2026-06-30", false},
			{"starts inside", "2026-06-30", "2026-12-31", false},
			{"ends inside", "2025-06-01", "2026-01-01", false},
			{"open-ended before", "2025-01-01", "", false},
			{"around it", "2025-12-01", "2026-07-31", false},
			{"the day after", "2026-07-01", "2026-12-31", true},
		}
		for _, tc := range cases {
			var end lintel.Date
			if tc.end != "" {
				end = date(t, tc.end)
			}
			_, err := db.CreateLease(ctx, f.s, testLease(f.flat1, date(t, tc.start), end), []int64{f.noah}, nil)
			if tc.ok {
				noErr(t, err)
			} else {
				wantField(t, tc.name, err, "start", "already has a lease")
			}
		}
		// Another unit is free on the same days.
		get(db.CreateLease(ctx, f.s, testLease(f.flat2, date(t, "2026-01-01"), date(t, "2026-06-30")), []int64{f.noah}, nil)).ok(t)
		// Moving the first lease's end onto the next lease is refused too.
		l := get(db.Lease(ctx, f.s, first)).ok(t)
		l.End = date(t, "2026-07-15")
		wantField(t, "edit into overlap", db.UpdateLease(ctx, f.s, l), "start", "already has a lease")
		l.End = lintel.Date{}
		wantField(t, "edit to open-ended", db.UpdateLease(ctx, f.s, l), "start", "already has a lease")
	})
}

func TestLeaseScope(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		a := newLeaseFixture(t, db, "Harbourview")
		b := newLeaseFixture(t, db, "Ridgeline")
		id := get(db.CreateLease(ctx, a.s, testLease(a.flat1, date(t, "2026-01-01"), lintel.Date{}), []int64{a.maya}, nil)).ok(t)

		_, err := db.Lease(ctx, b.s, id)
		wantKind(t, "get", err, lintel.KindNotFound)
		l := testLease(b.flat1, date(t, "2030-01-01"), lintel.Date{})
		l.ID = id
		wantKind(t, "update", db.UpdateLease(ctx, b.s, l), lintel.KindNotFound)
		wantKind(t, "add tenant", db.AddLeaseTenant(ctx, b.s, id, b.maya), lintel.KindNotFound)
		_, err = db.AddNewLeaseTenant(ctx, b.s, id, lintel.Contact{Name: "Intruder"})
		wantKind(t, "add new tenant", err, lintel.KindNotFound)
		wantKind(t, "remove tenant", db.RemoveLeaseTenant(ctx, b.s, id, a.maya), lintel.KindNotFound)
		wantKind(t, "end", db.EndLease(ctx, b.s, id, date(t, "2026-02-01")), lintel.KindNotFound)
		wantKind(t, "archive", db.ArchiveLease(ctx, b.s, id), lintel.KindNotFound)

		// Ids from another company in a form: refused, nothing stored.
		_, err = db.CreateLease(ctx, b.s, testLease(a.flat2, date(t, "2026-01-01"), lintel.Date{}), []int64{b.maya}, nil)
		wantField(t, "another company's unit", err, "unit_id", "Choose one of your company's units")
		_, err = db.CreateLease(ctx, b.s, testLease(b.flat2, date(t, "2026-01-01"), lintel.Date{}), []int64{b.maya, a.noah}, nil)
		wantField(t, "another company's tenant", err, "tenants", "your company's contacts")
		wantField(t, "add another company's contact", db.AddLeaseTenant(ctx, a.s, id, b.noah), "contact_id", "your company's contacts")
		if n := count(t, db, `SELECT COUNT(*) FROM leases WHERE company_id = $1`, b.s.CompanyID); n != 0 {
			t.Errorf("%d leases stored for company b", n)
		}
		got := get(db.Lease(ctx, a.s, id)).ok(t)
		if len(got.Tenants) != 1 || !got.End.IsZero() || got.Archived() {
			t.Errorf("another company changed the lease: %+v", got)
		}
		if l := get(db.ListLeases(ctx, b.s, sqldb.LeaseFilter{})).ok(t); len(l.Leases) != 0 {
			t.Errorf("company b lists %+v", l.Leases)
		}
	})
}

func TestListLeasesFiltersAndPages(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newLeaseFixture(t, db, "Harbourview")
		other := mustProperty(t, db, f.s, lintel.Property{Name: "Ridge Cottage"})
		cottage := mustUnit(t, db, f.s, lintel.Unit{PropertyID: other, Label: "Cottage"})
		today := date(t, "2026-03-15")
		ended := get(db.CreateLease(ctx, f.s, testLease(f.flat1, date(t, "2025-01-01"), date(t, "2025-12-31")), []int64{f.noah}, nil)).ok(t)
		active := get(db.CreateLease(ctx, f.s, testLease(f.flat1, date(t, "2026-01-01"), date(t, "2026-03-15")), []int64{f.maya, f.noah}, nil)).ok(t)
		upcoming := get(db.CreateLease(ctx, f.s, testLease(f.flat1, date(t, "2026-03-16"), lintel.Date{}), []int64{f.maya}, nil)).ok(t)
		openActive := get(db.CreateLease(ctx, f.s, testLease(cottage, date(t, "2026-03-15"), lintel.Date{}), []int64{f.noah}, nil)).ok(t)
		archived := get(db.CreateLease(ctx, f.s, testLease(f.flat2, date(t, "2020-01-01"), date(t, "2020-12-31")), []int64{f.maya}, nil)).ok(t)
		noErr(t, db.ArchiveLease(ctx, f.s, archived))

		ids := func(p sqldb.LeasePage) []int64 {
			var out []int64
			for _, l := range p.Leases {
				out = append(out, l.ID)
			}
			return out
		}
		cases := []struct {
			name string
			f    sqldb.LeaseFilter
			want []int64
		}{
			{"all in use, newest first", sqldb.LeaseFilter{}, []int64{upcoming, openActive, active, ended}},
			{"active", sqldb.LeaseFilter{Status: lintel.LeaseActive}, []int64{openActive, active}},
			{"upcoming", sqldb.LeaseFilter{Status: lintel.LeaseUpcoming}, []int64{upcoming}},
			{"ended", sqldb.LeaseFilter{Status: lintel.LeaseEnded}, []int64{ended}},
			{"archived", sqldb.LeaseFilter{Archived: true}, []int64{archived}},
			{"property", sqldb.LeaseFilter{PropertyID: other}, []int64{openActive}},
			{"unit", sqldb.LeaseFilter{UnitID: f.flat1, Status: lintel.LeaseEnded}, []int64{ended}},
			{"tenant name", sqldb.LeaseFilter{Search: "maya"}, []int64{upcoming, active}},
			{"unit label", sqldb.LeaseFilter{Search: "COTTAGE"}, []int64{openActive}},
			{"property name", sqldb.LeaseFilter{Search: "harbourview house"}, []int64{upcoming, active, ended}},
			{"nothing", sqldb.LeaseFilter{Search: "zzz"}, nil},
		}
		for _, tc := range cases {
			tc.f.Today = today
			got := ids(get(db.ListLeases(ctx, f.s, tc.f)).ok(t))
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
			}
		}
		// The statuses the list computes agree with StatusOn.
		for _, l := range get(db.ListLeases(ctx, f.s, sqldb.LeaseFilter{Today: today, Status: lintel.LeaseActive})).ok(t).Leases {
			if l.StatusOn(today) != lintel.LeaseActive {
				t.Errorf("lease %d listed as active but StatusOn says %s", l.ID, l.StatusOn(today))
			}
		}

		// Pages of 1, forward then back, tenants on each page.
		var walked []int64
		var pages []sqldb.LeasePage
		lf := sqldb.LeaseFilter{Today: today, Limit: 1}
		for {
			p := get(db.ListLeases(ctx, f.s, lf)).ok(t)
			pages = append(pages, p)
			walked = append(walked, ids(p)...)
			if len(p.Leases) == 1 && len(p.Leases[0].Tenants) == 0 {
				t.Errorf("lease %d listed without tenants", p.Leases[0].ID)
			}
			if p.Next == nil {
				break
			}
			lf.After = p.Next
		}
		if fmt.Sprint(walked) != fmt.Sprint([]int64{upcoming, openActive, active, ended}) {
			t.Errorf("walked %v", walked)
		}
		back := get(db.ListLeases(ctx, f.s, sqldb.LeaseFilter{Today: today, Limit: 2, Before: pages[2].Prev})).ok(t)
		if fmt.Sprint(ids(back)) != fmt.Sprint([]int64{upcoming, openActive}) || back.Prev != nil || back.Next == nil {
			t.Errorf("back from page 3 = %v (prev %v next %v)", ids(back), back.Prev, back.Next)
		}
	})
}
