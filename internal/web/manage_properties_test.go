package web

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

var idInPath = regexp.MustCompile(`/(\d+)$`)

// idFrom returns the trailing id of a redirect's location.
func idFrom(t *testing.T, location string) string {
	t.Helper()
	m := idInPath.FindStringSubmatch(location)
	if m == nil {
		t.Fatalf("no id at the end of %q", location)
	}
	return m[1]
}

func TestManagePropertiesFlow(t *testing.T) {
	t.Parallel()
	db := testkit.SQLite(t)
	app := newTestApp(t, db)
	admin := seedCompany(t, db, "Acme Lettings", "ada@acme.test", testPassword)
	c := app.client(t)
	c.loginAs("ada@acme.test", testPassword)

	c.get("/manage").want(t, 200).wantBody(t, "Add your first property", `href="/manage/properties/new"`)
	c.get("/manage/properties").want(t, 200).wantBody(t, "You have no properties yet")
	c.get("/manage/properties/new").want(t, 200).wantBody(t, `name="first_unit"`)

	// Refused: the message next to the field, what was typed kept.
	r := c.postForm("/manage/properties", url.Values{"name": {"  "}, "city": {"Springfield"}, "kind": {"single_family"}}).want(t, 422)
	r.wantBody(t, "Enter a name", `value="Springfield"`, `aria-invalid="true"`)

	// A house: the property and its first unit in one step.
	r = c.postForm("/manage/properties", url.Values{"name": {"7 Birch Lane"}, "kind": {"single_family"}, "city": {"Springfield"}, "first_unit": {"on"}})
	pid := idFrom(t, r.Location)
	r.wantRedirect(t, "/manage/properties/"+pid)
	page := c.get("/manage/properties/"+pid).want(t, 200)
	page.wantBody(t, "7 Birch Lane", "Single-family house", "Springfield", "Property added, with its first unit.", "Vacant", "Add owner", `data-confirm=`)
	if strings.Count(page.mainOf(), `href="/manage/units/`) != 1 {
		t.Errorf("want one unit on the property page:\n%s", page.mainOf())
	}
	c.get("/manage/properties?q=BIRCH").want(t, 200).wantBody(t, `href="/manage/properties/`+pid+`"`)
	c.get("/manage/properties?q=nothing-like-it").want(t, 200).wantBody(t, "No properties match")

	// Edit.
	c.get("/manage/properties/"+pid+"/edit").want(t, 200).wantBody(t, `value="7 Birch Lane"`)
	c.postForm("/manage/properties/"+pid, url.Values{"name": {"7 Birch Lane (house)"}, "kind": {"single_family"}}).wantRedirect(t, "/manage/properties/"+pid)
	c.postForm("/manage/properties/"+pid, url.Values{"name": {strings.Repeat("x", 201)}, "kind": {"single_family"}}).want(t, 422).wantBody(t, "Use at most 200 characters")
	c.get("/manage/properties/"+pid).wantBody(t, "7 Birch Lane (house)")

	// Units: a refused one keeps the typed values, a good one lands on its page.
	c.get("/manage/properties/"+pid+"/units/new").want(t, 200)
	c.postForm("/manage/properties/"+pid+"/units", url.Values{"label": {"Garage"}, "bathrooms": {"1.3"}, "bedrooms": {"2"}}).want(t, 422).
		wantBody(t, "Enter a number of bathrooms such as 1 or 1.5", `value="1.3"`, `value="Garage"`)
	r = c.postForm("/manage/properties/"+pid+"/units", url.Values{"label": {"Annex"}, "bathrooms": {"1.5"}, "bedrooms": {"2"}, "area_sqft": {"640"}})
	uid := idFrom(t, r.Location)
	r.wantRedirect(t, "/manage/units/"+uid)
	c.get("/manage/units/"+uid).want(t, 200).wantBody(t, "Annex", "1.5", "640 sq ft", `href="/manage/leases/new?unit=`+uid+`"`)
	c.get("/manage/units/"+uid+"/edit").want(t, 200).wantBody(t, `value="1.5"`, `value="640"`)
	c.postForm("/manage/units/"+uid, url.Values{"label": {"Annex"}, "common_area": {"on"}}).wantRedirect(t, "/manage/units/"+uid)
	c.get("/manage/units/"+uid).wantBody(t, "Common area")
	c.get("/manage/units?type=common").want(t, 200).wantBody(t, `href="/manage/units/`+uid+`"`)

	// Owners: 60% and then 50% is too much, and the form says what is left.
	ctx := context.Background()
	ann, err := db.CreateContact(ctx, admin, lintel.Contact{Name: "Ann Owner", IsOwner: true})
	if err != nil {
		t.Fatal(err)
	}
	ben, err := db.CreateContact(ctx, admin, lintel.Contact{Name: "Ben Owner", IsOwner: true})
	if err != nil {
		t.Fatal(err)
	}
	c.get("/manage/properties/"+pid+"/owners/new").want(t, 200).wantBody(t, "Ann Owner", "Ben Owner", "The whole property")
	c.get("/manage/properties/"+pid+"/owners/new?q=ben").want(t, 200).wantBody(t, "Ben Owner")
	c.postForm("/manage/properties/"+pid+"/owners", url.Values{"contact_id": {fmt.Sprint(ann)}, "asset": {"property"}, "share": {"60"}}).
		wantRedirect(t, "/manage/properties/"+pid)
	c.postForm("/manage/properties/"+pid+"/owners", url.Values{"contact_id": {fmt.Sprint(ben)}, "asset": {"property"}, "share": {"50"}}).want(t, 422).
		wantBody(t, "Only 40% of this property is left", `value="50"`)
	c.postForm("/manage/properties/"+pid+"/owners", url.Values{"contact_id": {fmt.Sprint(ben)}, "asset": {"unit-" + uid}, "share": {"33.33"}}).
		wantRedirect(t, "/manage/properties/"+pid)
	c.get("/manage/properties/"+pid).want(t, 200).wantBody(t, "Ann Owner", "60%", "Ben Owner", "33.33%", "40%")
	owners, err := db.PropertyOwners(ctx, admin, mustInt(t, pid))
	if err != nil || len(owners) != 2 {
		t.Fatalf("owners = %v, %v", owners, err)
	}
	c.postForm(fmt.Sprintf("/manage/ownerships/%d/archive", owners[0].ID), nil).wantRedirect(t, "/manage/properties/"+pid)
	if owners, _ := db.PropertyOwners(ctx, admin, mustInt(t, pid)); len(owners) != 1 {
		t.Errorf("after archiving an ownership: %d owners, want 1", len(owners))
	}

	// Archive and restore.
	c.postForm("/manage/units/"+uid+"/archive", nil).wantRedirect(t, "/manage/units/"+uid)
	c.get("/manage/units/"+uid).wantBody(t, "Archived", "Restore")
	c.postForm("/manage/units/"+uid+"/unarchive", nil).wantRedirect(t, "/manage/units/"+uid)
	c.postForm("/manage/properties/"+pid+"/archive", nil).wantRedirect(t, "/manage/properties/"+pid)
	c.get("/manage/properties/"+pid).wantBody(t, "This property is archived")
	c.get("/manage/properties?status=archived").wantBody(t, `href="/manage/properties/`+pid+`"`)
	c.postForm("/manage/properties/"+pid+"/unarchive", nil).wantRedirect(t, "/manage/properties/"+pid)

	// The dashboard moves on to the next step: tenants.
	c.get("/manage").want(t, 200).wantBody(t, `/manage/contacts/new?role=tenant`, "Manage staff")
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestManagePropertiesScope: another company's staff get the same 404 as
// for an id that does not exist, for every read and every write.
func TestManagePropertiesScope(t *testing.T) {
	t.Parallel()
	db := testkit.SQLite(t)
	app := newTestApp(t, db)
	a := seedCompany(t, db, "Acme Lettings", "ada@acme.test", testPassword)
	seedCompany(t, db, "Acme Letting", "bob@other.test", testPassword)
	ctx := context.Background()
	pid, err := db.CreateProperty(ctx, a, lintel.Property{Name: "Elm Court"}, &lintel.Unit{Label: "Elm Court"})
	if err != nil {
		t.Fatal(err)
	}
	units, _ := db.ListUnits(ctx, a, sqldb.UnitFilter{PropertyID: pid})
	uid := units.Units[0].ID
	owner, err := db.CreateContact(ctx, a, lintel.Contact{Name: "Ann Owner", IsOwner: true})
	if err != nil {
		t.Fatal(err)
	}
	oid, err := db.CreateOwnership(ctx, a, lintel.Ownership{ContactID: owner, PropertyID: pid, ShareBP: 10000})
	if err != nil {
		t.Fatal(err)
	}

	b := app.client(t)
	b.loginAs("bob@other.test", testPassword)
	notFound := b.get("/manage/properties/999999").want(t, 404).mainOf()
	p, u := fmt.Sprint(pid), fmt.Sprint(uid)
	for _, path := range []string{"/manage/properties/" + p, "/manage/properties/" + p + "/edit", "/manage/properties/" + p + "/units/new",
		"/manage/properties/" + p + "/owners/new", "/manage/units/" + u, "/manage/units/" + u + "/edit", "/manage/units?property=" + p} {
		if got := b.get(path).want(t, 404).mainOf(); got != notFound {
			t.Errorf("GET %s: the 404 differs from an unknown id's", path)
		}
	}
	form := url.Values{"name": {"Mine"}, "label": {"Mine"}, "contact_id": {fmt.Sprint(owner)}, "asset": {"property"}, "share": {"1"}}
	for _, path := range []string{"/manage/properties/" + p, "/manage/properties/" + p + "/archive", "/manage/properties/" + p + "/unarchive",
		"/manage/properties/" + p + "/units", "/manage/properties/" + p + "/owners", "/manage/units/" + u, "/manage/units/" + u + "/archive",
		"/manage/units/" + u + "/unarchive", fmt.Sprintf("/manage/ownerships/%d/archive", oid)} {
		b.postForm(path, form).want(t, 404)
	}
	if list := b.get("/manage/properties").want(t, 200); strings.Contains(list.Body, "Elm Court") {
		t.Error("B's property list shows A's property")
	}
	if prop, _ := db.Property(ctx, a, pid); prop.Name != "Elm Court" || prop.Archived() {
		t.Errorf("A's property changed: %+v", prop)
	}
	if owners, _ := db.PropertyOwners(ctx, a, pid); len(owners) != 1 {
		t.Errorf("A's ownership changed: %v", owners)
	}
}

// TestManagePropertiesReadOnlyRoles: a bookkeeper or maintenance
// coordinator sees the records without edit buttons and cannot change them.
func TestManagePropertiesReadOnlyRoles(t *testing.T) {
	t.Parallel()
	db := testkit.SQLite(t)
	app := newTestApp(t, db)
	a := seedCompany(t, db, "Acme Lettings", "ada@acme.test", testPassword)
	seedStaff(t, db, a.CompanyID, "bea@acme.test", testPassword, lintel.RoleBookkeeper)
	seedStaff(t, db, a.CompanyID, "max@acme.test", testPassword, lintel.RoleMaintenance)
	pid, err := db.CreateProperty(context.Background(), a, lintel.Property{Name: "Elm Court"}, &lintel.Unit{Label: "1A"})
	if err != nil {
		t.Fatal(err)
	}
	p := fmt.Sprint(pid)
	for _, email := range []string{"bea@acme.test", "max@acme.test"} {
		c := app.client(t)
		c.loginAs(email, testPassword)
		c.get("/manage").want(t, 200)
		list := c.get("/manage/properties").want(t, 200)
		page := c.get("/manage/properties/"+p).want(t, 200).wantBody(t, "Elm Court", "1A")
		for _, body := range []string{list.mainOf(), page.mainOf()} {
			for _, edit := range []string{"/manage/properties/new", "/edit", "/archive", "/owners/new", "/units/new"} {
				if strings.Contains(body, edit) {
					t.Errorf("%s sees the edit link %s", email, edit)
				}
			}
		}
		c.get("/manage/properties/new").want(t, 403)
		c.postForm("/manage/properties", url.Values{"name": {"Sneaky"}}).want(t, 403)
		c.postForm("/manage/properties/"+p+"/archive", nil).want(t, 403)
		c.postForm("/manage/properties/"+p+"/units", url.Values{"label": {"2B"}}).want(t, 403)
	}
	if page, _ := db.ListProperties(context.Background(), a, sqldb.PropertyFilter{}); len(page.Properties) != 1 || page.Properties[0].Archived() {
		t.Errorf("properties changed by read-only roles: %+v", page.Properties)
	}
}

// TestManagePropertiesPages follows the next and previous links of the list.
func TestManagePropertiesPages(t *testing.T) {
	t.Parallel()
	db := testkit.SQLite(t)
	app := newTestApp(t, db)
	a := seedCompany(t, db, "Acme Lettings", "ada@acme.test", testPassword)
	for i := range sqldb.DefaultPageSize + 5 {
		if _, err := db.CreateProperty(context.Background(), a, lintel.Property{Name: fmt.Sprintf("House %03d", i)}, nil); err != nil {
			t.Fatal(err)
		}
	}
	c := app.client(t)
	c.loginAs("ada@acme.test", testPassword)
	first := c.get("/manage/properties?q=house").want(t, 200).wantBody(t, "House 000", "House 049", "Next page")
	if strings.Contains(first.Body, "House 050") || strings.Contains(first.Body, "Previous page") {
		t.Error("first page shows too much")
	}
	next := regexp.MustCompile(`href="(/manage/properties\?[^"]*after=[^"]*)" rel="next"`).FindStringSubmatch(first.Body)
	if next == nil {
		t.Fatal("no next link")
	}
	second := c.get(htmlUnescape(next[1])).want(t, 200).wantBody(t, "House 050", "House 054", "Previous page")
	if strings.Contains(second.Body, "House 049") || strings.Contains(second.Body, "Next page") {
		t.Error("second page overlaps the first or offers a third")
	}
	prev := regexp.MustCompile(`href="([^"]*before=[^"]*)" rel="prev"`).FindStringSubmatch(second.Body)
	if prev == nil {
		t.Fatal("no previous link")
	}
	back := c.get(htmlUnescape(prev[1])).want(t, 200).wantBody(t, "House 000", "House 049")
	if strings.Contains(back.Body, "House 050") {
		t.Error("previous page shows the second page's rows")
	}
	// A cursor edited by hand starts the list over instead of failing.
	c.get("/manage/properties?after=garbage").want(t, 200).wantBody(t, "House 000")
}

func htmlUnescape(s string) string { return strings.ReplaceAll(s, "&amp;", "&") }
