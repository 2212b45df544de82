package web

import (
	"net/http"
	"net/mail"
	"strings"

	"lintel.dev/lintel/internal/accounts"
	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// emailForm is the one-field form of sign-up and forgotten password.
type emailForm struct {
	Page
	Form Form
}

// checkEmailPage is the answer to sign-up and forgotten password: the same
// page whatever the e-mail, so it tells nobody whether an account or a
// contact exists (SECURITY.md 2). It never repeats the address.
type checkEmailPage struct {
	Page
	Reset bool // the forgotten-password wording
}

// tokenPage is a page opened from an e-mailed link.
type tokenPage struct {
	Page
	Form  Form
	Token sqldb.Token
}

// linkInvalidPage answers a link that was used, has expired or never existed.
type linkInvalidPage struct {
	Page
	Purpose string
}

// accountEmail returns a plain e-mail address (lower-case) typed in field
// name, recording a message when it is missing or malformed.
func accountEmail(f Form, name string) string {
	v := f.Required(name, "Enter your e-mail address.")
	if v == "" {
		return ""
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || len(v) > 254 {
		f.Errors.Add(name, "Enter an e-mail address like name@example.com.")
		return ""
	}
	return strings.ToLower(v)
}

// tokenLinkHeaders are sent with pages whose URL carries a token: the
// token must not leak to other sites through the Referer header, and
// search engines must not keep the page.
func tokenLinkHeaders(w http.ResponseWriter) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Robots-Tag", "noindex")
}

func (s *Server) signupForm(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "auth/signup.html", &emailForm{Page: Page{Title: "Sign up"}, Form: NewForm()})
}

// signupSubmit queues the sign-up check and answers the same page whether
// or not the e-mail matched: the one job row is the whole of the work.
func (s *Server) signupSubmit(w http.ResponseWriter, r *http.Request) error {
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	email := accountEmail(f, "email")
	if len(f.Errors) > 0 {
		return s.render(w, r, http.StatusUnprocessableEntity, "auth/signup.html", &emailForm{Page: Page{Title: "Sign up"}, Form: f})
	}
	if err := accounts.RequestSignup(r.Context(), s.db, email); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "auth/check_email.html", &checkEmailPage{Page: Page{Title: "Check your e-mail"}})
}

func (s *Server) linkInvalid(w http.ResponseWriter, r *http.Request, purpose string) error {
	return s.render(w, r, http.StatusNotFound, "auth/link_invalid.html", &linkInvalidPage{Page: Page{Title: "This link no longer works"}, Purpose: purpose})
}

// liveToken loads the token a link page was opened with (query on GET,
// form on POST). A dead token renders the "link no longer works" page and
// answers ok=false.
func (s *Server) liveToken(w http.ResponseWriter, r *http.Request, purpose, raw string) (sqldb.Token, bool, error) {
	tokenLinkHeaders(w)
	if raw == "" {
		return sqldb.Token{}, false, s.linkInvalid(w, r, purpose)
	}
	t, err := s.db.LiveToken(r.Context(), purpose, auth.HashToken(raw))
	if lintel.IsNotFound(err) {
		return t, false, s.linkInvalid(w, r, purpose)
	}
	return t, err == nil, err
}

// signupVerifyForm shows the set-password form of a sign-up link. Opening
// it changes nothing: mail scanners open links too.
func (s *Server) signupVerifyForm(w http.ResponseWriter, r *http.Request) error {
	raw := r.URL.Query().Get("token")
	t, ok, err := s.liveToken(w, r, sqldb.PurposeSignup, raw)
	if !ok {
		return err
	}
	f := NewForm()
	f.Set("token", raw)
	return s.render(w, r, http.StatusOK, "auth/signup_verify.html", &tokenPage{Page: Page{Title: "Set up your account"}, Form: f, Token: t})
}

// signupVerifySubmit creates the resident's login from a sign-up link and
// signs them in.
func (s *Server) signupVerifySubmit(w http.ResponseWriter, r *http.Request) error {
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	raw := f.Values.Get("token")
	t, ok, err := s.liveToken(w, r, sqldb.PurposeSignup, raw)
	if !ok {
		return err
	}
	name := f.Required("name", "Enter your name, as you would like it shown to your property manager.")
	f.MaxLen("name", 200)
	password := newPassword(f, "password", t.Email)
	p := &tokenPage{Page: Page{Title: "Set up your account"}, Form: f, Token: t}
	if len(f.Errors) > 0 {
		return s.render(w, r, http.StatusUnprocessableEntity, "auth/signup_verify.html", p)
	}
	id, err := s.db.CompleteSignup(r.Context(), auth.HashToken(raw), name, auth.HashPassword(password))
	if lintel.IsNotFound(err) {
		return s.linkInvalid(w, r, sqldb.PurposeSignup)
	}
	if err != nil {
		return err
	}
	return s.signIn(w, r, id, "/portal", "")
}

// newPassword reads a password being set, applies the policy (SECURITY.md
// 1) and removes it from the form so it is never sent back.
func newPassword(f Form, name, email string) string {
	pw := f.Values.Get(name)
	f.Values.Del(name)
	if pw == "" {
		f.Errors.Add(name, "Choose a password of 12 characters or more.")
		return ""
	}
	if err := auth.CheckNewPassword(pw, email); err != nil {
		msg := err.Error()
		f.Errors.Add(name, strings.ToUpper(msg[:1])+msg[1:]+".")
		return ""
	}
	return pw
}
