package web

import (
	"net/http"
	"strconv"
	"strings"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

type ownershipFormPage struct {
	Page
	Form         Form
	Property     lintel.Property
	AssetOptions []Option
	OwnerOptions []Option
	OwnerSearch  string
	OwnersCut    bool // more owners matched than the select offers
	NoOwners     bool // the company has no owner contacts at all
	Held         []assetHeld
}

// assetHeld is how much of one asset the current owners hold, shown above
// the form so the manager knows what is left before typing.
type assetHeld struct {
	Label string
	Held  string
	Left  string
}

// assetValue is the select value for the property (unitID 0) or a unit.
func assetValue(unitID int64) string {
	if unitID == 0 {
		return "property"
	}
	return "unit-" + strconv.FormatInt(unitID, 10)
}

// newOwnershipForm shows the "add owner" form of a property.
// ?unit=ID preselects a unit; ?q= narrows the owner select.
func (s *Server) newOwnershipForm(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	f := NewForm()
	f.Set("asset", "property")
	if u, err := strconv.ParseInt(r.URL.Query().Get("unit"), 10, 64); err == nil && u > 0 {
		f.Set("asset", assetValue(u))
	}
	return s.renderOwnershipForm(w, r, http.StatusOK, f, id, strings.TrimSpace(r.URL.Query().Get("q")))
}

func (s *Server) renderOwnershipForm(w http.ResponseWriter, r *http.Request, status int, f Form, propertyID int64, search string) error {
	st := staffOf(r)
	ctx := r.Context()
	prop, err := s.db.Property(ctx, st, propertyID)
	if err != nil {
		return err
	}
	units, err := s.db.ListUnits(ctx, st, sqldb.UnitFilter{PropertyID: propertyID, Limit: sqldb.MaxPageSize})
	if err != nil {
		return err
	}
	owners, err := s.db.OwnerChoices(ctx, st, search)
	if err != nil {
		return err
	}
	current, err := s.db.PropertyOwners(ctx, st, propertyID)
	if err != nil {
		return err
	}
	p := &ownershipFormPage{
		Page: Page{Title: "Add an owner to " + prop.Name, Area: "manage", Nav: "properties"},
		Form: f, Property: prop, OwnerSearch: search,
		AssetOptions: []Option{{"property", "The whole property"}},
		OwnerOptions: []Option{{"", "Choose the owner…"}},
	}
	for _, u := range units.Units {
		p.AssetOptions = append(p.AssetOptions, Option{assetValue(u.ID), "Unit " + u.Label})
	}
	if len(owners) > sqldb.MaxOwnerChoices {
		owners, p.OwnersCut = owners[:sqldb.MaxOwnerChoices], true
	}
	for _, o := range owners {
		p.OwnerOptions = append(p.OwnerOptions, Option{strconv.FormatInt(o.ID, 10), o.Name})
	}
	p.NoOwners = len(owners) == 0 && search == ""
	held := map[int64]int{}
	labels := map[int64]string{0: "The whole property"}
	var order []int64
	for _, o := range current {
		if _, ok := held[o.UnitID]; !ok {
			order = append(order, o.UnitID)
		}
		held[o.UnitID] += o.ShareBP
		if o.UnitID != 0 {
			labels[o.UnitID] = "Unit " + o.UnitLabel
		}
	}
	for _, u := range order {
		p.Held = append(p.Held, assetHeld{Label: labels[u], Held: lintel.FormatShare(held[u]) + "%", Left: lintel.FormatShare(lintel.ShareBPMax-held[u]) + "%"})
	}
	return s.render(w, r, status, "manage/ownership_form.html", p)
}

// createOwnership records an owner of the property or of one of its units.
// The unit and owner ids in the form are only requests: the store checks
// both belong to this company and this property.
func (s *Server) createOwnership(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	st := staffOf(r)
	if _, err := s.db.Property(r.Context(), st, id); err != nil {
		return err
	}
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	o := lintel.Ownership{PropertyID: id, ContactID: f.ID("contact_id"), Start: f.Date("start"), End: f.Date("end")}
	switch asset := f.Get("asset"); {
	case asset == "property":
	case strings.HasPrefix(asset, "unit-"):
		o.UnitID, _ = strconv.ParseInt(strings.TrimPrefix(asset, "unit-"), 10, 64)
		if o.UnitID <= 0 {
			f.Errors.Add("asset", "Choose the whole property or one of its units.")
		}
	default:
		f.Errors.Add("asset", "Choose the whole property or one of its units.")
	}
	if v := f.Get("share"); v == "" {
		f.Errors.Add("share", "Enter the owner's share as a percentage, e.g. 100, 50 or 33.33.")
	} else if bp, err := lintel.ParseShare(v); err != nil {
		f.Errors.Add("share", "Share: "+err.Error()+".")
	} else {
		o.ShareBP = bp
	}
	for k, v := range o.Validate() {
		f.Errors.Add(k, v)
	}
	if len(f.Errors) > 0 {
		return s.renderOwnershipForm(w, r, http.StatusUnprocessableEntity, f, id, "")
	}
	_, err = s.db.CreateOwnership(r.Context(), st, o)
	if f.Merge(err) {
		return s.renderOwnershipForm(w, r, http.StatusUnprocessableEntity, f, id, "")
	}
	if err != nil {
		return err
	}
	s.flash(r, "Owner added.")
	return redirect(w, r, "/manage/properties/"+strconv.FormatInt(id, 10))
}

// archiveOwnership ends the record of an ownership; the page it came from
// is the property's.
func (s *Server) archiveOwnership(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	st := staffOf(r)
	o, err := s.db.Ownership(r.Context(), st, id)
	if err != nil {
		return err
	}
	if err := s.db.ArchiveOwnership(r.Context(), st, id); err != nil {
		return err
	}
	s.flash(r, o.ContactName+" is no longer recorded as an owner here.")
	return redirect(w, r, "/manage/properties/"+strconv.FormatInt(o.PropertyID, 10))
}
