package main

// The portal's Billing tab in headless Chromium, against the real
// binary's code path: rent is posted, the tenant sees what they owe; a
// payment is recorded, the balance changes and the tenant downloads the
// numbered receipt (checked as a PDF with its amount and number); the
// property's owner sees the rent as income.

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/receipt"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

func TestBrowserBillingPortal(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	db, err := sqldb.Open(ctx, "", data, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w := testkit.NewWorld(t, db)
	a := w.A
	admin := a.Staff[testkit.Admin]
	today := lintel.DateOf(db.Now())
	// This month's rent, with its period: the server's recurring-rent job
	// then finds the month charged.
	if _, err := db.PostCharge(ctx, admin, lintel.NewCharge{LeaseID: a.Lease, Category: lintel.ChargeRent, Description: "Rent for this month",
		Amount: 120000, Due: today, Period: today.String()[:7], IdempotencyKey: "browser:rent"}); err != nil {
		t.Fatal(err)
	}

	port := freePort(t)
	base := fmt.Sprintf("http://localhost:%d", port)
	startServe(t, []string{"--data", data, "--addr", "127.0.0.1:" + strconv.Itoa(port), "--base-url", base}, nil)

	signIn := func(p *page, email string) {
		t.Helper()
		p.do("sign in as "+email, chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("#f-email")),
			fill("f-email", email), fill("f-password", testkit.Password),
			testkit.ClickAndLoad(chromedp.CSS("main form button")), chromedp.WaitVisible(chromedp.CSS(`nav a[href="/portal/billing"]`)))
	}

	t.Run("the tenant sees the balance change and downloads the receipt", func(t *testing.T) {
		p := &page{t, testkit.Browser(t, testkit.Phone)}
		signIn(p, a.Emails[testkit.Tenant])
		p.do("open Billing", testkit.ClickAndLoad(chromedp.CSS(`nav a[href="/portal/billing"]`)), chromedp.WaitVisible(chromedp.CSS(".billing-balance")))
		if got := p.text(".billing-lease .billing-balance"); got != "$1,200.00" {
			t.Errorf("balance before the payment: %q", got)
		}
		p.see("Rent for this month", "Not paid yet")

		// The manager records the payment (the manager's own pages are
		// tested with the ledger); the tenant reloads.
		pay, err := db.PostPayment(ctx, admin, lintel.NewPayment{LeaseID: a.Lease, Amount: 120000, Received: today, Method: lintel.PayBankTransfer,
			Reference: "March rent", IdempotencyKey: "browser:pay"})
		if err != nil {
			t.Fatal(err)
		}
		rc, err := db.ResidentReceipt(ctx, lintel.Resident{UserID: a.Users[testkit.Tenant]}, pay)
		if err != nil {
			t.Fatal(err)
		}
		number := receipt.Number(rc.Number)
		p.do("reload Billing", testkit.ClickAndLoad(chromedp.CSS(`nav a[href="/portal/billing"]`)), chromedp.WaitVisible(chromedp.CSS(".billing-balance")))
		if got := p.text(".billing-lease .billing-balance"); got != "$0.00" {
			t.Errorf("balance after the payment: %q", got)
		}
		p.see("Payment received, thank you", "Receipt "+number, "Paid")
		if wide, _ := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`)); wide {
			t.Error("Billing scrolls sideways on a phone")
		}
		testkit.Axe(t, p.ctx)

		// Download the receipt as the browser would, with the session's
		// cookie, and read it: a PDF with the number and the amount.
		href := fmt.Sprintf("/portal/billing/receipts/%d.pdf", pay)
		got, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](fmt.Sprintf(`fetch(%q).then(async (r) => r.status + "|" + r.headers.get("content-type") + "|" +
			new TextDecoder("latin1").decode(await r.arrayBuffer()))`, href), chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		parts := strings.SplitN(got, "|", 3)
		if len(parts) != 3 || parts[0] != "200" || parts[1] != "application/pdf" || !strings.HasPrefix(parts[2], "%PDF-") {
			t.Fatalf("receipt download: %.120q", got)
		}
		for _, want := range []string{"(Receipt " + number + ")", "($1,200.00)", "(Harbour Lettings)", "(March rent)"} {
			if !strings.Contains(parts[2], want) {
				t.Errorf("the receipt PDF lacks %s", want)
			}
		}

		// The account's own page lists it with its receipt link.
		p.do("open the account", testkit.ClickAndLoad(chromedp.CSS(fmt.Sprintf(`main a[href="/portal/billing/leases/%d"]`, a.Lease))),
			chromedp.WaitVisible(chromedp.CSS("table.billing-lines")))
		p.see("Upcoming charges", "Next rent", "Receipt "+number)
		if n, _ := chromedp.Run(p.ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll('main a[href=%q]').length`, href))); n != 1 {
			t.Errorf("%d receipt links on the account page", n)
		}
		testkit.Axe(t, p.ctx)
	})

	t.Run("the owner sees the income", func(t *testing.T) {
		p := &page{t, testkit.Browser(t)}
		signIn(p, a.Emails[testkit.PropertyOwner])
		p.do("open Billing", testkit.ClickAndLoad(chromedp.CSS(`nav a[href="/portal/billing"]`)), chromedp.WaitVisible(chromedp.CSS("table.billing-chart")))
		// 60% of the 1,200 paid; the fixture's property takes no fee.
		if got := p.text(".owner-balance"); got != "$720.00" {
			t.Errorf("owner balance %q", got)
		}
		month := p.text("table.billing-chart tbody tr:last-child")
		if !strings.Contains(month, "$720.00") {
			t.Errorf("this month's income: %q", month)
		}
		p.see("Rent collected", "Download statement (PDF)")
		testkit.Axe(t, p.ctx)
	})
}
