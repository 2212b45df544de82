package sqldb_test

import (
	"context"
	"testing"
	"time"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

func TestPortalHomeAcrossCompanies(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(t0)
	testkit.ForEachDBWith(t, sqldb.Options{Now: clock.Now}, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		a := newCompanyStaff(t, db, "Alpha Lettings")
		b := newCompanyStaff(t, db, "Beta Homes")
		exec(t, db, `UPDATE companies SET email = 'hello@beta.test', phone = '555-0100' WHERE id = $1`, b.CompanyID)

		// Pat is a tenant at Alpha (a current and an ended lease) and an
		// owner at Beta (a whole property, half, and one unit).
		tenant := seedContact(t, db, a.CompanyID, "Pat Tenant", "pat@example.test", true, false, false)
		_, unitA := seedUnit(t, db, a.CompanyID, "Elm Court", "Flat 2")
		_, oldUnit := seedUnit(t, db, a.CompanyID, "Ash Row", "No. 9")
		now := sqldb.NowForTest(db)
		lease := insert(t, db, `INSERT INTO leases (company_id, unit_id, start_date, end_date, created_at, updated_at) VALUES ($1, $2, '2026-01-01', NULL, $3, $3)`, a.CompanyID, unitA, now)
		ended := insert(t, db, `INSERT INTO leases (company_id, unit_id, start_date, end_date, created_at, updated_at) VALUES ($1, $2, '2024-01-01', '2025-06-30', $3, $3)`, a.CompanyID, oldUnit, now)
		for _, l := range []int64{lease, ended} {
			exec(t, db, `INSERT INTO lease_tenants (lease_id, contact_id, company_id) VALUES ($1, $2, $3)`, l, tenant, a.CompanyID)
		}
		owner := seedContact(t, db, b.CompanyID, "P. Owner", "pat@example.test", false, true, false)
		propB, unitB := seedUnit(t, db, b.CompanyID, "Oak House", "Garden flat")
		exec(t, db, `INSERT INTO ownerships (company_id, contact_id, property_id, share_bp, created_at, updated_at) VALUES ($1, $2, $3, 5000, $4, $4)`, b.CompanyID, owner, propB, now)
		exec(t, db, `INSERT INTO ownerships (company_id, contact_id, property_id, unit_id, share_bp, created_at, updated_at) VALUES ($1, $2, $3, $4, 10000, $5, $5)`, b.CompanyID, owner, propB, unitB, now)

		// Noise that must not show: an operator contact and an archived
		// tenant with Pat's e-mail, and another person's lease.
		seedContact(t, db, b.CompanyID, "Pat the Plumber", "pat@example.test", false, false, true)
		gone := seedContact(t, db, b.CompanyID, "Old Pat", "pat@example.test", true, false, false)
		exec(t, db, `UPDATE contacts SET archived_at = $1 WHERE id = $2`, now, gone)
		stranger := seedContact(t, db, a.CompanyID, "Sam Stranger", "sam@example.test", true, false, false)
		exec(t, db, `INSERT INTO lease_tenants (lease_id, contact_id, company_id) VALUES ($1, $2, $3)`, lease, stranger, a.CompanyID)

		uid := get(db.CreateUser(ctx, sqldb.NewUser{Email: "Pat@Example.test", Name: "Pat", Verified: true})).ok(t)
		pat := lintel.Resident{UserID: uid, Email: "pat@example.test", Name: "Pat"}
		h := get(db.PortalHomeOf(ctx, pat)).ok(t)
		if len(h.Companies) != 2 || h.Companies[0].Name != "Alpha Lettings" || !h.Companies[0].Tenant || h.Companies[0].Owner ||
			h.Companies[1].Name != "Beta Homes" || !h.Companies[1].Owner || h.Companies[1].Tenant || h.Companies[1].Email != "hello@beta.test" {
			t.Fatalf("companies = %+v", h.Companies)
		}
		if len(h.Leases) != 2 || h.Leases[0].UnitLabel != "Flat 2" || h.Leases[0].Status != lintel.LeaseActive ||
			h.Leases[1].PropertyName != "Ash Row" || h.Leases[1].Status != lintel.LeaseEnded {
			t.Fatalf("leases = %+v", h.Leases)
		}
		if len(h.Assets) != 2 || h.Assets[0].UnitLabel != "" || h.Assets[0].Share() != "50%" || h.Assets[1].UnitLabel != "Garden flat" || h.Assets[1].ShareBP != 10000 {
			t.Fatalf("assets = %+v", h.Assets)
		}

		// Someone else, an unverified login and a resident with nothing
		// linked see nothing of Pat's.
		for _, u := range []sqldb.NewUser{
			{Email: "nobody@example.test", Verified: true},
			{Email: "sam@example.test", Verified: false},
		} {
			id := get(db.CreateUser(ctx, u)).ok(t)
			h := get(db.PortalHomeOf(ctx, lintel.Resident{UserID: id, Email: u.Email})).ok(t)
			if h.Linked() || len(h.Leases) != 0 || len(h.Assets) != 0 {
				t.Errorf("%s (verified %v) sees %+v", u.Email, u.Verified, h)
			}
		}
	})
}

func TestInviteContactToPortal(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		a := newCompanyStaff(t, db, "Alpha Lettings")
		b := newCompanyStaff(t, db, "Beta Homes")
		tenant := seedContact(t, db, a.CompanyID, "Tess Tenant", "tess@example.test", true, false, false)
		operator := seedContact(t, db, a.CompanyID, "Olly Operator", "olly@example.test", false, false, true)
		noMail := seedContact(t, db, a.CompanyID, "Norah No-mail", "", false, true, false)
		compose := func(inv sqldb.PortalInvite) (lintel.Email, error) {
			return lintel.Email{DedupeKey: "welcome:" + inv.To + inv.Name, Kind: "portal_welcome", To: inv.To, Subject: "Welcome " + inv.Name, Text: "link"}, nil
		}
		invite := func(s lintel.Staff, id int64) (sqldb.PortalInvite, string, error) {
			raw, hash := auth.NewToken()
			inv, err := db.InviteContactToPortal(ctx, s, id, sqldb.NewToken{Hash: hash, TTL: 7 * 24 * time.Hour}, compose)
			return inv, raw, err
		}
		if _, _, err := invite(b, tenant); !lintel.IsNotFound(err) {
			t.Fatalf("another company invited our tenant: %v", err)
		}
		for _, id := range []int64{operator, noMail} {
			if _, _, err := invite(a, id); lintel.KindOf(err) != lintel.KindConflict {
				t.Errorf("contact %d: err = %v, want a conflict saying what to fix", id, err)
			}
		}
		bk := lintel.Staff{UserID: a.UserID, CompanyID: a.CompanyID, Role: lintel.RoleBookkeeper}
		if _, _, err := invite(bk, tenant); lintel.KindOf(err) != lintel.KindForbidden {
			t.Fatalf("a bookkeeper invited a tenant: %v", err)
		}
		inv, raw, err := invite(a, tenant)
		if err != nil || inv.To != "tess@example.test" || inv.HasAccount || inv.CompanyName != "Alpha Lettings" {
			t.Fatalf("invite = %+v, %v", inv, err)
		}
		tok := get(db.LiveToken(ctx, sqldb.PurposeSignup, auth.HashToken(raw))).ok(t)
		if tok.Email != "tess@example.test" || tok.ExpiresAt.Sub(db.Now()) < 6*24*time.Hour {
			t.Fatalf("welcome token = %+v, want 7 days for tess", tok)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM contacts WHERE id = $1 AND portal_invited_at IS NOT NULL`, tenant); n != 1 {
			t.Fatal("portal_invited_at not set")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = 'contact.portal_invite' AND object_id = $1 AND company_id = $2`, tenant, a.CompanyID); n != 1 {
			t.Fatal("no audit event")
		}
		if n := len(get(db.QueuedEmails(ctx, "tess@example.test")).ok(t)); n != 1 {
			t.Fatalf("%d welcome e-mails, want 1", n)
		}

		// With an account already, no token: the e-mail says to log in.
		get(db.CompleteSignup(ctx, auth.HashToken(raw), "Tess", "h")).ok(t)
		inv, raw, err = invite(a, tenant)
		if err != nil || !inv.HasAccount {
			t.Fatalf("second invite = %+v, %v", inv, err)
		}
		if _, err := db.LiveToken(ctx, sqldb.PurposeSignup, auth.HashToken(raw)); !lintel.IsNotFound(err) {
			t.Fatal("a sign-up token was made for someone who has an account")
		}
	})
}
