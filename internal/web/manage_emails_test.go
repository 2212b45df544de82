package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

func TestUndeliveredEmailsShownToTheirCompany(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	ctx := context.Background()

	a := app.client(t)
	a.loginAs(w.A.Emails[testkit.Admin], testkit.Password)
	a.get("/manage").want(t, 200)
	if r := a.get("/manage"); strings.Contains(r.Body, "could not be delivered") {
		t.Fatal("dashboard warns before anything failed")
	}
	a.get("/manage/emails/undelivered").want(t, 200).wantBody(t, "Every e-mail was delivered")

	// Company A invites a tenant; the recipient's server refuses for good.
	a.postForm(fmt.Sprintf("/manage/contacts/%d/invite", w.A.Contacts[testkit.Tenant]), nil).want(t, 303)
	// The fixture's own e-mails (e.g. to owners) are delivered; the
	// invitation is refused.
	for {
		m, err := db.ClaimEmail(ctx, time.Minute)
		if lintel.IsNotFound(err) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if m.To != w.A.Emails[testkit.Tenant] {
			if err := db.MarkEmailSent(ctx, m.ID, m.Attempts); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := db.FailEmail(ctx, m.ID, m.Attempts, "550 5.1.1 mailbox unavailable"); err != nil {
			t.Fatal(err)
		}
	}

	a.get("/manage").want(t, 200).wantBody(t, "Some e-mails could not be delivered")
	a.get("/manage/emails/undelivered").want(t, 200).wantBody(t, w.A.Emails[testkit.Tenant], "550 5.1.1 mailbox unavailable")

	// Company B sees none of it; a bookkeeper of A does (any role may look).
	b := app.client(t)
	b.loginAs(w.B.Emails[testkit.Admin], testkit.Password)
	if r := b.get("/manage").want(t, 200); strings.Contains(r.Body, "could not be delivered") {
		t.Fatal("company B is warned about company A's e-mail")
	}
	if r := b.get("/manage/emails/undelivered").want(t, 200); strings.Contains(r.Body, w.A.Emails[testkit.Tenant]) {
		t.Fatal("company B sees company A's undelivered e-mail")
	}
	k := app.client(t)
	k.loginAs(w.A.Emails[testkit.Bookkeeper], testkit.Password)
	k.get("/manage/emails/undelivered").want(t, 200).wantBody(t, "550 5.1.1")
}

// TestDelayedEmailsShown: mail that keeps failing for now is listed with
// its wait, attempts and last error, and once anything has waited more
// than 15 minutes the dashboard says so; the other company sees none of it.
func TestDelayedEmailsShown(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Now().UTC())
	db, w := testkit.SQLiteWorld(t, sqldb.Options{Now: clock.Now})
	app := newTestAppWith(t, db, Config{Now: clock.Now})
	ctx := context.Background()
	a := app.client(t)
	a.loginAs(w.A.Emails[testkit.Admin], testkit.Password)
	// Everything queued so far is delivered but the invitation, which the
	// relay keeps refusing for now.
	a.postForm(fmt.Sprintf("/manage/contacts/%d/invite", w.A.Contacts[testkit.Tenant]), nil).want(t, 303)
	for {
		m, err := db.ClaimEmail(ctx, time.Minute)
		if lintel.IsNotFound(err) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if m.To != w.A.Emails[testkit.Tenant] {
			if err := db.MarkEmailSent(ctx, m.ID, m.Attempts); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := db.RetryEmail(ctx, m.ID, m.Attempts, clock.Now().Add(time.Hour), "421 4.3.2 try again later"); err != nil {
			t.Fatal(err)
		}
	}
	a.get("/manage/emails/undelivered").want(t, 200).wantBody(t, "Still trying", w.A.Emails[testkit.Tenant], "421 4.3.2 try again later", "No e-mail has been given up on")
	if r := a.get("/manage").want(t, 200); strings.Contains(r.Body, `id="mail-delayed"`) {
		t.Fatal("the dashboard warns about mail that has waited a minute")
	}
	clock.Advance(40 * time.Minute)
	a.loginAs(w.A.Emails[testkit.Admin], testkit.Password) // the staff session went idle
	a.get("/manage").want(t, 200).wantBody(t, `id="mail-delayed"`, "One e-mail has not been delivered yet; the oldest has waited 40 minutes")

	b := app.client(t)
	b.loginAs(w.B.Emails[testkit.Admin], testkit.Password)
	if r := b.get("/manage").want(t, 200); strings.Contains(r.Body, `id="mail-delayed"`) {
		t.Fatal("company B is warned about company A's mail")
	}
	if r := b.get("/manage/emails/undelivered").want(t, 200); strings.Contains(r.Body, "Still trying") {
		t.Fatal("company B sees company A's delayed mail")
	}
}
