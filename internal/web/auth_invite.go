package web

import (
	"net/http"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// invitePage is the page a staff invitation link opens.
type invitePage struct {
	tokenPage
	RoleLabel string
	// SignedInAs is set when the visitor is signed in as the invitee: one
	// click accepts.
	SignedInAs bool
	// OtherUser is the e-mail of someone else who is signed in here.
	OtherUser string
	Message   string
}

func (s *Server) newInvitePage(r *http.Request, f Form, t sqldb.Token) *invitePage {
	p := &invitePage{tokenPage: tokenPage{Page: Page{Title: "Join " + t.CompanyName}, Form: f, Token: t}, RoleLabel: t.Role.Label()}
	if sess := sessionOf(r); sess != nil {
		if sess.User.Email == t.Email {
			p.SignedInAs = true
		} else {
			p.OtherUser = sess.User.Email
		}
	}
	return p
}

// inviteForm shows a staff invitation. Opening it changes nothing.
func (s *Server) inviteForm(w http.ResponseWriter, r *http.Request) error {
	raw := r.URL.Query().Get("token")
	t, ok, err := s.liveToken(w, r, sqldb.PurposeStaffInvite, raw)
	if !ok {
		return err
	}
	f := NewForm()
	f.Set("token", raw)
	return s.render(w, r, http.StatusOK, "auth/invite.html", s.newInvitePage(r, f, t))
}

// inviteAccept accepts a staff invitation: the invitee, if signed in;
// an existing user, with their password (throttled like a log-in); or a
// new user, who chooses a name and password.
func (s *Server) inviteAccept(w http.ResponseWriter, r *http.Request) error {
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	raw := f.Values.Get("token")
	t, ok, err := s.liveToken(w, r, sqldb.PurposeStaffInvite, raw)
	if !ok {
		return err
	}
	ctx := r.Context()
	p := s.newInvitePage(r, f, t)
	var a sqldb.AcceptInvite
	switch {
	case p.SignedInAs:
		a.UserID = sessionOf(r).User.ID
	case t.HasAccount:
		password := f.Values.Get("password")
		f.Values.Del("password")
		rules := throttleRules(t.Email, r)
		until, err := s.db.ThrottledUntil(ctx, rules[0].Key, rules[1].Key)
		if err != nil {
			return err
		}
		if !until.IsZero() {
			p.Message = "Too many failed attempts. Wait a few minutes, or reset your password, then open the invitation again."
			return s.render(w, r, http.StatusTooManyRequests, "auth/invite.html", p)
		}
		u, err := s.db.UserByEmail(ctx, t.Email)
		if err != nil && !lintel.IsNotFound(err) {
			return err
		}
		if !auth.CheckPassword(u.PasswordHash, password) || !u.Disabled.IsZero() {
			if _, err := s.db.RecordFailure(ctx, rules...); err != nil {
				return err
			}
			f.Errors.Add("password", "That password is not right. Enter the password of your Lintel account, or reset it.")
			return s.render(w, r, http.StatusUnprocessableEntity, "auth/invite.html", p)
		}
		a.UserID = u.ID
	default:
		a.Name = f.Required("name", "Enter your name, as your colleagues should see it.")
		f.MaxLen("name", 200)
		password := newPassword(f, "password", t.Email)
		if len(f.Errors) > 0 {
			return s.render(w, r, http.StatusUnprocessableEntity, "auth/invite.html", p)
		}
		a.PasswordHash = auth.HashPassword(password)
	}
	userID, companyID, err := s.db.AcceptStaffInvite(ctx, auth.HashToken(raw), a)
	if lintel.IsNotFound(err) {
		return s.linkInvalid(w, r, sqldb.PurposeStaffInvite)
	}
	if err != nil {
		return err
	}
	return s.signInTo(w, r, userID, companyID, "/manage", "Welcome to "+t.CompanyName+".")
}

// signInTo starts a new session acting in companyID, with a flash, and
// redirects to dest.
func (s *Server) signInTo(w http.ResponseWriter, r *http.Request, userID, companyID int64, dest, flash string) error {
	ctx := r.Context()
	if old := sessionOf(r); old != nil {
		_ = s.db.DeleteSession(ctx, old.TokenHash)
	}
	raw, hash := auth.NewToken()
	if err := s.db.CreateSession(ctx, userID, hash, clientIP(r), r.UserAgent(), s.cfg.StaffSession, s.cfg.ResidentSession); err != nil {
		return err
	}
	if err := s.db.SwitchCompany(ctx, hash, userID, companyID, s.cfg.StaffSession); err != nil {
		return err
	}
	if flash != "" {
		if err := s.db.SetFlash(ctx, hash, flash); err != nil {
			s.log.Warn("set flash", "err", err)
		}
	}
	setSessionCookie(w, raw)
	return redirect(w, r, dest)
}
