package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

var outboxStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// forEachOutboxDB runs fn on both engines with a stopped clock reset to
// outboxStart for each.
func forEachOutboxDB(t *testing.T, fn func(t *testing.T, db *sqldb.DB, clock *testkit.Clock)) {
	t.Helper()
	clock := testkit.NewClock(outboxStart)
	testkit.ForEachDBWith(t, sqldb.Options{Now: clock.Now}, func(t *testing.T, db *sqldb.DB) {
		clock.Set(outboxStart)
		fn(t, db, clock)
	})
}

func queue(t *testing.T, db *sqldb.DB, m lintel.Email) {
	t.Helper()
	if m.Kind == "" {
		m.Kind = "test"
	}
	if m.Subject == "" {
		m.Subject = "Hello"
		m.Text = "Hello there."
	}
	if err := db.EnqueueEmailForTest(context.Background(), m, func() error { return nil }); err != nil {
		t.Fatalf("queue %s: %v", m.DedupeKey, err)
	}
}

func claim(t *testing.T, db *sqldb.DB) sqldb.OutboxEmail {
	t.Helper()
	m, err := db.ClaimEmail(context.Background(), 2*time.Minute)
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	return m
}

func claimNone(t *testing.T, db *sqldb.DB) {
	t.Helper()
	m, err := db.ClaimEmail(context.Background(), 2*time.Minute)
	if !lintel.IsNotFound(err) {
		t.Fatalf("claim: got message %d %q (err %v), want none due", m.ID, m.DedupeKey, err)
	}
}

func TestOutboxQueuesOnlyWithTheTransaction(t *testing.T) {
	t.Parallel()
	forEachOutboxDB(t, func(t *testing.T, db *sqldb.DB, clock *testkit.Clock) {
		ctx := context.Background()
		queue(t, db, lintel.Email{DedupeKey: "kept", To: "a@example.com", ToName: "Ada", Subject: "Welcome", Text: "Hi", HTML: "<p>Hi</p>"})
		boom := errors.New("the change failed")
		err := db.EnqueueEmailForTest(ctx, lintel.Email{DedupeKey: "rolled-back", Kind: "test", To: "b@example.com", Subject: "Nope", Text: "Nope"},
			func() error { return boom })
		if !errors.Is(err, boom) {
			t.Fatalf("enqueue in a failing transaction: err = %v, want %v", err, boom)
		}
		// The same event queued twice is kept once.
		queue(t, db, lintel.Email{DedupeKey: "kept", To: "a@example.com", Subject: "Welcome again", Text: "Hi again"})

		page, err := db.DevMailbox(ctx, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Emails) != 1 {
			t.Fatalf("outbox holds %d messages, want only the committed one: %+v", len(page.Emails), page.Emails)
		}
		m := page.Emails[0]
		want := sqldb.OutboxEmail{ID: m.ID, DedupeKey: "kept", Kind: "test", To: "a@example.com", ToName: "Ada", Subject: "Welcome", Text: "Hi", HTML: "<p>Hi</p>",
			Status: sqldb.EmailPending, NextAttempt: outboxStart, CreatedAt: outboxStart}
		if m != want {
			t.Errorf("queued message:\n got %+v\nwant %+v", m, want)
		}
		got, err := db.DevMailboxEmail(ctx, m.ID)
		if err != nil || got != m {
			t.Errorf("DevMailboxEmail(%d) = %+v, %v; want %+v", m.ID, got, err, m)
		}
		if _, err := db.DevMailboxEmail(ctx, m.ID+1000); !lintel.IsNotFound(err) {
			t.Errorf("DevMailboxEmail(unknown id): err = %v, want not found", err)
		}
	})
}

func TestOutboxClaimLeaseAndSettle(t *testing.T) {
	t.Parallel()
	forEachOutboxDB(t, func(t *testing.T, db *sqldb.DB, clock *testkit.Clock) {
		ctx := context.Background()
		claimNone(t, db)
		queue(t, db, lintel.Email{DedupeKey: "first", To: "a@example.com"})
		clock.Advance(time.Second)
		queue(t, db, lintel.Email{DedupeKey: "second", To: "b@example.com"})

		first := claim(t, db)
		if first.DedupeKey != "first" || first.Status != sqldb.EmailSending || first.Attempts != 1 {
			t.Fatalf("first claim = %q status %s attempts %d; want the oldest message, sending, attempt 1", first.DedupeKey, first.Status, first.Attempts)
		}
		second := claim(t, db)
		if second.DedupeKey != "second" {
			t.Fatalf("second claim = %q, want the other message while the first is leased", second.DedupeKey)
		}
		claimNone(t, db)

		// The worker holding "first" dies; after the lease another takes it.
		clock.Advance(2*time.Minute + time.Second)
		again := claim(t, db)
		if again.ID != first.ID || again.Attempts != 2 {
			t.Fatalf("claim after the lease = %q attempt %d; want %q attempt 2", again.DedupeKey, again.Attempts, first.DedupeKey)
		}
		// The dead worker's late result must not count.
		if err := db.MarkEmailSent(ctx, first.ID, first.Attempts); !errors.Is(err, sqldb.ErrLeaseLost) {
			t.Errorf("MarkEmailSent with a lost lease: err = %v, want ErrLeaseLost", err)
		}
		if err := db.MarkEmailSent(ctx, again.ID, again.Attempts); err != nil {
			t.Fatal(err)
		}
		// "second" is still leased to a slow worker: only it may settle it.
		if err := db.MarkEmailSent(ctx, second.ID, second.Attempts); err != nil {
			t.Fatalf("MarkEmailSent after the lease ran out, unclaimed meanwhile: %v", err)
		}
		// A sent message is never claimed again, however late it gets.
		clock.Advance(72 * time.Hour)
		claimNone(t, db)
		if err := db.MarkEmailSent(ctx, again.ID, again.Attempts); !errors.Is(err, sqldb.ErrLeaseLost) {
			t.Errorf("MarkEmailSent twice: err = %v, want ErrLeaseLost", err)
		}
		m, err := db.DevMailboxEmail(ctx, again.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.Status != sqldb.EmailSent || !m.SentAt.Equal(outboxStart.Add(time.Second+2*time.Minute+time.Second)) {
			t.Errorf("sent message: status %s sent at %v", m.Status, m.SentAt)
		}
	})
}

func TestOutboxRetryAndFail(t *testing.T) {
	t.Parallel()
	forEachOutboxDB(t, func(t *testing.T, db *sqldb.DB, clock *testkit.Clock) {
		ctx := context.Background()
		queue(t, db, lintel.Email{DedupeKey: "flaky", To: "a@example.com"})
		m := claim(t, db)
		if err := db.RetryEmail(ctx, m.ID, m.Attempts, outboxStart.Add(time.Minute), "451 try later"); err != nil {
			t.Fatal(err)
		}
		claimNone(t, db)
		clock.Advance(59 * time.Second)
		claimNone(t, db)
		clock.Advance(time.Second)
		m = claim(t, db)
		if m.Attempts != 2 || m.LastError != "451 try later" {
			t.Fatalf("retried message: attempts %d, last error %q", m.Attempts, m.LastError)
		}
		if err := db.FailEmail(ctx, m.ID, m.Attempts, "550 no such user"); err != nil {
			t.Fatal(err)
		}
		clock.Advance(72 * time.Hour)
		claimNone(t, db)
		got, err := db.DevMailboxEmail(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != sqldb.EmailFailed || got.LastError != "550 no such user" || !got.SentAt.IsZero() {
			t.Errorf("failed message: status %s, last error %q, sent at %v", got.Status, got.LastError, got.SentAt)
		}
	})
}

func TestUndeliveredEmailsAreScopedByCompany(t *testing.T) {
	t.Parallel()
	forEachOutboxDB(t, func(t *testing.T, db *sqldb.DB, clock *testkit.Clock) {
		ctx := context.Background()
		staffOf := func(name string) lintel.Staff {
			cid, uid, err := db.CreateCompanyWithAdmin(ctx, sqldb.NewCompany{Name: name, AdminEmail: "admin@" + name + ".example", AdminName: "Admin", PasswordHash: "x"})
			if err != nil {
				t.Fatal(err)
			}
			return lintel.Staff{UserID: uid, CompanyID: cid, Role: lintel.RoleBookkeeper}
		}
		north, south := staffOf("north"), staffOf("south")
		// Per company: one refused, one delivered, one still waiting.
		for _, st := range []lintel.Staff{north, south} {
			for _, fate := range []string{"failed", "sent", "pending"} {
				queue(t, db, lintel.Email{CompanyID: st.CompanyID, DedupeKey: fmt.Sprint(st.CompanyID, fate), To: fate + "@example.com"})
			}
		}
		queue(t, db, lintel.Email{DedupeKey: "no-company", To: "signup@example.com"})
		for range 7 {
			m := claim(t, db)
			var err error
			switch {
			case m.To == "failed@example.com" || m.To == "signup@example.com":
				err = db.FailEmail(ctx, m.ID, m.Attempts, "550 mailbox unavailable")
			case m.To == "sent@example.com":
				err = db.MarkEmailSent(ctx, m.ID, m.Attempts)
			default:
				err = db.RetryEmail(ctx, m.ID, m.Attempts, outboxStart.Add(time.Hour), "421 busy")
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, st := range []lintel.Staff{north, south} {
			page, err := db.UndeliveredEmails(ctx, st, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Emails) != 1 || page.Emails[0].CompanyID != st.CompanyID || page.Emails[0].To != "failed@example.com" ||
				page.Emails[0].LastError != "550 mailbox unavailable" {
				t.Errorf("company %d undelivered = %+v; want its one failed message", st.CompanyID, page.Emails)
			}
		}
		if _, err := db.UndeliveredEmails(ctx, lintel.Staff{CompanyID: north.CompanyID, Role: "nobody"}, 0, 0); lintel.KindOf(err) != lintel.KindForbidden {
			t.Errorf("UndeliveredEmails without a role: err = %v, want forbidden", err)
		}
	})
}

func TestDevMailboxPagesNewestFirst(t *testing.T) {
	t.Parallel()
	forEachOutboxDB(t, func(t *testing.T, db *sqldb.DB, clock *testkit.Clock) {
		for i := 1; i <= 5; i++ {
			queue(t, db, lintel.Email{DedupeKey: fmt.Sprint("m", i), To: fmt.Sprintf("p%d@example.com", i)})
		}
		var got [][]string
		before := int64(0)
		for range 10 {
			page, err := db.DevMailbox(context.Background(), before, 2)
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, m := range page.Emails {
				keys = append(keys, m.DedupeKey)
			}
			got = append(got, keys)
			if page.Older == 0 {
				break
			}
			before = page.Older
		}
		want := [][]string{{"m5", "m4"}, {"m3", "m2"}, {"m1"}}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("pages = %v, want %v", got, want)
		}
	})
}

// TestOutboxConcurrentClaims has many workers claim at once: each message
// goes to exactly one. On PostgreSQL this exercises the re-checked WHERE
// under READ COMMITTED; on SQLite the single writer.
func TestOutboxConcurrentClaims(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		const messages, workers = 40, 6
		for i := range messages {
			queue(t, db, lintel.Email{DedupeKey: fmt.Sprint("c", i), To: fmt.Sprintf("c%d@example.com", i)})
		}
		var mu sync.Mutex
		seen := map[int64]int{}
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for range workers {
			wg.Go(func() {
				for {
					m, err := db.ClaimEmail(context.Background(), time.Minute)
					if lintel.IsNotFound(err) {
						return
					}
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					seen[m.ID]++
					mu.Unlock()
					if err := db.MarkEmailSent(context.Background(), m.ID, m.Attempts); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if len(seen) != messages {
			t.Errorf("%d messages claimed, want %d", len(seen), messages)
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("message %d claimed %d times", id, n)
			}
		}
	})
}

// A restored copy holds back the mail that was still queued when the
// backup was taken (waiting or being sent), and leaves sent and failed mail
// as it was.
func TestHoldQueuedMail(t *testing.T) {
	t.Parallel()
	forEachOutboxDB(t, func(t *testing.T, db *sqldb.DB, clock *testkit.Clock) {
		ctx := context.Background()
		for _, k := range []string{"waiting", "sending", "sent"} {
			queue(t, db, lintel.Email{DedupeKey: "hold:" + k, To: k + "@example.com"})
			clock.Advance(time.Minute)
		}
		// Claimed in the order queued: "waiting" is then sent, "sending"
		// stays claimed, "sent" is left waiting.
		first := claim(t, db)
		if err := db.MarkEmailSent(ctx, first.ID, first.Attempts); err != nil {
			t.Fatal(err)
		}
		claim(t, db)
		q, err := db.QueuedMailStatus(ctx)
		if oldest := outboxStart.Add(time.Minute); err != nil || q.Count != 2 || !q.Oldest.Equal(oldest) {
			t.Fatalf("queued before the hold: %+v, %v; want 2, the oldest queued at %v", q, err, oldest)
		}
		n, err := db.HoldQueuedMail(ctx)
		if err != nil || n != 2 {
			t.Fatalf("held %d, %v; want 2", n, err)
		}
		if q, err := db.QueuedMailStatus(ctx); err != nil || q.Count != 0 {
			t.Fatalf("queued after the hold: %+v, %v", q, err)
		}
		if _, err := db.ClaimEmail(ctx, time.Minute); !errors.Is(err, lintel.ErrNotFound) {
			t.Fatalf("a held mail can still be claimed: %v", err)
		}
	})
}

// Mail that is taking long shows: at once when it is retrying after a
// failure, and after MailDelayedAfter when it is still waiting; only the
// company's own, and sent mail never.
func TestDelayedEmails(t *testing.T) {
	t.Parallel()
	forEachOutboxDB(t, func(t *testing.T, db *sqldb.DB, clock *testkit.Clock) {
		ctx := context.Background()
		s := newCompanyStaff(t, db, "Slow Mail Co")
		other := newCompanyStaff(t, db, "Other Mail Co")
		queue(t, db, lintel.Email{CompanyID: s.CompanyID, DedupeKey: "delay:sent", To: "sent@example.com"})
		sent := claim(t, db)
		if err := db.MarkEmailSent(ctx, sent.ID, sent.Attempts); err != nil {
			t.Fatal(err)
		}
		queue(t, db, lintel.Email{CompanyID: s.CompanyID, DedupeKey: "delay:retrying", To: "retrying@example.com"})
		retrying := claim(t, db)
		if err := db.RetryEmail(ctx, retrying.ID, retrying.Attempts, clock.Now().Add(time.Hour), "451 4.7.1 greylisted"); err != nil {
			t.Fatal(err)
		}
		queue(t, db, lintel.Email{CompanyID: s.CompanyID, DedupeKey: "delay:waiting", To: "waiting@example.com"})
		queue(t, db, lintel.Email{CompanyID: other.CompanyID, DedupeKey: "delay:other", To: "other@example.com"})
		list := func() []string {
			t.Helper()
			ms, err := db.DelayedEmails(ctx, s, 0)
			if err != nil {
				t.Fatal(err)
			}
			var to []string
			for _, m := range ms {
				to = append(to, m.To)
			}
			return to
		}
		if got := fmt.Sprint(list()); got != "[retrying@example.com]" {
			t.Fatalf("delayed at once: %s, want only the one retrying", got)
		}
		if d, err := db.MailDelayOf(ctx, s); err != nil || d.Count != 0 {
			t.Fatalf("the dashboard's delay before 15 minutes: %+v, %v", d, err)
		}
		clock.Advance(sqldb.MailDelayedAfter + time.Minute)
		if got := fmt.Sprint(list()); got != "[retrying@example.com waiting@example.com]" {
			t.Fatalf("delayed after 16 minutes: %s", got)
		}
		d, err := db.MailDelayOf(ctx, s)
		if err != nil || d.Count != 2 || !d.Oldest.Equal(outboxStart) {
			t.Fatalf("the dashboard's delay after 16 minutes: %+v, %v", d, err)
		}
	})
}
