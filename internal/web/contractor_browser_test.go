package web

// The browser walk of seed 001 ("Operators Guide – Contractors") on a
// phone: headless Chromium at 390×844 with touch opens the e-mailed link
// with no account, reads the job, saves tenant and manager notes, uploads
// a before photo with the progress bar, saves the invoice with its PDF,
// marks the work complete and asks for a follow-up; the manager's e-mails
// are queued.

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lintel.dev/lintel/internal/blob"
	"lintel.dev/lintel/internal/testkit"
)

// phoneTab drives one tab and fails the test with what the page says when
// a step does not work.
type phoneTab struct {
	t   *testing.T
	ctx context.Context
}

func (p *phoneTab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		body, _ := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS("main")))
		loc, _ := chromedp.Run(p.ctx, chromedp.Location())
		p.t.Fatalf("%s: %v\nat %s the page says:\n%s", what, err, loc, body)
	}
}

// see fails unless the element sel says each of parts.
func (p *phoneTab) see(sel string, parts ...string) {
	p.t.Helper()
	text, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("read %s: %v", sel, err)
	}
	for _, part := range parts {
		if !strings.Contains(text, part) {
			loc, _ := chromedp.Run(p.ctx, chromedp.Location())
			p.t.Fatalf("at %s, %s does not say %q; it says:\n%s", loc, sel, part, text)
		}
	}
}

func (p *phoneTab) eval(js string) bool {
	p.t.Helper()
	ok, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](js))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", js, err)
	}
	return ok
}

func TestContractorPhoneBrowser(t *testing.T) {
	ctx := context.Background()
	db, w := testkit.SQLiteWorld(t)
	files, err := blob.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { files.Close() })
	// Plain HTTP on loopback: the task page needs no cookie, so no TLS.
	ts := httptest.NewUnstartedServer(nil)
	base, _ := url.Parse("http://" + ts.Listener.Addr().String())
	srv, err := New(Config{BaseURL: base, Files: files, Now: db.Now}, db, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(ts.Close)

	dir := t.TempDir()
	photoPath := filepath.Join(dir, "IMG_2041.jpg")
	pdfPath := filepath.Join(dir, "INV-2041.pdf")
	if err := os.WriteFile(photoPath, testJPEG(t, 640, 480), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pdfPath, testPDF, 0o600); err != nil {
		t.Fatal(err)
	}

	p := &phoneTab{t: t, ctx: testkit.Browser(t, testkit.Phone)}
	link := base.String() + "/t/" + w.A.VisitToken

	// "Click the link in the email to open the task" — no account.
	p.do("open the task link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#job")))
	if !p.eval(`window.innerWidth <= 400`) {
		t.Fatal("the browser is not phone-sized")
	}
	// "Reviewing the Request Details".
	p.see("#job", "Kitchen tap drips", "Harbour House · Apt 1", "1 Harbour Road", "Plumbing", "Is water leaking right now?", "Kitchen tap drips, since yesterday.")
	p.see("#access", "Tenant Harbour", "Cotenant Harbour", "+1 555 0100", "tenant@harbour.test", "Weekday mornings", "you may enter when nobody is home", "A friendly cat")
	p.see("#from-manager", "Notes from the manager")
	if p.eval(`document.documentElement.scrollWidth > window.innerWidth + 1`) {
		t.Error("the task page scrolls sideways on a phone")
	}
	// The page told the server it was opened; the manager sees when.
	deadline := time.Now().Add(10 * time.Second)
	for {
		d, err := db.StaffRequest(ctx, w.A.Staff[testkit.Admin], w.A.Request)
		if err != nil {
			t.Fatal(err)
		}
		if v := d.Visits[len(d.Visits)-1]; v.ID == w.A.Visit && !v.TokenLastOpened.IsZero() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("opening the page did not record \"last opened\"")
		}
		time.Sleep(50 * time.Millisecond)
	}

	// "Scheduling the Visit".
	// The server refuses a time already past, so the visit is a week ahead
	// of whenever the suite runs.
	visit := time.Now().UTC().AddDate(0, 0, 7)
	visit = time.Date(visit.Year(), visit.Month(), visit.Day(), 9, 30, 0, 0, time.UTC)
	p.do("agree a time", chromedp.SetValue(chromedp.CSS("#f-scheduled_at"), visit.Format("2006-01-02T15:04")),
		testkit.ClickAndLoad(chromedp.CSS("#schedule button")))
	p.see("#schedule", "Time saved", visit.Format("Mon 2 Jan 2006, 15:04"))

	// "Add Notes" — each saved with its own Save button, with a visible
	// confirmation.
	p.do("write tenant notes", chromedp.SendKeys(chromedp.CSS("#f-tenant_notes"), "Replaced the washer. Close the tap gently."),
		testkit.ClickAndLoad(chromedp.CSS("#tenant-notes button")))
	p.see("#tenant-notes", "Saved at")
	p.do("write manager notes", chromedp.SendKeys(chromedp.CSS("#f-manager_notes"), "Mixer is 20 years old; recommend replacing."),
		testkit.ClickAndLoad(chromedp.CSS("#manager-notes button")))
	p.see("#manager-notes", "Saved at")
	if v, _ := chromedp.Run(p.ctx, chromedp.Value(chromedp.CSS("#f-tenant_notes"))); v != "Replaced the washer. Close the tap gently." {
		t.Fatalf("tenant notes after saving = %q", v)
	}

	// "Upload Photos" — a before photo, with the progress bar. The bar
	// shows while sending; a watcher keeps what it saw across the reload.
	p.do("choose a photo", chromedp.SetValue(chromedp.CSS("#f-phase"), "before"),
		chromedp.SetUploadFiles(chromedp.CSS("#f-photos"), []string{photoPath}))
	if !p.eval(`(() => {
		const bar = document.querySelector("#photos-progress");
		if (!bar || !bar.hidden) return false;
		new MutationObserver(() => { if (!bar.hidden) sessionStorage.setItem("sawProgress", String(bar.value)); })
			.observe(bar, {attributes: true});
		return true;
	})()`) {
		t.Fatal("no hidden progress bar in the photo form")
	}
	p.do("upload the photo", testkit.ClickAndLoad(chromedp.CSS("#photos button")), chromedp.WaitVisible(chromedp.CSS("ul.task-photos img")))
	p.see("#photos", "1 photo added", "Before the work")
	if !p.eval(`sessionStorage.getItem("sawProgress") !== null`) {
		t.Error("the progress bar was not shown while uploading")
	}
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[bool](`(() => { const i = document.querySelector("ul.task-photos img"); return !!i && i.complete && i.naturalWidth > 0; })()`)); err != nil {
		t.Fatalf("the thumbnail did not load: %v", err)
	}

	// "Add Invoice Details" and "Save Document".
	p.do("fill the invoice", chromedp.SendKeys(chromedp.CSS("#f-invoice_number"), "INV-2041"),
		chromedp.SetValue(chromedp.CSS("#f-invoice_date"), time.Now().UTC().Format("2006-01-02")),
		chromedp.SendKeys(chromedp.CSS("#f-invoice_amount"), "240.00"), chromedp.SendKeys(chromedp.CSS("#f-invoice_tax"), "40.00"),
		chromedp.SetUploadFiles(chromedp.CSS("#f-invoice_file"), []string{pdfPath}),
		testkit.ClickAndLoad(chromedp.CSS("#invoice button")))
	p.see("#invoice", "Invoice saved at", "INV-2041", "$240.00", "$40.00", "INV-2041.pdf")

	// "Completing the Request".
	p.do("mark complete", testkit.ClickAndLoad(chromedp.CSS("#mark-complete")))
	p.see("#finish", "Marked complete")
	p.see("#visit-status", "Completed")

	// "If Follow-Up Is Needed" — available after completing.
	p.do("ask for a follow-up", chromedp.Click(chromedp.CSS("#f-follow_up-return")),
		chromedp.SendKeys(chromedp.CSS("#f-follow_up_reason"), "The new mixer is on order; I will fit it next week."),
		testkit.ClickAndLoad(chromedp.CSS("#follow-up button")))
	p.see("#follow-up", "Follow-up requested", "I need to return at a later time", "on order")

	// "This will notify the property management company".
	var completed, followUp bool
	for _, m := range (&testApp{db: db}).emailsTo(t, w.A.Emails[testkit.Admin]) {
		completed = completed || strings.HasPrefix(m.Subject, "Work completed: Kitchen tap drips")
		followUp = followUp || (strings.HasPrefix(m.Subject, "Follow-up needed: Kitchen tap drips") && strings.Contains(m.Text, "on order"))
	}
	if !completed || !followUp {
		t.Fatalf("manager's e-mails: completed %v, follow-up %v", completed, followUp)
	}
}
