package web

import (
	"context"
	"strconv"
	"testing"
	"time"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// TestSwitchingIntoStaffAccessTakesStaffLimits: a staff member who signs
// in while their membership is disabled gets a resident session (7 days
// idle, 30 days in all). Once re-enabled, switching company lifts it into
// the manager app, and from then on it runs under the staff limits
// (30 minutes idle, 12 hours from sign-in).
func TestSwitchingIntoStaffAccessTakesStaffLimits(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	testkit.ForEachDBWith(t, sqldb.Options{Now: clock.Now}, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		app := newTestApp(t, db)
		admin := seedCompany(t, db, "Alpha Lettings", "ada@alpha.test", testPassword)
		bob := seedStaff(t, db, admin.CompanyID, "bob@alpha.test", testPassword, lintel.RoleManager)
		ac := app.client(t)
		ac.loginAs("ada@alpha.test", testPassword)
		bobPath := "/manage/staff/" + strconv.FormatInt(bob.UserID, 10)

		ac.postForm(bobPath+"/disable", nil).wantRedirect(t, "/manage/staff")
		bc := app.client(t)
		bc.loginAs("bob@alpha.test", testPassword).wantRedirect(t, "/portal")
		signedIn := clock.Now()
		session := func() *sqldb.Session {
			t.Helper()
			s, err := db.SessionByToken(ctx, auth.HashToken(bc.sessionCookie()))
			if err != nil {
				t.Fatalf("the session is gone: %v", err)
			}
			return s
		}
		if s := session(); s.Staff != nil || s.ExpiresAt.Sub(signedIn) != DefaultResidentSession.Absolute {
			t.Fatalf("want a resident session while disabled, got staff %v, expiring %v", s.Staff, s.ExpiresAt)
		}

		ac.postForm(bobPath+"/enable", nil).wantRedirect(t, "/manage/staff")
		clock.Advance(2 * time.Minute)
		bc.postForm("/manage/switch-company", map[string][]string{"company_id": {strconv.FormatInt(admin.CompanyID, 10)}}).wantRedirect(t, "/manage")
		s := session()
		if s.Staff == nil {
			t.Fatal("the switch did not make the session staff")
		}
		if want := clock.Now().Add(DefaultStaffSession.Idle); s.IdleUntil.After(want) {
			t.Errorf("idle deadline %v, want at most %v", s.IdleUntil, want)
		}
		if want := signedIn.Add(DefaultStaffSession.Absolute); !s.ExpiresAt.Equal(want) {
			t.Errorf("absolute deadline %v, want %v (12 hours from sign-in)", s.ExpiresAt, want)
		}

		// Used every 20 minutes, it still ends 12 hours after sign-in.
		for clock.Now().Before(signedIn.Add(DefaultStaffSession.Absolute - 20*time.Minute)) {
			clock.Advance(20 * time.Minute)
			bc.get("/manage").want(t, 200)
		}
		clock.Advance(20 * time.Minute)
		bc.get("/manage").wantRedirect(t, "/login?next=%2Fmanage")

		// And left alone for 31 minutes, a fresh one ends too.
		bc.loginAs("bob@alpha.test", testPassword).wantRedirect(t, "/manage")
		clock.Advance(31 * time.Minute)
		bc.get("/manage").wantRedirect(t, "/login?next=%2Fmanage")
	})
}
