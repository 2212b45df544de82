package web

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

func init() {
	addMatrixRows(map[string]matrixRow{
		// Any staff member manages their own second factor; nothing in it
		// belongs to a company, so company B's admin reaches it too.
		"GET /manage/second-factor":                 {fixed("/manage/second-factor"), nil, staffList},
		"POST /manage/second-factor/start":          {fixed("/manage/second-factor/start"), nil, staffList},
		"POST /manage/second-factor/confirm":        {fixed("/manage/second-factor/confirm"), url.Values{"code": {"123456"}}, staffList},
		"POST /manage/second-factor/recovery-codes": {fixed("/manage/second-factor/recovery-codes"), url.Values{"code": {"123456"}}, staffList},
		"POST /manage/second-factor/off":            {fixed("/manage/second-factor/off"), url.Values{"password": {"wrong password here"}}, staffList},
		// The code step of signing in: without its own cookie it only asks
		// to log in again.
		"GET /login/code":  {fixed("/login/code"), nil, everyone},
		"POST /login/code": {fixed("/login/code"), url.Values{"code": {"123456"}}, everyone},
	})
}

var (
	totpSecretRE   = regexp.MustCompile(`id="totp-secret">([A-Z2-7 ]+)<`)
	recoveryCodeRE = regexp.MustCompile(`<li><code>([A-Z2-9]{5}-[A-Z2-9]{5})</code></li>`)
)

// turnOnSecondFactor sets up an authenticator for the signed-in client
// through the pages, at the server's current time, and returns the secret
// and the recovery codes shown.
func turnOnSecondFactor(t *testing.T, cl *testClient, now time.Time) (secret string, codes []string) {
	t.Helper()
	cl.get("/manage/second-factor").want(t, 200).wantBody(t, "Set up an authenticator app")
	cl.postForm("/manage/second-factor/start", nil).wantRedirect(t, "/manage/second-factor#confirm")
	page := cl.get("/manage/second-factor").want(t, 200).wantBody(t, `src="data:image/png;base64,`)
	if cc := page.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("set-up page Cache-Control %q, want no-store: it shows the secret", cc)
	}
	m := totpSecretRE.FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("no secret to type in on the set-up page:\n%s", excerpt(page.Body))
	}
	secret = strings.ReplaceAll(m[1], " ", "")
	cl.postForm("/manage/second-factor/confirm", url.Values{"code": {"000000"}}).want(t, 422).wantBody(t, "That code does not match")
	done := cl.postForm("/manage/second-factor/confirm", url.Values{"code": {totpAt(t, secret, now)}}).want(t, 200)
	for _, m := range recoveryCodeRE.FindAllStringSubmatch(done.Body, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != auth.RecoveryCodeCount {
		t.Fatalf("%d recovery codes shown, want %d:\n%s", len(codes), auth.RecoveryCodeCount, excerpt(done.Body))
	}
	return secret, codes
}

func totpAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := auth.TOTPCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// signInWithCode goes through both steps and returns the code step's answer.
func signInWithCode(cl *testClient, email, password, code string) *resp {
	cl.t.Helper()
	cl.postForm("/login", login(email, password)).wantRedirect(cl.t, "/login/code")
	return cl.postForm("/login/code", url.Values{"code": {code}})
}

func TestSecondFactorSignIn(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Date(2026, 12, 2, 9, 0, 10, 0, time.UTC))
	testkit.ForEachDBWith(t, sqldb.Options{Now: clock.Now}, func(t *testing.T, db *sqldb.DB) {
		clock.Set(time.Date(2026, 12, 2, 9, 0, 10, 0, time.UTC))
		app := newTestApp(t, db)
		seedCompany(t, db, "Alpha Lettings", "ada@alpha.test", testPassword)
		seedResident(t, db, "rita@example.test", testPassword)

		ada := app.client(t)
		ada.loginAs("ada@alpha.test", testPassword)
		secret, codes := turnOnSecondFactor(t, ada, clock.Now())

		t.Run("the confirming code cannot be used again", func(t *testing.T) {
			ada.postForm("/manage/second-factor/recovery-codes", url.Values{"code": {totpAt(t, secret, clock.Now())}}).
				want(t, 422).wantBody(t, "used already")
		})
		t.Run("the page says it is on", func(t *testing.T) {
			ada.get("/manage/second-factor").want(t, 200).wantBody(t, "<strong>On</strong>", `id="codes-left">10<`)
		})

		t.Run("the password step does not say whether the password was right", func(t *testing.T) {
			right := app.client(t).postForm("/login", login("ada@alpha.test", testPassword))
			wrong := app.client(t).postForm("/login", login("ada@alpha.test", "not the password at all"))
			for _, r := range []*resp{right, wrong} {
				r.wantRedirect(t, "/login/code")
			}
			if right.Body != wrong.Body || len(right.Header["Set-Cookie"]) != len(wrong.Header["Set-Cookie"]) {
				t.Errorf("right and wrong passwords answer differently:\n%q\n%q", right.Body, wrong.Body)
			}
		})

		clock.Advance(30 * time.Second)
		t.Run("a wrong password with a right code is refused and spends nothing", func(t *testing.T) {
			cl := app.client(t)
			code := totpAt(t, secret, clock.Now())
			signInWithCode(cl, "ada@alpha.test", "not the password at all", code).
				want(t, 422).wantBody(t, "That e-mail, password and code do not match")
			if cl.sessionCookie() != "" {
				t.Fatal("signed in with a wrong password")
			}
			// The same code still works with the right password.
			signInWithCode(cl, "ada@alpha.test", testPassword, code).wantRedirect(t, "/manage")
			if cl.sessionCookie() == "" {
				t.Fatal("no session after the right password and code")
			}
		})

		t.Run("a code works once", func(t *testing.T) {
			cl := app.client(t)
			signInWithCode(cl, "ada@alpha.test", testPassword, totpAt(t, secret, clock.Now())).
				want(t, 422).wantBody(t, "That e-mail, password and code do not match")
			if cl.sessionCookie() != "" {
				t.Fatal("a used code signed in again")
			}
		})

		t.Run("a recovery code works once", func(t *testing.T) {
			cl := app.client(t)
			signInWithCode(cl, "ada@alpha.test", testPassword, strings.ToLower(codes[3])).wantRedirect(t, "/manage")
			cl.get("/manage").want(t, 200).wantBody(t, "recovery code; 9 of 10 are left")
			again := app.client(t)
			signInWithCode(again, "ada@alpha.test", testPassword, codes[3]).want(t, 422)
			if again.sessionCookie() != "" {
				t.Fatal("a used recovery code signed in again")
			}
		})

		t.Run("the code step without a password step asks to log in again", func(t *testing.T) {
			cl := app.client(t)
			cl.get("/login/code").want(t, 200).wantBody(t, "Log in again")
			cl.postForm("/login/code", url.Values{"code": {totpAt(t, secret, clock.Now())}}).want(t, 422).wantBody(t, "Log in again")
		})

		t.Run("the code step ends after five minutes", func(t *testing.T) {
			cl := app.client(t)
			cl.postForm("/login", login("ada@alpha.test", testPassword)).wantRedirect(t, "/login/code")
			cl.get("/login/code").want(t, 200).wantBody(t, "Enter your code")
			clock.Advance(6 * time.Minute)
			cl.postForm("/login/code", url.Values{"code": {totpAt(t, secret, clock.Now())}}).want(t, 422).wantBody(t, "Log in again")
			if cl.sessionCookie() != "" {
				t.Fatal("a stale code step signed in")
			}
		})

		t.Run("a password reset still asks for the code", func(t *testing.T) {
			cl := app.client(t)
			cl.postForm("/password/forgot", url.Values{"email": {"ada@alpha.test"}}).want(t, 200)
			app.runJobs(t)
			token := tokenOf(t, app.linkIn(t, app.lastEmailTo(t, "ada@alpha.test"), "/password/reset?token="))
			cl.postForm("/password/reset", url.Values{"token": {token}, "password": {"a brand new passphrase for ada"}}).wantRedirect(t, "/login/code")
			if cl.sessionCookie() != "" {
				t.Fatal("a password reset signed in without the second factor")
			}
			clock.Advance(30 * time.Second)
			cl.postForm("/login/code", url.Values{"code": {totpAt(t, secret, clock.Now())}}).wantRedirect(t, "/manage")
			ada = cl
		})

		t.Run("wrong codes are throttled like passwords", func(t *testing.T) {
			clock.Advance(loginWindow) // the failures above have ended
			for range loginAccountLimit - 1 {
				signInWithCode(app.client(t), "ada@alpha.test", "a brand new passphrase for ada", "999999").want(t, 422)
			}
			signInWithCode(app.client(t), "ada@alpha.test", "a brand new passphrase for ada", "999999").
				want(t, 429).wantBody(t, "Too many failed log-ins")
			// Locked: even the right code waits.
			cl := app.client(t)
			clock.Advance(30 * time.Second)
			cl.postForm("/login", login("ada@alpha.test", "a brand new passphrase for ada")).want(t, 429)
			clock.Advance(loginWindow)
			signInWithCode(cl, "ada@alpha.test", "a brand new passphrase for ada", totpAt(t, secret, clock.Now())).wantRedirect(t, "/manage")
		})

		t.Run("accounts without one sign in with the password alone", func(t *testing.T) {
			app.client(t).loginAs("rita@example.test", testPassword).wantRedirect(t, "/portal")
		})
	})
}

func TestSecondFactorRequiredForAdmins(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Date(2026, 12, 2, 9, 0, 10, 0, time.UTC))
	testkit.ForEachDBWith(t, sqldb.Options{Now: clock.Now}, func(t *testing.T, db *sqldb.DB) {
		app := newTestApp(t, db)
		ada := seedCompany(t, db, "Alpha Lettings", "ada@alpha.test", testPassword)
		seedStaff(t, db, ada.CompanyID, "carol@alpha.test", testPassword, "admin")
		seedStaff(t, db, ada.CompanyID, "bob@alpha.test", testPassword, "bookkeeper")

		admin := app.client(t)
		admin.loginAs("ada@alpha.test", testPassword)
		admin.get("/manage/settings").want(t, 200).wantBody(t, "Administrators must use a second factor")
		admin.postForm("/manage/settings", url.Values{"name": {"Alpha Lettings"}, "currency": {"USD"}, "admins_need_second_factor": {"on"}}).
			wantRedirect(t, "/manage/settings")

		t.Run("an administrator without one sets it up before anything else", func(t *testing.T) {
			// Ada changed the setting herself: she is asked at her next page.
			admin.get("/manage/settings").wantRedirect(t, "/manage/second-factor")
			carol := app.client(t)
			carol.loginAs("carol@alpha.test", testPassword)
			for _, path := range []string{"/manage", "/manage/properties", "/portal", "/manage/staff"} {
				carol.get(path).wantRedirect(t, "/manage/second-factor")
			}
			carol.postForm("/manage/properties", url.Values{"name": {"Sneaky"}}).wantRedirect(t, "/manage/second-factor")
			carol.get("/manage/second-factor").want(t, 200).wantBody(t, "Your company requires administrators to use a second factor")
			turnOnSecondFactor(t, carol, clock.Now())
			carol.get("/manage").want(t, 200)
		})

		t.Run("other roles are not forced", func(t *testing.T) {
			bob := app.client(t)
			bob.loginAs("bob@alpha.test", testPassword)
			bob.get("/manage").want(t, 200)
		})

		t.Run("a required one cannot be turned off, only moved to a new phone", func(t *testing.T) {
			_, codes := turnOnSecondFactor(t, admin, clock.Now())
			admin.get("/manage/second-factor").want(t, 200).wantBody(t, "so it stays on", "Move to a new phone")
			admin.postForm("/manage/second-factor/off", url.Values{"password": {testPassword}}).
				want(t, 422).wantBody(t, "requires administrators to use a second factor")
			admin.postForm("/manage/second-factor/off", url.Values{"password": {testPassword}, "move": {"1"}, "code": {"AAAAA-BBBBB"}}).
				want(t, 422).wantBody(t, "That recovery code does not match")
			admin.postForm("/manage/second-factor/off", url.Values{"password": {testPassword}, "move": {"1"}, "code": {codes[0]}}).
				wantRedirect(t, "/manage/second-factor#confirm")
			// The old app is gone; until the new one is confirmed, nothing else.
			admin.get("/manage").wantRedirect(t, "/manage/second-factor")
			clock.Advance(30 * time.Second)
			page := admin.get("/manage/second-factor").want(t, 200).wantBody(t, "Scan the new QR code")
			secret := strings.ReplaceAll(totpSecretRE.FindStringSubmatch(page.Body)[1], " ", "")
			admin.postForm("/manage/second-factor/confirm", url.Values{"code": {totpAt(t, secret, clock.Now())}}).want(t, 200).wantBody(t, "Your recovery codes")
			admin.get("/manage").want(t, 200)
		})

		t.Run("one that is not required can be turned off with the password", func(t *testing.T) {
			bob := app.client(t)
			bob.loginAs("bob@alpha.test", testPassword)
			clock.Advance(time.Minute)
			turnOnSecondFactor(t, bob, clock.Now())
			bob.postForm("/manage/second-factor/off", url.Values{"password": {"not my password at all"}}).
				want(t, 422).wantBody(t, "That is not your current password")
			bob.postForm("/manage/second-factor/off", url.Values{"password": {testPassword}}).wantRedirect(t, "/manage/second-factor")
			bob.get("/manage/second-factor").want(t, 200).wantBody(t, "Your second factor is off", "Set up an authenticator app")
			app.client(t).loginAs("bob@alpha.test", testPassword).wantRedirect(t, "/manage")
		})
	})
}
