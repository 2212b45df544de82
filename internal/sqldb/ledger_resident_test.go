package sqldb_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// billingWorld is testkit's world with money on it: in each company, on
// the active lease a rent charge 40 days ago partly paid, a fee due in ten
// days; on the ended lease (2020) a charge paid in full; an owner
// contribution from the unit owner. The property has a 10% management
// fee, so its 60% owner gets 60% of rent paid less 10% of that.
type billingWorld struct {
	*testkit.World
	payment, charge, endedPayment, contribution map[int64]int64 // company id → transaction
}

func postBilling(t testing.TB, db *sqldb.DB, w *testkit.World) billingWorld {
	t.Helper()
	ctx := context.Background()
	bw := billingWorld{World: w, payment: map[int64]int64{}, charge: map[int64]int64{}, endedPayment: map[int64]int64{}, contribution: map[int64]int64{}}
	today := lintel.DateOf(db.Now())
	for _, c := range []*testkit.Company{w.A, w.B} {
		admin := c.Staff[testkit.Admin]
		key := func(s string) string { return fmt.Sprintf("test:%d:%s", c.ID, s) }
		must := func(id int64, err error) int64 {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", c.Name, err)
			}
			return id
		}
		if err := db.IdentityExecForTest(ctx, `UPDATE properties SET management_fee_bp = 1000 WHERE id = $1`, c.Property); err != nil {
			t.Fatal(err)
		}
		bw.charge[c.ID] = must(db.PostCharge(ctx, admin, lintel.NewCharge{LeaseID: c.Lease, Category: lintel.ChargeRent, Description: "Rent for last month",
			Amount: 120000, Due: today.AddDays(-40), IdempotencyKey: key("rent1")}))
		must(db.PostCharge(ctx, admin, lintel.NewCharge{LeaseID: c.Lease, Category: lintel.ChargeFee, Description: "Key replacement",
			Amount: 2500, Due: today.AddDays(10), IdempotencyKey: key("fee")}))
		bw.payment[c.ID] = must(db.PostPayment(ctx, admin, lintel.NewPayment{LeaseID: c.Lease, Amount: 100000, Received: today.AddDays(-35),
			Method: lintel.PayBankTransfer, Reference: "TRX-1", IdempotencyKey: key("pay1")}))
		d, _ := lintel.ParseDate("2020-05-01")
		must(db.PostCharge(ctx, admin, lintel.NewCharge{LeaseID: c.EndedLease, Category: lintel.ChargeRent, Description: "Rent for May 2020",
			Amount: 90000, Due: d, IdempotencyKey: key("old-rent")}))
		bw.endedPayment[c.ID] = must(db.PostPayment(ctx, admin, lintel.NewPayment{LeaseID: c.EndedLease, Amount: 90000, Received: d,
			Method: lintel.PayCheck, IdempotencyKey: key("old-pay")}))
		bw.contribution[c.ID] = must(db.PostOwnerEntry(ctx, admin, lintel.NewOwnerEntry{Kind: lintel.OwnerContribution, ContactID: c.Contacts[testkit.UnitOwner],
			PropertyID: c.Property, UnitID: c.OwnedUnit, Amount: 50000, Date: today.AddDays(-3), Method: string(lintel.PayBankTransfer),
			Description: "Boiler fund", IdempotencyKey: key("contrib")}))
	}
	return bw
}

func lineIDs(ls []sqldb.ResidentLedgerLine) []int64 {
	var out []int64
	for _, l := range ls {
		out = append(out, l.ID)
	}
	return out
}

func TestResidentBillingScope(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, world *testkit.World) {
		ctx := context.Background()
		w := postBilling(t, db, world)
		a, b := w.A, w.B
		everyLease := []int64{a.Lease, a.EndedLease, a.OtherLease, b.Lease, b.EndedLease, b.OtherLease}
		everyReceipt := []int64{w.payment[a.ID], w.endedPayment[a.ID], w.contribution[a.ID], w.payment[b.ID], w.contribution[b.ID],
			w.charge[a.ID]} // a charge has no receipt
		for _, tc := range []struct {
			p                 testkit.Persona
			leases            []int64
			balance, overdue  int64
			receipts          []int64
			ownerCompanies    int
			ownerBalance      int64
			statementAllowedA bool
		}{
			// Co-tenants share the lease's account: 1,200 + 25 - 1,000 owed,
			// 200 of it overdue; the fee is not due yet.
			{p: testkit.Tenant, leases: []int64{a.Lease}, balance: 22500, overdue: 20000, receipts: []int64{w.payment[a.ID]}},
			{p: testkit.Cotenant, leases: []int64{a.Lease}, balance: 22500, overdue: 20000, receipts: []int64{w.payment[a.ID]}},
			// A former tenant keeps their ended lease's account and receipts.
			{p: testkit.FormerTenant, leases: []int64{a.EndedLease}, receipts: []int64{w.endedPayment[a.ID]}},
			{p: testkit.OtherTenant, leases: []int64{a.OtherLease}},
			// 60% of the 1,000 and the 900 paid, less the 10% fee on each.
			{p: testkit.PropertyOwner, ownerCompanies: 1, ownerBalance: 54000 + 48600, statementAllowedA: true},
			// The unit owner owns another unit: no rent from Apt 1, but their
			// own contribution and its receipt.
			{p: testkit.UnitOwner, receipts: []int64{w.contribution[a.ID]}, ownerCompanies: 1, ownerBalance: 50000, statementAllowedA: true},
			{p: testkit.OtherOwner},
			{p: testkit.Admin},
		} {
			t.Run(string(tc.p), func(t *testing.T) {
				r := residentOf(a, tc.p)
				leases := get(db.ResidentBillingLeases(ctx, r, 5)).ok(t)
				var ids []int64
				for _, l := range leases {
					ids = append(ids, l.ID)
				}
				if !slices.Equal(ids, tc.leases) {
					t.Fatalf("billing leases = %v, want %v", ids, tc.leases)
				}
				if len(leases) > 0 && (leases[0].Balance != tc.balance || leases[0].Overdue != tc.overdue) {
					t.Errorf("balance %d overdue %d, want %d %d", leases[0].Balance, leases[0].Overdue, tc.balance, tc.overdue)
				}
				for _, id := range everyLease {
					acc, err := db.ResidentLeaseAccount(ctx, r, id, "", 10)
					if !slices.Contains(tc.leases, id) {
						if !lintel.IsNotFound(err) {
							t.Errorf("lease %d: err = %v, want not found", id, err)
						}
						continue
					}
					if err != nil {
						t.Fatal(err)
					}
					if id == a.Lease {
						if len(acc.Lines) != 3 || acc.Lines[0].Description != "Key replacement" || acc.Currency != "USD" {
							t.Errorf("lines %+v", acc.Lines)
						}
						if len(acc.Upcoming) != 1 || acc.Upcoming[0].Amount != 2500 || acc.Company.Name != "Harbour Lettings" {
							t.Errorf("upcoming %+v, company %+v", acc.Upcoming, acc.Company)
						}
					}
				}
				for _, id := range everyReceipt {
					rc, err := db.ResidentReceipt(ctx, r, id)
					if !slices.Contains(tc.receipts, id) {
						if !lintel.IsNotFound(err) {
							t.Errorf("receipt %d: err = %v, want not found", id, err)
						}
						continue
					}
					if err != nil {
						t.Fatal(err)
					}
					if rc.Number <= 0 || rc.Company.Name != "Harbour Lettings" {
						t.Errorf("receipt %+v", rc)
					}
				}
				owners := get(db.ResidentOwnerBilling(ctx, r, 10)).ok(t)
				if len(owners) != tc.ownerCompanies {
					t.Fatalf("owner companies %d, want %d", len(owners), tc.ownerCompanies)
				}
				if len(owners) == 1 && (owners[0].Balance() != tc.ownerBalance || owners[0].CompanyID != a.ID || len(owners[0].Months) != 12) {
					t.Errorf("owner balance %d (want %d), %+v", owners[0].Balance(), tc.ownerBalance, owners[0])
				}
				today := lintel.DateOf(db.Now())
				for _, c := range []int64{a.ID, b.ID} {
					_, err := db.ResidentOwnerStatement(ctx, r, c, today.AddDays(-60), today)
					if c == a.ID && tc.statementAllowedA {
						if err != nil {
							t.Errorf("statement: %v", err)
						}
					} else if !lintel.IsNotFound(err) {
						t.Errorf("statement of company %d: err = %v, want not found", c, err)
					}
				}
			})
		}
	})
}

func TestResidentBillingDetails(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, world *testkit.World) {
		ctx := context.Background()
		w := postBilling(t, db, world)
		a := w.A
		today := lintel.DateOf(db.Now())

		// The receipt says who paid, for what, and what it paid.
		rc := get(db.ResidentReceipt(ctx, residentOf(a, testkit.Cotenant), w.payment[a.ID])).ok(t)
		if !slices.Equal(rc.From, []string{"Cotenant Harbour", "Tenant Harbour"}) || rc.About != "Harbour House · Apt 1" || rc.Amount != 100000 ||
			rc.Method != "bank_transfer" || rc.Reference != "TRX-1" || len(rc.Paid) != 1 || rc.Paid[0].Amount != 100000 ||
			rc.Paid[0].Description != "Rent for last month" || !rc.Reversed.IsZero() {
			t.Errorf("receipt %+v", rc)
		}
		contrib := get(db.ResidentReceipt(ctx, residentOf(a, testkit.UnitOwner), w.contribution[a.ID])).ok(t)
		if contrib.Kind != "owner_contribution" || !slices.Equal(contrib.From, []string{"Unit Owner Harbour"}) || contrib.About != "Harbour House · Apt 2" {
			t.Errorf("contribution receipt %+v", contrib)
		}

		// The owner's month: rent share in, fee out.
		owner := residentOf(a, testkit.PropertyOwner)
		o := get(db.ResidentOwnerBilling(ctx, owner, 10)).ok(t)[0]
		var in, out int64
		for _, m := range o.Months {
			in, out = in+m.Income, out+m.Expenses
		}
		if in != 60000 || out != 6000 || len(o.Recent) != 4 || o.Recent[0].What != "Rent collected" || o.Recent[1].What != "Management fee" {
			t.Errorf("income %d expenses %d, recent %+v", in, out, o.Recent)
		}
		st := get(db.ResidentOwnerStatement(ctx, owner, a.ID, today.AddDays(-60), today)).ok(t)
		if st.Opening != 48600 || st.Closing() != 102600 || len(st.Lines) != 2 || st.Lines[0].What != "Rent collected" || st.Owner != "Property Owner Harbour" ||
			!slices.Equal(st.Assets, []string{"Harbour House (60%)"}) {
			t.Errorf("statement %+v", st)
		}
		// A period after the payment opens with it.
		st = get(db.ResidentOwnerStatement(ctx, owner, a.ID, today.AddDays(-20), today)).ok(t)
		if st.Opening != 102600 || len(st.Lines) != 0 {
			t.Errorf("later statement %+v", st)
		}
		if _, err := db.ResidentOwnerStatement(ctx, owner, a.ID, today, today.AddDays(-1)); lintel.FieldsOf(err)["to"] == "" {
			t.Errorf("backwards period: %v", err)
		}

		// Reversing the payment: the tenants owe it again, the receipt
		// says so, the owner's income is undone.
		if _, err := db.Reverse(ctx, a.Staff[testkit.Admin], w.payment[a.ID], "Bounced", "test:reverse"); err != nil {
			t.Fatal(err)
		}
		acc := get(db.ResidentLeaseAccount(ctx, residentOf(a, testkit.Tenant), a.Lease, "", 10)).ok(t)
		if acc.Balance != 122500 || acc.Overdue != 120000 {
			t.Errorf("after reversal: balance %d overdue %d", acc.Balance, acc.Overdue)
		}
		rc = get(db.ResidentReceipt(ctx, residentOf(a, testkit.Tenant), w.payment[a.ID])).ok(t)
		if rc.Reversed.IsZero() {
			t.Error("the receipt does not say the payment was reversed")
		}
		o = get(db.ResidentOwnerBilling(ctx, owner, 10)).ok(t)[0]
		in, out = 0, 0
		for _, m := range o.Months {
			in, out = in+m.Income, out+m.Expenses
		}
		if in != 0 || out != 0 || o.Balance() != 48600 || !o.Recent[0].Reversal {
			t.Errorf("after reversal: income %d expenses %d balance %d recent %+v", in, out, o.Balance(), o.Recent)
		}
	})
}

// The account pages through years of history, newest first, every line
// once.
func TestResidentLeaseAccountPages(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		posted := postHistory(t, db, a, 18)
		var seen []int64
		cursor := ""
		for range 10 {
			acc := get(db.ResidentLeaseAccount(ctx, residentOf(a, testkit.Tenant), a.Lease, cursor, 7)).ok(t)
			seen = append(seen, lineIDs(acc.Lines)...)
			if cursor = acc.Next; cursor == "" {
				break
			}
		}
		if len(seen) != len(posted) {
			t.Fatalf("paged through %d lines, want %d", len(seen), len(posted))
		}
		slices.Reverse(posted)
		if !slices.Equal(seen, posted) {
			t.Errorf("order %v, want %v", seen, posted)
		}
	})
}

// postHistory posts months of rent and its payment on c's lease, ending
// last month, and returns the transaction ids in date order.
func postHistory(t testing.TB, db *sqldb.DB, c *testkit.Company, months int) []int64 {
	t.Helper()
	ctx := context.Background()
	admin := c.Staff[testkit.Admin]
	today := lintel.DateOf(db.Now())
	first := lintel.Date{Year: today.Year, Month: today.Month, Day: 1}
	var ids []int64
	for i := months; i >= 1; i-- {
		due := lintel.DateOf(first.Time().AddDate(0, -i, 0))
		id, err := db.PostCharge(ctx, admin, lintel.NewCharge{LeaseID: c.Lease, Category: lintel.ChargeRent, Description: "Rent " + due.String(),
			Amount: 120000, Due: due, IdempotencyKey: "hist-rent-" + due.String()})
		if err != nil {
			t.Fatal(err)
		}
		pay, err := db.PostPayment(ctx, admin, lintel.NewPayment{LeaseID: c.Lease, Amount: 120000, Received: due.AddDays(2),
			Method: lintel.PayBankTransfer, IdempotencyKey: "hist-pay-" + due.String()})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id, pay)
	}
	return ids
}

// Ten years of monthly rent and payments: the tab and a page of the
// account stay a few indexed reads (make bench-style numbers in the
// report: go test ./internal/sqldb -run '^$' -bench ResidentBilling).
func BenchmarkResidentBilling(b *testing.B) {
	db := testkit.SQLite(b)
	w := testkit.NewWorld(b, db)
	postHistory(b, db, w.A, 120)
	r := residentOf(w.A, testkit.Tenant)
	ctx := context.Background()
	b.Run("tab", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.ResidentBillingLeases(ctx, r, 5); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("account-page", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.ResidentLeaseAccount(ctx, r, w.A.Lease, "", 25); err != nil {
				b.Fatal(err)
			}
		}
	})
	acc, _ := db.ResidentLeaseAccount(ctx, r, w.A.Lease, "", 200)
	b.Run("oldest-page", func(b *testing.B) {
		cursor := acc.Next
		for b.Loop() {
			if _, err := db.ResidentLeaseAccount(ctx, r, w.A.Lease, cursor, 25); err != nil {
				b.Fatal(err)
			}
		}
	})
	owner := residentOf(w.A, testkit.PropertyOwner)
	b.Run("owner", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.ResidentOwnerBilling(ctx, owner, 10); err != nil {
				b.Fatal(err)
			}
		}
	})
}
