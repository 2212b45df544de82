package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

func login(email, password string) url.Values {
	return url.Values{"email": {email}, "password": {password}}
}

func TestLoginLandsEachPersonInTheirApp(t *testing.T) {
	t.Parallel()
	db := testkit.SQLite(t)
	app := newTestApp(t, db)
	seedCompany(t, db, "Alpha Lettings", "ada@alpha.test", testPassword)
	seedResident(t, db, "rita@example.test", testPassword)

	cases := []struct {
		name, email, next, want string
	}{
		{"staff", "ada@alpha.test", "", "/manage"},
		{"resident", "rita@example.test", "", "/portal"},
		{"e-mail in capitals", "ADA@Alpha.test", "", "/manage"},
		{"safe next", "ada@alpha.test", "/manage/staff", "/manage/staff"},
		{"next to another site", "ada@alpha.test", "//evil.test/x", "/manage"},
		{"next as a URL", "rita@example.test", "https://evil.test/", "/portal"},
		// Browsers read the backslash as a slash: //evil.example.
		{"next with a backslash", "ada@alpha.test", "/\\evil.example", "/manage"},
		{"next with a backslash after a dot", "ada@alpha.test", "/.\\/evil.example", "/manage"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl := app.client(t)
			form := login(c.email, testPassword)
			form.Set("next", c.next)
			cl.postForm("/login", form).wantRedirect(t, c.want)
			if cl.sessionCookie() == "" {
				t.Fatal("no session cookie after log-in")
			}
		})
	}

	t.Run("log out ends the session in the database", func(t *testing.T) {
		cl := app.client(t)
		cl.loginAs("rita@example.test", testPassword)
		raw := cl.sessionCookie()
		cl.get("/portal").want(t, 200).wantBody(t, "rita@example.test")
		cl.postForm("/logout", nil).wantRedirect(t, "/login?signed_out=1")
		cl.get("/portal").wantRedirect(t, "/login?next=%2Fportal")
		cl.setSessionCookie(raw) // a copy of the cookie kept elsewhere
		cl.get("/portal").wantRedirect(t, "/login?next=%2Fportal")
	})

	t.Run("the log-in page sends the signed-in home", func(t *testing.T) {
		cl := app.client(t)
		cl.loginAs("ada@alpha.test", testPassword)
		cl.get("/login").wantRedirect(t, "/manage")
		cl.get("/login?next=/%5cevil.example").wantRedirect(t, "/manage")
	})

	// Browsers drop a tab inside a URL, so /<tab>/evil.example would land on
	// //evil.example. A tab is no text for a one-line field, so these are
	// refused before safeNext is even asked (SECURITY.md 34).
	t.Run("next with a tab is refused", func(t *testing.T) {
		cl := app.client(t)
		for _, next := range []string{"/\t/evil.example", "/\t\\evil.example"} {
			form := login("ada@alpha.test", testPassword)
			form.Set("next", next)
			if r := cl.postForm("/login", form).want(t, 422); r.Location != "" {
				t.Errorf("next %q: redirected to %q", next, r.Location)
			}
		}
		cl.loginAs("ada@alpha.test", testPassword)
		for _, q := range []string{"/%09/evil.example", "/%09%5cevil.example"} {
			if r := cl.get("/login?next="+q).want(t, 422); r.Location != "" {
				t.Errorf("next %q: redirected to %q", q, r.Location)
			}
		}
	})
}

func TestLoginRefusalsLookAlike(t *testing.T) {
	t.Parallel()
	db := testkit.SQLite(t)
	app := newTestApp(t, db)
	seedCompany(t, db, "Alpha Lettings", "ada@alpha.test", testPassword)
	wrong := app.client(t).postForm("/login", login("ada@alpha.test", "not the password at all")).want(t, 422)
	unknown := app.client(t).postForm("/login", login("nobody@alpha.test", "not the password at all")).want(t, 422)
	wrong.wantBody(t, "do not match")
	// The page keeps the typed e-mail; apart from it, the two are the same.
	if a, b := strings.ReplaceAll(wrong.mainOf(), "ada@alpha.test", "X"), strings.ReplaceAll(unknown.mainOf(), "nobody@alpha.test", "X"); a != b {
		t.Fatalf("wrong password and unknown e-mail answer differently:\n%s\n---\n%s", a, b)
	}
	if strings.Contains(wrong.Body, "not the password at all") {
		t.Fatal("the refused page repeats the password")
	}
	app.client(t).postForm("/login", login("", "")).want(t, 422).wantBody(t, "Enter your e-mail address.", "Enter your password.")
}

func TestLoginThrottleAndResetStillWorks(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	db := testkit.SQLite(t, sqldb.Options{Now: clock.Now})
	app := newTestApp(t, db)
	seedCompany(t, db, "Alpha Lettings", "ada@alpha.test", testPassword)
	cl := app.client(t)
	for i := 1; i < loginAccountLimit; i++ {
		cl.postForm("/login", login("ada@alpha.test", "wrong password number "+strconv.Itoa(i))).want(t, 422)
	}
	r := cl.postForm("/login", login("ada@alpha.test", "the last wrong password")).want(t, http.StatusTooManyRequests)
	if ra, _ := strconv.Atoi(r.Header.Get("Retry-After")); ra < 1 || ra > int(loginWindow.Seconds()) {
		t.Fatalf("Retry-After = %q, want seconds until the window ends", r.Header.Get("Retry-After"))
	}
	r.wantBody(t, "Too many failed log-ins", "/password/forgot")
	// Even the right password waits, from any browser.
	app.client(t).postForm("/login", login("ada@alpha.test", testPassword)).want(t, http.StatusTooManyRequests)
	// Another account from the same address is not locked (the per-address
	// limit is higher).
	seedResident(t, db, "rita@example.test", testPassword)
	app.client(t).loginAs("rita@example.test", testPassword)

	// The reset flow keeps working and lifts the lock.
	app.client(t).postForm("/password/forgot", url.Values{"email": {"ada@alpha.test"}}).want(t, 200)
	app.runJobs(t)
	link := app.linkIn(t, app.lastEmailTo(t, "ada@alpha.test"), "/password/reset?token=")
	rc := app.client(t)
	rc.get(link).want(t, 200).wantBody(t, "Choose a new password")
	rc.postForm("/password/reset", url.Values{"token": {tokenOf(t, link)}, "password": {"a brand new passphrase"}}).wantRedirect(t, "/manage")
	app.client(t).loginAs("ada@alpha.test", "a brand new passphrase")

	// Without a reset, the lock ends with its window.
	for i := 0; i < loginAccountLimit; i++ {
		cl.postForm("/login", login("rita@example.test", "wrong wrong wrong"))
	}
	cl.postForm("/login", login("rita@example.test", testPassword)).want(t, http.StatusTooManyRequests)
	clock.Advance(loginWindow + time.Second)
	cl.loginAs("rita@example.test", testPassword)
}

func TestSessionRotatesAtLogin(t *testing.T) {
	t.Parallel()
	db := testkit.SQLite(t)
	app := newTestApp(t, db)
	seedResident(t, db, "rita@example.test", testPassword)
	cl := app.client(t)
	cl.loginAs("rita@example.test", testPassword)
	first := cl.sessionCookie()
	cl.postForm("/login", login("rita@example.test", testPassword)).wantRedirect(t, "/portal")
	second := cl.sessionCookie()
	if first == "" || first == second {
		t.Fatalf("session id not renewed at log-in: %q then %q", first, second)
	}
	other := app.client(t)
	other.setSessionCookie(first)
	other.get("/portal").wantRedirect(t, "/login?next=%2Fportal")
	cl.get("/portal").want(t, 200)
}

func TestDisablingEndsSessionsAtOnce(t *testing.T) {
	t.Parallel()
	db := testkit.SQLite(t)
	app := newTestApp(t, db)
	admin := seedCompany(t, db, "Alpha Lettings", "ada@alpha.test", testPassword)
	bob := seedStaff(t, db, admin.CompanyID, "bob@alpha.test", testPassword, lintel.RoleAdmin)

	ac := app.client(t)
	ac.loginAs("ada@alpha.test", testPassword)
	bc := app.client(t)
	bc.loginAs("bob@alpha.test", testPassword)
	bc.get("/manage/staff").want(t, 200)

	ac.postForm("/manage/staff/"+strconv.FormatInt(bob.UserID, 10)+"/disable", nil).wantRedirect(t, "/manage/staff")
	bc.get("/manage/staff").wantRedirect(t, "/login?next=%2Fmanage%2Fstaff")
	// Bob can still sign in as a resident, but not act for the company.
	bc.loginAs("bob@alpha.test", testPassword).wantRedirect(t, "/portal")
	bc.get("/manage/staff").want(t, 404)

	// A disabled login (an operator's decision) cannot sign in at all, and
	// its sessions end.
	rita := seedResident(t, db, "rita@example.test", testPassword)
	rc := app.client(t)
	rc.loginAs("rita@example.test", testPassword)
	if err := db.SetUserDisabled(context.Background(), rita.UserID, true); err != nil {
		t.Fatal(err)
	}
	rc.get("/portal").wantRedirect(t, "/login?next=%2Fportal")
	rc.postForm("/login", login("rita@example.test", testPassword)).want(t, http.StatusForbidden).wantBody(t, "turned off")
	rc.postForm("/login", login("rita@example.test", "wrong password here")).want(t, 422)
}

func TestStaffPageAccess(t *testing.T) {
	t.Parallel()
	db := testkit.SQLite(t)
	app := newTestApp(t, db)
	admin := seedCompany(t, db, "Alpha Lettings", "ada@alpha.test", testPassword)
	seedStaff(t, db, admin.CompanyID, "bea@alpha.test", testPassword, lintel.RoleBookkeeper)
	seedStaff(t, db, admin.CompanyID, "max@alpha.test", testPassword, lintel.RoleManager)
	seedResident(t, db, "rita@example.test", testPassword)
	cases := []struct {
		who             string
		get, postInvite int
	}{
		{"ada@alpha.test", 200, 303},
		{"bea@alpha.test", 403, 403},
		{"max@alpha.test", 403, 403},
		{"rita@example.test", 404, 404},
	}
	for _, c := range cases {
		cl := app.client(t)
		cl.loginAs(c.who, testPassword)
		cl.get("/manage/staff").want(t, c.get)
		cl.postForm("/manage/staff/invite", url.Values{"email": {"x@y.test"}, "role": {"admin"}}).want(t, c.postInvite)
	}
	app.client(t).get("/manage/staff").wantRedirect(t, "/login?next=%2Fmanage%2Fstaff")
}
