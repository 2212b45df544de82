package main

// The resident and contractor browser test: in headless Chromium, against the real
// binary's code path (run → serve) with a real SMTP server, a manager signs
// in, adds a property with a unit, a tenant and a lease, and invites the
// tenant; the tenant follows the e-mailed link, sets a password and sees
// the lease's unit in the portal.

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lintel.dev/lintel/internal/testkit"
)

// page drives one browser tab and fails the test with the page's text when
// a step does not work, so a failure says what the person would have seen.
type page struct {
	t   *testing.T
	ctx context.Context
}

func (p *page) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		body, _ := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS("main")))
		url, _ := chromedp.Run(p.ctx, chromedp.Location())
		p.t.Fatalf("%s: %v\nat %s the page says:\n%s", what, err, url, body)
	}
}

func (p *page) text(sel string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

// see fails unless the page's main content contains each of parts.
func (p *page) see(parts ...string) {
	p.t.Helper()
	body := p.text("main")
	for _, part := range parts {
		if !strings.Contains(body, part) {
			url, _ := chromedp.Run(p.ctx, chromedp.Location())
			p.t.Fatalf("at %s the page does not say %q; it says:\n%s", url, part, body)
		}
	}
}

// fill types into a field found by its label's id.
func fill(id, value string) chromedp.Action[chromedp.Void] {
	return chromedp.SendKeys(chromedp.CSS("#"+id), value)
}

// setValue sets a field directly (date inputs take keys in the browser's
// locale order, a value in ISO form).
func setValue(id, value string) chromedp.Action[chromedp.Void] {
	return chromedp.SetValue(chromedp.CSS("#"+id), value)
}

// freePort finds a loopback port for the server, so its base URL (used in
// the e-mailed links) is known before it starts.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

var signupLinkRE = regexp.MustCompile(`https?://\S+/signup/verify\?token=[A-Za-z0-9_-]+`)

func TestBrowserManagerInvitesTenant(t *testing.T) {
	smtp := testkit.SMTP(t)
	data := t.TempDir()
	env := map[string]string{"LINTEL_PASSWORD": testkit.Password}
	var out syncBuffer
	if err := run(context.Background(), []string{"user", "create", "--data", data, "--company", "Elm Property Co", "--email", "ada@elm.test", "--name", "Ada Park"},
		envOf(env), &out, &out); err != nil {
		t.Fatalf("user create: %v\n%s", err, out.String())
	}
	port := freePort(t)
	// localhost, not 127.0.0.1: browsers keep Secure (__Host-) cookies for
	// http://localhost, as they do for https.
	base := fmt.Sprintf("http://localhost:%d", port)
	startServe(t, []string{"--data", data, "--addr", "127.0.0.1:" + strconv.Itoa(port), "--base-url", base,
		"--smtp-host", smtp.Host(), "--smtp-port", strconv.Itoa(smtp.Port()), "--smtp-tls", "none",
		"--smtp-from", "Elm Property Co <office@elm.test>"}, nil)

	// The manager.
	m := &page{t, testkit.Browser(t)}
	m.do("open the sign-in page", chromedp.Navigate(base+"/login"))
	m.do("sign in", fill("f-email", "ada@elm.test"), fill("f-password", testkit.Password), testkit.ClickAndLoad(chromedp.CSS("main form button")),
		chromedp.WaitVisible(chromedp.CSS(`nav a[href="/manage/properties"]`)))
	m.see("What to do next")

	m.do("open the new-property form", testkit.ClickAndLoad(chromedp.CSS(`nav a[href="/manage/properties"]`)), chromedp.WaitVisible(chromedp.CSS(`a[href="/manage/properties/new"]`)),
		testkit.ClickAndLoad(chromedp.CSS(`a[href="/manage/properties/new"]`)), chromedp.WaitVisible(chromedp.CSS("#f-name")))
	m.do("add a property", fill("f-name", "Elm Court"), fill("f-address_line1", "12 Elm Street"), fill("f-city", "Springfield"),
		testkit.ClickAndLoad(chromedp.CSS("main form.stack button")), chromedp.WaitVisible(chromedp.CSS(`a[href$="/units/new"]`)))
	m.see("Elm Court", "12 Elm Street")

	m.do("add a unit", testkit.ClickAndLoad(chromedp.CSS(`a[href$="/units/new"]`)), chromedp.WaitVisible(chromedp.CSS("#f-label")),
		fill("f-label", "Flat 3B"), fill("f-bedrooms", "2"), testkit.ClickAndLoad(chromedp.CSS("main form.stack button")))
	m.see("Flat 3B")

	m.do("add a tenant", chromedp.Navigate(base+"/manage/contacts/new?role=tenant"), chromedp.WaitVisible(chromedp.CSS("#f-name")),
		fill("f-name", "Tomás Ortega"), fill("f-email_0", "tomas@example.test"), fill("f-phone_0", "+1 555 0142"))
	if checked, _ := chromedp.Run(m.ctx, chromedp.JavascriptAttribute[bool](chromedp.CSS("#f-role_tenant"), "checked")); !checked {
		m.do("tick the tenant role", chromedp.Click(chromedp.CSS("#f-role_tenant")))
	}
	m.do("save the tenant", testkit.ClickAndLoad(chromedp.CSS("main form.stack > .actions button, main form.stack button:last-of-type")),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/invite"]`)))
	m.see("Tomás Ortega", "tomas@example.test")
	tenantURL, _ := chromedp.Run(m.ctx, chromedp.Location())

	// Start the lease from the unit, as a manager would.
	m.do("find the unit", chromedp.Navigate(base+"/manage/units"), chromedp.WaitVisible(chromedp.CSS("main")))
	m.do("open the unit", testkit.ClickAndLoad(`//main//a[normalize-space()="Flat 3B"]`), chromedp.WaitVisible(chromedp.CSS(`a[href^="/manage/leases/new?unit="]`)))
	m.do("start a lease", testkit.ClickAndLoad(chromedp.CSS(`a[href^="/manage/leases/new?unit="]`)), chromedp.WaitVisible(chromedp.CSS("#f-rent")))
	start := time.Now().AddDate(0, -1, 0).Format("2006-01-02")
	m.do("fill the lease", setValue("f-start", start), chromedp.Click(chromedp.CSS("#f-month_to_month")),
		fill("f-rent", "1450.00"), chromedp.Clear(chromedp.CSS("#f-due_day")), fill("f-due_day", "1"), fill("f-tenant_q", "Tomás"),
		testkit.ClickAndLoad(chromedp.CSS(`button[name="find_tenant"]`)), chromedp.WaitVisible(chromedp.CSS(`input[name="tenant_id"]`)))
	m.do("choose the tenant and save", chromedp.Click(chromedp.CSS(`input[name="tenant_id"]`)),
		testkit.ClickAndLoad(`//main//form//button[normalize-space()="Add lease" and not(@hidden)]`),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/edit"]`)))
	m.see("Flat 3B", "Tomás Ortega", "$1,450.00")

	m.do("invite the tenant", chromedp.Navigate(tenantURL), chromedp.WaitVisible(chromedp.CSS(`form[action$="/invite"] button`)),
		testkit.ClickAndLoad(chromedp.CSS(`form[action$="/invite"] button`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	m.see("tomas@example.test")

	// The tenant, in another browser, from the e-mail the real SMTP server received.
	msg := smtp.WaitFor(t, "tomas@example.test", 30*time.Second)
	link := signupLinkRE.FindString(msg.TextBody)
	if link == "" || !strings.HasPrefix(link, base+"/") {
		t.Fatalf("welcome e-mail has no sign-up link on %s:\n%s", base, msg.TextBody)
	}
	if msg.HTMLBody == "" || !strings.Contains(msg.HTMLBody, "/signup/verify?token=") {
		t.Fatalf("welcome e-mail has no HTML part with the link:\n%s", msg.HTMLBody)
	}
	r := &page{t, testkit.Browser(t, testkit.Phone)}
	r.do("open the e-mailed link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#f-password")))
	r.do("set a password", chromedp.Clear(chromedp.CSS("#f-name")), fill("f-name", "Tomás Ortega"), fill("f-password", "a quiet flat on elm street"),
		testkit.ClickAndLoad(chromedp.CSS("main form button")), chromedp.WaitVisible(chromedp.CSS(".avatar")))
	r.see("Flat 3B", "Elm Court", "Elm Property Co")
	if url, _ := chromedp.Run(r.ctx, chromedp.Location()); !strings.HasSuffix(url, "/portal") {
		t.Fatalf("after sign-up the tenant is at %s, want the portal", url)
	}
}
