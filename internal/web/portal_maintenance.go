package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"lintel.dev/lintel/internal/i18n"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/mail"
	"lintel.dev/lintel/internal/photo"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/upload"
)

// The residents' Maintenance tab: the list of
// every request a tenant or owner may see, a request's page with its
// timeline and photos, and the form that reports a new problem. Scope is
// the store's: each read goes through a lintel.Resident query, and a
// request outside it is the same 404 as one that does not exist.

func (s *Server) residentMaintenanceRoutes() []route {
	return []route{
		{"GET", "/portal/maintenance", resident, s.portalRequests},
		{"POST", "/portal/maintenance/settings", resident, s.portalRequestSettings},
		{"GET", "/portal/maintenance/new", resident, s.portalNewRequest},
		{"POST", "/portal/maintenance", resident, s.portalSubmitRequest},
		{"GET", "/portal/maintenance/{id}", resident, s.portalRequest},
		{"GET", "/portal/maintenance/{id}/photos/{photo}", resident, s.portalRequestPhoto},
	}
}

// portalRequestItem is one line of the list, its text ready in the
// reader's language: a flat struct of strings, so the template reads
// each by a plain field look-up instead of walking embedded structs and
// calling methods by reflection (most of a list page's time).
type portalRequestItem struct {
	ID                          int64
	Summary, Company            string
	Status                      lintel.RequestStatus
	StatusText, Place, Category string
	ReportedISO, Reported       string
	// AwaitsYou: an approval is pending and this resident owns the asset,
	// so the decision is theirs.
	AwaitsYou bool
}

func newPortalRequestItem(p *Page, it sqldb.ResidentRequestItem, awaitsYou bool) portalRequestItem {
	return portalRequestItem{
		ID: it.ID, Summary: it.Summary, Company: it.CompanyName,
		Status: it.Status, StatusText: p.T(it.Status.Label()),
		Place: p.Where(requestPlace(it.Request)), Category: p.T(it.CategoryName),
		ReportedISO: it.CreatedAt.Format("2006-01-02"), Reported: p.DayOf(it.CreatedAt),
		AwaitsYou: awaitsYou,
	}
}

type portalRequestsPage struct {
	Page
	Items         []portalRequestItem
	HideCancelled bool
	CanReport     bool // the resident has somewhere to report a problem about
	ManyCompanies bool // show which company each request is with
	Older         bool // this is not the first page
	NextURL       string
	// Awaiting are the owner's approvals waiting for their decision, shown
	// above the list on its first page (approval requests for
	// their assets appear here).
	Awaiting []sqldb.ApprovalItem
}

// portalRequests lists the requests the resident may see, newest first:
// their lease's (co-tenants share them) and their assets'.
func (s *Server) portalRequests(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	res := residentOf(r)
	prefs, err := s.db.ResidentMaintenancePrefsOf(ctx, res)
	if err != nil {
		return err
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	page, err := s.db.ResidentRequests(ctx, res, sqldb.ResidentRequestFilter{HideCancelled: prefs.HideCancelled, Before: max(before, 0)})
	if err != nil {
		return err
	}
	reportIn, err := s.db.ResidentReportCompanies(ctx, res)
	if err != nil {
		return err
	}
	var pending []int64
	companies := map[int64]bool{}
	for _, it := range page.Requests {
		companies[it.CompanyID] = true
		if it.PendingApproval {
			pending = append(pending, it.ID)
		}
	}
	for _, id := range reportIn {
		companies[id] = true
	}
	owned, err := s.db.ResidentOwnedRequests(ctx, res, pending)
	if err != nil {
		return err
	}
	p := &portalRequestsPage{
		Page:          Page{Title: "Maintenance", Area: "portal", Nav: "maintenance"},
		HideCancelled: prefs.HideCancelled, CanReport: len(reportIn) > 0, ManyCompanies: len(companies) > 1, Older: before > 0,
	}
	p.printer = i18n.For(langOf(r))
	p.Items = make([]portalRequestItem, 0, len(page.Requests))
	for _, it := range page.Requests {
		p.Items = append(p.Items, newPortalRequestItem(&p.Page, it, it.PendingApproval && owned[it.ID]))
	}
	if page.NextBefore != 0 {
		p.NextURL = "/portal/maintenance?before=" + strconv.FormatInt(page.NextBefore, 10)
	}
	if before <= 0 {
		approvals, err := s.db.OwnerApprovals(ctx, res, 20)
		if err != nil {
			return err
		}
		for _, a := range approvals {
			if a.Status == lintel.ApprovalPending {
				p.Awaiting = append(p.Awaiting, a)
			}
		}
	}
	return s.render(w, r, http.StatusOK, "portal/maintenance_list.html", p)
}

// portalRequestSettings saves the list's "Hide cancelled requests" choice.
func (s *Server) portalRequestSettings(w http.ResponseWriter, r *http.Request) error {
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	hide := f.Checked("hide_cancelled")
	if err := s.db.SetHideCancelledRequests(r.Context(), residentOf(r), hide); err != nil {
		return err
	}
	if hide {
		s.flash(r, "Cancelled requests are hidden.")
	} else {
		s.flash(r, "Cancelled requests are shown.")
	}
	return redirect(w, r, "/portal/maintenance")
}

// Request page.

type portalVisit struct {
	lintel.Visit
	StatusLabel string
	Photos      []sqldb.Photo
}

type portalApproval struct {
	lintel.Approval
	StatusLabel string
}

type portalRequestPage struct {
	Page
	V         sqldb.ResidentRequestView
	Resident  []sqldb.Photo // photos sent with the request
	Visits    []portalVisit
	Approvals []portalApproval
	Pending   *lintel.Approval // the approval awaiting this owner's decision
}

// PlaceLabel is where the request is, in plain words.
func (p *portalRequestPage) PlaceLabel() string { return requestPlace(p.V.Request) }

// photoGrid is what the request-photos template draws; the page comes
// along for its language.
type photoGrid struct {
	*Page
	RequestID int64
	Photos    []sqldb.Photo
}

// Grid pairs photos with the request they belong to, for their links.
func (p *portalRequestPage) Grid(photos []sqldb.Photo) photoGrid {
	return photoGrid{Page: &p.Page, RequestID: p.V.Request.ID, Photos: photos}
}

// Alt describes a photo for people who cannot see it: "Photo: Under the
// sink (before), by Ola Operator, 2 Mar 2026".
func (g photoGrid) Alt(ph sqldb.Photo) string {
	s := g.T("Photo")
	if ph.Caption != "" {
		s = g.T("Photo: %s", ph.Caption)
	}
	switch ph.Phase {
	case "resident":
	case "before":
		s = g.T("%s (before)", s)
	case "after":
		s = g.T("%s (after)", s)
	default:
		s = g.T("%s (other)", s)
	}
	if ph.By != "" {
		s = g.T("%s, by %s", s, ph.By)
	}
	return g.T("%s, %s", s, g.DayOf(ph.At))
}

func requestPlace(q lintel.Request) string {
	return sqldb.Place{PropertyName: q.PropertyName, UnitID: q.UnitID, UnitLabel: q.UnitLabel, CommonArea: q.CommonArea}.Label()
}

// portalRequest shows one request with its resident-visible timeline,
// visits (operator, time, the operator's notes for residents), photos and
// approvals.
func (s *Server) portalRequest(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := s.db.ResidentRequestView(r.Context(), residentOf(r), id)
	if err != nil {
		return err
	}
	p := &portalRequestPage{Page: Page{Title: v.Request.Summary, Area: "portal", Nav: "maintenance"}, V: v}
	byVisit := map[int64][]sqldb.Photo{}
	for _, ph := range v.Photos {
		if ph.VisitID == 0 {
			p.Resident = append(p.Resident, ph)
		} else {
			byVisit[ph.VisitID] = append(byVisit[ph.VisitID], ph)
		}
	}
	for _, vi := range v.Visits {
		p.Visits = append(p.Visits, portalVisit{Visit: vi, StatusLabel: visitStatusLabel(vi.Status), Photos: byVisit[vi.ID]})
	}
	for i, a := range v.Approvals {
		p.Approvals = append(p.Approvals, portalApproval{Approval: a, StatusLabel: approvalStatusLabel(a.Status)})
		if a.Status == lintel.ApprovalPending && v.Owner {
			p.Pending = &v.Approvals[i]
		}
	}
	return s.render(w, r, http.StatusOK, "portal/maintenance_request.html", p)
}

func visitStatusLabel(s lintel.VisitStatus) string {
	switch s {
	case lintel.VisitAssigned:
		return "Operator assigned"
	case lintel.VisitScheduled:
		return "Scheduled"
	case lintel.VisitCompleted:
		return "Completed"
	case lintel.VisitUnable:
		return "Could not be completed"
	case lintel.VisitReassigned:
		return "Passed to another operator"
	case lintel.VisitCancelled:
		return "Cancelled"
	}
	return string(s)
}

func approvalStatusLabel(s lintel.ApprovalStatus) string {
	switch s {
	case lintel.ApprovalPending:
		return "Waiting for the owner's decision"
	case lintel.ApprovalApproved:
		return "Approved"
	case lintel.ApprovalDeclined:
		return "Declined"
	case lintel.ApprovalWithdrawn:
		return "Withdrawn by the manager"
	}
	return string(s)
}

// portalRequestPhoto serves a photo of a request the resident may see
// (?size=thumb for its thumbnail), checked against scope in the store
// first; the stored key never comes from the URL (SECURITY.md 19).
func (s *Server) portalRequestPhoto(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	photoID, err := strconv.ParseInt(r.PathValue("photo"), 10, 64)
	if err != nil || photoID <= 0 {
		return lintel.ErrNotFound
	}
	thumb := r.URL.Query().Get("size") == "thumb"
	f, err := s.db.ResidentPhoto(r.Context(), residentOf(r), id, photoID, thumb)
	if err != nil {
		return err
	}
	return s.serveStoredFile(w, r, f, "inline", cachePrivate)
}

// contentDisposition builds the header with an ASCII fallback name and the
// UTF-8 name (RFC 6266, RFC 8187); quotes, backslashes and control
// characters never reach the header.
func contentDisposition(kind, name string) string {
	if name == "" {
		name = "file"
	}
	var ascii strings.Builder
	for _, c := range name {
		switch {
		case c < 0x20 || c == 0x7f || c == '"' || c == '\\' || c > 0x7e:
			ascii.WriteByte('_')
		default:
			ascii.WriteRune(c)
		}
	}
	return fmt.Sprintf(`%s; filename="%s"; filename*=UTF-8''%s`, kind, ascii.String(), extValue(name))
}

// extValue percent-encodes s as an RFC 8187 ext-value: every byte but
// attr-char.
func extValue(s string) string {
	const attrChar = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(attrChar, c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// The report-a-problem form.

// accessPart is a part of the day a resident can offer for access.
type accessPart struct{ Key, Label, Hours string }

var accessParts = []accessPart{
	{"morning", "Morning", "8am–12pm"},
	{"afternoon", "Afternoon", "12–5pm"},
	{"evening", "Evening", "5–8pm"},
}

// accessDays is how many days ahead the access grid offers.
const accessDays = 7

// How many photos one report may carry, and how large each may be.
const (
	maxRequestPhotos = upload.MaxPhotosPerUpload
	maxPhotoMB       = upload.MaxPhotoBytes >> 20
)

type accessSlot struct {
	Value   string
	Part    string // "Morning": with the day, the checkbox's label
	Checked bool
}

type accessDay struct {
	Date   lintel.Date
	Offset int // days from today
	Slots  []accessSlot
}

type companyCategories struct {
	CompanyID   int64
	CompanyName string
	Categories  []lintel.Category
}

type portalRequestFormPage struct {
	Page
	Form          Form
	Places        []sqldb.Place
	Companies     []companyCategories
	ManyCompanies bool
	Parts         []accessPart
	Days          []accessDay
	Today         string
	// PhotosLost: the form came back with photos chosen, which a browser
	// cannot refill; the page asks for them again.
	PhotosLost bool
	MaxPhotos  int
	MaxPhotoMB int
}

// AnswerName is the form field of a troubleshooting question.
func (p *portalRequestFormPage) AnswerName(q lintel.Question) string {
	return "answer_" + strconv.FormatInt(q.ID, 10)
}

// Answer is what was typed for q.
func (p *portalRequestFormPage) Answer(q lintel.Question) string { return p.Form.Get(p.AnswerName(q)) }

// AnswerError is the message next to q.
func (p *portalRequestFormPage) AnswerError(q lintel.Question) string {
	return p.Form.Errors[p.AnswerName(q)]
}

// CategoryChosen reports whether category id is the one picked.
func (p *portalRequestFormPage) CategoryChosen(id int64) bool {
	return p.Form.Get("category_id") == strconv.FormatInt(id, 10)
}

// portalNewRequest shows the form.
func (s *Server) portalNewRequest(w http.ResponseWriter, r *http.Request) error {
	f := NewForm()
	return s.requestForm(w, r, http.StatusOK, f, false)
}

func (s *Server) requestForm(w http.ResponseWriter, r *http.Request, status int, f Form, photosLost bool) error {
	ctx := r.Context()
	res := residentOf(r)
	places, err := s.db.ResidentPlaces(ctx, res)
	if err != nil {
		return err
	}
	p := &portalRequestFormPage{
		Page: Page{Title: "Report a problem", Area: "portal", Nav: "maintenance"}, Form: f, Places: places,
		Parts: accessParts, PhotosLost: photosLost, MaxPhotos: maxRequestPhotos, MaxPhotoMB: maxPhotoMB,
	}
	for _, pl := range places {
		if n := len(p.Companies); n > 0 && p.Companies[n-1].CompanyID == pl.CompanyID {
			continue
		}
		cats, err := s.db.ResidentCategories(ctx, res, pl.CompanyID)
		if err != nil {
			return err
		}
		p.Companies = append(p.Companies, companyCategories{CompanyID: pl.CompanyID, CompanyName: pl.CompanyName, Categories: cats})
	}
	p.ManyCompanies = len(p.Companies) > 1
	if len(places) == 1 && f.Get("place") == "" {
		f.Set("place", places[0].Key())
	}
	today := lintel.DateOf(s.cfg.Now())
	p.Today = today.String()
	chosen := f.Values["access"]
	for i := range accessDays {
		d := today.AddDays(i)
		day := accessDay{Date: d, Offset: i}
		for _, part := range accessParts {
			v := d.String() + " " + part.Key
			day.Slots = append(day.Slots, accessSlot{Value: v, Part: part.Label, Checked: slices.Contains(chosen, v)})
		}
		p.Days = append(p.Days, day)
	}
	return s.render(w, r, status, "portal/maintenance_new.html", p)
}

// DayLabel names a day of the access grid in the page's language:
// "Today", "Tomorrow", "Wed 26 Nov".
func (p *portalRequestFormPage) DayLabel(d accessDay) string {
	switch d.Offset {
	case 0:
		return p.T("Today")
	case 1:
		return p.T("Tomorrow")
	}
	return p.ShortDay(d.Date.Time())
}

// accessTimes turns the ticked grid into the lines stored with the
// request: "Any time", or one line per day ("Tomorrow" is written as its
// date, since the line is read later), e.g. "Wed 26 Nov: morning, evening".
// Values not offered by the grid are ignored.
func accessTimes(f Form, today lintel.Date) []string {
	if f.Checked("access_any") {
		return []string{"Any time"}
	}
	chosen := f.Values["access"]
	var out []string
	for i := range accessDays {
		d := today.AddDays(i)
		var parts []string
		for _, part := range accessParts {
			if slices.Contains(chosen, d.String()+" "+part.Key) {
				parts = append(parts, strings.ToLower(part.Label)+" ("+part.Hours+")")
			}
		}
		switch {
		case len(parts) == len(accessParts):
			out = append(out, d.Time().Format("Mon 2 Jan")+": any time of day")
		case len(parts) > 0:
			out = append(out, d.Time().Format("Mon 2 Jan")+": "+strings.Join(parts, ", "))
		}
	}
	return out
}

// requestFromForm reads the typed fields of the form into a NewRequest and
// the company of the chosen place; messages for fields only the web form
// has go into f.Errors.
func requestFromForm(f Form, places []sqldb.Place, today lintel.Date) (sqldb.NewRequest, int64) {
	var in sqldb.NewRequest
	var company int64
	if pid, uid, ok := sqldb.ParsePlaceKey(f.Get("place")); ok {
		in.PropertyID, in.UnitID = pid, uid
		for _, p := range places {
			if p.PropertyID == pid && p.UnitID == uid {
				company = p.CompanyID
				break
			}
		}
	}
	in.CategoryID = f.ID("category_id")
	in.Summary = f.Get("summary")
	in.Description = f.Get("description")
	in.OccurredOn = f.Date("occurred_on")
	in.AccessTimes = accessTimes(f, today)
	switch f.Get("permission_to_enter") {
	case "yes":
		in.PermissionToEnter = true
	case "no":
	default:
		f.Errors.Add("permission_to_enter", "Say whether someone may let themselves in when nobody is home.")
	}
	in.Pets = f.Get("pets")
	in.Answers = map[int64]string{}
	for k, vs := range f.Values {
		if qid, ok := strings.CutPrefix(k, "answer_"); ok && len(vs) > 0 {
			if id, err := strconv.ParseInt(qid, 10, 64); err == nil {
				in.Answers[id] = vs[0]
			}
		}
	}
	return in, company
}

// portalSubmitRequest records a new request with its photos and tells the
// company's dispatching staff. The body is capped before it is parsed; the
// text fields come before the photos in the form, so they are checked
// first, and photos are stored only for a form that will be accepted. Each
// photo is turned upright, stripped of EXIF and GPS, re-encoded and given
// a thumbnail (package photo), then stored before the transaction; if the
// transaction fails the stored files are deleted again.
func (s *Server) portalSubmitRequest(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	res := residentOf(r)
	if err := upload.Limit(w, r, upload.MaxPhotoRequestBytes); err != nil {
		f := NewForm()
		f.Errors.Add("photos", lintel.MessageOf(err))
		return s.requestForm(w, r, http.StatusRequestEntityTooLarge, f, true)
	}
	uf, err := upload.NewForm(r, upload.Photos())
	if err != nil {
		return err
	}
	places, err := s.db.ResidentPlaces(ctx, res)
	if err != nil {
		return err
	}
	today := lintel.DateOf(s.cfg.Now())
	f := Form{Values: uf.Values, Errors: lintel.FieldErrors{}}
	var (
		in      sqldb.NewRequest
		company int64
		checked bool
		chosen  int
		stored  []sqldb.NewPhoto
	)
	// cleanup deletes what was stored for a request that was not recorded.
	// It runs even when the person has gone (a cancelled context).
	cleanup := func() {
		s.deleteBlobs(ctx, photoKeys(stored)...)
		stored = nil
	}
	check := func() error {
		checked = true
		in, company = requestFromForm(f, places, today)
		err := s.db.CheckResidentRequest(ctx, res, company, in)
		if err != nil && !f.Merge(err) {
			return err
		}
		return nil
	}
	for {
		file, err := uf.NextFile()
		if !checked {
			// Every text field has arrived: they precede the photos.
			if cerr := check(); cerr != nil {
				cleanup()
				return cerr
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			if lintel.KindOf(err) != lintel.KindInvalid {
				cleanup()
				return err
			}
			// The body is cut off or over a limit: nothing more can be read.
			f.Errors.Add("photos", lintel.MessageOf(err))
			chosen++
			break
		}
		if file.Field != "photos" {
			continue
		}
		chosen++
		p, err := photo.Process(ctx, bytes.NewReader(file.Data))
		file.Data = nil
		if err != nil {
			if lintel.KindOf(err) != lintel.KindInvalid {
				cleanup()
				return err
			}
			msg := lintel.MessageOf(err)
			if file.Name != "" {
				msg = "“" + file.Name + "”: " + msg
			}
			f.Errors.Add("photos", msg)
			continue
		}
		if len(f.Errors) > 0 {
			continue // the form goes back anyway; keep nothing
		}
		np, err := s.storePhoto(ctx, file.Name, p)
		if err != nil {
			cleanup()
			return err
		}
		stored = append(stored, np)
	}
	if len(f.Errors) > 0 {
		cleanup()
		return s.requestForm(w, r, http.StatusUnprocessableEntity, f, chosen > 0)
	}
	id, err := s.db.SubmitRequest(ctx, res, company, in, stored, s.composeRequestSubmitted(len(stored)))
	if err != nil {
		cleanup()
		err = quotaFieldError(err, "photos", residentStorageFull)
		if f.Merge(err) {
			return s.requestForm(w, r, http.StatusUnprocessableEntity, f, chosen > 0)
		}
		return err
	}
	msg := "Your request was sent. Your property manager has been told; follow its progress on this page."
	s.flash(r, msg)
	return redirect(w, r, "/portal/maintenance/"+strconv.FormatInt(id, 10))
}

// storePhoto writes a processed photo and its thumbnail to the file store
// under new keys and returns them as a NewPhoto for the store to record.
func (s *Server) storePhoto(ctx context.Context, name string, p *photo.Photo) (sqldb.NewPhoto, error) {
	base := strings.TrimSuffix(name, path.Ext(name))
	if base == "" {
		base = "photo"
	}
	var out sqldb.NewPhoto
	var err error
	if out.File, err = s.storeBlob(ctx, p.Full.Data, base+".jpg", p.Full.ContentType); err != nil {
		return out, err
	}
	if out.Thumb, err = s.storeBlob(ctx, p.Thumb.Data, base+"-thumb.jpg", p.Thumb.ContentType); err != nil {
		s.deleteBlobs(ctx, out.File.Key)
		return out, err
	}
	out.Phase = "resident"
	return out, nil
}

// requestSubmittedMail is the data of request_submitted.tmpl.
type requestSubmittedMail struct {
	Name        string // the staff member
	CompanyName string
	Place       string
	Category    string
	Summary     string
	Description string
	Requester   string
	Photos      int
	Link        string
}

// composeRequestSubmitted e-mails each dispatching staff member about a new
// request, with a link to it in the manager app.
func (s *Server) composeRequestSubmitted(photos int) func(sqldb.RequestNotice) ([]lintel.Email, error) {
	return func(n sqldb.RequestNotice) ([]lintel.Email, error) {
		q := n.Request
		var out []lintel.Email
		for _, to := range n.Staff {
			c, err := mail.Compose("request_submitted", requestSubmittedMail{
				Name: to.Name, CompanyName: n.CompanyName, Place: requestPlace(q), Category: q.CategoryName,
				Summary: q.Summary, Description: q.Description, Requester: q.RequesterName, Photos: photos,
				Link: s.link("/manage/maintenance/"+strconv.FormatInt(q.ID, 10), nil),
			})
			if err != nil {
				return nil, err
			}
			out = append(out, lintel.Email{DedupeKey: fmt.Sprintf("request_submitted:%d:%s", q.ID, to.Email), Kind: "request_submitted",
				To: to.Email, ToName: to.Name, Subject: c.Subject, Text: c.Text, HTML: c.HTML})
		}
		return out, nil
	}
}
