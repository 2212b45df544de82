package sqldb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/i18n"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

var testLimits = sqldb.SessionLimits{Idle: time.Hour, Absolute: 24 * time.Hour}

func newResident(t *testing.T, db *sqldb.DB, email string) lintel.Resident {
	t.Helper()
	uid := get(db.CreateUser(context.Background(), sqldb.NewUser{Email: email, Name: "Pat", PasswordHash: "x", Verified: true})).ok(t)
	return lintel.Resident{UserID: uid, Email: email, Name: "Pat"}
}

func TestProfileUpdate(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		pat := newResident(t, db, "pat@example.test")
		other := newResident(t, db, "sam@example.test")
		for _, tc := range []struct {
			name    string
			in      lintel.ResidentProfile
			field   string // the refused field, or "" when saved
			wantSet lintel.ResidentProfile
		}{
			{"saved and trimmed", lintel.ResidentProfile{Name: "  Pat Doe ", Phone: " +1 555 0100 ", PreferredContact: "text"}, "",
				lintel.ResidentProfile{Name: "Pat Doe", Phone: "+1 555 0100", PreferredContact: "text"}},
			{"no name", lintel.ResidentProfile{Name: " ", PreferredContact: "email"}, "name", lintel.ResidentProfile{}},
			{"letters for a phone", lintel.ResidentProfile{Name: "Pat", Phone: "call me", PreferredContact: "email"}, "phone", lintel.ResidentProfile{}},
			{"a call without a phone", lintel.ResidentProfile{Name: "Pat", PreferredContact: "phone"}, "phone", lintel.ResidentProfile{}},
			{"an unknown way", lintel.ResidentProfile{Name: "Pat", PreferredContact: "pigeon"}, "preferred_contact", lintel.ResidentProfile{}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := get(db.ProfileOf(ctx, pat)).ok(t)
				err := db.UpdateProfile(ctx, pat, tc.in)
				after := get(db.ProfileOf(ctx, pat)).ok(t)
				if tc.field != "" {
					if lintel.FieldsOf(err)[tc.field] == "" {
						t.Fatalf("err = %v, want a message on %s", err, tc.field)
					}
					if after.Name != before.Name || after.Phone != before.Phone || after.PreferredContact != before.PreferredContact {
						t.Fatalf("a refused profile changed the row: %+v → %+v", before, after)
					}
					return
				}
				noErr(t, err)
				if after.Name != tc.wantSet.Name || after.Phone != tc.wantSet.Phone || after.PreferredContact != tc.wantSet.PreferredContact {
					t.Fatalf("saved %+v, want %+v", after, tc.wantSet)
				}
			})
		}
		// Only the resident's own row changes.
		if p := get(db.ProfileOf(ctx, other)).ok(t); p.Name != "Pat" || p.Phone != "" || p.PreferredContact != "email" {
			t.Fatalf("another login changed: %+v", p)
		}
	})
}

func TestProfileShowsWhatManagersRecord(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		a := newCompanyStaff(t, db, "Alpha Lettings")
		b := newCompanyStaff(t, db, "Beta Homes")
		exec(t, db, `UPDATE companies SET email = 'desk@beta.test', phone = '555-0199' WHERE id = $1`, b.CompanyID)
		ta := seedContact(t, db, a.CompanyID, "Pat Tenant", "pat@example.test", true, false, false)
		exec(t, db, `INSERT INTO contact_phones (company_id, contact_id, phone) VALUES ($1, $2, '555-0101')`, a.CompanyID, ta)
		seedContact(t, db, b.CompanyID, "P. Owner", "pat@example.test", false, true, false)
		seedContact(t, db, b.CompanyID, "Pat the Plumber", "pat@example.test", false, false, true) // an operator: not the resident
		seedContact(t, db, a.CompanyID, "Sam", "sam@example.test", true, false, false)
		pat := newResident(t, db, "pat@example.test")
		p := get(db.ProfileOf(ctx, pat)).ok(t)
		if len(p.Records) != 2 {
			t.Fatalf("records = %+v, want Alpha's tenant and Beta's owner", p.Records)
		}
		if r := p.Records[0]; r.CompanyName != "Alpha Lettings" || r.ContactName != "Pat Tenant" || len(r.Phones) != 1 || r.Phones[0] != "555-0101" ||
			len(r.Emails) != 1 || r.Emails[0] != "pat@example.test" {
			t.Fatalf("Alpha's record = %+v", r)
		}
		if r := p.Records[1]; r.CompanyName != "Beta Homes" || r.ContactName != "P. Owner" || r.CompanyEmail != "desk@beta.test" || r.CompanyPhone != "555-0199" {
			t.Fatalf("Beta's record = %+v", r)
		}
	})
}

func TestChangePasswordEndsOtherSessions(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		pat := newResident(t, db, "pat@example.test")
		sam := newResident(t, db, "sam@example.test")
		_, here := auth.NewToken()
		_, phone := auth.NewToken()
		_, samSession := auth.NewToken()
		noErr(t, db.CreateSession(ctx, pat.UserID, here, "", "", testLimits, testLimits))
		noErr(t, db.CreateSession(ctx, pat.UserID, phone, "", "", testLimits, testLimits))
		noErr(t, db.CreateSession(ctx, sam.UserID, samSession, "", "", testLimits, testLimits))
		_, reset := auth.NewToken()
		noErr(t, db.IssueToken(ctx, sqldb.NewToken{Hash: reset, Purpose: sqldb.PurposeReset, Email: pat.Email, TTL: time.Hour},
			lintel.Email{DedupeKey: "reset-1", Kind: "password_reset", To: pat.Email, Subject: "Reset", Text: "link"}))

		noErr(t, db.ChangePassword(ctx, pat, here, "new-hash"))
		if _, err := db.SessionByToken(ctx, here); err != nil {
			t.Fatalf("the browser that changed the password was signed out: %v", err)
		}
		if _, err := db.SessionByToken(ctx, phone); !lintel.IsNotFound(err) {
			t.Fatalf("the other device is still signed in: %v", err)
		}
		if _, err := db.SessionByToken(ctx, samSession); err != nil {
			t.Fatalf("another person's session ended: %v", err)
		}
		if u := get(db.UserByID(ctx, pat.UserID)).ok(t); u.PasswordHash != "new-hash" {
			t.Fatalf("hash = %q", u.PasswordHash)
		}
		if _, err := db.LiveToken(ctx, sqldb.PurposeReset, reset); !lintel.IsNotFound(err) {
			t.Fatalf("a reset link outlived the old password: %v", err)
		}
	})
}

func TestSettingsAndWantsEmail(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		pat := newResident(t, db, "pat@example.test")
		s := get(db.SettingsOf(ctx, pat)).ok(t)
		if s.Language != "" || !s.NotifyMaintenance || !s.NotifyDocuments || !s.NotifyBilling || !s.NotifyAnnouncements || s.HideCancelled {
			t.Fatalf("defaults = %+v, want every e-mail on and the browser's language", s)
		}
		err := db.SaveSettings(ctx, pat, sqldb.Settings{Language: "de"}, i18n.Supported)
		if lintel.FieldsOf(err)["language"] == "" {
			t.Fatalf("an unknown language: %v", err)
		}
		noErr(t, db.SaveSettings(ctx, pat, sqldb.Settings{Language: "fr", NotifyMaintenance: false, NotifyDocuments: true, NotifyBilling: false, NotifyAnnouncements: true}, i18n.Supported))
		noErr(t, db.SetHideCancelledRequests(ctx, pat, true))
		s = get(db.SettingsOf(ctx, pat)).ok(t)
		if s.Language != "fr" || s.NotifyMaintenance || !s.NotifyDocuments || s.NotifyBilling || !s.NotifyAnnouncements || !s.HideCancelled {
			t.Fatalf("saved = %+v", s)
		}
		for _, tc := range []struct {
			email string
			kind  lintel.NotifyKind
			want  bool
		}{
			{"pat@example.test", lintel.NotifyMaintenance, false},
			{" PAT@example.test", lintel.NotifyMaintenance, false},
			{"pat@example.test", lintel.NotifyDocuments, true},
			{"pat@example.test", lintel.NotifyBilling, false},
			{"pat@example.test", lintel.NotifyAnnouncements, true},
			{"nobody@example.test", lintel.NotifyMaintenance, true}, // no login: the manager's e-mails go
		} {
			if got := get(db.WantsEmail(ctx, tc.email, tc.kind)).ok(t); got != tc.want {
				t.Errorf("WantsEmail(%q, %s) = %v, want %v", tc.email, tc.kind, got, tc.want)
			}
		}
		if _, err := db.WantsEmail(ctx, "pat@example.test", "pigeons"); err == nil {
			t.Error("an unknown kind was accepted")
		}
	})
}

func changeMail(to string) sqldb.EmailChangeMail {
	return sqldb.EmailChangeMail{
		Verify: lintel.Email{DedupeKey: "verify:" + to, Kind: "email_change_verify", To: to, Subject: "Confirm", Text: "link"},
		Notice: lintel.Email{DedupeKey: "notice:" + to, Kind: "email_change_notice", To: "old@example.test", Subject: "Notice", Text: "notice"},
		Taken:  lintel.Email{DedupeKey: "taken:" + to, Kind: "email_change_taken", To: to, Subject: "Taken", Text: "taken"},
	}
}

func TestEmailChange(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(t0)
	testkit.ForEachDBWith(t, sqldb.Options{Now: clock.Now}, func(t *testing.T, db *sqldb.DB) {
		clock.Set(t0)
		ctx := context.Background()
		a := newCompanyStaff(t, db, "Alpha Lettings")
		b := newCompanyStaff(t, db, "Beta Homes")
		tenant := seedContact(t, db, a.CompanyID, "Pat Tenant", "old@example.test", true, false, false)
		owner := seedContact(t, db, b.CompanyID, "P. Owner", "old@example.test", false, true, false)
		exec(t, db, `INSERT INTO contact_emails (company_id, contact_id, email, position) VALUES ($1, $2, 'new@example.test', 1)`, b.CompanyID, owner)
		plumber := seedContact(t, db, b.CompanyID, "Pat the Plumber", "old@example.test", false, false, true)
		pat := newResident(t, db, "old@example.test")
		newResident(t, db, "taken@example.test")

		// Asking for an address another login has looks like asking for
		// any address (the change waits, the old address is told), so the
		// profile does not say which addresses have an account; that
		// address is told instead of sent a link, and the change can
		// never apply.
		_, h0 := auth.NewToken()
		noErr(t, db.RequestEmailChange(ctx, pat, "Taken@Example.test", h0, changeMail("taken@example.test")))
		if ms := get(db.QueuedEmails(ctx, "taken@example.test")).ok(t); len(ms) != 1 || ms[0].Kind != "email_change_taken" {
			t.Fatalf("to the taken address: %+v", ms)
		}
		if p := get(db.ProfileOf(ctx, pat)).ok(t); p.PendingEmail != "taken@example.test" {
			t.Fatalf("a change to a taken address shows %q waiting, as a free one would show it", p.PendingEmail)
		}
		if ms := get(db.QueuedEmails(ctx, "old@example.test")).ok(t); len(ms) != 1 || ms[0].Kind != "email_change_notice" {
			t.Fatalf("to the old address: %+v", ms)
		}
		if _, err := db.ApplyEmailChange(ctx, h0, ""); !errors.Is(err, sqldb.ErrEmailTaken) {
			t.Fatalf("applying a change to a taken address: %v", err)
		}
		// The current address is refused on the field.
		if err := db.RequestEmailChange(ctx, pat, "OLD@example.test", h0, changeMail("old@example.test")); lintel.FieldsOf(err)["new_email"] == "" {
			t.Fatalf("asking for the current address: %v", err)
		}

		// A first request, replaced by a second: only the newest link works.
		_, h1 := auth.NewToken()
		noErr(t, db.RequestEmailChange(ctx, pat, "first@example.test", h1, changeMail("first@example.test")))
		_, h2 := auth.NewToken()
		noErr(t, db.RequestEmailChange(ctx, pat, "new@example.test", h2, changeMail("new@example.test")))
		if _, err := db.LiveEmailChange(ctx, h1); !lintel.IsNotFound(err) {
			t.Fatalf("a replaced link still works: %v", err)
		}
		if p := get(db.ProfileOf(ctx, pat)).ok(t); p.Email != "old@example.test" || p.PendingEmail != "new@example.test" {
			t.Fatalf("before the link: %+v", p)
		}
		if ms := get(db.QueuedEmails(ctx, "new@example.test")).ok(t); len(ms) != 1 || ms[0].Kind != "email_change_verify" {
			t.Fatalf("to the new address: %+v", ms)
		}
		if ms := get(db.QueuedEmails(ctx, "old@example.test")).ok(t); len(ms) != 3 || ms[2].Kind != "email_change_notice" {
			t.Fatalf("to the old address (the taken, the first and the second request): %+v", ms)
		}
		c := get(db.LiveEmailChange(ctx, h2)).ok(t)
		if c.UserID != pat.UserID || c.OldEmail != "old@example.test" || c.NewEmail != "new@example.test" {
			t.Fatalf("live change = %+v", c)
		}

		c = get(db.ApplyEmailChange(ctx, h2, "192.0.2.1")).ok(t)
		if c.Contacts != 2 {
			t.Fatalf("moved %d contact records, want the tenant and the owner", c.Contacts)
		}
		u := get(db.UserByID(ctx, pat.UserID)).ok(t)
		if u.Email != "new@example.test" || u.EmailVerified.IsZero() {
			t.Fatalf("login after the change: %+v", u)
		}
		for _, tc := range []struct {
			contact     int64
			old, new    int
			auditEvents int
		}{
			{tenant, 0, 1, 1},
			{owner, 0, 1, 1}, // already had the new address: the old row went
			{plumber, 1, 0, 0},
		} {
			if n := count(t, db, `SELECT COUNT(*) FROM contact_emails WHERE contact_id = $1 AND email = 'old@example.test'`, tc.contact); n != tc.old {
				t.Errorf("contact %d keeps %d old addresses, want %d", tc.contact, n, tc.old)
			}
			if n := count(t, db, `SELECT COUNT(*) FROM contact_emails WHERE contact_id = $1 AND email = 'new@example.test'`, tc.contact); n != tc.new {
				t.Errorf("contact %d has %d new addresses, want %d", tc.contact, n, tc.new)
			}
			if n := count(t, db, `SELECT COUNT(*) FROM audit_events WHERE object_type = 'contact' AND object_id = $1 AND action = 'contact.email_change'
				AND detail = 'old@example.test → new@example.test'`, tc.contact); n != tc.auditEvents {
				t.Errorf("contact %d has %d e-mail change events, want %d", tc.contact, n, tc.auditEvents)
			}
		}
		// Each manager sees it in their own company's history.
		if log := get(db.AuditLog(ctx, a, "contact", tenant, 5)).ok(t); len(log) == 0 || log[0].Action != "contact.email_change" || log[0].Actor != "Pat (resident)" {
			t.Fatalf("Alpha's history of the tenant: %+v", log)
		}
		if acct := get(db.ContactAccountOf(ctx, b, owner)).ok(t); !acct.HasAccount || acct.PreferredContact != "email" || !acct.LastEmailChange.Equal(t0) {
			t.Fatalf("Beta's view of the owner's account: %+v", acct)
		}
		if acct := get(db.ContactAccountOf(ctx, b, plumber)).ok(t); acct.HasAccount || !acct.LastEmailChange.IsZero() {
			t.Fatalf("the plumber shows an account: %+v", acct)
		}
		if acct := get(db.ContactAccountOf(ctx, a, owner)).ok(t); acct.HasAccount || !acct.LastEmailChange.IsZero() {
			t.Fatalf("Alpha sees Beta's contact: %+v", acct)
		}
		// The portal follows the new address.
		pat.Email = "new@example.test"
		if h := get(db.PortalHomeOf(ctx, pat)).ok(t); len(h.Companies) != 2 {
			t.Fatalf("after the change the portal links %d companies, want 2", len(h.Companies))
		}
		// The link works once.
		if _, err := db.ApplyEmailChange(ctx, h2, ""); !errors.Is(err, sqldb.ErrTokenInvalid) {
			t.Fatalf("a used link: %v", err)
		}

		// An expired link changes nothing.
		_, h3 := auth.NewToken()
		noErr(t, db.RequestEmailChange(ctx, pat, "later@example.test", h3, changeMail("later@example.test")))
		clock.Advance(sqldb.EmailChangeTTL + time.Second)
		if _, err := db.ApplyEmailChange(ctx, h3, ""); !errors.Is(err, sqldb.ErrTokenInvalid) {
			t.Fatalf("an expired link: %v", err)
		}

		// Someone takes the address between the request and the link.
		_, h4 := auth.NewToken()
		noErr(t, db.RequestEmailChange(ctx, pat, "race@example.test", h4, changeMail("race@example.test")))
		newResident(t, db, "race@example.test")
		if _, err := db.ApplyEmailChange(ctx, h4, ""); !errors.Is(err, sqldb.ErrEmailTaken) {
			t.Fatalf("an address taken meanwhile: %v", err)
		}
		if u := get(db.UserByID(ctx, pat.UserID)).ok(t); u.Email != "new@example.test" {
			t.Fatalf("a refused change moved the login to %s", u.Email)
		}
	})
}
