package web

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// seedUnitOf creates a property with one unit in the staff member's
// company and returns (property, unit).
func seedUnitOf(t *testing.T, db *sqldb.DB, s lintel.Staff, property, unit string) (int64, int64) {
	t.Helper()
	ctx := context.Background()
	p, err := db.CreateProperty(ctx, s, lintel.Property{Name: property, Kind: lintel.PropertyKinds[0]}, nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := db.CreateUnit(ctx, s, lintel.Unit{PropertyID: p, Label: unit})
	if err != nil {
		t.Fatal(err)
	}
	return p, u
}

func TestPortalShowsEveryLinkAcrossCompanies(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		app := newTestApp(t, db)
		alpha := seedCompany(t, db, "Alpha Lettings", "ada@alpha.test", testPassword)
		beta := seedCompany(t, db, "Beta Homes", "bo@beta.test", testPassword)

		// Pat rents Flat 2 from Alpha and owns Oak House, managed by Beta.
		tenant := seedTenantContact(t, db, alpha, "Pat Tenant", "pat@example.test", false)
		_, flat := seedUnitOf(t, db, alpha, "Elm Court", "Flat 2")
		today := lintel.DateOf(db.Now())
		if _, err := db.CreateLease(ctx, alpha, lintel.Lease{UnitID: flat, Start: today.AddDays(-30), RentDueDay: 1}, []int64{tenant}, nil); err != nil {
			t.Fatal(err)
		}
		owner := seedTenantContact(t, db, beta, "Pat Owner", "pat@example.test", true)
		oak, _ := seedUnitOf(t, db, beta, "Oak House", "Garden flat")
		if _, err := db.CreateOwnership(ctx, beta, lintel.Ownership{ContactID: owner, PropertyID: oak, ShareBP: 5000}); err != nil {
			t.Fatal(err)
		}
		seedResident(t, db, "pat@example.test", testPassword)

		cl := app.client(t)
		cl.loginAs("pat@example.test", testPassword).wantRedirect(t, "/portal")
		r := cl.get("/portal").want(t, 200)
		r.wantBody(t, "Alpha Lettings", "Beta Homes", "Elm Court", "Flat 2", "active", "Oak House", "Whole property", "50%",
			"a tenant with Alpha Lettings", "an owner with Beta Homes")
		if strings.Contains(r.Body, "Nothing is linked") {
			t.Fatal("linked resident sees the empty state")
		}

		// A resident with nothing linked is told what to do; staff with no
		// resident links get a way back to the manager app.
		seedResident(t, db, "nobody@example.test", testPassword)
		nc := app.client(t)
		nc.loginAs("nobody@example.test", testPassword)
		nc.get("/portal").want(t, 200).wantBody(t, "Nothing is linked", "Ask your property manager to record this e-mail address")
		sc := app.client(t)
		sc.loginAs("ada@alpha.test", testPassword)
		sc.get("/portal").want(t, 200).wantBody(t, "Nothing is linked", `href="/manage"`)
		if body := sc.get("/portal").Body; strings.Contains(body, "Elm Court") {
			t.Fatal("the manager sees Pat's portal")
		}
		app.client(t).get("/portal").wantRedirect(t, "/login?next=%2Fportal")
	})
}

func TestPortalInvitationFromTheRecord(t *testing.T) {
	t.Parallel()
	db := testkit.SQLite(t)
	app := newTestApp(t, db)
	alpha := seedCompany(t, db, "Alpha Lettings", "ada@alpha.test", testPassword)
	beta := seedCompany(t, db, "Beta Homes", "bo@beta.test", testPassword)
	seedStaff(t, db, alpha.CompanyID, "bea@alpha.test", testPassword, lintel.RoleBookkeeper)
	tess := seedTenantContact(t, db, alpha, "Tess Tenant", "tess@example.test", false)
	path := "/manage/contacts/" + itoa64(tess) + "/invite"

	bc := app.client(t)
	bc.loginAs("bo@beta.test", testPassword)
	bc.postForm(path, nil).want(t, 404)
	kc := app.client(t)
	kc.loginAs("bea@alpha.test", testPassword)
	kc.postForm(path, nil).want(t, 403)
	if n := len(app.emailsTo(t, "tess@example.test")); n != 0 {
		t.Fatalf("%d e-mails after refused invitations", n)
	}
	_ = beta

	ac := app.client(t)
	ac.loginAs("ada@alpha.test", testPassword)
	ac.postForm(path, nil).wantRedirect(t, "/manage/contacts/"+itoa64(tess))
	m := app.lastEmailTo(t, "tess@example.test")
	if !strings.Contains(m.Subject, "Alpha Lettings") {
		t.Fatalf("welcome subject %q", m.Subject)
	}
	link := app.linkIn(t, m, "/signup/verify?token=")
	tc := app.client(t)
	tc.get(link).want(t, 200)
	tc.postForm("/signup/verify", url.Values{"token": {tokenOf(t, link)}, "name": {"Tess"}, "password": {"tess's welcome passphrase"}}).wantRedirect(t, "/portal")
	tc.get("/portal").want(t, 200).wantBody(t, "Alpha Lettings")
}
