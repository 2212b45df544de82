package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// leaseStatusOptions are the status filters of the lease list.
var leaseStatusOptions = []Option{{"", "All in use"}, {"active", "Active"}, {"upcoming", "Upcoming"}, {"ended", "Ended"}, {"archived", "Archived"}}

type leasesPage struct {
	Page
	Filters          Form
	StatusOptions    []Option
	Property         *lintel.Property // the ?property= filter, when set
	Leases           []lintel.Lease
	Today            lintel.Date
	Currency         string
	Filtered         bool
	NextURL, PrevURL string
	CanEdit          bool
}

// manageLeases lists leases, newest start first: search by tenant, unit or
// property; filter by status (computed for today) and property.
func (s *Server) manageLeases(w http.ResponseWriter, r *http.Request) error {
	st := staffOf(r)
	ctx := r.Context()
	q := r.URL.Query()
	f := Form{Values: q, Errors: lintel.FieldErrors{}}
	today := lintel.DateOf(s.cfg.Now())
	filter := sqldb.LeaseFilter{
		Search: f.Get("q"),
		Today:  today,
		After:  parseKeyset(q.Get("after")),
		Before: parseKeyset(q.Get("before")),
	}
	switch status := f.Get("status"); {
	case status == "archived":
		filter.Archived = true
	case lintel.LeaseStatus(status).Valid():
		filter.Status = lintel.LeaseStatus(status)
	}
	p := &leasesPage{
		Page:    Page{Title: "Leases", Area: "manage", Nav: "leases"},
		Filters: f, StatusOptions: leaseStatusOptions, Today: today,
		CanEdit: st.Can(lintel.PermEditRecords),
	}
	if id, err := strconv.ParseInt(q.Get("property"), 10, 64); err == nil && id > 0 {
		prop, err := s.db.Property(ctx, st, id)
		if err != nil {
			return err
		}
		p.Property, filter.PropertyID = &prop, id
	}
	list, err := s.db.ListLeases(ctx, st, filter)
	if err != nil {
		return err
	}
	company, err := s.db.Company(ctx, st)
	if err != nil {
		return err
	}
	p.Leases, p.Currency = list.Leases, company.Currency
	p.Filtered = filter.Search != "" || filter.Archived || filter.Status != "" || filter.PropertyID != 0 || filter.After != nil || filter.Before != nil
	p.NextURL = pageURL("/manage/leases", q, "after", list.Next)
	p.PrevURL = pageURL("/manage/leases", q, "before", list.Prev)
	return s.render(w, r, http.StatusOK, "manage/leases.html", p)
}

// leaseTenantsShown is how many matches a tenant search offers.
const leaseTenantsShown = 10

type leaseFormPage struct {
	Page
	Form     Form
	Lease    lintel.Lease // ID 0 when new
	Currency string
	// New lease, no unit chosen yet: the unit search.
	UnitSearch  string
	UnitMatches []lintel.Unit
	UnitsMore   bool
	// New lease with a unit: the chosen unit and the tenant picker.
	Unit          *lintel.Unit
	Chosen        []lintel.Contact // tenants ticked so far
	TenantSearch  string
	TenantMatches []lintel.Contact // search results not yet chosen
	Searched      bool
	ChangeUnitURL string // back to the unit search, the ticked tenants kept
}

// newLeaseForm starts a lease. Without ?unit= it first asks which unit, by
// search (a select of every unit would not do with thousands); ?tenant=
// pre-ticks a tenant (from the contact page).
func (s *Server) newLeaseForm(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := NewForm()
	f.Set("due_day", "1")
	f.Set("late_fee_grace_days", strconv.Itoa(lintel.DefaultLateFeeGraceDays))
	if u := q.Get("unit"); u != "" {
		f.Set("unit_id", u)
	}
	for _, t := range q["tenant"] {
		f.Values.Add("tenant_id", t)
	}
	return s.renderLeaseForm(w, r, http.StatusOK, f, false)
}

// renderLeaseForm shows the new-lease form for f's unit_id, or the unit
// search when there is none. With search, it also lists the contacts
// matching tenant_q.
func (s *Server) renderLeaseForm(w http.ResponseWriter, r *http.Request, status int, f Form, search bool) error {
	st := staffOf(r)
	ctx := r.Context()
	company, err := s.db.Company(ctx, st)
	if err != nil {
		return err
	}
	p := &leaseFormPage{Page: Page{Title: "Add a lease", Area: "manage", Nav: "leases"}, Form: f, Currency: company.Currency}
	if id := f.ID("unit_id"); id > 0 {
		u, err := s.db.Unit(ctx, st, id)
		switch {
		case err == nil:
			p.Unit = &u
		case !lintel.IsNotFound(err):
			return err
		}
	}
	if p.Unit == nil {
		p.UnitSearch = strings.TrimSpace(r.URL.Query().Get("unit_q"))
		rentable := false
		units, err := s.db.ListUnits(ctx, st, sqldb.UnitFilter{Search: p.UnitSearch, CommonArea: &rentable, Limit: 20})
		if err != nil {
			return err
		}
		p.UnitMatches, p.UnitsMore = units.Units, units.Next != nil
		return s.render(w, r, status, "manage/lease_unit.html", p)
	}
	chosen := map[int64]bool{}
	for _, v := range f.Values["tenant_id"] {
		id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || id <= 0 || chosen[id] || len(p.Chosen) >= 20 {
			continue
		}
		// The id is only a request: a contact outside the company is
		// silently dropped here and refused by the store.
		c, err := s.db.Contact(ctx, st, id)
		if lintel.IsNotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		chosen[id] = true
		p.Chosen = append(p.Chosen, c)
	}
	v := url.Values{}
	for _, c := range p.Chosen {
		v.Add("tenant", strconv.FormatInt(c.ID, 10))
	}
	p.ChangeUnitURL = "/manage/leases/new"
	if len(v) > 0 {
		p.ChangeUnitURL += "?" + v.Encode()
	}
	if search {
		p.Searched = true
		p.TenantSearch = f.Get("tenant_q")
		list, err := s.db.ListContacts(ctx, st, sqldb.ContactFilter{Search: p.TenantSearch, Limit: leaseTenantsShown})
		if err != nil {
			return err
		}
		for _, c := range list.Contacts {
			if !chosen[c.ID] {
				p.TenantMatches = append(p.TenantMatches, c)
			}
		}
	}
	return s.render(w, r, status, "manage/lease_form.html", p)
}

// leaseFromForm reads the fields the new and edit forms share.
func leaseFromForm(f Form, currency string) lintel.Lease {
	l := lintel.Lease{
		UnitID:       f.ID("unit_id"),
		Start:        f.Date("start"),
		End:          f.Date("end"),
		MonthToMonth: f.Checked("month_to_month"),
		RentMinor:    f.Money("rent", currency, true),
		DepositMinor: f.Money("deposit", currency, false),
		Notes:        f.Get("notes"),
		LateFeeMinor: f.Money("late_fee", currency, false),
	}
	if d := f.Int("late_fee_grace_days", 0, 60); d != nil {
		l.LateFeeGraceDays = *d
	} else if f.Get("late_fee_grace_days") == "" {
		l.LateFeeGraceDays = lintel.DefaultLateFeeGraceDays
	}
	if d := f.Int("due_day", 1, 28); d != nil {
		l.RentDueDay = *d
	} else if f.Get("due_day") == "" {
		f.Errors.Add("due_day", "Choose the day of the month rent is due, from 1 to 28.")
	}
	if f.Get("start") == "" {
		f.Errors.Add("start", "Enter the day the lease starts.")
	}
	return l
}

// newTenantFromForm reads the "new tenant" fields, or nil when they are
// all empty.
func newTenantFromForm(f Form) *lintel.Contact {
	name, email, phone := f.Get("new_tenant_name"), f.Get("new_tenant_email_0"), f.Get("new_tenant_phone_0")
	if name == "" && email == "" && phone == "" {
		return nil
	}
	c := &lintel.Contact{Name: name, IsTenant: true}
	if email != "" {
		c.Emails = []lintel.ContactEmail{{Email: email}}
	}
	if phone != "" {
		c.Phones = []lintel.ContactPhone{{Phone: phone}}
	}
	return c
}

// createLease stores a new lease. The same form also searches for tenants
// (the "Find" button), so the typed lease fields survive the search.
func (s *Server) createLease(w http.ResponseWriter, r *http.Request) error {
	st := staffOf(r)
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	if f.Get("find_tenant") != "" {
		return s.renderLeaseForm(w, r, http.StatusOK, f, true)
	}
	company, err := s.db.Company(r.Context(), st)
	if err != nil {
		return err
	}
	l := leaseFromForm(f, company.Currency)
	var tenantIDs []int64
	for _, v := range f.Values["tenant_id"] {
		if id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			tenantIDs = append(tenantIDs, id)
		}
	}
	newTenant := newTenantFromForm(f)
	// Check here what can be checked without the database, so every
	// problem shows at once; the store checks again, and checks scope.
	l.Normalize()
	f.Merge(l.Validate().Err())
	if newTenant != nil {
		nt := *newTenant
		nt.Normalize()
		for k, v := range nt.Validate() {
			f.Errors.Add("new_tenant_"+k, v)
		}
	} else if len(tenantIDs) == 0 {
		f.Errors.Add("tenants", "Add at least one tenant: find an existing contact, or enter a new tenant's name.")
	}
	if len(f.Errors) > 0 {
		return s.renderLeaseForm(w, r, http.StatusUnprocessableEntity, f, false)
	}
	id, err := s.db.CreateLease(r.Context(), st, l, tenantIDs, newTenant)
	if f.Merge(err) {
		return s.renderLeaseForm(w, r, http.StatusUnprocessableEntity, f, false)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Lease added.")
	return redirect(w, r, "/manage/leases/"+strconv.FormatInt(id, 10))
}

type leasePage struct {
	Page
	Docs     sharedDocs // documents shared here
	Lease    lintel.Lease
	Status   lintel.LeaseStatus
	Currency string
	Today    lintel.Date
	CanEdit  bool
	// Alert is a refusal to show above the page (e.g. removing the last tenant).
	Alert string
	// Adding a tenant: search and new-tenant form.
	TenantForm    Form
	TenantSearch  string
	TenantMatches []lintel.Contact
	Searched      bool
	// Ending early.
	EndForm Form
	History history
}

// manageLease shows one lease; ?tenant_q= searches contacts to add as
// co-tenants.
func (s *Server) manageLease(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	p, err := s.leasePage(r, id)
	if err != nil {
		return err
	}
	if q := r.URL.Query(); q.Has("tenant_q") {
		if err := s.searchLeaseTenants(r, p, strings.TrimSpace(q.Get("tenant_q"))); err != nil {
			return err
		}
	}
	return s.render(w, r, http.StatusOK, "manage/lease.html", p)
}

func (s *Server) leasePage(r *http.Request, id int64) (*leasePage, error) {
	st := staffOf(r)
	ctx := r.Context()
	l, err := s.db.Lease(ctx, st, id)
	if err != nil {
		return nil, err
	}
	company, err := s.db.Company(ctx, st)
	if err != nil {
		return nil, err
	}
	hist, err := s.recordHistory(r, "lease", id)
	if err != nil {
		return nil, err
	}
	today := lintel.DateOf(s.cfg.Now())
	p := &leasePage{
		Page:  Page{Title: "Lease of " + l.UnitLabel + ", " + l.PropertyName, Area: "manage", Nav: "leases"},
		Lease: l, Status: l.StatusOn(today), Currency: company.Currency, Today: today,
		CanEdit:    st.Can(lintel.PermEditRecords),
		TenantForm: NewForm(), EndForm: NewForm(), History: hist,
	}
	if p.Docs, err = s.sharedDocsOn(r, lintel.ShareTarget{LeaseID: id}); err != nil {
		return nil, err
	}
	end := today
	if end.Before(l.Start) {
		end = l.Start
	}
	p.EndForm.Set("end", end.String())
	return p, nil
}

func (s *Server) searchLeaseTenants(r *http.Request, p *leasePage, q string) error {
	p.Searched, p.TenantSearch = true, q
	list, err := s.db.ListContacts(r.Context(), staffOf(r), sqldb.ContactFilter{Search: q, Limit: leaseTenantsShown})
	if err != nil {
		return err
	}
	on := map[int64]bool{}
	for _, t := range p.Lease.Tenants {
		on[t.ID] = true
	}
	for _, c := range list.Contacts {
		if !on[c.ID] {
			p.TenantMatches = append(p.TenantMatches, c)
		}
	}
	return nil
}

// leaseFormOf fills the edit form with a stored lease.
func leaseFormOf(l lintel.Lease, currency string) Form {
	f := NewForm()
	f.Set("start", l.Start.String())
	f.Set("end", l.End.String())
	if l.MonthToMonth {
		f.Set("month_to_month", "on")
	}
	f.Set("rent", lintel.FormatMoneyInput(l.RentMinor, currency))
	f.Set("due_day", strconv.Itoa(l.RentDueDay))
	if l.DepositMinor != 0 {
		f.Set("deposit", lintel.FormatMoneyInput(l.DepositMinor, currency))
	}
	if l.LateFeeMinor != 0 {
		f.Set("late_fee", lintel.FormatMoneyInput(l.LateFeeMinor, currency))
	}
	f.Set("late_fee_grace_days", strconv.Itoa(l.LateFeeGraceDays))
	f.Set("notes", l.Notes)
	return f
}

// editLeaseForm shows the edit form of a lease in use.
func (s *Server) editLeaseForm(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	st := staffOf(r)
	l, err := s.db.Lease(r.Context(), st, id)
	if err != nil {
		return err
	}
	company, err := s.db.Company(r.Context(), st)
	if err != nil {
		return err
	}
	return s.renderLeaseEdit(w, r, http.StatusOK, leaseFormOf(l, company.Currency), l, company.Currency)
}

func (s *Server) renderLeaseEdit(w http.ResponseWriter, r *http.Request, status int, f Form, l lintel.Lease, currency string) error {
	return s.render(w, r, status, "manage/lease_edit.html", &leaseFormPage{
		Page: Page{Title: "Edit the lease of " + l.UnitLabel, Area: "manage", Nav: "leases"},
		Form: f, Lease: l, Currency: currency,
	})
}

// updateLease saves the edit form.
func (s *Server) updateLease(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	st := staffOf(r)
	stored, err := s.db.Lease(r.Context(), st, id)
	if err != nil {
		return err
	}
	company, err := s.db.Company(r.Context(), st)
	if err != nil {
		return err
	}
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	l := leaseFromForm(f, company.Currency)
	l.ID, l.UnitID = id, stored.UnitID
	if len(f.Errors) > 0 {
		l.Normalize()
		f.Merge(l.Validate().Err())
		return s.renderLeaseEdit(w, r, http.StatusUnprocessableEntity, f, stored, company.Currency)
	}
	err = s.db.UpdateLease(r.Context(), st, l)
	if f.Merge(err) {
		return s.renderLeaseEdit(w, r, http.StatusUnprocessableEntity, f, stored, company.Currency)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Changes saved.")
	return redirect(w, r, leaseURL(id))
}

func leaseURL(id int64) string { return "/manage/leases/" + strconv.FormatInt(id, 10) }

// addLeaseTenant adds a co-tenant: an existing contact (contact_id) or a
// new one (new_tenant_name, new_tenant_email_0, new_tenant_phone_0).
func (s *Server) addLeaseTenant(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	st := staffOf(r)
	if _, err := s.db.Lease(r.Context(), st, id); err != nil {
		return err
	}
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	var name string
	if cid := f.ID("contact_id"); cid > 0 {
		err = s.db.AddLeaseTenant(r.Context(), st, id, cid)
		if err == nil {
			if c, cerr := s.db.Contact(r.Context(), st, cid); cerr == nil {
				name = c.Name
			}
		}
	} else {
		c := newTenantFromForm(f)
		if c == nil {
			f.Errors.Add("new_tenant_name", "Enter the new tenant's name, or search for an existing contact above.")
		} else {
			name = c.Name
			_, err = s.db.AddNewLeaseTenant(r.Context(), st, id, *c)
			// The store names contact fields; this form prefixes them.
			for k, v := range lintel.FieldsOf(err) {
				f.Errors.Add("new_tenant_"+k, v)
			}
		}
	}
	if len(f.Errors) > 0 || lintel.KindOf(err) == lintel.KindInvalid || lintel.KindOf(err) == lintel.KindConflict {
		p, perr := s.leasePage(r, id)
		if perr != nil {
			return perr
		}
		p.TenantForm = f
		status := http.StatusUnprocessableEntity
		if len(f.Errors) == 0 {
			p.Alert = lintel.MessageOf(err)
			if msg, ok := lintel.FieldsOf(err)["contact_id"]; ok {
				p.Alert = msg
			}
			if lintel.KindOf(err) == lintel.KindConflict {
				status = http.StatusConflict
			}
		}
		return s.render(w, r, status, "manage/lease.html", p)
	}
	if err != nil {
		return err
	}
	s.flash(r, name+" added to the lease.")
	return redirect(w, r, leaseURL(id))
}

// removeLeaseTenant takes a co-tenant off the lease; the last one stays.
func (s *Server) removeLeaseTenant(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	cid, err := strconv.ParseInt(r.PathValue("contact"), 10, 64)
	if err != nil || cid <= 0 {
		return lintel.ErrNotFound
	}
	st := staffOf(r)
	err = s.db.RemoveLeaseTenant(r.Context(), st, id, cid)
	if lintel.KindOf(err) == lintel.KindConflict {
		p, perr := s.leasePage(r, id)
		if perr != nil {
			return perr
		}
		p.Alert = lintel.MessageOf(err)
		return s.render(w, r, http.StatusConflict, "manage/lease.html", p)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Tenant removed from the lease. Their contact stays in your contacts.")
	return redirect(w, r, leaseURL(id))
}

// endLease ends a lease early on the given last day.
func (s *Server) endLease(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	st := staffOf(r)
	if _, err := s.db.Lease(r.Context(), st, id); err != nil {
		return err
	}
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	end := f.Date("end")
	if f.Get("end") == "" {
		f.Errors.Add("end", "Enter the last day of the lease.")
	}
	if len(f.Errors) == 0 {
		err = s.db.EndLease(r.Context(), st, id, end)
		f.Merge(err)
	}
	if len(f.Errors) > 0 {
		p, perr := s.leasePage(r, id)
		if perr != nil {
			return perr
		}
		p.EndForm = f
		return s.render(w, r, http.StatusUnprocessableEntity, "manage/lease.html", p)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Lease end date set to "+end.Long()+".")
	return redirect(w, r, leaseURL(id))
}

// archiveLease takes a lease out of use.
func (s *Server) archiveLease(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	if err := s.db.ArchiveLease(r.Context(), staffOf(r), id); err != nil {
		return err
	}
	s.flash(r, "Lease archived. It no longer appears in lists or holds its unit.")
	return redirect(w, r, leaseURL(id))
}
