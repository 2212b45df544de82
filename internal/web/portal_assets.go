package web

import (
	"net/http"

	"lintel.dev/lintel/internal/sqldb"
)

// The portal's Assets tab: what an owner owns, with
// their share; per asset its units, occupancy, the running leases in
// outline (no tenant's name or contact), open maintenance and the
// documents shared on it. A whole property's owner sees all its units; a
// unit's owner only their unit. Scope is the store's: another owner's
// asset is the same 404 as a missing one.

func (s *Server) portalAssetRoutes() []route {
	return []route{
		{"GET", "/portal/assets", resident, s.portalAssets},
		{"GET", "/portal/assets/{kind}/{id}", resident, s.portalAsset},
	}
}

type portalAssetsPage struct {
	Page
	Assets []sqldb.ResidentAssetItem
}

// ManyCompanies reports whether each asset should say which company
// manages it.
func (p *portalAssetsPage) ManyCompanies() bool {
	return len(p.Portal.Companies) > 1 && p.Portal.CurrentCompanyID == 0
}

func (s *Server) portalAssets(w http.ResponseWriter, r *http.Request) error {
	assets, err := s.db.ResidentAssets(r.Context(), residentOf(r))
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "portal/assets.html", &portalAssetsPage{
		Page: Page{Title: "Your assets", Area: "portal", Nav: "assets"}, Assets: assets,
	})
}

type portalAssetPage struct {
	Page
	Asset     sqldb.ResidentAsset
	Documents []sqldb.ResidentDocument
}

func (s *Server) portalAsset(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	res := residentOf(r)
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, err := s.db.ResidentAsset(ctx, res, r.PathValue("kind"), id)
	if err != nil {
		return err
	}
	docs, err := s.db.DocumentsOnAsset(ctx, res, a.PropertyID, a.UnitID)
	if err != nil {
		return err
	}
	title := a.PropertyName
	if a.UnitLabel != "" {
		title += " · " + a.UnitLabel
	}
	return s.render(w, r, http.StatusOK, "portal/asset.html", &portalAssetPage{
		Page: Page{Title: title, Area: "portal", Nav: "assets"}, Asset: a, Documents: docs,
	})
}

// CompanyCard is the asset's management company, for its contact card.
func (p *portalAssetPage) CompanyCard() companyCard {
	return companyCard{Page: &p.Page, Company: p.Asset.Company}
}
