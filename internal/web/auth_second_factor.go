package web

import (
	"fmt"
	"net/http"
	"time"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// The code step of signing in (SECURITY.md 8). Between the password and
// the code the browser holds only a random token in its own cookie; the
// server keeps whether the password matched and says so only after the
// code, together, so the code page is no oracle for the password. Each
// step takes one code: a wrong answer starts the sign-in again, and it
// counts as a failed log-in against the account and the address, exactly
// like a wrong password.
const (
	loginStepCookie = "__Host-lintel-login"
	loginStepTTL    = 5 * time.Minute
)

type loginCodePage struct {
	Page
	Form Form
}

// startCodeStep remembers a sign-in for userID waiting for its code and
// sends the browser to the code page.
func (s *Server) startCodeStep(w http.ResponseWriter, r *http.Request, userID int64, passwordOK bool, next string) error {
	raw, hash := auth.NewToken()
	if err := s.db.CreateLoginChallenge(r.Context(), sqldb.LoginChallenge{TokenHash: hash, UserID: userID, PasswordOK: passwordOK, Next: next}, loginStepTTL); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: loginStepCookie, Value: raw, Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(loginStepTTL / time.Second)})
	return redirect(w, r, "/login/code")
}

func clearLoginStepCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: loginStepCookie, Value: "", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// loginStepHash is the hash of the browser's code-step token, "" without one.
func loginStepHash(r *http.Request) string {
	c, err := r.Cookie(loginStepCookie)
	if err != nil || c.Value == "" || len(c.Value) > 100 {
		return ""
	}
	return auth.HashToken(c.Value)
}

// startAgain answers a code step that has ended (too slow, or opened
// without signing in first) with the log-in form and a reason.
func (s *Server) startAgain(w http.ResponseWriter, r *http.Request, status int) error {
	clearLoginStepCookie(w)
	p := &loginPage{Page: Page{Title: "Log in"}, Form: NewForm(),
		Message: fmt.Sprintf("Signing in takes at most %d minutes between your password and the code. Log in again.", int(loginStepTTL/time.Minute))}
	return s.render(w, r, status, "auth/login.html", p)
}

func (s *Server) loginCodeForm(w http.ResponseWriter, r *http.Request) error {
	hash := loginStepHash(r)
	live := false
	if hash != "" {
		var err error
		if live, err = s.db.LoginChallengeLive(r.Context(), hash); err != nil {
			return err
		}
	}
	if !live {
		return s.startAgain(w, r, http.StatusOK)
	}
	return s.render(w, r, http.StatusOK, "auth/login_code.html", &loginCodePage{Page: Page{Title: "Enter your code"}, Form: NewForm()})
}

// loginCodeSubmit finishes a sign-in with a code from the authenticator app
// or a recovery code.
func (s *Server) loginCodeSubmit(w http.ResponseWriter, r *http.Request) error {
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	code := f.Get("code")
	if code == "" {
		f.Errors.Add("code", "Enter the 6-digit code from your authenticator app, or one of your recovery codes.")
		return s.render(w, r, http.StatusUnprocessableEntity, "auth/login_code.html", &loginCodePage{Page: Page{Title: "Enter your code"}, Form: f})
	}
	ctx := r.Context()
	hash := loginStepHash(r)
	if hash == "" {
		return s.startAgain(w, r, http.StatusUnprocessableEntity)
	}
	ch, err := s.db.TakeLoginChallenge(ctx, hash)
	if lintel.IsNotFound(err) {
		return s.startAgain(w, r, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	clearLoginStepCookie(w)
	u, err := s.db.UserByID(ctx, ch.UserID)
	if err != nil {
		return err
	}
	p := &loginPage{Page: Page{Title: "Log in"}, Form: NewForm(), Next: ch.Next}
	p.Form.Set("email", u.Email)
	rules := throttleRules(u.Email, r)
	until, err := s.db.ThrottledUntil(ctx, rules[0].Key, rules[1].Key)
	if err != nil {
		return err
	}
	if !until.IsZero() {
		return s.tooManyLogins(w, r, p, until)
	}
	ok, recoveryUsed, err := s.checkSecondFactor(r, u.ID, code, ch.PasswordOK)
	if err != nil {
		return err
	}
	if !ok || !ch.PasswordOK {
		locked, err := s.db.RecordFailure(ctx, rules...)
		if err != nil {
			return err
		}
		if !locked.IsZero() {
			return s.tooManyLogins(w, r, p, locked)
		}
		p.Message, p.OfferReset = "That e-mail, password and code do not match. Check them and log in again, or reset your password.", true
		return s.render(w, r, http.StatusUnprocessableEntity, "auth/login.html", p)
	}
	if !u.Disabled.IsZero() {
		return s.accountTurnedOff(w, r, p)
	}
	if err := s.db.ClearThrottle(ctx, rules[0].Key); err != nil {
		s.log.Warn("clear log-in throttle", "err", err)
	}
	flash := ""
	if recoveryUsed {
		sf, err := s.db.SecondFactor(ctx, u.ID)
		if err != nil {
			return err
		}
		flash = fmt.Sprintf("You signed in with a recovery code; %d of %d are left. Each works once: make new ones under Second factor in the account menu.", sf.RecoveryLeft, auth.RecoveryCodeCount)
	}
	return s.signIn(w, r, u.ID, ch.Next, flash)
}

// checkSecondFactor checks code for userID: six digits from the app (each
// time step once), anything else as a recovery code (each once). The code
// is spent only when spend is set, so a sign-in with a wrong password
// cannot use up the person's codes; the work done is the same either way.
func (s *Server) checkSecondFactor(r *http.Request, userID int64, code string, spend bool) (ok, recovery bool, err error) {
	ctx := r.Context()
	if auth.LooksLikeTOTP(code) {
		secret, err := s.db.TOTPSecret(ctx, userID)
		if lintel.IsNotFound(err) {
			return false, false, nil
		}
		if err != nil {
			return false, false, err
		}
		step, match := auth.MatchTOTP(secret, code, s.cfg.Now())
		if !match || !spend {
			return false, false, nil
		}
		ok, err := s.db.UseTOTPStep(ctx, userID, step)
		return ok, false, err
	}
	h := auth.HashRecoveryCode(code)
	if !spend {
		return false, false, nil
	}
	ok, err = s.db.UseRecoveryCode(ctx, userID, h)
	return ok, ok, err
}
