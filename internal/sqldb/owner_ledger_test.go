package sqldb_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// ownerLines renders an owner's lines as "label asset amount".
func ownerLines(a sqldb.OwnerAccount) []string {
	var out []string
	for _, l := range a.Lines {
		s := fmt.Sprintf("%s %s %d", l.Label(), l.Asset, l.Amount)
		if l.Reversed {
			s += " (reversed)"
		}
		out = append(out, s)
	}
	return out
}

func wantLines(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestRentFlowsToOwners: rent a tenant pays reaches the property's owners
// by their shares, split to the cent, less the property's management fee;
// the owners' account pages read it back per asset and overall.
func TestRentFlowsToOwners(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		admin, keeper := a.Staff[testkit.Admin], a.Staff[testkit.Bookkeeper]
		if err := testkit.SetManagementFee(ctx, db, admin, a.Property, 800); err != nil {
			t.Fatal(err)
		}
		if err := testkit.SetManagementFee(ctx, db, a.Staff[testkit.Maintenance], a.Property, 800); lintel.KindOf(err) != lintel.KindForbidden {
			t.Errorf("maintenance staff set the fee: %v", err)
		}
		second, err := db.CreateContact(ctx, admin, lintel.Contact{Name: "Second Owner", IsOwner: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateOwnership(ctx, admin, lintel.Ownership{ContactID: second, PropertyID: a.Property, ShareBP: 4000}); err != nil {
			t.Fatal(err)
		}
		owner := a.Contacts[testkit.PropertyOwner]
		today := lintel.DateOf(db.Now())

		// 1000.01 splits 600.01 / 400.00 (largest remainder); 8% of each
		// is 48.00 and 32.00 (half up).
		if _, err := db.PostCharge(ctx, keeper, lintel.NewCharge{LeaseID: a.Lease, Category: lintel.ChargeRent, Description: "Rent for this month",
			Amount: 100001, Due: today, IdempotencyKey: "rent-1"}); err != nil {
			t.Fatal(err)
		}
		payment, err := db.PostPayment(ctx, keeper, lintel.NewPayment{LeaseID: a.Lease, Amount: 100001, Received: today,
			Method: lintel.PayCheck, Reference: "Check 12", IdempotencyKey: "pay-1"})
		if err != nil {
			t.Fatal(err)
		}
		acct, err := db.OwnerAccount(ctx, a.Staff[testkit.Maintenance], owner, "", 50) // every staff role may read
		if err != nil {
			t.Fatal(err)
		}
		house := "Harbour House"
		wantLines(t, ownerLines(acct), "Rent collected "+house+" 60001", "Management fee "+house+" -4800")
		if len(acct.Assets) != 1 || acct.Assets[0].Share() != "60%" || acct.Assets[0].ManagementFee() != "8%" || acct.Balance() != 55201 || acct.Currency != "USD" {
			t.Errorf("assets = %+v, balance %d", acct.Assets, acct.Balance())
		}
		other, err := db.OwnerAccount(ctx, admin, second, "", 50)
		if err != nil {
			t.Fatal(err)
		}
		wantLines(t, ownerLines(other), "Rent collected "+house+" 40000", "Management fee "+house+" -3200")
		if other.Balance() != 36800 {
			t.Errorf("second owner's balance = %d, want 36800", other.Balance())
		}
		if rent := acct.Lines[0].Amount + other.Lines[0].Amount; rent != 100001 {
			t.Errorf("the owners' parts sum to %d, want the rent paid, 100001", rent)
		}

		// Contributions get a receipt number; distributions stop at the
		// balance unless allowed to go negative.
		contrib, err := db.PostOwnerEntry(ctx, keeper, lintel.NewOwnerEntry{Kind: lintel.OwnerContribution, ContactID: owner, PropertyID: a.Property,
			Amount: 10000, Date: today, Method: string(lintel.PayBankTransfer), IdempotencyKey: "c-1"})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := db.OwnerEntryReceipt(ctx, keeper, contrib); err != nil || n <= 0 {
			t.Errorf("contribution receipt = %d, %v", n, err)
		}
		dist := lintel.NewOwnerEntry{Kind: lintel.OwnerDistribution, ContactID: owner, PropertyID: a.Property, Amount: 65202, Date: today, IdempotencyKey: "d-1"}
		if _, err := db.PostOwnerEntry(ctx, keeper, dist); lintel.FieldsOf(err)["amount"] == "" {
			t.Errorf("distribution above the balance: %v", err)
		}
		dist.Amount, dist.IdempotencyKey = 65201, "d-2"
		if _, err := db.PostOwnerEntry(ctx, keeper, dist); err != nil {
			t.Fatal(err)
		}

		// The completed request on the unit is billable to the property's
		// owners, at their share of the invoice.
		hash := auth.HashToken(a.VisitToken)
		if err := db.ContractorSaveInvoice(ctx, hash, "127.0.0.1", sqldb.Invoice{Number: "INV-7", Date: today, AmountMinor: 12001},
			&sqldb.NewFile{Key: "2026/01/owner-ledger-invoice", Name: "INV-7.pdf", ContentType: "application/pdf", Size: 15, SHA256: strings.Repeat("0", 64)}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ContractorComplete(ctx, hash, "127.0.0.1", func(sqldb.OutcomeNotice) ([]lintel.Email, error) { return nil, nil }); err != nil {
			t.Fatal(err)
		}
		bills, err := db.OwnerBillableRequests(ctx, keeper, owner)
		if err != nil {
			t.Fatal(err)
		}
		if len(bills) != 1 || bills[0].ID != a.Request || bills[0].Invoice != 12001 || bills[0].OwnerShareOfInvoice() != 7201 ||
			bills[0].PropertyID != a.Property || bills[0].UnitID != 0 || bills[0].Place != "Harbour House · Apt 1" {
			t.Fatalf("billable = %+v", bills)
		}
		if unitOwners, err := db.OwnerBillableRequests(ctx, keeper, a.Contacts[testkit.UnitOwner]); err != nil || len(unitOwners) != 0 {
			t.Errorf("the owner of Apt 2 may be billed for Apt 1: %+v, %v", unitOwners, err)
		}
		if _, err := db.PostOwnerEntry(ctx, keeper, lintel.NewOwnerEntry{Kind: lintel.OwnerExpense, ContactID: owner, PropertyID: a.Property,
			Amount: 7201, Date: today, Description: "Kitchen tap", RequestID: a.Request, IdempotencyKey: "e-1"}); err != nil {
			t.Fatal(err)
		}
		if bills, _ = db.OwnerBillableRequests(ctx, keeper, owner); len(bills) != 1 || bills[0].Billed != 7201 {
			t.Errorf("billed = %+v", bills)
		}

		// Reversing the payment takes the rent and the fee back.
		if _, err := db.Reverse(ctx, keeper, payment, "Check bounced", "rev-1"); err != nil {
			t.Fatal(err)
		}
		acct, err = db.OwnerAccount(ctx, keeper, owner, "", 50)
		if err != nil {
			t.Fatal(err)
		}
		wantLines(t, ownerLines(acct),
			"Reversed: rent collected "+house+" -60001", "Reversed: management fee "+house+" 4800",
			"Maintenance expense "+house+" -7201",
			"Distribution to owner "+house+" -65201",
			"Owner contribution "+house+" 10000",
			"Rent collected "+house+" 60001 (reversed)", "Management fee "+house+" -4800 (reversed)")
		if acct.Balance() != 10000-7201-65201 {
			t.Errorf("balance = %d", acct.Balance())
		}
		for _, l := range acct.Lines {
			if l.Kind == "owner_expense" && l.RequestID != a.Request {
				t.Errorf("expense line without its request: %+v", l)
			}
		}

		// Pages are whole transactions, newest first, none twice.
		var paged []string
		cursor := ""
		for range 10 {
			page, err := db.OwnerAccount(ctx, keeper, owner, cursor, 2)
			if err != nil {
				t.Fatal(err)
			}
			paged = append(paged, ownerLines(page)...)
			if cursor = page.Next; cursor == "" {
				break
			}
		}
		wantLines(t, paged, ownerLines(acct)...)

		// Another company's staff find nothing.
		if _, err := db.OwnerAccount(ctx, w.B.Staff[testkit.Admin], owner, "", 50); !lintel.IsNotFound(err) {
			t.Errorf("company B read A's owner: %v", err)
		}
		if bills, err := db.OwnerBillableRequests(ctx, w.B.Staff[testkit.Admin], owner); err != nil || len(bills) != 0 {
			t.Errorf("company B lists A's requests: %+v, %v", bills, err)
		}
		if err := testkit.SetManagementFee(ctx, db, w.B.Staff[testkit.Admin], a.Property, 100); !lintel.IsNotFound(err) {
			t.Errorf("company B set A's fee: %v", err)
		}
		if problems, err := db.CheckLedger(ctx); err != nil || len(problems) > 0 {
			t.Errorf("ledger check: %q, %v", problems, err)
		}
	})
}
