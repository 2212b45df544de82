package web

import (
	"context"
	"io"
	"strconv"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// TestDevMailboxScopedByCompany: an administrator reads only the mail
// their own company sent, never another company's nor account mail (a
// password reset) addressed to someone they have on file; only a visitor
// on the machine itself who is not signed in sees everything.
func TestDevMailboxScopedByCompany(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		adminA := seedCompany(t, db, "Alpha Lettings", "ada@alpha.test", testPassword)
		adminB := seedCompany(t, db, "Beta Lettings", "bea@beta.test", testPassword)
		seedStaff(t, db, adminA.CompanyID, "max@alpha.test", testPassword, lintel.RoleManager)
		app := newTestAppWith(t, db, Config{DevMailbox: true})

		mailA := queueDevEmail(t, db, lintel.Email{CompanyID: adminA.CompanyID, DedupeKey: "a1", Kind: "portal_welcome", To: "tenant@example.test", Subject: "Alpha welcome link", Text: "https://lintel.example/a"})
		mailB := queueDevEmail(t, db, lintel.Email{CompanyID: adminB.CompanyID, DedupeKey: "b1", Kind: "portal_welcome", To: "tenant@example.test", Subject: "Beta welcome link", Text: "https://lintel.example/b"})
		// Company B has Alpha's administrator on file as a contact, yet
		// must not read the reset link of that person's login.
		if _, err := db.CreateContact(ctx, adminB, lintel.Contact{Name: "Ada", IsTenant: true, Emails: []lintel.ContactEmail{{Email: "ada@alpha.test"}}}); err != nil {
			t.Fatal(err)
		}
		reset := queueDevEmail(t, db, lintel.Email{DedupeKey: "r1", Kind: "password_reset", To: "ada@alpha.test", Subject: "Reset your password", Text: "https://lintel.example/r"})

		client := func(email string) *testClient {
			c := app.client(t)
			if email != "" {
				c.loginAs(email, testPassword)
			}
			return c
		}
		path := func(id int64) string { return "/dev/mailbox/" + strconv.FormatInt(id, 10) }
		all := []string{"Alpha welcome link", "Beta welcome link", "Reset your password"}
		for _, tc := range []struct {
			who       string
			mine      int64
			sees      string
			notMine   []int64
			doesntSee []string
		}{
			{"ada@alpha.test", mailA, "Alpha welcome link", []int64{mailB, reset}, []string{"Beta welcome link", "Reset your password"}},
			{"bea@beta.test", mailB, "Beta welcome link", []int64{mailA, reset}, []string{"Alpha welcome link", "Reset your password"}},
		} {
			c := client(tc.who)
			list := c.get("/dev/mailbox").want(t, 200).wantBody(t, tc.sees)
			for _, s := range tc.doesntSee {
				if strings.Contains(list.Body, s) {
					t.Errorf("%s sees %q in the mailbox", tc.who, s)
				}
			}
			c.get(path(tc.mine)).want(t, 200).wantBody(t, tc.sees)
			for _, id := range tc.notMine {
				c.get(path(id)).want(t, 404)
				c.get(path(id)+"/html").want(t, 404)
			}
			// The same from another address.
			res := directGet(app.srv, path(tc.notMine[0]), "203.0.113.9:40000", c.sessionCookie())
			if body, _ := io.ReadAll(res.Body); res.StatusCode != 404 || strings.Contains(string(body), "welcome link") {
				t.Errorf("%s from outside: status %d for another company's mail", tc.who, res.StatusCode)
			}
		}

		// Signed in without being an administrator: nothing, even on loopback.
		manager := client("max@alpha.test")
		manager.get("/dev/mailbox").want(t, 404)
		manager.get(path(mailA)).want(t, 404)

		// On the machine itself, signed out: everything.
		client("").get("/dev/mailbox").want(t, 200).wantBody(t, all...)

		page, err := db.CompanyDevMailbox(ctx, adminB, 0, 0)
		if err != nil || len(page.Emails) != 1 || page.Emails[0].ID != mailB {
			t.Fatalf("CompanyDevMailbox(B) = %+v, %v; want only B's message", page.Emails, err)
		}
	})
}
