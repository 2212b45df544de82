package web

import (
	"maps"
	"net/http"
	"slices"

	"lintel.dev/lintel/internal/sqldb"
)

// The portal's navigation: the tabs of the seed —
// Maintenance, Lease (tenants) or Assets (owners), Documents, Billing — and
// the profile menu under the person's initials, with the company switch
// for a person linked to several companies. render fills Page.Portal; the
// tabs themselves live in portal_lease.go, portal_assets.go, portal_billing.go
// and the other capabilities' files.

func (s *Server) portalTabRoutes() []route {
	return slices.Concat([]route{
		{"POST", "/portal/company", resident, s.portalSwitchCompany},
	}, s.portalLeaseRoutes(), s.portalAssetRoutes())
}

// portalTabs maps a page's Nav to the tab's own page: where the company
// switch comes back to, since the page being read may belong to the
// company just switched away from.
var portalTabs = map[string]string{
	"maintenance": "/portal/maintenance",
	"lease":       "/portal/lease",
	"assets":      "/portal/assets",
	"documents":   "/portal/documents",
	"billing":     "/portal/billing",
	"approvals":   "/portal/approvals",
	"profile":     "/portal/profile",
	"settings":    "/portal/settings",
}

// TabPath is the page of the current tab ("/portal" outside the tabs).
func (p *Page) TabPath() string {
	if to, ok := portalTabs[p.Nav]; ok {
		return to
	}
	return "/portal"
}

// portalSwitchCompany makes the portal show one company's records (or all,
// with company_id 0 or empty). The store checks the person is linked to
// the company; any other id is the same 404 as a missing one.
func (s *Server) portalSwitchCompany(w http.ResponseWriter, r *http.Request) error {
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	id := f.ID("company_id")
	if err := s.db.SetPortalCompany(r.Context(), residentOf(r), id); err != nil {
		return err
	}
	if id == 0 {
		s.flash(r, "You now see the records of all your companies.")
	} else {
		s.flash(r, "You now see the records of one company. Switch back from the menu under your initials.")
	}
	to := "/portal"
	if next := f.Get("next"); slices.Contains(slices.Collect(maps.Values(portalTabs)), next) {
		to = next
	}
	return redirect(w, r, to)
}

// companyCard is what the "portal-company-contact" template shows: a
// management company's contact details, on the page's language.
type companyCard struct {
	Page    *Page
	Company sqldb.PortalCompany
}
