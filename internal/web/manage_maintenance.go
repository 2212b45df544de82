package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// The manager's maintenance desk: the list of
// requests, a request's page, entering a request on a tenant's behalf,
// editing and moving a request by hand. Dispatch (operators, links, times,
// files) is in manage_maintenance_dispatch.go.

// manageMaintenanceRoutes are the manager's maintenance pages. Every staff
// role may look; changes need PermDispatch (admin, manager, maintenance),
// which dispatchOnly checks before the handler runs, so a bookkeeper gets
// 403 whatever the id.
func (s *Server) manageMaintenanceRoutes() []route {
	return []route{
		{"GET", "/manage/maintenance", staffView, s.manageMaintenance},
		{"GET", "/manage/maintenance/new", staffView, dispatchOnly(s.newMaintenanceForm)},
		{"POST", "/manage/maintenance", staffView, dispatchOnly(s.createMaintenance)},
		{"GET", "/manage/maintenance/{id}", staffView, s.manageMaintenanceRequest},
		{"POST", "/manage/maintenance/{id}", staffView, dispatchOnly(s.updateMaintenance)},
		{"POST", "/manage/maintenance/{id}/status", staffView, dispatchOnly(s.setMaintenanceStatus)},
		{"POST", "/manage/maintenance/{id}/assign", staffView, dispatchOnly(s.assignOperator)},
		{"GET", "/manage/maintenance/{id}/photos/{photo}", staffView, s.manageMaintenancePhoto},
		{"POST", "/manage/maintenance/{id}/photos", staffView, dispatchOnly(s.addMaintenancePhotos)},
		{"POST", "/manage/visits/{id}/revoke", staffView, dispatchOnly(s.revokeVisitLink)},
		{"POST", "/manage/visits/{id}/resend", staffView, dispatchOnly(s.resendVisitLink)},
		{"POST", "/manage/visits/{id}/schedule", staffView, dispatchOnly(s.scheduleVisit)},
		{"GET", "/manage/visits/{id}/invoice", staffView, s.manageVisitInvoice},
	}
}

// dispatchOnly lets through staff who may dispatch maintenance; the others
// get 403 before anything is read.
func dispatchOnly(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := staffOf(r).Require(lintel.PermDispatch); err != nil {
			return err
		}
		return h(w, r)
	}
}

func requestPath(id int64) string { return "/manage/maintenance/" + strconv.FormatInt(id, 10) }

// The list.

var (
	maintenanceAgeOptions = []Option{{"", "Any age"}, {"1", "Older than a day"}, {"3", "Older than 3 days"}, {"7", "Older than a week"},
		{"14", "Older than 2 weeks"}, {"30", "Older than 30 days"}, {"90", "Older than 90 days"}}
)

func maintenanceStatusOptions() []Option {
	opts := []Option{{"", "Open (not closed or cancelled)"}, {sqldb.FilterAttention, "Needs a decision after a visit"}, {sqldb.FilterAll, "All, closed too"}}
	for _, st := range lintel.RequestStatuses {
		opts = append(opts, Option{string(st), st.Label()})
	}
	return opts
}

var priorityLabels = map[lintel.Priority]string{lintel.PriorityLow: "Low", lintel.PriorityNormal: "Normal", lintel.PriorityHigh: "High", lintel.PriorityEmergency: "Emergency"}

func priorityOptions() []Option {
	var opts []Option
	for _, p := range lintel.Priorities {
		opts = append(opts, Option{string(p), priorityLabels[p]})
	}
	return opts
}

// maintenanceRow is one line of the list, flat and with its text ready:
// the template reads plain fields (a look-up through an embedded struct,
// or a method called by reflection, costs far more, fifty times a page).
type maintenanceRow struct {
	ID                               int64
	Summary, Place, CategoryName     string
	Status                           lintel.RequestStatus
	StatusLabel                      string
	Priority                         lintel.Priority
	PriorityLabel, OperatorName, Age string
	NeedsDecision                    bool
}

type maintenanceListPage struct {
	Page
	Filters                                                     Form
	StatusOptions, PropertyOptions, CategoryOptions, AgeOptions []Option
	OperatorOptions                                             []Option
	Requests                                                    []maintenanceRow
	Filtered                                                    bool
	NextURL, PrevURL                                            string
	CanDispatch                                                 bool
}

// manageMaintenance lists the company's requests, open ones by default,
// newest first, with filters and keyset pages.
func (s *Server) manageMaintenance(w http.ResponseWriter, r *http.Request) error {
	st := staffOf(r)
	ctx := r.Context()
	q := r.URL.Query()
	f := Form{Values: q, Errors: lintel.FieldErrors{}}
	filter := sqldb.RequestFilter{
		Status: f.Get("status"), PropertyID: f.ID("property"), CategoryID: f.ID("category"), OperatorID: f.ID("operator"),
		Search: f.Get("q"), Before: f.ID("before"), After: f.ID("after"),
	}
	if filter.Status == sqldb.FilterOpen {
		filter.Status = ""
	}
	if st := lintel.RequestStatus(filter.Status); filter.Status != "" && filter.Status != sqldb.FilterAll && filter.Status != sqldb.FilterAttention && !st.Valid() {
		filter.Status = "" // a hand-edited URL: show the default list
		f.Values.Del("status")
	}
	if days, err := strconv.Atoi(f.Get("age")); err == nil && days > 0 && days <= 3650 {
		filter.OlderThanDays = days
	}
	list, err := s.db.ListRequests(ctx, st, filter)
	if err != nil {
		return err
	}
	props, err := s.db.PropertyChoices(ctx, st)
	if err != nil {
		return err
	}
	cats, err := s.db.CategoriesForEditing(ctx, st)
	if err != nil {
		return err
	}
	ops, err := s.db.Operators(ctx, st)
	if err != nil {
		return err
	}
	p := &maintenanceListPage{
		Page:    Page{Title: "Maintenance", Area: "manage", Nav: "maintenance"},
		Filters: f, StatusOptions: maintenanceStatusOptions(), AgeOptions: maintenanceAgeOptions,
		PropertyOptions: []Option{{"", "All properties"}}, CategoryOptions: []Option{{"", "All categories"}}, OperatorOptions: []Option{{"", "Any operator"}},
		CanDispatch: st.Can(lintel.PermDispatch),
	}
	for _, c := range props {
		p.PropertyOptions = append(p.PropertyOptions, Option{strconv.FormatInt(c.ID, 10), c.Name})
	}
	for _, c := range cats {
		label := c.Name
		if c.Archived {
			label += " (archived)"
		}
		p.CategoryOptions = append(p.CategoryOptions, Option{strconv.FormatInt(c.ID, 10), label})
	}
	for _, o := range ops {
		p.OperatorOptions = append(p.OperatorOptions, Option{strconv.FormatInt(o.ID, 10), o.Name})
	}
	now := s.cfg.Now()
	for _, it := range list.Requests {
		p.Requests = append(p.Requests, maintenanceRow{
			ID: it.ID, Summary: it.Summary, Place: it.Place(), CategoryName: it.CategoryName,
			Status: it.Status, StatusLabel: it.Status.Label(), Priority: it.Priority, PriorityLabel: priorityLabels[it.Priority],
			OperatorName: it.OperatorName, Age: ageText(now.Sub(it.CreatedAt)), NeedsDecision: it.NeedsDecision(),
		})
	}
	p.Filtered = filter.Status != "" || filter.PropertyID != 0 || filter.CategoryID != 0 || filter.OperatorID != 0 ||
		filter.OlderThanDays != 0 || filter.Search != ""
	p.NextURL = idPageURL("/manage/maintenance", q, "before", list.Next)
	p.PrevURL = idPageURL("/manage/maintenance", q, "after", list.Prev)
	return s.render(w, r, http.StatusOK, "manage/maintenance_list.html", p)
}

// idPageURL is the list URL for the page before or after an id, the
// other query parameters kept.
func idPageURL(path string, q url.Values, dir string, id int64) string {
	if id == 0 {
		return ""
	}
	v := url.Values{}
	for key, vals := range q {
		if key != "after" && key != "before" && len(vals) > 0 && vals[0] != "" {
			v.Set(key, vals[0])
		}
	}
	v.Set(dir, strconv.FormatInt(id, 10))
	return path + "?" + v.Encode()
}

// ageText says how old something is in a word or two: "2 hours", "3 days".
func ageText(d time.Duration) string {
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return strconv.Itoa(n) + " " + unit + "s"
	}
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute")
	case d < 24*time.Hour:
		return plural(int(d/time.Hour), "hour")
	case d < 60*24*time.Hour:
		return plural(int(d/(24*time.Hour)), "day")
	case d < 730*24*time.Hour:
		return plural(int(d/(30*24*time.Hour)), "month")
	}
	return plural(int(d/(365*24*time.Hour)), "year")
}

// agoText is "5 minutes ago", or never for the zero time.
func agoText(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	a := ageText(now.Sub(t))
	if a == "just now" {
		return a
	}
	return a + " ago"
}

// Entering a request on a tenant's behalf: first the property and the
// category (their units, tenants and questions shape the form), then the
// request itself.

// accessTimeChoices are the access windows offered as tick boxes; anything
// else goes in the free-text field.
var accessTimeChoices = []string{"Weekday mornings", "Weekday afternoons", "Weekday evenings", "Weekends", "Any time"}

type maintenanceNewPage struct {
	Page
	Form            Form
	PropertyOptions []Option
	CategoryOptions []Option
	// Step two, once the property and category are chosen.
	Chosen          bool
	PropertyName    string
	Category        lintel.Category
	PlaceOptions    []Option // units of the property
	TenantOptions   []Option
	PriorityOptions []Option
	AccessChoices   []accessChoice
}

type accessChoice struct {
	Value   string
	ID      string
	Checked bool
}

// newMaintenanceForm shows the new-request form: the property and category
// first, then, with ?property=&category=, the whole form.
func (s *Server) newMaintenanceForm(w http.ResponseWriter, r *http.Request) error {
	f := Form{Values: r.URL.Query(), Errors: lintel.FieldErrors{}}
	f.Set("property_id", f.Get("property"))
	f.Set("category_id", f.Get("category"))
	if f.Get("priority") == "" {
		f.Set("priority", string(lintel.PriorityNormal))
	}
	return s.renderMaintenanceNew(w, r, http.StatusOK, f)
}

func (s *Server) renderMaintenanceNew(w http.ResponseWriter, r *http.Request, status int, f Form) error {
	st := staffOf(r)
	ctx := r.Context()
	p := &maintenanceNewPage{Page: Page{Title: "New maintenance request", Area: "manage", Nav: "maintenance"}, Form: f, PriorityOptions: priorityOptions()}
	props, err := s.db.PropertyChoices(ctx, st)
	if err != nil {
		return err
	}
	cats, err := s.db.Categories(ctx, st)
	if err != nil {
		return err
	}
	p.PropertyOptions = []Option{{"", "Choose a property"}}
	for _, c := range props {
		p.PropertyOptions = append(p.PropertyOptions, Option{strconv.FormatInt(c.ID, 10), c.Name})
	}
	p.CategoryOptions = []Option{{"", "Choose a category"}}
	for _, c := range cats {
		p.CategoryOptions = append(p.CategoryOptions, Option{strconv.FormatInt(c.ID, 10), c.Name})
		if c.ID == f.ID("category_id") {
			p.Category = c
		}
	}
	propertyID := f.ID("property_id")
	if propertyID != 0 && p.Category.ID != 0 {
		places, err := s.db.StaffRequestPlaces(ctx, st, propertyID)
		switch {
		case lintel.IsNotFound(err):
			f.Errors.Add("property_id", "Choose a property from the list.")
		case err != nil:
			return err
		default:
			p.Chosen = true
			p.PropertyName = places.PropertyName
			p.Title = "New request at " + places.PropertyName
			p.PlaceOptions = []Option{{"0", "The whole property"}}
			for _, u := range places.Units {
				label := u.Label
				if u.CommonArea {
					label += " (common area)"
				}
				p.PlaceOptions = append(p.PlaceOptions, Option{strconv.FormatInt(u.ID, 10), label})
			}
			p.TenantOptions = []Option{{"", "Nobody: staff request"}}
			for _, t := range places.Tenants {
				p.TenantOptions = append(p.TenantOptions, Option{strconv.FormatInt(t.ContactID, 10), t.Name + " (" + t.UnitLabel + ")"})
			}
		}
	} else if f.Get("go") != "" {
		if propertyID == 0 {
			f.Errors.Add("property_id", "Choose the property where the problem is.")
		}
		if p.Category.ID == 0 {
			f.Errors.Add("category_id", "Choose what kind of problem this is.")
		}
		if status == http.StatusOK {
			status = http.StatusUnprocessableEntity
		}
	}
	ticked := map[string]bool{}
	for _, v := range f.Values["access_times"] {
		ticked[v] = true
	}
	for i, c := range accessTimeChoices {
		p.AccessChoices = append(p.AccessChoices, accessChoice{Value: c, ID: "f-access-" + strconv.Itoa(i), Checked: ticked[c]})
	}
	return s.render(w, r, status, "manage/maintenance_new.html", p)
}

// createMaintenance records a request entered by staff.
func (s *Server) createMaintenance(w http.ResponseWriter, r *http.Request) error {
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	in := sqldb.NewRequest{
		PropertyID: f.ID("property_id"), UnitID: f.ID("unit_id"), CategoryID: f.ID("category_id"),
		Summary: f.Get("summary"), Description: f.Get("description"), OccurredOn: f.Date("occurred_on"),
		PermissionToEnter: f.Checked("permission_to_enter"), Pets: f.Get("pets"), Priority: lintel.Priority(f.Get("priority")),
		TenantContactID: f.ID("tenant_id"), Answers: map[int64]string{},
	}
	in.AccessTimes = append(in.AccessTimes, f.Values["access_times"]...)
	for _, line := range strings.Split(f.Get("access_other"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			in.AccessTimes = append(in.AccessTimes, line)
		}
	}
	for key := range f.Values {
		if qs, ok := strings.CutPrefix(key, "answer_"); ok {
			if qid, err := strconv.ParseInt(qs, 10, 64); err == nil {
				in.Answers[qid] = f.Get(key)
			}
		}
	}
	if len(f.Errors) > 0 {
		return s.renderMaintenanceNew(w, r, http.StatusUnprocessableEntity, f)
	}
	id, err := s.db.CreateRequest(r.Context(), staffOf(r), in, nil)
	if f.Merge(err) {
		return s.renderMaintenanceNew(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Request recorded. Assign an operator when you are ready.")
	return redirect(w, r, requestPath(id))
}

// The request page.

type visitView struct {
	lintel.Visit
	Number        int    // 1 for the first visit of the request
	LastOpened    string // "5 minutes ago", "never"
	LinkLive      bool   // the contractor link opens the task
	Open          bool   // the operator may still come
	StatusLabel   string
	FollowUpLabel string
	NeedsDecision bool
	Scheduled     string // "Mon 2 Jan 2006, 15:04" or ""
	InvoiceAmount string // formatted, "" when none
	InvoiceTax    string
	// Bounced is the undelivered e-mail that carried this visit's task
	// link, if any: the operator never got it.
	Bounced *sqldb.BouncedLink
}

func deskVisitLabel(st lintel.VisitStatus) string {
	switch st {
	case lintel.VisitAssigned:
		return "Assigned, no time yet"
	case lintel.VisitScheduled:
		return "Scheduled"
	case lintel.VisitCompleted:
		return "Completed"
	case lintel.VisitUnable:
		return "Could not complete"
	case lintel.VisitReassigned:
		return "Reassigned"
	case lintel.VisitCancelled:
		return "Called off"
	}
	return string(st)
}

func followUpText(f lintel.FollowUp) string {
	switch f {
	case lintel.FollowUpReturn:
		return "needs to return at a later time"
	case lintel.FollowUpOtherOperator:
		return "says another operator is required"
	}
	return ""
}

type photoGroup struct {
	Label  string
	Photos []sqldb.Photo
}

type maintenanceRequestPage struct {
	Page
	Req           lintel.Request
	PriorityLabel string
	Currency      string
	CanDispatch   bool
	Alert         string // a refused change, said plainly
	Version       int    // the version the forms carry

	Current   *visitView  // the open visit, if any
	Attention *visitView  // the latest visit, when it ended unable or asks for a follow-up
	Visits    []visitView // newest first
	Photos    []photoGroup
	Events    []sqldb.Event
	Approvals []lintel.Approval
	// ApprovalBounced holds, by approval id, an approval e-mail that could
	// not be delivered to an owner.
	ApprovalBounced map[int64]*sqldb.BouncedLink

	EditForm, StatusForm, AssignForm, ScheduleForm    Form
	PriorityOptions, CategoryOptions, OperatorOptions []Option
	Operators                                         []sqldb.OperatorChoice

	CanCancel, CanClose, CanReopen bool
	AssignBlocked                  string // why no operator can be assigned now, "" when one can
	CanAskApproval                 bool
}

// requestForms are the forms of a request page as a person sent them, to
// show again with their messages; nil ones are filled from the request.
type requestForms struct {
	edit, status, assign, schedule *Form
	alert                          string
}

// manageMaintenanceRequest shows one request with everything about it.
func (s *Server) manageMaintenanceRequest(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	var forms requestForms
	if op := r.URL.Query().Get("operator"); op != "" {
		// "Send the same operator again" / "Choose another operator" after
		// a visit: the assign form, preselected.
		af := NewForm()
		af.Set("operator_id", op)
		forms.assign = &af
	}
	return s.renderMaintenanceRequest(w, r, http.StatusOK, id, forms)
}

func (s *Server) renderMaintenanceRequest(w http.ResponseWriter, r *http.Request, status int, id int64, forms requestForms) error {
	st := staffOf(r)
	ctx := r.Context()
	d, err := s.db.StaffRequest(ctx, st, id)
	if err != nil {
		return err
	}
	company, err := s.db.Company(ctx, st)
	if err != nil {
		return err
	}
	q := d.Request
	p := &maintenanceRequestPage{
		Page: Page{Title: q.Summary, Area: "manage", Nav: "maintenance"},
		Req:  q, PriorityLabel: priorityLabels[q.Priority], Currency: company.Currency, CanDispatch: st.Can(lintel.PermDispatch), Alert: forms.alert, Version: q.Version,
		Events: d.Events, Approvals: d.Approvals, PriorityOptions: priorityOptions(),
	}
	now := s.cfg.Now()
	for i := len(d.Visits) - 1; i >= 0; i-- {
		v := d.Visits[i]
		vv := visitView{Visit: v, Number: i + 1, LastOpened: agoText(now, v.TokenLastOpened), StatusLabel: deskVisitLabel(v.Status),
			FollowUpLabel: followUpText(v.FollowUp)}
		vv.Open = v.Status == lintel.VisitAssigned || v.Status == lintel.VisitScheduled
		vv.LinkLive = v.TokenRevoked.IsZero() && v.Status != lintel.VisitReassigned && v.Status != lintel.VisitCancelled
		if v.InvoiceAmountMinor != nil {
			vv.InvoiceAmount = lintel.FormatMoney(*v.InvoiceAmountMinor, company.Currency)
		}
		if v.InvoiceTaxMinor != nil {
			vv.InvoiceTax = lintel.FormatMoney(*v.InvoiceTaxMinor, company.Currency)
		}
		if !v.ScheduledAt.IsZero() {
			vv.Scheduled = v.ScheduledAt.Format("Mon 2 Jan 2006, 15:04")
		}
		if i == len(d.Visits)-1 {
			vv.NeedsDecision = q.Status.Open() && (v.Status == lintel.VisitUnable || v.FollowUp != lintel.FollowUpNone)
		}
		p.Visits = append(p.Visits, vv)
	}
	var visitIDs, approvalIDs []int64
	for _, v := range d.Visits {
		visitIDs = append(visitIDs, v.ID)
	}
	for _, a := range d.Approvals {
		approvalIDs = append(approvalIDs, a.ID)
	}
	bounced, err := s.db.BouncedLinks(ctx, st, visitIDs, approvalIDs)
	if err != nil {
		return err
	}
	for _, b := range bounced {
		if b.ApprovalID != 0 {
			if p.ApprovalBounced == nil {
				p.ApprovalBounced = map[int64]*sqldb.BouncedLink{}
			}
			p.ApprovalBounced[b.ApprovalID] = &b
			continue
		}
		for i := range p.Visits {
			if p.Visits[i].ID == b.VisitID {
				p.Visits[i].Bounced = &b
			}
		}
	}
	for i := range p.Visits {
		if p.Visits[i].Open && p.Current == nil {
			p.Current = &p.Visits[i]
		}
		if p.Visits[i].NeedsDecision {
			p.Attention = &p.Visits[i]
		}
	}
	phases := []struct{ key, label string }{{"resident", "From the resident"}, {"before", "Before the work"}, {"after", "After the work"}, {"other", "Other"}}
	for _, ph := range phases {
		g := photoGroup{Label: ph.label}
		for _, photo := range d.Photos {
			if photo.Phase == ph.key {
				g.Photos = append(g.Photos, photo)
			}
		}
		if len(g.Photos) > 0 {
			p.Photos = append(p.Photos, g)
		}
	}

	// What the manager may do now.
	p.CanCancel = q.Status.CanMove(lintel.StatusCancelled)
	p.CanClose = q.Status.CanMove(lintel.StatusClosed)
	p.CanReopen = q.Status.CanMove(lintel.StatusSubmitted) && q.Status != lintel.StatusAwaitingApproval
	p.CanAskApproval = q.Status == lintel.StatusSubmitted || q.Status == lintel.StatusDeclined
	switch q.Status {
	case lintel.StatusAwaitingApproval:
		p.AssignBlocked = "This request is waiting for the owner's approval. Assign an operator once it is approved, or withdraw the approval request."
	case lintel.StatusDeclined:
		p.AssignBlocked = "The owner declined this work. Ask for approval again, or close the request."
	case lintel.StatusClosed, lintel.StatusCancelled:
		p.AssignBlocked = "This request is " + strings.ToLower(q.Status.Label()) + "."
	}

	if p.CanDispatch {
		ops, err := s.db.Operators(ctx, st)
		if err != nil {
			return err
		}
		p.Operators = ops
		p.OperatorOptions = []Option{{"", "Choose an operator"}}
		for _, o := range ops {
			label := o.Name
			if o.Trades != "" {
				label += " — " + o.Trades
			}
			if o.Email == "" {
				label += " (no e-mail)"
			}
			p.OperatorOptions = append(p.OperatorOptions, Option{strconv.FormatInt(o.ID, 10), label})
		}
		cats, err := s.db.Categories(ctx, st)
		if err != nil {
			return err
		}
		p.CategoryOptions = nil
		found := false
		for _, c := range cats {
			p.CategoryOptions = append(p.CategoryOptions, Option{strconv.FormatInt(c.ID, 10), c.Name})
			found = found || c.ID == q.CategoryID
		}
		if !found {
			// An archived (or deleted) category stays selectable for the
			// request that has it, so saving other fields does not fail.
			p.CategoryOptions = append([]Option{{strconv.FormatInt(q.CategoryID, 10), q.CategoryName + " (no longer offered)"}}, p.CategoryOptions...)
		}
	}
	if forms.edit != nil {
		p.EditForm = *forms.edit
	} else {
		p.EditForm = NewForm()
		p.EditForm.Set("summary", q.Summary)
		p.EditForm.Set("description", q.Description)
		p.EditForm.Set("staff_notes", q.StaffNotes)
		p.EditForm.Set("priority", string(q.Priority))
		p.EditForm.Set("category_id", strconv.FormatInt(q.CategoryID, 10))
	}
	if forms.status != nil {
		p.StatusForm = *forms.status
	} else {
		p.StatusForm = NewForm()
	}
	if forms.assign != nil {
		p.AssignForm = *forms.assign
	} else {
		p.AssignForm = NewForm()
	}
	if forms.schedule != nil {
		p.ScheduleForm = *forms.schedule
	} else {
		p.ScheduleForm = NewForm()
		if p.Current != nil && !p.Current.ScheduledAt.IsZero() {
			p.ScheduleForm.Set("schedule_date", p.Current.ScheduledAt.Format("2006-01-02"))
			p.ScheduleForm.Set("schedule_time", p.Current.ScheduledAt.Format("15:04"))
		}
	}
	return s.render(w, r, status, "manage/maintenance_request.html", p)
}

// versionOf reads the hidden version field: the request's version when
// the page was loaded.
func versionOf(f Form) int {
	v, _ := strconv.Atoi(f.Get("version"))
	return v
}

// refused turns a store error of a request-page form into the page again:
// field messages next to the fields (422), a stale page or a move the
// lifecycle forbids as an alert at the top (409). ok is false for other
// errors, which the caller returns.
func refused(f *Form, err error) (status int, alert string, ok bool) {
	if f.Merge(err) {
		return http.StatusUnprocessableEntity, "", true
	}
	var e *lintel.Error
	if errors.As(err, &e) && e.Kind == lintel.KindConflict {
		return http.StatusConflict, e.Message, true
	}
	return 0, "", false
}

// updateMaintenance saves the edit form of a request, refusing a stale one.
func (s *Server) updateMaintenance(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	err = s.db.UpdateRequest(r.Context(), staffOf(r), id, sqldb.RequestEdit{
		Summary: f.Get("summary"), Description: f.Get("description"), StaffNotes: f.Get("staff_notes"),
		Priority: lintel.Priority(f.Get("priority")), CategoryID: f.ID("category_id"), Version: versionOf(f),
	})
	if err != nil {
		status, alert, ok := refused(&f, err)
		if !ok {
			return err
		}
		if status == http.StatusConflict {
			alert += " Your changes are still in the form below: check them against the request, then save again."
		}
		return s.renderMaintenanceRequest(w, r, status, id, requestForms{edit: &f, alert: alert})
	}
	s.flash(r, "Changes saved.")
	return redirect(w, r, requestPath(id))
}

// setMaintenanceStatus cancels, closes or reopens a request.
func (s *Server) setMaintenanceStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	to := lintel.RequestStatus(f.Get("to"))
	err = s.db.SetRequestStatus(r.Context(), staffOf(r), id, sqldb.StatusChange{To: to, Reason: f.Get("reason"), Version: versionOf(f)}, s.composeVisitEnded)
	if err != nil {
		status, alert, ok := refused(&f, err)
		if !ok {
			return err
		}
		return s.renderMaintenanceRequest(w, r, status, id, requestForms{status: &f, alert: alert})
	}
	switch to {
	case lintel.StatusCancelled:
		s.flash(r, "Request cancelled. The residents see why.")
	case lintel.StatusClosed:
		s.flash(r, "Request closed.")
	default:
		s.flash(r, "Request reopened: it is back in the list to triage.")
	}
	return redirect(w, r, requestPath(id))
}

// visitEndedMail is the data of visit_cancelled_operator.tmpl.
type visitEndedMail struct {
	Company, Operator, Summary, Place, Reason string
}

// composeVisitEnded tells an operator their visit is called off.
func (s *Server) composeVisitEnded(n sqldb.VisitEnded) ([]lintel.Email, error) {
	m, err := composeEmail("visit_cancelled_operator", fmt.Sprintf("visit_cancelled:%d", n.Visit.ID), n.Operator, visitEndedMail{
		Company: n.CompanyName, Operator: n.Operator.Name, Summary: n.Request.Summary, Place: placeText(n.Request), Reason: n.Reason,
	})
	if err != nil {
		return nil, err
	}
	return []lintel.Email{m}, nil
}
