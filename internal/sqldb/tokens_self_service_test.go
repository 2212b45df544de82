package sqldb_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// Links a person asks for themselves are capped per address and hour, and
// each new one ends the older ones: twenty resets in a row send a few
// mails, and only the last link works.
func TestSelfServiceLinksCappedAndSuperseded(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))
	testkit.ForEachDBWith(t, sqldb.Options{Now: clock.Now}, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		const to, perHour = "ana@example.test", 3
		issue := func(purpose string, n int) (string, bool) {
			t.Helper()
			_, hash := auth.NewToken()
			// Links outlive the hour counted here, so that a link still
			// live when the count starts again can be seen superseded.
			sent, err := db.IssueSelfServiceLink(ctx, sqldb.NewToken{Hash: hash, Purpose: purpose, Email: to, TTL: 2 * time.Hour},
				lintel.Email{DedupeKey: fmt.Sprintf("%s:%d:%d", purpose, n, clock.Now().Unix()), Kind: "password_reset", To: to, Subject: "Reset"}, perHour)
			if err != nil {
				t.Fatal(err)
			}
			return hash, sent
		}
		live := func(purpose, hash string) bool {
			t.Helper()
			_, err := db.LiveToken(ctx, purpose, hash)
			if err != nil && !lintel.IsNotFound(err) {
				t.Fatal(err)
			}
			return err == nil
		}
		var hashes []string
		for i := range 20 {
			h, sent := issue(sqldb.PurposeReset, i)
			if want := i < perHour; sent != want {
				t.Fatalf("reset %d: sent %v, want %v", i+1, sent, want)
			}
			if sent {
				hashes = append(hashes, h)
			}
			clock.Advance(time.Second)
		}
		if ms, err := db.QueuedEmails(ctx, to); err != nil || len(ms) != perHour {
			t.Fatalf("%d e-mails queued (%v), want %d", len(ms), err, perHour)
		}
		for i, h := range hashes {
			if want := i == len(hashes)-1; live(sqldb.PurposeReset, h) != want {
				t.Errorf("link %d of %d live = %v, want %v", i+1, len(hashes), !want, want)
			}
		}
		// Another purpose has its own count.
		if _, sent := issue(sqldb.PurposeSignup, 0); !sent {
			t.Error("a sign-up link was held back by the reset count")
		}
		// An hour on, the address may ask again; the last link still
		// works until a new one replaces it.
		clock.Advance(time.Hour)
		if !live(sqldb.PurposeReset, hashes[len(hashes)-1]) {
			t.Fatal("the last link died before a new one was asked for")
		}
		h, sent := issue(sqldb.PurposeReset, 99)
		if !sent || !live(sqldb.PurposeReset, h) || live(sqldb.PurposeReset, hashes[len(hashes)-1]) {
			t.Errorf("an hour later: sent %v, new live %v, old live %v", sent, live(sqldb.PurposeReset, h), live(sqldb.PurposeReset, hashes[len(hashes)-1]))
		}
	})
}
