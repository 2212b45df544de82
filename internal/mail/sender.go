package mail

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
)

// Message is one e-mail to deliver, as read from the outbox.
type Message struct {
	ID        int64  // the outbox id, for logs and links
	DedupeKey string // names the event and recipient; seeds the Message-ID
	Kind      string
	To        string
	ToName    string
	Subject   string
	Text      string
	HTML      string
	// Attachment is a file sent with the message, nil for none.
	Attachment *Attachment
}

// Attachment is a file attached to a message, read from the file store by
// the worker just before sending.
type Attachment struct {
	Name        string // as uploaded; the mail library encodes it
	ContentType string // as checked on upload
	Data        []byte
}

// A Sender delivers one message. An error wrapped with Permanent means
// retrying cannot help (the recipient's server refused it for good); any
// other error is taken as temporary and the message is tried again later.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// permanentError marks a delivery failure that retrying cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as a failure that retrying cannot fix.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

// IsPermanent reports whether err, or an error it wraps, was marked with
// Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// DevSender "delivers" by keeping the message where it is: the outbox row
// marked sent is what the development mailbox (/dev/mailbox) shows. It is
// the sender when no SMTP server is configured, so the demo and local
// development need no mail server and send nothing to real people.
type DevSender struct {
	base *url.URL
	log  *slog.Logger
}

// NewDevSender returns a DevSender that logs, for each message, its link in
// the development mailbox under base.
func NewDevSender(base *url.URL, log *slog.Logger) *DevSender {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &DevSender{base: base, log: log}
}

// Send logs where the message can be read; it never touches the network.
func (d *DevSender) Send(ctx context.Context, m Message) error {
	link := "/dev/mailbox/" + strconv.FormatInt(m.ID, 10)
	if d.base != nil {
		u := *d.base
		u.Path = strings.TrimRight(u.Path, "/") + link
		link = u.String()
	}
	d.log.LogAttrs(ctx, slog.LevelInfo, "e-mail kept in the dev mailbox",
		slog.Int64("email_id", m.ID), slog.String("kind", m.Kind), slog.String("open", link))
	return nil
}
