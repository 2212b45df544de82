package web

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// A staff member's second factor (SECURITY.md 8): an authenticator app and
// ten recovery codes, set up from the account menu of the manager app.
// Codes typed on these pages are throttled per login like passwords, so a
// borrowed session cannot guess its way to new recovery codes.
const (
	secondFactorCodeLimit  = 5
	secondFactorCodeWindow = 15 * time.Minute
	// totpIssuer is how authenticator apps list the entry.
	totpIssuer = "Lintel"
)

func (s *Server) secondFactorRoutes() []route {
	return []route{
		{"GET", "/manage/second-factor", staffView, s.secondFactorPage},
		{"POST", "/manage/second-factor/start", staffView, s.secondFactorStart},
		{"POST", "/manage/second-factor/confirm", staffView, s.secondFactorConfirm},
		{"POST", "/manage/second-factor/recovery-codes", staffView, s.secondFactorNewCodes},
		{"POST", "/manage/second-factor/off", staffView, s.secondFactorOff},
		{"GET", "/login/code", public, s.loginCodeForm},
		{"POST", "/login/code", public, s.loginCodeSubmit},
	}
}

// secondFactorSetUpPath is the one page (and its forms) an administrator
// whose company requires a second factor may use before setting one up.
const secondFactorSetUpPath = "/manage/second-factor"

type secondFactorPage struct {
	Page
	State sqldb.SecondFactor
	// While setting up: the QR code as a data: URL, and the secret in
	// groups of four for typing in by hand.
	QRCode template.URL
	Secret string
	// MustSetUp is set when the company requires it and it is not on yet.
	MustSetUp bool
	Confirm   Form // the code that confirms the app
	NewCodes  Form // the code that asks for new recovery codes
	Off       Form // the password that turns it off
	// RecoveryCodes are shown once, right after they are made.
	RecoveryCodes []string
	CodesFile     template.URL // the same codes as a text file to download
	TurnedOn      bool         // this request turned it on
}

func (s *Server) newSecondFactorPage(r *http.Request) (*secondFactorPage, error) {
	sess := sessionOf(r)
	st, err := s.db.SecondFactor(r.Context(), sess.User.ID)
	if err != nil {
		return nil, err
	}
	p := &secondFactorPage{
		Page:  Page{Title: "Second factor", Area: "manage", Nav: "second-factor"},
		State: st, MustSetUp: sess.AdminSetUpSecondFactor,
		Confirm: NewForm(), NewCodes: NewForm(), Off: NewForm(),
	}
	if st.PendingSecret != "" {
		url, err := auth.TOTPURL(totpIssuer, sess.User.Email, st.PendingSecret)
		if err != nil {
			return nil, err
		}
		png, err := auth.QRCodePNG(url, 240)
		if err != nil {
			return nil, err
		}
		p.QRCode = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
		p.Secret = groupsOf4(st.PendingSecret)
	}
	return p, nil
}

// groupsOf4 spaces a secret for reading aloud or typing: "ABCD EFGH …".
func groupsOf4(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (s *Server) renderSecondFactor(w http.ResponseWriter, r *http.Request, status int, p *secondFactorPage) error {
	// The page can hold a secret or recovery codes: never keep it.
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, status, "manage/second_factor.html", p)
}

func (s *Server) secondFactorPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.newSecondFactorPage(r)
	if err != nil {
		return err
	}
	return s.renderSecondFactor(w, r, http.StatusOK, p)
}

// secondFactorStart makes a new secret to scan. Starting again replaces
// one not yet confirmed.
func (s *Server) secondFactorStart(w http.ResponseWriter, r *http.Request) error {
	if _, err := formFrom(w, r); err != nil {
		return err
	}
	sess := sessionOf(r)
	secret, _, err := auth.NewTOTP(totpIssuer, sess.User.Email)
	if err != nil {
		return err
	}
	if err := s.db.BeginSecondFactor(r.Context(), sess.User.ID, secret); err != nil {
		return err
	}
	return redirect(w, r, secondFactorSetUpPath+"#confirm")
}

// codesLocked reports whether too many wrong codes were typed on these
// pages lately, adding the message to f's field when so.
func (s *Server) codesLocked(r *http.Request, f Form, field string) (bool, error) {
	until, err := s.db.ThrottledUntil(r.Context(), codeThrottle(sessionOf(r).User.ID).Key)
	if err != nil || until.IsZero() {
		return false, err
	}
	f.Errors.Add(field, "Too many wrong codes. Wait "+minutesText(until.Sub(s.cfg.Now()))+" and try again.")
	return true, nil
}

// codeThrottle is the per-login counter of wrong codes on these pages.
func codeThrottle(userID int64) sqldb.ThrottleRule {
	return sqldb.ThrottleRule{Key: "second-factor:code:" + strconv.FormatInt(userID, 10), Limit: secondFactorCodeLimit, Window: secondFactorCodeWindow}
}

// checkPageCode checks an app code typed on these pages against secret,
// counting wrong ones; it adds the message to f's field and answers the
// code's time step when it matched.
func (s *Server) checkPageCode(r *http.Request, f Form, field, secret string) (step int64, ok, throttled bool, err error) {
	ctx := r.Context()
	rule := codeThrottle(sessionOf(r).User.ID)
	if throttled, err := s.codesLocked(r, f, field); err != nil || throttled {
		return 0, false, throttled, err
	}
	code := f.Get(field)
	if code == "" {
		f.Errors.Add(field, "Enter the 6-digit code your authenticator app shows now.")
		return 0, false, false, nil
	}
	step, ok = auth.MatchTOTP(secret, code, s.cfg.Now())
	if !ok {
		if _, err := s.db.RecordFailure(ctx, rule); err != nil {
			return 0, false, false, err
		}
		f.Errors.Add(field, "That code does not match. Type the code the app shows now; if it still fails, check that your phone sets its time automatically.")
	}
	return step, ok, false, nil
}

// showNewCodes renders the page with freshly made recovery codes, once.
func (s *Server) showNewCodes(w http.ResponseWriter, r *http.Request, codes []string, turnedOn bool) error {
	p, err := s.newSecondFactorPage(r)
	if err != nil {
		return err
	}
	p.RecoveryCodes, p.TurnedOn = codes, turnedOn
	file := "Lintel recovery codes for " + sessionOf(r).User.Email + "\r\nEach code works once.\r\n\r\n" + strings.Join(codes, "\r\n") + "\r\n"
	p.CodesFile = template.URL("data:text/plain;charset=utf-8;base64," + base64.StdEncoding.EncodeToString([]byte(file)))
	return s.renderSecondFactor(w, r, http.StatusOK, p)
}

// secondFactorConfirm turns the app on with a code from it, and shows the
// first recovery codes.
func (s *Server) secondFactorConfirm(w http.ResponseWriter, r *http.Request) error {
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	sess := sessionOf(r)
	st, err := s.db.SecondFactor(r.Context(), sess.User.ID)
	if err != nil {
		return err
	}
	if st.PendingSecret == "" {
		return redirect(w, r, secondFactorSetUpPath)
	}
	step, ok, throttled, err := s.checkPageCode(r, f, "code", st.PendingSecret)
	if err != nil {
		return err
	}
	if !ok {
		p, err := s.newSecondFactorPage(r)
		if err != nil {
			return err
		}
		p.Confirm = f
		return s.renderSecondFactor(w, r, refusedStatus(throttled), p)
	}
	codes, hashes := auth.NewRecoveryCodes()
	err = s.db.ConfirmSecondFactor(r.Context(), sess.User.ID, st.PendingSecret, step, hashes, sess.User.Email)
	if lintel.KindOf(err) == lintel.KindConflict {
		p, perr := s.newSecondFactorPage(r)
		if perr != nil {
			return perr
		}
		p.Confirm = f
		p.Confirm.Errors.Add("code", lintel.MessageOf(err))
		return s.renderSecondFactor(w, r, http.StatusConflict, p)
	}
	if err != nil {
		return err
	}
	// The session was loaded before this request turned it on.
	sess.AdminSetUpSecondFactor, sess.User.SecondFactor = false, true
	return s.showNewCodes(w, r, codes, true)
}

// secondFactorNewCodes replaces the recovery codes, after a code from the
// app (a recovery code cannot make new ones).
func (s *Server) secondFactorNewCodes(w http.ResponseWriter, r *http.Request) error {
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	sess := sessionOf(r)
	secret, err := s.db.TOTPSecret(r.Context(), sess.User.ID)
	if lintel.IsNotFound(err) {
		return redirect(w, r, secondFactorSetUpPath)
	}
	if err != nil {
		return err
	}
	step, ok, throttled, err := s.checkPageCode(r, f, "code", secret)
	if err != nil {
		return err
	}
	if ok {
		if ok, err = s.db.UseTOTPStep(r.Context(), sess.User.ID, step); err != nil {
			return err
		}
		if !ok {
			f.Errors.Add("code", "That code was used already. Wait for the app to show the next one and type it.")
		}
	}
	if !ok {
		p, err := s.newSecondFactorPage(r)
		if err != nil {
			return err
		}
		p.NewCodes = f
		return s.renderSecondFactor(w, r, refusedStatus(throttled), p)
	}
	codes, hashes := auth.NewRecoveryCodes()
	if err := s.db.ReplaceRecoveryCodes(r.Context(), sess.User.ID, hashes, sess.User.Email); err != nil {
		return err
	}
	return s.showNewCodes(w, r, codes, false)
}

// secondFactorOff removes the app and the recovery codes, after the
// current password. When the company requires one, the same form moves to
// a new phone instead: it also needs a code from the current app or a
// recovery code, and sends the person straight to set up the new one.
func (s *Server) secondFactorOff(w http.ResponseWriter, r *http.Request) error {
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	sess := sessionOf(r)
	moving := f.Get("move") != ""
	ok, throttled, err := s.checkCurrentPassword(r, f, "password")
	if err != nil {
		return err
	}
	if ok && moving {
		ok, throttled, err = s.checkMoveCode(r, f)
		if err != nil {
			return err
		}
	}
	newSecret := ""
	if ok && moving {
		if newSecret, _, err = auth.NewTOTP(totpIssuer, sess.User.Email); err != nil {
			return err
		}
	}
	if ok {
		err = s.db.TurnOffSecondFactor(r.Context(), sess.User.ID, sess.User.Email, newSecret)
		if lintel.KindOf(err) == lintel.KindConflict {
			f.Errors.Add("password", lintel.MessageOf(err))
			ok = false
		} else if lintel.IsNotFound(err) {
			return redirect(w, r, secondFactorSetUpPath)
		} else if err != nil {
			return err
		}
	}
	if !ok {
		p, err := s.newSecondFactorPage(r)
		if err != nil {
			return err
		}
		p.Off = f
		return s.renderSecondFactor(w, r, refusedStatus(throttled), p)
	}
	if moving {
		s.flash(r, "Your old app no longer works for Lintel. Scan the new QR code with the app on your new phone.")
		return redirect(w, r, secondFactorSetUpPath+"#confirm")
	}
	s.flash(r, "Your second factor is off. Signing in asks only for your password.")
	return redirect(w, r, secondFactorSetUpPath)
}

// checkMoveCode checks the code that allows moving to a new phone: from the
// current app (each time step once) or a recovery code (spent), counted
// like the other codes on these pages.
func (s *Server) checkMoveCode(r *http.Request, f Form) (ok, throttled bool, err error) {
	ctx := r.Context()
	userID := sessionOf(r).User.ID
	code := f.Get("code")
	if code != "" && !auth.LooksLikeTOTP(code) {
		if throttled, err := s.codesLocked(r, f, "code"); err != nil || throttled {
			return false, throttled, err
		}
		if ok, err = s.db.UseRecoveryCode(ctx, userID, auth.HashRecoveryCode(code)); err != nil || ok {
			return ok, false, err
		}
		if _, err := s.db.RecordFailure(ctx, codeThrottle(userID)); err != nil {
			return false, false, err
		}
		f.Errors.Add("code", "That recovery code does not match, or it was used already.")
		return false, false, nil
	}
	secret, err := s.db.TOTPSecret(ctx, userID)
	if err != nil {
		return false, false, err
	}
	step, ok, throttled, err := s.checkPageCode(r, f, "code", secret)
	if err != nil || !ok {
		return false, throttled, err
	}
	if ok, err = s.db.UseTOTPStep(ctx, userID, step); err == nil && !ok {
		f.Errors.Add("code", "That code was used already. Wait for the app to show the next one and type it.")
	}
	return ok, false, err
}
