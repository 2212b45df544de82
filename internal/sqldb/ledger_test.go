package sqldb_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// ledgerFixture is a company with one property (management fee 10%) owned
// 60/40 by Ann and Bob, whose Flat 2 is owned by Carl alone; a lease on
// Flat 1 and one on Flat 2.
type ledgerFixture struct {
	s                   lintel.Staff
	prop, flat1, flat2  int64
	lease, lease2       int64
	ann, bob, carl, tom int64
}

var ledgerKeys atomic.Int64

// newKey is a fresh idempotency key, as a rendered form would carry.
func newKey() string { return fmt.Sprintf("test-key-%d", ledgerKeys.Add(1)) }

func newLedgerFixture(t testing.TB, db *sqldb.DB, company string) ledgerFixture {
	t.Helper()
	ctx := context.Background()
	f := ledgerFixture{s: newCompanyStaff(t, db, company)}
	f.prop = mustProperty(t, db, f.s, lintel.Property{Name: company + " House", ManagementFeeBP: 1000})
	f.flat1 = mustUnit(t, db, f.s, lintel.Unit{PropertyID: f.prop, Label: "Flat 1"})
	f.flat2 = mustUnit(t, db, f.s, lintel.Unit{PropertyID: f.prop, Label: "Flat 2"})
	f.ann = mustContact(t, db, f.s, "Ann Owner", true)
	f.bob = mustContact(t, db, f.s, "Bob Owner", true)
	f.carl = mustContact(t, db, f.s, "Carl Owner", true)
	f.tom = mustContact(t, db, f.s, "Tom Tenant", false)
	for _, o := range []lintel.Ownership{
		{ContactID: f.ann, PropertyID: f.prop, ShareBP: 6000},
		{ContactID: f.bob, PropertyID: f.prop, ShareBP: 4000},
		{ContactID: f.carl, PropertyID: f.prop, UnitID: f.flat2, ShareBP: 10000},
	} {
		if _, err := db.CreateOwnership(ctx, f.s, o); err != nil {
			t.Fatalf("ownership: %v", err)
		}
	}
	start, err := lintel.ParseDate("2024-01-01")
	if err != nil {
		t.Fatal(err)
	}
	lease := lintel.Lease{UnitID: f.flat1, Start: start, MonthToMonth: true, RentMinor: 100000, RentDueDay: 1}
	if f.lease, err = db.CreateLease(ctx, f.s, lease, []int64{f.tom}, nil); err != nil {
		t.Fatalf("lease: %v", err)
	}
	lease.UnitID = f.flat2
	if f.lease2, err = db.CreateLease(ctx, f.s, lease, []int64{f.tom}, nil); err != nil {
		t.Fatalf("lease: %v", err)
	}
	return f
}

func (f ledgerFixture) charge(t testing.TB, db *sqldb.DB, lease int64, cat lintel.ChargeCategory, amount int64, due string) int64 {
	t.Helper()
	d, _ := lintel.ParseDate(due)
	id, err := db.PostCharge(context.Background(), f.s, lintel.NewCharge{LeaseID: lease, Category: cat, Description: cat.Label() + " due " + due,
		Amount: amount, Due: d, IdempotencyKey: newKey()})
	if err != nil {
		t.Fatalf("charge %s %d: %v", cat, amount, err)
	}
	return id
}

func (f ledgerFixture) pay(t testing.TB, db *sqldb.DB, lease, amount int64, received string, applyTo int64) int64 {
	t.Helper()
	d, _ := lintel.ParseDate(received)
	id, err := db.PostPayment(context.Background(), f.s, lintel.NewPayment{LeaseID: lease, Amount: amount, Received: d,
		Method: lintel.PayBankTransfer, Reference: "REF", ApplyTo: applyTo, IdempotencyKey: newKey()})
	if err != nil {
		t.Fatalf("payment %d: %v", amount, err)
	}
	return id
}

// count runs a query answering one integer.
func ledgerCount(t testing.TB, db *sqldb.DB, q string, args ...any) int64 {
	t.Helper()
	n, err := db.IdentityCountForTest(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return int64(n)
}

// ownerBalance is what the company holds for an owner on all assets
// (positive: the owner's money).
func ownerBalance(t testing.TB, db *sqldb.DB, contact int64) int64 {
	return -ledgerCount(t, db, `SELECT COALESCE(SUM(balance_minor), 0) FROM ledger_accounts WHERE kind = 'owner' AND contact_id = $1`, contact)
}

func incomeBalance(t testing.TB, db *sqldb.DB, company int64, category string) int64 {
	return -ledgerCount(t, db, `SELECT COALESCE(SUM(balance_minor), 0) FROM ledger_accounts WHERE company_id = $1 AND kind = 'income' AND category = $2`, company, category)
}

func wantCheckOK(t testing.TB, db *sqldb.DB) {
	t.Helper()
	problems, err := db.CheckLedger(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Fatalf("ledger check:\n%s", strings.Join(problems, "\n"))
	}
}

func findLine(t testing.TB, acc sqldb.LeaseAccount, id int64) sqldb.LedgerLine {
	t.Helper()
	for _, l := range acc.Lines {
		if l.ID == id {
			return l
		}
	}
	t.Fatalf("line %d not on the page", id)
	return sqldb.LedgerLine{}
}

func TestLedgerFlows(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newLedgerFixture(t, db, "Harbour")
		future := lintel.DateOf(db.Now()).AddDays(20).String()

		rentJan := f.charge(t, db, f.lease, lintel.ChargeRent, 100000, "2025-01-01")
		feeJan := f.charge(t, db, f.lease, lintel.ChargeFee, 5000, "2025-01-15")
		rentNext := f.charge(t, db, f.lease, lintel.ChargeRent, 100000, future)

		// Oldest first: January's rent, then half the fee. The owners get
		// the rent 60/40 less the 10% fee.
		pay1 := f.pay(t, db, f.lease, 102500, "2025-01-03", 0)
		bal, overdue, err := db.LeaseBalance(ctx, f.s, f.lease)
		noErr(t, err)
		if bal != 102500 || overdue != 2500 {
			t.Errorf("after the first payment: balance %d overdue %d, want 102500 and 2500", bal, overdue)
		}
		if a, b := ownerBalance(t, db, f.ann), ownerBalance(t, db, f.bob); a != 54000 || b != 36000 {
			t.Errorf("owners after the first payment: Ann %d Bob %d, want 54000 and 36000", a, b)
		}
		if fee := incomeBalance(t, db, f.s.CompanyID, "management_fee"); fee != 10000 {
			t.Errorf("management fee income %d, want 10000", fee)
		}

		// A payment aimed at next month's rent pays it first.
		pay2 := f.pay(t, db, f.lease, 50000, "2025-02-01", rentNext)
		// An overpayment: the fee, the rest of next month, then credit.
		pay3 := f.pay(t, db, f.lease, 80000, "2025-02-02", 0)
		if bal, _, _ = db.LeaseBalance(ctx, f.s, f.lease); bal != -27500 {
			t.Errorf("after the overpayment: balance %d, want -27500", bal)
		}
		// The waiting credit pays a new charge at once.
		util := f.charge(t, db, f.lease, lintel.ChargeUtility, 10000, "2025-02-10")
		acc, err := db.LeaseLedger(ctx, f.s, f.lease, "", 50)
		noErr(t, err)
		if acc.Balance != -17500 || acc.Overdue != 0 || acc.Currency != "USD" || len(acc.Lines) != 7 || acc.Next != "" {
			t.Errorf("account: balance %d overdue %d currency %s, %d lines, next %q", acc.Balance, acc.Overdue, acc.Currency, len(acc.Lines), acc.Next)
		}
		if u := findLine(t, acc, util); u.Open != 0 || len(u.PaidBy) != 1 || u.PaidBy[0].SourceID != pay3 || u.PaidBy[0].Amount != 10000 || u.PaidBy[0].ReceiptNumber != 3 {
			t.Errorf("utility line %+v", u)
		}
		next := findLine(t, acc, rentNext)
		if next.Open != 0 || len(next.PaidBy) != 2 || next.PaidBy[0].SourceID != pay2 || next.PaidBy[0].Amount != 50000 ||
			next.PaidBy[1].SourceID != pay3 || next.PaidBy[1].Amount != 50000 || next.PaidBy[1].Date.String() != "2025-02-02" {
			t.Errorf("next month's rent paid by %+v", next.PaidBy)
		}
		if p := findLine(t, acc, pay1); p.Amount != -102500 || p.ReceiptNumber != 1 || p.Method != "bank_transfer" || p.Reference != "REF" {
			t.Errorf("payment line %+v", p)
		}
		if acc.Lines[0].ID != rentNext {
			t.Errorf("newest line is %d, want next month's rent %d", acc.Lines[0].ID, rentNext)
		}

		// A bounced payment: its allocations stop counting, the owners give
		// back their share, and the waiting credit moves to January's rent.
		rev := get(db.Reverse(ctx, f.s, pay1, "Bounced", newKey())).ok(t)
		acc, err = db.LeaseLedger(ctx, f.s, f.lease, "", 50)
		noErr(t, err)
		if acc.Balance != 85000 || acc.Overdue != 85000 {
			t.Errorf("after the reversal: balance %d overdue %d, want 85000 and 85000", acc.Balance, acc.Overdue)
		}
		jan := findLine(t, acc, rentJan)
		if jan.Open != 82500 || len(jan.PaidBy) != 1 || jan.PaidBy[0].SourceID != pay3 || jan.PaidBy[0].Amount != 17500 {
			t.Errorf("January after the reversal: open %d paid by %+v", jan.Open, jan.PaidBy)
		}
		if fee := findLine(t, acc, feeJan); fee.Open != 2500 {
			t.Errorf("fee open %d, want 2500", fee.Open)
		}
		r := findLine(t, acc, rev)
		if r.Kind != "reversal" || r.Amount != 102500 || r.ReversesID != pay1 || !strings.Contains(r.Description, "Bounced") {
			t.Errorf("reversal line %+v", r)
		}
		if p := findLine(t, acc, pay1); !p.Reversed {
			t.Error("the payment is not marked reversed")
		}
		if a, b := ownerBalance(t, db, f.ann), ownerBalance(t, db, f.bob); a != 63450 || b != 42300 {
			t.Errorf("owners after the reversal: Ann %d Bob %d, want 63450 and 42300", a, b)
		}
		wantKind(t, "reverse twice", get(db.Reverse(ctx, f.s, pay1, "again", newKey())).err, lintel.KindConflict)
		wantKind(t, "reverse a reversal", get(db.Reverse(ctx, f.s, rev, "undo", newKey())).err, lintel.KindConflict)
		wantField(t, "no reason", get(db.Reverse(ctx, f.s, pay2, " ", newKey())).err, "reason", "why")
		if n := ledgerCount(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = 'ledger.reverse' AND object_id = $1 AND detail LIKE '%Bounced%'`, pay1); n != 1 {
			t.Errorf("%d audit events for the reversal", n)
		}

		// A reversed charge stops being owed; what paid it moves on.
		revUtil := get(db.Reverse(ctx, f.s, util, "Billed in error", newKey())).ok(t)
		acc, err = db.LeaseLedger(ctx, f.s, f.lease, "", 50)
		noErr(t, err)
		if u := findLine(t, acc, util); !u.Reversed || u.Open != 0 || len(u.PaidBy) != 0 {
			t.Errorf("reversed charge %+v", u)
		}
		if r := findLine(t, acc, revUtil); r.Amount != -10000 {
			t.Errorf("a charge's reversal shows %d, want -10000", r.Amount)
		}
		if acc.Balance != 75000 || findLine(t, acc, rentJan).Open != 72500 {
			t.Errorf("after reversing the charge: balance %d, January open %d", acc.Balance, findLine(t, acc, rentJan).Open)
		}

		// The same key posts once, whatever the second submit says.
		key := newKey()
		d, _ := lintel.ParseDate("2025-03-01")
		p1 := get(db.PostPayment(ctx, f.s, lintel.NewPayment{LeaseID: f.lease, Amount: 1000, Received: d, Method: lintel.PayCash, IdempotencyKey: key})).ok(t)
		p2 := get(db.PostPayment(ctx, f.s, lintel.NewPayment{LeaseID: f.lease, Amount: 9999, Received: d, Method: lintel.PayCash, IdempotencyKey: key})).ok(t)
		if p1 != p2 || ledgerCount(t, db, `SELECT COUNT(*) FROM ledger_transactions WHERE idempotency_key = $1`, key) != 1 {
			t.Errorf("a repeated key posted again: %d, %d", p1, p2)
		}

		// Credits are allocated like payments but pass nothing to owners.
		before := ownerBalance(t, db, f.ann)
		cr := get(db.PostCredit(ctx, f.s, lintel.NewCredit{LeaseID: f.lease, Category: lintel.ChargeRent, Description: "Heating was off",
			Amount: 20000, Date: d, ApplyTo: rentJan, IdempotencyKey: newKey()})).ok(t)
		acc, _ = db.LeaseLedger(ctx, f.s, f.lease, "", 50)
		if c := findLine(t, acc, cr); c.Amount != -20000 || c.Kind != "credit" {
			t.Errorf("credit line %+v", c)
		}
		if ownerBalance(t, db, f.ann) != before {
			t.Error("a credit moved money to the owners")
		}
		wantCheckOK(t, db)
		wantAccountsMatch(t, db)
	})
}

func TestLedgerUnitOwnersAndOwnerEntries(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newLedgerFixture(t, db, "Ridge")
		// Flat 2's rent goes to Carl, its only owner, not the property's.
		rent := f.charge(t, db, f.lease2, lintel.ChargeRent, 33333, "2025-01-01")
		f.pay(t, db, f.lease2, 33333, "2025-01-02", rent)
		if c, a := ownerBalance(t, db, f.carl), ownerBalance(t, db, f.ann); c != 33333-3333 || a != 0 {
			t.Errorf("Carl %d Ann %d, want %d and 0", c, a, 33333-3333)
		}
		// A deposit is held, not income, and no owner sees it.
		dep := f.charge(t, db, f.lease2, lintel.ChargeDeposit, 50000, "2025-01-01")
		f.pay(t, db, f.lease2, 50000, "2025-01-02", dep)
		if n := ledgerCount(t, db, `SELECT -balance_minor FROM ledger_accounts WHERE kind = 'deposits' AND lease_id = $1`, f.lease2); n != 50000 {
			t.Errorf("deposits held %d", n)
		}

		d, _ := lintel.ParseDate("2025-02-01")
		entry := func(kind lintel.OwnerEntryKind, contact, unit, amount int64, allowNeg bool) (int64, error) {
			return db.PostOwnerEntry(ctx, f.s, lintel.NewOwnerEntry{Kind: kind, ContactID: contact, PropertyID: f.prop, UnitID: unit,
				Amount: amount, Date: d, Description: "Plumber's invoice", Method: string(lintel.PayBankTransfer), AllowNegative: allowNeg, IdempotencyKey: newKey()})
		}
		_, err := entry(lintel.OwnerDistribution, f.carl, f.flat2, 30001, false)
		wantField(t, "distribution above the balance", err, "amount", "$300.00")
		get(entry(lintel.OwnerDistribution, f.carl, f.flat2, 30000, false)).ok(t)
		get(entry(lintel.OwnerDistribution, f.carl, f.flat2, 500, true)).ok(t)
		if c := ownerBalance(t, db, f.carl); c != -500 {
			t.Errorf("Carl after distributions %d, want -500", c)
		}
		contrib := get(entry(lintel.OwnerContribution, f.carl, f.flat2, 10000, false)).ok(t)
		if n := ledgerCount(t, db, `SELECT receipt_number FROM ledger_transactions WHERE id = $1`, contrib); n != 3 {
			t.Errorf("contribution receipt %d, want 3 (after two payments)", n)
		}
		get(entry(lintel.OwnerExpense, f.ann, 0, 2000, false)).ok(t) // expenses may go below zero
		if a := ownerBalance(t, db, f.ann); a != -2000 {
			t.Errorf("Ann after an expense %d", a)
		}
		_, err = entry(lintel.OwnerContribution, f.carl, 0, 100, false) // Carl owns Flat 2, not the property
		wantField(t, "asset not owned", err, "owner", "no ownership")
		_, err = entry(lintel.OwnerContribution, f.tom, f.flat2, 100, false)
		wantField(t, "not an owner", err, "owner", "no ownership")
		wantCheckOK(t, db)
		wantAccountsMatch(t, db)
	})
}

func TestLedgerScope(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		a := newLedgerFixture(t, db, "Alpha")
		b := newLedgerFixture(t, db, "Beta")
		d, _ := lintel.ParseDate("2025-01-01")
		bCharge := b.charge(t, db, b.lease, lintel.ChargeRent, 1000, "2025-01-01")
		aCharge := a.charge(t, db, a.lease, lintel.ChargeRent, 1000, "2025-01-01")
		charge := lintel.NewCharge{LeaseID: b.lease, Category: lintel.ChargeFee, Description: "Fee", Amount: 100, Due: d, IdempotencyKey: newKey()}
		pay := lintel.NewPayment{LeaseID: b.lease, Amount: 100, Received: d, Method: lintel.PayCash, IdempotencyKey: newKey()}
		credit := lintel.NewCredit{LeaseID: b.lease, Category: lintel.ChargeFee, Description: "Sorry", Amount: 100, Date: d, IdempotencyKey: newKey()}
		owner := lintel.NewOwnerEntry{Kind: lintel.OwnerContribution, ContactID: b.ann, PropertyID: b.prop, Amount: 100, Date: d, IdempotencyKey: newKey()}
		cases := []struct {
			name string
			err  error
			kind lintel.Kind
		}{
			{"charge another company's lease", get(db.PostCharge(ctx, a.s, charge)).err, lintel.KindNotFound},
			{"pay another company's lease", get(db.PostPayment(ctx, a.s, pay)).err, lintel.KindNotFound},
			{"credit another company's lease", get(db.PostCredit(ctx, a.s, credit)).err, lintel.KindNotFound},
			{"reverse another company's charge", get(db.Reverse(ctx, a.s, bCharge, "no", newKey())).err, lintel.KindNotFound},
			{"owner entry for another company's owner", get(db.PostOwnerEntry(ctx, a.s, owner)).err, lintel.KindNotFound},
			{"read another company's ledger", get(db.LeaseLedger(ctx, a.s, b.lease, "", 10)).err, lintel.KindNotFound},
			{"another company's balance", func() error { _, _, err := db.LeaseBalance(ctx, a.s, b.lease); return err }(), lintel.KindNotFound},
			{"maintenance staff may not post", get(db.PostCharge(ctx, lintel.Staff{UserID: a.s.UserID, CompanyID: a.s.CompanyID, Role: lintel.RoleMaintenance},
				lintel.NewCharge{LeaseID: a.lease, Category: lintel.ChargeFee, Description: "Fee", Amount: 100, Due: d, IdempotencyKey: newKey()})).err, lintel.KindForbidden},
			{"a charge of another company's request", get(db.PostCharge(ctx, a.s, lintel.NewCharge{LeaseID: a.lease, Category: lintel.ChargeMaintenance,
				Description: "Repair", Amount: 100, Due: d, RequestID: 999999, IdempotencyKey: newKey()})).err, lintel.KindNotFound},
			{"empty payment", get(db.PostPayment(ctx, a.s, lintel.NewPayment{LeaseID: a.lease})).err, lintel.KindInvalid},
		}
		for _, c := range cases {
			wantKind(t, c.name, c.err, c.kind)
		}
		// ApplyTo must name an open charge of the same lease.
		for name, to := range map[string]int64{"another company's charge": bCharge, "another lease's charge": a.charge(t, db, a.lease2, lintel.ChargeFee, 100, "2025-01-01")} {
			_, err := db.PostPayment(ctx, a.s, lintel.NewPayment{LeaseID: a.lease, Amount: 100, Received: d, Method: lintel.PayCash, ApplyTo: to, IdempotencyKey: newKey()})
			wantField(t, name, err, "apply_to", "not an open charge")
		}
		a.pay(t, db, a.lease, 1000, "2025-01-02", aCharge)
		_, err := db.PostPayment(ctx, a.s, lintel.NewPayment{LeaseID: a.lease, Amount: 100, Received: d, Method: lintel.PayCash, ApplyTo: aCharge, IdempotencyKey: newKey()})
		wantField(t, "a paid charge", err, "apply_to", "not an open charge")
		// The bookkeeper may post.
		bk := lintel.Staff{UserID: a.s.UserID, CompanyID: a.s.CompanyID, Role: lintel.RoleBookkeeper, Name: "Bea"}
		get(db.PostPayment(ctx, bk, lintel.NewPayment{LeaseID: a.lease, Amount: 100, Received: d, Method: lintel.PayCash, IdempotencyKey: newKey()})).ok(t)
		wantCheckOK(t, db)
	})
}

// Corrections are reversals: the database itself refuses to change or
// remove a ledger row.
func TestLedgerIsAppendOnly(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newLedgerFixture(t, db, "Harbour")
		c := f.charge(t, db, f.lease, lintel.ChargeRent, 1000, "2025-01-01")
		f.pay(t, db, f.lease, 600, "2025-01-02", 0)
		for _, q := range []string{
			`UPDATE ledger_transactions SET amount_minor = 1 WHERE id = ` + fmt.Sprint(c),
			`DELETE FROM ledger_transactions WHERE id = ` + fmt.Sprint(c),
			`UPDATE ledger_postings SET amount_minor = amount_minor * 2`,
			`DELETE FROM ledger_postings`,
			`UPDATE ledger_allocations SET amount_minor = 1`,
			`DELETE FROM ledger_allocations`,
		} {
			err := db.IdentityExecForTest(ctx, q)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: got %v, want the append-only refusal", q, err)
			}
		}
		// The cached balance is not append-only; the check notices it.
		noErr(t, db.IdentityExecForTest(ctx, `UPDATE ledger_accounts SET balance_minor = balance_minor + 1 WHERE kind = 'bank'`))
		problems, err := db.CheckLedger(ctx)
		noErr(t, err)
		if len(problems) != 1 || !strings.Contains(problems[0], "cached balance 601 but its postings sum to 600") {
			t.Errorf("check found %q", problems)
		}
	})
}

// 100 submits of one payment form at once post one payment; 100 runs of the
// rent job for one period post one charge (SECURITY.md 23).
func TestLedgerIdempotentUnderConcurrency(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newLedgerFixture(t, db, "Harbour")
		f.charge(t, db, f.lease, lintel.ChargeRent, 100000, "2025-01-01")
		d, _ := lintel.ParseDate("2025-01-02")
		pay := lintel.NewPayment{LeaseID: f.lease, Amount: 100000, Received: d, Method: lintel.PayCheck, IdempotencyKey: newKey()}
		const n = 100
		ids := make([]int64, n)
		errs := make([]error, n)
		created := make([]bool, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { ids[i], errs[i] = db.PostPayment(ctx, f.s, pay) })
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil || ids[i] != ids[0] {
				t.Fatalf("submit %d: id %d (first %d), err %v", i, ids[i], ids[0], errs[i])
			}
		}
		if c := ledgerCount(t, db, `SELECT COUNT(*) FROM ledger_transactions WHERE kind = 'payment'`); c != 1 {
			t.Errorf("%d payments", c)
		}
		if c := ledgerCount(t, db, `SELECT COUNT(*) FROM ledger_postings WHERE transaction_id = $1 AND allocation_id IS NULL`, ids[0]); c != 2 {
			t.Errorf("%d postings of the payment", c)
		}
		if c := ledgerCount(t, db, `SELECT next_receipt_number FROM companies WHERE id = $1`, f.s.CompanyID); c != 2 {
			t.Errorf("next receipt number %d, want 2: duplicates used numbers", c)
		}
		if c := ledgerCount(t, db, `SELECT COUNT(*) FROM jobs WHERE kind = $1`, sqldb.JobPaymentReceipt); c != 1 {
			t.Errorf("%d receipt e-mail jobs, want 1", c)
		}

		// The rent job on many nodes: different keys, one period.
		due, _ := lintel.ParseDate("2025-02-01")
		for i := range n {
			wg.Go(func() {
				ids[i], created[i], errs[i] = db.PostChargeAsSystemForTest(ctx, f.s.CompanyID, lintel.NewCharge{LeaseID: f.lease, Category: lintel.ChargeRent,
					Description: "Rent for February 2025", Amount: 100000, Due: due, Period: "2025-02", IdempotencyKey: fmt.Sprintf("node-%d", i)})
			})
		}
		wg.Wait()
		made := 0
		for i := range n {
			if errs[i] != nil || ids[i] != ids[0] {
				t.Fatalf("run %d: id %d (first %d), err %v", i, ids[i], ids[0], errs[i])
			}
			if created[i] {
				made++
			}
		}
		if made != 1 || ledgerCount(t, db, `SELECT COUNT(*) FROM ledger_transactions WHERE period = '2025-02'`) != 1 {
			t.Errorf("%d runs created the period's rent", made)
		}
		wantCheckOK(t, db)
		wantAccountsMatch(t, db)
	})
}

// wantAccountsMatch recomputes every lease's balance from its transactions
// (charges − payments − credits, leaving out reversed ones) and compares it
// with the account.
func wantAccountsMatch(t testing.TB, db *sqldb.DB) {
	t.Helper()
	n := ledgerCount(t, db, `SELECT COUNT(*) FROM ledger_accounts a WHERE a.kind = 'receivable' AND a.balance_minor <> COALESCE((
		SELECT SUM(CASE WHEN t.kind = 'charge' THEN t.amount_minor ELSE -t.amount_minor END) FROM ledger_transactions t
		WHERE t.lease_id = a.lease_id AND t.kind IN ('charge', 'payment', 'credit')
			AND NOT EXISTS (SELECT 1 FROM ledger_transactions r WHERE r.reverses_id = t.id)), 0)`)
	if n != 0 {
		t.Errorf("%d lease balances differ from charges − payments − credits", n)
	}
}

func TestLedgerPages(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newLedgerFixture(t, db, "Harbour")
		var want []int64
		for m := 1; m <= 12; m++ {
			want = append(want, f.charge(t, db, f.lease, lintel.ChargeRent, 1000, fmt.Sprintf("2025-%02d-01", m)))
			want = append(want, f.pay(t, db, f.lease, 1000, fmt.Sprintf("2025-%02d-01", m), 0))
		}
		slices.Reverse(want)
		var got []int64
		cursor := ""
		for range 10 {
			acc, err := db.LeaseLedger(ctx, f.s, f.lease, cursor, 5)
			noErr(t, err)
			for _, l := range acc.Lines {
				got = append(got, l.ID)
			}
			if cursor = acc.Next; cursor == "" {
				break
			}
		}
		// Same day: the payment (posted later) comes first.
		if !slices.Equal(got, want) {
			t.Errorf("paged ids %v, want %v", got, want)
		}
	})
}
