package web

import (
	"net/http"
	"strconv"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

type unitsPage struct {
	Page
	Filters          Form
	StatusOptions    []Option
	TypeOptions      []Option
	OccupancyOptions []Option
	Property         *lintel.Property // when listing one property's units
	Units            []lintel.Unit
	Filtered         bool
	NextURL, PrevURL string
}

var (
	unitTypeOptions      = []Option{{"", "Units and common areas"}, {"rentable", "Rentable units only"}, {"common", "Common areas only"}}
	unitOccupancyOptions = []Option{{"", "Occupied or vacant"}, {sqldb.OccupancyOccupied, "Occupied today"}, {sqldb.OccupancyVacant, "Vacant today"}}
)

// manageUnits lists units across the company's properties, or of one
// property (?property=ID), with search, filters and keyset pages.
func (s *Server) manageUnits(w http.ResponseWriter, r *http.Request) error {
	st := staffOf(r)
	q := r.URL.Query()
	f := Form{Values: q, Errors: lintel.FieldErrors{}}
	filter := sqldb.UnitFilter{
		Search:   f.Get("q"),
		Archived: f.Get("status") == "archived",
		After:    parseKeyset(q.Get("after")),
		Before:   parseKeyset(q.Get("before")),
	}
	switch f.Get("type") {
	case "rentable":
		filter.CommonArea = new(false)
	case "common":
		filter.CommonArea = new(true)
	}
	switch o := f.Get("occupancy"); o {
	case sqldb.OccupancyOccupied, sqldb.OccupancyVacant:
		filter.Occupancy = o
	}
	p := &unitsPage{
		Page:    Page{Title: "Units", Area: "manage", Nav: "properties"},
		Filters: f, StatusOptions: statusOptions, TypeOptions: unitTypeOptions, OccupancyOptions: unitOccupancyOptions,
	}
	if pid := f.ID("property"); pid != 0 {
		prop, err := s.db.Property(r.Context(), st, pid)
		if err != nil {
			return err
		}
		filter.PropertyID = pid
		p.Property = &prop
		p.Title = "Units of " + prop.Name
	}
	list, err := s.db.ListUnits(r.Context(), st, filter)
	if err != nil {
		return err
	}
	p.Units = list.Units
	p.Filtered = filter.Search != "" || filter.Archived || filter.CommonArea != nil || filter.Occupancy != "" || filter.After != nil || filter.Before != nil
	p.NextURL = pageURL("/manage/units", q, "after", list.Next)
	p.PrevURL = pageURL("/manage/units", q, "before", list.Prev)
	return s.render(w, r, http.StatusOK, "manage/units.html", p)
}

type unitPage struct {
	Page
	Docs       sharedDocs // documents shared here
	Unit       lintel.Unit
	Owners     []lintel.Ownership // of this unit
	PropOwners []lintel.Ownership // of the whole property
	CanEdit    bool
	History    history
}

// manageUnit shows one unit with its owners and the way to start a lease.
func (s *Server) manageUnit(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	st := staffOf(r)
	u, err := s.db.Unit(r.Context(), st, id)
	if err != nil {
		return err
	}
	owners, err := s.db.PropertyOwners(r.Context(), st, u.PropertyID)
	if err != nil {
		return err
	}
	hist, err := s.recordHistory(r, "unit", id)
	if err != nil {
		return err
	}
	p := &unitPage{Page: Page{Title: u.Label + " · " + u.PropertyName, Area: "manage", Nav: "properties"}, Unit: u, CanEdit: st.Can(lintel.PermEditRecords), History: hist}
	if p.Docs, err = s.sharedDocsOn(r, lintel.ShareTarget{UnitID: id}); err != nil {
		return err
	}
	for _, o := range owners {
		switch o.UnitID {
		case 0:
			p.PropOwners = append(p.PropOwners, o)
		case u.ID:
			p.Owners = append(p.Owners, o)
		}
	}
	return s.render(w, r, http.StatusOK, "manage/unit.html", p)
}

type unitFormPage struct {
	Page
	Form     Form
	Property lintel.Property
	Unit     lintel.Unit // ID 0 when new
}

func (s *Server) renderUnitForm(w http.ResponseWriter, r *http.Request, status int, f Form, prop lintel.Property, u lintel.Unit) error {
	title := "Add a unit to " + prop.Name
	if u.ID != 0 {
		title = "Edit " + u.Label
	}
	return s.render(w, r, status, "manage/unit_form.html", &unitFormPage{
		Page: Page{Title: title, Area: "manage", Nav: "properties"}, Form: f, Property: prop, Unit: u,
	})
}

// unitFromForm reads the unit form; number problems go straight into f.
func unitFromForm(f Form) lintel.Unit {
	u := lintel.Unit{
		Label: f.Get("label"), CommonArea: f.Checked("common_area"), Notes: f.Get("notes"),
		Bedrooms: f.Int("bedrooms", 0, 50), AreaSqft: f.Int("area_sqft", 1, 10_000_000),
	}
	if v := f.Get("bathrooms"); v != "" {
		h, err := lintel.ParseBathrooms(v)
		if err != nil {
			f.Errors.Add("bathrooms", "Enter a number of bathrooms such as 1 or 1.5.")
		} else {
			u.BathroomsHalf = &h
		}
	}
	return u
}

// newUnitForm shows the empty unit form of a property.
func (s *Server) newUnitForm(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	prop, err := s.db.Property(r.Context(), staffOf(r), id)
	if err != nil {
		return err
	}
	f := NewForm()
	if r.URL.Query().Get("common") == "1" {
		f.Set("common_area", "on")
	}
	return s.renderUnitForm(w, r, http.StatusOK, f, prop, lintel.Unit{})
}

// createUnit adds a unit to the property in the URL; the store re-checks
// that the property is the staff member's company's.
func (s *Server) createUnit(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	st := staffOf(r)
	prop, err := s.db.Property(r.Context(), st, id)
	if err != nil {
		return err
	}
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	u := unitFromForm(f)
	u.PropertyID = id
	u.Normalize()
	for k, v := range u.Validate() {
		f.Errors.Add(k, v)
	}
	if len(f.Errors) > 0 {
		return s.renderUnitForm(w, r, http.StatusUnprocessableEntity, f, prop, lintel.Unit{})
	}
	uid, err := s.db.CreateUnit(r.Context(), st, u)
	if f.Merge(err) {
		return s.renderUnitForm(w, r, http.StatusUnprocessableEntity, f, prop, lintel.Unit{})
	}
	if err != nil {
		return err
	}
	if f.Checked("another") {
		s.flash(r, "Unit "+u.Label+" added. Add the next one.")
		return redirect(w, r, "/manage/properties/"+strconv.FormatInt(id, 10)+"/units/new")
	}
	s.flash(r, "Unit added.")
	return redirect(w, r, "/manage/units/"+strconv.FormatInt(uid, 10))
}

// editUnitForm shows the form filled with the stored unit.
func (s *Server) editUnitForm(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	st := staffOf(r)
	u, err := s.db.Unit(r.Context(), st, id)
	if err != nil {
		return err
	}
	prop, err := s.db.Property(r.Context(), st, u.PropertyID)
	if err != nil {
		return err
	}
	f := NewForm()
	f.Set("label", u.Label)
	f.Set("notes", u.Notes)
	f.Set("bathrooms", u.Bathrooms())
	if u.CommonArea {
		f.Set("common_area", "on")
	}
	if u.Bedrooms != nil {
		f.Set("bedrooms", strconv.Itoa(*u.Bedrooms))
	}
	if u.AreaSqft != nil {
		f.Set("area_sqft", strconv.Itoa(*u.AreaSqft))
	}
	return s.renderUnitForm(w, r, http.StatusOK, f, prop, u)
}

// updateUnit saves the unit edit form.
func (s *Server) updateUnit(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	st := staffOf(r)
	stored, err := s.db.Unit(r.Context(), st, id)
	if err != nil {
		return err
	}
	prop, err := s.db.Property(r.Context(), st, stored.PropertyID)
	if err != nil {
		return err
	}
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	u := unitFromForm(f)
	u.ID = id
	u.Normalize()
	for k, v := range u.Validate() {
		f.Errors.Add(k, v)
	}
	if len(f.Errors) > 0 {
		return s.renderUnitForm(w, r, http.StatusUnprocessableEntity, f, prop, stored)
	}
	err = s.db.UpdateUnit(r.Context(), st, u)
	if f.Merge(err) {
		return s.renderUnitForm(w, r, http.StatusUnprocessableEntity, f, prop, stored)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Changes saved.")
	return redirect(w, r, "/manage/units/"+strconv.FormatInt(id, 10))
}

// archiveUnit takes a unit out of use.
func (s *Server) archiveUnit(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	if err := s.db.ArchiveUnit(r.Context(), staffOf(r), id); err != nil {
		return err
	}
	s.flash(r, "Unit archived. You can restore it from its page.")
	return redirect(w, r, "/manage/units/"+strconv.FormatInt(id, 10))
}

// unarchiveUnit puts an archived unit back in use.
func (s *Server) unarchiveUnit(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	if err := s.db.UnarchiveUnit(r.Context(), staffOf(r), id); err != nil {
		return err
	}
	s.flash(r, "Unit restored.")
	return redirect(w, r, "/manage/units/"+strconv.FormatInt(id, 10))
}
