package web

// The owner-approval flow in a real browser, as the people do it: the
// manager asks from the request page on a desktop, with a quote attached;
// the owner opens the link from the e-mail that a real SMTP server
// received, on a phone, without signing in, and approves.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/security"
	"github.com/chromedp/chromedp"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/mail"
	"lintel.dev/lintel/internal/testkit"
)

// trustTestTLS makes the browser accept the test server's self-signed
// certificate (the session cookie is Secure, so the app is served over TLS).
func trustTestTLS() chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, security.SetIgnoreCertificateErrors, security.SetIgnoreCertificateErrorsParams{Ignore: true})
		return chromedp.Void{}, err
	}
}

// deliverAll hands every queued e-mail to the SMTP server.
func deliverAll(t *testing.T, w *mail.Worker) {
	t.Helper()
	for {
		sent, err := w.DeliverOne(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !sent {
			return
		}
	}
}

// waitForMail waits for a message to to whose subject contains subject.
func waitForMail(t *testing.T, srv *testkit.SMTPServer, to, subject string) testkit.Received {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, m := range srv.To(to) {
			if strings.Contains(m.Subject, subject) {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no e-mail to %s about %q arrived", to, subject)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestApprovalBrowser(t *testing.T) {
	e := newApprEnv(t)
	a := e.w.A
	smtpSrv := testkit.SMTP(t)
	sender, err := mail.NewSMTPSender(mail.SMTPConfig{Host: smtpSrv.Host(), Port: smtpSrv.Port(), From: "Lintel <no-reply@lintel.test>",
		TLS: mail.TLSNone, Timeout: 5 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	mailer := mail.NewWorker(e.db, sender, mail.WorkerConfig{})
	quote := filepath.Join(t.TempDir(), "Fan quote.pdf")
	if err := os.WriteFile(quote, quotePDF, 0o600); err != nil {
		t.Fatal(err)
	}

	t.Run("the manager asks on a desktop", func(t *testing.T) {
		ctx := testkit.Browser(t)
		flash, err := func() (string, error) {
			if err := chromedp.Do(ctx,
				trustTestTLS(),
				chromedp.Navigate(e.app.base+"/login"),
				chromedp.SendKeys(chromedp.CSS("#f-email"), a.Emails[testkit.Admin]),
				chromedp.SendKeys(chromedp.CSS("#f-password"), testkit.Password),
				testkit.ClickAndLoad(chromedp.CSS("main form button")),
				chromedp.Navigate(fmt.Sprintf("%s/manage/maintenance/%d", e.app.base, a.OwnerRequest)),
				testkit.ClickAndLoad(chromedp.CSS(fmt.Sprintf(`a[href="/manage/maintenance/%d/approval/new"]`, a.OwnerRequest))),
				chromedp.SendKeys(chromedp.CSS("#f-estimate"), "1250.00"),
				chromedp.SendKeys(chromedp.CSS("#f-notes"), "Replace the fan motor; the old one is burnt out."),
				chromedp.SetUploadFiles(chromedp.CSS("#f-quote"), []string{quote}),
				testkit.ClickAndLoad(chromedp.CSS("main form.stack button")),
			); err != nil {
				return "", err
			}
			return chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".flash")))
		}()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(flash, "Approval asked of Property Owner Harbour, Unit Owner Harbour by e-mail.") {
			t.Fatalf("after asking, the page says %q", flash)
		}
	})

	deliverAll(t, mailer)
	got := waitForMail(t, smtpSrv, a.Emails[testkit.PropertyOwner], "Your approval is needed: Bathroom fan is noisy")
	link := regexp.MustCompile(regexp.QuoteMeta(e.app.base) + `/a/[A-Za-z0-9_-]+`).FindString(got.TextBody)
	if link == "" || !strings.Contains(got.HTMLBody, link) {
		t.Fatalf("the owner's e-mail (%q) has no one-click link:\n%s", got.Subject, got.TextBody)
	}

	t.Run("the owner approves on a phone from the e-mail", func(t *testing.T) {
		ctx := testkit.Browser(t, testkit.Phone)
		if err := chromedp.Do(ctx, trustTestTLS(), chromedp.Navigate(link)); err != nil {
			t.Fatal(err)
		}
		summary, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".approval-summary")))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Bathroom fan is noisy", "$1,250.00", "Replace the fan motor", "Fan quote.pdf"} {
			if !strings.Contains(summary, want) {
				t.Errorf("the decision page lacks %q:\n%s", want, summary)
			}
		}
		// Phone-sized: nothing wider than the screen, the buttons big enough to tap.
		fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth &&
			document.querySelector("#approve").getBoundingClientRect().height >= 44`))
		if err != nil || !fits {
			t.Errorf("the page does not fit a phone (%v)", err)
		}
		if err := chromedp.Do(ctx,
			chromedp.SendKeys(chromedp.CSS("#f-comment"), "Go ahead, thanks."),
			testkit.ClickAndLoad(chromedp.CSS("#approve")),
		); err != nil {
			t.Fatal(err)
		}
		text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Thank you: you approved the work", "Approved by Property Owner Harbour (you)", "Go ahead, thanks."} {
			if !strings.Contains(text, want) {
				t.Errorf("after approving, the page lacks %q:\n%s", want, text)
			}
		}
	})

	if d := e.request(t, a.OwnerRequest); d.Request.Status != lintel.StatusApproved {
		t.Errorf("after the walk: request %s, want approved", d.Request.Status)
	}
	deliverAll(t, mailer)
	waitForMail(t, smtpSrv, a.Emails[testkit.Maintenance], "Approved by the owner: Bathroom fan is noisy")
}
