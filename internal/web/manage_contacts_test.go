package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/testkit"
)

func TestManageContactsFlow(t *testing.T) {
	t.Parallel()
	db := testkit.SQLite(t)
	app := newTestApp(t, db)
	seedCompany(t, db, "Acme Lettings", "ada@acme.test", testPassword)
	c := app.client(t)
	c.loginAs("ada@acme.test", testPassword)

	c.get("/manage/contacts?role=tenant").want(t, 200).wantBody(t, "No tenants yet — add your first tenant", `href="/manage/contacts/new?role=tenant"`)
	c.get("/manage/contacts?role=operator").want(t, 200).wantBody(t, "No operators yet")
	form := c.get("/manage/contacts/new?role=tenant").want(t, 200)
	form.wantBody(t, "Add a tenant", `name="email_0"`, `name="phone_0"`)
	if !strings.Contains(form.Body, `id="f-role_tenant" name="role_tenant" value="on" checked`) || strings.Contains(form.Body, `name="role_owner" value="on" checked`) {
		t.Errorf("?role=tenant should tick the tenant role only:\n%s", form.mainOf())
	}

	// Refused: messages next to the fields, what was typed kept.
	r := c.postForm("/manage/contacts", url.Values{"name": {""}, "email_0": {"not-an-email"}, "phone_0": {"call me"}, "notes": {"Met at the viewing"}}).want(t, 422)
	r.wantBody(t, "Enter the person", "Choose at least one", "Enter an e-mail address like name@example.com", "Use digits",
		`value="not-an-email"`, `value="call me"`, "Met at the viewing", `aria-invalid="true"`)

	// Created: 303 to the page, which offers the portal invitation.
	r = c.postForm("/manage/contacts", url.Values{
		"name": {"Maya Chen"}, "role_tenant": {"on"},
		"email_0": {""}, "email_1": {"Maya@Example.com"}, "email_label_1": {"Home"},
		"phone_0": {"+1 555 010 0199"}, "phone_label_0": {"Mobile"},
	})
	id := idFrom(t, r.Location)
	r.wantRedirect(t, "/manage/contacts/"+id)
	page := c.get("/manage/contacts/"+id).want(t, 200)
	page.wantBody(t, "Maya Chen", "maya@example.com", "(Home)", "555 010 0199</a> <span class=\"muted\">(Mobile)", "Not invited",
		`action="/manage/contacts/`+id+`/invite"`, "Invite to the portal", "No leases yet", `href="/manage/leases/new?tenant=`+id+`"`)

	// Listed, found by name and by e-mail, filtered by role.
	c.get("/manage/contacts").want(t, 200).wantBody(t, `href="/manage/contacts/`+id+`"`, "maya@example.com", "Tenant")
	c.get("/manage/contacts?q=MAYA@EX").want(t, 200).wantBody(t, `href="/manage/contacts/`+id+`"`)
	c.get("/manage/contacts?role=owner").want(t, 200).wantBody(t, "No owners yet")
	c.get("/manage/contacts?q=nobody").want(t, 200).wantBody(t, "No contacts match")

	// Edit: the form shows the stored values and one spare row.
	edit := c.get("/manage/contacts/"+id+"/edit").want(t, 200)
	edit.wantBody(t, `value="Maya Chen"`, `value="maya@example.com"`, `name="email_1"`, `name="phone_1"`)
	c.postForm("/manage/contacts/"+id, url.Values{"name": {"Maya Chen-Osei"}, "role_tenant": {"on"}, "role_operator": {"on"}, "trades": {"Painting"},
		"email_0": {"maya@example.com"}, "email_1": {"maya@work.example.com"}}).wantRedirect(t, "/manage/contacts/"+id)
	c.get("/manage/contacts/"+id).wantBody(t, "Maya Chen-Osei", "maya@work.example.com", "Painting", "Operator")
	c.postForm("/manage/contacts/"+id, url.Values{"name": {strings.Repeat("x", 201)}, "role_tenant": {"on"}}).want(t, 422).wantBody(t, "Use at most 200 characters")

	// Archive and restore.
	c.postForm("/manage/contacts/"+id+"/archive", nil).wantRedirect(t, "/manage/contacts/"+id)
	c.get("/manage/contacts/"+id).wantBody(t, "Archived", `action="/manage/contacts/`+id+`/unarchive"`)
	c.get("/manage/contacts").wantBody(t, "No contacts yet")
	c.get("/manage/contacts?status=archived").wantBody(t, `href="/manage/contacts/`+id+`"`)
	c.postForm("/manage/contacts/"+id+"/unarchive", nil).wantRedirect(t, "/manage/contacts/"+id)
	c.get("/manage/contacts").wantBody(t, `href="/manage/contacts/`+id+`"`)
}

func TestManageContactVerifiedEmailLocked(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	c := app.client(t)
	c.loginAs(w.A.Emails[testkit.Admin], testkit.Password)
	id := fmt.Sprint(w.A.Contacts[testkit.Tenant])
	email := w.A.Emails[testkit.Tenant] // the tenant has a verified portal login

	page := c.get("/manage/contacts/"+id).want(t, 200)
	page.wantBody(t, "Has an account", "Verified")
	if strings.Contains(page.Body, "Invite to the portal") {
		t.Error("a contact with a portal account is offered an invitation")
	}
	c.get("/manage/contacts/"+id+"/edit").want(t, 200).wantBody(t, `value="`+email+`" autocomplete="off" readonly`, "only they can change it")

	// Typed over: refused, the address comes back, what was typed moves down.
	r := c.postForm("/manage/contacts/"+id, url.Values{"name": {"Renamed"}, "role_tenant": {"on"}, "email_0": {"new@example.com"}}).want(t, 422)
	r.wantBody(t, "This address is verified by the resident for their portal sign-in. Ask them to change it from their profile.",
		`name="email_0" value="`+email+`"`, `name="email_1" value="new@example.com"`)
	// Removed: refused the same way.
	c.postForm("/manage/contacts/"+id, url.Values{"name": {"Renamed"}, "role_tenant": {"on"}}).want(t, 422).wantBody(t, "This address is verified by the resident")
	got, err := db.Contact(context.Background(), w.A.Staff[testkit.Admin], w.A.Contacts[testkit.Tenant])
	if err != nil {
		t.Fatal(err)
	}
	if got.Name == "Renamed" || got.PrimaryEmail() != email || len(got.Emails) != 1 {
		t.Errorf("a refused edit changed the contact: %+v", got)
	}
	// Kept: other changes save.
	c.postForm("/manage/contacts/"+id, url.Values{"name": {"Renamed"}, "role_tenant": {"on"}, "email_0": {email}, "email_1": {"second@example.com"}}).
		wantRedirect(t, "/manage/contacts/"+id)
}

func TestManageContactsAccess(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	a := fmt.Sprint(w.A.Contacts[testkit.Tenant])

	// Another company's staff: 404 for every read and write, nothing changed.
	b := app.client(t)
	b.loginAs(w.B.Emails[testkit.Admin], testkit.Password)
	b.get("/manage/contacts/"+a).want(t, 404)
	b.get("/manage/contacts/"+a+"/edit").want(t, 404)
	b.postForm("/manage/contacts/"+a, url.Values{"name": {"Stolen"}, "role_tenant": {"on"}}).want(t, 404)
	b.postForm("/manage/contacts/"+a+"/archive", nil).want(t, 404)
	list := b.get("/manage/contacts?q=tenant").want(t, 200)
	if strings.Contains(list.Body, "Harbour") || !strings.Contains(list.Body, "Tenant Ridge") {
		t.Errorf("company B's list shows company A's contacts or misses its own:\n%s", list.mainOf())
	}

	// A bookkeeper reads but may not change.
	bk := app.client(t)
	bk.loginAs(w.A.Emails[testkit.Bookkeeper], testkit.Password)
	bk.get("/manage/contacts").want(t, 200)
	page := bk.get("/manage/contacts/"+a).want(t, 200)
	if strings.Contains(page.Body, "/edit") || strings.Contains(page.Body, "/archive") {
		t.Errorf("a bookkeeper is offered edit or archive:\n%s", page.mainOf())
	}
	bk.get("/manage/contacts/new").want(t, 403)
	bk.postForm("/manage/contacts", url.Values{"name": {"Bo"}, "role_tenant": {"on"}}).want(t, 403)
	bk.postForm("/manage/contacts/"+a, url.Values{"name": {"Bo"}, "role_tenant": {"on"}}).want(t, 403)
	bk.postForm("/manage/contacts/"+a+"/archive", nil).want(t, 403)

	got, err := db.Contact(context.Background(), w.A.Staff[testkit.Admin], w.A.Contacts[testkit.Tenant])
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Tenant Harbour" || got.Archived() {
		t.Errorf("contact changed: %+v", got)
	}

	// Archiving a tenant of a current lease is refused with a way forward.
	c := app.client(t)
	c.loginAs(w.A.Emails[testkit.Admin], testkit.Password)
	c.postForm("/manage/contacts/"+a+"/archive", nil).want(t, 409).wantBody(t, "End or archive that lease first")
	// The contact page lists the leases and ownerships.
	c.get("/manage/contacts/"+a).want(t, 200).wantBody(t, "Apt 1, Harbour House", "Cotenant Harbour", "Active")
	c.get(fmt.Sprintf("/manage/contacts/%d", w.A.Contacts[testkit.PropertyOwner])).want(t, 200).wantBody(t, "Harbour House", "60%", "whole property")
	c.get(fmt.Sprintf("/manage/contacts/%d", w.A.Operator)).want(t, 200).wantBody(t, "plumbing", "No expiry date recorded")
}
