package web

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// seedTenantContact records a tenant contact with email in the staff
// member's company, through the store's own contact code.
func seedTenantContact(t *testing.T, db *sqldb.DB, s lintel.Staff, name, email string, owner bool) int64 {
	t.Helper()
	c := lintel.Contact{Name: name, IsTenant: !owner, IsOwner: owner}
	if email != "" {
		c.Emails = []lintel.ContactEmail{{Email: email}}
	}
	id, err := db.CreateContact(context.Background(), s, c)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestResidentSignupRoundTrip(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		app := newTestApp(t, db)
		admin := seedCompany(t, db, "Alpha Lettings", "ada@alpha.test", testPassword)
		seedTenantContact(t, db, admin, "Tess Tenant", "tess@example.test", false)

		cl := app.client(t)
		cl.get("/signup").want(t, 200)
		cl.postForm("/signup", url.Values{"email": {"Tess@Example.test"}}).want(t, 200).wantBody(t, "Check your e-mail")
		if n := len(app.emailsTo(t, "tess@example.test")); n != 0 {
			t.Fatal("the e-mail was sent on the request path; it must wait for the job")
		}
		if n := app.runJobs(t); n != 1 {
			t.Fatalf("%d jobs ran, want the one sign-up check", n)
		}
		m := app.lastEmailTo(t, "tess@example.test")
		link := app.linkIn(t, m, "/signup/verify?token=")

		// Opening the link (as a mail scanner would) changes nothing.
		for range 2 {
			cl.get(link).want(t, 200).wantBody(t, "tess@example.test")
		}
		r := cl.get(link)
		if r.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("Referrer-Policy = %q on a page with a token in its URL", r.Header.Get("Referrer-Policy"))
		}
		form := url.Values{"token": {tokenOf(t, link)}, "name": {"Tess"}, "password": {"password"}}
		cl.postForm("/signup/verify", form).want(t, 422).wantBody(t, "at least 12 characters")
		form.Set("password", "password1234") // on the common-passwords list
		cl.postForm("/signup/verify", form).want(t, 422).wantBody(t, "too common")
		form.Set("password", "tess's own long passphrase")
		cl.postForm("/signup/verify", form).wantRedirect(t, "/portal")
		cl.get("/portal").want(t, 200).wantBody(t, "Alpha Lettings", "Tess Tenant")

		// The link works once.
		app.client(t).get(link).want(t, 404).wantBody(t, "no longer works")
		app.client(t).postForm("/signup/verify", form).want(t, 404)
		app.client(t).loginAs("tess@example.test", "tess's own long passphrase").wantRedirect(t, "/portal")

		// Signing up again mails "you already have an account" with a reset link.
		app.client(t).postForm("/signup", url.Values{"email": {"tess@example.test"}}).want(t, 200)
		app.runJobs(t)
		m = app.lastEmailTo(t, "tess@example.test")
		if !strings.Contains(m.Subject, "already have") {
			t.Fatalf("second sign-up mailed %q", m.Subject)
		}
		app.linkIn(t, m, "/password/reset?token=")
	})
}

// requestIDs are the per-request values a page may carry.
var requestIDs = regexp.MustCompile(`Request [0-9a-f]{16}|<code>[0-9a-f]{16}</code>`)

// TestSignupAndResetDoNotTellWhoExists is SECURITY.md 2 / issue item 14:
// sign-up and forgotten password answer with the same status and the same
// body for a known contact, an unknown e-mail and an existing account,
// and do the same work on the request path (one job row).
func TestSignupAndResetDoNotTellWhoExists(t *testing.T) {
	t.Parallel()
	db := testkit.SQLite(t)
	app := newTestApp(t, db)
	admin := seedCompany(t, db, "Alpha Lettings", "ada@alpha.test", testPassword)
	seedTenantContact(t, db, admin, "Tess Tenant", "tess@example.test", false)
	seedResident(t, db, "rita@example.test", testPassword)
	emails := map[string]string{
		"known contact":    "tess@example.test",
		"unknown e-mail":   "nobody@example.test",
		"existing account": "rita@example.test",
		"staff account":    "ada@alpha.test",
	}
	for _, path := range []string{"/signup", "/password/forgot"} {
		t.Run(path, func(t *testing.T) {
			var first *resp
			var firstName string
			for name, email := range emails {
				before, _ := db.PendingJobs(context.Background(), jobKind(path))
				mailed := len(app.emailsTo(t, email))
				r := app.client(t).postForm(path, url.Values{"email": {email}})
				after, _ := db.PendingJobs(context.Background(), jobKind(path))
				if after != before+1 {
					t.Errorf("%s: %d jobs queued, want exactly 1 whatever the e-mail", name, after-before)
				}
				if len(app.emailsTo(t, email)) != mailed {
					t.Errorf("%s: e-mail sent on the request path", name)
				}
				body := requestIDs.ReplaceAllString(r.Body, "")
				if strings.Contains(body, email) {
					t.Errorf("%s: the answer repeats the e-mail", name)
				}
				if first == nil {
					first, firstName = r, name
					first.Body = body
					continue
				}
				if r.Status != first.Status || body != first.Body {
					t.Errorf("%s answers %d, %s answers %d; bodies equal: %v", name, r.Status, firstName, first.Status, body == first.Body)
				}
				for _, h := range []string{"Content-Type", "Set-Cookie", "Location", "Retry-After"} {
					if r.Header.Get(h) != first.Header.Get(h) {
						t.Errorf("%s: header %s = %q, %s has %q", name, h, r.Header.Get(h), firstName, first.Header.Get(h))
					}
				}
			}
			if first.Status != 200 {
				t.Fatalf("status %d, want 200", first.Status)
			}
			app.runJobs(t)
		})
	}
	// Only the owners of the addresses hear anything, each the right thing.
	if n := len(app.emailsTo(t, "nobody@example.test")); n != 0 {
		t.Errorf("an unknown e-mail got %d messages", n)
	}
	for email, want := range map[string][]string{
		"tess@example.test": {"Finish setting up", "Finish setting up"}, // a reset before sign-up sends the sign-up link
		"rita@example.test": {"already have", "Reset your"},
		"ada@alpha.test":    {"already have", "Reset your"},
	} {
		got := app.emailsTo(t, email)
		if len(got) != len(want) {
			t.Errorf("%s got %d messages, want %d", email, len(got), len(want))
			continue
		}
		for i := range want {
			if !strings.Contains(got[i].Subject, want[i]) {
				t.Errorf("%s message %d: subject %q, want it to contain %q", email, i, got[i].Subject, want[i])
			}
		}
	}
}

func jobKind(path string) string {
	if path == "/signup" {
		return "signup_check"
	}
	return "reset_check"
}

func TestTokenLinksExpireAfter60Minutes(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	db := testkit.SQLite(t, sqldb.Options{Now: clock.Now})
	app := newTestApp(t, db)
	admin := seedCompany(t, db, "Alpha Lettings", "ada@alpha.test", testPassword)
	seedTenantContact(t, db, admin, "Tess Tenant", "tess@example.test", false)
	cl := app.client(t)
	cl.postForm("/signup", url.Values{"email": {"tess@example.test"}})
	cl.postForm("/password/forgot", url.Values{"email": {"ada@alpha.test"}})
	app.runJobs(t)
	signup := app.linkIn(t, app.lastEmailTo(t, "tess@example.test"), "/signup/verify?token=")
	reset := app.linkIn(t, app.lastEmailTo(t, "ada@alpha.test"), "/password/reset?token=")

	clock.Advance(59 * time.Minute)
	cl.get(signup).want(t, 200)
	cl.get(reset).want(t, 200)
	clock.Advance(time.Minute)
	cl.get(signup).want(t, 404).wantBody(t, "no longer works")
	cl.get(reset).want(t, 404).wantBody(t, "no longer works")
	cl.postForm("/signup/verify", url.Values{"token": {tokenOf(t, signup)}, "name": {"Tess"}, "password": {"a perfectly fine passphrase"}}).want(t, 404)
	cl.postForm("/password/reset", url.Values{"token": {tokenOf(t, reset)}, "password": {"a perfectly fine passphrase"}}).want(t, 404)
	app.client(t).loginAs("ada@alpha.test", testPassword) // the password did not change
	cl.get("/signup/verify?token=made-up").want(t, 404)
	cl.get("/password/reset").want(t, 404)
}

func TestPasswordResetEndsOtherSessions(t *testing.T) {
	t.Parallel()
	db := testkit.SQLite(t)
	app := newTestApp(t, db)
	seedResident(t, db, "rita@example.test", testPassword)
	elsewhere := app.client(t)
	elsewhere.loginAs("rita@example.test", testPassword)
	app.client(t).postForm("/password/forgot", url.Values{"email": {"rita@example.test"}}).want(t, 200)
	app.runJobs(t)
	link := app.linkIn(t, app.lastEmailTo(t, "rita@example.test"), "/password/reset?token=")
	cl := app.client(t)
	cl.postForm("/password/reset", url.Values{"token": {tokenOf(t, link)}, "password": {"short"}}).want(t, 422).wantBody(t, "at least 12")
	cl.postForm("/password/reset", url.Values{"token": {tokenOf(t, link)}, "password": {"rita's new passphrase"}}).wantRedirect(t, "/portal")
	cl.get("/portal").want(t, 200)
	elsewhere.get("/portal").wantRedirect(t, "/login?next=%2Fportal")
	app.client(t).postForm("/password/reset", url.Values{"token": {tokenOf(t, link)}, "password": {"yet another passphrase"}}).want(t, 404)
	app.client(t).postForm("/login", login("rita@example.test", testPassword)).want(t, 422)
	app.client(t).loginAs("rita@example.test", "rita's new passphrase")
}
