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

// contactPortalInvite e-mails a tenant or owner contact a welcome to the
// portal with a sign-up link (or, when they already have an account, a
// link to log in). The link lives accounts.InviteTTL (7 days): a welcome
// is sent by a manager, not requested by the resident, who may not read it
// within the hour.
func (s *Server) contactPortalInvite(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	raw, hash := auth.NewToken()
	expires := s.cfg.Now().Add(accounts.InviteTTL).UTC().Format("2 Jan 2006")
	inv, err := s.db.InviteContactToPortal(r.Context(), staffOf(r), id,
		sqldb.NewToken{Hash: hash, TTL: accounts.InviteTTL},
		func(inv sqldb.PortalInvite) (lintel.Email, error) {
			link := s.link("/signup/verify", url.Values{"token": {raw}})
			if inv.HasAccount {
				link = s.link("/login", nil)
			}
			return accounts.WelcomeEmail(hash[:24], inv.To, accounts.WelcomeMail{
				Name: inv.Name, Company: inv.CompanyName, Link: link, SignupLink: s.link("/signup", nil), HelpLink: s.link("/help", nil),
				Expires: expires, HasAccount: inv.HasAccount,
			})
		})
	if err != nil {
		return err
	}
	s.flash(r, "Invitation sent to "+inv.To+".")
	return redirect(w, r, "/manage/contacts/"+strconv.FormatInt(id, 10))
}
