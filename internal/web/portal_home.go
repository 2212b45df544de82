package web

import (
	"net/http"

	"lintel.dev/lintel/internal/sqldb"
)

type portalHomePage struct {
	Page
	Home    sqldb.PortalHome
	IsStaff bool
}

// portalHome shows who the resident is and what their verified e-mail links
// them to, in every company: companies, leases, owned assets.
func (s *Server) portalHome(w http.ResponseWriter, r *http.Request) error {
	sess := sessionOf(r)
	home, err := s.db.PortalHomeOf(r.Context(), residentOf(r))
	if err != nil {
		return err
	}
	isStaff := sess.Staff != nil
	if !isStaff {
		ms, err := s.db.Memberships(r.Context(), sess.User.ID)
		if err != nil {
			return err
		}
		isStaff = len(ms) > 0
	}
	return s.render(w, r, http.StatusOK, "portal/home.html", &portalHomePage{
		Page: Page{Title: "Home", Area: "portal", Nav: "home"}, Home: home, IsStaff: isStaff,
	})
}
