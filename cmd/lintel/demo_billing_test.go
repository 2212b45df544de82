package main

import (
	"context"
	"io"
	"net/url"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/testkit"
)

// The demo's year of billing: rent and payments on every lease, the
// demo tenants' late and partial payments, the owner's income less the
// management fee and a maintenance bill; a second run posts nothing.
func TestSeedDemoBilling(t *testing.T) {
	db := testkit.SQLite(t)
	ctx := context.Background()
	if err := seedDemo(ctx, db, &url.URL{Scheme: "http", Host: "localhost:8080"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := seedDemoBilling(ctx, db); err != nil {
		t.Fatal(err)
	}
	count, err := db.LedgerTransactionCount(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := seedDemoBilling(ctx, db); err != nil {
		t.Fatal(err)
	}
	if again, _ := db.LedgerTransactionCount(ctx); again != count || count < 40 {
		t.Errorf("%d transactions, then %d after a second run", count, again)
	}
	if problems, err := db.CheckLedger(ctx); err != nil || len(problems) > 0 {
		t.Errorf("ledger check: %v %v", err, problems)
	}

	dc := demoCompanies[0]
	who := func(email string) lintel.Resident {
		u, err := db.UserByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		return lintel.Resident{UserID: u.ID, Email: email}
	}
	leases, err := db.ResidentBillingLeases(ctx, who(dc.tenant.email), 0)
	if err != nil || len(leases) != 1 {
		t.Fatalf("tenant leases %v %v", leases, err)
	}
	// Last month paid 1,000 of 1,850, this month's rent not yet.
	if l := leases[0]; l.Balance != 185000+85000 || l.Overdue < 85000 {
		t.Errorf("tenant balance %d, overdue %d", l.Balance, l.Overdue)
	}
	acc, err := db.ResidentLeaseAccount(ctx, who(dc.tenant.email), leases[0].ID, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	var late, part bool
	for _, l := range acc.Lines {
		late = late || strings.HasPrefix(l.Reference, "Late transfer")
		part = part || strings.HasPrefix(l.Reference, "Part payment")
	}
	if !late || !part {
		t.Errorf("late payment %v, partial payment %v", late, part)
	}
	owners, err := db.ResidentOwnerBilling(ctx, who(dc.owner.email), 20)
	if err != nil || len(owners) != 1 {
		t.Fatalf("owner billing %v %v", owners, err)
	}
	var fee, bill, income bool
	for _, l := range owners[0].Recent {
		fee = fee || l.What == "Management fee"
		bill = bill || l.What == lintel.OwnerExpense.Label()
		income = income || l.What == "Rent collected"
	}
	if !fee || !bill || !income || owners[0].MaxMonth() == 0 {
		t.Errorf("owner lines %+v", owners[0].Recent)
	}
}
