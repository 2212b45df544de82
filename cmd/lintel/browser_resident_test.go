package main

// The residents' maintenance tab in a phone-sized headless Chromium,
// against the real binary's code path (run → serve) with a real SMTP
// server: a tenant signs in, reports a problem with a photo from the
// phone, watches it upload, lands on the request's page with the photo
// shown, finds it first in the list, and the manager is e-mailed.

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

func TestBrowserTenantReportsAProblem(t *testing.T) {
	smtp := testkit.SMTP(t)
	data := t.TempDir()
	db, err := sqldb.Open(context.Background(), "", data, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := testkit.NewWorld(t, db)
	db.Close()

	// A photo as a phone's gallery holds it.
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{R: uint8(x * 4), G: 120, B: uint8(y * 5), A: 255})
		}
	}
	photoPath := filepath.Join(t.TempDir(), "IMG_0042.jpg")
	f, err := os.Create(photoPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(f, img, nil); err != nil {
		t.Fatal(err)
	}
	f.Close()

	port := freePort(t)
	base := fmt.Sprintf("http://localhost:%d", port)
	startServe(t, []string{"--data", data, "--addr", "127.0.0.1:" + strconv.Itoa(port), "--base-url", base,
		"--smtp-host", smtp.Host(), "--smtp-port", strconv.Itoa(smtp.Port()), "--smtp-tls", "none"}, nil)

	p := &page{t, testkit.Browser(t, testkit.Phone)}
	p.do("sign in", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("#f-email")),
		fill("f-email", w.A.Emails[testkit.Tenant]), fill("f-password", testkit.Password),
		testkit.ClickAndLoad(chromedp.CSS("main form button")), chromedp.WaitVisible(chromedp.CSS(`nav a[href="/portal/maintenance"]`)))
	p.do("open Maintenance", testkit.ClickAndLoad(chromedp.CSS(`nav a[href="/portal/maintenance"]`)),
		chromedp.WaitVisible(chromedp.CSS(`main a[href="/portal/maintenance/new"]`)))
	p.see("Kitchen tap drips", "Assigned")

	p.do("open the form", testkit.ClickAndLoad(chromedp.CSS(`main a[href="/portal/maintenance/new"]`)), chromedp.WaitVisible(chromedp.CSS("#f-place")))
	// Only the chosen category's questions show; the rest are hidden
	// until a category is picked.
	if n, _ := chromedp.Run(p.ctx, chromedp.Evaluate[int](`document.querySelectorAll("fieldset[data-questions]:not([hidden])").length`)); n != 0 {
		t.Fatalf("%d question sets show before a category is chosen", n)
	}
	p.do("choose the place and Plumbing", chromedp.SetValue(chromedp.CSS("#f-place"), fmt.Sprintf("%d:%d", w.A.Property, w.A.Unit)),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name="category_id"][value="%d"]`, w.A.Plumbing))),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`fieldset[data-questions="%d"]`, w.A.Plumbing))))
	if n, _ := chromedp.Run(p.ctx, chromedp.Evaluate[int](`document.querySelectorAll("fieldset[data-questions]:not([hidden])").length`)); n != 1 {
		t.Fatalf("%d question sets show, want only Plumbing's", n)
	}
	q := fmt.Sprintf("answer_%d", w.A.PlumbingQuestion)
	p.do("answer and describe", void(chromedp.Evaluate[int](fmt.Sprintf(
		`document.querySelectorAll('fieldset[data-questions="%d"] input[value="no"]').forEach((i) => i.click()); 0`, w.A.Plumbing))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name=%q][value="yes"]`, q))),
		fill("f-summary", "Water under the bathroom basin"), fill("f-description", "A puddle every morning under the basin."),
		setValue("f-occurred_on", time.Now().AddDate(0, 0, -2).Format("2006-01-02")),
		chromedp.Click(chromedp.CSS(`input[name="access"]`)), fill("f-pets", "One shy cat"),
		chromedp.SetUploadFiles(chromedp.CSS("#f-photos"), []string{photoPath}),
		chromedp.WaitVisible(chromedp.CSS("ul.photo-previews img")))

	// Forgetting whether the operator may let themselves in: the form
	// comes back in place with the message, what was typed, the chosen
	// category's questions, and a request to choose the photo again.
	p.do("send without permission", chromedp.Click(chromedp.CSS(`main form.request-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".alert")))
	p.see("Say whether someone may let themselves in", "choose your photos again")
	if v, _ := chromedp.Run(p.ctx, chromedp.Value(chromedp.CSS("#f-summary"))); v != "Water under the bathroom basin" {
		t.Fatalf("the summary came back as %q", v)
	}
	if n, _ := chromedp.Run(p.ctx, chromedp.Evaluate[int](`document.querySelectorAll("fieldset[data-questions]:not([hidden])").length`)); n != 1 {
		t.Fatalf("after the refusal %d question sets show, want only Plumbing's", n)
	}
	p.do("fix and choose the photo again", chromedp.Click(chromedp.CSS(`input[name="permission_to_enter"][value="yes"]`)),
		chromedp.SetUploadFiles(chromedp.CSS("#f-photos"), []string{photoPath}),
		chromedp.WaitVisible(chromedp.CSS("ul.photo-previews img")))

	// Sent with XMLHttpRequest (the progress bar): the page is replaced in
	// place, so the marker set on this window survives.
	p.do("send", void(chromedp.Evaluate[bool]("window.__sameWindow = true")), chromedp.Click(chromedp.CSS(`main form.request-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	p.do("see the request", chromedp.WaitVisible(chromedp.CSS("ul.photos img")))
	p.see("Your request was sent", "Water under the bathroom basin", "One shy cat", "Submitted")
	if same, _ := chromedp.Run(p.ctx, chromedp.Evaluate[bool]("window.__sameWindow === true")); !same {
		t.Error("the form was not sent by the upload script (the page reloaded)")
	}
	url, _ := chromedp.Run(p.ctx, chromedp.Location())
	if !strings.Contains(url, "/portal/maintenance/") || strings.HasSuffix(url, "/new") {
		t.Fatalf("after sending the tenant is at %s, want the request's page", url)
	}
	// The thumbnail really loaded (scope-checked, served as JPEG).
	if err := chromedp.Do(p.ctx, void(chromedp.Poll[bool](`(() => { const i = document.querySelector("ul.photos img"); return i && i.complete && i.naturalWidth > 0; })()`,
		chromedp.WithPollingTimeout(10*time.Second)))); err != nil {
		t.Fatalf("the photo thumbnail did not load: %v", err)
	}

	p.do("back to the list", testkit.ClickAndLoad(chromedp.CSS(`nav a[href="/portal/maintenance"]`)), chromedp.WaitVisible(chromedp.CSS("table.requests")))
	if first := p.text("table.requests tbody tr:first-child"); !strings.Contains(first, "Water under the bathroom basin") {
		t.Fatalf("the new request is not first in the list: %q", first)
	}

	msg := smtp.WaitFor(t, w.A.Emails[testkit.Admin], 30*time.Second)
	if !strings.Contains(msg.Subject, "Water under the bathroom basin") || !strings.Contains(msg.TextBody, base+"/manage/maintenance/") {
		t.Fatalf("the manager's e-mail: %q\n%s", msg.Subject, msg.TextBody)
	}
}

// void runs an action for its effect, dropping its result.
func void[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := a(ctx, t)
		return chromedp.Void{}, err
	}
}
