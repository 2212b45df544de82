package web

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/testkit"
)

func TestCompanySettings(t *testing.T) {
	t.Parallel()
	db := testkit.SQLite(t)
	app := newTestApp(t, db)
	admin := seedCompany(t, db, "Acme Lettings", "ada@acme.test", testPassword)
	seedStaff(t, db, admin.CompanyID, "max@acme.test", testPassword, lintel.RoleManager)
	seedTenantContact(t, db, admin, "Pat Tenant", "pat@example.test", false)
	seedResident(t, db, "pat@example.test", testPassword)

	c := app.client(t)
	c.loginAs("ada@acme.test", testPassword)
	r := c.get("/manage/settings").want(t, 200)
	r.wantBody(t, `href="/manage/settings" aria-current="page"`, `value="Acme Lettings"`, `value="USD"`, "until the first lease is recorded")
	if !strings.Contains(r.Body, `<textarea id="f-address" name="address"`) {
		t.Errorf("the address is not a textarea:\n%s", excerpt(r.Body))
	}

	// Saved: a 303 back to the page, which shows the new values and says so.
	c.postForm("/manage/settings", url.Values{
		"name": {"Acme Homes"}, "currency": {"eur"}, "email": {"Office@Acme.Example"},
		"phone": {"+44 20 7946 0000"}, "address": {"1 Quay Street\r\nPortside PS1 2AB"},
	}).wantRedirect(t, "/manage/settings")
	r = c.get("/manage/settings").want(t, 200)
	r.wantBody(t, "Company settings saved.", `value="Acme Homes"`, `value="EUR"`, `value="office@acme.example"`,
		`value="&#43;44 20 7946 0000"`, "1 Quay Street\nPortside PS1 2AB", "Company settings changed", "currency USD → EUR")

	// Refused: 422, every message next to its field, what was typed kept.
	r = c.postForm("/manage/settings", url.Values{
		"name": {"  "}, "currency": {"dollars"}, "email": {"office@"}, "phone": {"ring ring"}, "address": {"Typed address"},
	}).want(t, 422)
	r.wantBody(t, "Please correct the 4 highlighted fields", "Enter the company&#39;s name", "three-letter ISO 4217",
		"e-mail address like name@example.com", "Use digits, spaces", `value="dollars"`, `value="office@"`, `value="ring ring"`, "Typed address")
	if got := c.get("/manage/settings").Body; !strings.Contains(got, `value="Acme Homes"`) {
		t.Error("a refused save changed the settings")
	}

	// Residents see the contact details on their portal home.
	p := app.client(t)
	p.loginAs("pat@example.test", testPassword)
	p.get("/portal").want(t, 200).wantBody(t, "Acme Homes", `href="mailto:office@acme.example"`, `href="tel:&#43;44%2020%207946%200000"`,
		`<dd class="lines">1 Quay Street`+"\nPortside PS1 2AB</dd>")

	// A property manager may not change the company's settings, nor see the link.
	m := app.client(t)
	m.loginAs("max@acme.test", testPassword)
	m.get("/manage/settings").want(t, 403)
	m.postForm("/manage/settings", url.Values{"name": {"Max's Homes"}, "currency": {"USD"}}).want(t, 403)
	if body := m.get("/manage").Body; strings.Contains(body, `href="/manage/settings"`) {
		t.Error("the manager's navigation links to the settings")
	}
	if got := c.get("/manage/settings").Body; !strings.Contains(got, `value="Acme Homes"`) {
		t.Error("a refused manager changed the settings")
	}
}

func TestRecordPagesShowHistory(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	a := w.A
	c := app.client(t)
	c.loginAs(a.Emails[testkit.Admin], testkit.Password)
	who := a.Staff[testkit.Admin].Name + " (admin)"

	property := fmt.Sprintf("/manage/properties/%d", a.Property)
	c.postForm(property, url.Values{"name": {"Harbour House North"}, "kind": {"residential"}}).wantRedirect(t, property)
	r := c.get(property).want(t, 200)
	hist := historyOf(t, r)
	changed, added := strings.Index(hist, "Property details changed"), strings.Index(hist, "Property added")
	if changed < 0 || added < 0 || changed > added {
		t.Fatalf("want the edit listed above the creation, newest first:\n%s", hist)
	}
	for _, s := range []string{"Harbour House North", who, " UTC</time>"} {
		if !strings.Contains(hist, s) {
			t.Errorf("history lacks %q:\n%s", s, hist)
		}
	}

	// The other record pages, each with its own events only.
	for _, tt := range []struct {
		path string
		want []string
		not  string
	}{
		{fmt.Sprintf("/manage/units/%d", a.Unit), []string{"Unit added", "Apt 1"}, "Property added"},
		{fmt.Sprintf("/manage/contacts/%d", a.Contacts[testkit.Tenant]), []string{"Contact added", "Tenant Harbour"}, "Lease created"},
		{fmt.Sprintf("/manage/leases/%d", a.Lease), []string{"Lease created", "— from "}, "Contact added"},
	} {
		hist := historyOf(t, c.get(tt.path).want(t, 200))
		for _, s := range tt.want {
			if !strings.Contains(hist, s) {
				t.Errorf("%s: history lacks %q:\n%s", tt.path, s, hist)
			}
		}
		if strings.Contains(hist, tt.not) {
			t.Errorf("%s: history shows another record's %q:\n%s", tt.path, tt.not, hist)
		}
	}

	// Tenant changes read as names, not contact ids; staff who may only
	// read records see the history too.
	lease := fmt.Sprintf("/manage/leases/%d", a.Lease)
	c.postForm(lease+"/tenants", url.Values{"contact_id": {fmt.Sprint(a.Contacts[testkit.OtherTenant])}}).want(t, 303)
	bk := app.client(t)
	bk.loginAs(a.Emails[testkit.Bookkeeper], testkit.Password)
	hist = historyOf(t, bk.get(lease).want(t, 200))
	if !strings.Contains(hist, "Tenant added</span> <span class=\"muted\">— Other Tenant Harbour</span>") || strings.Contains(hist, "(contact ") {
		t.Errorf("tenant addition reads wrong:\n%s", hist)
	}
}

// historyOf returns the History section of a record page.
func historyOf(t *testing.T, r *resp) string {
	t.Helper()
	b := r.mainOf()
	i := strings.Index(b, `<section aria-labelledby="h-history">`)
	if i < 0 {
		t.Fatalf("%s has no History section:\n%s", r.Path, excerpt(r.Body))
	}
	b = b[i:]
	if j := strings.Index(b, "</section>"); j >= 0 {
		b = b[:j]
	}
	return b
}

func TestActionLabels(t *testing.T) {
	t.Parallel()
	tests := []struct {
		action, detail string
		what, shown    string
	}{
		{"lease.create", "2026-03-01", "Lease created", "from 1 Mar 2026"},
		{"lease.update", "2026-03-01", "Lease terms changed", ""},
		{"lease.end", "2026-08-31", "Lease ended", "last day 31 Aug 2026"},
		{"lease.tenant_add", "Maya Chen (contact 12)", "Tenant added", "Maya Chen"},
		{"lease.tenant_remove", "Daniel Reyes (contact 13)", "Tenant removed", "Daniel Reyes"},
		{"property.update", "Elm Court", "Property details changed", "Elm Court"},
		{"unit.archive", "", "Unit archived", ""},
		{"contact.portal_invite", "pat@example.test", "Invited to the resident portal", "sent to pat@example.test"},
		{"company.update", "name, phone", "Company settings changed", "changed name, phone"},
		// Actions without a label still read as words, details as written.
		{"visit.follow_up", "needs parts", "Follow-up requested", "needs parts"},
		{"meter.read_in", "4512 kWh", "Meter read in", "4512 kWh"},
		{"", "", "Changed", ""},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			if got := actionLabel(tt.action); got != tt.what {
				t.Errorf("actionLabel(%q) = %q, want %q", tt.action, got, tt.what)
			}
			if got := actionDetail(tt.action, tt.detail); got != tt.shown {
				t.Errorf("actionDetail(%q, %q) = %q, want %q", tt.action, tt.detail, got, tt.shown)
			}
		})
	}
}
