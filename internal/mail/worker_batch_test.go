package mail

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"lintel.dev/lintel/internal/blob"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// countingStore counts the reads of a file store.
type countingStore struct {
	blob.Store
	opens atomic.Int64
}

func (c *countingStore) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	c.opens.Add(1)
	return c.Store.Open(ctx, key)
}

// sharedDocument stores a document of company a and queues n messages
// carrying it, to n residents, the way sharing it with a property does.
func sharedDocument(t *testing.T, db *sqldb.DB, files blob.Store, a *testkit.Company, n int, data []byte) {
	t.Helper()
	ctx := context.Background()
	key := blob.NewKey()
	if err := files.Put(ctx, key, bytes.NewReader(data), int64(len(data)), "application/pdf"); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	staff := a.Staff[testkit.Admin]
	doc, err := db.CreateDocument(ctx, staff, sqldb.NewDocument{Title: "House rules", Category: lintel.DocRules,
		File: sqldb.NewFile{Key: key, Name: "rules.pdf", ContentType: "application/pdf", Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := db.Document(ctx, staff, doc)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		to := fmt.Sprintf("resident%d@example.com", i)
		if err := issue(ctx, db, "", lintel.Email{CompanyID: a.ID, DedupeKey: fmt.Sprintf("document_shared:%d:%s", doc, to), Kind: "document_shared",
			To: to, Subject: "New document: House rules", Text: "Attached.", AttachmentFileID: d.FileID}); err != nil {
			t.Fatal(err)
		}
	}
}

// A document shared with a thousand residents: every message reaches the
// SMTP server once, within the minute, and the file is read once.
func TestWorkerDeliversASharedDocumentOnce(t *testing.T) {
	n := 1000
	if raceEnabled {
		n = 200
	}
	db, w := testkit.SQLiteWorld(t)
	local, err := blob.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	files := &countingStore{Store: local}
	data := bytes.Repeat([]byte("%PDF-1.4 rules\n"), 10_000)
	sharedDocument(t, db, files, w.A, n, data)

	srv := startSMTP(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	worker := NewWorker(db, testSender(t, srv), WorkerConfig{Files: files, Poll: 10 * time.Millisecond})
	start := time.Now()
	wg.Go(func() { _ = worker.Run(ctx) })
	// The world's own set-up mail goes too; count the residents'.
	shared := func() []testkit.Received {
		var out []testkit.Received
		for _, m := range srv.Messages() {
			if m.Subject == "New document: House rules" {
				out = append(out, m)
			}
		}
		return out
	}
	deadline := start.Add(60 * time.Second)
	for len(shared()) < n && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	took := time.Since(start)
	time.Sleep(100 * time.Millisecond) // room for a duplicate to show up
	cancel()
	wg.Wait()
	t.Logf("%d messages handed to SMTP in %v", len(shared()), took.Round(time.Millisecond))

	count := map[string]int{}
	for _, m := range shared() {
		if len(m.Attachments) != 1 || !bytes.Equal(m.Attachments[0].Data, data) {
			t.Errorf("message to %v: %d attachments", m.To, len(m.Attachments))
		}
		for _, to := range m.To {
			count[to]++
		}
	}
	for i := range n {
		if to := fmt.Sprintf("resident%d@example.com", i); count[to] != 1 {
			t.Errorf("%s received %d copies, want 1", to, count[to])
		}
	}
	if took > 60*time.Second && !raceEnabled {
		t.Errorf("took %v to hand %d messages to SMTP", took, n)
	}
	if opens := files.opens.Load(); opens != 1 {
		t.Errorf("the attachment was read %d times, want once", opens)
	}
}

// slowSender holds each message for a while and remembers the most it
// held at once.
type slowSender struct {
	mu             sync.Mutex
	sent           []string
	now, most      int
	delay          time.Duration
	onSend         func()
	sendCalledOnce sync.Once
}

func (s *slowSender) Send(ctx context.Context, m Message) error {
	s.mu.Lock()
	s.now++
	s.most = max(s.most, s.now)
	s.mu.Unlock()
	if s.onSend != nil {
		s.sendCalledOnce.Do(s.onSend)
	}
	time.Sleep(s.delay)
	s.mu.Lock()
	s.now--
	s.sent = append(s.sent, m.To)
	s.mu.Unlock()
	return nil
}

// One claim takes a batch, sent a few at a time; what cannot be sent well
// within the claim goes back unsent, its attempt not counted.
func TestWorkerBatches(t *testing.T) {
	for _, tc := range []struct {
		name               string
		batch, parallel    int
		late               bool // the claim nearly runs out during the first send
		wantSent, wantMost int
	}{
		{"a batch, four at a time", 10, 4, false, 10, 4},
		{"one at a time", 10, 1, false, 10, 1},
		{"the rest of a batch goes back when the claim runs short", 10, 1, true, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := testkit.NewClock(workerStart)
			db := testkit.SQLite(t, sqldb.Options{Now: clock.Now})
			for i := range 12 {
				mustIssue(t, db, lintel.Email{DedupeKey: fmt.Sprint("b:", i), To: fmt.Sprintf("p%d@example.com", i), Subject: "Hi", Text: "Hi"})
			}
			s := &slowSender{delay: 20 * time.Millisecond}
			if tc.late {
				s.onSend = func() { clock.Advance(DefaultLease - DefaultSendTimeout) }
			}
			w := NewWorker(db, s, WorkerConfig{Now: clock.Now, Batch: tc.batch, Parallel: tc.parallel})
			n, err := w.DeliverDue(context.Background())
			if err != nil || n != tc.batch {
				t.Fatalf("DeliverDue = %d, %v; want %d claimed", n, err, tc.batch)
			}
			if len(s.sent) != tc.wantSent || s.most != tc.wantMost {
				t.Errorf("sent %d, at most %d at once; want %d and %d", len(s.sent), s.most, tc.wantSent, tc.wantMost)
			}
			page, err := db.DevMailbox(context.Background(), 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			status := map[string]int{}
			for _, m := range page.Emails {
				status[m.Status]++
				if m.Status == sqldb.EmailPending && m.Attempts != 0 || m.Status == sqldb.EmailSent && m.Attempts != 1 {
					t.Errorf("%s: %s after %d attempts", m.DedupeKey, m.Status, m.Attempts)
				}
			}
			if status[sqldb.EmailSent] != tc.wantSent || status[sqldb.EmailPending] != 12-tc.wantSent {
				t.Errorf("outbox: %v", status)
			}
			// What went back is taken again by the next claim.
			for {
				n, err := w.DeliverDue(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					break
				}
			}
			if len(s.sent) != 12 {
				t.Errorf("%d sent in all, want 12", len(s.sent))
			}
		})
	}
}
