package web

import (
	"net/url"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// With the database out of reach, a signed-in person gets "try again in a
// moment" (503), not the log-in page, and keeps their session cookie.
func TestDatabaseOutageKeepsTheSession(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		app := newTestApp(t, db)
		seedResident(t, db, "rita@example.test", testPassword)
		cl := app.client(t)
		cl.loginAs("rita@example.test", testPassword)
		raw := cl.sessionCookie()
		cl.get("/portal").want(t, 200)

		if err := db.Close(); err != nil { // the fault: no connection can be had
			t.Fatal(err)
		}
		for _, r := range []*resp{
			cl.get("/portal/maintenance"),
			cl.postForm("/portal/profile", url.Values{"name": {"Rita"}}),
			app.client(t).get("/login"), // signed out: the page itself works
		} {
			if r.Path == "/login" {
				r.want(t, 200)
				continue
			}
			r.want(t, 503).wantBody(t, "cannot reach its database", "Nothing you saved is lost")
			if r.Header.Get("Retry-After") == "" {
				t.Errorf("%s: no Retry-After", r.Path)
			}
			for _, c := range r.Header.Values("Set-Cookie") {
				if strings.HasPrefix(c, sessionCookie+"=") {
					t.Errorf("%s: the outage touched the session cookie: %s", r.Path, c)
				}
			}
		}
		if cl.sessionCookie() != raw {
			t.Fatal("the browser lost its session cookie during the outage")
		}
	})
}
