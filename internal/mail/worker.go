package mail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strings"
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
	// It must be well above SendTimeout. Default 2 min.
	Lease time.Duration
	// SendTimeout bounds one delivery attempt. Default 1 min.
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
}

// Default worker settings; see WorkerConfig.
const (
	DefaultPoll        = time.Second
	DefaultLease       = 2 * time.Minute
	DefaultSendTimeout = time.Minute
	DefaultFirstRetry  = time.Minute
	DefaultMaxRetry    = 6 * time.Hour
	DefaultMaxAttempts = 20
	DefaultMaxAge      = 48 * time.Hour
)

// Worker delivers the outbox: it claims due messages, hands them to its
// Sender and records the outcome. Any number of workers may run, on one
// node or several; the claim in the store keeps each message with one.
type Worker struct {
	db     *sqldb.DB
	sender Sender
	cfg    WorkerConfig
	log    *slog.Logger
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
// then polling. A message in hand when ctx ends is finished (sent and
// recorded) before Run returns, so a shutdown never leaves one half-done.
func (w *Worker) Run(ctx context.Context) error {
	w.log.Info("mail worker started")
	defer w.log.Info("mail worker stopped")
	failures := 0
	for ctx.Err() == nil {
		worked, err := w.DeliverOne(ctx)
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
		if worked {
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
	m, err := w.db.ClaimEmail(ctx, w.cfg.Lease)
	if lintel.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	// From here on the message is ours: finish it even if ctx ends.
	ctx = context.WithoutCancel(ctx)
	log := w.log.With("id", m.ID, "kind", m.Kind, "attempt", m.Attempts, "to_domain", domainOf(m.To))

	if m.Attempts > w.cfg.MaxAttempts {
		// Only reached when workers died holding it again and again: a
		// message that crashes the sender must not loop forever.
		return true, w.settle(log, w.db.FailEmail(ctx, m.ID, m.Attempts,
			fmt.Sprintf("Gave up after %d attempts that did not finish.", m.Attempts-1)))
	}

	msg := message(m)
	if m.AttachmentFileID != 0 {
		msg.Attachment, err = w.attachment(ctx, m.ID)
		if errors.Is(err, blob.ErrNotFound) || lintel.IsNotFound(err) {
			log.Error("e-mail attachment is missing from the file store; not sending", "err", err)
			return true, w.settle(log, w.db.FailEmail(ctx, m.ID, m.Attempts, "The attached file is missing from the file store."))
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
		return true, w.settle(log, w.db.MarkEmailSent(ctx, m.ID, m.Attempts))
	case IsPermanent(err):
		log.Warn("e-mail refused permanently; not retrying", "err", err)
		return true, w.settle(log, w.db.FailEmail(ctx, m.ID, m.Attempts, reason(err)))
	}
	now := w.cfg.Now()
	if m.Attempts >= w.cfg.MaxAttempts || now.Sub(m.CreatedAt) >= w.cfg.MaxAge {
		log.Warn("e-mail still failing; giving up", "err", err, "queued", m.CreatedAt)
		return true, w.settle(log, w.db.FailEmail(ctx, m.ID, m.Attempts,
			fmt.Sprintf("Gave up after %d attempts over %s. Last error: %s", m.Attempts, now.Sub(m.CreatedAt).Round(time.Minute), reason(err))))
	}
	delay := w.backoff(m.Attempts)
	log.Warn("e-mail not sent; will retry", "err", err, "retry_in", delay)
	return true, w.settle(log, w.db.RetryEmail(ctx, m.ID, m.Attempts, now.Add(delay), reason(err)))
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

// attachment reads the file attached to outbox message id.
func (w *Worker) attachment(ctx context.Context, id int64) (*Attachment, error) {
	f, err := w.db.EmailAttachment(ctx, id)
	if err != nil {
		return nil, err
	}
	if w.cfg.Files == nil {
		return nil, errors.New("no file store is configured to read the attachment from")
	}
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
	return &Attachment{Name: f.Name, ContentType: f.ContentType, Data: data}, nil
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
