package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// Who may read company A's active lease (its tenants) and A's property as
// an asset (its whole owner); and who may make A the company their portal
// shows (the people linked to A as tenant or owner).
var (
	seesLeaseA profile = func(a actor, other bool) outcome {
		switch {
		case a.company == nil:
			return toLogin
		case !other && (a.persona == testkit.Tenant || a.persona == testkit.Cotenant):
			return allow
		}
		return notFound
	}
	seesPropertyA profile = func(a actor, other bool) outcome {
		switch {
		case a.company == nil:
			return toLogin
		case !other && a.persona == testkit.PropertyOwner:
			return allow
		}
		return notFound
	}
	linkedToA profile = func(a actor, other bool) outcome {
		switch {
		case a.company == nil:
			return toLogin
		case other || isStaff(a.persona):
			return notFound
		}
		return allow
	}
)

func init() {
	addMatrixRows(map[string]matrixRow{
		"POST /portal/company":           {fixed("/portal/company"), url.Values{"company_id": {"{A}"}, "next": {"/portal/lease"}}, linkedToA},
		"GET /portal/billing":            {fixed("/portal/billing"), nil, portal},
		"GET /portal/lease":              {fixed("/portal/lease"), nil, portal},
		"GET /portal/leases/{id}":        {withID("/portal/leases/%d", leaseA), nil, seesLeaseA},
		"GET /portal/assets":             {fixed("/portal/assets"), nil, portal},
		"GET /portal/assets/{kind}/{id}": {withID("/portal/assets/property/%d", propertyA), nil, seesPropertyA},
	})
}

// setCompanyContact gives company c the contact details its tenants and
// owners see on their lease and asset pages.
func setCompanyContact(t *testing.T, db *sqldb.DB, c *testkit.Company) {
	t.Helper()
	ctx := context.Background()
	co, err := db.Company(ctx, c.Staff[testkit.Admin])
	if err != nil {
		t.Fatal(err)
	}
	co.Email, co.Phone, co.Address = "desk@"+strings.ToLower(strings.Fields(c.Name)[0])+".test", "+1 555 0199", "9 Quay Street"
	if err := db.UpdateCompany(ctx, c.Staff[testkit.Admin], co); err != nil {
		t.Fatal(err)
	}
}

func TestPortalLeaseTab(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		app := newTestApp(t, db)
		a, b := w.A, w.B
		setCompanyContact(t, db, a)
		every := []int64{a.Lease, a.EndedLease, a.OtherLease, b.Lease, b.EndedLease, b.OtherLease}
		for _, tc := range []struct {
			c       *testkit.Company
			p       testkit.Persona
			reads   int64    // the lease /portal/lease shows; 0: the empty state
			sees    []string // on /portal/lease
			notSees []string
		}{
			{a, testkit.Tenant, a.Lease,
				[]string{"Harbour House · Apt 1", "1 Harbour Road", "$1,200.00", "Day 1 of each month", "Month-to-month", "Cotenant Harbour",
					"Harbour Lettings", "desk@harbour.test", "555 0199", "9 Quay Street", "Kitchen tap drips", "Documents on this lease"},
				[]string{"cotenant@harbour.test", "Former Tenant", "Other Tenant", "Ridge"}},
			{a, testkit.Cotenant, a.Lease, []string{"Tenant Harbour", "$1,200.00"}, []string{"tenant@harbour.test"}},
			// A former tenant keeps reading their ended lease.
			{a, testkit.FormerTenant, a.EndedLease,
				[]string{"This lease ended on", "$900.00", "You are the only tenant on this lease.", "No maintenance requests on this lease."},
				[]string{"Tenant Harbour", "Report a problem"}},
			{a, testkit.OtherTenant, a.OtherLease, []string{"Harbour Court · Unit A", "Day 5 of each month"}, []string{"Tenant Harbour"}},
			{a, testkit.PropertyOwner, 0, []string{"No lease on file"}, nil},
			{b, testkit.Tenant, b.Lease, []string{"Ridge House · Apt 1", "Cotenant Ridge"}, []string{"Harbour"}},
		} {
			t.Run(tc.c.Name+" "+string(tc.p), func(t *testing.T) {
				cl := loginPersona(t, app, tc.c, tc.p)
				page := cl.get("/portal/lease").want(t, 200)
				main := page.mainOf()
				for _, s := range tc.sees {
					if !strings.Contains(main, s) {
						t.Errorf("/portal/lease does not show %q\n%s", s, excerpt(page.Body))
					}
				}
				for _, s := range tc.notSees {
					if strings.Contains(main, s) {
						t.Errorf("/portal/lease shows %q", s)
					}
				}
				for _, id := range every {
					got := cl.get(fmt.Sprintf("/portal/leases/%d", id))
					if want := map[bool]int{true: 200, false: 404}[id == tc.reads]; got.Status != want {
						t.Errorf("lease %d: %d, want %d", id, got.Status, want)
					}
				}
			})
		}
	})
}

func TestPortalAssetsTab(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		app := newTestApp(t, db)
		a, b := w.A, w.B
		setCompanyContact(t, db, a)
		paths := map[string]string{
			"A property": fmt.Sprintf("/portal/assets/property/%d", a.Property),
			"A other":    fmt.Sprintf("/portal/assets/property/%d", a.OtherProperty),
			"A apt 1":    fmt.Sprintf("/portal/assets/unit/%d", a.Unit),
			"A apt 2":    fmt.Sprintf("/portal/assets/unit/%d", a.OwnedUnit),
			"A laundry":  fmt.Sprintf("/portal/assets/unit/%d", a.CommonArea),
			"B property": fmt.Sprintf("/portal/assets/property/%d", b.Property),
			"bad kind":   fmt.Sprintf("/portal/assets/house/%d", a.Property),
		}
		// Nothing personal about a tenant may show on an owner's pages.
		tenantData := []string{"Tenant Harbour", "Cotenant Harbour", "tenant@harbour.test", "cotenant@harbour.test", "Other Tenant", "+1 555 0100", "Former Tenant"}
		for _, tc := range []struct {
			c       *testkit.Company
			p       testkit.Persona
			opens   string   // the one asset page they may open
			list    []string // on /portal/assets
			sees    []string // on the asset's page
			notSees []string
		}{
			{a, testkit.PropertyOwner, "A property", []string{"60% of the whole property", "1 of 2 units occupied", "Harbour House"},
				[]string{"Apt 1", "Apt 2", "Laundry room", "Occupied", "Vacant", "$1,200.00", "Kitchen tap drips", "Bathroom fan is noisy",
					"Dryer in the laundry room", "desk@harbour.test", "Documents on this asset",
					fmt.Sprintf(`href="/portal/maintenance/%d"`, a.Request)},
				tenantData},
			{a, testkit.UnitOwner, "A apt 2", []string{"100% of this unit", "Vacant"},
				[]string{"Harbour House · Apt 2", "Bathroom fan is noisy", "No current lease"},
				append([]string{"Apt 1", "Kitchen tap drips", "Laundry room"}, tenantData...)},
			{a, testkit.OtherOwner, "A other", []string{"Harbour Court", "1 of 1 units occupied"},
				[]string{"Unit A", "$1,000.00", "Shower drain is slow"}, tenantData},
			{a, testkit.Tenant, "", []string{"No assets on file"}, nil, nil},
			{b, testkit.PropertyOwner, "B property", []string{"Ridge House"}, []string{"Ridge House"}, []string{"Harbour"}},
		} {
			t.Run(tc.c.Name+" "+string(tc.p), func(t *testing.T) {
				cl := loginPersona(t, app, tc.c, tc.p)
				list := cl.get("/portal/assets").want(t, 200).wantBody(t, tc.list...)
				if tc.opens != "" && !strings.Contains(list.Body, `href="`+paths[tc.opens]+`"`) {
					t.Errorf("the list does not link %s", paths[tc.opens])
				}
				for name, path := range paths {
					got := cl.get(path)
					if name != tc.opens {
						if got.Status != 404 {
							t.Errorf("%s: %d, want 404", path, got.Status)
						}
						continue
					}
					got.want(t, 200).wantBody(t, tc.sees...)
					for _, s := range tc.notSees {
						if strings.Contains(got.mainOf(), s) {
							t.Errorf("%s shows %q", path, s)
						}
					}
				}
			})
		}
	})
}

// navOf is the portal navigation of a page.
func navOf(body string) string {
	i := strings.Index(body, `<nav class="nav portal-nav"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(body[i:], "</nav>")
	return body[i : i+j]
}

func TestPortalNavigation(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	a := w.A
	has := func(href string) string { return `href="` + href + `"` }
	for _, tc := range []struct {
		p       testkit.Persona
		sees    []string
		notSees []string
	}{
		{testkit.Tenant, []string{has("/portal/maintenance"), has("/portal/lease"), has("/portal/documents"), has("/portal/billing"),
			has("/portal/profile"), has("/portal/settings"), has("/help"), `action="/logout"`, `action="/logout/everywhere"`, ">TH<"},
			[]string{has("/portal/assets"), has("/portal/approvals"), `action="/portal/company"`, has("/manage")}},
		{testkit.FormerTenant, []string{has("/portal/lease")}, []string{has("/portal/assets")}},
		// The fixture's approval waits for the whole property's owner.
		{testkit.PropertyOwner, []string{has("/portal/assets"), has("/portal/approvals"), `<span class="count" aria-hidden="true">1</span>`},
			[]string{has("/portal/lease")}},
		{testkit.UnitOwner, []string{has("/portal/assets")}, []string{has("/portal/lease"), has("/portal/approvals")}},
		{testkit.Admin, []string{has("/manage"), has("/portal/billing")}, []string{has("/portal/lease"), has("/portal/assets")}},
	} {
		t.Run(string(tc.p), func(t *testing.T) {
			cl := loginPersona(t, app, a, tc.p)
			page := cl.get("/portal/billing").want(t, 200).wantBody(t, "<h1>Billing</h1>")
			nav := navOf(page.Body)
			for _, s := range tc.sees {
				if !strings.Contains(nav, s) {
					t.Errorf("the navigation lacks %s\n%s", s, nav)
				}
			}
			for _, s := range tc.notSees {
				if strings.Contains(nav, s) {
					t.Errorf("the navigation has %s", s)
				}
			}
			if !strings.Contains(page.Body, `<a class="brand" href="/portal">`) {
				t.Error("the brand does not lead to the overview")
			}
		})
	}

	// In French, the tabs and the pages are French.
	cl := loginPersona(t, app, a, testkit.Tenant)
	req, _ := http.NewRequest("GET", cl.url("/portal/lease"), nil)
	req.Header.Set("Accept-Language", "fr-CA,fr;q=0.9")
	fr := cl.do(req).want(t, 200)
	for _, s := range []string{">Bail</a>", ">Facturation</a>", "Le 1 de chaque mois", "Colocataires", "Votre gestionnaire"} {
		if !strings.Contains(fr.Body, s) {
			t.Errorf("French page lacks %q", s)
		}
	}
}

func TestPortalCompanySwitchHTTP(t *testing.T) {
	t.Parallel()
	testkit.ForEachWorld(t, func(t *testing.T, db *sqldb.DB, w *testkit.World) {
		ctx := context.Background()
		app := newTestApp(t, db)
		a, b := w.A, w.B
		// A's tenant also rents B's other unit, under the same e-mail.
		inB, err := db.CreateContact(ctx, b.Staff[testkit.Admin], lintel.Contact{Name: "Tenant Harbour", IsTenant: true,
			Emails: []lintel.ContactEmail{{Email: a.Emails[testkit.Tenant]}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.AddLeaseTenant(ctx, b.Staff[testkit.Admin], b.OtherLease, inB); err != nil {
			t.Fatal(err)
		}
		aLease, bLease := fmt.Sprintf(`href="/portal/leases/%d"`, a.Lease), fmt.Sprintf(`href="/portal/leases/%d"`, b.OtherLease)

		cl := loginPersona(t, app, a, testkit.Tenant)
		all := cl.get("/portal/lease").want(t, 200).wantBody(t, aLease, bLease, `action="/portal/company"`, "Harbour Lettings", "Ridge Lettings")
		if strings.Contains(navOf(all.Body), "menu-company") {
			t.Error("the menu names a company while all are shown")
		}

		cl.postForm("/portal/company", url.Values{"company_id": {fmt.Sprint(b.ID)}, "next": {"/portal/lease"}}).wantRedirect(t, "/portal/lease")
		// One current lease left: it shows straight away, and A's is gone
		// everywhere.
		onlyB := cl.get("/portal/lease").want(t, 200).wantBody(t, "Ridge Court · Unit A", "You now see the records of one company")
		if strings.Contains(onlyB.mainOf(), "Harbour House") || !strings.Contains(navOf(onlyB.Body), `<span class="menu-company">Ridge Lettings</span>`) {
			t.Errorf("after switching to B:\n%s", excerpt(onlyB.Body))
		}
		cl.get(fmt.Sprintf("/portal/leases/%d", a.Lease)).want(t, 404)
		if list := cl.get("/portal/maintenance").want(t, 200); strings.Contains(list.Body, requestHref(a.Request)) || !strings.Contains(list.Body, requestHref(b.OtherRequest)) {
			t.Errorf("the maintenance list does not follow the switch")
		}

		// Back to everything; a next outside the portal's tabs is not
		// followed, and a company the person is not linked to is a 404.
		cl.postForm("/portal/company", url.Values{"company_id": {"0"}, "next": {"https://evil.test/"}}).wantRedirect(t, "/portal")
		cl.get("/portal/lease").want(t, 200).wantBody(t, aLease, bLease)
		other := loginPersona(t, app, a, testkit.OtherOwner)
		other.postForm("/portal/company", url.Values{"company_id": {fmt.Sprint(b.ID)}}).want(t, 404)
		if nav := navOf(other.get("/portal/billing").Body); strings.Contains(nav, `action="/portal/company"`) {
			t.Error("a person linked to one company is offered a switch")
		}
	})
}
