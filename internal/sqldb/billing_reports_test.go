package sqldb_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// ledgerKey makes each posting's idempotency key unique within a test
// binary (tests run in parallel).
var ledgerKeyN atomic.Int64

func ledgerKey() string {
	return fmt.Sprintf("test:%d", ledgerKeyN.Add(1))
}

func mustCharge(t *testing.T, db *sqldb.DB, s lintel.Staff, lease int64, desc string, amount int64, due lintel.Date) int64 {
	t.Helper()
	id, err := db.PostCharge(context.Background(), s, lintel.NewCharge{LeaseID: lease, Category: lintel.ChargeRent, Description: desc, Amount: amount, Due: due, IdempotencyKey: ledgerKey()})
	if err != nil {
		t.Fatalf("charge %q: %v", desc, err)
	}
	return id
}

func mustPayment(t *testing.T, db *sqldb.DB, s lintel.Staff, lease int64, amount int64, on lintel.Date) int64 {
	t.Helper()
	id, err := db.PostPayment(context.Background(), s, lintel.NewPayment{LeaseID: lease, Amount: amount, Received: on, Method: lintel.PayBankTransfer, IdempotencyKey: ledgerKey()})
	if err != nil {
		t.Fatalf("payment of %d: %v", amount, err)
	}
	return id
}

// TestReceivables ages a lease's open charges into the report's buckets
// (boundaries included), leaves out reversed charges and what payments
// paid, shows a lease in credit, sums the totals over every page, and
// never shows another company's lease.
func TestReceivables(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		bk := a.Staff[testkit.Bookkeeper]
		today := lintel.DateOf(db.Now())

		mustCharge(t, db, bk, a.Lease, "Next month", 10000, today.AddDays(5))     // not yet due
		mustCharge(t, db, bk, a.Lease, "Due today", 1000, today)                  // not late yet
		mustCharge(t, db, bk, a.Lease, "30 days", 2000, today.AddDays(-30))       // 0–30 (boundary)
		mustCharge(t, db, bk, a.Lease, "31 days", 3000, today.AddDays(-31))       // 31–60 (boundary)
		mustCharge(t, db, bk, a.Lease, "61 days", 4000, today.AddDays(-61))       // 61–90
		mustCharge(t, db, bk, a.Lease, "90 days", 5000, today.AddDays(-90))       // 61–90 (boundary)
		mustCharge(t, db, bk, a.Lease, "Half a year", 50000, today.AddDays(-180)) // over 90
		wrong := mustCharge(t, db, bk, a.Lease, "Posted by mistake", 99900, today.AddDays(-100))
		if _, err := db.Reverse(ctx, bk, wrong, "Posted by mistake", ledgerKey()); err != nil {
			t.Fatal(err)
		}
		mustPayment(t, db, bk, a.Lease, 15000, today) // pays the oldest: 500.00 → 350.00 open
		mustPayment(t, db, bk, a.OtherLease, 5000, today)
		mustCharge(t, db, w.B.Staff[testkit.Admin], w.B.Lease, "B's rent", 77700, today.AddDays(-10))

		rep, err := db.Receivables(ctx, bk, sqldb.ReceivablesFilter{Today: today})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Count != 2 || len(rep.Rows) != 2 {
			t.Fatalf("receivables: %d rows, count %d, want 2: %+v", len(rep.Rows), rep.Count, rep.Rows)
		}
		got := rep.Rows[0]
		want := sqldb.ReceivableRow{LeaseID: a.Lease, NotYetDue: 11000, Days0To30: 2000, Days31To60: 3000, Days61To90: 9000, Over90: 35000, Balance: 60000}
		if got.LeaseID != want.LeaseID || got.NotYetDue != want.NotYetDue || got.Days0To30 != want.Days0To30 || got.Days31To60 != want.Days31To60 ||
			got.Days61To90 != want.Days61To90 || got.Over90 != want.Over90 || got.Balance != want.Balance {
			t.Errorf("lease row:\n got %+v\nwant %+v", got, want)
		}
		// The same "overdue" as the lease's ledger shows.
		_, overdue, err := db.LeaseBalance(ctx, bk, a.Lease)
		if err != nil || got.Overdue() != 49000 || overdue != got.Overdue() {
			t.Errorf("overdue = %d, ledger says %d (%v), want 49000", got.Overdue(), overdue, err)
		}
		if got.UnitLabel != "Apt 1" || !strings.Contains(got.Tenants, ", ") || got.PropertyName == "" {
			t.Errorf("lease row names: %+v", got)
		}
		credit := rep.Rows[1]
		if credit.LeaseID != a.OtherLease || credit.Balance != -5000 || credit.Overdue() != 0 || credit.NotYetDue != 0 {
			t.Errorf("lease in credit: %+v", credit)
		}
		wantTotals := sqldb.ReceivableRow{NotYetDue: 11000, Days0To30: 2000, Days31To60: 3000, Days61To90: 9000, Over90: 35000, Balance: 55000}
		if rep.Totals != wantTotals {
			t.Errorf("totals:\n got %+v\nwant %+v", rep.Totals, wantTotals)
		}

		// One lease a page: the totals stay those of the whole report.
		p1, err := db.Receivables(ctx, bk, sqldb.ReceivablesFilter{Today: today, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(p1.Rows) != 1 || p1.Rows[0].LeaseID != a.Lease || p1.Next == nil || p1.Totals != wantTotals {
			t.Fatalf("page 1: %+v", p1)
		}
		p2, err := db.Receivables(ctx, bk, sqldb.ReceivablesFilter{Today: today, Limit: 1, After: p1.Next})
		if err != nil {
			t.Fatal(err)
		}
		if len(p2.Rows) != 1 || p2.Rows[0].LeaseID != a.OtherLease || p2.Next != nil || p2.Totals != wantTotals {
			t.Fatalf("page 2: %+v", p2)
		}

		all, err := db.Receivables(ctx, bk, sqldb.ReceivablesFilter{Today: today, Limit: 1, All: true})
		if err != nil || len(all.Rows) != 2 || all.Next != nil || all.Totals != wantTotals {
			t.Fatalf("every row at once: %+v, %v", all, err)
		}

		// Company B sees its own lease only.
		rb, err := db.Receivables(ctx, w.B.Staff[testkit.Admin], sqldb.ReceivablesFilter{Today: today})
		if err != nil {
			t.Fatal(err)
		}
		if len(rb.Rows) != 1 || rb.Rows[0].LeaseID != w.B.Lease || rb.Rows[0].Days0To30 != 77700 {
			t.Errorf("company B's receivables: %+v", rb.Rows)
		}
	})
}

// TestRentRoll lists every unit but common areas, with the lease holding
// it today (not an ended one), vacant units too, and the lease's balance.
func TestRentRoll(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		bk := a.Staff[testkit.Bookkeeper]
		today := lintel.DateOf(db.Now())
		mustCharge(t, db, bk, a.Lease, "Rent", 120000, today.AddDays(-3))
		mustPayment(t, db, bk, a.Lease, 20000, today)

		roll, err := db.RentRoll(ctx, bk, sqldb.RentRollFilter{Today: today})
		if err != nil {
			t.Fatal(err)
		}
		byUnit := map[int64]sqldb.RentRollRow{}
		for _, r := range roll.Rows {
			byUnit[r.UnitID] = r
		}
		if len(roll.Rows) != 3 || roll.Totals.Units != 3 || roll.Totals.Occupied != 2 {
			t.Fatalf("rent roll: %d rows, totals %+v: %+v", len(roll.Rows), roll.Totals, roll.Rows)
		}
		if _, ok := byUnit[a.CommonArea]; ok {
			t.Error("the rent roll lists a common area")
		}
		leased := byUnit[a.Unit]
		if leased.LeaseID != a.Lease || leased.Rent != 120000 || leased.Deposit != 120000 || leased.Balance != 100000 ||
			!strings.Contains(leased.Tenants, ", ") || !leased.MonthToMonth {
			t.Errorf("leased unit: %+v", leased)
		}
		if v := byUnit[a.OwnedUnit]; !v.Vacant() || v.Tenants != "" || v.Rent != 0 {
			t.Errorf("vacant unit: %+v", v)
		}
		if o := byUnit[a.OtherUnit]; o.LeaseID != a.OtherLease || o.End.IsZero() {
			t.Errorf("other unit: %+v", o)
		}
		if roll.Totals.Rent != 220000 || roll.Totals.Balances != 100000 {
			t.Errorf("totals: %+v", roll.Totals)
		}

		// Two units a page, by property then unit.
		p1, err := db.RentRoll(ctx, bk, sqldb.RentRollFilter{Today: today, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		p2, err := db.RentRoll(ctx, bk, sqldb.RentRollFilter{Today: today, Limit: 2, After: p1.Next})
		if err != nil {
			t.Fatal(err)
		}
		if len(p1.Rows) != 2 || p1.Next == nil || len(p2.Rows) != 1 || p2.Next != nil || p2.Rows[0].UnitID == p1.Rows[1].UnitID {
			t.Fatalf("pages: %+v then %+v", p1.Rows, p2.Rows)
		}
	})
}

// TestBillableRequests offers a completed request of the lease's unit with
// its invoice total, and marks it billed once charged.
func TestBillableRequests(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		a := w.A
		bk := a.Staff[testkit.Bookkeeper]
		if got, err := db.BillableRequests(ctx, bk, a.Lease); err != nil || len(got) != 0 {
			t.Fatalf("before any invoice: %+v, %v", got, err)
		}
		completeWithInvoice(t, db, a, 24000)
		got, err := db.BillableRequests(ctx, bk, a.Lease)
		if err != nil || len(got) != 1 || got[0].ID != a.Request || got[0].Amount != 24000 || got[0].Invoices != "INV-7" || got[0].Billed {
			t.Fatalf("billable: %+v, %v", got, err)
		}
		if got, _ := db.BillableRequests(ctx, w.B.Staff[testkit.Admin], a.Lease); len(got) != 0 {
			t.Errorf("another company sees %+v", got)
		}
		if _, err := db.PostCharge(ctx, bk, lintel.NewCharge{LeaseID: a.Lease, Category: lintel.ChargeMaintenance, Description: "Repair", Amount: 24000,
			Due: lintel.DateOf(db.Now()), RequestID: a.Request, IdempotencyKey: ledgerKey()}); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.BillableRequests(ctx, bk, a.Lease); len(got) != 1 || !got[0].Billed {
			t.Errorf("after billing: %+v", got)
		}
		open, err := db.OpenCharges(ctx, bk, a.Lease)
		if err != nil || len(open) != 1 || open[0].Open != 24000 {
			t.Errorf("open charges: %+v, %v", open, err)
		}
	})
}

// completeWithInvoice has the operator of c.Visit save invoice INV-7 for
// amount and mark the work complete, through the task link.
func completeWithInvoice(t *testing.T, db *sqldb.DB, c *testkit.Company, amount int64) {
	t.Helper()
	ctx := context.Background()
	hash := auth.HashToken(c.VisitToken)
	doc := sqldb.NewFile{Key: "test/inv-7", Name: "INV-7.pdf", ContentType: "application/pdf", Size: 15, SHA256: strings.Repeat("0", 64)}
	if err := db.ContractorSaveInvoice(ctx, hash, "127.0.0.1", sqldb.Invoice{Number: "INV-7", Date: lintel.DateOf(db.Now()), AmountMinor: amount}, &doc); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ContractorComplete(ctx, hash, "127.0.0.1", func(sqldb.OutcomeNotice) ([]lintel.Email, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
}

// TestRentRollPagesWalkEveryUnitOnce pages through a company whose
// properties share a name and whose units share labels, an archived unit
// and a common area among them, at every page size: the pages together are
// the whole roll, in order (property name, property, unit label, unit),
// each unit once.
func TestRentRollPagesWalkEveryUnitOnce(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newCompanyStaff(t, db, "Walk Co")
		var want []int64
		for _, name := range []string{"Oak Court", "Birch House", "Oak Court"} {
			p := mustProperty(t, db, s, lintel.Property{Name: name, Kind: lintel.KindResidential})
			for _, label := range []string{"2", "10", "1", "2"} {
				mustUnit(t, db, s, lintel.Unit{PropertyID: p, Label: label})
			}
			mustUnit(t, db, s, lintel.Unit{PropertyID: p, Label: "Lobby", CommonArea: true})
			gone := mustUnit(t, db, s, lintel.Unit{PropertyID: p, Label: "0"})
			if err := db.ArchiveUnit(ctx, s, gone); err != nil {
				t.Fatal(err)
			}
		}
		all, err := db.RentRoll(ctx, s, sqldb.RentRollFilter{All: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(all.Rows) != 12 {
			t.Fatalf("the whole roll has %d rows, want 12: %+v", len(all.Rows), all.Rows)
		}
		for i, r := range all.Rows {
			want = append(want, r.UnitID)
			if i == 0 {
				continue
			}
			prev := all.Rows[i-1]
			if cmp.Compare(prev.PropertyName, r.PropertyName) > 0 ||
				prev.PropertyName == r.PropertyName && prev.PropertyID > r.PropertyID ||
				prev.PropertyID == r.PropertyID && (prev.UnitLabel > r.UnitLabel || prev.UnitLabel == r.UnitLabel && prev.UnitID > r.UnitID) {
				t.Errorf("row %d (%s %d, %s %d) comes after (%s %d, %s %d)", i, r.PropertyName, r.PropertyID, r.UnitLabel, r.UnitID,
					prev.PropertyName, prev.PropertyID, prev.UnitLabel, prev.UnitID)
			}
		}
		for size := 1; size <= 5; size++ {
			var got []int64
			f := sqldb.RentRollFilter{Limit: size}
			for pages := 0; ; pages++ {
				if pages > 12 {
					t.Fatalf("page size %d: more pages than units", size)
				}
				p, err := db.RentRoll(ctx, s, f)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range p.Rows {
					got = append(got, r.UnitID)
				}
				if p.Next == nil {
					break
				}
				f.After = p.Next
			}
			if !slices.Equal(got, want) {
				t.Errorf("page size %d walked %v, want %v", size, got, want)
			}
		}
	})
}
