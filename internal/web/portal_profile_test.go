package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

func init() {
	addMatrixRows(map[string]matrixRow{
		"GET /portal/profile":  {fixed("/portal/profile"), nil, portal},
		"POST /portal/profile": {fixed("/portal/profile"), nil, portal}, // no name: an allowed person gets the form's 422
		// Wrong current passwords: 422 for everyone signed in.
		"POST /portal/profile/password": {fixed("/portal/profile/password"), url.Values{"current_password": {"not the password"}}, portal},
		"POST /portal/profile/email":    {fixed("/portal/profile/email"), url.Values{"new_email": {"x@example.test"}}, portal},
		// The link is the credential: a bad one is the same 404 for all.
		"GET /portal/profile/email/verify":  {fixed("/portal/profile/email/verify?token=not-a-token"), nil, anything},
		"POST /portal/profile/email/verify": {fixed("/portal/profile/email/verify"), url.Values{"token": {"not-a-token"}}, anything},
		"GET /portal/settings":              {fixed("/portal/settings"), nil, portal},
		"POST /portal/settings":             {fixed("/portal/settings"), url.Values{"language": {"fr"}, "notify_billing": {"on"}}, portal},
		"POST /logout/everywhere":           {fixed("/logout/everywhere"), nil, signsOut},
	})
}

// TestPortalProfileForms sends each profile form as a tenant: refused
// forms come back with the message beside the field and change nothing;
// accepted ones are saved.
func TestPortalProfileForms(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	ctx := context.Background()
	tenantEmail := w.A.Emails[testkit.Tenant]
	otherEmail := w.A.Emails[testkit.OtherTenant]

	for _, tc := range []struct {
		name   string
		path   string
		form   url.Values
		status int
		body   []string // on the refused page, or on /portal/profile after saving
		field  string   // the field whose error is shown
		check  func(t *testing.T)
	}{
		{name: "details saved", path: "/portal/profile", form: url.Values{"name": {"Tess Tenant"}, "phone": {"+1 555 0100"}, "preferred_contact": {"text"}},
			status: 303, body: []string{"Your details are saved.", `value="Tess Tenant"`, `value="text" selected`}},
		{name: "details without a name", path: "/portal/profile", form: url.Values{"name": {""}, "preferred_contact": {"email"}},
			status: 422, field: "name", body: []string{"Enter your name"}},
		{name: "a text without a phone", path: "/portal/profile", form: url.Values{"name": {"Tess"}, "phone": {""}, "preferred_contact": {"text"}},
			status: 422, field: "phone", body: []string{"Enter a phone number, or choose e-mail"}},
		{name: "wrong current password", path: "/portal/profile/password", form: url.Values{"current_password": {"not my password"}, "new_password": {"a brand new passphrase"}},
			status: 422, field: "current_password", body: []string{"That is not your current password"}},
		{name: "weak new password", path: "/portal/profile/password", form: url.Values{"current_password": {testkit.Password}, "new_password": {"short"}},
			status: 422, field: "new_password", body: []string{"Use at least 12 characters"}},
		{name: "common new password", path: "/portal/profile/password", form: url.Values{"current_password": {testkit.Password}, "new_password": {"password1234"}},
			status: 422, field: "new_password", body: []string{"too common"}},
		{name: "e-mail with a wrong password", path: "/portal/profile/email", form: url.Values{"new_email": {"tess@new.test"}, "email_password": {"not my password"}},
			status: 422, field: "email_password", body: []string{"That is not your current password", `value="tess@new.test"`},
			check: func(t *testing.T) {
				if ms := app.emailsTo(t, "tess@new.test"); len(ms) != 0 {
					t.Fatalf("a refused change mailed the new address: %d", len(ms))
				}
			}},
		{name: "a malformed e-mail", path: "/portal/profile/email", form: url.Values{"new_email": {"tess at new"}, "email_password": {testkit.Password}},
			status: 422, field: "new_email", body: []string{"Enter an e-mail address like name@example.com."}},
		{name: "the same e-mail", path: "/portal/profile/email", form: url.Values{"new_email": {strings.ToUpper(tenantEmail)}, "email_password": {testkit.Password}},
			status: 422, field: "new_email", body: []string{"This is already your e-mail address"}},
		// Another account's address: the same answer and the same profile
		// as any address; that address is told, and gets no link.
		{name: "an e-mail another account has", path: "/portal/profile/email", form: url.Values{"new_email": {otherEmail}, "email_password": {testkit.Password}},
			status: 303, body: []string{"Check the inbox of your new address"},
			check: func(t *testing.T) {
				m := app.lastEmailTo(t, otherEmail)
				if m.Kind != "email_change_taken" || strings.Contains(m.Text, "/portal/profile/email/verify") {
					t.Fatalf("to the taken address: %s\n%s", m.Kind, m.Text)
				}
				if p, _ := db.ProfileOf(ctx, residentOfUser(t, db, tenantEmail)); p.PendingEmail != otherEmail {
					t.Fatalf("a change to a taken address shows %q waiting, as a free one would show it", p.PendingEmail)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := loginPersona(t, app, w.A, testkit.Tenant)
			r := c.postForm(tc.path, tc.form)
			if tc.status == 303 {
				r.wantRedirect(t, "/portal/profile")
				c.get("/portal/profile").want(t, 200).wantBody(t, tc.body...)
			} else {
				r.want(t, tc.status).wantBody(t, tc.body...)
				if tc.field != "" {
					r.wantBody(t, fmt.Sprintf(`id="e-%s"`, tc.field))
				}
				if strings.Contains(r.Body, testkit.Password) || strings.Contains(r.Body, "not my password") {
					t.Fatal("a password was sent back in the page")
				}
			}
			if tc.check != nil {
				tc.check(t)
			}
		})
	}
	// Nothing refused changed the password.
	loginPersona(t, app, w.A, testkit.Tenant)
}

// residentOfUser returns the resident actor of a login.
func residentOfUser(t *testing.T, db *sqldb.DB, email string) lintel.Resident {
	t.Helper()
	u, err := db.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return lintel.Resident{UserID: u.ID, Email: u.Email, Name: u.Name}
}

func TestPortalPasswordChange(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	email := w.A.Emails[testkit.Tenant]
	phone := loginPersona(t, app, w.A, testkit.Tenant)
	here := loginPersona(t, app, w.A, testkit.Tenant)
	cotenant := loginPersona(t, app, w.A, testkit.Cotenant)

	here.postForm("/portal/profile/password", url.Values{"current_password": {testkit.Password}, "new_password": {"a much longer passphrase"}}).
		wantRedirect(t, "/portal/profile")
	here.get("/portal/profile").want(t, 200).wantBody(t, "Your password has changed")
	phone.get("/portal/profile").wantRedirect(t, "/login?next=%2Fportal%2Fprofile")
	cotenant.get("/portal/profile").want(t, 200)

	c := app.client(t)
	if r := c.postForm("/login", url.Values{"email": {email}, "password": {testkit.Password}}); r.Status != 422 {
		t.Fatalf("the old password still signs in: %d", r.Status)
	}
	c.loginAs(email, "a much longer passphrase")
}

func TestPortalWrongPasswordsAreThrottled(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	c := loginPersona(t, app, w.A, testkit.Tenant)
	wrong := url.Values{"current_password": {"not my password"}, "new_password": {"a much longer passphrase"}}
	for range profilePasswordLimit {
		c.postForm("/portal/profile/password", wrong).want(t, 422)
	}
	// Locked now, even with the right password, on both forms.
	c.postForm("/portal/profile/password", url.Values{"current_password": {testkit.Password}, "new_password": {"a much longer passphrase"}}).
		want(t, 429).wantBody(t, "Too many wrong passwords")
	c.postForm("/portal/profile/email", url.Values{"new_email": {"tess@new.test"}, "email_password": {testkit.Password}}).want(t, 429)
	// Another person is not locked.
	loginPersona(t, app, w.A, testkit.Cotenant).postForm("/portal/profile/password",
		url.Values{"current_password": {testkit.Password}, "new_password": {"a much longer passphrase"}}).wantRedirect(t, "/portal/profile")
}

// TestPortalEmailChange walks the change of address: the link goes to the
// new address and a notice to the old one; opening the link changes
// nothing; confirming moves the login and the manager's contact records,
// with an entry in the contact's history; the link works once and dies
// after an hour.
func TestPortalEmailChange(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	db, w := testkit.SQLiteWorld(t, sqldb.Options{Now: clock.Now})
	app := newTestApp(t, db)
	ctx := context.Background()
	old := w.A.Emails[testkit.Tenant]
	const fresh = "tess.new@example.test"
	c := loginPersona(t, app, w.A, testkit.Tenant)

	c.postForm("/portal/profile/email", url.Values{"new_email": {"Tess.New@Example.test"}, "email_password": {testkit.Password}}).wantRedirect(t, "/portal/profile")
	c.get("/portal/profile").want(t, 200).wantBody(t, "Waiting for confirmation", fresh, "You sign in with "+old)
	notice := app.lastEmailTo(t, old)
	if notice.Kind != "email_change_notice" || !strings.Contains(notice.Text, fresh) || strings.Contains(notice.Text, "token=") {
		t.Fatalf("notice to the old address: %s\n%s", notice.Kind, notice.Text)
	}
	link := app.linkIn(t, app.lastEmailTo(t, fresh), "/portal/profile/email/verify")

	// Opening the link (twice, as a mail scanner would) changes nothing.
	for range 2 {
		r := c.get(strings.TrimPrefix(link, app.base)).want(t, 200).wantBody(t, "Confirm your new e-mail address", fresh, old)
		if r.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Fatalf("Referrer-Policy = %q", r.Header.Get("Referrer-Policy"))
		}
	}
	if u, _ := db.UserByEmail(ctx, old); u.ID == 0 {
		t.Fatal("opening the link changed the login")
	}

	c.postForm("/portal/profile/email/verify", url.Values{"token": {tokenOf(t, link)}}).wantRedirect(t, "/portal/profile")
	c.get("/portal/profile").want(t, 200).wantBody(t, "Your e-mail address has changed", "You sign in with "+fresh)
	// The manager's record moved, and the manager sees who changed it.
	ct, err := db.Contact(ctx, w.A.Staff[testkit.Admin], w.A.Contacts[testkit.Tenant])
	if err != nil {
		t.Fatal(err)
	}
	if len(ct.Emails) != 1 || ct.Emails[0].Email != fresh || !ct.Emails[0].Verified {
		t.Fatalf("the tenant's contact after the change: %+v", ct.Emails)
	}
	admin := loginPersona(t, app, w.A, testkit.Admin)
	admin.get(fmt.Sprintf("/manage/contacts/%d", w.A.Contacts[testkit.Tenant])).want(t, 200).
		wantBody(t, "E-mail changed by the resident", old+" → "+fresh, "(resident)", "Prefers to be contacted by", "Changed their e-mail address on")
	// The portal still shows the tenant's lease, now through the new address.
	c.get("/portal/maintenance").want(t, 200).wantBody(t, requestHref(w.A.Request))
	// The new address signs in; the old one no longer does.
	app.client(t).loginAs(fresh, testkit.Password)
	if r := app.client(t).postForm("/login", url.Values{"email": {old}, "password": {testkit.Password}}); r.Status != 422 {
		t.Fatalf("the old address still signs in: %d", r.Status)
	}

	// The link works once.
	c.postForm("/portal/profile/email/verify", url.Values{"token": {tokenOf(t, link)}}).want(t, 404).wantBody(t, "This link no longer works")
	c.get(strings.TrimPrefix(link, app.base)).want(t, 404)

	// Expired after an hour.
	c.postForm("/portal/profile/email", url.Values{"new_email": {"tess.later@example.test"}, "email_password": {testkit.Password}}).wantRedirect(t, "/portal/profile")
	late := app.linkIn(t, app.lastEmailTo(t, "tess.later@example.test"), "/portal/profile/email/verify")
	clock.Advance(61 * time.Minute)
	c.postForm("/portal/profile/email/verify", url.Values{"token": {tokenOf(t, late)}}).want(t, 404)

	// Taken between the request and the link: refused, said plainly.
	c.postForm("/portal/profile/email", url.Values{"new_email": {"race@example.test"}, "email_password": {testkit.Password}}).wantRedirect(t, "/portal/profile")
	race := app.linkIn(t, app.lastEmailTo(t, "race@example.test"), "/portal/profile/email/verify")
	seedResident(t, db, "race@example.test", testPassword)
	c.postForm("/portal/profile/email/verify", url.Values{"token": {tokenOf(t, race)}}).want(t, 409).wantBody(t, "Another account already signs in with this e-mail address")

	// From a browser that is not signed in, the link works too and says
	// what to do next.
	c.postForm("/portal/profile/email", url.Values{"new_email": {"tess.phone@example.test"}, "email_password": {testkit.Password}}).wantRedirect(t, "/portal/profile")
	other := app.linkIn(t, app.lastEmailTo(t, "tess.phone@example.test"), "/portal/profile/email/verify")
	app.client(t).postForm("/portal/profile/email/verify", url.Values{"token": {tokenOf(t, other)}}).want(t, 200).
		wantBody(t, "From now on, log in with tess.phone@example.test.")
}

func TestPortalSettings(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	ctx := context.Background()
	c := loginPersona(t, app, w.A, testkit.Tenant)
	res := residentOfUser(t, db, w.A.Emails[testkit.Tenant])

	c.get("/portal/settings").want(t, 200).wantBody(t, `lang="en"`, "Show cancelled requests", `name="notify_documents" value="on" checked`)
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		body   []string
		want   sqldb.Settings
	}{
		{"French, no document or maintenance e-mails, cancelled hidden", url.Values{"language": {"fr"}, "notify_billing": {"on"}, "notify_announcements": {"on"}}, 303,
			[]string{`lang="fr"`, "Paramètres", "Vos paramètres sont enregistrés."},
			sqldb.Settings{Language: "fr", NotifyBilling: true, NotifyAnnouncements: true, HideCancelled: true}},
		{"an unknown language", url.Values{"language": {"xx"}, "notify_billing": {"on"}}, 422,
			[]string{"Choisissez l’une des langues de la liste."},
			sqldb.Settings{Language: "fr", NotifyBilling: true, NotifyAnnouncements: true, HideCancelled: true}},
		{"back to the browser's language, everything on", url.Values{"language": {""}, "notify_maintenance": {"on"}, "notify_documents": {"on"},
			"notify_billing": {"on"}, "notify_announcements": {"on"}, "show_cancelled": {"on"}}, 303,
			[]string{`lang="en"`, "Your settings are saved."},
			sqldb.Settings{NotifyMaintenance: true, NotifyDocuments: true, NotifyBilling: true, NotifyAnnouncements: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.postForm("/portal/settings", tc.form)
			if tc.status == 303 {
				r.wantRedirect(t, "/portal/settings")
				r = c.get("/portal/settings").want(t, 200)
			} else {
				r.want(t, tc.status)
			}
			r.wantBody(t, tc.body...)
			got, err := db.SettingsOf(ctx, res)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("settings = %+v, want %+v", got, tc.want)
			}
		})
	}
	// The maintenance list's own switch still works and shows here.
	c.postForm("/portal/maintenance/settings", url.Values{"hide_cancelled": {"on"}}).wantRedirect(t, "/portal/maintenance")
	if body := c.get("/portal/settings").Body; strings.Contains(body, `name="show_cancelled" value="on" checked`) {
		t.Fatal("hidden on the list, still shown as shown in settings")
	}
}

func TestLogoutEverywhere(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	phone := loginPersona(t, app, w.A, testkit.Tenant)
	laptop := loginPersona(t, app, w.A, testkit.Tenant)
	cotenant := loginPersona(t, app, w.A, testkit.Cotenant)
	laptop.postForm("/logout/everywhere", nil).wantRedirect(t, "/login?signed_out=1")
	laptop.get("/portal").wantRedirect(t, "/login?next=%2Fportal")
	phone.get("/portal").wantRedirect(t, "/login?next=%2Fportal")
	cotenant.get("/portal").want(t, 200)
}

// TestMaintenanceEmailsFollowSettings: a tenant who turned maintenance
// e-mails off is not told about a visit's time; the co-tenant still is.
// Owners' approval requests are not maintenance updates and still go.
func TestMaintenanceEmailsFollowSettings(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	a := w.A
	loginPersona(t, app, a, testkit.Tenant).postForm("/portal/settings", url.Values{"notify_documents": {"on"}}).wantRedirect(t, "/portal/settings")
	before := len(app.emailsTo(t, a.Emails[testkit.Tenant]))

	c := loginPersona(t, app, a, testkit.Admin)
	v := versionIn(t, c.get(reqPath(a.Request)))
	c.postForm(visitPath(a.Visit)+"/schedule", url.Values{"version": {v}, "schedule_date": {"2030-05-06"}, "schedule_time": {"14:00"}}).wantRedirect(t, reqPath(a.Request))
	if m := app.lastEmailTo(t, a.Emails[testkit.Cotenant]); !strings.Contains(m.Subject, "Visit booked") {
		t.Fatalf("co-tenant told %q", m.Subject)
	}
	if got := len(app.emailsTo(t, a.Emails[testkit.Tenant])); got != before {
		t.Fatalf("the tenant who turned maintenance e-mails off got %d new e-mails", got-before)
	}

	// The owners turn maintenance e-mails off; the manager asks them to
	// approve work: they are asked all the same.
	for _, p := range []testkit.Persona{testkit.PropertyOwner, testkit.UnitOwner} {
		loginPersona(t, app, a, p).postForm("/portal/settings", url.Values{}).wantRedirect(t, "/portal/settings")
	}
	askApproval(c, a.OwnerRequest, [][2]string{{"version", "1"}, {"estimate", "1,250.00"}}, "", nil).
		wantRedirect(t, fmt.Sprintf("/manage/maintenance/%d", a.OwnerRequest))
	for _, p := range []testkit.Persona{testkit.PropertyOwner, testkit.UnitOwner} {
		if m := app.lastEmailTo(t, a.Emails[p]); m.Kind != "approval_request" || !strings.Contains(m.Subject, "Bathroom fan") {
			t.Fatalf("%s was not asked to approve: %s %q", p, m.Kind, m.Subject)
		}
	}
}
