package mail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"lintel.dev/lintel/internal/blob"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// WorkerConfig tunes a Worker. Zero fields take the defaults below.
type WorkerConfig struct {
	// Poll is how long to wait when nothing is due. Default 1 s.
	Poll time.Duration
	// Lease is how long a claimed message is the worker's own. A worker
	// that crashes mid-send loses its messages to another after this.
	// It must be well above SendTimeout. Default 25 min.
	Lease time.Duration
	// SendTimeout bounds one delivery attempt. It must cover the SMTP
	// sender's whole conversation (SMTPConfig.DataTimeout, 10 minutes: a
	// relay may take that long to accept a message, and an attempt given
	// up sooner delivers it again on the next). Default 11 min.
	SendTimeout time.Duration
	// FirstRetry and MaxRetry bound the back-off after a temporary
	// failure: FirstRetry, doubling per attempt, capped at MaxRetry, less
	// up to a quarter of random jitter. Defaults 1 min and 6 h.
	FirstRetry, MaxRetry time.Duration
	// A message still failing temporarily after MaxAttempts attempts or
	// MaxAge since it was queued is given up. Defaults 20 and 48 h.
	MaxAttempts int
	MaxAge      time.Duration

	// Now is the clock; the store's clock (db.Now) when nil.
	Now func() time.Time
	// Sleep waits d or until ctx ends, answering ctx.Err() then; a timer
	// when nil. Tests replace both to run without waiting.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a number in [0, 1); math/rand when nil.
	Jitter func() float64
	Logger *slog.Logger
	// Files is where attachments are read from (the same store uploads go
	// to). A message with an attachment and no Files is retried until an
	// operator configures one.
	Files blob.Store
	// Batch is how many due messages one claim takes, and Parallel how
	// many of them are handed to the Sender at once. Defaults 20 and 4.
	Batch, Parallel int
}

// Default worker settings; see WorkerConfig.
const (
	DefaultPoll        = time.Second
	DefaultLease       = 25 * time.Minute
	DefaultSendTimeout = 11 * time.Minute
	DefaultFirstRetry  = time.Minute
	DefaultMaxRetry    = 6 * time.Hour
	DefaultMaxAttempts = 20
	DefaultMaxAge      = 48 * time.Hour
	DefaultBatch       = 20
	DefaultParallel    = 4
)

// Worker delivers the outbox: it claims due messages, hands them to its
// Sender and records the outcome. Any number of workers may run, on one
// node or several; the claim in the store keeps each message with one.
//
// A document shared with a thousand residents is a thousand messages with
// one attachment: the worker claims them a batch at a time, sends a few at
// once (each SMTP delivery is its own connection), and reads the attached
// file from the file store once, not once per message.
type Worker struct {
	db     *sqldb.DB
	sender Sender
	cfg    WorkerConfig
	log    *slog.Logger
	files  blobCache
}

// NewWorker returns a worker delivering db's outbox through sender.
func NewWorker(db *sqldb.DB, sender Sender, cfg WorkerConfig) *Worker {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.Poll, DefaultPoll)
	def(&cfg.Lease, DefaultLease)
	def(&cfg.SendTimeout, DefaultSendTimeout)
	def(&cfg.FirstRetry, DefaultFirstRetry)
	def(&cfg.MaxRetry, DefaultMaxRetry)
	def(&cfg.MaxAge, DefaultMaxAge)
	if cfg.SendTimeout > cfg.Lease/2 {
		// A send still running when the lease ends could be taken over
		// and sent twice; keep a wide margin.
		cfg.SendTimeout = cfg.Lease / 2
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.Batch <= 0 {
		cfg.Batch = DefaultBatch
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = DefaultParallel
	}
	if cfg.Now == nil {
		cfg.Now = db.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	if cfg.Jitter == nil {
		cfg.Jitter = rand.Float64
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Worker{db: db, sender: sender, cfg: cfg, log: log.With("worker", "mail")}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run delivers messages until ctx ends: at once while messages are due,
// then polling, each poll one look at the outbox's index of due mail. The
// messages being sent when ctx ends are finished (sent and recorded)
// before Run returns, so a shutdown never leaves one half-done; the rest
// of the batch goes back to the outbox unsent.
func (w *Worker) Run(ctx context.Context) error {
	w.log.Info("mail worker started")
	defer w.log.Info("mail worker stopped")
	failures := 0
	for ctx.Err() == nil {
		n, err := w.DeliverDue(ctx)
		if err != nil && ctx.Err() == nil {
			// The database is unreachable or the like: wait longer each
			// time, up to a minute, instead of spinning.
			failures++
			w.log.Error("mail worker: cannot read the outbox; retrying", "err", err)
			wait := min(w.cfg.Poll<<min(failures, 6), time.Minute)
			if w.cfg.Sleep(ctx, wait) != nil {
				break
			}
			continue
		}
		failures = 0
		if n > 0 {
			continue
		}
		if w.cfg.Sleep(ctx, w.cfg.Poll) != nil {
			break
		}
	}
	return nil
}

// DeliverOne claims one due message and delivers it, reporting whether
// there was one. It returns an error only when the outbox itself could not
// be read or updated; delivery failures are recorded on the message.
func (w *Worker) DeliverOne(ctx context.Context) (bool, error) {
	n, err := w.deliverDue(ctx, 1)
	return n > 0, err
}

// DeliverDue claims a batch of due messages (WorkerConfig.Batch) and
// delivers them, Parallel at a time, reporting how many it claimed. Errors
// are as DeliverOne's.
func (w *Worker) DeliverDue(ctx context.Context) (int, error) {
	return w.deliverDue(ctx, w.cfg.Batch)
}

func (w *Worker) deliverDue(ctx context.Context, limit int) (int, error) {
	claimed := w.cfg.Now()
	ms, err := w.db.ClaimEmails(ctx, w.cfg.Lease, limit)
	if err != nil || len(ms) == 0 {
		return 0, err
	}
	// A message whose send could still be running when its claim runs
	// out could be taken over and sent twice: one not started by then
	// goes back unsent. The margin covers recording the outcome.
	sendBy := claimed.Add(w.cfg.Lease - w.cfg.SendTimeout - w.cfg.Lease/10)
	work := make(chan sqldb.OutboxEmail)
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for range min(w.cfg.Parallel, len(ms)) {
		wg.Go(func() {
			for m := range work {
				if err := w.deliver(ctx, m, sendBy); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	for _, m := range ms {
		work <- m
	}
	close(work)
	wg.Wait()
	return len(ms), errors.Join(errs...)
}

// deliver sends one claimed message and records the outcome.
func (w *Worker) deliver(ctx context.Context, m sqldb.OutboxEmail, sendBy time.Time) error {
	log := w.log.With("email_id", m.ID, "kind", m.Kind, "attempt", m.Attempts, "to_domain", domainOf(m.To))
	stopping := ctx.Err() != nil
	// From here on the message is ours: finish it even if ctx ends.
	ctx = context.WithoutCancel(ctx)
	if stopping || w.cfg.Now().After(sendBy) {
		return w.settle(log, w.db.ReleaseEmail(ctx, m.ID, m.Attempts))
	}

	if m.Attempts > w.cfg.MaxAttempts {
		// Only reached when workers died holding it again and again: a
		// message that crashes the sender must not loop forever.
		return w.settle(log, w.db.FailEmail(ctx, m.ID, m.Attempts,
			fmt.Sprintf("Gave up after %d attempts that did not finish.", m.Attempts-1)))
	}

	msg := message(m)
	var err error
	if m.AttachmentFileID != 0 {
		msg.Attachment, err = w.attachment(ctx, m.ID)
		if errors.Is(err, blob.ErrNotFound) || lintel.IsNotFound(err) {
			log.Error("e-mail attachment is missing from the file store; not sending", "err", err)
			return w.settle(log, w.db.FailEmail(ctx, m.ID, m.Attempts, "The attached file is missing from the file store."))
		}
	}
	if err == nil {
		sendCtx, cancel := context.WithTimeout(ctx, w.cfg.SendTimeout)
		err = w.sender.Send(sendCtx, msg)
		cancel()
	}
	switch {
	case err == nil:
		log.Info("e-mail sent")
		return w.settle(log, w.db.MarkEmailSent(ctx, m.ID, m.Attempts))
	case IsPermanent(err):
		log.Warn("e-mail refused permanently; not retrying", "err", err)
		return w.settle(log, w.db.FailEmail(ctx, m.ID, m.Attempts, reason(err)))
	}
	now := w.cfg.Now()
	if m.Attempts >= w.cfg.MaxAttempts || now.Sub(m.CreatedAt) >= w.cfg.MaxAge {
		log.Warn("e-mail still failing; giving up", "err", err, "queued", m.CreatedAt)
		return w.settle(log, w.db.FailEmail(ctx, m.ID, m.Attempts,
			fmt.Sprintf("Gave up after %d attempts over %s. Last error: %s", m.Attempts, now.Sub(m.CreatedAt).Round(time.Minute), reason(err))))
	}
	delay := w.backoff(m.Attempts)
	log.Warn("e-mail not sent; will retry", "err", err, "retry_in", delay)
	return w.settle(log, w.db.RetryEmail(ctx, m.ID, m.Attempts, now.Add(delay), reason(err)))
}

// settle reports err from recording an outcome. Losing the lease is logged,
// not returned: the message is another worker's now.
func (w *Worker) settle(log *slog.Logger, err error) error {
	if errors.Is(err, sqldb.ErrLeaseLost) {
		log.Warn("e-mail claim ran out before the outcome was recorded; another worker has it")
		return nil
	}
	return err
}

// backoff is the wait after the attempt-th failed attempt: exponential,
// capped, with jitter below the cap so that many messages failing together
// (an SMTP outage) do not all come back in the same second.
func (w *Worker) backoff(attempt int) time.Duration {
	d := w.cfg.MaxRetry
	if attempt < 1 {
		attempt = 1
	}
	if attempt <= 40 {
		if e := w.cfg.FirstRetry << (attempt - 1); e > 0 && e < d {
			d = e
		}
	}
	return d - time.Duration(w.cfg.Jitter()*float64(d)/4)
}

// maxAttachmentRead bounds what is read for one attachment: documents are
// only attached up to lintel.MaxAttachmentBytes, so anything much larger is
// not what was recorded.
const maxAttachmentRead = 4 * lintel.MaxAttachmentBytes

// attachment reads the file attached to outbox message id. The store is
// asked for each message (the file may have been deleted since it was
// queued); the file's bytes come from the cache when another message
// carried the same file.
func (w *Worker) attachment(ctx context.Context, id int64) (*Attachment, error) {
	f, err := w.db.EmailAttachment(ctx, id)
	if err != nil {
		return nil, err
	}
	if w.cfg.Files == nil {
		return nil, errors.New("no file store is configured to read the attachment from")
	}
	data, err := w.files.get(f.Key, func() ([]byte, error) { return w.readFile(ctx, f) })
	if err != nil {
		return nil, err
	}
	return &Attachment{Name: f.Name, ContentType: f.ContentType, Data: data}, nil
}

func (w *Worker) readFile(ctx context.Context, f sqldb.StoredFile) ([]byte, error) {
	rc, err := w.cfg.Files.Open(ctx, f.Key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxAttachmentRead+1))
	if err != nil {
		return nil, fmt.Errorf("read attachment: %w", err)
	}
	if len(data) > maxAttachmentRead {
		return nil, fmt.Errorf("attachment %s is larger than %d bytes", f.Name, maxAttachmentRead)
	}
	return data, nil
}

// blobCache keeps the last few attachments read, by storage key. Stored
// files never change under their key, so a cached copy is the file; the
// bound keeps a worker's memory to a few attachments.
type blobCache struct {
	mu      sync.Mutex
	entries map[string]*cachedBlob
	order   []string // oldest first
}

type cachedBlob struct {
	mu   sync.Mutex // held while the first reader loads it
	data []byte
	ok   bool
}

const cachedBlobs = 4

// get returns the blob under key, calling load once for concurrent
// callers. A failed load is not kept: the next caller tries again.
func (c *blobCache) get(key string, load func() ([]byte, error)) ([]byte, error) {
	c.mu.Lock()
	e := c.entries[key]
	if e == nil {
		if c.entries == nil {
			c.entries = map[string]*cachedBlob{}
		}
		e = &cachedBlob{}
		c.entries[key] = e
		c.order = append(c.order, key)
		if len(c.order) > cachedBlobs {
			delete(c.entries, c.order[0])
			c.order = c.order[1:]
		}
	}
	c.mu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ok {
		return e.data, nil
	}
	data, err := load()
	if err != nil {
		return nil, err
	}
	e.data, e.ok = data, true
	return data, nil
}

func message(m sqldb.OutboxEmail) Message {
	return Message{ID: m.ID, DedupeKey: m.DedupeKey, Kind: m.Kind, To: m.To, ToName: m.ToName, Subject: m.Subject, Text: m.Text, HTML: m.HTML}
}

// reason is what is stored and shown as the cause of a failure.
func reason(err error) string {
	return strings.TrimSpace(err.Error())
}

// domainOf is the part of an address that may be logged: enough to spot a
// provider refusing mail without writing people's addresses into logs.
func domainOf(addr string) string {
	if _, d, ok := strings.Cut(addr, "@"); ok {
		return d
	}
	return ""
}
