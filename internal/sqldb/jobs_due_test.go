package sqldb_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"lintel.dev/lintel/internal/billing"
	"lintel.dev/lintel/internal/billingmail"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// workerWorld is one company with one unit and h's history on it.
type workerWorld struct {
	s          lintel.Staff
	prop, unit int64
}

func newWorkerWorld(t testing.TB, db *sqldb.DB, h sqldb.WorkerHistory) workerWorld {
	t.Helper()
	w := workerWorld{s: newCompanyStaff(t, db, "Big Lettings")}
	w.prop = mustProperty(t, db, w.s, lintel.Property{Name: "Big House"})
	w.unit = mustUnit(t, db, w.s, lintel.Unit{PropertyID: w.prop, Label: "Flat 1"})
	if err := db.SeedWorkerHistoryForTest(context.Background(), w.s.CompanyID, w.prop, w.unit, h); err != nil {
		t.Fatal(err)
	}
	return w
}

// Over a long history the recurring-rent job posts what is due and
// nothing else: nothing between due dates, every lease's rent once on the
// first of the month, and on the day rent becomes late its late fee.
func TestRentPassesOverHistory(t *testing.T) {
	t.Parallel()
	const leases = 10
	for _, months := range []int{12, 120} {
		t.Run(fmt.Sprintf("%d months", months), func(t *testing.T) {
			clock := testkit.NewClock(time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC))
			testkit.ForEachDBWith(t, sqldb.Options{Now: clock.Now}, func(t *testing.T, db *sqldb.DB) {
				clock.Set(time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC))
				newWorkerWorld(t, db, sqldb.WorkerHistory{Leases: leases, Months: months, Through: date(t, "2026-02-01"), Approvals: 100, Owners: 5})
				w := &billing.Worker{DB: db}
				for _, step := range []struct {
					at   time.Time
					want billing.Result
				}{
					// Every rent of the history is paid.
					{time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC), billing.Result{}},
					{time.Date(2026, 2, 10, 10, 0, 0, 0, time.UTC), billing.Result{}},
					{time.Date(2026, 2, 28, 23, 0, 0, 0, time.UTC), billing.Result{}},
					{time.Date(2026, 3, 1, 0, 5, 0, 0, time.UTC), billing.Result{Rent: leases}},
					{time.Date(2026, 3, 1, 1, 5, 0, 0, time.UTC), billing.Result{}},
					{time.Date(2026, 3, 6, 9, 0, 0, 0, time.UTC), billing.Result{}},
					// March's rent, unpaid, is late from the 7th.
					{time.Date(2026, 3, 7, 0, 5, 0, 0, time.UTC), billing.Result{LateFees: leases}},
					{time.Date(2026, 3, 7, 1, 5, 0, 0, time.UTC), billing.Result{}},
					{time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC), billing.Result{}},
				} {
					clock.Set(step.at)
					got, err := w.RunOnce(context.Background())
					if err != nil {
						t.Fatal(err)
					}
					if got != step.want {
						t.Errorf("%s: %+v, want %+v", step.at.Format(time.DateTime), got, step.want)
					}
				}
			})
		})
	}
}

// A statement pass over a long history queues each owner's statement once,
// when the month closes, and nothing while every statement is out.
func TestStatementPassesOverHistory(t *testing.T) {
	t.Parallel()
	const owners = 5
	clock := testkit.NewClock(time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC))
	testkit.ForEachDBWith(t, sqldb.Options{Now: clock.Now}, func(t *testing.T, db *sqldb.DB) {
		clock.Set(time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC))
		newWorkerWorld(t, db, sqldb.WorkerHistory{Leases: 20, Months: 24, Through: date(t, "2026-02-01"), Owners: owners})
		base, _ := url.Parse("https://lintel.example")
		w := &billingmail.Worker{DB: db, BaseURL: base}
		for _, step := range []struct {
			at   time.Time
			want int
		}{
			{time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC), 0}, // January's went
			{time.Date(2026, 2, 28, 23, 0, 0, 0, time.UTC), 0},
			{time.Date(2026, 3, 1, 0, 5, 0, 0, time.UTC), owners},
			{time.Date(2026, 3, 1, 1, 5, 0, 0, time.UTC), 0},
		} {
			clock.Set(step.at)
			n, err := w.SendStatements(context.Background())
			if err != nil || n != step.want {
				t.Errorf("%s: queued %d, %v; want %d", step.at.Format(time.DateTime), n, err, step.want)
			}
		}
	})
}

// The queries of the background jobs' passes read an index of what is
// due, or walk what there is now (leases, owners, the last months of the
// ledger), never the whole history (SQLite's plans, at three years of
// rent on 50 leases with 25 owners, and 1,000 approvals).
func TestWorkerQueryPlans(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC)
	db := testkit.SQLite(t, sqldb.Options{Now: func() time.Time { return now }})
	ctx := context.Background()
	newWorkerWorld(t, db, sqldb.WorkerHistory{Leases: 50, Months: 36, Through: date(t, "2026-02-01"), Approvals: 500, Owners: 25})
	// Databases in use have no statistics (nothing runs ANALYZE), and
	// the plans must hold without them as with them.
	for _, analyzed := range []bool{false, true} {
		t.Run(fmt.Sprintf("analyzed=%v", analyzed), func(t *testing.T) {
			if analyzed {
				if err := db.AnalyzeForWorkersTest(ctx); err != nil {
					t.Fatal(err)
				}
			}
			checkWorkerPlans(t, db, now)
		})
	}
}

func checkWorkerPlans(t *testing.T, db *sqldb.DB, now time.Time) {
	plans, err := db.WorkerQueryPlansForTest(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	// A full read of a table (named by its alias), or of an index that
	// holds its history.
	fullRead := regexp.MustCompile(`(?m)^SCAN (\w+)(.*)$`)
	// Partial indexes hold what may be due only: reading one whole is the
	// point of it.
	partial := regexp.MustCompile(`USING (COVERING )?INDEX (outbox_due|jobs_due|approvals_reminder_due)\b`)
	for name, want := range map[string]string{
		"outbox due": "outbox_due", "outbox claim": "outbox_due", "job claim": "jobs_due", "reminder": "approvals_reminder_due",
		"rent leases": "ledger_transactions_period", "late rent": "ledger_transactions_company (company_id=? AND effective_date>? AND effective_date<?)",
		"receipt check": "sqlite_autoindex_outbox", "receipt to": "sqlite_autoindex_contact_emails_1",
		"owners due": "ledger_accounts_contact", "statement to": "sqlite_autoindex_contact_emails_1",
	} {
		plan, ok := plans[name]
		if !ok {
			t.Errorf("%s: no plan", name)
			continue
		}
		t.Logf("%s:\n%s", name, plan)
		if !strings.Contains(plan, want) {
			t.Errorf("%s: the plan does not use %s:\n%s", name, want, plan)
		}
		for _, m := range fullRead.FindAllStringSubmatch(plan, -1) {
			// "SCAN c" is the late-fee query's walk over the companies (a
			// handful of rows) to reach each one's days in the date index.
			if m[1] == "CONSTANT" || m[1] == "c" && name == "late rent" || partial.MatchString(m[2]) {
				continue
			}
			t.Errorf("%s: reads a whole table (%s):\n%s", name, m[0], plan)
		}
	}
}
