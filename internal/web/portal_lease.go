package web

import (
	"net/http"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// The portal's Lease tab. A tenant with one current
// lease lands on it straight away; with several (or only past ones) they
// get the list. Former tenants keep reading their ended lease. Scope is
// the store's: a lease that is not theirs is the same 404 as a missing one.

func (s *Server) portalLeaseRoutes() []route {
	return []route{
		{"GET", "/portal/lease", resident, s.portalLease},
		{"GET", "/portal/leases/{id}", resident, s.portalLeaseDetail},
	}
}

type portalLeasePage struct {
	Page
	// Lease is the lease shown; nil on the list.
	Lease *sqldb.ResidentLease
	// Leases is the list, or beside a lease the person's other leases.
	Leases []sqldb.ResidentLeaseItem
	// Documents are those shared on the lease shown.
	Documents []sqldb.ResidentDocument
}

// ManyCompanies reports whether the leases are with several companies, so
// each line says which.
func (p *portalLeasePage) ManyCompanies() bool {
	return len(p.Portal.Companies) > 1 && p.Portal.CurrentCompanyID == 0
}

// portalLease is the tab: the one current lease, or the list.
func (s *Server) portalLease(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	res := residentOf(r)
	leases, err := s.db.ResidentLeases(ctx, res)
	if err != nil {
		return err
	}
	page := &portalLeasePage{Page: Page{Title: "Your lease", Area: "portal", Nav: "lease"}}
	var current []sqldb.ResidentLeaseItem
	for _, l := range leases {
		if l.Status != lintel.LeaseEnded {
			current = append(current, l)
		}
	}
	show := int64(0)
	switch {
	case len(current) == 1:
		show = current[0].ID
	case len(current) == 0 && len(leases) == 1:
		show = leases[0].ID
	}
	if show == 0 {
		page.Title, page.Leases = "Your leases", leases
		return s.render(w, r, http.StatusOK, "portal/lease.html", page)
	}
	for _, l := range leases {
		if l.ID != show {
			page.Leases = append(page.Leases, l)
		}
	}
	return s.renderLease(w, r, page, show)
}

// portalLeaseDetail is one lease's page, ended ones included.
func (s *Server) portalLeaseDetail(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.renderLease(w, r, &portalLeasePage{Page: Page{Title: "Your lease", Area: "portal", Nav: "lease"}}, id)
}

func (s *Server) renderLease(w http.ResponseWriter, r *http.Request, page *portalLeasePage, id int64) error {
	ctx := r.Context()
	res := residentOf(r)
	l, err := s.db.ResidentLease(ctx, res, id)
	if err != nil {
		return err
	}
	page.Lease = &l
	if page.Documents, err = s.db.DocumentsOnLease(ctx, res, id); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "portal/lease.html", page)
}

// CompanyCard is the lease's management company, for its contact card.
func (p *portalLeasePage) CompanyCard() companyCard {
	return companyCard{Page: &p.Page, Company: p.Lease.Company}
}
