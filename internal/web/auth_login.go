package web

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// Log-in throttling (SECURITY.md 4), project choice: 5 failures per
// account and 50 per client address within 15 minutes lock that account or
// address until the window ends. The counters live in the database so all
// nodes share them. Resetting the password keeps working meanwhile.
const (
	loginAccountLimit = 5
	loginIPLimit      = 50
	loginWindow       = 15 * time.Minute
)

// throttleRules are the counters one failed log-in for email from r adds to.
func throttleRules(email string, r *http.Request) []sqldb.ThrottleRule {
	return []sqldb.ThrottleRule{
		{Key: accountThrottleKey(email), Limit: loginAccountLimit, Window: loginWindow},
		{Key: "login:ip:" + clientIP(r), Limit: loginIPLimit, Window: loginWindow},
	}
}

// accountThrottleKey names an account's counter by a hash, so the table
// holds no e-mail addresses.
func accountThrottleKey(email string) string {
	return "login:account:" + auth.HashToken(strings.ToLower(strings.TrimSpace(email)))[:32]
}

type loginPage struct {
	Page
	Form    Form
	Next    string
	Message string // shown above the form: wrong password, throttled, signed out
	// OfferReset adds a link to reset the password after Message.
	OfferReset bool
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	next := safeNext(r.URL.Query().Get("next"))
	if sess := sessionOf(r); sess != nil {
		return redirect(w, r, s.landing(sess, next))
	}
	p := &loginPage{Page: Page{Title: "Log in"}, Form: NewForm(), Next: next}
	if r.URL.Query().Get("signed_out") != "" {
		p.Message = "You have logged out."
	}
	return s.render(w, r, http.StatusOK, "auth/login.html", p)
}

// loginSubmit signs a person in. Whether or not the e-mail has an account,
// the answer and the work done are the same: an Argon2id check (against a
// dummy hash when there is no account) and a counted failure.
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) error {
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	email := strings.ToLower(f.Required("email", "Enter your e-mail address."))
	password := f.Values.Get("password")
	f.Values.Del("password") // never send a password back in a page
	if password == "" {
		f.Errors.Add("password", "Enter your password.")
	}
	p := &loginPage{Page: Page{Title: "Log in"}, Form: f, Next: safeNext(f.Get("next"))}
	if len(f.Errors) > 0 {
		return s.render(w, r, http.StatusUnprocessableEntity, "auth/login.html", p)
	}
	ctx := r.Context()
	rules := throttleRules(email, r)
	until, err := s.db.ThrottledUntil(ctx, rules[0].Key, rules[1].Key)
	if err != nil {
		return err
	}
	if !until.IsZero() {
		return s.tooManyLogins(w, r, p, until)
	}
	u, err := s.db.UserByEmail(ctx, email)
	if err != nil && !lintel.IsNotFound(err) {
		return err
	}
	passwordOK := auth.CheckPassword(u.PasswordHash, password) && u.ID != 0
	if u.ID != 0 && u.SecondFactor {
		// Right password or wrong, the code is asked for next: only after
		// the code does the answer say whether the two matched.
		return s.startCodeStep(w, r, u.ID, passwordOK, p.Next)
	}
	if !passwordOK {
		locked, err := s.db.RecordFailure(ctx, rules...)
		if err != nil {
			return err
		}
		if !locked.IsZero() {
			return s.tooManyLogins(w, r, p, locked)
		}
		p.Message, p.OfferReset = "That e-mail and password do not match. Check both and try again, or reset your password.", true
		return s.render(w, r, http.StatusUnprocessableEntity, "auth/login.html", p)
	}
	if !u.Disabled.IsZero() {
		return s.accountTurnedOff(w, r, p)
	}
	if err := s.db.ClearThrottle(ctx, rules[0].Key); err != nil {
		s.log.Warn("clear log-in throttle", "err", err)
	}
	return s.signIn(w, r, u.ID, p.Next, "")
}

func (s *Server) accountTurnedOff(w http.ResponseWriter, r *http.Request, p *loginPage) error {
	p.Message = "This account has been turned off. If you think this is a mistake, contact your property manager."
	return s.render(w, r, http.StatusForbidden, "auth/login.html", p)
}

// signIn starts a new session for userID and sends them to next, or to
// their own app. flash, when set, is shown on the first page.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request, userID int64, next, flash string) error {
	hash, err := s.startSession(w, r, userID)
	if err != nil {
		return err
	}
	if flash != "" {
		if err := s.db.SetFlash(r.Context(), hash, flash); err != nil {
			s.log.Warn("set flash", "err", err)
		}
	}
	dest := next
	if dest == "" {
		dest = s.homeOf(r.Context(), userID)
	}
	return redirect(w, r, dest)
}

// homeOf is where a user lands after signing in: staff in the manager
// app, everyone else in the portal.
func (s *Server) homeOf(ctx context.Context, userID int64) string {
	ms, err := s.db.Memberships(ctx, userID)
	if err == nil && len(ms) > 0 {
		return "/manage"
	}
	return "/portal"
}

// landing is where a signed-in visitor of the log-in page goes instead.
func (s *Server) landing(sess *sqldb.Session, next string) string {
	switch {
	case next != "":
		return next
	case sess.Staff != nil:
		return "/manage"
	}
	return "/portal"
}

func (s *Server) tooManyLogins(w http.ResponseWriter, r *http.Request, p *loginPage, until time.Time) error {
	wait := until.Sub(s.cfg.Now())
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
	p.OfferReset = true
	p.Message = "Too many failed log-ins. Wait " + minutesText(wait) + " and try again — or reset your password now, which works straight away."
	return s.render(w, r, http.StatusTooManyRequests, "auth/login.html", p)
}

// minutesText says a wait in whole minutes, rounded up: "1 minute",
// "15 minutes".
func minutesText(wait time.Duration) string {
	mins := max(1, int(math.Ceil(wait.Minutes())))
	if mins == 1 {
		return "1 minute"
	}
	return strconv.Itoa(mins) + " minutes"
}

// logout ends the session at once, in the database, not just the cookie.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if sess := sessionOf(r); sess != nil {
		if err := s.db.DeleteSession(r.Context(), sess.TokenHash); err != nil {
			return err
		}
	}
	clearSessionCookie(w)
	return redirect(w, r, "/login?signed_out=1")
}
