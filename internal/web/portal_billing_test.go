package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/receipt"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// portalMoney is what the Billing tests and the matrix post in a company:
// rent on the active lease 40 days ago, paid in part; the unit owner's
// contribution.
type portalMoney struct {
	charge, payment, contribution int64
}

func postPortalMoney(t *testing.T, db *sqldb.DB, c *testkit.Company, tag string) portalMoney {
	t.Helper()
	ctx := context.Background()
	admin := c.Staff[testkit.Admin]
	today := lintel.DateOf(db.Now())
	var m portalMoney
	var err error
	if m.charge, err = db.PostCharge(ctx, admin, lintel.NewCharge{LeaseID: c.Lease, Category: lintel.ChargeRent, Description: "Rent for last month",
		Amount: 120000, Due: today.AddDays(-40), IdempotencyKey: tag + ":rent"}); err != nil {
		t.Fatal(err)
	}
	if m.payment, err = db.PostPayment(ctx, admin, lintel.NewPayment{LeaseID: c.Lease, Amount: 100000, Received: today.AddDays(-35),
		Method: lintel.PayBankTransfer, Reference: "TRX-77", IdempotencyKey: tag + ":pay"}); err != nil {
		t.Fatal(err)
	}
	if m.contribution, err = db.PostOwnerEntry(ctx, admin, lintel.NewOwnerEntry{Kind: lintel.OwnerContribution, ContactID: c.Contacts[testkit.UnitOwner],
		PropertyID: c.Property, UnitID: c.OwnedUnit, Amount: 30000, Date: today.AddDays(-2), Method: string(lintel.PayCheck),
		IdempotencyKey: tag + ":contrib"}); err != nil {
		t.Fatal(err)
	}
	return m
}

var matrixMoney portalMoney

// ownsInA: the owners with money on record in company A (the property's
// owner, from rent; the unit owner, from their contribution) may download
// a statement of A; everyone else gets a 404.
var ownsInA profile = func(a actor, other bool) outcome {
	switch {
	case a.company == nil:
		return toLogin
	case !other && (a.persona == testkit.PropertyOwner || a.persona == testkit.UnitOwner):
		return allow
	}
	return notFound
}

func init() {
	matrixFixtures = append(matrixFixtures, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		matrixMoney = postPortalMoney(t, db, w.A, "matrix:portal-billing")
	})
	statementA := func(w *testkit.World) string {
		return fmt.Sprintf("/portal/billing/statement.pdf?company=%d&from=2020-01-01&to=2029-12-31", w.A.ID)
	}
	addMatrixRows(map[string]matrixRow{
		"GET /portal/billing/leases/{id}": {withID("/portal/billing/leases/%d", leaseA), nil, seesLeaseA},
		"GET /portal/billing/receipts/{file}": {withID("/portal/billing/receipts/%d.pdf",
			func(*testkit.World) int64 { return matrixMoney.payment }), nil, seesLeaseA},
		"GET /portal/billing/statement.pdf": {statementA, nil, ownsInA},
	})
	// Contributions' receipts (their owner's alone) are checked in
	// TestPortalReceiptAndStatement.
}

func TestPortalBillingTab(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		app := newTestApp(t, db)
		a := w.A
		setCompanyContact(t, db, a)
		postPortalMoney(t, db, a, "a")
		postPortalMoney(t, db, w.B, "b")
		for _, tc := range []struct {
			p       testkit.Persona
			sees    []string
			notSees []string
		}{
			// Co-tenants share the account: 1,200 charged, 1,000 paid.
			{testkit.Tenant, []string{"Harbour House · Apt 1", "Current balance", "$200.00", "Overdue", "billing-overdue", "Rent for last month",
				"Payment received, thank you", "Receipt 0000", "All transactions"}, []string{"Your balance as an owner", "Ridge"}},
			{testkit.Cotenant, []string{"$200.00", "Receipt 0000"}, nil},
			{testkit.FormerTenant, []string{"No charges or payments on this lease yet."}, []string{"$200.00"}},
			// 60% of 1,000, no management fee on the fixture's property.
			{testkit.PropertyOwner, []string{"Your balance as an owner", "$600.00", "Income and expenses, last 12 months", "Rent collected",
				"Download statement (PDF)", `name="company" value="` + fmt.Sprint(a.ID) + `"`}, []string{"Current balance", "Receipt 0000"}},
			{testkit.UnitOwner, []string{"$300.00", "Owner contribution", "Receipt 0000"}, []string{"Rent collected"}},
			{testkit.OtherOwner, []string{"Nothing to show yet"}, nil},
		} {
			t.Run(string(tc.p), func(t *testing.T) {
				page := loginPersona(t, app, a, tc.p).get("/portal/billing").want(t, 200)
				main := page.mainOf()
				for _, s := range tc.sees {
					if !strings.Contains(main, s) {
						t.Errorf("Billing does not show %q\n%s", s, excerpt(main))
					}
				}
				for _, s := range tc.notSees {
					if strings.Contains(main, s) {
						t.Errorf("Billing shows %q", s)
					}
				}
			})
		}

		// The lease's own page: upcoming rent from the lease's terms, the
		// company's card, the paid-by note on the charge.
		tenant := loginPersona(t, app, a, testkit.Tenant)
		tenant.get(fmt.Sprintf("/portal/billing/leases/%d", a.Lease)).want(t, 200).
			wantBody(t, "Account for Harbour House · Apt 1", "Upcoming charges", "Next rent", "$1,200.00", "desk@harbour.test",
				"$200.00 still to pay", "$1,000.00 paid on")

		// In French.
		speaking(loginPersona(t, app, a, testkit.Cotenant), "fr").get("/portal/billing").want(t, 200).
			wantBody(t, htmlFR, "Solde actuel", "Paiement reçu, merci", "Reçu 0000")
		speaking(loginPersona(t, app, a, testkit.PropertyOwner), "fr").get("/portal/billing").want(t, 200).
			wantBody(t, "Revenus et dépenses des 12 derniers mois", "Loyer encaissé")
	})
}

func TestPortalReceiptAndStatement(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		app := newTestApp(t, db)
		a := w.A
		m := postPortalMoney(t, db, a, "a")
		mb := postPortalMoney(t, db, w.B, "b")
		rc, err := db.ResidentReceipt(context.Background(), lintel.Resident{UserID: a.Users[testkit.Tenant]}, m.payment)
		if err != nil {
			t.Fatal(err)
		}
		number := receipt.Number(rc.Number)

		cotenant := loginPersona(t, app, a, testkit.Cotenant)
		got := cotenant.get(fmt.Sprintf("/portal/billing/receipts/%d.pdf", m.payment)).want(t, 200)
		h := got.Header
		if h.Get("Content-Type") != "application/pdf" || h.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.Contains(h.Get("Content-Security-Policy"), "sandbox") || !strings.Contains(h.Get("Content-Disposition"), "receipt-"+number+".pdf") ||
			!strings.Contains(h.Get("Cache-Control"), "no-store") {
			t.Errorf("receipt headers %v", h)
		}
		text := receipt.Text([]byte(got.Body))
		for _, s := range []string{"Receipt " + number, "$1,000.00", "Harbour Lettings", "Cotenant Harbour, Tenant Harbour", "TRX-77", "Rent for last month"} {
			if !strings.Contains(text, s) {
				t.Errorf("receipt lacks %q:\n%s", s, text)
			}
		}
		// In the person's language.
		fr := speaking(loginPersona(t, app, a, testkit.Tenant), "fr").get(fmt.Sprintf("/portal/billing/receipts/%d.pdf", m.payment)).want(t, 200)
		if text := receipt.Text([]byte(fr.Body)); !strings.Contains(text, "Reçu "+number) || !strings.Contains(text, "Virement bancaire") {
			t.Errorf("French receipt:\n%s", text)
		}

		// Who may download which receipt: the payment's lease's tenants;
		// a contribution's owner. Everything else, and any malformed name,
		// is the same 404.
		notFoundBody := cotenant.get("/portal/billing/receipts/999999.pdf").want(t, 404).Body
		for _, tc := range []struct {
			p    testkit.Persona
			path string
			want int
		}{
			{testkit.UnitOwner, fmt.Sprintf("/portal/billing/receipts/%d.pdf", m.contribution), 200},
			{testkit.PropertyOwner, fmt.Sprintf("/portal/billing/receipts/%d.pdf", m.contribution), 404},
			{testkit.Tenant, fmt.Sprintf("/portal/billing/receipts/%d.pdf", m.contribution), 404},
			{testkit.OtherTenant, fmt.Sprintf("/portal/billing/receipts/%d.pdf", m.payment), 404},
			{testkit.FormerTenant, fmt.Sprintf("/portal/billing/receipts/%d.pdf", m.payment), 404},
			{testkit.Tenant, fmt.Sprintf("/portal/billing/receipts/%d.pdf", m.charge), 404},
			{testkit.Tenant, fmt.Sprintf("/portal/billing/receipts/%d.pdf", mb.payment), 404},
			{testkit.Tenant, fmt.Sprintf("/portal/billing/receipts/%d", m.payment), 404},
			{testkit.Tenant, "/portal/billing/receipts/-1.pdf", 404},
		} {
			got := loginPersona(t, app, a, tc.p).get(tc.path)
			if got.Status != tc.want {
				t.Errorf("%s %s: %d, want %d", tc.p, tc.path, got.Status, tc.want)
			}
			if tc.want == 404 && got.Body != notFoundBody && !strings.Contains(got.Body, "<h1>") {
				t.Errorf("%s %s: a different 404", tc.p, tc.path)
			}
		}

		// The owner's statement for a chosen period.
		owner := loginPersona(t, app, a, testkit.PropertyOwner)
		today := lintel.DateOf(db.Now())
		st := owner.get(fmt.Sprintf("/portal/billing/statement.pdf?company=%d&from=%s&to=%s", a.ID, today.AddDays(-60), today)).want(t, 200)
		if st.Header.Get("Content-Type") != "application/pdf" || !strings.Contains(st.Header.Get("Content-Disposition"), "statement-") {
			t.Errorf("statement headers %v", st.Header)
		}
		text = receipt.Text([]byte(st.Body))
		for _, s := range []string{"Owner statement", "Property Owner Harbour", "Rent collected", "$600.00", "Closing balance"} {
			if !strings.Contains(text, s) {
				t.Errorf("statement lacks %q:\n%s", s, text)
			}
		}
		// With one company the company may be left out.
		owner.get(fmt.Sprintf("/portal/billing/statement.pdf?from=%s&to=%s", today.AddDays(-60), today)).want(t, 200)
		// A period that cannot be: the tab again, the reason by the form.
		owner.get(fmt.Sprintf("/portal/billing/statement.pdf?company=%d&from=%s&to=%s", a.ID, today, today.AddDays(-1))).
			want(t, http.StatusUnprocessableEntity).wantBody(t, "The last day must be on or after the first day.", `aria-invalid="true"`)
		owner.get(fmt.Sprintf("/portal/billing/statement.pdf?company=%d&from=soon&to=later", a.ID)).
			want(t, http.StatusUnprocessableEntity).wantBody(t, "Enter the first and last day of the statement as dates.")
		// Another company's statement, or a tenant's: 404.
		owner.get(fmt.Sprintf("/portal/billing/statement.pdf?company=%d&from=2020-01-01&to=2030-01-01", w.B.ID)).want(t, 404)
		loginPersona(t, app, a, testkit.Tenant).get("/portal/billing/statement.pdf?from=2020-01-01&to=2030-01-01").want(t, 404)
		loginPersona(t, app, a, testkit.OtherOwner).get(fmt.Sprintf("/portal/billing/statement.pdf?company=%d&from=x&to=2050-01-01", a.ID)).want(t, 404)
	})
}

// nextRent follows the recurring-rent rules: the month after the last one
// charged, prorated in a lease's first month, none once the lease ended.
func TestNextRent(t *testing.T) {
	t.Parallel()
	day := func(s string) lintel.Date {
		d, err := lintel.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	today := day("2026-03-10")
	for _, tc := range []struct {
		name   string
		a      sqldb.ResidentLeaseAccount
		due    string
		amount int64
	}{
		{"this month charged", account(sqldb.RentLease{Start: day("2025-01-01"), RentMinor: 100000, DueDay: 1, LastPeriod: "2026-03"}, lintel.LeaseActive), "2026-04-01", 100000},
		{"nothing charged yet", account(sqldb.RentLease{Start: day("2025-01-01"), RentMinor: 100000, DueDay: 5}, lintel.LeaseActive), "2026-03-05", 100000},
		{"starts next month mid-month", account(sqldb.RentLease{Start: day("2026-04-16"), RentMinor: 100000, DueDay: 1}, lintel.LeaseUpcoming), "2026-04-16", 50000},
		{"ended", account(sqldb.RentLease{Start: day("2025-01-01"), End: day("2026-02-28"), RentMinor: 100000, DueDay: 1}, lintel.LeaseEnded), "", 0},
		{"no rent", account(sqldb.RentLease{Start: day("2025-01-01"), DueDay: 1}, lintel.LeaseActive), "", 0},
	} {
		c, ok := nextRent(tc.a, today)
		if ok != (tc.due != "") || ok && (c.Due.String() != tc.due || c.Amount != tc.amount) {
			t.Errorf("%s: %v %+v, want due %s amount %d", tc.name, ok, c, tc.due, tc.amount)
		}
	}
}

func account(l sqldb.RentLease, status lintel.LeaseStatus) sqldb.ResidentLeaseAccount {
	var a sqldb.ResidentLeaseAccount
	a.Rent, a.Status = l, status
	return a
}
