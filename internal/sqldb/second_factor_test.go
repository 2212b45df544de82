package sqldb_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// concurrently runs fn from n goroutines at once and counts the trues.
func concurrently(t *testing.T, n int, fn func() (bool, error)) int {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			ok, err := fn()
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if ok {
				wins++
			}
		})
	}
	close(start)
	wg.Wait()
	return wins
}

// A code and a recovery code work once, even when several requests (or
// nodes) present them at the same moment.
func TestSecondFactorCodesWorkOnce(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		pat := newResident(t, db, "pat@example.test")
		codes, hashes := auth.NewRecoveryCodes()
		if ok := get(db.UseTOTPStep(ctx, pat.UserID, 100)).ok(t); ok {
			t.Fatal("a step was accepted with no second factor on")
		}
		noErr(t, db.BeginSecondFactor(ctx, pat.UserID, "JBSWY3DPEHPK3PXP"))
		if sf := get(db.SecondFactor(ctx, pat.UserID)).ok(t); sf.On || sf.PendingSecret != "JBSWY3DPEHPK3PXP" {
			t.Fatalf("after beginning: %+v", sf)
		}
		if err := db.ConfirmSecondFactor(ctx, pat.UserID, "ANOTHERSECRET234", 100, hashes, pat.Email); lintel.KindOf(err) != lintel.KindConflict {
			t.Fatalf("confirming a secret that is not the one being set up: %v, want a conflict", err)
		}
		noErr(t, db.ConfirmSecondFactor(ctx, pat.UserID, "JBSWY3DPEHPK3PXP", 100, hashes, pat.Email))
		if err := db.BeginSecondFactor(ctx, pat.UserID, "ANOTHERSECRET234"); lintel.KindOf(err) != lintel.KindConflict {
			t.Fatalf("replacing a confirmed app without turning it off: %v, want a conflict", err)
		}
		sf := get(db.SecondFactor(ctx, pat.UserID)).ok(t)
		if !sf.On || sf.RecoveryLeft != auth.RecoveryCodeCount || sf.PendingSecret != "" {
			t.Fatalf("after confirming: %+v", sf)
		}
		if get(db.UseTOTPStep(ctx, pat.UserID, 100)).ok(t) || get(db.UseTOTPStep(ctx, pat.UserID, 99)).ok(t) {
			t.Fatal("the confirming step, or an older one, was accepted again")
		}
		if wins := concurrently(t, 8, func() (bool, error) { return db.UseTOTPStep(ctx, pat.UserID, 101) }); wins != 1 {
			t.Fatalf("one step accepted %d times at once, want 1", wins)
		}
		h := auth.HashRecoveryCode(codes[0])
		if wins := concurrently(t, 8, func() (bool, error) { return db.UseRecoveryCode(ctx, pat.UserID, h) }); wins != 1 {
			t.Fatalf("one recovery code accepted %d times at once, want 1", wins)
		}
		if left := get(db.SecondFactor(ctx, pat.UserID)).ok(t).RecoveryLeft; left != auth.RecoveryCodeCount-1 {
			t.Fatalf("%d recovery codes left, want %d", left, auth.RecoveryCodeCount-1)
		}
		// New codes end the old ones.
		_, fresh := auth.NewRecoveryCodes()
		noErr(t, db.ReplaceRecoveryCodes(ctx, pat.UserID, fresh, pat.Email))
		if get(db.UseRecoveryCode(ctx, pat.UserID, auth.HashRecoveryCode(codes[1]))).ok(t) {
			t.Fatal("an old recovery code works after new ones were made")
		}
		noErr(t, db.TurnOffSecondFactor(ctx, pat.UserID, pat.Email, ""))
		if get(db.UseRecoveryCode(ctx, pat.UserID, fresh[0])).ok(t) {
			t.Fatal("a recovery code works with the second factor off")
		}
		if u := get(db.UserByEmail(ctx, pat.Email)).ok(t); u.SecondFactor {
			t.Fatal("the login still says a second factor is on")
		}
	})
}

// A code step is taken once and ends after its time.
func TestLoginChallenges(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC))
	testkit.ForEachDBWith(t, sqldb.Options{Now: clock.Now}, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		pat := newResident(t, db, "pat@example.test")
		noErr(t, db.CreateLoginChallenge(ctx, sqldb.LoginChallenge{TokenHash: "h1", UserID: pat.UserID, PasswordOK: true, Next: "/manage"}, 5*time.Minute))
		noErr(t, db.CreateLoginChallenge(ctx, sqldb.LoginChallenge{TokenHash: "h2", UserID: pat.UserID}, 5*time.Minute))
		if wins := concurrently(t, 6, func() (bool, error) {
			c, err := db.TakeLoginChallenge(ctx, "h1")
			if lintel.IsNotFound(err) {
				return false, nil
			}
			return err == nil && c.PasswordOK && c.Next == "/manage", err
		}); wins != 1 {
			t.Fatalf("one code step taken %d times, want 1", wins)
		}
		clock.Advance(5 * time.Minute)
		if _, err := db.TakeLoginChallenge(ctx, "h2"); !lintel.IsNotFound(err) {
			t.Fatalf("an expired code step: %v, want not found", err)
		}
	})
}
