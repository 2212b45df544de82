package web

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// idParam reads the {id} of a route. A malformed id is a page that does not
// exist, like any other unknown id.
func idParam(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, lintel.ErrNotFound
	}
	return id, nil
}

// keysetParam encodes a list cursor for a URL: the id, a dot, and the
// sort key in URL-safe base64 (names hold spaces, commas, anything).
func keysetParam(k *sqldb.Keyset) string {
	if k == nil {
		return ""
	}
	return strconv.FormatInt(k.ID, 10) + "." + base64.RawURLEncoding.EncodeToString([]byte(k.Key))
}

// parseKeyset decodes keysetParam's output. Anything else, e.g. a cursor
// edited by hand, reads as "no cursor": the list starts from the top.
func parseKeyset(s string) *sqldb.Keyset {
	idPart, keyPart, ok := strings.Cut(s, ".")
	if !ok {
		return nil
	}
	id, err := strconv.ParseInt(idPart, 10, 64)
	if err != nil || id <= 0 {
		return nil
	}
	key, err := base64.RawURLEncoding.DecodeString(keyPart)
	if err != nil || len(key) > 1000 {
		return nil
	}
	return &sqldb.Keyset{Key: string(key), ID: id}
}

// pageURL is the list URL for the page after (or before) a cursor, the
// other query parameters kept.
func pageURL(path string, q url.Values, dir string, k *sqldb.Keyset) string {
	if k == nil {
		return ""
	}
	v := url.Values{}
	for key, vals := range q {
		if key != "after" && key != "before" && len(vals) > 0 && vals[0] != "" {
			v.Set(key, vals[0])
		}
	}
	v.Set(dir, keysetParam(k))
	return path + "?" + v.Encode()
}

func propertyKindOptions(withAll bool) []Option {
	var opts []Option
	if withAll {
		opts = append(opts, Option{"", "All kinds"})
	}
	for _, k := range lintel.PropertyKinds {
		opts = append(opts, Option{string(k), k.Label()})
	}
	return opts
}

var statusOptions = []Option{{"", "In use"}, {"archived", "Archived"}}

type propertiesPage struct {
	Page
	Filters          Form
	KindOptions      []Option
	StatusOptions    []Option
	Properties       []lintel.Property
	Filtered         bool
	NextURL, PrevURL string
	CanEdit          bool
}

// manageProperties lists properties: search, filters, keyset pages.
func (s *Server) manageProperties(w http.ResponseWriter, r *http.Request) error {
	st := staffOf(r)
	q := r.URL.Query()
	f := Form{Values: q, Errors: lintel.FieldErrors{}}
	kind := lintel.PropertyKind(f.Get("kind"))
	if !kind.Valid() {
		kind = ""
	}
	filter := sqldb.PropertyFilter{
		Search:   f.Get("q"),
		Archived: f.Get("status") == "archived",
		Kind:     kind,
		After:    parseKeyset(q.Get("after")),
		Before:   parseKeyset(q.Get("before")),
	}
	list, err := s.db.ListProperties(r.Context(), st, filter)
	if err != nil {
		return err
	}
	p := &propertiesPage{
		Page:    Page{Title: "Properties", Area: "manage", Nav: "properties"},
		Filters: f, KindOptions: propertyKindOptions(true), StatusOptions: statusOptions,
		Properties: list.Properties,
		Filtered:   filter.Search != "" || filter.Archived || filter.Kind != "" || filter.After != nil || filter.Before != nil,
		NextURL:    pageURL("/manage/properties", q, "after", list.Next),
		PrevURL:    pageURL("/manage/properties", q, "before", list.Prev),
		CanEdit:    st.Can(lintel.PermEditRecords),
	}
	return s.render(w, r, http.StatusOK, "manage/properties.html", p)
}

type propertyPage struct {
	Page
	Docs          sharedDocs // documents shared here
	Property      lintel.Property
	Units         []lintel.Unit
	MoreUnitsURL  string
	ArchivedUnits int
	Owners        []lintel.Ownership // whole-property owners first, then by unit
	// PropertyHeldText and PropertyLeftText say how much of the whole
	// property its owners hold, when that is not all of it.
	PropertyHeldText, PropertyLeftText string
	CanEdit                            bool
	History                            history
	// ApprovalLimitText is the owners' approval limit, formatted; "" when
	// the owners are asked about all work.
	ApprovalLimitText string
}

// propertyUnitsShown is how many units the property page lists before
// linking to the full, paged unit list.
const propertyUnitsShown = 200

// manageProperty shows one property: details, units, owners.
func (s *Server) manageProperty(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	st := staffOf(r)
	ctx := r.Context()
	prop, err := s.db.Property(ctx, st, id)
	if err != nil {
		return err
	}
	units, err := s.db.ListUnits(ctx, st, sqldb.UnitFilter{PropertyID: id, Limit: propertyUnitsShown})
	if err != nil {
		return err
	}
	archived, err := s.db.CountArchivedUnits(ctx, st, id)
	if err != nil {
		return err
	}
	owners, err := s.db.PropertyOwners(ctx, st, id)
	if err != nil {
		return err
	}
	hist, err := s.recordHistory(r, "property", id)
	if err != nil {
		return err
	}
	p := &propertyPage{
		Page:     Page{Title: prop.Name, Area: "manage", Nav: "properties"},
		Property: prop, Units: units.Units, ArchivedUnits: archived,
		CanEdit: st.Can(lintel.PermEditRecords), History: hist,
	}
	if p.Docs, err = s.sharedDocsOn(r, lintel.ShareTarget{PropertyID: id}); err != nil {
		return err
	}
	if units.Next != nil {
		p.MoreUnitsURL = pageURL("/manage/units", url.Values{"property": {strconv.FormatInt(id, 10)}}, "after", units.Next)
	}
	p.Owners = owners
	if prop.ApprovalLimitMinor != nil {
		company, err := s.db.Company(ctx, st)
		if err != nil {
			return err
		}
		p.ApprovalLimitText = lintel.FormatMoney(*prop.ApprovalLimitMinor, company.Currency)
	}
	held := 0
	for _, o := range owners {
		if o.UnitID == 0 {
			held += o.ShareBP
		}
	}
	if held > 0 && held < lintel.ShareBPMax {
		p.PropertyHeldText = lintel.FormatShare(held) + "%"
		p.PropertyLeftText = lintel.FormatShare(lintel.ShareBPMax-held) + "%"
	}
	return s.render(w, r, http.StatusOK, "manage/property.html", p)
}

type propertyFormPage struct {
	Page
	Form        Form
	KindOptions []Option
	Property    lintel.Property // ID 0 when new
	Currency    string          // for the approval limit (edit form only)
}

// newPropertyForm shows the empty form; a single-family house gets its
// first unit made along with it.
func (s *Server) newPropertyForm(w http.ResponseWriter, r *http.Request) error {
	f := NewForm()
	f.Set("kind", string(lintel.KindResidential))
	f.Set("first_unit", "on")
	return s.renderPropertyForm(w, r, http.StatusOK, f, lintel.Property{})
}

func (s *Server) renderPropertyForm(w http.ResponseWriter, r *http.Request, status int, f Form, p lintel.Property) error {
	title := "Add a property"
	currency := ""
	if p.ID != 0 {
		title = "Edit " + p.Name
		company, err := s.db.Company(r.Context(), staffOf(r))
		if err != nil {
			return err
		}
		currency = company.Currency
	}
	return s.render(w, r, status, "manage/property_form.html", &propertyFormPage{
		Page: Page{Title: title, Area: "manage", Nav: "properties"},
		Form: f, KindOptions: propertyKindOptions(false), Property: p, Currency: currency,
	})
}

// propertyFromForm reads the fields both property forms share.
func propertyFromForm(f Form) lintel.Property {
	return lintel.Property{
		Name: f.Get("name"), Kind: lintel.PropertyKind(f.Get("kind")),
		AddressLine1: f.Get("address_line1"), AddressLine2: f.Get("address_line2"), City: f.Get("city"),
		Region: f.Get("region"), PostalCode: f.Get("postal_code"), Country: f.Get("country"), Notes: f.Get("notes"),
		ManagementFeeBP: managementFeeFromForm(f),
	}
}

// managementFeeFromForm reads "Management fee (%)" into basis points; empty
// or 0 is no fee. A typo is a message on the field, not a silent 0.
func managementFeeFromForm(f Form) int {
	v := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(f.Get("management_fee")), "%"))
	if v == "" || strings.Trim(v, "0.,") == "" {
		return 0
	}
	bp, err := lintel.ParseShare(v)
	if err != nil {
		f.Errors.Add("management_fee", "Enter the fee as a percentage of the rent from 0 to 100, e.g. 8 or 7.5 (at most two decimals).")
		return 0
	}
	return bp
}

// createProperty stores a new property, and its first unit when asked.
func (s *Server) createProperty(w http.ResponseWriter, r *http.Request) error {
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	p := propertyFromForm(f)
	p.Normalize()
	var first *lintel.Unit
	if f.Checked("first_unit") {
		first = &lintel.Unit{Label: p.Name}
		first.Normalize()
		if msg := first.Validate()["label"]; msg != "" && p.Name != "" {
			f.Errors.Add("first_unit", "The first unit takes the property's name, which is too long for a unit: "+msg+" Untick this and add the unit yourself.")
		}
	}
	for k, v := range p.Validate() {
		f.Errors.Add(k, v)
	}
	if len(f.Errors) > 0 {
		return s.renderPropertyForm(w, r, http.StatusUnprocessableEntity, f, lintel.Property{})
	}
	id, err := s.db.CreateProperty(r.Context(), staffOf(r), p, first)
	if f.Merge(err) {
		return s.renderPropertyForm(w, r, http.StatusUnprocessableEntity, f, lintel.Property{})
	}
	if err != nil {
		return err
	}
	msg := "Property added."
	if first != nil {
		msg = "Property added, with its first unit."
	} else {
		msg += " Next, add its units."
	}
	s.flash(r, msg)
	return redirect(w, r, "/manage/properties/"+strconv.FormatInt(id, 10))
}

// editPropertyForm shows the form filled with the stored property.
func (s *Server) editPropertyForm(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	p, err := s.db.Property(r.Context(), staffOf(r), id)
	if err != nil {
		return err
	}
	f := NewForm()
	for k, v := range map[string]string{"name": p.Name, "kind": string(p.Kind), "address_line1": p.AddressLine1, "address_line2": p.AddressLine2,
		"city": p.City, "region": p.Region, "postal_code": p.PostalCode, "country": p.Country, "notes": p.Notes} {
		f.Set(k, v)
	}
	if p.ManagementFeeBP > 0 {
		f.Set("management_fee", lintel.FormatShare(p.ManagementFeeBP))
	}
	if p.ApprovalLimitMinor != nil {
		company, err := s.db.Company(r.Context(), staffOf(r))
		if err != nil {
			return err
		}
		f.Set("approval_limit", lintel.FormatMoneyInput(*p.ApprovalLimitMinor, company.Currency))
	}
	return s.renderPropertyForm(w, r, http.StatusOK, f, p)
}

// updateProperty saves the edit form.
func (s *Server) updateProperty(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	st := staffOf(r)
	stored, err := s.db.Property(r.Context(), st, id)
	if err != nil {
		return err
	}
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	p := propertyFromForm(f)
	p.ID = id
	if len(f.Errors) > 0 {
		return s.renderPropertyForm(w, r, http.StatusUnprocessableEntity, f, stored)
	}
	// The owners' approval limit: empty means "always ask the owners".
	if f.Get("approval_limit") != "" {
		company, err := s.db.Company(r.Context(), st)
		if err != nil {
			return err
		}
		limit := f.Money("approval_limit", company.Currency, false)
		p.ApprovalLimitMinor = &limit
		if len(f.Errors) > 0 {
			return s.renderPropertyForm(w, r, http.StatusUnprocessableEntity, f, stored)
		}
	}
	err = s.db.UpdateProperty(r.Context(), st, p)
	if f.Merge(err) {
		return s.renderPropertyForm(w, r, http.StatusUnprocessableEntity, f, stored)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Changes saved.")
	return redirect(w, r, "/manage/properties/"+strconv.FormatInt(id, 10))
}

// archiveProperty takes a property out of use.
func (s *Server) archiveProperty(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	if err := s.db.ArchiveProperty(r.Context(), staffOf(r), id); err != nil {
		return err
	}
	s.flash(r, "Property archived. It no longer appears in lists; you can restore it from its page.")
	return redirect(w, r, "/manage/properties/"+strconv.FormatInt(id, 10))
}

// unarchiveProperty puts an archived property back in use.
func (s *Server) unarchiveProperty(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	if err := s.db.UnarchiveProperty(r.Context(), staffOf(r), id); err != nil {
		return err
	}
	s.flash(r, "Property restored.")
	return redirect(w, r, "/manage/properties/"+strconv.FormatInt(id, 10))
}
