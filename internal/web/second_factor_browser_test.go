package web

// A staff member's second factor in a real browser: turn it on from the
// account menu (the QR code shows; the key is typed into an authenticator,
// here computed by the test), sign out, sign in with a code from the app,
// then with a recovery code.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/testkit"
)

func TestSecondFactorBrowser(t *testing.T) {
	db := testkit.SQLite(t)
	app := newTestApp(t, db)
	seedCompany(t, db, "Alpha Lettings", "ada@alpha.test", testPassword)
	tab := &phoneTab{t: t, ctx: testkit.Browser(t)}
	shots := t.TempDir()
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(tab.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(shots, name+".png"), png, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if dir := os.Getenv("LINTEL_SCREENSHOTS"); dir != "" {
		shots = dir // keep them to look at
	}
	logIn := func() {
		tab.do("log in with the password",
			chromedp.Navigate(app.base+"/login"),
			chromedp.SendKeys(chromedp.CSS("#f-email"), "ada@alpha.test"),
			chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword),
			testkit.ClickAndLoad(chromedp.CSS("main form button")))
	}
	logOut := func() {
		tab.do("log out from the account menu",
			chromedp.Click(chromedp.CSS("details.menu summary")),
			testkit.ClickAndLoad(chromedp.CSS(`details.menu form[action="/logout"] button`)))
		tab.see("main", "You have logged out.")
	}

	tab.do("trust the test server's certificate", trustTestTLS())
	logIn()
	tab.do("open the account menu",
		chromedp.Click(chromedp.CSS("details.menu summary")),
		testkit.ClickAndLoad(chromedp.CSS(`details.menu a[href="/manage/second-factor"]`)),
		testkit.ClickAndLoad(chromedp.CSS(`form[action="/manage/second-factor/start"] button`)))
	if !tab.eval(`document.querySelector("img.qr").complete && document.querySelector("img.qr").naturalWidth >= 200`) {
		t.Fatal("the QR code did not load")
	}
	shot("second-factor-setup")
	key, err := chromedp.Run(tab.ctx, chromedp.Text(chromedp.CSS("#totp-secret")))
	if err != nil {
		t.Fatal(err)
	}
	secret := strings.ReplaceAll(key, " ", "")
	confirmedAt := time.Now()
	code, err := auth.TOTPCode(secret, confirmedAt)
	if err != nil {
		t.Fatal(err)
	}
	tab.do("type the app's code",
		chromedp.SendKeys(chromedp.CSS("#f-code"), code),
		testkit.ClickAndLoad(chromedp.CSS(`form[action="/manage/second-factor/confirm"] button`)))
	tab.see("main", "Your second factor is on")
	raw, err := chromedp.Run(tab.ctx, chromedp.Evaluate[string](`JSON.stringify([...document.querySelectorAll("#recovery-codes code")].map(c => c.textContent))`))
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	if err := json.Unmarshal([]byte(raw), &codes); err != nil || len(codes) != auth.RecoveryCodeCount {
		t.Fatalf("recovery codes shown: %s (%v)", raw, err)
	}
	if !tab.eval(`document.querySelector('a[download="lintel-recovery-codes.txt"]') !== null`) {
		t.Error("no way to download the recovery codes")
	}
	shot("second-factor-codes")
	testkit.Axe(t, tab.ctx)
	logOut()

	t.Run("sign in with a code from the app", func(t *testing.T) {
		logIn()
		tab.see("main h1", "Enter your code")
		shot("second-factor-login")
		// The code that turned it on is spent; the app's next one is due
		// within 30 seconds, and one step ahead is accepted.
		at := time.Now()
		if auth.TOTPStep(at) == auth.TOTPStep(confirmedAt) {
			at = at.Add(30 * time.Second)
		}
		code, err := auth.TOTPCode(secret, at)
		if err != nil {
			t.Fatal(err)
		}
		tab.do("type the code",
			chromedp.SendKeys(chromedp.CSS("#f-code"), code),
			testkit.ClickAndLoad(chromedp.CSS(`form[action="/login/code"] button`)))
		if loc, _ := chromedp.Run(tab.ctx, chromedp.Location()); !strings.HasSuffix(loc, "/manage") {
			t.Fatalf("after the code, at %s", loc)
		}
		logOut()
	})

	t.Run("sign in with a recovery code", func(t *testing.T) {
		logIn()
		tab.do("type a recovery code",
			chromedp.SendKeys(chromedp.CSS("#f-code"), codes[0]),
			testkit.ClickAndLoad(chromedp.CSS(`form[action="/login/code"] button`)))
		tab.see(".flash", "9 of 10 are left")
		shot("second-factor-recovery")
	})
}
