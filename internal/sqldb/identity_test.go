package sqldb_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// got carries a result and its error until ok checks them:
// get(db.Something(ctx)).ok(t).
type got[T any] struct {
	v   T
	err error
}

func get[T any](v T, err error) got[T] { return got[T]{v, err} }

func (g got[T]) ok(t *testing.T) T {
	t.Helper()
	if g.err != nil {
		t.Fatal(g.err)
	}
	return g.v
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func exec(t *testing.T, db *sqldb.DB, q string, args ...any) {
	t.Helper()
	noErr(t, db.IdentityExecForTest(context.Background(), q, args...))
}

func insert(t *testing.T, db *sqldb.DB, q string, args ...any) int64 {
	t.Helper()
	return get(db.IdentityInsertForTest(context.Background(), q, args...)).ok(t)
}

func count(t *testing.T, db *sqldb.DB, q string, args ...any) int {
	t.Helper()
	return get(db.IdentityCountForTest(context.Background(), q, args...)).ok(t)
}

// seedContact inserts a contact of company with an e-mail (lower-case).
func seedContact(t *testing.T, db *sqldb.DB, company int64, name, email string, tenant, owner, operator bool) int64 {
	t.Helper()
	now := sqldb.NowForTest(db)
	id := insert(t, db, `INSERT INTO contacts (company_id, name, is_tenant, is_owner, is_operator, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)`,
		company, name, tenant, owner, operator, now)
	if email != "" {
		exec(t, db, `INSERT INTO contact_emails (company_id, contact_id, email) VALUES ($1, $2, $3)`, company, id, email)
	}
	return id
}

// seedUnit inserts a property with one unit and returns both ids.
func seedUnit(t *testing.T, db *sqldb.DB, company int64, property, unit string) (int64, int64) {
	t.Helper()
	now := sqldb.NowForTest(db)
	p := insert(t, db, `INSERT INTO properties (company_id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)`, company, property, now)
	u := insert(t, db, `INSERT INTO units (company_id, property_id, label, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)`, company, p, unit, now)
	return p, u
}

func TestThrottle(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(t0)
	testkit.ForEachDBWith(t, sqldb.Options{Now: clock.Now}, func(t *testing.T, db *sqldb.DB) {
		clock.Set(t0)
		ctx := context.Background()
		acct := sqldb.ThrottleRule{Key: "login:account:x", Limit: 3, Window: 15 * time.Minute}
		ip := sqldb.ThrottleRule{Key: "login:ip:1", Limit: 10, Window: 15 * time.Minute}
		for i := 1; i <= 2; i++ {
			if locked := get(db.RecordFailure(ctx, acct, ip)).ok(t); !locked.IsZero() {
				t.Fatalf("failure %d locked until %v; the limit is 3", i, locked)
			}
		}
		clock.Advance(time.Minute)
		locked := get(db.RecordFailure(ctx, acct, ip)).ok(t)
		if want := t0.Add(15 * time.Minute); !locked.Equal(want) {
			t.Fatalf("third failure locked until %v, want the end of the window %v", locked, want)
		}
		if until := get(db.ThrottledUntil(ctx, acct.Key, ip.Key)).ok(t); !until.Equal(locked) {
			t.Fatalf("ThrottledUntil = %v, want %v", until, locked)
		}
		if until := get(db.ThrottledUntil(ctx, ip.Key, "login:account:other")).ok(t); !until.IsZero() {
			t.Fatalf("keys under their limit are locked until %v", until)
		}
		clock.Advance(15 * time.Minute) // past the window
		if until := get(db.ThrottledUntil(ctx, acct.Key)).ok(t); !until.IsZero() {
			t.Fatalf("lock outlived its window: %v", until)
		}
		if locked := get(db.RecordFailure(ctx, acct)).ok(t); !locked.IsZero() {
			t.Fatal("a new window must count from one")
		}
		noErr(t, db.ClearThrottle(ctx, acct.Key))
		if n := count(t, db, `SELECT COUNT(*) FROM throttle WHERE key = $1`, acct.Key); n != 0 {
			t.Fatalf("ClearThrottle left %d rows", n)
		}
		clock.Advance(time.Hour)
		noErr(t, db.PurgeThrottle(ctx))
		if n := count(t, db, `SELECT COUNT(*) FROM throttle`); n != 0 {
			t.Fatalf("PurgeThrottle left %d ended counters", n)
		}
	})
}

func TestTokensSingleUseAndExpiry(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(t0)
	testkit.ForEachDBWith(t, sqldb.Options{Now: clock.Now}, func(t *testing.T, db *sqldb.DB) {
		clock.Set(t0)
		ctx := context.Background()
		issue := func(purpose, email string) string {
			raw, hash := auth.NewToken()
			err := db.IssueToken(ctx, sqldb.NewToken{Hash: hash, Purpose: purpose, Email: email, TTL: time.Hour},
				lintel.Email{DedupeKey: "test:" + hash, Kind: "test", To: strings.ToLower(email), Subject: "s", Text: "t"})
			if err != nil {
				t.Fatal(err)
			}
			return raw
		}
		raw := issue(sqldb.PurposeSignup, "Ana@Example.test")
		tok := get(db.LiveToken(ctx, sqldb.PurposeSignup, auth.HashToken(raw))).ok(t)
		if tok.Email != "ana@example.test" || tok.HasAccount {
			t.Fatalf("live token = %+v", tok)
		}
		if _, err := db.LiveToken(ctx, sqldb.PurposeReset, auth.HashToken(raw)); !lintel.IsNotFound(err) {
			t.Fatalf("a sign-up token used for reset: err = %v, want not found", err)
		}
		if n := len(get(db.QueuedEmails(ctx, "ana@example.test")).ok(t)); n != 1 {
			t.Fatalf("%d e-mails queued with the token, want 1", n)
		}
		id := get(db.CompleteSignup(ctx, auth.HashToken(raw), "Ana", "hash")).ok(t)
		u := get(db.UserByID(ctx, id)).ok(t)
		if u.Email != "ana@example.test" || u.EmailVerified.IsZero() {
			t.Fatalf("signed-up user = %+v, want a verified e-mail", u)
		}
		if _, err := db.CompleteSignup(ctx, auth.HashToken(raw), "Ana", "hash"); !errors.Is(err, sqldb.ErrTokenInvalid) {
			t.Fatalf("second use: err = %v, want ErrTokenInvalid", err)
		}

		// A reset token ends every session and older reset links.
		noErr(t, db.CreateSession(ctx, id, "sess-hash", "", "", sqldb.SessionLimits{Idle: time.Hour, Absolute: time.Hour}, sqldb.SessionLimits{Idle: time.Hour, Absolute: time.Hour}))
		older := issue(sqldb.PurposeReset, "ana@example.test")
		raw = issue(sqldb.PurposeReset, "ana@example.test")
		gotID, email, err := db.ResetPassword(ctx, auth.HashToken(raw), "newhash")
		noErr(t, err)
		if gotID != id || email != "ana@example.test" {
			t.Fatalf("ResetPassword = %d %q", gotID, email)
		}
		if _, err := db.SessionByToken(ctx, "sess-hash"); !lintel.IsNotFound(err) {
			t.Fatalf("session survived the reset: %v", err)
		}
		if _, _, err := db.ResetPassword(ctx, auth.HashToken(older), "x"); !lintel.IsNotFound(err) {
			t.Fatalf("an older reset link still works: %v", err)
		}
		if get(db.UserByID(ctx, id)).ok(t).PasswordHash != "newhash" {
			t.Fatal("password not changed")
		}

		// Expiry: 60 minutes, to the second.
		raw = issue(sqldb.PurposeSignup, "ben@example.test")
		clock.Advance(59 * time.Minute)
		get(db.LiveToken(ctx, sqldb.PurposeSignup, auth.HashToken(raw))).ok(t)
		clock.Advance(time.Minute)
		if _, err := db.LiveToken(ctx, sqldb.PurposeSignup, auth.HashToken(raw)); !lintel.IsNotFound(err) {
			t.Fatalf("token alive after 60 minutes: %v", err)
		}
		if _, err := db.CompleteSignup(ctx, auth.HashToken(raw), "Ben", "h"); !lintel.IsNotFound(err) {
			t.Fatalf("expired token used: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM users WHERE email = 'ben@example.test'`); n != 0 {
			t.Fatal("an expired token created a user")
		}
	})
}

func TestJobsClaimRetryFinish(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(t0)
	testkit.ForEachDBWith(t, sqldb.Options{Now: clock.Now}, func(t *testing.T, db *sqldb.DB) {
		clock.Set(t0)
		ctx := context.Background()
		kinds := []string{"a", "b"}
		noErr(t, db.EnqueueJob(ctx, "a", `{"n":1}`))
		clock.Advance(time.Second)
		noErr(t, db.EnqueueJob(ctx, "b", `{"n":2}`))
		noErr(t, db.EnqueueJob(ctx, "other", `{}`))
		j1 := get(db.ClaimJob(ctx, kinds, time.Minute)).ok(t)
		j2 := get(db.ClaimJob(ctx, kinds, time.Minute)).ok(t)
		if j1.Kind != "a" || j2.Kind != "b" || j1.Attempts != 1 || j1.Payload != `{"n":1}` {
			t.Fatalf("claimed %+v then %+v, want a then b, first attempt", j1, j2)
		}
		if _, err := db.ClaimJob(ctx, kinds, time.Minute); !lintel.IsNotFound(err) {
			t.Fatalf("a third claim found %v; both jobs are claimed and 'other' is not asked for", err)
		}
		noErr(t, db.FinishJob(ctx, j1.ID))
		noErr(t, db.RetryJob(ctx, j2.ID, "smtp down", 10*time.Second, false))
		if _, err := db.ClaimJob(ctx, kinds, time.Minute); !lintel.IsNotFound(err) {
			t.Fatal("a retried job ran before its delay")
		}
		clock.Advance(10 * time.Second)
		again := get(db.ClaimJob(ctx, kinds, time.Minute)).ok(t)
		if again.ID != j2.ID || again.Attempts != 2 {
			t.Fatalf("retry claimed %+v, want job %d attempt 2", again, j2.ID)
		}
		// A worker that dies loses its claim when the lease ends.
		clock.Advance(time.Minute)
		stolen := get(db.ClaimJob(ctx, kinds, time.Minute)).ok(t)
		if stolen.ID != j2.ID || stolen.Attempts != 3 {
			t.Fatalf("after the lease ended, claimed %+v", stolen)
		}
		noErr(t, db.RetryJob(ctx, j2.ID, "gave up", 0, true))
		if n := get(db.PendingJobs(ctx, "b")).ok(t); n != 0 {
			t.Fatalf("%d jobs pending after giving up", n)
		}
	})
}

func TestLookupSignup(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		a := newCompanyStaff(t, db, "Alpha Lettings")
		seedContact(t, db, a.CompanyID, "Tess Tenant", "tess@example.test", true, false, false)
		seedContact(t, db, a.CompanyID, "Olly Operator", "olly@example.test", false, false, true)
		gone := seedContact(t, db, a.CompanyID, "Archie Archived", "archie@example.test", true, false, false)
		exec(t, db, `UPDATE contacts SET archived_at = $1 WHERE id = $2`, sqldb.NowForTest(db), gone)
		for _, c := range []struct {
			email, contact string
			user           bool
		}{
			{"TESS@example.test", "Tess Tenant", false},
			{"olly@example.test", "", false}, // operators do not get portal accounts
			{"archie@example.test", "", false},
			{"alphalettings@example.com", "", true}, // the admin: an account, no contact
			{"nobody@example.test", "", false},
		} {
			l := get(db.LookupSignup(ctx, c.email)).ok(t)
			if l.Contact != c.contact || (l.User.ID != 0) != c.user {
				t.Errorf("%s: contact %q user %d, want %q and user=%v", c.email, l.Contact, l.User.ID, c.contact, c.user)
			}
		}
	})
}

func TestStaffInviteRolesAndDisable(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		admin := newCompanyStaff(t, db, "Alpha Lettings")
		other := newCompanyStaff(t, db, "Beta Homes")
		invite := func(s lintel.Staff, email string, role lintel.Role) (string, error) {
			raw, hash := auth.NewToken()
			return raw, db.InviteStaff(ctx, s, sqldb.NewToken{Hash: hash, Email: email, Role: role, TTL: 7 * 24 * time.Hour},
				lintel.Email{DedupeKey: "staff_invite:" + hash, Kind: "staff_invite", To: strings.ToLower(email), Subject: "Join", Text: "link"})
		}
		raw := get(invite(admin, "Bea@Example.test", lintel.RoleBookkeeper)).ok(t)
		if _, err := invite(admin, "alphalettings@example.com", lintel.RoleManager); lintel.FieldsOf(err)["email"] == "" {
			t.Fatalf("inviting an active member: err = %v, want a message on the e-mail field", err)
		}
		inv := get(db.PendingStaffInvites(ctx, admin)).ok(t)
		if len(inv) != 1 || inv[0].Email != "bea@example.test" || inv[0].Role != lintel.RoleBookkeeper {
			t.Fatalf("pending invites = %+v", inv)
		}
		if n := len(get(db.PendingStaffInvites(ctx, other)).ok(t)); n != 0 {
			t.Fatalf("another company sees %d of our invitations", n)
		}
		tok := get(db.LiveToken(ctx, sqldb.PurposeStaffInvite, auth.HashToken(raw))).ok(t)
		if tok.CompanyName != "Alpha Lettings" || tok.InvitedBy != admin.Name || tok.HasAccount {
			t.Fatalf("invitation token = %+v", tok)
		}
		bea, cid, err := db.AcceptStaffInvite(ctx, auth.HashToken(raw), sqldb.AcceptInvite{Name: "Bea", PasswordHash: "h"})
		if err != nil || cid != admin.CompanyID {
			t.Fatalf("accept: company %d, err %v", cid, err)
		}
		if _, _, err := db.AcceptStaffInvite(ctx, auth.HashToken(raw), sqldb.AcceptInvite{Name: "Bea", PasswordHash: "h"}); !lintel.IsNotFound(err) {
			t.Fatalf("invitation accepted twice: %v", err)
		}
		bk := lintel.Staff{UserID: bea, CompanyID: admin.CompanyID, Role: lintel.RoleBookkeeper, Name: "Bea"}
		if _, err := invite(bk, "x@example.test", lintel.RoleAdmin); !errors.Is(err, lintel.ErrForbidden) {
			t.Fatalf("a bookkeeper invited staff: %v", err)
		}

		// An existing user accepts as themselves; someone else cannot.
		raw = get(invite(other, "bea@example.test", lintel.RoleManager)).ok(t)
		if _, _, err := db.AcceptStaffInvite(ctx, auth.HashToken(raw), sqldb.AcceptInvite{UserID: admin.UserID}); !errors.Is(err, lintel.ErrForbidden) {
			t.Fatalf("accepted as the wrong user: %v", err)
		}
		if _, _, err := db.AcceptStaffInvite(ctx, auth.HashToken(raw), sqldb.AcceptInvite{UserID: bea}); err != nil {
			t.Fatal(err)
		}
		if ms := get(db.Memberships(ctx, bea)).ok(t); len(ms) != 2 {
			t.Fatalf("Bea belongs to %d companies, want 2", len(ms))
		}

		// Roles: not yourself, not the last admin, not outside the company.
		if err := db.SetStaffRole(ctx, admin, admin.UserID, lintel.RoleManager); lintel.KindOf(err) != lintel.KindConflict {
			t.Fatalf("changed own role: %v", err)
		}
		if err := db.SetStaffRole(ctx, admin, other.UserID, lintel.RoleManager); !lintel.IsNotFound(err) {
			t.Fatalf("changed the role of another company's admin: %v", err)
		}
		noErr(t, db.SetStaffRole(ctx, admin, bea, lintel.RoleAdmin))
		beaAdmin := lintel.Staff{UserID: bea, CompanyID: admin.CompanyID, Role: lintel.RoleAdmin, Name: "Bea"}
		if err := db.SetStaffDisabled(ctx, beaAdmin, bea, true); lintel.KindOf(err) != lintel.KindConflict {
			t.Fatalf("disabled herself: %v", err)
		}
		noErr(t, db.SetStaffDisabled(ctx, beaAdmin, admin.UserID, true)) // two admins: allowed
		// The first admin's page was still open: demoting Bea now would
		// leave no active administrator.
		if err := db.SetStaffRole(ctx, admin, bea, lintel.RoleManager); lintel.KindOf(err) != lintel.KindConflict {
			t.Fatalf("demoted the last active admin: %v", err)
		}
		if err := db.SetStaffDisabled(ctx, admin, bea, true); lintel.KindOf(err) != lintel.KindConflict {
			t.Fatalf("disabled the last active admin: %v", err)
		}

		// Disabling ends the member's sessions in that company at once.
		lim := sqldb.SessionLimits{Idle: time.Hour, Absolute: time.Hour}
		noErr(t, db.CreateSession(ctx, bea, "bea-session", "", "", lim, lim))
		noErr(t, db.SwitchCompany(ctx, "bea-session", bea, other.CompanyID, sqldb.SessionLimits{Idle: time.Hour, Absolute: 12 * time.Hour}))
		noErr(t, db.SetStaffDisabled(ctx, other, bea, true))
		if _, err := db.SessionByToken(ctx, "bea-session"); !lintel.IsNotFound(err) {
			t.Fatalf("session survived disabling: %v", err)
		}
		members := get(db.StaffMembers(ctx, other)).ok(t)
		if len(members) != 2 || members[1].UserID != bea || !members[1].Disabled {
			t.Fatalf("members = %+v, want Bea listed last, disabled", members)
		}
		noErr(t, db.SetStaffDisabled(ctx, other, bea, false))
		if ms := get(db.Memberships(ctx, bea)).ok(t); len(ms) != 2 {
			t.Fatalf("re-enabled: %d memberships, want 2", len(ms))
		}
		get(invite(beaAdmin, "cy@example.test", lintel.RoleMaintenance)).ok(t)
		if err := db.RevokeStaffInvites(ctx, other, "cy@example.test"); !lintel.IsNotFound(err) {
			t.Fatalf("another company revoked our invitation: %v", err)
		}
		noErr(t, db.RevokeStaffInvites(ctx, beaAdmin, "cy@example.test"))
		if n := len(get(db.PendingStaffInvites(ctx, beaAdmin)).ok(t)); n != 0 {
			t.Fatalf("%d invitations pending after revoking", n)
		}
	})
}
