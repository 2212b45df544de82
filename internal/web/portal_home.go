package web

import (
	"net/http"
	"strings"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

type portalHomePage struct {
	Page
	Home    sqldb.PortalHome
	IsStaff bool
}

// Share is an owner's share as a percentage, written the page language's
// way: "33.33%", "33,33 %".
func (p *portalHomePage) Share(a sqldb.PortalAsset) string {
	share := lintel.FormatShare(a.ShareBP)
	if p.Lang == "fr" {
		share = strings.ReplaceAll(share, ".", ",")
	}
	return p.T("%s%%", share)
}

// Relation says how the resident is linked to a company, as one sentence
// per case so each language can order it its own way.
func (p *portalHomePage) Relation(c sqldb.PortalCompany) string {
	names := strings.Join(c.ContactNames, ", ")
	switch {
	case c.Tenant && c.Owner && names != "":
		return p.T("You are a tenant and an owner with %s, on record as %s.", c.Name, names)
	case c.Tenant && c.Owner:
		return p.T("You are a tenant and an owner with %s.", c.Name)
	case c.Tenant && names != "":
		return p.T("You are a tenant with %s, on record as %s.", c.Name, names)
	case c.Tenant:
		return p.T("You are a tenant with %s.", c.Name)
	case names != "":
		return p.T("You are an owner with %s, on record as %s.", c.Name, names)
	}
	return p.T("You are an owner with %s.", c.Name)
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
