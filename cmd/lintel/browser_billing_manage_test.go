package main

// The manager's half of billing in headless Chromium, against the real
// binary's code path: a manager opens a lease's ledger from the lease
// page, posts next month's rent (the form comes filled from the lease;
// this month's was posted by the monthly run),
// sees the balance and the receivables change, records the tenants'
// payment and sees the charge paid, with its receipt number. The tenant's
// half (their balance and the receipt PDF) is in the portal's billing test.

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lintel.dev/lintel/internal/billing"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

func TestBrowserManagerPostsRentAndPayment(t *testing.T) {
	data := t.TempDir()
	ctx := context.Background()
	db, err := sqldb.Open(ctx, "", data, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := testkit.NewWorld(t, db)
	// This month's rent as the monthly run posts it, before the server
	// starts (its own first run then has nothing to do): the manager posts
	// next month's by hand.
	if _, err := (&billing.Worker{DB: db}).RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	db.Close()
	a := w.A

	port := freePort(t)
	base := fmt.Sprintf("http://localhost:%d", port)
	startServe(t, []string{"--data", data, "--addr", "127.0.0.1:" + strconv.Itoa(port), "--base-url", base}, nil)
	ledger := fmt.Sprintf("/manage/leases/%d/ledger", a.Lease)
	today := lintel.DateOf(time.Now())
	next := today.Time().AddDate(0, 0, 1-today.Day).AddDate(0, 1, 0)

	m := &page{t, testkit.Browser(t)}
	m.do("sign in", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("#f-email")),
		fill("f-email", a.Emails[testkit.Admin]), fill("f-password", testkit.Password),
		testkit.ClickAndLoad(chromedp.CSS("main form button")), chromedp.WaitVisible(chromedp.CSS(`nav a[href="/manage/billing"]`)))
	m.do("open the lease", chromedp.Navigate(fmt.Sprintf("%s/manage/leases/%d", base, a.Lease)), chromedp.WaitVisible(chromedp.CSS("#h-billing")))
	m.do("open its ledger", testkit.ClickAndLoad(chromedp.CSS(`a[href="`+ledger+`"]`)), chromedp.WaitVisible(chromedp.CSS("#ledger-balance")))
	m.see("Rent for " + today.Time().Format("January 2006"))
	if got := m.text("#ledger-balance"); got != "$1,200.00" {
		t.Fatalf("balance with this month's rent: %q, want $1,200.00", got)
	}

	m.do("post this month's rent", chromedp.Click(chromedp.CSS("#charge > summary")), chromedp.WaitVisible(chromedp.CSS("#f-charge_amount")))
	if v, _ := chromedp.Run(m.ctx, chromedp.Value(chromedp.CSS("#f-charge_amount"))); v != "1200.00" {
		t.Fatalf("the charge form offers %q, want the lease's rent 1200.00", v)
	}
	m.do("send the charge", testkit.ClickAndLoad(chromedp.CSS("#charge form button")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	m.see("Charge posted: Rent for "+next.Format("January 2006"), "$1,200.00 open")
	if got := m.text("#ledger-balance"); got != "$2,400.00" {
		t.Fatalf("balance after next month's rent: %q, want $2,400.00", got)
	}

	m.do("open Billing", testkit.ClickAndLoad(chromedp.CSS(`nav a[href="/manage/billing"]`)), chromedp.WaitVisible(chromedp.CSS("table.aging")))
	m.see("Apt 1", "$2,400.00")
	m.do("back to the ledger", testkit.ClickAndLoad(chromedp.CSS(`table.aging a[href="`+ledger+`"]`)), chromedp.WaitVisible(chromedp.CSS("#ledger-balance")))

	m.do("record the payment", chromedp.Click(chromedp.CSS("#payment > summary")), chromedp.WaitVisible(chromedp.CSS("#f-pay_amount")),
		fill("f-pay_amount", "2400"), chromedp.SetValue(chromedp.CSS("#f-pay_method"), "check"), fill("f-pay_reference", "Check 1042"),
		testkit.ClickAndLoad(chromedp.CSS("#payment form button")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	m.see("Payment recorded: $2,400.00", "receipt no. 1", "ref. Check 1042", "Paid")
	if got := m.text("#ledger-balance"); got != "$0.00" {
		t.Fatalf("balance after the payment: %q, want $0.00", got)
	}
	if lines := m.text("table.ledger-lines"); !strings.Contains(lines, "$1,200.00 on ") || !strings.Contains(lines, "receipt no. 1") {
		t.Errorf("the rent charge does not say what paid it:\n%s", lines)
	}
	testkit.Axe(t, m.ctx)
}
