package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/testkit"
)

func TestManageLeasesFlow(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	c := app.client(t)
	c.loginAs(w.A.Emails[testkit.Admin], testkit.Password)
	ownedUnit := fmt.Sprint(w.A.OwnedUnit)
	former := fmt.Sprint(w.A.Contacts[testkit.FormerTenant])
	today := lintel.DateOf(db.Now())

	// Step 1: find the unit. Only rentable units of this company.
	pick := c.get("/manage/leases/new?unit_q=apt").want(t, 200)
	pick.wantBody(t, "Choose the unit", `href="/manage/leases/new?unit=`+ownedUnit+`"`, "Vacant", "Occupied")
	if strings.Contains(pick.Body, "Laundry room") || strings.Contains(pick.Body, "Ridge") {
		t.Errorf("the unit search offers a common area or another company's unit:\n%s", pick.mainOf())
	}
	c.get("/manage/leases/new?unit_q=zzz").want(t, 200).wantBody(t, "No rentable unit matches")

	// Step 2: the form for that unit; searching tenants keeps what was typed.
	c.get("/manage/leases/new?unit="+ownedUnit).want(t, 200).wantBody(t, "Apt 2, Harbour House", `name="unit_id" value="`+ownedUnit+`"`, `name="new_tenant_name"`)
	typed := url.Values{"unit_id": {ownedUnit}, "start": {today.String()}, "rent": {"1,450.50"}, "due_day": {"3"}, "deposit": {"2900"}}
	find := url.Values{"find_tenant": {"1"}, "tenant_q": {"former"}}
	for k, v := range typed {
		find[k] = v
	}
	r := c.postForm("/manage/leases", find).want(t, 200)
	r.wantBody(t, `name="tenant_id" value="`+former+`"`, "Former Tenant Harbour", `value="1,450.50"`, `value="2900"`)

	// Refused: no tenant, a bad amount; messages beside the fields, input kept.
	bad := url.Values{"unit_id": {ownedUnit}, "start": {today.String()}, "rent": {"12.345"}, "due_day": {"31"}, "new_tenant_email_0": {"nope"}}
	r = c.postForm("/manage/leases", bad).want(t, 422)
	r.wantBody(t, "use at most 2 decimal places", "Enter a whole number from 1 to 28", "Enter the person", "Enter an e-mail address", `value="12.345"`, `value="nope"`)

	// Created: an existing contact and a new one, co-tenants.
	create := url.Values{"tenant_id": {former}, "new_tenant_name": {"Liam Brandt"}, "new_tenant_email_0": {"liam@example.com"}, "month_to_month": {"on"}, "notes": {"Pets: a cat"}}
	for k, v := range typed {
		create[k] = v
	}
	r = c.postForm("/manage/leases", create)
	id := idFrom(t, r.Location)
	r.wantRedirect(t, "/manage/leases/"+id)
	page := c.get("/manage/leases/"+id).want(t, 200)
	page.wantBody(t, "Lease added.", "Apt 2", "Harbour House", "Former Tenant Harbour", "Liam Brandt", "liam@example.com", "$1,450.50", "due on day 3", "$2,900.00", "month-to-month", "Pets: a cat", "Active")

	// The same unit again on overlapping days: refused.
	create.Set("start", today.AddDays(10).String())
	c.postForm("/manage/leases", create).want(t, 422).wantBody(t, "Apt 2 already has a lease for some of these days")

	// Listed and found.
	c.get("/manage/leases?q=brandt").want(t, 200).wantBody(t, `href="/manage/leases/`+id+`"`)
	c.get("/manage/leases?status=ended").want(t, 200).wantBody(t, fmt.Sprintf(`href="/manage/leases/%d"`, w.A.EndedLease))
	upcoming := c.get("/manage/leases?status=upcoming").want(t, 200)
	upcoming.wantBody(t, "No leases match")
	c.get(fmt.Sprintf("/manage/leases?property=%d", w.A.OtherProperty)).want(t, 200).wantBody(t, "Showing leases at", "Harbour Court", fmt.Sprintf(`href="/manage/leases/%d"`, w.A.OtherLease))

	// Edit the terms.
	c.get("/manage/leases/"+id+"/edit").want(t, 200).wantBody(t, `value="1450.50"`, `value="3"`)
	c.postForm("/manage/leases/"+id, url.Values{"start": {today.String()}, "rent": {"1500"}, "due_day": {"1"}}).wantRedirect(t, "/manage/leases/"+id)
	c.postForm("/manage/leases/"+id, url.Values{"start": {today.String()}, "end": {today.AddDays(-1).String()}, "rent": {"1500"}, "due_day": {"1"}}).
		want(t, 422).wantBody(t, "The end date must be on or after the start date")
	c.get("/manage/leases/"+id).wantBody(t, "$1,500.00")

	// Co-tenants: search and add, remove, not the last one.
	c.get("/manage/leases/"+id+"?tenant_q=other+tenant").want(t, 200).wantBody(t, "Other Tenant Harbour", `name="contact_id"`)
	other := fmt.Sprint(w.A.Contacts[testkit.OtherTenant])
	c.postForm("/manage/leases/"+id+"/tenants", url.Values{"contact_id": {other}}).wantRedirect(t, "/manage/leases/"+id)
	c.postForm("/manage/leases/"+id+"/tenants", url.Values{"new_tenant_email_0": {"x@example.com"}}).want(t, 422).wantBody(t, "Enter the person", `value="x@example.com"`)
	l, err := db.Lease(context.Background(), w.A.Staff[testkit.Admin], mustInt(t, id))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Tenants) != 3 {
		t.Fatalf("tenants = %+v", l.Tenants)
	}
	for _, tn := range l.Tenants[1:] {
		c.postForm(fmt.Sprintf("/manage/leases/%s/tenants/%d/remove", id, tn.ID), nil).wantRedirect(t, "/manage/leases/"+id)
	}
	c.postForm(fmt.Sprintf("/manage/leases/%s/tenants/%d/remove", id, l.Tenants[0].ID), nil).want(t, 409).wantBody(t, "is the only tenant of this lease")

	// End early, then archive.
	c.postForm("/manage/leases/"+id+"/end", url.Values{"end": {today.AddDays(-5).String()}}).want(t, 422).wantBody(t, "cannot be before that")
	c.postForm("/manage/leases/"+id+"/end", url.Values{"end": {today.String()}}).wantRedirect(t, "/manage/leases/"+id)
	c.get("/manage/leases/"+id).wantBody(t, "Lease end date set to "+today.Long())
	c.postForm("/manage/leases/"+id+"/archive", nil).wantRedirect(t, "/manage/leases/"+id)
	c.get("/manage/leases/"+id).wantBody(t, "Archived")
	c.get("/manage/leases?status=archived").wantBody(t, `href="/manage/leases/`+id+`"`)
}

func TestManageLeasesAccess(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	lease := fmt.Sprint(w.A.Lease)
	today := lintel.DateOf(db.Now())

	// Another company's staff: 404 on A's lease; A's unit and tenants in
	// B's form are refused (SECURITY.md 12) and nothing is stored.
	b := app.client(t)
	b.loginAs(w.B.Emails[testkit.Admin], testkit.Password)
	b.get("/manage/leases/"+lease).want(t, 404)
	b.get("/manage/leases/"+lease+"/edit").want(t, 404)
	b.postForm("/manage/leases/"+lease+"/end", url.Values{"end": {today.String()}}).want(t, 404)
	b.postForm("/manage/leases/"+lease+"/archive", nil).want(t, 404)
	b.postForm("/manage/leases/"+lease+"/tenants", url.Values{"contact_id": {fmt.Sprint(w.B.Contacts[testkit.Tenant])}}).want(t, 404)
	b.postForm(fmt.Sprintf("/manage/leases/%s/tenants/%d/remove", lease, w.A.Contacts[testkit.Cotenant]), nil).want(t, 404)
	b.get(fmt.Sprintf("/manage/leases/new?unit=%d", w.A.OwnedUnit)).want(t, 200).wantBody(t, "Choose the unit")
	b.postForm("/manage/leases", url.Values{"unit_id": {fmt.Sprint(w.A.OwnedUnit)}, "start": {today.String()}, "rent": {"100"}, "due_day": {"1"},
		"tenant_id": {fmt.Sprint(w.B.Contacts[testkit.Tenant])}}).want(t, 422)
	b.postForm("/manage/leases", url.Values{"unit_id": {fmt.Sprint(w.B.OwnedUnit)}, "start": {today.String()}, "rent": {"100"}, "due_day": {"1"},
		"tenant_id": {fmt.Sprint(w.A.Contacts[testkit.Tenant])}}).want(t, 422).wantBody(t, "your company")
	if l := b.get("/manage/leases").want(t, 200); strings.Contains(l.Body, "Harbour") {
		t.Errorf("company B's lease list shows company A:\n%s", l.mainOf())
	}

	// A bookkeeper reads but may not change.
	bk := app.client(t)
	bk.loginAs(w.A.Emails[testkit.Bookkeeper], testkit.Password)
	bk.get("/manage/leases").want(t, 200)
	page := bk.get("/manage/leases/"+lease).want(t, 200)
	if strings.Contains(page.Body, "End the lease early") || strings.Contains(page.Body, "/archive") {
		t.Errorf("a bookkeeper is offered changes:\n%s", page.mainOf())
	}
	bk.get("/manage/leases/new").want(t, 403)
	bk.postForm("/manage/leases/"+lease+"/end", url.Values{"end": {today.String()}}).want(t, 403)
	bk.postForm("/manage/leases/"+lease+"/archive", nil).want(t, 403)

	l, err := db.Lease(context.Background(), w.A.Staff[testkit.Admin], w.A.Lease)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Tenants) != 2 || !l.End.IsZero() || l.Archived() {
		t.Errorf("the lease changed: %+v", l)
	}
}
