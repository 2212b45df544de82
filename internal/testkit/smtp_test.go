package testkit

import (
	"errors"
	"fmt"
	"net/smtp"
	"net/textproto"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

const multipartMessage = "From: Lintel <no-reply@lintel.test>\r\n" +
	"To: ana@example.test\r\n" +
	"Subject: =?utf-8?q?Rent_due_=E2=80=94_Flat_2?=\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/alternative; boundary=\"b1\"\r\n" +
	"\r\n" +
	"--b1\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"Rent of =E2=82=AC 850 is due.\r\n" +
	"--b1\r\n" +
	"Content-Type: text/html; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"PHA+UmVudCBvZiDigqwgODUwIGlzIGR1ZS48L3A+\r\n" +
	"--b1--\r\n"

func TestSMTPReceivesAndParses(t *testing.T) {
	s := SMTP(t)
	if s.Host() != "127.0.0.1" || s.Port() == 0 {
		t.Fatalf("address = %s:%d, want 127.0.0.1 and a port", s.Host(), s.Port())
	}
	err := smtp.SendMail(s.Addr(), smtp.PlainAuth("", "lintel", "secret", s.Host()),
		"no-reply@lintel.test", []string{"ana@example.test", "ben@example.test"}, []byte(multipartMessage))
	if err != nil {
		t.Fatal(err)
	}
	m := s.WaitFor(t, "ANA@example.test", 2*time.Second)
	checks := []struct{ name, got, want string }{
		{"From", m.From, "no-reply@lintel.test"},
		{"To", strings.Join(m.To, ","), "ana@example.test,ben@example.test"},
		{"AuthUser", m.AuthUser, "lintel"},
		{"Subject", m.Subject, "Rent due — Flat 2"},
		{"TextBody", m.TextBody, "Rent of € 850 is due."},
		{"HTMLBody", m.HTMLBody, "<p>Rent of € 850 is due.</p>"},
		{"Header To", m.Header.Get("To"), "ana@example.test"},
	}
	for _, c := range checks {
		if strings.TrimSpace(c.got) != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if !strings.Contains(string(m.Data), "boundary=\"b1\"") {
		t.Errorf("Data does not hold the raw message: %q", m.Data)
	}
	if n := len(s.Messages()); n != 1 {
		t.Errorf("Messages() has %d messages, want 1", n)
	}
	s.Reset()
	if n := len(s.Messages()); n != 0 {
		t.Errorf("after Reset, Messages() has %d messages", n)
	}
}

func TestSMTPPlainMessage(t *testing.T) {
	s := SMTP(t)
	msg := "Subject: Hello\r\n\r\nJust text.\r\n"
	if err := smtp.SendMail(s.Addr(), nil, "a@x.test", []string{"b@x.test"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	m := s.WaitFor(t, "b@x.test", time.Second)
	if m.Subject != "Hello" || strings.TrimSpace(m.TextBody) != "Just text." || m.HTMLBody != "" || m.AuthUser != "" {
		t.Errorf("got %+v", m)
	}
}

func TestSMTPFaults(t *testing.T) {
	tests := []struct {
		name      string
		set       func(s *SMTPServer)
		wantCodes []int // per attempt; 0 = delivered
	}{
		{"temporary at RCPT, then accepted", func(s *SMTPServer) { s.FailNext(2, 451, "try again later") }, []int{451, 451, 0}},
		{"permanent at RCPT", func(s *SMTPServer) { s.FailNext(1, 550, "no such mailbox") }, []int{550, 0}},
		{"temporary at DATA", func(s *SMTPServer) { s.FailNextData(1, 452, "disk full") }, []int{452, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := SMTP(t)
			tt.set(s)
			delivered := 0
			for i, want := range tt.wantCodes {
				err := smtp.SendMail(s.Addr(), nil, "a@x.test", []string{"b@x.test"}, []byte("Subject: x\r\n\r\nx\r\n"))
				if want == 0 {
					if err != nil {
						t.Fatalf("attempt %d: %v, want delivery", i+1, err)
					}
					delivered++
					continue
				}
				var te *textproto.Error
				if !errors.As(err, &te) || te.Code != want {
					t.Fatalf("attempt %d: error %v, want code %d", i+1, err, want)
				}
			}
			if got := len(s.Messages()); got != delivered {
				t.Errorf("server kept %d messages, want %d", got, delivered)
			}
		})
	}
}

func TestSMTPRequireAuth(t *testing.T) {
	s := SMTP(t)
	s.RequireAuth("lintel", "right")
	send := func(auth smtp.Auth) error {
		return smtp.SendMail(s.Addr(), auth, "a@x.test", []string{"b@x.test"}, []byte("Subject: x\r\n\r\nx\r\n"))
	}
	if err := send(nil); err == nil {
		t.Error("sent without authentication, want refusal")
	}
	if err := send(smtp.PlainAuth("", "lintel", "wrong", s.Host())); err == nil {
		t.Error("sent with a wrong password, want refusal")
	}
	if err := send(smtp.PlainAuth("", "lintel", "right", s.Host())); err != nil {
		t.Errorf("sending with the right password: %v", err)
	}
	if got := len(s.Messages()); got != 1 {
		t.Errorf("server kept %d messages, want 1", got)
	}
}

// fatalRecorder stands in for a *testing.T to see that a helper fails the
// test, without failing this one.
type fatalRecorder struct {
	testing.TB
	mu  sync.Mutex
	msg string
}

func (f *fatalRecorder) Helper() {}
func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.msg = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}
func (f *fatalRecorder) Fatal(args ...any) { f.Fatalf("%s", fmt.Sprint(args...)) }

// failure runs fn as a test body and returns the message it failed with.
func failure(t *testing.T, fn func(tb testing.TB)) string {
	t.Helper()
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(rec)
	}()
	<-done
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.msg
}

func TestSMTPWaitForTimesOut(t *testing.T) {
	s := SMTP(t)
	if err := smtp.SendMail(s.Addr(), nil, "a@x.test", []string{"other@x.test"}, []byte("Subject: Other\r\n\r\nx\r\n")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	msg := failure(t, func(tb testing.TB) { s.WaitFor(tb, "nobody@x.test", 100*time.Millisecond) })
	if msg == "" {
		t.Fatal("WaitFor returned for a recipient that got no mail")
	}
	if time.Since(start) < 100*time.Millisecond {
		t.Errorf("WaitFor gave up after %v, before its timeout", time.Since(start))
	}
	for _, want := range []string{"nobody@x.test", "1 message", "Other"} {
		if !strings.Contains(msg, want) {
			t.Errorf("failure message %q does not mention %q", msg, want)
		}
	}
}
