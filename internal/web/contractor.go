package web

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/mail"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/upload"
)

// The contractor's task page (seed 001): an operator
// with no account opens one visit from the link e-mailed to them, on a
// phone, and reviews the request, agrees a time, writes notes, adds photos
// and the invoice, and reports the outcome. The token in the path is the
// actor: every store call takes its hash and finds the visit from it
// (sqldb/contractor.go). A link that does not work answers one plain page,
// the same for unknown, revoked and expired links, and failed guesses are
// counted per client address.

func (s *Server) contractorRoutes() []route {
	return []route{
		{"GET", "/t/{token}", public, s.taskRoute(s.taskPage)},
		{"POST", "/t/{token}/opened", public, s.taskRoute(s.taskOpened)},
		{"POST", "/t/{token}/schedule", public, s.taskRoute(s.taskSchedule)},
		{"POST", "/t/{token}/notes", public, s.taskRoute(s.taskNotes)},
		{"POST", "/t/{token}/photos", public, s.taskRoute(s.taskPhotos)},
		{"GET", "/t/{token}/photos/{photo}", public, s.taskRoute(s.taskPhoto)},
		{"POST", "/t/{token}/invoice", public, s.taskRoute(s.taskInvoice)},
		{"GET", "/t/{token}/invoice", public, s.taskRoute(s.taskInvoiceFile)},
		{"POST", "/t/{token}/complete", public, s.taskRoute(s.taskComplete)},
		{"POST", "/t/{token}/unable", public, s.taskRoute(s.taskUnable)},
		{"POST", "/t/{token}/follow-up", public, s.taskRoute(s.taskFollowUp)},
	}
}

// Guessing contractor links (SECURITY.md 15), project choice: 30 dead
// links from one client address within 15 minutes lock that address out of
// every task link until the window ends. A real operator mistypes a link a
// few times at most; tokens have 256 bits, so this only stops scanners.
const (
	taskGuessLimit  = 30
	taskGuessWindow = 15 * time.Minute
)

func taskThrottle(r *http.Request) sqldb.ThrottleRule {
	return sqldb.ThrottleRule{Key: "task:ip:" + clientIP(r), Limit: taskGuessLimit, Window: taskGuessWindow}
}

// taskLink is the link a request came in with.
type taskLink struct {
	raw  string // as in the path; only ever sent back in this page's own URLs
	hash string // what the store looks up
}

// path builds a URL under the link.
func (l taskLink) path(suffix string) string { return "/t/" + l.raw + suffix }

// plausibleTaskToken rejects what auth.NewToken cannot have made before
// the database is asked (it still counts as a failed guess).
func plausibleTaskToken(s string) bool {
	if len(s) < 16 || len(s) > 128 {
		return false
	}
	for _, c := range s {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// taskRoute wraps a task handler: the privacy headers, the guessing
// throttle, and the one answer for a link that does not work. The
// person's own session, if they have one in this browser (a manager
// testing a link), plays no part: the link is the only credential.
func (s *Server) taskRoute(h func(http.ResponseWriter, *http.Request, taskLink) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		hd := w.Header()
		hd.Set("Referrer-Policy", "no-referrer") // the token must not leak to other sites
		hd.Set("Cache-Control", "no-store")
		hd.Set("X-Robots-Tag", "noindex, nofollow")
		r = r.WithContext(context.WithValue(r.Context(), ctxSession, (*sqldb.Session)(nil)))
		ctx := r.Context()
		rule := taskThrottle(r)
		until, err := s.db.ThrottledUntil(ctx, rule.Key)
		if err != nil {
			return s.taskError(w, r, err)
		}
		if !until.IsZero() {
			return s.taskTooMany(w, r, until)
		}
		l := taskLink{raw: r.PathValue("token")}
		if plausibleTaskToken(l.raw) {
			l.hash = auth.HashToken(l.raw)
			err = h(w, r, l)
		} else {
			err = sqldb.ErrTaskLinkDead
		}
		if err == nil {
			return nil
		}
		if !sqldb.IsTaskLinkDead(err) {
			return s.taskError(w, r, err)
		}
		locked, rerr := s.db.RecordFailure(ctx, rule)
		if rerr != nil {
			s.log.Error("count task link failure", "id", requestIDOf(r), "err", rerr)
		}
		if !locked.IsZero() {
			return s.taskTooMany(w, r, locked)
		}
		return s.renderTaskMessage(w, r, http.StatusNotFound, "This link does not work", sqldb.ErrTaskLinkDead.Message, "")
	}
}

// taskTooMany answers a locked-out address with 429 and Retry-After.
func (s *Server) taskTooMany(w http.ResponseWriter, r *http.Request, until time.Time) error {
	secs := max(int(math.Ceil(until.Sub(s.cfg.Now()).Seconds())), 1)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	mins := (secs + 59) / 60
	unit := "minutes"
	if mins == 1 {
		unit = "minute"
	}
	return s.renderTaskMessage(w, r, http.StatusTooManyRequests, "Too many tries",
		fmt.Sprintf("Too many links that do not work were opened from this connection. Wait %d %s and open the link from your e-mail again, or ask the property manager for a new one.", mins, unit), "")
}

// taskError shows any other error in the task page's own plain layout.
func (s *Server) taskError(w http.ResponseWriter, r *http.Request, err error) error {
	status := http.StatusInternalServerError
	title := "Something went wrong"
	switch lintel.KindOf(err) {
	case lintel.KindNotFound:
		status, title = http.StatusNotFound, "Not found"
	case lintel.KindInvalid:
		status, title = http.StatusUnprocessableEntity, "Please check and try again"
	case lintel.KindConflict:
		status, title = http.StatusConflict, "This could not be saved"
	case lintel.KindForbidden:
		status, title = http.StatusForbidden, "Not allowed"
	case lintel.KindTooMany:
		status, title = http.StatusTooManyRequests, "Too many tries"
	default:
		s.log.Error("request failed", "id", requestIDOf(r), "path", logPath(r.URL.Path), "err", err)
	}
	back := ""
	if t := r.PathValue("token"); plausibleTaskToken(t) {
		back = "/t/" + t
	}
	return s.renderTaskMessage(w, r, status, title, lintel.MessageOf(err), back)
}

// taskPage is the data of contractor/task.html: the task, or (Task nil) a
// plain message.
type taskPage struct {
	Page
	Link    taskLink
	Task    *sqldb.Task
	Message string // for a message page
	Back    string // for a message page: the task's address, when there is one
	Status  int

	Saved    string // the form just saved (?saved=…), for its confirmation
	SavedN   int    // how many photos were just added
	Alert    string // why the last submit was refused
	AlertFor string // the section it belongs to

	Schedule, TenantNotes, ManagerNotes, Photos, Invoice, Unable, FollowUp Form

	PhaseOptions    []Option
	FollowUpOptions []Option
	MaxPhotos       int
	MaxPhotoMB      int
	MaxDocumentMB   int
	// The same limits in bytes, for the script that refuses an oversized
	// file before sending it.
	MaxPhotoBytes, MaxDocumentBytes int64
}

// URL is an address under the link, for the page's forms.
func (p *taskPage) URL(suffix string) string { return p.Link.path(suffix) }

// Place is where the work is, in plain words.
func (p *taskPage) Place() string {
	q := p.Task.Request
	return sqldb.Place{PropertyName: q.PropertyName, UnitID: q.UnitID, UnitLabel: q.UnitLabel, CommonArea: q.CommonArea}.Label()
}

// Money formats minor units in the company's currency.
func (p *taskPage) Money(minor *int64) string {
	if minor == nil {
		return ""
	}
	return lintel.FormatMoney(*minor, p.Task.Currency)
}

// VisitStatus is a visit's status in the operator's words.
func (p *taskPage) VisitStatus(v lintel.Visit) string {
	switch v.Status {
	case lintel.VisitAssigned:
		return "Assigned, no time agreed yet"
	case lintel.VisitScheduled:
		return "Booked"
	case lintel.VisitCompleted:
		return "Completed"
	case lintel.VisitUnable:
		return "Could not be completed"
	case lintel.VisitReassigned:
		return "Passed to another operator"
	case lintel.VisitCancelled:
		return "Cancelled"
	}
	return string(v.Status)
}

// FollowUpLabel is a follow-up in the operator's words.
func (p *taskPage) FollowUpLabel(f lintel.FollowUp) string { return sqldb.FollowUpLabel(f) }

// PhotoURL is the address of a photo under the link.
func (p *taskPage) PhotoURL(id int64, thumb bool) string {
	u := p.Link.path("/photos/" + strconv.FormatInt(id, 10))
	if thumb {
		u += "?size=thumb"
	}
	return u
}

// PhaseLabel names who took a photo and when.
func (p *taskPage) PhaseLabel(ph sqldb.Photo) string {
	switch ph.Phase {
	case "resident":
		return "From the resident"
	case "before":
		return "Before the work"
	case "after":
		return "After the work"
	}
	return "Photo"
}

// Clock formats an instant as the time of day, for "Saved at 14:05"; the
// page's script shows it in the phone's own time zone.
func (p *taskPage) Clock(t time.Time) string { return t.UTC().Format("15:04") }

// ISO formats an instant for a <time datetime> attribute.
func (p *taskPage) ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// When formats a booked time (a wall-clock time, as entered).
func (p *taskPage) When(t time.Time) string { return t.Format("Mon 2 Jan 2006, 15:04") }

// Tel makes a phone number fit for a tel: link.
func (p *taskPage) Tel(phone string) string {
	var b strings.Builder
	for _, c := range phone {
		if c == '+' && b.Len() == 0 || '0' <= c && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// Is reports whether the form just saved is name.
func (p *taskPage) Is(name string) bool { return p.Saved == name }

// AlertIn returns the refusal message when it belongs to section.
func (p *taskPage) AlertIn(section string) string {
	if p.AlertFor == section {
		return p.Alert
	}
	return ""
}

var (
	taskPhaseOptions    = []Option{{"before", "Before the work"}, {"after", "After the work"}, {"other", "Other"}}
	taskFollowUpOptions = []Option{{string(lintel.FollowUpReturn), sqldb.FollowUpLabel(lintel.FollowUpReturn)},
		{string(lintel.FollowUpOtherOperator), sqldb.FollowUpLabel(lintel.FollowUpOtherOperator)}}
)

// renderTaskMessage shows a plain page with no task on it.
func (s *Server) renderTaskMessage(w http.ResponseWriter, r *http.Request, status int, title, msg, back string) error {
	p := &taskPage{Page: Page{Title: title}, Message: msg, Back: back, Status: status}
	if err := s.render(w, r, status, "contractor/task.html", p); err != nil {
		s.log.Error("render task message", "id", requestIDOf(r), "err", err)
		http.Error(w, msg, status)
	}
	return nil
}

// renderTask shows the task; adjust fills in a refused form and its
// message.
func (s *Server) renderTask(w http.ResponseWriter, r *http.Request, l taskLink, status int, adjust func(*taskPage)) error {
	t, err := s.db.ContractorTask(r.Context(), l.hash)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	p := &taskPage{
		Page: Page{Title: t.Request.Summary}, Link: l, Task: &t, Saved: q.Get("saved"),
		PhaseOptions: taskPhaseOptions, FollowUpOptions: taskFollowUpOptions,
		MaxPhotos: taskMaxPhotos, MaxPhotoMB: taskMaxPhotoMB, MaxDocumentMB: taskMaxDocumentMB,
		MaxPhotoBytes: upload.MaxPhotoBytes, MaxDocumentBytes: upload.MaxDocumentBytes,
		Schedule: NewForm(), TenantNotes: NewForm(), ManagerNotes: NewForm(), Photos: NewForm(),
		Invoice: NewForm(), Unable: NewForm(), FollowUp: NewForm(),
	}
	p.SavedN, _ = strconv.Atoi(q.Get("n"))
	v := t.Visit
	if !v.ScheduledAt.IsZero() {
		p.Schedule.Set("scheduled_at", v.ScheduledAt.Format("2006-01-02T15:04"))
	}
	p.TenantNotes.Set("tenant_notes", v.TenantNotes)
	p.ManagerNotes.Set("manager_notes", v.ManagerNotes)
	p.Photos.Set("phase", "before")
	if v.Status == lintel.VisitCompleted {
		p.Photos.Set("phase", "after")
	}
	p.Invoice.Set("invoice_number", v.InvoiceNumber)
	p.Invoice.Set("invoice_date", v.InvoiceDate.String())
	if v.InvoiceAmountMinor != nil {
		p.Invoice.Set("invoice_amount", lintel.FormatMoneyInput(*v.InvoiceAmountMinor, t.Currency))
	}
	if v.InvoiceTaxMinor != nil {
		p.Invoice.Set("invoice_tax", lintel.FormatMoneyInput(*v.InvoiceTaxMinor, t.Currency))
	}
	if adjust != nil {
		adjust(p)
	}
	return s.render(w, r, status, "contractor/task.html", p)
}

// taskRefused answers a refused submit: the task page again, with the
// form as typed and its messages (422), or the reason in its section
// (409). Other errors go on to taskRoute.
func (s *Server) taskRefused(w http.ResponseWriter, r *http.Request, l taskLink, err error, section string, f Form) error {
	kind := lintel.KindOf(err)
	if kind != lintel.KindInvalid && kind != lintel.KindConflict {
		return err
	}
	status := http.StatusUnprocessableEntity
	if kind == lintel.KindConflict {
		status = http.StatusConflict
	}
	f.Merge(err)
	return s.renderTask(w, r, l, status, func(p *taskPage) {
		p.Alert, p.AlertFor = lintel.MessageOf(err), section
		if fe := lintel.FieldsOf(err); len(fe) > 0 {
			p.Alert = "Please correct the highlighted field below."
		}
		switch section {
		case "schedule":
			p.Schedule = f
		case "tenant-notes":
			p.TenantNotes = f
		case "manager-notes":
			p.ManagerNotes = f
		case "photos":
			p.Photos = f
		case "invoice":
			p.Invoice = f
		case "finish":
			p.Unable = f
		case "follow-up":
			p.FollowUp = f
		}
	})
}

// taskSavedTo is where a successful submit goes: the page again, scrolled to
// the section, with its confirmation.
func taskSavedTo(l taskLink, what, section string, extra ...string) string {
	v := url.Values{"saved": {what}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return l.path("?" + v.Encode() + "#" + section)
}

// taskPage shows the task. It changes nothing (SECURITY.md 15): "last
// opened" is recorded by taskOpened, which the page's script calls.
func (s *Server) taskPage(w http.ResponseWriter, r *http.Request, l taskLink) error {
	return s.renderTask(w, r, l, http.StatusOK, nil)
}

// taskOpened records "last opened" for the manager and audits the
// opening. It is a POST from lintel.js, so link scanners in mail systems,
// which fetch links but run no script, do not count as the operator.
func (s *Server) taskOpened(w http.ResponseWriter, r *http.Request, l taskLink) error {
	if err := s.db.ContractorOpened(r.Context(), l.hash, clientIP(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// taskSchedule records the time the operator agreed with the residents.
func (s *Server) taskSchedule(w http.ResponseWriter, r *http.Request, l taskLink) error {
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	var when time.Time
	if v := f.Get("scheduled_at"); v != "" {
		when, err = time.Parse("2006-01-02T15:04", v)
		if err != nil {
			f.Errors.Add("scheduled_at", "Enter a date and time like 2026-03-01 09:30.")
		}
	}
	if len(f.Errors) == 0 {
		err = s.db.ContractorSchedule(r.Context(), l.hash, clientIP(r), when)
	} else {
		err = f.Errors.Err()
	}
	if err != nil {
		return s.taskRefused(w, r, l, err, "schedule", f)
	}
	return redirect(w, r, taskSavedTo(l, "schedule", "schedule"))
}

// taskNotes saves the tenant notes or the manager notes, whichever form
// was sent.
func (s *Server) taskNotes(w http.ResponseWriter, r *http.Request, l taskLink) error {
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	which, section := sqldb.TenantNotes, "tenant-notes"
	switch {
	case f.Values.Has("tenant_notes"):
	case f.Values.Has("manager_notes"):
		which, section = sqldb.ManagerNotes, "manager-notes"
	default:
		return s.taskRefused(w, r, l, lintel.Conflict("There were no notes in the form. Type your notes, then press Save."), "tenant-notes", f)
	}
	if _, err := s.db.ContractorSaveNotes(r.Context(), l.hash, clientIP(r), which, f.Values.Get(which+"_notes")); err != nil {
		return s.taskRefused(w, r, l, err, section, f)
	}
	return redirect(w, r, taskSavedTo(l, which+"_notes", section))
}

// taskComplete marks the work complete. A double tap changes nothing the
// second time and lands on the same page.
func (s *Server) taskComplete(w http.ResponseWriter, r *http.Request, l taskLink) error {
	if _, err := s.db.ContractorComplete(r.Context(), l.hash, clientIP(r), s.composeTaskOutcome); err != nil {
		return s.taskRefused(w, r, l, err, "finish", NewForm())
	}
	return redirect(w, r, taskSavedTo(l, "complete", "finish"))
}

// taskUnable records that the work could not be completed, with why.
func (s *Server) taskUnable(w http.ResponseWriter, r *http.Request, l taskLink) error {
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	if _, err := s.db.ContractorUnable(r.Context(), l.hash, clientIP(r), f.Values.Get("unable_reason"), s.composeTaskOutcome); err != nil {
		return s.taskRefused(w, r, l, err, "finish", f)
	}
	return redirect(w, r, taskSavedTo(l, "unable", "finish"))
}

// taskFollowUp asks the manager for another visit, after completing.
func (s *Server) taskFollowUp(w http.ResponseWriter, r *http.Request, l taskLink) error {
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	err = s.db.ContractorFollowUp(r.Context(), l.hash, clientIP(r), lintel.FollowUp(f.Get("follow_up")), f.Values.Get("follow_up_reason"), s.composeTaskOutcome)
	if err != nil {
		return s.taskRefused(w, r, l, err, "follow-up", f)
	}
	return redirect(w, r, taskSavedTo(l, "follow_up", "follow-up"))
}

// contractorOutcomeMail is the data of mail/templates/contractor_outcome.tmpl.
type contractorOutcomeMail struct {
	Name      string
	Company   string
	Operator  string
	RequestID int64
	Summary   string
	Place     string
	Outcome   string // sqldb.OutcomeCompleted, OutcomeUnable, OutcomeFollowUp
	FollowUp  string // the follow-up in the operator's words
	Reason    string
	Link      string
}

// composeTaskOutcome writes one e-mail per dispatching staff member,
// linking to the request in the manager app. The dedupe key names the
// visit and the outcome, so a retried transaction never sends twice.
func (s *Server) composeTaskOutcome(n sqldb.OutcomeNotice) ([]lintel.Email, error) {
	q := n.Request
	d := contractorOutcomeMail{Company: n.CompanyName, Operator: n.Operator, RequestID: q.ID, Summary: q.Summary,
		Place:   sqldb.Place{PropertyName: q.PropertyName, UnitID: q.UnitID, UnitLabel: q.UnitLabel, CommonArea: q.CommonArea}.Label(),
		Outcome: n.Outcome, FollowUp: sqldb.FollowUpLabel(n.FollowUp), Reason: n.Reason,
		Link: s.link("/manage/maintenance/"+strconv.FormatInt(q.ID, 10), nil)}
	var out []lintel.Email
	for _, st := range n.Staff {
		d.Name = st.Name
		c, err := mail.Compose("contractor_outcome", d)
		if err != nil {
			return nil, err
		}
		out = append(out, lintel.Email{DedupeKey: fmt.Sprintf("contractor_outcome:%d:%s:%s", n.VisitID, n.Outcome, st.Email),
			Kind: "contractor_outcome", To: st.Email, ToName: st.Name, Subject: c.Subject, Text: c.Text, HTML: c.HTML})
	}
	return out, nil
}
