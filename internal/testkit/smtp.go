package testkit

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// SMTPServer is a plain-text SMTP server on 127.0.0.1 that keeps every
// message it accepts. Start one with SMTP.
type SMTPServer struct {
	srv  *smtp.Server
	addr *net.TCPAddr

	mu       sync.Mutex
	messages []Received
	user     string // required credentials; empty accepts any or none
	pass     string
	rcptFail fault
	dataFail fault
	// dataDelay holds back the answer to the next messages' data, as a
	// slow relay that scans them first does.
	dataDelay struct {
		n int
		d time.Duration
	}
}

type fault struct {
	n    int
	code int
	msg  string
}

// take consumes one pending fault, if any, and returns it as an SMTP error.
func (f *fault) take() error {
	if f.n <= 0 {
		return nil
	}
	f.n--
	return &smtp.SMTPError{Code: f.code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: f.msg}
}

// Received is one message the server accepted.
type Received struct {
	From     string
	To       []string
	Data     []byte // the raw RFC 5322 message as sent
	AuthUser string // the user name given with AUTH PLAIN, if any

	Subject  string // decoded
	Header   mail.Header
	TextBody string // the text/plain part, decoded
	HTMLBody string // the text/html part, decoded
	// Attachments are the parts sent as attachments, decoded.
	Attachments []ReceivedFile
}

// ReceivedFile is one attachment of a received message.
type ReceivedFile struct {
	Name        string // the filename parameter, decoded
	ContentType string // the media type, without parameters
	Data        []byte
}

// SMTP starts an SMTP server on 127.0.0.1 on a free port. It stops when the
// test ends. The server accepts AUTH PLAIN over the plain connection
// (as a test server only) with any credentials, unless RequireAuth is called.
func SMTP(t testing.TB) *SMTPServer {
	t.Helper()
	s := &SMTPServer{}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &smtpSession{s: s}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	srv.MaxMessageBytes = 32 << 20
	srv.MaxRecipients = 100
	closed := new(atomic.Bool)
	srv.ErrorLog = testLogger{t: t, closed: closed}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testkit: SMTP server cannot listen on 127.0.0.1: %v", err)
	}
	s.srv = srv
	s.addr = l.Addr().(*net.TCPAddr)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(l)
	}()
	t.Cleanup(func() {
		closed.Store(true)
		_ = srv.Close()
		_ = l.Close() // srv.Close does not close a listener Serve has not taken yet
		<-done
	})
	return s
}

// Host is the address the server listens on, "127.0.0.1".
func (s *SMTPServer) Host() string { return s.addr.IP.String() }

// Port is the TCP port the server listens on.
func (s *SMTPServer) Port() int { return s.addr.Port }

// Addr is "host:port".
func (s *SMTPServer) Addr() string { return s.addr.String() }

// RequireAuth makes the server refuse mail unless the client authenticated
// with AUTH PLAIN as user and pass.
func (s *SMTPServer) RequireAuth(user, pass string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user, s.pass = user, pass
}

// FailNext makes the next n RCPT commands answer code with msg, e.g. 451 (a
// temporary failure the sender should retry) or 550 (a permanent refusal).
// Real servers produce these, but not on demand.
func (s *SMTPServer) FailNext(n int, code int, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rcptFail = fault{n: n, code: code, msg: msg}
}

// FailNextData is FailNext for the DATA command: the recipients are accepted
// and the message is refused after it has been sent.
func (s *SMTPServer) FailNextData(n int, code int, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dataFail = fault{n: n, code: code, msg: msg}
}

// DelayNextData makes the server wait d before it answers the data of the
// next n messages (it has read them whole; the client waits for the reply).
func (s *SMTPServer) DelayNextData(n int, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dataDelay.n, s.dataDelay.d = n, d
}

// Messages returns a copy of the messages accepted so far, oldest first.
func (s *SMTPServer) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.messages...)
}

// Reset forgets the messages accepted so far.
func (s *SMTPServer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = nil
}

// To returns the messages accepted for the recipient address to (compared
// case-insensitively), oldest first.
func (s *SMTPServer) To(to string) []Received {
	var out []Received
	for _, m := range s.Messages() {
		if m.sentTo(to) {
			out = append(out, m)
		}
	}
	return out
}

func (m Received) sentTo(to string) bool {
	for _, r := range m.To {
		if strings.EqualFold(r, to) {
			return true
		}
	}
	return false
}

// WaitFor waits up to timeout for a message to the recipient address to and
// returns the first one. It fails the test when none arrives in time.
func (s *SMTPServer) WaitFor(t testing.TB, to string, timeout time.Duration) Received {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if got := s.To(to); len(got) > 0 {
			return got[0]
		}
		if time.Now().After(deadline) {
			var seen []string
			for _, m := range s.Messages() {
				seen = append(seen, fmt.Sprintf("%v %q", m.To, m.Subject))
			}
			t.Fatalf("testkit: no e-mail to %s arrived within %v; the SMTP server at %s received %d message(s): %v",
				to, timeout, s.Addr(), len(seen), seen)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type smtpSession struct {
	s        *SMTPServer
	authUser string
	authed   bool
	from     string
	to       []string
}

func (ss *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *smtpSession) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		ss.s.mu.Lock()
		user, pass := ss.s.user, ss.s.pass
		ss.s.mu.Unlock()
		if user != "" && (username != user || password != pass) {
			return smtp.ErrAuthFailed
		}
		ss.authUser, ss.authed = username, true
		return nil
	}), nil
}

func (ss *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	ss.s.mu.Lock()
	need := ss.s.user != ""
	ss.s.mu.Unlock()
	if need && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	err := ss.s.rcptFail.take()
	ss.s.mu.Unlock()
	if err != nil {
		return err
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	var delay time.Duration
	if ss.s.dataDelay.n > 0 {
		ss.s.dataDelay.n--
		delay = ss.s.dataDelay.d
	}
	ss.s.mu.Unlock()
	time.Sleep(delay)
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if err := ss.s.dataFail.take(); err != nil {
		return err
	}
	m := parseReceived(data)
	m.From, m.To, m.AuthUser = ss.from, append([]string(nil), ss.to...), ss.authUser
	ss.s.messages = append(ss.s.messages, m)
	return nil
}

func (ss *smtpSession) Reset() {
	ss.from, ss.to = "", nil
}

func (ss *smtpSession) Logout() error { return nil }

// parseReceived fills the parsed fields of a message. A message that does
// not parse keeps only its raw Data: the test then sees empty fields and
// fails on its own assertions.
func parseReceived(data []byte) Received {
	m := Received{Data: data}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return m
	}
	m.Header = msg.Header
	dec := new(mime.WordDecoder)
	if s, err := dec.DecodeHeader(msg.Header.Get("Subject")); err == nil {
		m.Subject = s
	} else {
		m.Subject = msg.Header.Get("Subject")
	}
	_ = walkPart(&m, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	return m
}

func walkPart(m *Received, contentType, encoding string, body io.Reader) error {
	if contentType == "" {
		contentType = "text/plain"
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return err
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if disp, dp, err := mime.ParseMediaType(p.Header.Get("Content-Disposition")); err == nil && disp == "attachment" {
				if err := readAttachment(m, p.Header, dp["filename"], p); err != nil {
					return err
				}
				continue
			}
			if err := walkPart(m, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	if mt != "text/plain" && mt != "text/html" {
		return nil // attachments and the like
	}
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64Reader(body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	// The first part of each kind wins: later ones are alternatives or
	// attachments.
	if mt == "text/plain" && m.TextBody == "" {
		m.TextBody = string(b)
	}
	if mt == "text/html" && m.HTMLBody == "" {
		m.HTMLBody = string(b)
	}
	return nil
}

// readAttachment decodes one attachment part into m.Attachments.
func readAttachment(m *Received, h textproto.MIMEHeader, name string, body io.Reader) error {
	switch strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64Reader(body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	if dec, err := new(mime.WordDecoder).DecodeHeader(name); err == nil {
		name = dec
	}
	m.Attachments = append(m.Attachments, ReceivedFile{Name: name, ContentType: mt, Data: b})
	return nil
}

// testLogger writes the server's errors to the test log until the test ends;
// connection goroutines may outlive Close, and logging to a finished test
// panics.
type testLogger struct {
	t      testing.TB
	closed *atomic.Bool
}

func (l testLogger) Printf(format string, v ...any) {
	if !l.closed.Load() {
		l.t.Logf("smtp server: "+format, v...)
	}
}

func (l testLogger) Println(v ...any) {
	if !l.closed.Load() {
		l.t.Log(append([]any{"smtp server:"}, v...)...)
	}
}

func base64Reader(r io.Reader) io.Reader { return base64.NewDecoder(base64.StdEncoding, r) }
