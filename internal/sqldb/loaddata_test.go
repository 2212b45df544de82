package sqldb_test

import (
	"context"
	"testing"
	"time"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// The load dataset at a small scale: consistent enough for `lintel check`,
// twice into one database (ids continue), and every page's key rows exist
// in the actors' scope.
func TestGenerateLoad(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
		opt := sqldb.LoadOptions{Scale: 0.001, Seed: 1, Now: now, TaskTokenHash: "a1"}
		ds, err := db.GenerateLoad(ctx, opt)
		if err != nil {
			t.Fatal(err)
		}
		opt.TaskTokenHash = "a2"
		second, err := db.GenerateLoad(ctx, opt)
		if err != nil {
			t.Fatal(err)
		}
		if second.CompanyID == ds.CompanyID || second.TenantLeaseID <= ds.TenantLeaseID {
			t.Fatalf("second dataset reuses ids: %+v / %+v", ds, second)
		}
		problems, err := db.CheckLedger(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(problems) > 0 {
			t.Fatalf("lintel check finds problems in the load dataset: %v", problems)
		}
		for table, want := range map[string]int64{"units": 5, "leases": 5, "contacts": 10 + 2 + 1, "requests": 200} {
			if got := ds.Counts[table]; got != want {
				t.Errorf("%s: %d rows, want %d", table, got, want)
			}
		}
		// About eight postings a lease-month: a rent charge and a payment
		// passed on to the owner less the management fee.
		if p, tr := ds.Counts["ledger_postings"], ds.Counts["ledger_transactions"]; p < 3*tr || tr < 120 {
			t.Errorf("%d postings in %d transactions: history too thin", p, tr)
		}

		staff := lintel.Staff{UserID: ds.ManagerUserID, CompanyID: ds.CompanyID, Role: lintel.RoleAdmin, Name: "Morgan Manager"}
		acct, err := db.LeaseLedger(ctx, staff, ds.TenantLeaseID, "", 50)
		if err != nil {
			t.Fatal(err)
		}
		if len(acct.Lines) == 0 {
			t.Fatal("the ten-year lease has no ledger lines")
		}
		bal, _, err := db.LeaseBalance(ctx, staff, ds.TenantLeaseID)
		if err != nil {
			t.Fatal(err)
		}
		if bal < 0 {
			t.Errorf("the tenant's lease is in credit (%d): payments should never exceed rent", bal)
		}
		if ds.RequestID == 0 || ds.VisitID == 0 || ds.OwnerUnits == 0 {
			t.Errorf("missing page keys: %+v", ds)
		}
	})
}
