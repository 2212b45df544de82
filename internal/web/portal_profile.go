package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/i18n"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/mail"
	"lintel.dev/lintel/internal/sqldb"
)

// profileRoutes are the resident's profile and settings: name,
// phone and preferred contact; password; sign-in e-mail (proved by a link
// to the new address before it changes); e-mail choices, language and the
// maintenance list's choice; and logging out everywhere.
func (s *Server) profileRoutes() []route {
	return []route{
		{"GET", "/portal/profile", resident, s.portalProfile},
		{"POST", "/portal/profile", resident, s.portalProfileSave},
		{"POST", "/portal/profile/password", resident, s.portalPasswordChange},
		{"POST", "/portal/profile/email", resident, s.portalEmailChange},
		// The link from the e-mail is the credential (the change was asked
		// for with the password), so it works on a device that is not
		// signed in; opening it changes nothing.
		{"GET", "/portal/profile/email/verify", public, s.portalEmailVerifyForm},
		{"POST", "/portal/profile/email/verify", public, s.portalEmailVerify},
		{"GET", "/portal/settings", resident, s.portalSettings},
		{"POST", "/portal/settings", resident, s.portalSettingsSave},
		{"POST", "/logout/everywhere", signedIn, s.logoutEverywhere},
	}
}

// Wrong current passwords on the profile page, per login (project choice):
// 5 in 15 minutes lock these forms until the window ends, so a borrowed
// session cannot be used to guess the password. The log-in page has its
// own counters; resetting the password by e-mail keeps working.
const (
	profilePasswordLimit  = 5
	profilePasswordWindow = 15 * time.Minute
)

type profilePage struct {
	Page
	Profile  sqldb.Profile
	Details  Form
	Email    Form
	Password Form
	Contacts []Option
}

func (s *Server) newProfilePage(r *http.Request) (*profilePage, error) {
	prof, err := s.db.ProfileOf(r.Context(), residentOf(r))
	if err != nil {
		return nil, err
	}
	tr := i18n.For(langOf(r))
	p := &profilePage{
		Page:    Page{Title: "Your profile", Area: "portal", Nav: "profile"},
		Profile: prof, Details: NewForm(), Email: NewForm(), Password: NewForm(),
		Contacts: []Option{
			{string(lintel.ContactByEmail), tr.T("E-mail")},
			{string(lintel.ContactByPhone), tr.T("Phone call")},
			{string(lintel.ContactByText), tr.T("Text message")},
		},
	}
	p.Details.Set("name", prof.Name)
	p.Details.Set("phone", prof.Phone)
	p.Details.Set("preferred_contact", string(prof.PreferredContact))
	return p, nil
}

// renderProfile shows the profile page; the messages of a refused form are
// shown in the person's language.
func (s *Server) renderProfile(w http.ResponseWriter, r *http.Request, status int, p *profilePage) error {
	for _, f := range []Form{p.Details, p.Email, p.Password} {
		translateErrors(r, f)
	}
	return s.render(w, r, status, "portal/profile.html", p)
}

// translateErrors puts a form's field messages (English, from Go code) into
// the portal language of the request.
func translateErrors(r *http.Request, f Form) {
	tr := i18n.For(langOf(r))
	for k, v := range f.Errors {
		f.Errors[k] = tr.T(v)
	}
}

func (s *Server) portalProfile(w http.ResponseWriter, r *http.Request) error {
	p, err := s.newProfilePage(r)
	if err != nil {
		return err
	}
	return s.renderProfile(w, r, http.StatusOK, p)
}

// portalProfileSave saves name, phone and preferred contact.
func (s *Server) portalProfileSave(w http.ResponseWriter, r *http.Request) error {
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	err = s.db.UpdateProfile(r.Context(), residentOf(r), lintel.ResidentProfile{
		Name: f.Get("name"), Phone: f.Get("phone"), PreferredContact: lintel.PreferredContact(f.Get("preferred_contact")),
	})
	if f.Merge(err) {
		p, perr := s.newProfilePage(r)
		if perr != nil {
			return perr
		}
		p.Details = f
		return s.renderProfile(w, r, http.StatusUnprocessableEntity, p)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Your details are saved.")
	return redirect(w, r, "/portal/profile")
}

// checkCurrentPassword verifies the current password typed in field,
// counting wrong ones against the login. It records the message on the
// field and answers false when the password is wrong or too many were.
func (s *Server) checkCurrentPassword(r *http.Request, f Form, field string) (ok, throttled bool, err error) {
	ctx := r.Context()
	sess := sessionOf(r)
	pw := f.Values.Get(field)
	f.Values.Del(field) // never send a password back in a page
	rule := sqldb.ThrottleRule{Key: "profile:password:" + strconv.FormatInt(sess.User.ID, 10), Limit: profilePasswordLimit, Window: profilePasswordWindow}
	until, err := s.db.ThrottledUntil(ctx, rule.Key)
	if err != nil {
		return false, false, err
	}
	if !until.IsZero() {
		f.Errors.Add(field, "Too many wrong passwords. Wait 15 minutes and try again, or log out and reset your password.")
		return false, true, nil
	}
	if pw == "" {
		f.Errors.Add(field, "Enter your current password.")
		return false, false, nil
	}
	u, err := s.db.UserByID(ctx, sess.User.ID)
	if err != nil {
		return false, false, err
	}
	if !auth.CheckPassword(u.PasswordHash, pw) {
		if _, err := s.db.RecordFailure(ctx, rule); err != nil {
			return false, false, err
		}
		f.Errors.Add(field, "That is not your current password. Check it and try again.")
		return false, false, nil
	}
	return true, false, nil
}

// refusedStatus is the status of a refused profile form.
func refusedStatus(throttled bool) int {
	if throttled {
		return http.StatusTooManyRequests
	}
	return http.StatusUnprocessableEntity
}

// portalPasswordChange sets a new password after checking the current one.
// Every other session of the person ends; this browser stays signed in.
func (s *Server) portalPasswordChange(w http.ResponseWriter, r *http.Request) error {
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	sess := sessionOf(r)
	ok, throttled, err := s.checkCurrentPassword(r, f, "current_password")
	if err != nil {
		return err
	}
	password := newPassword(f, "new_password", sess.User.Email)
	if !ok || len(f.Errors) > 0 {
		p, err := s.newProfilePage(r)
		if err != nil {
			return err
		}
		p.Password = f
		return s.renderProfile(w, r, refusedStatus(throttled), p)
	}
	if err := s.db.ChangePassword(r.Context(), residentOf(r), sess.TokenHash, auth.HashPassword(password)); err != nil {
		return err
	}
	s.flash(r, "Your password has changed. Any other device signed in to your account has been logged out.")
	return redirect(w, r, "/portal/profile")
}

// emailChangeMail is the data of the email_change_* e-mails.
type emailChangeMail struct {
	Name      string
	OldEmail  string
	NewEmail  string
	Link      string
	ValidFor  string
	LoginLink string
	ResetLink string
}

// portalEmailChange asks for a new sign-in address: a link goes to the new
// address and a notice to the current one; nothing changes until the link
// is followed. The answer is the same whether or not another account has
// the new address (that address is told instead; see RequestEmailChange).
func (s *Server) portalEmailChange(w http.ResponseWriter, r *http.Request) error {
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	sess := sessionOf(r)
	newEmail := accountEmail(f, "new_email")
	ok, throttled, err := s.checkCurrentPassword(r, f, "email_password")
	if err != nil {
		return err
	}
	refuse := func() error {
		p, err := s.newProfilePage(r)
		if err != nil {
			return err
		}
		p.Email = f
		return s.renderProfile(w, r, refusedStatus(throttled), p)
	}
	if !ok || len(f.Errors) > 0 {
		return refuse()
	}
	raw, hash := auth.NewToken()
	d := emailChangeMail{
		Name: sess.User.Name, OldEmail: sess.User.Email, NewEmail: newEmail,
		Link:      s.link("/portal/profile/email/verify", map[string][]string{"token": {raw}}),
		ValidFor:  "60 minutes",
		LoginLink: s.link("/login", nil), ResetLink: s.link("/password/forgot", nil),
	}
	key := hash[:32]
	var m sqldb.EmailChangeMail
	for _, e := range []struct {
		tmpl, to, name string
		dest           *lintel.Email
	}{
		{"email_change_verify", newEmail, sess.User.Name, &m.Verify},
		{"email_change_notice", sess.User.Email, sess.User.Name, &m.Notice},
		{"email_change_taken", newEmail, "", &m.Taken},
	} {
		c, err := mail.Compose(e.tmpl, d)
		if err != nil {
			return err
		}
		*e.dest = lintel.Email{DedupeKey: e.tmpl + ":" + key, Kind: e.tmpl, To: e.to, ToName: e.name, Subject: c.Subject, Text: c.Text, HTML: c.HTML}
	}
	err = s.db.RequestEmailChange(r.Context(), residentOf(r), newEmail, hash, m)
	if f.Merge(err) {
		return refuse()
	}
	if err != nil {
		return err
	}
	s.flash(r, "Check the inbox of your new address: we sent a link to confirm it. Until you follow it, you keep signing in with your current address.")
	return redirect(w, r, "/portal/profile")
}

// emailVerifyPage is the page a change-of-address link opens.
type emailVerifyPage struct {
	Page
	Token   string
	Change  sqldb.EmailChange
	Invalid bool   // the link was used, expired or never existed
	Done    bool   // applied, for a browser not signed in as the person
	Alert   string // why the change was refused
}

// emailVerifyPageFor makes the page in the portal's look for the person
// signed in, and as a public page otherwise.
func emailVerifyPageFor(r *http.Request) *emailVerifyPage {
	p := &emailVerifyPage{Page: Page{Title: "Confirm your new e-mail address"}}
	if sessionOf(r) != nil {
		p.Area = "portal"
		p.Nav = "profile"
	}
	return p
}

// portalEmailVerifyForm shows the confirm button of a change-of-address
// link. Opening it changes nothing: mail scanners open links too.
func (s *Server) portalEmailVerifyForm(w http.ResponseWriter, r *http.Request) error {
	tokenLinkHeaders(w)
	p := emailVerifyPageFor(r)
	raw := r.URL.Query().Get("token")
	c, err := s.db.LiveEmailChange(r.Context(), auth.HashToken(raw))
	if lintel.IsNotFound(err) || raw == "" {
		p.Title, p.Invalid = "This link no longer works", true
		return s.render(w, r, http.StatusNotFound, "portal/email_verify.html", p)
	}
	if err != nil {
		return err
	}
	p.Token, p.Change = raw, c
	return s.render(w, r, http.StatusOK, "portal/email_verify.html", p)
}

// portalEmailVerify applies the change of address: the login and every
// tenant or owner record carrying the old address move to the new one,
// with an entry in each record's history for its manager.
func (s *Server) portalEmailVerify(w http.ResponseWriter, r *http.Request) error {
	tokenLinkHeaders(w)
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	p := emailVerifyPageFor(r)
	raw := f.Values.Get("token")
	c, err := s.db.ApplyEmailChange(r.Context(), auth.HashToken(raw), clientIP(r))
	switch {
	case errors.Is(err, sqldb.ErrEmailTaken):
		p.Alert = lintel.MessageOf(err)
		return s.render(w, r, http.StatusConflict, "portal/email_verify.html", p)
	case lintel.IsNotFound(err) || raw == "":
		p.Title, p.Invalid = "This link no longer works", true
		return s.render(w, r, http.StatusNotFound, "portal/email_verify.html", p)
	case err != nil:
		return err
	}
	if sess := sessionOf(r); sess != nil && sess.User.ID == c.UserID {
		s.flash(r, "Your e-mail address has changed. Use the new one to log in from now on.")
		return redirect(w, r, "/portal/profile")
	}
	p.Title, p.Done, p.Change = "Your e-mail address has changed", true, c
	return s.render(w, r, http.StatusOK, "portal/email_verify.html", p)
}

type portalSettingsPage struct {
	Page
	Form      Form
	Languages []Option
}

func (s *Server) newSettingsPage(r *http.Request, f Form) *portalSettingsPage {
	tr := i18n.For(langOf(r))
	langs := []Option{{"", tr.T("As my browser asks")}}
	for _, l := range i18n.Languages {
		langs = append(langs, Option{l.Code, l.Name})
	}
	return &portalSettingsPage{Page: Page{Title: "Settings", Area: "portal", Nav: "settings"}, Form: f, Languages: langs}
}

// checkbox is a checkbox's form value.
func checkbox(on bool) string {
	if on {
		return "on"
	}
	return ""
}

func (s *Server) portalSettings(w http.ResponseWriter, r *http.Request) error {
	st, err := s.db.SettingsOf(r.Context(), residentOf(r))
	if err != nil {
		return err
	}
	f := NewForm()
	f.Set("language", st.Language)
	f.Set("notify_maintenance", checkbox(st.NotifyMaintenance))
	f.Set("notify_documents", checkbox(st.NotifyDocuments))
	f.Set("notify_billing", checkbox(st.NotifyBilling))
	f.Set("notify_announcements", checkbox(st.NotifyAnnouncements))
	f.Set("show_cancelled", checkbox(!st.HideCancelled))
	return s.render(w, r, http.StatusOK, "portal/settings.html", s.newSettingsPage(r, f))
}

// portalSettingsSave saves the e-mail choices, the language and whether
// cancelled requests show; the next page is in the chosen language.
func (s *Server) portalSettingsSave(w http.ResponseWriter, r *http.Request) error {
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	res := residentOf(r)
	err = s.db.SaveSettings(ctx, res, sqldb.Settings{
		Language:          f.Get("language"),
		NotifyMaintenance: f.Checked("notify_maintenance"), NotifyDocuments: f.Checked("notify_documents"),
		NotifyBilling: f.Checked("notify_billing"), NotifyAnnouncements: f.Checked("notify_announcements"),
	}, i18n.Supported)
	if f.Merge(err) {
		translateErrors(r, f)
		return s.render(w, r, http.StatusUnprocessableEntity, "portal/settings.html", s.newSettingsPage(r, f))
	}
	if err != nil {
		return err
	}
	if err := s.db.SetHideCancelledRequests(ctx, res, !f.Checked("show_cancelled")); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	s.flash(r, "Your settings are saved.")
	return redirect(w, r, "/portal/settings")
}

// logoutEverywhere ends every session of the person, this one included:
// for a lost phone or a shared computer.
func (s *Server) logoutEverywhere(w http.ResponseWriter, r *http.Request) error {
	sess := sessionOf(r)
	if err := s.db.DeleteUserSessions(r.Context(), sess.User.ID); err != nil {
		return err
	}
	clearSessionCookie(w)
	return redirect(w, r, "/login?signed_out=1")
}
