package web

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/testkit"
)

func TestStaffInviteRoundTrip(t *testing.T) {
	t.Parallel()
	db := testkit.SQLite(t)
	app := newTestApp(t, db)
	seedCompany(t, db, "Alpha Lettings", "ada@alpha.test", testPassword)
	beta := seedCompany(t, db, "Beta Homes", "bo@beta.test", testPassword)
	ac := app.client(t)
	ac.loginAs("ada@alpha.test", testPassword)

	ac.postForm("/manage/staff/invite", url.Values{"email": {"not an e-mail"}, "role": {"manager"}}).want(t, 422).wantBody(t, "Enter an e-mail address")
	ac.postForm("/manage/staff/invite", url.Values{"email": {"ada@alpha.test"}, "role": {"manager"}}).want(t, 422).wantBody(t, "already on your staff")
	ac.postForm("/manage/staff/invite", url.Values{"email": {"Max@Alpha.test"}, "role": {"bookkeeper"}}).wantRedirect(t, "/manage/staff")
	ac.get("/manage/staff").want(t, 200).wantBody(t, "Invitation sent to max@alpha.test.", "max@alpha.test", "Bookkeeper")

	m := app.lastEmailTo(t, "max@alpha.test")
	if !strings.Contains(m.Subject, "Alpha Lettings") {
		t.Fatalf("invitation subject %q", m.Subject)
	}
	link := app.linkIn(t, m, "/invite?token=")
	mc := app.client(t)
	mc.get(link).want(t, 200).wantBody(t, "Join Alpha Lettings", "Bookkeeper", "Choose a password")
	mc.get(link).want(t, 200) // opening twice changes nothing
	form := url.Values{"token": {tokenOf(t, link)}, "name": {""}, "password": {"max's long passphrase"}}
	mc.postForm("/invite", form).want(t, 422).wantBody(t, "Enter your name")
	form.Set("name", "Max")
	mc.postForm("/invite", form).wantRedirect(t, "/manage")
	mc.get("/manage/staff").want(t, 403) // a bookkeeper
	app.client(t).get(link).want(t, 404)
	ac.get("/manage/staff").want(t, 200).wantBody(t, "No invitations waiting")

	// An existing user (admin of Beta) is invited to Alpha: they accept
	// with their password, and land acting for Alpha.
	ac.postForm("/manage/staff/invite", url.Values{"email": {"bo@beta.test"}, "role": {"manager"}}).wantRedirect(t, "/manage/staff")
	link = app.linkIn(t, app.lastEmailTo(t, "bo@beta.test"), "/invite?token=")
	bc := app.client(t)
	bc.get(link).want(t, 200).wantBody(t, "already have a Lintel account")
	bc.postForm("/invite", url.Values{"token": {tokenOf(t, link)}, "password": {"not bo's password"}}).want(t, 422).wantBody(t, "not right")
	bc.postForm("/invite", url.Values{"token": {tokenOf(t, link)}, "password": {testPassword}}).wantRedirect(t, "/manage")
	bc.get("/manage/staff").want(t, 403) // acting for Alpha, as a manager
	bc.postForm("/manage/switch-company", url.Values{"company_id": {itoa64(beta.CompanyID)}}).wantRedirect(t, "/manage")
	bc.get("/manage/staff").want(t, 200).wantBody(t, "bo@beta.test")
	// Not a company of theirs: refused.
	mc.postForm("/manage/switch-company", url.Values{"company_id": {itoa64(beta.CompanyID)}}).want(t, 404)

	// Roles and access, through the staff page.
	staff := func(email string) lintel.User {
		u, err := db.UserByEmail(t.Context(), email)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	max := staff("max@alpha.test")
	ac.postForm("/manage/staff/"+itoa64(max.ID)+"/role", url.Values{"role": {"admin"}}).wantRedirect(t, "/manage/staff")
	mc.get("/manage/staff").want(t, 200)
	ada := staff("ada@alpha.test")
	ac.postForm("/manage/staff/"+itoa64(ada.ID)+"/role", url.Values{"role": {"manager"}}).want(t, 409).wantBody(t, "own role")
	ac.postForm("/manage/staff/"+itoa64(ada.ID)+"/disable", nil).want(t, 409)
	// Beta's admin is not Alpha's to change.
	mc.postForm("/manage/staff/"+itoa64(beta.UserID)+"/disable", nil).wantRedirect(t, "/manage/staff") // Bo is Alpha staff now
	bc.get("/manage/staff").want(t, 200)                                                               // still acting for Beta: unaffected

	// Revoking an invitation kills its link.
	ac.postForm("/manage/staff/invite", url.Values{"email": {"cy@alpha.test"}, "role": {"maintenance"}}).wantRedirect(t, "/manage/staff")
	link = app.linkIn(t, app.lastEmailTo(t, "cy@alpha.test"), "/invite?token=")
	ac.postForm("/manage/staff/invites/revoke", url.Values{"email": {"cy@alpha.test"}}).wantRedirect(t, "/manage/staff")
	app.client(t).get(link).want(t, 404)
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
