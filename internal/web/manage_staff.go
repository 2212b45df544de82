package web

import (
	"net/http"
	"net/url"
	"strconv"

	"lintel.dev/lintel/internal/accounts"
	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

type staffPage struct {
	Page
	Members []sqldb.StaffMember
	Invites []sqldb.StaffInvite
	Form    Form
	Roles   []Option
	Me      int64
}

func roleOptions() []Option {
	out := make([]Option, 0, len(lintel.Roles))
	for _, r := range lintel.Roles {
		out = append(out, Option{Value: string(r), Label: r.Label()})
	}
	return out
}

func (s *Server) newStaffPage(r *http.Request, f Form) (*staffPage, error) {
	st := staffOf(r)
	members, err := s.db.StaffMembers(r.Context(), st)
	if err != nil {
		return nil, err
	}
	invites, err := s.db.PendingStaffInvites(r.Context(), st)
	if err != nil {
		return nil, err
	}
	return &staffPage{Page: Page{Title: "Staff", Area: "manage", Nav: "staff"}, Members: members, Invites: invites,
		Form: f, Roles: roleOptions(), Me: st.UserID}, nil
}

// staffList shows the company's staff and pending invitations.
func (s *Server) staffList(w http.ResponseWriter, r *http.Request) error {
	f := NewForm()
	f.Set("role", string(lintel.RoleManager))
	p, err := s.newStaffPage(r, f)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "manage/staff.html", p)
}

// staffInvite invites someone by e-mail with a role: a token and its
// e-mail in one transaction. The link is built from the configured base
// URL and lives accounts.InviteTTL (7 days).
func (s *Server) staffInvite(w http.ResponseWriter, r *http.Request) error {
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	st := staffOf(r)
	email := accountEmail(f, "email")
	role := lintel.Role(f.Get("role"))
	if !role.Valid() {
		f.Errors.Add("role", "Choose a role.")
	}
	if len(f.Errors) == 0 {
		err = s.sendStaffInvite(r, st, email, role)
		if err == nil {
			s.flash(r, "Invitation sent to "+email+".")
			return redirect(w, r, "/manage/staff")
		}
		if !f.Merge(err) {
			return err
		}
	}
	p, err := s.newStaffPage(r, f)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusUnprocessableEntity, "manage/staff.html", p)
}

func (s *Server) sendStaffInvite(r *http.Request, st lintel.Staff, email string, role lintel.Role) error {
	co, err := s.db.Company(r.Context(), st)
	if err != nil {
		return err
	}
	raw, hash := auth.NewToken()
	m, err := accounts.StaffInviteEmail(hash[:24], email, accounts.StaffInviteMail{
		InvitedBy: st.Name, Company: co.Name, Role: role.Label(),
		Link:    s.link("/invite", url.Values{"token": {raw}}),
		Expires: s.cfg.Now().Add(accounts.InviteTTL).UTC().Format("2 Jan 2006 15:04 UTC"),
	})
	if err != nil {
		return err
	}
	return s.db.InviteStaff(r.Context(), st, sqldb.NewToken{Hash: hash, Email: email, Role: role, TTL: accounts.InviteTTL}, m)
}

// staffRevokeInvite cancels the pending invitations to an e-mail.
func (s *Server) staffRevokeInvite(w http.ResponseWriter, r *http.Request) error {
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	email := f.Get("email")
	if err := s.db.RevokeStaffInvites(r.Context(), staffOf(r), email); err != nil {
		return err
	}
	s.flash(r, "Invitation to "+email+" cancelled.")
	return redirect(w, r, "/manage/staff")
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, lintel.ErrNotFound
	}
	return id, nil
}

// staffSetRole changes a member's role.
func (s *Server) staffSetRole(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	role := lintel.Role(f.Get("role"))
	if err := s.db.SetStaffRole(r.Context(), staffOf(r), id, role); err != nil {
		return err
	}
	s.flash(r, "Role changed to "+role.Label()+".")
	return redirect(w, r, "/manage/staff")
}

// staffDisable turns a membership off; the member is signed out of this
// company at once.
func (s *Server) staffDisable(w http.ResponseWriter, r *http.Request) error {
	return s.staffSetDisabled(w, r, true)
}

// staffEnable turns a membership back on.
func (s *Server) staffEnable(w http.ResponseWriter, r *http.Request) error {
	return s.staffSetDisabled(w, r, false)
}

func (s *Server) staffSetDisabled(w http.ResponseWriter, r *http.Request, disabled bool) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.db.SetStaffDisabled(r.Context(), staffOf(r), id, disabled); err != nil {
		return err
	}
	if disabled {
		s.flash(r, "Access turned off. They have been signed out of this company.")
	} else {
		s.flash(r, "Access turned back on.")
	}
	return redirect(w, r, "/manage/staff")
}

// switchCompany makes another of the user's companies the one the manager
// app acts in.
func (s *Server) switchCompany(w http.ResponseWriter, r *http.Request) error {
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	sess := sessionOf(r)
	if err := s.db.SwitchCompany(r.Context(), sess.TokenHash, sess.User.ID, f.ID("company_id"), s.cfg.StaffSession); err != nil {
		return err
	}
	return redirect(w, r, "/manage")
}
