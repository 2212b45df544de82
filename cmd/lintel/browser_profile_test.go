package main

// A tenant's profile and settings on a phone, against the real binary's
// code path with a real SMTP server: they switch the portal to French and
// turn off document e-mails, change their e-mail address through the link
// the new address receives, and log out everywhere.

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

var emailChangeLinkRE = regexp.MustCompile(`https?://\S+/portal/profile/email/verify\?token=[A-Za-z0-9_-]+`)

func TestBrowserTenantProfileAndSettings(t *testing.T) {
	smtp := testkit.SMTP(t)
	data := t.TempDir()
	db, err := sqldb.Open(context.Background(), "", data, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := testkit.NewWorld(t, db)
	db.Close()
	old := w.A.Emails[testkit.Tenant]
	const fresh = "tess.new@example.test"

	port := freePort(t)
	base := fmt.Sprintf("http://localhost:%d", port)
	startServe(t, []string{"--data", data, "--addr", "127.0.0.1:" + strconv.Itoa(port), "--base-url", base,
		"--smtp-host", smtp.Host(), "--smtp-port", strconv.Itoa(smtp.Port()), "--smtp-tls", "none"}, nil)

	p := &page{t, testkit.Browser(t, testkit.Phone)}
	p.do("sign in", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("#f-email")),
		fill("f-email", old), fill("f-password", testkit.Password),
		testkit.ClickAndLoad(chromedp.CSS("main form button")), chromedp.WaitVisible(chromedp.CSS(`nav a[href="/portal/maintenance"]`)))

	// Settings, from the menu under the initials.
	p.do("open Settings", chromedp.Click(chromedp.CSS("nav details.menu summary")),
		chromedp.WaitVisible(chromedp.CSS(`nav .menu-body a[href="/portal/settings"]`)),
		testkit.ClickAndLoad(chromedp.CSS(`nav .menu-body a[href="/portal/settings"]`)), chromedp.WaitVisible(chromedp.CSS("#f-language")))
	p.see("E-mails we send you", "Show cancelled requests")
	if on, _ := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`document.querySelector("#f-notify_documents").checked`)); !on {
		t.Fatal("document e-mails are off before the tenant chose")
	}
	p.do("French, no document e-mails", chromedp.SetValue(chromedp.CSS("#f-language"), "fr"),
		chromedp.Click(chromedp.CSS("#f-notify_documents")),
		testkit.ClickAndLoad(chromedp.CSS(`form.settings-form button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	p.see("Vos paramètres sont enregistrés.", "E-mails que nous vous envoyons", "Afficher les demandes annulées")
	if lang, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "fr" {
		t.Fatalf("page language %q after choosing French", lang)
	}
	if on, _ := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`document.querySelector("#f-notify_documents").checked`)); on {
		t.Fatal("document e-mails are still on after turning them off")
	}
	// The rest of the portal is in French too.
	if nav := p.text("nav"); !strings.Contains(nav, "Entretien") {
		t.Fatalf("the navigation is not in French: %q", nav)
	}

	// A new e-mail address, from the profile.
	p.do("open the profile", chromedp.Click(chromedp.CSS("nav details.menu summary")),
		chromedp.WaitVisible(chromedp.CSS(`nav .menu-body a[href="/portal/profile"]`)),
		testkit.ClickAndLoad(chromedp.CSS(`nav .menu-body a[href="/portal/profile"]`)), chromedp.WaitVisible(chromedp.CSS("#f-new_email")))
	p.see("Votre profil", "Vous vous connectez avec "+old, "Ce que vos gestionnaires ont enregistré", "Harbour")
	p.do("ask for the change with a wrong password", fill("f-new_email", fresh), fill("f-email_password", "not my password"),
		testkit.ClickAndLoad(chromedp.CSS(`form[action="/portal/profile/email"] button`)), chromedp.WaitVisible(chromedp.CSS("#e-email_password")))
	p.see("Ce n’est pas votre mot de passe actuel.")
	p.do("ask again with the password", fill("f-email_password", testkit.Password),
		testkit.ClickAndLoad(chromedp.CSS(`form[action="/portal/profile/email"] button`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	p.see("Consultez la boîte de réception de votre nouvelle adresse", "En attente de confirmation", fresh)

	notice := waitForSubject(t, smtp, old, "Someone asked to change your Lintel e-mail address")
	if !strings.Contains(notice.TextBody, fresh) {
		t.Fatalf("the notice to the old address does not name the new one:\n%s", notice.TextBody)
	}
	msg := waitForSubject(t, smtp, fresh, "Confirm your new e-mail address")
	link := emailChangeLinkRE.FindString(msg.TextBody)
	if !strings.HasPrefix(link, base+"/portal/profile/email/verify?token=") {
		t.Fatalf("no confirmation link on %s in:\n%s", base, msg.TextBody)
	}
	p.do("open the link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(`form[action="/portal/profile/email/verify"] button`)))
	p.see("Confirmez votre nouvelle adresse e-mail", fresh)
	p.do("confirm", testkit.ClickAndLoad(chromedp.CSS(`form[action="/portal/profile/email/verify"] button`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	p.see("Votre adresse e-mail a changé.", "Vous vous connectez avec "+fresh)

	// Log out everywhere, from the settings page.
	p.do("back to Settings", chromedp.Navigate(base+"/portal/settings"), chromedp.WaitVisible(chromedp.CSS(`main form[action="/logout/everywhere"] button`)))
	p.do("log out everywhere", testkit.ClickAndLoad(chromedp.CSS(`main form[action="/logout/everywhere"] button`)), chromedp.WaitVisible(chromedp.CSS("#f-email")))
	p.do("the portal asks to sign in again", chromedp.Navigate(base+"/portal/profile"), chromedp.WaitVisible(chromedp.CSS("#f-email")))
	p.do("sign in with the new address", fill("f-email", fresh), fill("f-password", testkit.Password),
		testkit.ClickAndLoad(chromedp.CSS("main form button")), chromedp.WaitVisible(chromedp.CSS("#f-new_email")))
	p.see("Vous vous connectez avec " + fresh)
}
