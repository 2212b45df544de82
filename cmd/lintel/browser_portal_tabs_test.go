package main

// The portal's tabs in headless Chromium, against the real binary's code
// path: a tenant on a narrow phone reads their lease; an owner on a
// desktop reads their unit; a person linked to two companies switches
// between them and the lists follow.

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

func TestBrowserPortalTabs(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	db, err := sqldb.Open(ctx, "", data, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := testkit.NewWorld(t, db)
	admin := w.A.Staff[testkit.Admin]
	co, err := db.Company(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	co.Email, co.Phone = "desk@harbour.test", "555 0199"
	if err := db.UpdateCompany(ctx, admin, co); err != nil {
		t.Fatal(err)
	}
	// A's tenant also rents B's other unit, under the same e-mail: linked
	// to both companies.
	bAdmin := w.B.Staff[testkit.Admin]
	inB, err := db.CreateContact(ctx, bAdmin, lintel.Contact{Name: "Tenant Harbour", IsTenant: true,
		Emails: []lintel.ContactEmail{{Email: w.A.Emails[testkit.Tenant]}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.AddLeaseTenant(ctx, bAdmin, w.B.OtherLease, inB); err != nil {
		t.Fatal(err)
	}
	db.Close()

	port := freePort(t)
	base := fmt.Sprintf("http://localhost:%d", port)
	startServe(t, []string{"--data", data, "--addr", "127.0.0.1:" + strconv.Itoa(port), "--base-url", base}, nil)

	signIn := func(p *page, email string) {
		t.Helper()
		p.do("sign in as "+email, chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("#f-email")),
			fill("f-email", email), fill("f-password", testkit.Password),
			testkit.ClickAndLoad(chromedp.CSS("main form button")), chromedp.WaitVisible(chromedp.CSS(`nav a[href="/portal/maintenance"]`)))
	}

	t.Run("co-tenant on a narrow phone reads the lease", func(t *testing.T) {
		p := &page{t, testkit.Browser(t, testkit.Phone)}
		p.do("narrow the phone", chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(3), chromedp.EmulateMobile, chromedp.EmulateTouch))
		signIn(p, w.A.Emails[testkit.Cotenant])
		p.do("open Lease", testkit.ClickAndLoad(chromedp.CSS(`nav a[href="/portal/lease"]`)), chromedp.WaitVisible(chromedp.CSS("dl.lease-facts")))
		p.see("Harbour House · Apt 1", "$1,200.00", "Day 1 of each month", "Tenant Harbour", "Harbour Lettings", "desk@harbour.test", "555 0199",
			"Kitchen tap drips")
		// Every tab fits: nothing runs off the side of a 360 px screen.
		if wide, _ := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); wide {
			t.Error("the page is wider than a 360 px phone")
		}
		p.do("open the profile menu", chromedp.Click(chromedp.CSS(`nav details.menu summary`)),
			chromedp.WaitVisible(chromedp.CSS(`nav .menu-body a[href="/portal/profile"]`)),
			chromedp.WaitVisible(chromedp.CSS(`nav .menu-body form[action="/logout/everywhere"] button`)))
		if n, _ := chromedp.Run(p.ctx, chromedp.Evaluate[int](`document.querySelectorAll('nav a[href="/portal/assets"], nav form[action="/portal/company"]').length`)); n != 0 {
			t.Error("a tenant of one company sees Assets or a company switch")
		}
	})

	t.Run("owner on a desktop reads their unit", func(t *testing.T) {
		p := &page{t, testkit.Browser(t)}
		signIn(p, w.A.Emails[testkit.UnitOwner])
		p.do("open Assets", testkit.ClickAndLoad(chromedp.CSS(`nav a[href="/portal/assets"]`)), chromedp.WaitVisible(chromedp.CSS(".asset")))
		p.see("Harbour House · Apt 2", "100% of this unit", "Vacant")
		p.do("open the unit", testkit.ClickAndLoad(chromedp.CSS(fmt.Sprintf(`main a[href="/portal/assets/unit/%d"]`, w.A.OwnedUnit))),
			chromedp.WaitVisible(chromedp.CSS("table.asset-requests")))
		p.see("100% of this unit", "Apt 2", "Open maintenance requests", "Bathroom fan is noisy", "Documents on this asset")
		if body := p.text("main"); strings.Contains(body, "Apt 1") || strings.Contains(body, "Tenant Harbour") {
			t.Errorf("a unit owner sees another unit or a tenant:\n%s", body)
		}
		p.do("open the request", testkit.ClickAndLoad(chromedp.CSS(fmt.Sprintf(`main a[href="/portal/maintenance/%d"]`, w.A.OwnerRequest))),
			chromedp.WaitVisible(chromedp.CSS("main h1")))
		p.see("Bathroom fan is noisy")
	})

	t.Run("a person with two companies switches", func(t *testing.T) {
		p := &page{t, testkit.Browser(t)}
		signIn(p, w.A.Emails[testkit.Tenant])
		p.do("open Lease", testkit.ClickAndLoad(chromedp.CSS(`nav a[href="/portal/lease"]`)), chromedp.WaitVisible(chromedp.CSS("table.leases")))
		p.see("Harbour House · Apt 1", "Ridge Court · Unit A")
		p.do("switch to Ridge Lettings", chromedp.Click(chromedp.CSS(`nav details.menu summary`)),
			chromedp.WaitVisible(chromedp.CSS("#portal-company")), chromedp.SetValue(chromedp.CSS("#portal-company"), strconv.FormatInt(w.B.ID, 10)),
			testkit.ClickAndLoad(chromedp.CSS(`form.company-switch button`)), chromedp.WaitVisible(chromedp.CSS("dl.lease-facts")))
		p.see("Ridge Court · Unit A", "Ridge Lettings", "$1,000.00")
		if body := p.text("main"); strings.Contains(body, "Harbour House") {
			t.Errorf("Harbour's lease shows after switching to Ridge:\n%s", body)
		}
		p.do("open Maintenance", testkit.ClickAndLoad(chromedp.CSS(`nav a[href="/portal/maintenance"]`)), chromedp.WaitVisible(chromedp.CSS("table.requests")))
		p.see("Shower drain is slow")
		if body := p.text("main"); strings.Contains(body, "Kitchen tap drips") {
			t.Errorf("Harbour's request shows after switching to Ridge:\n%s", body)
		}
		p.do("back to all companies", chromedp.Click(chromedp.CSS(`nav details.menu summary`)),
			chromedp.WaitVisible(chromedp.CSS("#portal-company")), chromedp.SetValue(chromedp.CSS("#portal-company"), "0"),
			testkit.ClickAndLoad(chromedp.CSS(`form.company-switch button`)), chromedp.WaitVisible(chromedp.CSS("table.requests")))
		p.see("Shower drain is slow", "Kitchen tap drips")
	})
}
