package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

var (
	// ledgerList: posting to the ledger, no id: admin, manager and
	// bookkeeper; the maintenance coordinator only looks.
	ledgerList profile = func(a actor, other bool) outcome {
		if o := staffList(a, other); o != allow {
			return o
		}
		if a.persona == testkit.Maintenance {
			return forbidden
		}
		return allow
	}
	// ledgerObject: posting to one of company A's leases or transactions.
	ledgerObject profile = func(a actor, other bool) outcome {
		if o := ledgerList(a, other); o != allow {
			return o
		}
		if other {
			return notFound
		}
		return allow
	}
)

// matrixLedger is the fixture the ledger rows act on: a rent charge on
// company A's lease.
var matrixLedger struct{ chargeA int64 }

func init() {
	addMatrixRows(map[string]matrixRow{
		"GET /manage/leases/{id}/ledger":     {withID("/manage/leases/%d/ledger", leaseA), nil, staffObject},
		"POST /manage/leases/{id}/charges":   {withID("/manage/leases/%d/charges", leaseA), nil, ledgerObject},
		"POST /manage/leases/{id}/payments":  {withID("/manage/leases/%d/payments", leaseA), nil, ledgerObject},
		"POST /manage/leases/{id}/credits":   {withID("/manage/leases/%d/credits", leaseA), nil, ledgerObject},
		"POST /manage/ledger/{txid}/reverse": {withID("/manage/ledger/%d/reverse", func(*testkit.World) int64 { return matrixLedger.chargeA }), nil, ledgerObject},
	})
	matrixFixtures = append(matrixFixtures, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		id, err := db.PostCharge(context.Background(), w.A.Staff[testkit.Admin], lintel.NewCharge{LeaseID: w.A.Lease, Category: lintel.ChargeRent,
			Description: "Rent (matrix)", Amount: 120000, Due: lintel.DateOf(db.Now()), IdempotencyKey: "matrix:ledger:rent"})
		if err != nil {
			t.Fatal(err)
		}
		matrixLedger.chargeA = id
	})
}

var (
	formActionRE = regexp.MustCompile(`^[^>]*action="([^"]+)"`)
	formKeyRE    = regexp.MustCompile(`name="idempotency_key" value="([^"]+)"`)
)

// formKeys returns the idempotency key of each form on a page, by the
// form's action.
func formKeys(t *testing.T, r *resp) map[string]string {
	t.Helper()
	keys := map[string]string{}
	for _, part := range strings.Split(r.Body, "<form ")[1:] {
		part, _, _ = strings.Cut(part, "</form>")
		action, key := formActionRE.FindStringSubmatch(part), formKeyRE.FindStringSubmatch(part)
		if action != nil && key != nil {
			keys[action[1]] = key[1]
		}
	}
	if len(keys) == 0 {
		t.Fatalf("%s: no form carries an idempotency key\n%s", r.Path, excerpt(r.Body))
	}
	return keys
}

// ledgerLines reads a lease's lines from the store.
func ledgerLines(t *testing.T, db *sqldb.DB, s lintel.Staff, lease int64) sqldb.LeaseAccount {
	t.Helper()
	acct, err := db.LeaseLedger(context.Background(), s, lease, "", 500)
	if err != nil {
		t.Fatal(err)
	}
	return acct
}

// balanceOn reads the balance the ledger page shows.
func balanceOn(t *testing.T, r *resp) string {
	t.Helper()
	m := regexp.MustCompile(`id="ledger-balance"><strong>([^<]+)</strong>`).FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("%s: no balance on the page\n%s", r.Path, excerpt(r.Body))
	}
	return m[1]
}

// TestLedgerPostsOnce is the bookkeeper's round: post rent (twice, as a
// double click would: one line), record a part payment applied to it,
// reverse the payment, and see the balance follow on the page.
func TestLedgerPostsOnce(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	a := w.A
	app := newTestApp(t, db)
	c := app.client(t)
	c.loginAs(a.Emails[testkit.Bookkeeper], testkit.Password)
	page := fmt.Sprintf("/manage/leases/%d/ledger", a.Lease)
	today := lintel.DateOf(db.Now())

	r := c.get(page).want(t, http.StatusOK).wantBody(t, "Nothing posted to this lease yet", "Post a charge", "Record a payment", "Add a credit", "$0.00")
	keys := formKeys(t, r)
	charge := url.Values{"idempotency_key": {keys[fmt.Sprintf("/manage/leases/%d/charges", a.Lease)]}, "charge_category": {"rent"},
		"charge_description": {"Rent for March"}, "charge_amount": {"1,200.00"}, "charge_due": {today.AddDays(-3).String()}}
	if charge.Get("idempotency_key") == "" {
		t.Fatalf("the charge form has no key: %v", keys)
	}
	c.postForm(fmt.Sprintf("/manage/leases/%d/charges", a.Lease), charge).wantRedirect(t, page)
	c.postForm(fmt.Sprintf("/manage/leases/%d/charges", a.Lease), charge).wantRedirect(t, page)
	acct := ledgerLines(t, db, a.Staff[testkit.Admin], a.Lease)
	if len(acct.Lines) != 1 || acct.Balance != 120000 {
		t.Fatalf("after the same charge form twice: %d lines, balance %d; want 1 line of 120000", len(acct.Lines), acct.Balance)
	}
	r = c.get(page).want(t, http.StatusOK).wantBody(t, "Charge posted: Rent for March, $1,200.00", "Rent for March", "$1,200.00 open")
	if got := balanceOn(t, r); got != "$1,200.00" {
		t.Errorf("balance shown = %q, want $1,200.00", got)
	}

	// A fresh page has fresh keys: a second, deliberate charge posts.
	keys = formKeys(t, r)
	pay := url.Values{"idempotency_key": {keys[fmt.Sprintf("/manage/leases/%d/payments", a.Lease)]}, "pay_amount": {"500"},
		"pay_received": {today.String()}, "pay_method": {"check"}, "pay_reference": {"Check 1042"}}
	c.postForm(fmt.Sprintf("/manage/leases/%d/payments", a.Lease), pay).wantRedirect(t, page)
	c.postForm(fmt.Sprintf("/manage/leases/%d/payments", a.Lease), pay).wantRedirect(t, page)
	r = c.get(page).want(t, http.StatusOK).wantBody(t, "Payment recorded: $500.00", "ref. Check 1042", "receipt no. 1", "$700.00 open",
		"$500.00 on "+today.Long()+", receipt no. 1")
	if got := balanceOn(t, r); got != "$700.00" {
		t.Errorf("balance after paying 500 = %q, want $700.00", got)
	}
	acct = ledgerLines(t, db, a.Staff[testkit.Admin], a.Lease)
	if len(acct.Lines) != 2 {
		t.Fatalf("after the same payment form twice: %d lines, want 2", len(acct.Lines))
	}
	payment := acct.Lines[0]
	if payment.Kind != "payment" {
		t.Fatalf("newest line is %+v, want the payment", payment)
	}

	// Reversing needs a reason; then the payment stops counting.
	reverse := fmt.Sprintf("/manage/ledger/%d/reverse", payment.ID)
	key := formKeys(t, r)[reverse]
	if key == "" {
		t.Fatalf("no reversal form for the payment\n%s", excerpt(r.Body))
	}
	c.postForm(reverse, url.Values{"idempotency_key": {key}}).want(t, http.StatusUnprocessableEntity).wantBody(t, "Say why this line is reversed")
	c.postForm(reverse, url.Values{"idempotency_key": {key}, "reason": {"Check bounced"}}).wantRedirect(t, page)
	r = c.get(page).want(t, http.StatusOK).wantBody(t, "Line reversed", "Reversed", "Check bounced", "$1,200.00 open")
	if got := balanceOn(t, r); got != "$1,200.00" {
		t.Errorf("balance after reversing the payment = %q, want $1,200.00", got)
	}
	// Reversing it again (another key) is refused and says why.
	c.postForm(reverse, url.Values{"idempotency_key": {"another"}, "reason": {"Again"}}).want(t, http.StatusConflict).wantBody(t, "already reversed")
}

// TestLedgerRefusals keeps what was typed next to the message, and lets
// a maintenance coordinator read the ledger but not post to it.
func TestLedgerRefusals(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	a := w.A
	app := newTestApp(t, db)
	c := app.client(t)
	c.loginAs(a.Emails[testkit.Admin], testkit.Password)
	charges := fmt.Sprintf("/manage/leases/%d/charges", a.Lease)
	for _, tc := range []struct {
		name  string
		form  url.Values
		field string
		msg   string
	}{
		{"bad amount", url.Values{"charge_category": {"rent"}, "charge_description": {"Rent"}, "charge_amount": {"12.345"}, "charge_due": {"2026-03-01"}},
			"charge_amount", "use at most 2 decimal places"},
		{"no description", url.Values{"charge_category": {"fee"}, "charge_amount": {"10"}, "charge_due": {"2026-03-01"}},
			"charge_description", "Describe the line"},
		{"no due date", url.Values{"charge_category": {"fee"}, "charge_description": {"Key"}, "charge_amount": {"10"}},
			"charge_due", "Enter the due date"},
		{"unknown category", url.Values{"charge_category": {"bribe"}, "charge_description": {"Key"}, "charge_amount": {"10"}, "charge_due": {"2026-03-01"}},
			"charge_category", "Choose what the charge is for"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.form.Set("idempotency_key", "k-"+tc.name)
			r := c.postForm(charges, tc.form).want(t, http.StatusUnprocessableEntity).wantBody(t, tc.msg, `id="e-`+tc.field+`"`, `<details id="charge" open>`)
			if v := tc.form.Get("charge_description"); v != "" && !strings.Contains(r.Body, `value="`+v+`"`) {
				t.Errorf("the description typed is not kept")
			}
		})
	}
	payments := fmt.Sprintf("/manage/leases/%d/payments", a.Lease)
	c.postForm(payments, url.Values{"idempotency_key": {"p1"}, "pay_amount": {"10"}, "pay_received": {lintel.DateOf(db.Now()).AddDays(2).String()}, "pay_method": {"cash"}}).
		want(t, http.StatusUnprocessableEntity).wantBody(t, "cannot be in the future")
	c.postForm(payments, url.Values{"pay_amount": {"10"}, "pay_received": {"2026-01-01"}, "pay_method": {"cash"}}).
		want(t, http.StatusUnprocessableEntity).wantBody(t, "This form has expired")
	c.postForm(fmt.Sprintf("/manage/leases/%d/credits", a.Lease), url.Values{"idempotency_key": {"c1"}, "credit_category": {"deposit"},
		"credit_description": {"x"}, "credit_amount": {"1"}, "credit_date": {"2026-01-01"}}).
		want(t, http.StatusUnprocessableEntity).wantBody(t, `id="e-credit_category"`)
	if acct := ledgerLines(t, db, a.Staff[testkit.Admin], a.Lease); len(acct.Lines) != 0 {
		t.Errorf("refused forms posted %d lines", len(acct.Lines))
	}

	m := app.client(t)
	m.loginAs(a.Emails[testkit.Maintenance], testkit.Password)
	r := m.get(fmt.Sprintf("/manage/leases/%d/ledger", a.Lease)).want(t, http.StatusOK)
	if strings.Contains(r.Body, "Post a charge") || strings.Contains(r.Body, "idempotency_key") {
		t.Error("a maintenance coordinator is offered the posting forms")
	}
	m.postForm(charges, url.Values{"idempotency_key": {"m1"}, "charge_category": {"fee"}, "charge_description": {"Key"}, "charge_amount": {"10"},
		"charge_due": {"2026-03-01"}}).want(t, http.StatusForbidden)
	// The lease page links to its ledger.
	c.get(fmt.Sprintf("/manage/leases/%d", a.Lease)).want(t, http.StatusOK).wantBody(t, fmt.Sprintf(`href="/manage/leases/%d/ledger"`, a.Lease))
}

// TestLedgerBillsMaintenance bills a completed request's invoice: the
// "Bill this" link fills the charge form, an empty amount takes the
// invoice total, and a request of another unit is refused.
func TestLedgerBillsMaintenance(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	a := w.A
	ctx := context.Background()
	hash := auth.HashToken(a.VisitToken)
	doc := sqldb.NewFile{Key: "test/inv", Name: "INV-9.pdf", ContentType: "application/pdf", Size: 15, SHA256: strings.Repeat("0", 64)}
	if err := db.ContractorSaveInvoice(ctx, hash, "127.0.0.1", sqldb.Invoice{Number: "INV-9", Date: lintel.DateOf(db.Now()), AmountMinor: 24000}, &doc); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ContractorComplete(ctx, hash, "127.0.0.1", func(sqldb.OutcomeNotice) ([]lintel.Email, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	app := newTestApp(t, db)
	c := app.client(t)
	c.loginAs(a.Emails[testkit.Bookkeeper], testkit.Password)
	page := fmt.Sprintf("/manage/leases/%d/ledger", a.Lease)
	c.get(page).want(t, http.StatusOK).wantBody(t, "Completed maintenance with an invoice", "invoice INV-9, $240.00", "Bill this")
	r := c.get(page+"?bill="+strconv.FormatInt(a.Request, 10)).want(t, http.StatusOK).
		wantBody(t, `<details id="charge" open>`, `value="240.00"`, "(invoice INV-9)")
	keys := formKeys(t, r)
	charges := fmt.Sprintf("/manage/leases/%d/charges", a.Lease)
	form := url.Values{"idempotency_key": {keys[charges]}, "charge_category": {"maintenance"}, "charge_description": {"Repair: kitchen tap"},
		"charge_due": {lintel.DateOf(db.Now()).String()}, "charge_request_id": {strconv.FormatInt(a.OtherRequest, 10)}}
	c.postForm(charges, form).want(t, http.StatusUnprocessableEntity).wantBody(t, "Choose a completed request of this unit")
	form.Set("charge_request_id", strconv.FormatInt(a.Request, 10))
	c.postForm(charges, form).wantRedirect(t, page)
	acct := ledgerLines(t, db, a.Staff[testkit.Admin], a.Lease)
	if len(acct.Lines) != 1 || acct.Lines[0].Amount != 24000 || acct.Lines[0].Category != "maintenance" {
		t.Fatalf("billed: %+v", acct.Lines)
	}
	c.get(page).want(t, http.StatusOK).wantBody(t, "Already billed")
}

// TestLedgerPagesBack shows the newest lines first and pages back with
// "Older" until the first line.
func TestLedgerPagesBack(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	a := w.A
	ctx := context.Background()
	start := lintel.DateOf(db.Now()).AddDays(-400)
	for i := range ledgerLinesShown + 5 {
		if _, err := db.PostCharge(ctx, a.Staff[testkit.Admin], lintel.NewCharge{LeaseID: a.Lease, Category: lintel.ChargeFee,
			Description: fmt.Sprintf("Fee %03d", i), Amount: 100, Due: start.AddDays(i), IdempotencyKey: fmt.Sprintf("fee:%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	app := newTestApp(t, db)
	c := app.client(t)
	c.loginAs(a.Emails[testkit.Admin], testkit.Password)
	r := c.get(fmt.Sprintf("/manage/leases/%d/ledger", a.Lease)).want(t, http.StatusOK).wantBody(t, "Fee 054", "Fee 005", "Older →")
	if strings.Contains(linesOf(r), "Fee 004") {
		t.Error("the first page shows an old line")
	}
	older := regexp.MustCompile(`<a href="([^"]+)" rel="next">Older`).FindStringSubmatch(r.Body)
	if older == nil {
		t.Fatal("no Older link")
	}
	r = c.get(strings.ReplaceAll(older[1], "&amp;", "&")).want(t, http.StatusOK).wantBody(t, "Older lines", "Fee 004", "Fee 000", "← Newest lines")
	if strings.Contains(linesOf(r), "Fee 005") || strings.Contains(r.Body, `rel="next"`) {
		t.Error("the last page repeats a line or offers more")
	}
}

// linesOf is the ledger page's table of lines (the forms list open charges
// too).
func linesOf(r *resp) string {
	_, b, _ := strings.Cut(r.Body, `<table class="list ledger-lines">`)
	b, _, _ = strings.Cut(b, "</table>")
	return b
}

// TestLedgerRentMonthOnce: the charge form offers the first month whose
// rent is not posted yet, and a month's rent is posted once, whoever
// posts it.
func TestLedgerRentMonthOnce(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	a := w.A
	app := newTestApp(t, db)
	c := app.client(t)
	c.loginAs(a.Emails[testkit.Admin], testkit.Password)
	page := fmt.Sprintf("/manage/leases/%d/ledger", a.Lease)
	charges := fmt.Sprintf("/manage/leases/%d/charges", a.Lease)
	today := lintel.DateOf(db.Now())
	this := today.Time().Format("2006-01")
	next := today.Time().AddDate(0, 0, 1-today.Day).AddDate(0, 1, 0)

	r := c.get(page).want(t, http.StatusOK).wantBody(t, `value="`+this+`"`, "Rent for "+today.Time().Format("January 2006"))
	form := url.Values{"idempotency_key": {formKeys(t, r)[charges]}, "charge_category": {"rent"}, "charge_description": {"Rent"},
		"charge_amount": {"1200"}, "charge_due": {today.String()}, "charge_period": {this}}
	c.postForm(charges, form).wantRedirect(t, page)
	r = c.get(page).want(t, http.StatusOK).wantBody(t, `value="`+next.Format("2006-01")+`"`, "Rent for "+next.Format("January 2006"))
	form.Set("idempotency_key", formKeys(t, r)[charges])
	c.postForm(charges, form).want(t, http.StatusUnprocessableEntity).wantBody(t, "is already posted on this lease", `id="e-charge_period"`)
	// A fee ignores a month left in the form.
	form.Set("charge_category", "fee")
	c.postForm(charges, form).wantRedirect(t, page)
	if acct := ledgerLines(t, db, a.Staff[testkit.Admin], a.Lease); len(acct.Lines) != 2 {
		t.Errorf("%d lines, want the rent and the fee", len(acct.Lines))
	}
}
