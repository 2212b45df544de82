package mail

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	"lintel.dev/lintel/internal/testkit"
)

// startSMTP starts testkit's SMTP server and waits for its greeting.
// testkit's cleanup can miss a server that has not begun accepting yet and
// then waits forever; one greeting proves that it has.
func startSMTP(t *testing.T) *testkit.SMTPServer {
	t.Helper()
	srv := testkit.SMTP(t)
	c, err := net.DialTimeout("tcp", srv.Addr(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if line, err := bufio.NewReader(c).ReadString('\n'); err != nil || !strings.HasPrefix(line, "220") {
		t.Fatalf("SMTP greeting %q, %v", line, err)
	}
	return srv
}

// crlf turns a body as received (CRLF line ends) back into Go's \n.
func crlf(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

func testSender(t *testing.T, srv *testkit.SMTPServer, change ...func(*SMTPConfig)) *SMTPSender {
	t.Helper()
	cfg := SMTPConfig{Host: srv.Host(), Port: srv.Port(), From: "Lintel <no-reply@lintel.example>", TLS: TLSNone, Timeout: 5 * time.Second}
	for _, c := range change {
		c(&cfg)
	}
	s, err := NewSMTPSender(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var testMessage = Message{
	ID: 7, DedupeKey: "signup:ada@example.com", Kind: "signup",
	To: "ada@example.com", ToName: "Ada Lovelace", Subject: "Confirm your e-mail — Lintel",
	Text: "Hello Ada,\n\nOpen https://lintel.example/signup/verify?token=abc to continue.\n",
	HTML: `<p>Hello Ada,</p><p><a href="https://lintel.example/signup/verify?token=abc">Continue</a></p>`,
}

func TestSMTPSenderDeliversBothBodies(t *testing.T) {
	srv := startSMTP(t)
	if err := testSender(t, srv).Send(context.Background(), testMessage); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, "ada@example.com", 5*time.Second)
	if got.From != "no-reply@lintel.example" || len(got.To) != 1 {
		t.Errorf("envelope from %q to %v", got.From, got.To)
	}
	if got.Subject != testMessage.Subject {
		t.Errorf("subject %q, want %q", got.Subject, testMessage.Subject)
	}
	if strings.TrimSpace(crlf(got.TextBody)) != strings.TrimSpace(testMessage.Text) {
		t.Errorf("text body %q, want %q", got.TextBody, testMessage.Text)
	}
	if strings.TrimSpace(crlf(got.HTMLBody)) != testMessage.HTML {
		t.Errorf("html body %q, want %q", got.HTMLBody, testMessage.HTML)
	}
	if ct := got.Header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative") {
		t.Errorf("Content-Type %q, want multipart/alternative", ct)
	}
	to, err := got.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name != "Ada Lovelace" || to[0].Address != "ada@example.com" {
		t.Errorf("To header %q (%v)", got.Header.Get("To"), err)
	}
	from, err := got.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "Lintel" || from[0].Address != "no-reply@lintel.example" {
		t.Errorf("From header %q (%v)", got.Header.Get("From"), err)
	}
	if got.Header.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("Auto-Submitted %q", got.Header.Get("Auto-Submitted"))
	}
	if id := got.Header.Get("Message-Id"); id != "<"+messageID(testMessage, "lintel.example")+">" {
		t.Errorf("Message-ID %q is not derived from the dedupe key", id)
	}
	if got.Header.Get("Date") == "" {
		t.Error("no Date header")
	}
}

func TestSMTPSenderTextOnly(t *testing.T) {
	srv := startSMTP(t)
	m := testMessage
	m.HTML = ""
	if err := testSender(t, srv).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, m.To, 5*time.Second)
	if ct := got.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") || got.HTMLBody != "" {
		t.Errorf("text-only message: Content-Type %q, html %q", ct, got.HTMLBody)
	}
}

// TestSMTPHeadersCannotBeInjected sends a name and a subject carrying
// CR/LF and a header: they stay inside their own (encoded) header.
func TestSMTPHeadersCannotBeInjected(t *testing.T) {
	srv := startSMTP(t)
	m := testMessage
	m.ToName = "Eve\r\nBcc: victim@example.com"
	m.Subject = "Hi\r\nBcc: victim2@example.com\r\n\r\nforged body"
	if err := testSender(t, srv).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, m.To, 5*time.Second)
	if len(got.To) != 1 || got.To[0] != m.To {
		t.Errorf("envelope recipients %v, want only %s", got.To, m.To)
	}
	for _, h := range []string{"Bcc", "Cc"} {
		if v := got.Header.Get(h); v != "" {
			t.Errorf("injected %s header: %q", h, v)
		}
	}
	for line := range strings.SplitSeq(string(got.Data), "\r\n") {
		if strings.HasPrefix(strings.ToLower(line), "bcc:") || line == "forged body" {
			t.Errorf("raw message has an injected line %q", line)
		}
	}
	to, err := got.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != m.To || !strings.Contains(to[0].Name, "Bcc: victim@example.com") {
		t.Errorf("To header %q (%v): the name should stay inside it", got.Header.Get("To"), err)
	}

	// The same, without the network: the built message parses back to
	// exactly the headers that were set.
	msg, err := testSender(t, srv).message(m)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	parsed, err := mail.ReadMessage(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if parsed.Header.Get("Bcc") != "" {
		t.Errorf("built message has a Bcc header")
	}
}

func TestSMTPSenderAuthenticates(t *testing.T) {
	srv := startSMTP(t)
	srv.RequireAuth("lintel", "s3cret-pass")
	ok := testSender(t, srv, func(c *SMTPConfig) { c.User, c.Password = "lintel", "s3cret-pass" })
	if err := ok.Send(context.Background(), testMessage); err != nil {
		t.Fatal(err)
	}
	if got := srv.WaitFor(t, testMessage.To, 5*time.Second); got.AuthUser != "lintel" {
		t.Errorf("authenticated as %q", got.AuthUser)
	}
	// A wrong password is the operator's to fix: temporary, so nothing
	// is lost meanwhile.
	bad := testSender(t, srv, func(c *SMTPConfig) { c.User, c.Password = "lintel", "wrong" })
	err := bad.Send(context.Background(), testMessage)
	if err == nil || IsPermanent(err) {
		t.Errorf("wrong password: err = %v, want a temporary error", err)
	}
}

// TestSMTPErrorClasses checks what is retried and what is not, against
// the answers a real server gives.
func TestSMTPErrorClasses(t *testing.T) {
	closed := func() int {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		return port
	}()
	tests := []struct {
		name      string
		setup     func(srv *testkit.SMTPServer)
		change    func(*SMTPConfig)
		msg       func(*Message)
		permanent bool
	}{
		{name: "451 to the recipient", setup: func(s *testkit.SMTPServer) { s.FailNext(1, 451, "Greylisted, try again later") }},
		{name: "421 after the data", setup: func(s *testkit.SMTPServer) { s.FailNextData(1, 421, "Service not available") }},
		{name: "550 to the recipient", setup: func(s *testkit.SMTPServer) { s.FailNext(1, 550, "No such user") }, permanent: true},
		{name: "554 after the data", setup: func(s *testkit.SMTPServer) { s.FailNextData(1, 554, "Message rejected as spam") }, permanent: true},
		{name: "nothing listening", change: func(c *SMTPConfig) { c.Port = closed }},
		{name: "STARTTLS required but not offered", change: func(c *SMTPConfig) { c.TLS = TLSStartTLS }},
		{name: "invalid recipient address", msg: func(m *Message) { m.To = "not an address" }, permanent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startSMTP(t)
			if tt.setup != nil {
				tt.setup(srv)
			}
			s := testSender(t, srv, func(c *SMTPConfig) {
				if tt.change != nil {
					tt.change(c)
				}
			})
			m := testMessage
			if tt.msg != nil {
				tt.msg(&m)
			}
			err := s.Send(context.Background(), m)
			if err == nil {
				t.Fatal("no error")
			}
			if IsPermanent(err) != tt.permanent {
				t.Errorf("IsPermanent(%v) = %v, want %v", err, IsPermanent(err), tt.permanent)
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("server kept %d messages", n)
			}
		})
	}
}

func TestNewSMTPSenderChecksSettings(t *testing.T) {
	good := SMTPConfig{Host: "smtp.example.com", Port: 587, From: "Lintel <no-reply@example.com>"}
	tests := []struct {
		name   string
		change func(*SMTPConfig)
		want   string // in the error; "" for no error
	}{
		{"good", func(*SMTPConfig) {}, ""},
		{"no host", func(c *SMTPConfig) { c.Host = "" }, "--smtp-host"},
		{"bad port", func(c *SMTPConfig) { c.Port = 0 }, "--smtp-port"},
		{"bad tls", func(c *SMTPConfig) { c.TLS = "ssl3" }, "--smtp-tls"},
		{"bad from", func(c *SMTPConfig) { c.From = "Lintel" }, "--smtp-from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.change(&cfg)
			_, err := NewSMTPSender(cfg, nil)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("err = %v, want one naming %q", err, tt.want)
			}
		})
	}
}

// TestSMTPSlowRelayDeliversOnce: a relay that answers the message data
// only after longer than the connect timeout (as one that scans mail first
// does) is waited for, within DataTimeout, so the message is delivered
// once and reported delivered; a relay slower than DataTimeout is given up
// as a temporary failure.
func TestSMTPSlowRelayDeliversOnce(t *testing.T) {
	srv := startSMTP(t)
	srv.DelayNextData(1, 1500*time.Millisecond)
	s := testSender(t, srv, func(c *SMTPConfig) { c.Timeout = 500 * time.Millisecond })
	if err := s.Send(context.Background(), testMessage); err != nil {
		t.Fatalf("slow relay within the data timeout: %v", err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Fatalf("the relay has %d messages, want 1", n)
	}

	srv.Reset()
	srv.DelayNextData(1, 1500*time.Millisecond)
	s = testSender(t, srv, func(c *SMTPConfig) { c.Timeout, c.DataTimeout = 500*time.Millisecond, 700*time.Millisecond })
	err := s.Send(context.Background(), testMessage)
	if err == nil || IsPermanent(err) {
		t.Fatalf("a relay slower than the data timeout: %v, want a temporary error", err)
	}
}

func TestSMTPDefaultsFollowRFC5321(t *testing.T) {
	s, err := NewSMTPSender(SMTPConfig{Host: "smtp.example.com", Port: 587, From: "Lintel <no-reply@example.com>"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.cfg.DataTimeout != 10*time.Minute || s.cfg.Timeout != 30*time.Second {
		t.Errorf("timeouts %v (data) and %v (connect), want 10m and 30s", s.cfg.DataTimeout, s.cfg.Timeout)
	}
	if DefaultSendTimeout <= s.cfg.DataTimeout || DefaultLease < 2*DefaultSendTimeout {
		t.Errorf("an attempt (%v) must outlast the SMTP conversation (%v) and the claim (%v) twice the attempt",
			DefaultSendTimeout, s.cfg.DataTimeout, DefaultLease)
	}
}
