package mail

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

var workerStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// mailFixture is a database on a stopped clock, a real SMTP server and a
// worker delivering to it without jitter.
type mailFixture struct {
	db     *sqldb.DB
	clock  *testkit.Clock
	smtp   *testkit.SMTPServer
	worker *Worker
}

func forEachMailDB(t *testing.T, fn func(t *testing.T, f *mailFixture)) {
	t.Helper()
	clock := testkit.NewClock(workerStart)
	testkit.ForEachDBWith(t, sqldb.Options{Now: clock.Now}, func(t *testing.T, db *sqldb.DB) {
		clock.Set(workerStart)
		srv := startSMTP(t)
		f := &mailFixture{db: db, clock: clock, smtp: srv}
		f.worker = NewWorker(db, testSender(t, srv), WorkerConfig{Now: clock.Now, Jitter: func() float64 { return 0 }, MaxAttempts: 5})
		fn(t, f)
	})
}

// issue queues m the way the product does: a token and its e-mail in one
// transaction (sqldb.IssueToken). hash "" picks a fresh token.
func issue(ctx context.Context, db *sqldb.DB, hash string, m lintel.Email) error {
	if hash == "" {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		hash = hex.EncodeToString(b)
	}
	if m.Kind == "" {
		m.Kind = "signup"
	}
	return db.IssueToken(ctx, sqldb.NewToken{Hash: hash, Purpose: sqldb.PurposeSignup, Email: m.To, TTL: time.Hour}, m)
}

func mustIssue(t *testing.T, db *sqldb.DB, m lintel.Email) {
	t.Helper()
	if err := issue(context.Background(), db, "", m); err != nil {
		t.Fatal(err)
	}
}

func (f *mailFixture) deliver(t *testing.T) bool {
	t.Helper()
	worked, err := f.worker.DeliverOne(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return worked
}

func (f *mailFixture) outbox(t *testing.T) []sqldb.OutboxEmail {
	t.Helper()
	page, err := f.db.DevMailbox(context.Background(), 0, sqldb.MaxPageSize)
	if err != nil {
		t.Fatal(err)
	}
	return page.Emails
}

func TestWorkerDeliversQueuedMessage(t *testing.T) {
	forEachMailDB(t, func(t *testing.T, f *mailFixture) {
		mustIssue(t, f.db, lintel.Email{DedupeKey: "signup:ada", To: "ada@example.com", ToName: "Ada Lovelace",
			Subject: "Confirm your e-mail", Text: "Open https://lintel.example/signup/verify?token=t1\n", HTML: "<p>Open <a href=\"https://lintel.example/signup/verify?token=t1\">the link</a></p>"})
		if !f.deliver(t) {
			t.Fatal("nothing delivered")
		}
		got := f.smtp.WaitFor(t, "ada@example.com", 5*time.Second)
		if got.Subject != "Confirm your e-mail" || !strings.Contains(got.TextBody, "token=t1") || !strings.Contains(got.HTMLBody, `href="https://lintel.example/signup/verify?token=t1"`) {
			t.Errorf("received subject %q, text %q, html %q", got.Subject, got.TextBody, got.HTMLBody)
		}
		if to := got.Header.Get("To"); !strings.Contains(to, "Ada Lovelace") || !strings.Contains(to, "<ada@example.com>") {
			t.Errorf("To header %q", to)
		}
		if f.deliver(t) {
			t.Error("a second round delivered something")
		}
		ms := f.outbox(t)
		if len(ms) != 1 || ms[0].Status != sqldb.EmailSent || ms[0].Attempts != 1 || !ms[0].SentAt.Equal(workerStart) {
			t.Errorf("outbox after delivery: %+v", ms)
		}
		// Sent is final: even long after, it is not sent again.
		f.clock.Advance(72 * time.Hour)
		if f.deliver(t) || len(f.smtp.Messages()) != 1 {
			t.Errorf("server has %d messages after a later round, want 1", len(f.smtp.Messages()))
		}
	})
}

func TestWorkerRollbackAndDedupe(t *testing.T) {
	forEachMailDB(t, func(t *testing.T, f *mailFixture) {
		ctx := context.Background()
		if err := issue(ctx, f.db, "same-token", lintel.Email{DedupeKey: "first", To: "first@example.com", Subject: "First", Text: "1"}); err != nil {
			t.Fatal(err)
		}
		// The token insert fails (the hash exists), so the transaction,
		// e-mail and all, rolls back.
		err := issue(ctx, f.db, "same-token", lintel.Email{DedupeKey: "rolled-back", To: "rolled-back@example.com", Subject: "Never", Text: "0"})
		if lintel.KindOf(err) != lintel.KindConflict {
			t.Fatalf("second token with the same hash: err = %v, want a conflict", err)
		}
		// One event queued twice: one message.
		mustIssue(t, f.db, lintel.Email{DedupeKey: "invite:42:bob", To: "bob@example.com", Subject: "Invite", Text: "2"})
		mustIssue(t, f.db, lintel.Email{DedupeKey: "invite:42:bob", To: "bob@example.com", Subject: "Invite", Text: "2"})
		for f.deliver(t) {
		}
		var got []string
		for _, m := range f.smtp.Messages() {
			got = append(got, m.To...)
		}
		if want := "[first@example.com bob@example.com]"; fmt.Sprint(got) != want {
			t.Errorf("server received mail for %v, want %s", got, want)
		}
	})
}

func TestWorkerRetriesTemporaryFailure(t *testing.T) {
	forEachMailDB(t, func(t *testing.T, f *mailFixture) {
		mustIssue(t, f.db, lintel.Email{DedupeKey: "grey", To: "grey@example.com", Subject: "Hi", Text: "Hi"})
		f.smtp.FailNext(1, 451, "Greylisted, try again later")
		if !f.deliver(t) {
			t.Fatal("nothing attempted")
		}
		m := f.outbox(t)[0]
		if m.Status != sqldb.EmailPending || m.Attempts != 1 || !m.NextAttempt.Equal(workerStart.Add(DefaultFirstRetry)) || !strings.Contains(m.LastError, "451") {
			t.Fatalf("after a 451: status %s, attempts %d, next %v, error %q; want pending, 1, start+1m, the 451",
				m.Status, m.Attempts, m.NextAttempt, m.LastError)
		}
		// Not before the back-off has passed.
		f.clock.Advance(DefaultFirstRetry - time.Second)
		if f.deliver(t) {
			t.Fatal("retried before the back-off ended")
		}
		f.clock.Advance(time.Second)
		if !f.deliver(t) {
			t.Fatal("not retried after the back-off")
		}
		if n := len(f.smtp.To("grey@example.com")); n != 1 {
			t.Fatalf("delivered %d times, want once", n)
		}
		m = f.outbox(t)[0]
		if m.Status != sqldb.EmailSent || m.Attempts != 2 || m.LastError != "" {
			t.Errorf("after the retry: status %s, attempts %d, error %q", m.Status, m.Attempts, m.LastError)
		}
	})
}

func TestWorkerStopsOnPermanentFailure(t *testing.T) {
	forEachMailDB(t, func(t *testing.T, f *mailFixture) {
		ctx := context.Background()
		cid, uid, err := f.db.CreateCompanyWithAdmin(ctx, sqldb.NewCompany{Name: "North", AdminEmail: "admin@north.example", AdminName: "Admin", PasswordHash: "x"})
		if err != nil {
			t.Fatal(err)
		}
		staff := lintel.Staff{UserID: uid, CompanyID: cid, Role: lintel.RoleManager}
		mustIssue(t, f.db, lintel.Email{CompanyID: cid, DedupeKey: "welcome:gone", To: "gone@example.com", Subject: "Welcome", Text: "Hi"})
		f.smtp.FailNext(1, 550, "No such user here")
		if !f.deliver(t) {
			t.Fatal("nothing attempted")
		}
		f.clock.Advance(7 * 24 * time.Hour)
		if f.deliver(t) {
			t.Error("a permanently refused message was tried again")
		}
		if n := len(f.smtp.Messages()); n != 0 {
			t.Errorf("server has %d messages", n)
		}
		page, err := f.db.UndeliveredEmails(ctx, staff, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Emails) != 1 || page.Emails[0].To != "gone@example.com" || page.Emails[0].Attempts != 1 ||
			!strings.Contains(page.Emails[0].LastError, "550") || !strings.Contains(page.Emails[0].LastError, "No such user here") {
			t.Errorf("not delivered list: %+v", page.Emails)
		}
	})
}

func TestWorkerGivesUpAfterMaxAttempts(t *testing.T) {
	forEachMailDB(t, func(t *testing.T, f *mailFixture) {
		mustIssue(t, f.db, lintel.Email{DedupeKey: "down", To: "down@example.com", Subject: "Hi", Text: "Hi"})
		f.smtp.FailNext(100, 421, "Service not available")
		var waits []time.Duration
		for range 10 {
			before := f.clock.Now()
			if !f.deliver(t) {
				break
			}
			m := f.outbox(t)[0]
			if m.Status == sqldb.EmailFailed {
				break
			}
			waits = append(waits, m.NextAttempt.Sub(before))
			f.clock.Set(m.NextAttempt)
		}
		want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute}
		if fmt.Sprint(waits) != fmt.Sprint(want) {
			t.Errorf("back-off = %v, want %v", waits, want)
		}
		m := f.outbox(t)[0]
		if m.Status != sqldb.EmailFailed || m.Attempts != 5 || !strings.HasPrefix(m.LastError, "Gave up after 5 attempts") {
			t.Errorf("after 5 temporary failures: status %s, attempts %d, error %q", m.Status, m.Attempts, m.LastError)
		}
	})
}

func TestWorkerTakesOverAnExpiredClaim(t *testing.T) {
	forEachMailDB(t, func(t *testing.T, f *mailFixture) {
		mustIssue(t, f.db, lintel.Email{DedupeKey: "orphan", To: "orphan@example.com", Subject: "Hi", Text: "Hi"})
		// A worker claims it and dies before sending.
		if _, err := f.db.ClaimEmail(context.Background(), DefaultLease); err != nil {
			t.Fatal(err)
		}
		if f.deliver(t) {
			t.Fatal("delivered a message another worker still holds")
		}
		f.clock.Advance(DefaultLease + time.Second)
		if !f.deliver(t) {
			t.Fatal("the expired claim was not taken over")
		}
		if n := len(f.smtp.To("orphan@example.com")); n != 1 {
			t.Errorf("delivered %d times", n)
		}
		if m := f.outbox(t)[0]; m.Status != sqldb.EmailSent || m.Attempts != 2 {
			t.Errorf("status %s attempts %d", m.Status, m.Attempts)
		}
	})
}

func TestBackoff(t *testing.T) {
	w := NewWorker(&sqldb.DB{}, nil, WorkerConfig{Now: time.Now, Jitter: func() float64 { return 0 }})
	want := map[int]time.Duration{1: time.Minute, 2: 2 * time.Minute, 3: 4 * time.Minute, 9: 256 * time.Minute, 10: 6 * time.Hour, 20: 6 * time.Hour, 100: 6 * time.Hour}
	for attempt, d := range want {
		if got := w.backoff(attempt); got != d {
			t.Errorf("backoff(%d) = %v, want %v", attempt, got, d)
		}
	}
	w.cfg.Jitter = func() float64 { return 0.999 }
	for attempt, d := range want {
		if got := w.backoff(attempt); got > d || got < d*3/4 {
			t.Errorf("backoff(%d) with jitter = %v, want within [%v, %v]", attempt, got, d*3/4, d)
		}
	}
}

// TestWorkersShareThePostgresOutbox runs two workers, as two nodes would,
// on one PostgreSQL database: every message reaches the SMTP server once.
func TestWorkersShareThePostgresOutbox(t *testing.T) {
	db := testkit.Postgres(t)
	srv := startSMTP(t)
	const n = 50
	for i := range n {
		mustIssue(t, db, lintel.Email{DedupeKey: fmt.Sprint("bulk:", i), To: fmt.Sprintf("p%d@example.com", i), Subject: "Hi", Text: "Hi"})
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 2 {
		w := NewWorker(db, testSender(t, srv), WorkerConfig{Poll: 5 * time.Millisecond})
		wg.Go(func() { _ = w.Run(ctx) })
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(srv.Messages()) < n && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // room for a duplicate to show up
	cancel()
	wg.Wait()

	count := map[string]int{}
	for _, m := range srv.Messages() {
		for _, to := range m.To {
			count[to]++
		}
	}
	for i := range n {
		if to := fmt.Sprintf("p%d@example.com", i); count[to] != 1 {
			t.Errorf("%s received %d copies, want 1", to, count[to])
		}
	}
	page, err := db.DevMailbox(context.Background(), 0, n)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range page.Emails {
		if m.Status != sqldb.EmailSent || m.Attempts != 1 {
			t.Errorf("message %s: status %s, attempts %d", m.DedupeKey, m.Status, m.Attempts)
		}
	}
}

// gateSender holds each Send until released, to stop a worker mid-send.
type gateSender struct {
	inner   Sender
	started chan struct{}
	release chan struct{}
}

func (g *gateSender) Send(ctx context.Context, m Message) error {
	g.started <- struct{}{}
	<-g.release
	return g.inner.Send(ctx, m)
}

func TestWorkerStopsOnCancelAfterFinishingItsMessage(t *testing.T) {
	db := testkit.SQLite(t)
	srv := startSMTP(t)
	mustIssue(t, db, lintel.Email{DedupeKey: "in-hand", To: "hand@example.com", Subject: "Hi", Text: "Hi"})
	gate := &gateSender{inner: testSender(t, srv), started: make(chan struct{}, 1), release: make(chan struct{})}
	w := NewWorker(db, gate, WorkerConfig{Poll: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- w.Run(ctx) }()

	select {
	case <-gate.started:
	case <-time.After(10 * time.Second):
		t.Fatal("the worker never started sending")
	}
	cancel()
	select {
	case <-stopped:
		t.Fatal("the worker returned with a message in hand")
	case <-time.After(50 * time.Millisecond):
	}
	close(gate.release)
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("Run = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the worker did not stop after its context ended")
	}
	if n := len(srv.To("hand@example.com")); n != 1 {
		t.Errorf("message in hand delivered %d times", n)
	}
	page, err := db.DevMailbox(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if page.Emails[0].Status != sqldb.EmailSent {
		t.Errorf("message in hand left %s", page.Emails[0].Status)
	}
}

func TestWorkerStopsWhenIdle(t *testing.T) {
	db := testkit.SQLite(t)
	w := NewWorker(db, NewDevSender(nil, nil), WorkerConfig{Poll: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- w.Run(ctx) }()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("Run = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("an idle worker did not stop when its context ended")
	}
}

func TestDevSenderMarksSentWithoutNetwork(t *testing.T) {
	db := testkit.SQLite(t)
	mustIssue(t, db, lintel.Email{DedupeKey: "dev", To: "dev@example.com", Subject: "Hi", Text: "Hi"})
	w := NewWorker(db, NewDevSender(nil, nil), WorkerConfig{})
	worked, err := w.DeliverOne(context.Background())
	if err != nil || !worked {
		t.Fatalf("DeliverOne = %v, %v", worked, err)
	}
	page, err := db.DevMailbox(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if page.Emails[0].Status != sqldb.EmailSent {
		t.Errorf("status %s, want sent", page.Emails[0].Status)
	}
}

func TestPermanent(t *testing.T) {
	base := errors.New("550 no such user")
	if !IsPermanent(fmt.Errorf("send: %w", Permanent(base))) || IsPermanent(base) || Permanent(nil) != nil {
		t.Error("Permanent/IsPermanent disagree")
	}
	if !errors.Is(Permanent(base), base) {
		t.Error("Permanent hides the error it wraps")
	}
}
