package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

func init() {
	ownerA := func(w *testkit.World) int64 { return w.A.Contacts[testkit.PropertyOwner] }
	addMatrixRows(map[string]matrixRow{
		"GET /manage/owners/{id}/ledger":         {withID("/manage/owners/%d/ledger", ownerA), nil, staffObject},
		"POST /manage/owners/{id}/contributions": {withID("/manage/owners/%d/contributions", ownerA), nil, ledgerObject},
		"POST /manage/owners/{id}/distributions": {withID("/manage/owners/%d/distributions", ownerA), nil, ledgerObject},
		"POST /manage/owners/{id}/expenses":      {withID("/manage/owners/%d/expenses", ownerA), nil, ledgerObject},
	})
}

// ownerEntries counts an owner's lines of a class.
func ownerEntries(t *testing.T, db *sqldb.DB, s lintel.Staff, owner int64, class string) (n int, balance int64) {
	t.Helper()
	acct, err := db.OwnerAccount(context.Background(), s, owner, "", 200)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range acct.Lines {
		if l.Class == class {
			n++
		}
	}
	return n, acct.Balance()
}

// TestOwnerLedger is the bookkeeper's round on an owner's account: rent
// paid by the tenant shows as the owner's share less the management fee;
// a contribution (sent twice, recorded once, with a receipt number); a
// distribution refused above the balance, then allowed on purpose; a
// maintenance expense filled from a completed request's invoice.
func TestOwnerLedger(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	a := w.A
	app := newTestApp(t, db)
	ctx := context.Background()
	admin, keeper := a.Staff[testkit.Admin], a.Staff[testkit.Bookkeeper]
	owner := a.Contacts[testkit.PropertyOwner]
	today := lintel.DateOf(db.Now()).String()
	if err := testkit.SetManagementFee(ctx, db, admin, a.Property, 1000); err != nil {
		t.Fatal(err)
	}
	// The owner of 60% of the property gets 720.00 of 1200.00 (the rest
	// has no owner on record and stays with the company), less 10%.
	if _, err := db.PostCharge(ctx, keeper, lintel.NewCharge{LeaseID: a.Lease, Category: lintel.ChargeRent, Description: "Rent",
		Amount: 120000, Due: lintel.DateOf(db.Now()), IdempotencyKey: "rent"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PostPayment(ctx, keeper, lintel.NewPayment{LeaseID: a.Lease, Amount: 120000, Received: lintel.DateOf(db.Now()),
		Method: lintel.PayBankTransfer, IdempotencyKey: "pay"}); err != nil {
		t.Fatal(err)
	}

	c := app.client(t)
	c.loginAs(a.Emails[testkit.Bookkeeper], testkit.Password)
	page := fmt.Sprintf("/manage/owners/%d/ledger", owner)
	c.get(fmt.Sprintf("/manage/contacts/%d", owner)).want(t, 200).wantBody(t, `href="`+page+`"`)
	r := c.get(page).want(t, 200)
	r.wantBody(t, "Owner account: Property Owner Harbour", "Harbour House", "60%", "10% of rent",
		"Rent collected", "$720.00", "Management fee", "$72.00", `id="owner-balance"><strong>$648.00</strong>`)
	keys := formKeys(t, r)
	base := fmt.Sprintf("/manage/owners/%d/", owner)
	asset := fmt.Sprintf("%d:0", a.Property)

	contrib := url.Values{"idempotency_key": {keys[base+"contributions"]}, "contrib_asset": {asset}, "contrib_amount": {"100.00"},
		"contrib_date": {today}, "contrib_method": {"check"}, "contrib_reference": {"Check 7"}}
	c.postForm(base+"contributions", contrib).wantRedirect(t, page)
	c.postForm(base+"contributions", contrib).wantRedirect(t, page) // a double click
	if n, bal := ownerEntries(t, db, keeper, owner, "contribution"); n != 1 || bal != 74800 {
		t.Errorf("contributions = %d, balance %d; want 1, 74800", n, bal)
	}
	c.get(page).want(t, 200).wantBody(t, "Contribution of $100.00 recorded: receipt no. ", "Owner contribution", "Check 7")

	dist := url.Values{"idempotency_key": {keys[base+"distributions"]}, "dist_asset": {asset}, "dist_amount": {"800.00"}, "dist_date": {today}}
	c.postForm(base+"distributions", dist).want(t, 422).wantBody(t, "That is more than the $748.00 held", `value="800.00"`, `<details id="distribution" open>`)
	if n, _ := ownerEntries(t, db, keeper, owner, "distribution"); n != 0 {
		t.Fatalf("a refused distribution was recorded")
	}
	dist.Set("dist_allow_negative", "on")
	c.postForm(base+"distributions", dist).wantRedirect(t, page)
	c.get(page).want(t, 200).wantBody(t, "Distribution of $800.00 recorded.", `id="owner-balance"><strong>-$52.00</strong>`, "the owner owes the company $52.00")

	// A completed request with an invoice: the form fills in the owner's
	// 60% share of it.
	hash := auth.HashToken(a.VisitToken)
	if err := db.ContractorSaveInvoice(ctx, hash, "127.0.0.1", sqldb.Invoice{Number: "INV-9", Date: lintel.DateOf(db.Now()), AmountMinor: 12000},
		&sqldb.NewFile{Key: "2026/01/owner-ledger", Name: "INV-9.pdf", ContentType: "application/pdf", Size: 15, SHA256: strings.Repeat("0", 64)}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ContractorComplete(ctx, hash, "127.0.0.1", func(sqldb.OutcomeNotice) ([]lintel.Email, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	r = c.get(fmt.Sprintf("%s?request=%d", page, a.Request)).want(t, 200)
	r.wantBody(t, `<details id="expense" open>`, "invoice total $120.00; this owner's 60% share is $72.00", `value="72.00"`, `value="Maintenance: Kitchen tap drips"`)
	expense := url.Values{"idempotency_key": {formKeys(t, r)[base+"expenses"]}, "exp_request": {fmt.Sprint(a.Request)}, "exp_asset": {asset},
		"exp_description": {"Maintenance: Kitchen tap drips"}, "exp_amount": {"72.00"}, "exp_date": {today}, "exp_reference": {"INV-9"}}
	// Another company's request is refused, with the form kept.
	bad := url.Values{}
	for k, v := range expense {
		bad[k] = v
	}
	bad.Set("exp_request", fmt.Sprint(w.B.Request))
	c.postForm(base+"expenses", bad).want(t, 422).wantBody(t, "Choose a completed request on this owner")
	c.postForm(base+"expenses", expense).wantRedirect(t, page)
	c.get(page).want(t, 200).wantBody(t, "Expense of $72.00 billed to the owner.", "Maintenance expense: Maintenance: Kitchen tap drips",
		fmt.Sprintf(`href="/manage/maintenance/%d">request #%d</a>`, a.Request, a.Request), `id="owner-balance"><strong>-$124.00</strong>`)
	c.get(fmt.Sprintf("%s?request=%d", page, a.Request)).want(t, 200).wantBody(t, "$72.00 was already billed to this owner for it.")

	// The maintenance coordinator reads but records nothing.
	m := app.client(t)
	m.loginAs(a.Emails[testkit.Maintenance], testkit.Password)
	if body := m.get(page).want(t, 200).Body; strings.Contains(body, `action="`+base+`contributions"`) {
		t.Error("the maintenance coordinator is offered the forms")
	}
	contrib.Set("idempotency_key", "another-key")
	m.postForm(base+"contributions", contrib).want(t, 403)

	// Company B's admin finds nothing.
	b := app.client(t)
	b.loginAs(w.B.Emails[testkit.Admin], testkit.Password)
	b.get(page).want(t, 404)
	b.postForm(base+"contributions", contrib).want(t, 404)
}

// TestOwnerLedgerEmpty: an owner with nothing recorded yet sees what to
// do next, and no forms.
func TestOwnerLedgerEmpty(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	id, err := db.CreateContact(context.Background(), w.A.Staff[testkit.Admin], lintel.Contact{Name: "New Owner", IsOwner: true})
	if err != nil {
		t.Fatal(err)
	}
	c := app.client(t)
	c.loginAs(w.A.Emails[testkit.Admin], testkit.Password)
	r := c.get(fmt.Sprintf("/manage/owners/%d/ledger", id)).want(t, 200)
	r.wantBody(t, "New Owner is not recorded as owning anything yet", "Nothing has moved on this owner")
	if strings.Contains(r.Body, "Record a contribution") {
		t.Error("forms offered with no asset to record on")
	}
}
