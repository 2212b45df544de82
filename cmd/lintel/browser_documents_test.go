package main

// Shared documents end to end, in headless Chromium against the real
// binary's code path with a real SMTP server: a manager uploads a PDF with
// the progress bar and shares it with a lease; the tenant receives the
// e-mail with the PDF attached, opens Documents on a phone, sees it and
// downloads it.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

func TestBrowserDocumentShared(t *testing.T) {
	smtp := testkit.SMTP(t)
	data := t.TempDir()
	ctx := context.Background()
	db, err := sqldb.Open(ctx, "", data, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := testkit.NewWorld(t, db)
	db.Close()
	a := w.A

	pdf := demoPDF([]string{"Lease agreement 2026", "Apt 1, Harbour House"})
	pdf = append(pdf, bytes.Repeat([]byte("% padding so the upload takes a moment\n"), 20000)...)
	pdfPath := filepath.Join(t.TempDir(), "Lease 2026.pdf")
	if err := os.WriteFile(pdfPath, pdf, 0o600); err != nil {
		t.Fatal(err)
	}

	port := freePort(t)
	base := fmt.Sprintf("http://localhost:%d", port)
	startServe(t, []string{"--data", data, "--addr", "127.0.0.1:" + strconv.Itoa(port), "--base-url", base,
		"--smtp-host", smtp.Host(), "--smtp-port", strconv.Itoa(smtp.Port()), "--smtp-tls", "none"}, nil)

	m := &page{t, testkit.Browser(t)}
	m.do("sign in", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("#f-email")),
		fill("f-email", a.Emails[testkit.Admin]), fill("f-password", testkit.Password),
		testkit.ClickAndLoad(chromedp.CSS("main form button")), chromedp.WaitVisible(chromedp.CSS(`nav a[href="/manage/documents"]`)))
	m.do("open the lease", chromedp.Navigate(fmt.Sprintf("%s/manage/leases/%d", base, a.Lease)), chromedp.WaitVisible(chromedp.CSS("#h-documents")))
	m.do("upload and share from the lease", testkit.ClickAndLoad(chromedp.CSS(`#h-documents + a, a[href^="/manage/documents/new?share="]`)),
		chromedp.WaitVisible(chromedp.CSS("#f-file")))
	if v, _ := chromedp.Run(m.ctx, chromedp.Value(chromedp.CSS("#f-share"))); v != fmt.Sprintf("lease:%d", a.Lease) {
		t.Fatalf("the form shares with %q, want the lease", v)
	}
	// The upload script sends the form itself and shows progress: the
	// page is replaced in place, so this marker survives.
	m.do("fill and send", fill("f-title", "Lease agreement 2026"), chromedp.SetValue(chromedp.CSS("#f-category"), "lease"),
		chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{pdfPath}),
		void(chromedp.Evaluate[bool]("window.__sameWindow = true")),
		chromedp.Click(chromedp.CSS(`form[data-doc-upload] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	m.see("Document uploaded and shared", "Lease agreement 2026", "Lease of Apt 1, Harbour House")
	if same, _ := chromedp.Run(m.ctx, chromedp.Evaluate[bool]("window.__sameWindow === true")); !same {
		t.Error("the form was not sent by the upload script (the page reloaded)")
	}
	if v, _ := chromedp.Run(m.ctx, chromedp.Evaluate[float64](`(() => { const b = document.querySelector("progress"); return b ? b.value : -1; })()`)); v == 0 {
		// The answer replaced the page; the bar is gone or full, never stuck at 0.
		t.Errorf("the progress bar stayed at 0")
	}

	// The tenant's e-mail carries the PDF.
	msg := waitForSubject(t, smtp, a.Emails[testkit.Tenant], "New document from Harbour Lettings: Lease agreement 2026")
	if len(msg.Attachments) != 1 || !bytes.Equal(msg.Attachments[0].Data, pdf) || msg.Attachments[0].Name != "Lease 2026.pdf" {
		t.Fatalf("the tenant's e-mail has %d attachments", len(msg.Attachments))
	}
	if !strings.Contains(msg.TextBody, base+"/portal/documents") {
		t.Errorf("the e-mail has no link to the portal:\n%s", msg.TextBody)
	}

	// The tenant, on a phone.
	p := &page{t, testkit.Browser(t, testkit.Phone)}
	p.do("sign in", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("#f-email")),
		fill("f-email", a.Emails[testkit.Tenant]), fill("f-password", testkit.Password),
		testkit.ClickAndLoad(chromedp.CSS("main form button")), chromedp.WaitVisible(chromedp.CSS(`nav a[href="/portal/documents"]`)))
	p.do("open Documents", testkit.ClickAndLoad(chromedp.CSS(`nav a[href="/portal/documents"]`)), chromedp.WaitVisible(chromedp.CSS("ul.documents")))
	if first := p.text("ul.documents li:first-child"); !strings.Contains(first, "Lease agreement 2026") || !strings.Contains(first, "Lease of Apt 1, Harbour House") {
		t.Fatalf("the newest document is not first: %q", first)
	}
	if wide, _ := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`)); wide {
		t.Error("the Documents page scrolls sideways on a phone")
	}
	// Download it as the browser would, with the session's cookie.
	href, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.querySelector("ul.documents li:first-child a[href$='/download']").getAttribute("href")`))
	got, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](fmt.Sprintf(`fetch(%q).then(async (r) => r.status + " " + r.headers.get("content-disposition") + " " + (await r.arrayBuffer()).byteLength)`, href),
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if want := "200 attachment; filename=\"Lease 2026.pdf\"; filename*=UTF-8''Lease%202026.pdf " + strconv.Itoa(len(pdf)); got != want {
		t.Errorf("download: %q, want %q", got, want)
	}
}
