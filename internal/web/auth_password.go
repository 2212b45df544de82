package web

import (
	"net/http"

	"lintel.dev/lintel/internal/accounts"
	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

func (s *Server) forgotForm(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "auth/forgot.html", &emailForm{Page: Page{Title: "Reset your password"}, Form: NewForm()})
}

// forgotSubmit queues the reset check and answers the same page whether or
// not the e-mail has an account. It is not throttled by the log-in
// counters, so a locked-out person can always get back in (SECURITY.md 4).
func (s *Server) forgotSubmit(w http.ResponseWriter, r *http.Request) error {
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	email := accountEmail(f, "email")
	if len(f.Errors) > 0 {
		return s.render(w, r, http.StatusUnprocessableEntity, "auth/forgot.html", &emailForm{Page: Page{Title: "Reset your password"}, Form: f})
	}
	if err := accounts.RequestReset(r.Context(), s.db, email); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "auth/check_email.html", &checkEmailPage{Page: Page{Title: "Check your e-mail"}, Reset: true})
}

// resetForm shows the new-password form of a reset link; it changes nothing.
func (s *Server) resetForm(w http.ResponseWriter, r *http.Request) error {
	raw := r.URL.Query().Get("token")
	t, ok, err := s.liveToken(w, r, sqldb.PurposeReset, raw)
	if !ok {
		return err
	}
	f := NewForm()
	f.Set("token", raw)
	return s.render(w, r, http.StatusOK, "auth/reset.html", &tokenPage{Page: Page{Title: "Choose a new password"}, Form: f, Token: t})
}

// resetSubmit sets the new password, ends every other session of the
// account, lifts the log-in lock and signs the person in.
func (s *Server) resetSubmit(w http.ResponseWriter, r *http.Request) error {
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	raw := f.Values.Get("token")
	t, ok, err := s.liveToken(w, r, sqldb.PurposeReset, raw)
	if !ok {
		return err
	}
	password := newPassword(f, "password", t.Email)
	if len(f.Errors) > 0 {
		return s.render(w, r, http.StatusUnprocessableEntity, "auth/reset.html", &tokenPage{Page: Page{Title: "Choose a new password"}, Form: f, Token: t})
	}
	id, email, err := s.db.ResetPassword(r.Context(), auth.HashToken(raw), auth.HashPassword(password))
	if lintel.IsNotFound(err) {
		return s.linkInvalid(w, r, sqldb.PurposeReset)
	}
	if err != nil {
		return err
	}
	if err := s.db.ClearThrottle(r.Context(), accountThrottleKey(email)); err != nil {
		s.log.Warn("clear log-in throttle", "err", err)
	}
	// A reset proves the mailbox, not the second factor: with one on, the
	// code is still asked for.
	if u, err := s.db.UserByEmail(r.Context(), email); err != nil {
		return err
	} else if u.SecondFactor {
		return s.startCodeStep(w, r, id, true, "")
	}
	return s.signIn(w, r, id, "", "")
}
