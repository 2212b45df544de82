package billing_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"lintel.dev/lintel/internal/billing"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

func day(t testing.TB, s string) lintel.Date {
	t.Helper()
	d, err := lintel.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDuePeriods(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		start, end, recorded string
		last, today          string
		want                 string
	}{
		{"first run: the recorded month", "2025-06-01", "", "2026-03-10", "", "2026-03-10", "2026-03"},
		{"starts later than recorded", "2026-03-20", "", "2026-03-02", "", "2026-03-25", "2026-03"},
		{"upcoming lease: nothing yet", "2026-04-01", "", "2026-03-02", "", "2026-03-25", ""},
		{"catch up after the last generated", "2025-06-01", "", "2025-06-01", "2025-12", "2026-03-01", "2026-01 2026-02 2026-03"},
		{"already generated", "2025-06-01", "", "2025-06-01", "2026-03", "2026-03-31", ""},
		{"ends: stops at its last month", "2025-06-01", "2026-01-10", "2025-06-01", "2025-11", "2026-03-01", "2025-12 2026-01"},
		{"ended and generated: nothing", "2025-06-01", "2026-01-10", "2025-06-01", "2026-01", "2026-03-01", ""},
		{"bounded catch-up", "2020-01-01", "", "2020-01-01", "2023-04", "2026-03-01",
			"2025-03 2025-04 2025-05 2025-06 2025-07 2025-08 2025-09 2025-10 2025-11 2025-12 2026-01 2026-02 2026-03"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := sqldb.RentLease{ID: 1, Start: day(t, tc.start), Recorded: day(t, tc.recorded), RentMinor: 1000, DueDay: 1, LastPeriod: tc.last}
			if tc.end != "" {
				l.End = day(t, tc.end)
			}
			var got []string
			for _, p := range billing.DuePeriods(l, day(t, tc.today)) {
				got = append(got, p.String())
			}
			if g := strings.Join(got, " "); g != tc.want {
				t.Errorf("periods = %q, want %q", g, tc.want)
			}
		})
	}
}

func TestRentCharge(t *testing.T) {
	for _, tc := range []struct {
		name       string
		start, end string
		period     string
		rent       int64
		dueDay     int
		ok         bool
		amount     int64
		due        string
		desc       string
	}{
		{"whole month", "2026-01-01", "", "2026-03", 120000, 1, true, 120000, "2026-03-01", "Rent for March 2026"},
		{"due day", "2026-01-01", "", "2026-03", 120000, 5, true, 120000, "2026-03-05", "Rent for March 2026"},
		// 12 of 31 days of 3100.00 is exactly 1200.00.
		{"starts mid-month: prorated, due on its first day", "2026-03-20", "", "2026-03", 310000, 5, true, 120000, "2026-03-20", "Rent for 20–31 March 2026 (12 of 31 days)"},
		{"starts before the due day", "2026-03-03", "", "2026-03", 310000, 5, true, 290000, "2026-03-05", "Rent for 3–31 March 2026 (29 of 31 days)"},
		{"ends mid-month", "2026-01-01", "2026-02-14", "2026-02", 280000, 1, true, 140000, "2026-02-01", "Rent for 1–14 February 2026 (14 of 28 days)"},
		// 100 × 1/30 = 3.33… → 3; 100 × 2/30 = 6.67 → 7 (half up).
		{"rounds to the nearest cent", "2026-04-30", "", "2026-04", 100, 1, true, 3, "2026-04-30", "Rent for 30 April 2026 (1 of 30 days)"},
		{"rounds up from a half", "2026-04-01", "2026-04-15", "2026-04", 1, 1, true, 1, "2026-04-01", "Rent for 1–15 April 2026 (15 of 30 days)"},
		{"not covered", "2026-05-01", "", "2026-04", 1000, 1, false, 0, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := sqldb.RentLease{ID: 7, Start: day(t, tc.start), RentMinor: tc.rent, DueDay: tc.dueDay}
			if tc.end != "" {
				l.End = day(t, tc.end)
			}
			p, _ := billing.ParsePeriod(tc.period)
			c, ok := billing.RentCharge(l, p)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			if c.Amount != tc.amount || c.Due.String() != tc.due || c.Description != tc.desc {
				t.Errorf("charge = %d due %s %q, want %d due %s %q", c.Amount, c.Due, c.Description, tc.amount, tc.due, tc.desc)
			}
			if c.Category != lintel.ChargeRent || c.Period != tc.period || c.IdempotencyKey != "rent:7:"+tc.period || c.LeaseID != 7 {
				t.Errorf("charge = %+v", c)
			}
			if err := c.Validate(); err != nil {
				t.Errorf("invalid: %v", err)
			}
		})
	}
}

func TestLateFeeRule(t *testing.T) {
	r := sqldb.LateRent{CompanyID: 1, LeaseID: 2, ChargeID: 3, Description: "Rent for March 2026", Due: day(t, "2026-03-01"), Open: 500, Fee: 5000, GraceDays: 5}
	for _, tc := range []struct {
		name  string
		today string
		edit  func(*sqldb.LateRent)
		ok    bool
	}{
		{"last grace day: on time", "2026-03-06", nil, false},
		{"first late day", "2026-03-07", nil, true},
		{"a month later", "2026-04-06", nil, true},
		{"too long ago", "2026-04-07", nil, false},
		{"paid", "2026-03-10", func(r *sqldb.LateRent) { r.Open = 0 }, false},
		{"no fee", "2026-03-10", func(r *sqldb.LateRent) { r.Fee = 0 }, false},
		{"no grace", "2026-03-02", func(r *sqldb.LateRent) { r.GraceDays = 0 }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := r
			if tc.edit != nil {
				tc.edit(&r)
			}
			c, ok := billing.LateFee(r, day(t, tc.today))
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if ok {
				want := lintel.NewCharge{LeaseID: 2, Category: lintel.ChargeLateFee, Amount: 5000, Due: billing.LateDay(r.Due, r.GraceDays),
					Description: "Late fee: Rent for March 2026, not paid by " + r.Due.AddDays(r.GraceDays).Long(), IdempotencyKey: "late:3"}
				if c != want {
					t.Errorf("fee = %+v, want %+v", c, want)
				}
				if err := c.Validate(); err != nil {
					t.Errorf("invalid: %v", err)
				}
			}
		})
	}
}

// rentFixture is one company with a property of four units and a tenant.
type rentFixture struct {
	s      lintel.Staff
	units  []int64
	tenant int64
}

func newRentFixture(t *testing.T, db *sqldb.DB, name string) rentFixture {
	t.Helper()
	ctx := context.Background()
	slug := strings.ToLower(strings.ReplaceAll(name, " ", ""))
	cid, uid, err := db.CreateCompanyWithAdmin(ctx, sqldb.NewCompany{Name: name, AdminEmail: "admin@" + slug + ".test", AdminName: "Admin"})
	if err != nil {
		t.Fatal(err)
	}
	f := rentFixture{s: lintel.Staff{UserID: uid, CompanyID: cid, Role: lintel.RoleAdmin, Name: "Admin"}}
	prop, err := db.CreateProperty(ctx, f.s, lintel.Property{Name: name + " House", Kind: lintel.KindResidential}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		u, err := db.CreateUnit(ctx, f.s, lintel.Unit{PropertyID: prop, Label: fmt.Sprintf("Flat %d", i+1)})
		if err != nil {
			t.Fatal(err)
		}
		f.units = append(f.units, u)
	}
	f.tenant, err = db.CreateContact(ctx, f.s, lintel.Contact{Name: "Maya Tenant", IsTenant: true})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f rentFixture) lease(t *testing.T, db *sqldb.DB, unit int, l lintel.Lease) int64 {
	t.Helper()
	l.UnitID = f.units[unit]
	if l.RentDueDay == 0 {
		l.RentDueDay = 1
	}
	if l.End.IsZero() {
		l.MonthToMonth = true
	}
	id, err := db.CreateLease(context.Background(), f.s, l, []int64{f.tenant}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// charges lists a lease's charges of category cat, oldest first, as
// "due amount description".
func charges(t *testing.T, db *sqldb.DB, s lintel.Staff, lease int64, cat lintel.ChargeCategory) []string {
	t.Helper()
	var out []string
	cursor := ""
	for {
		acc, err := db.LeaseLedger(context.Background(), s, lease, cursor, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range acc.Lines {
			if l.Kind == "charge" && l.Category == string(cat) {
				out = append(out, fmt.Sprintf("%s %d %s", l.Date, l.Amount, l.Description))
			}
		}
		if acc.Next == "" {
			break
		}
		cursor = acc.Next
	}
	sort.Strings(out)
	return out
}

func wantCharges(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("charges:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func run(t *testing.T, w *billing.Worker, want billing.Result) {
	t.Helper()
	got, err := w.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("run posted %+v, want %+v", got, want)
	}
}

func TestRecurringRent(t *testing.T) {
	clock := testkit.NewClock(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
	testkit.ForEachDBWith(t, sqldb.Options{Now: clock.Now}, func(t *testing.T, db *sqldb.DB) {
		clock.Set(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
		f := newRentFixture(t, db, "Harbour Lettings")
		other := newRentFixture(t, db, "Ridge Lettings")
		// Began before it was recorded: rent from the month recorded.
		old := f.lease(t, db, 0, lintel.Lease{Start: day(t, "2025-11-15"), RentMinor: 120000})
		// Starts and ends mid-month: the days it covers.
		short := f.lease(t, db, 1, lintel.Lease{Start: day(t, "2026-03-20"), End: day(t, "2026-05-10"), RentMinor: 310000, RentDueDay: 5})
		upcoming := f.lease(t, db, 2, lintel.Lease{Start: day(t, "2026-04-01"), RentMinor: 90000, RentDueDay: 3})
		free := f.lease(t, db, 3, lintel.Lease{Start: day(t, "2026-01-01")})
		theirs := other.lease(t, db, 0, lintel.Lease{Start: day(t, "2026-03-01"), RentMinor: 50000})
		w := &billing.Worker{DB: db}

		run(t, w, billing.Result{Rent: 3})
		run(t, w, billing.Result{}) // the same day again: nothing new
		wantCharges(t, charges(t, db, f.s, old, lintel.ChargeRent), "2026-03-01 120000 Rent for March 2026")
		wantCharges(t, charges(t, db, f.s, short, lintel.ChargeRent), "2026-03-20 120000 Rent for 20–31 March 2026 (12 of 31 days)")
		wantCharges(t, charges(t, db, f.s, upcoming, lintel.ChargeRent))
		wantCharges(t, charges(t, db, f.s, free, lintel.ChargeRent))
		wantCharges(t, charges(t, db, other.s, theirs, lintel.ChargeRent), "2026-03-01 50000 Rent for March 2026")

		// Down until June: April, May and June catch up; the short lease
		// stops with May, its last month.
		clock.Set(time.Date(2026, 6, 2, 0, 30, 0, 0, time.UTC))
		run(t, w, billing.Result{Rent: 3 + 2 + 3 + 3})
		run(t, w, billing.Result{})
		wantCharges(t, charges(t, db, f.s, old, lintel.ChargeRent),
			"2026-03-01 120000 Rent for March 2026", "2026-04-01 120000 Rent for April 2026",
			"2026-05-01 120000 Rent for May 2026", "2026-06-01 120000 Rent for June 2026")
		wantCharges(t, charges(t, db, f.s, short, lintel.ChargeRent),
			"2026-03-20 120000 Rent for 20–31 March 2026 (12 of 31 days)", "2026-04-05 310000 Rent for April 2026",
			"2026-05-05 100000 Rent for 1–10 May 2026 (10 of 31 days)")
		wantCharges(t, charges(t, db, f.s, upcoming, lintel.ChargeRent),
			"2026-04-03 90000 Rent for April 2026", "2026-05-03 90000 Rent for May 2026", "2026-06-03 90000 Rent for June 2026")

		// Ending the lease early stops its rent after the last month.
		if err := db.EndLease(context.Background(), f.s, old, day(t, "2026-07-31")); err != nil {
			t.Fatal(err)
		}
		clock.Set(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC))
		run(t, w, billing.Result{Rent: 1 + 3 + 3}) // old: July only; upcoming and theirs: Jul–Sep
		if got := charges(t, db, f.s, old, lintel.ChargeRent); len(got) != 5 || !strings.HasSuffix(got[4], "Rent for July 2026") {
			t.Errorf("after the end: %q", got)
		}
	})
}

func TestRecurringRentCatchUpIsBounded(t *testing.T) {
	clock := testkit.NewClock(time.Date(2024, 1, 5, 9, 0, 0, 0, time.UTC))
	testkit.ForEachDBWith(t, sqldb.Options{Now: clock.Now}, func(t *testing.T, db *sqldb.DB) {
		clock.Set(time.Date(2024, 1, 5, 9, 0, 0, 0, time.UTC))
		f := newRentFixture(t, db, "Harbour Lettings")
		l := f.lease(t, db, 0, lintel.Lease{Start: day(t, "2024-01-01"), RentMinor: 100000})
		w := &billing.Worker{DB: db}
		run(t, w, billing.Result{Rent: 1})
		// Two years later: the current month and the twelve before it.
		clock.Set(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
		run(t, w, billing.Result{Rent: 13})
		got := charges(t, db, f.s, l, lintel.ChargeRent)
		if len(got) != 14 || !strings.HasPrefix(got[1], "2025-03-01 ") || !strings.HasPrefix(got[13], "2026-03-01 ") {
			t.Errorf("charges: %q", got)
		}
	})
}

func TestLateFees(t *testing.T) {
	clock := testkit.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	testkit.ForEachDBWith(t, sqldb.Options{Now: clock.Now}, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clock.Set(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		f := newRentFixture(t, db, "Harbour Lettings")
		unpaid := f.lease(t, db, 0, lintel.Lease{Start: day(t, "2026-03-01"), RentMinor: 100000})
		partly := f.lease(t, db, 1, lintel.Lease{Start: day(t, "2026-03-01"), RentMinor: 100000})
		paid := f.lease(t, db, 2, lintel.Lease{Start: day(t, "2026-03-01"), RentMinor: 100000})
		noRule := f.lease(t, db, 3, lintel.Lease{Start: day(t, "2026-03-01"), RentMinor: 100000})
		for _, l := range []int64{unpaid, partly, paid} {
			if err := testkit.SetLateFeeRule(ctx, db, f.s, l, 5000, 5); err != nil {
				t.Fatal(err)
			}
		}
		w := &billing.Worker{DB: db}
		run(t, w, billing.Result{Rent: 4})
		pay := func(lease, amount int64, key string) {
			t.Helper()
			if _, err := db.PostPayment(ctx, f.s, lintel.NewPayment{LeaseID: lease, Amount: amount, Received: day(t, "2026-03-04"),
				Method: lintel.PayBankTransfer, IdempotencyKey: key}); err != nil {
				t.Fatal(err)
			}
		}
		pay(partly, 60000, "p1")
		pay(paid, 100000, "p2")

		clock.Set(time.Date(2026, 3, 6, 23, 0, 0, 0, time.UTC)) // the last grace day
		run(t, w, billing.Result{})
		clock.Set(time.Date(2026, 3, 7, 0, 5, 0, 0, time.UTC))
		run(t, w, billing.Result{LateFees: 2})
		run(t, w, billing.Result{})
		clock.Set(time.Date(2026, 3, 20, 0, 5, 0, 0, time.UTC))
		run(t, w, billing.Result{}) // still open, but fined once already
		fee := "2026-03-07 5000 Late fee: Rent for March 2026, not paid by 6 Mar 2026"
		wantCharges(t, charges(t, db, f.s, unpaid, lintel.ChargeLateFee), fee)
		wantCharges(t, charges(t, db, f.s, partly, lintel.ChargeLateFee), fee)
		wantCharges(t, charges(t, db, f.s, paid, lintel.ChargeLateFee))
		wantCharges(t, charges(t, db, f.s, noRule, lintel.ChargeLateFee))

		// A rule set long after the rent fell due fines nothing old.
		if err := testkit.SetLateFeeRule(ctx, db, f.s, noRule, 5000, 5); err != nil {
			t.Fatal(err)
		}
		clock.Set(time.Date(2026, 4, 20, 0, 5, 0, 0, time.UTC))
		// April's rent is late on every lease; noRule's March rent became late
		// more than LateFeeWindow days ago, so it stays unfined.
		run(t, w, billing.Result{Rent: 4, LateFees: 4})
		wantCharges(t, charges(t, db, f.s, noRule, lintel.ChargeLateFee), "2026-04-07 5000 Late fee: Rent for April 2026, not paid by 6 Apr 2026")
	})
}

// TestRecurringRentConcurrent runs the job on two "nodes" (two store
// handles on one database) at once, several times each: every period is
// charged once.
func TestRecurringRentConcurrent(t *testing.T) {
	clock := testkit.NewClock(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			clock.Set(time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC))
			ctx := context.Background()
			var url string
			if engine == "sqlite" {
				url = testkit.SQLiteURL(t)
			} else {
				url = testkit.PostgresURL(t)
			}
			var nodes []*sqldb.DB
			for range 2 {
				db, err := sqldb.Open(ctx, url, "", sqldb.Options{Now: clock.Now})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				nodes = append(nodes, db)
			}
			f := newRentFixture(t, nodes[0], "Harbour Lettings")
			var leases []int64
			for i := range 4 {
				leases = append(leases, f.lease(t, nodes[0], i, lintel.Lease{Start: day(t, "2026-01-01"), RentMinor: 100000 + int64(i)}))
			}
			for _, l := range leases[:2] {
				if err := testkit.SetLateFeeRule(ctx, nodes[0], f.s, l, 2500, 0); err != nil {
					t.Fatal(err)
				}
			}
			// January to March for each lease; with no grace, March's rent is
			// late on the two leases with a rule (January's and February's
			// became late more than LateFeeWindow days ago).
			clock.Set(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))

			var mu sync.Mutex
			var total billing.Result
			var wg sync.WaitGroup
			for i := range 6 {
				wg.Go(func() {
					w := &billing.Worker{DB: nodes[i%2]}
					res, err := w.RunOnce(ctx)
					if err != nil {
						t.Error(err)
					}
					mu.Lock()
					total.Rent += res.Rent
					total.LateFees += res.LateFees
					mu.Unlock()
				})
			}
			wg.Wait()
			// Late fees need the rent first; a run that found no rent yet
			// may leave them to the next.
			res, err := (&billing.Worker{DB: nodes[1]}).RunOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			total.Rent += res.Rent
			total.LateFees += res.LateFees
			if total != (billing.Result{Rent: 12, LateFees: 2}) {
				t.Errorf("posted %+v in all, want 12 rent charges and 2 late fees", total)
			}
			for i, l := range leases {
				if got := charges(t, nodes[1], f.s, l, lintel.ChargeRent); len(got) != 3 {
					t.Errorf("lease %d: %d rent charges: %q", l, len(got), got)
				}
				wantFees := 0
				if i < 2 {
					wantFees = 1
				}
				if got := charges(t, nodes[0], f.s, l, lintel.ChargeLateFee); len(got) != wantFees {
					t.Errorf("lease %d: %d late fees, want %d: %q", l, len(got), wantFees, got)
				}
			}
		})
	}
}

// TestWorkerRuns: the worker runs at once when started, again on every
// tick, and stops when its context ends.
func TestWorkerRuns(t *testing.T) {
	clock := testkit.NewClock(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
	db := testkit.SQLite(t, sqldb.Options{Now: clock.Now})
	f := newRentFixture(t, db, "Harbour Lettings")
	l := f.lease(t, db, 0, lintel.Lease{Start: day(t, "2026-03-01"), RentMinor: 100000})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		(&billing.Worker{DB: db, Every: 20 * time.Millisecond}).Run(ctx)
		close(done)
	}()
	waitFor := func(n int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for len(charges(t, db, f.s, l, lintel.ChargeRent)) < n {
			if time.Now().After(deadline) {
				t.Fatalf("no %d rent charges after 10s: %q", n, charges(t, db, f.s, l, lintel.ChargeRent))
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFor(1)
	clock.Set(time.Date(2026, 4, 1, 0, 1, 0, 0, time.UTC))
	waitFor(2)
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the worker did not stop")
	}
}

// Month by month, each lease gets each month's rent once, from the month
// it starts to the month it ends, and a change to a lease is seen by the
// next run: an extended lease gets the months after its old end, an
// archived one no more.
func TestRecurringRentMonthByMonth(t *testing.T) {
	clock := testkit.NewClock(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
	testkit.ForEachDBWith(t, sqldb.Options{Now: clock.Now}, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clock.Set(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
		f := newRentFixture(t, db, "Harbour Lettings")
		open := f.lease(t, db, 0, lintel.Lease{Start: day(t, "2025-11-15"), RentMinor: 120000})
		short := f.lease(t, db, 1, lintel.Lease{Start: day(t, "2026-03-20"), End: day(t, "2026-04-10"), RentMinor: 310000})
		f.lease(t, db, 2, lintel.Lease{Start: day(t, "2026-06-01"), RentMinor: 90000})
		f.lease(t, db, 3, lintel.Lease{Start: day(t, "2026-01-01")}) // no rent
		w := &billing.Worker{DB: db}
		step := func(when time.Time, want billing.Result) {
			t.Helper()
			clock.Set(when)
			run(t, w, want)
		}
		step(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC), billing.Result{Rent: 2})
		step(time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC), billing.Result{})
		step(time.Date(2026, 3, 31, 23, 0, 0, 0, time.UTC), billing.Result{})
		// April: the open lease and the short one, which ends in it.
		step(time.Date(2026, 4, 1, 0, 5, 0, 0, time.UTC), billing.Result{Rent: 2})
		step(time.Date(2026, 5, 1, 0, 5, 0, 0, time.UTC), billing.Result{Rent: 1})
		// June: the upcoming lease starts.
		step(time.Date(2026, 6, 1, 0, 5, 0, 0, time.UTC), billing.Result{Rent: 2})
		// Extending the short lease brings back its rent, from the month
		// after its last.
		l, err := db.Lease(ctx, f.s, short)
		if err != nil {
			t.Fatal(err)
		}
		l.End = day(t, "2026-12-31")
		if err := db.UpdateLease(ctx, f.s, l); err != nil {
			t.Fatal(err)
		}
		step(time.Date(2026, 6, 2, 9, 0, 0, 0, time.UTC), billing.Result{Rent: 2}) // May and June
		step(time.Date(2026, 6, 2, 10, 0, 0, 0, time.UTC), billing.Result{})
		if err := db.ArchiveLease(ctx, f.s, open); err != nil {
			t.Fatal(err)
		}
		step(time.Date(2026, 7, 1, 0, 5, 0, 0, time.UTC), billing.Result{Rent: 2})
		step(time.Date(2026, 8, 1, 0, 5, 0, 0, time.UTC), billing.Result{Rent: 2})
		wantCharges(t, charges(t, db, f.s, short, lintel.ChargeRent),
			"2026-03-20 120000 Rent for 20–31 March 2026 (12 of 31 days)", "2026-04-01 103333 Rent for 1–10 April 2026 (10 of 30 days)",
			"2026-05-01 310000 Rent for May 2026", "2026-06-01 310000 Rent for June 2026", "2026-07-01 310000 Rent for July 2026",
			"2026-08-01 310000 Rent for August 2026")
	})
}

// A late fee is charged whatever made the rent late, not only the calendar
// passing its grace days: a rule set on a lease whose rent is already late,
// a payment reversed after the grace days, rent posted by hand with a past
// due date.
func TestLateFeesBeyondTheCalendar(t *testing.T) {
	clock := testkit.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	testkit.ForEachDBWith(t, sqldb.Options{Now: clock.Now}, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clock.Set(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		f := newRentFixture(t, db, "Harbour Lettings")
		ruleLater := f.lease(t, db, 0, lintel.Lease{Start: day(t, "2026-03-01"), RentMinor: 100000})
		reversed := f.lease(t, db, 1, lintel.Lease{Start: day(t, "2026-03-01"), RentMinor: 100000})
		byHand := f.lease(t, db, 2, lintel.Lease{Start: day(t, "2026-03-01")})
		for _, l := range []int64{reversed, byHand} {
			if err := testkit.SetLateFeeRule(ctx, db, f.s, l, 5000, 5); err != nil {
				t.Fatal(err)
			}
		}
		w := &billing.Worker{DB: db}
		run(t, w, billing.Result{Rent: 2})
		pay, err := db.PostPayment(ctx, f.s, lintel.NewPayment{LeaseID: reversed, Amount: 100000, Received: day(t, "2026-03-03"),
			Method: lintel.PayBankTransfer, IdempotencyKey: "p1"})
		if err != nil {
			t.Fatal(err)
		}
		clock.Set(time.Date(2026, 3, 8, 9, 0, 0, 0, time.UTC)) // March's rent is late since the 7th
		run(t, w, billing.Result{})
		run(t, w, billing.Result{})

		clock.Set(time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC))
		if err := testkit.SetLateFeeRule(ctx, db, f.s, ruleLater, 5000, 5); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Reverse(ctx, f.s, pay, "The transfer bounced", "r1"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PostCharge(ctx, f.s, lintel.NewCharge{LeaseID: byHand, Category: lintel.ChargeRent, Description: "Rent for March 2026",
			Amount: 80000, Due: day(t, "2026-03-01"), IdempotencyKey: "c1"}); err != nil {
			t.Fatal(err)
		}
		run(t, w, billing.Result{LateFees: 3})
		run(t, w, billing.Result{})
		fee := "2026-03-07 5000 Late fee: Rent for March 2026, not paid by 6 Mar 2026"
		for _, l := range []int64{ruleLater, reversed, byHand} {
			wantCharges(t, charges(t, db, f.s, l, lintel.ChargeLateFee), fee)
		}
	})
}
