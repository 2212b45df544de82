package sqldb_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"lintel.dev/lintel/internal/billing"
	"lintel.dev/lintel/internal/billingmail"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// BenchmarkWorkerPasses times one pass of each background job with
// nothing to do, over a company of 250 leases and 50 owners with one and
// with ten years of history (rent, payments and their owners' postings,
// receipt e-mails and their jobs, monthly statements: 3,000 and 30,000
// rows of each, and 2,000 approvals, half pending with their reminders
// spent). A pass should take the same time at both sizes: it reads what
// is due, not what happened. "statements, month closed" is the look-up a
// statement pass starts with when a month has closed: every owner due.
//
// SQLite runs without statistics, as databases in use do (nothing runs
// ANALYZE on them); PostgreSQL with them, as its autovacuum keeps them.
//
//	go test ./internal/sqldb -run '^$' -bench WorkerPasses
func BenchmarkWorkerPasses(b *testing.B) {
	for _, engine := range []struct {
		name    string
		open    func(testing.TB, ...sqldb.Options) *sqldb.DB
		analyze bool
	}{{"sqlite", testkit.SQLite, false}, {"postgres", testkit.Postgres, true}} {
		for _, months := range []int{12, 120} {
			b.Run(fmt.Sprintf("%s/%d months", engine.name, months), func(b *testing.B) {
				now := time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC)
				db := engine.open(b, sqldb.Options{Now: func() time.Time { return now }})
				ctx := context.Background()
				const owners = 50
				newWorkerWorld(b, db, sqldb.WorkerHistory{Leases: 250, Months: months, Through: date(b, "2026-02-01"), Approvals: 1000, Owners: owners})
				if engine.analyze {
					if err := db.AnalyzeForWorkersTest(ctx); err != nil {
						b.Fatal(err)
					}
				}
				rent := &billing.Worker{DB: db}
				base, _ := url.Parse("https://lintel.example")
				statements := &billingmail.Worker{DB: db, BaseURL: base}
				pass := func(name string, fn func() error) {
					b.Run(name, func(b *testing.B) {
						for b.Loop() {
							if err := fn(); err != nil {
								b.Fatal(err)
							}
						}
					})
				}
				pass("rent and late fees", func() error {
					res, err := rent.RunOnce(ctx)
					if err == nil && res != (billing.Result{}) {
						err = fmt.Errorf("an idle pass posted %+v", res)
					}
					return err
				})
				pass("statements, month sent", func() error {
					n, err := statements.SendStatements(ctx)
					if err == nil && n > 0 {
						err = fmt.Errorf("an idle pass queued %d statements", n)
					}
					return err
				})
				pass("statements, month closed", func() error {
					due, err := db.OwnersDueStatement(ctx, "2026-02", 0, 500)
					if err == nil && len(due) != owners {
						err = fmt.Errorf("%d owners due, want %d", len(due), owners)
					}
					return err
				})
				pass("mail", func() error {
					ms, err := db.ClaimEmails(ctx, time.Minute, 20)
					if err == nil && len(ms) > 0 {
						err = fmt.Errorf("%d messages due", len(ms))
					}
					return err
				})
				pass("jobs", func() error {
					if _, err := db.ClaimJob(ctx, []string{sqldb.JobPaymentReceipt}, time.Minute); !lintel.IsNotFound(err) {
						return fmt.Errorf("claim: %v", err)
					}
					return nil
				})
				pass("approval reminders", func() error {
					_, err := db.SendApprovalReminder(ctx, func(sqldb.ApprovalNotice) (sqldb.OwnerMail, error) {
						return sqldb.OwnerMail{}, fmt.Errorf("nothing is due")
					})
					if !lintel.IsNotFound(err) {
						return fmt.Errorf("reminder: %v", err)
					}
					return nil
				})
			})
		}
	}
}
