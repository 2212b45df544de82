package mail

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Transport security modes for SMTPConfig.TLS.
const (
	TLSStartTLS = "starttls" // plain connection upgraded with STARTTLS, which must succeed (port 587)
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
	TLSNone     = "none"     // no encryption: only for a relay on the same host or network
)

// SMTPConfig is how to reach the SMTP server that relays Lintel's mail.
type SMTPConfig struct {
	Host     string
	Port     int
	User     string // empty: no authentication
	Password string
	From     string // e.g. "Lintel <no-reply@example.com>"
	TLS      string // TLSStartTLS (when empty), TLSImplicit or TLSNone
	// Timeout bounds connecting; 30 seconds when 0.
	Timeout time.Duration
	// DataTimeout bounds the whole conversation, and so the wait for the
	// server's reply to the message data, which a relay may give only
	// after scanning it: RFC 5321 §4.5.3.2 asks clients to wait 10
	// minutes for it (DefaultDataTimeout when 0). Giving up sooner makes a
	// slow relay deliver the message once per attempt.
	DataTimeout time.Duration
	// TLSConfig overrides the TLS settings (tests use it to trust their own
	// certificate); nil verifies the server against the system roots.
	TLSConfig *tls.Config
}

// DefaultDataTimeout is how long a conversation with the SMTP server may
// take, the reply to the message data included (RFC 5321 §4.5.3.2).
const DefaultDataTimeout = 10 * time.Minute

// SMTPSender delivers messages through an SMTP server, one connection per
// message. Every header is set through the mail library, which encodes
// names and subjects, so no input can add headers (SECURITY.md 20).
type SMTPSender struct {
	cfg    SMTPConfig
	from   *netmail.Address
	domain string
	log    *slog.Logger
}

// NewSMTPSender checks cfg and returns a sender for it.
func NewSMTPSender(cfg SMTPConfig, log *slog.Logger) (*SMTPSender, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Host == "" {
		return nil, errors.New("SMTP: no host given; set --smtp-host")
	}
	if cfg.Port <= 0 || cfg.Port > 65535 {
		return nil, fmt.Errorf("SMTP: port %d is not a TCP port; set --smtp-port (587 for STARTTLS, 465 for TLS)", cfg.Port)
	}
	switch cfg.TLS {
	case "":
		cfg.TLS = TLSStartTLS
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		return nil, fmt.Errorf("SMTP: transport security %q is unknown; set --smtp-tls to starttls, tls or none", cfg.TLS)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.DataTimeout <= 0 {
		cfg.DataTimeout = DefaultDataTimeout
	}
	from, err := netmail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("SMTP: From address %q: %v; set --smtp-from to e.g. \"Lintel <no-reply@example.com>\"", cfg.From, err)
	}
	_, domain, _ := strings.Cut(from.Address, "@")
	return &SMTPSender{cfg: cfg, from: from, domain: domain, log: log}, nil
}

// Send delivers m. Refusals the recipient's server means for good (5xx to
// the recipient or the message) come back marked Permanent; connection
// problems, timeouts, 4xx answers and configuration mistakes that an
// operator can fix (authentication, TLS) come back as temporary.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	msg, err := s.message(m)
	if err != nil {
		return Permanent(err)
	}
	c, err := gomail.NewClient(s.cfg.Host, s.clientOptions()...)
	if err != nil {
		return fmt.Errorf("SMTP client for %s: %w", s.cfg.Host, err)
	}
	dialCtx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	err = c.DialWithContext(dialCtx)
	cancel()
	if err != nil {
		return classify(err)
	}
	defer c.Close()
	err = c.Send(msg)
	if msg.IsDelivered() {
		// The server took the message; a failure after that (RSET, QUIT)
		// must not cause a second copy.
		if err != nil {
			s.log.Warn("SMTP error after the message was accepted; not retrying", "email_id", m.ID, "err", err)
		}
		return nil
	}
	if err == nil {
		return errors.New("SMTP server did not confirm the message")
	}
	return classify(err)
}

func (s *SMTPSender) clientOptions() []gomail.Option {
	// The library's timeout is one deadline for the whole conversation
	// (Send bounds connecting with the short one).
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTimeout(s.cfg.DataTimeout)}
	if s.cfg.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(s.cfg.TLSConfig))
	}
	switch s.cfg.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL(), gomail.WithTLSPolicy(gomail.NoTLS))
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.cfg.User != "" {
		auth := gomail.SMTPAuthAutoDiscover
		if s.cfg.TLS == TLSNone {
			// The operator chose an unencrypted link (a local relay); the
			// library refuses plain passwords there unless told so.
			auth = gomail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(s.cfg.User), gomail.WithPassword(s.cfg.Password))
	}
	return opts
}

// message builds the MIME message: multipart/alternative with the text
// and HTML bodies (text only when there is no HTML).
func (s *SMTPSender) message(m Message) (*gomail.Msg, error) {
	to, err := netmail.ParseAddress(m.To)
	if err != nil {
		return nil, fmt.Errorf("recipient address %q: %w", m.To, err)
	}
	// A display name is one line however it was typed; the library then
	// encodes what is left, so it cannot end its header early.
	to.Name = oneLine(m.ToName)
	msg := gomail.NewMsg()
	msg.FromMailAddress(s.from)
	msg.AddToMailAddress(to)
	msg.Subject(oneLine(m.Subject))
	msg.SetMessageIDWithValue(messageID(m, s.domain))
	msg.SetUserAgent("Lintel")
	// RFC 3834: tells vacation responders not to answer.
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	if a := m.Attachment; a != nil {
		// The stored name is one line of the uploader's choosing; the
		// library quotes and encodes it in the part's headers.
		name := oneLine(a.Name)
		if name == "" {
			name = "document"
		}
		msg.AttachReadSeeker(name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(a.ContentType)))
	}
	return msg, nil
}

// oneLine collapses every run of white space, line breaks included, to one
// space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// messageID is the same for every attempt at one outbox message, so in the
// rare case a message goes out twice (a worker lost its claim mid-send) mail
// programs can still show it once.
func messageID(m Message, domain string) string {
	h := sha256.Sum256([]byte(m.DedupeKey))
	if domain == "" {
		domain = "lintel.invalid"
	}
	return "lintel." + hex.EncodeToString(h[:16]) + "@" + domain
}

// configCodes are 5xx answers about the connection, not the message:
// authentication or encryption needed or refused. An operator fixes them,
// after which every waiting message should still go out.
var configCodes = map[int]bool{530: true, 534: true, 535: true, 538: true}

// classify marks err Permanent when the server refused the message or its
// recipient for good; everything else stays temporary.
func classify(err error) error {
	var se *gomail.SendError
	if errors.As(err, &se) {
		switch se.Reason {
		case gomail.ErrGetSender, gomail.ErrGetRcpts, gomail.ErrNoUnencoded:
			return Permanent(err)
		case gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose:
			if code := se.ErrorCode(); code >= 500 && code < 600 && !configCodes[code] {
				return Permanent(err)
			}
		}
	}
	// Dial, greeting, STARTTLS and AUTH failures, a refused sender address
	// (MAIL FROM is about our configuration, not this message), network
	// errors and timeouts: the next attempt may well succeed.
	return err
}
