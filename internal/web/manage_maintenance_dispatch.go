package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/mail"
	"lintel.dev/lintel/internal/sqldb"
)

// Dispatch from the manager's request page:
// assign an operator (a new visit with its own link; any earlier open
// visit's link dies at once), revoke or re-send a link, set or change a
// visit's time, and open the request's photos and a visit's invoice.

// placeText is a request's place in plain words: "Elm Court · Flat 3B".
func placeText(q lintel.Request) string {
	switch {
	case q.UnitLabel == "":
		return q.PropertyName
	case q.CommonArea:
		return q.PropertyName + " · " + q.UnitLabel + " (common area)"
	}
	return q.PropertyName + " · " + q.UnitLabel
}

// whenText is a visit's time as the e-mails and timeline write it.
func whenText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("Monday 2 January 2006 at 15:04")
}

// composeEmail renders template name for one recipient; key names the
// event, so the same message is never queued twice for the same person.
func composeEmail(name, key string, to sqldb.Recipient, data any) (lintel.Email, error) {
	c, err := mail.Compose(name, data)
	if err != nil {
		return lintel.Email{}, err
	}
	return lintel.Email{DedupeKey: key + ":" + to.Email, Kind: name, To: to.Email, ToName: to.Name, Subject: c.Subject, Text: c.Text, HTML: c.HTML}, nil
}

// operatorTaskMail is the data of visit_assigned_operator.tmpl.
type operatorTaskMail struct {
	Company, CompanyPhone, Operator string
	Property, Address, Unit         string
	Category, Summary, Priority     string
	Urgent                          bool
	When                            string // "" when the operator arranges the time
	Note                            string
	Link                            string
	Resent                          bool // a new link for a visit already assigned
}

// tenantVisitMail is the data of visit_assigned_tenant.tmpl and
// visit_scheduled_tenant.tmpl.
type tenantVisitMail struct {
	Company, CompanyPhone, Tenant string
	Operator, Summary, Place      string
	When                          string
	Moved                         bool
}

// operatorScheduleMail is the data of visit_scheduled_operator.tmpl.
type operatorScheduleMail struct {
	Company, CompanyPhone, Operator string
	Summary, Place, When, Previous  string
}

func unitText(q lintel.Request) string {
	switch {
	case q.UnitLabel == "":
		return "The whole property"
	case q.CommonArea:
		return q.UnitLabel + " (common area)"
	}
	return q.UnitLabel
}

func (s *Server) operatorTask(company, phone string, op sqldb.Recipient, q lintel.Request, v lintel.Visit, raw, note string, resent bool) operatorTaskMail {
	return operatorTaskMail{
		Company: company, CompanyPhone: phone, Operator: op.Name,
		Property: q.PropertyName, Address: q.PropertyAddress, Unit: unitText(q),
		Category: q.CategoryName, Summary: q.Summary, Priority: string(q.Priority),
		Urgent: q.Priority == lintel.PriorityHigh || q.Priority == lintel.PriorityEmergency,
		When:   whenText(v.ScheduledAt), Note: note, Link: s.link("/t/"+raw, nil), Resent: resent,
	}
}

// assignOperator creates a visit by the chosen operator, with a fresh
// link e-mailed to them; the tenants are told who is coming.
func (s *Server) assignOperator(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	st := staffOf(r)
	// Out of scope is 404 before the form is even read, like every page.
	if _, err := s.db.StaffRequest(r.Context(), st, id); err != nil {
		return err
	}
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	f.Errors = lintel.FieldErrors{}
	opID := f.ID("operator_id")
	if opID == 0 {
		f.Errors.Add("operator_id", "Choose an operator from the list.")
	}
	when := visitTime(f, "date", "time")
	note := f.Get("note")
	f.MaxLen("note", 2000)
	if len(f.Errors) > 0 {
		return s.renderMaintenanceRequest(w, r, http.StatusUnprocessableEntity, id, requestForms{assign: &f})
	}
	raw, hash := auth.NewToken()
	_, err = s.db.AssignOperator(r.Context(), st, id, versionOf(f), sqldb.Dispatch{OperatorID: opID, ScheduledAt: when, TokenHash: hash, Note: note},
		func(n sqldb.DispatchNotice) ([]lintel.Email, error) {
			key := fmt.Sprintf("visit_assigned:%d", n.Visit.ID)
			op, err := composeEmail("visit_assigned_operator", key, n.Operator,
				s.operatorTask(n.CompanyName, n.CompanyPhone, n.Operator, n.Request, n.Visit, raw, n.Note, false))
			if err != nil {
				return nil, err
			}
			msgs := []lintel.Email{op}
			for _, t := range n.Tenants {
				m, err := composeEmail("visit_assigned_tenant", key, t, tenantVisitMail{
					Company: n.CompanyName, CompanyPhone: n.CompanyPhone, Tenant: t.Name,
					Operator: n.Operator.Name, Summary: n.Request.Summary, Place: placeText(n.Request), When: whenText(n.Visit.ScheduledAt),
				})
				if err != nil {
					return nil, err
				}
				msgs = append(msgs, m)
			}
			return msgs, nil
		})
	if err != nil {
		status, alert, ok := refused(&f, err)
		if !ok {
			return err
		}
		return s.renderMaintenanceRequest(w, r, status, id, requestForms{assign: &f, alert: alert})
	}
	s.flash(r, "Operator assigned. They have been e-mailed a link to the task.")
	return redirect(w, r, requestPath(id))
}

// visitTime reads the optional day and time fields of a visit (wall-clock
// time: companies have no time zone setting yet, so times are kept and
// shown as typed). Problems go into f.
func visitTime(f Form, dateField, timeField string) time.Time {
	d, t := f.Get(dateField), f.Get(timeField)
	switch {
	case d == "" && t == "":
		return time.Time{}
	case d == "":
		f.Errors.Add(dateField, "Choose the day as well as the time.")
		return time.Time{}
	case t == "":
		f.Errors.Add(timeField, "Choose the time as well, e.g. 09:00.")
		return time.Time{}
	}
	when, err := time.ParseInLocation("2006-01-02 15:04", d+" "+t, time.UTC)
	if err != nil {
		f.Errors.Add(dateField, "Enter a date like 2026-03-01 and a time like 09:30.")
		return time.Time{}
	}
	return when
}

// visitAction runs a change on a visit and goes back to its request's
// page: scope first (404 for another company's visit), then the change.
func (s *Server) visitAction(w http.ResponseWriter, r *http.Request, do func(visitID int64, f Form) error, done string) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	st := staffOf(r)
	requestID, err := s.db.StaffVisitRequest(r.Context(), st, id)
	if err != nil {
		return err
	}
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	if err := do(id, f); err != nil {
		status, alert, ok := refused(&f, err)
		if !ok {
			return err
		}
		return s.renderMaintenanceRequest(w, r, status, requestID, requestForms{schedule: &f, alert: alert})
	}
	s.flash(r, done)
	return redirect(w, r, requestPath(requestID))
}

// revokeVisitLink kills a visit's contractor link.
func (s *Server) revokeVisitLink(w http.ResponseWriter, r *http.Request) error {
	return s.visitAction(w, r, func(id int64, _ Form) error {
		_, err := s.db.RevokeVisitLink(r.Context(), staffOf(r), id)
		return err
	}, "Link revoked: it no longer opens the task. Send a new link when the operator needs one.")
}

// resendVisitLink e-mails the operator a new link; the old one dies.
func (s *Server) resendVisitLink(w http.ResponseWriter, r *http.Request) error {
	return s.visitAction(w, r, func(id int64, _ Form) error {
		raw, hash := auth.NewToken()
		_, err := s.db.ResendVisitLink(r.Context(), staffOf(r), id, hash, func(n sqldb.LinkNotice) ([]lintel.Email, error) {
			m, err := composeEmail("visit_assigned_operator", fmt.Sprintf("visit_link:%d:%s", n.Visit.ID, hash[:16]), n.Operator,
				s.operatorTask(n.CompanyName, n.CompanyPhone, n.Operator, n.Request, n.Visit, raw, "", true))
			if err != nil {
				return nil, err
			}
			return []lintel.Email{m}, nil
		})
		return err
	}, "A new link is on its way to the operator. The old link no longer works.")
}

// scheduleVisit sets or changes a visit's time; the tenants and the
// operator are told.
func (s *Server) scheduleVisit(w http.ResponseWriter, r *http.Request) error {
	return s.visitAction(w, r, func(id int64, f Form) error {
		when := visitTime(f, "schedule_date", "schedule_time")
		if when.IsZero() {
			f.Errors.Add("schedule_date", "Choose the day and time of the visit.")
		}
		if len(f.Errors) > 0 {
			return f.Errors.Err()
		}
		_, err := s.db.ScheduleVisit(r.Context(), staffOf(r), id, versionOf(f), when, func(n sqldb.ScheduleNotice) ([]lintel.Email, error) {
			key := fmt.Sprintf("visit_scheduled:%d:%d", n.Visit.ID, n.Visit.ScheduledAt.Unix())
			var msgs []lintel.Email
			if n.Operator.Email != "" {
				m, err := composeEmail("visit_scheduled_operator", key, n.Operator, operatorScheduleMail{
					Company: n.CompanyName, CompanyPhone: n.CompanyPhone, Operator: n.Operator.Name,
					Summary: n.Request.Summary, Place: placeText(n.Request), When: whenText(n.Visit.ScheduledAt), Previous: whenText(n.Previous),
				})
				if err != nil {
					return nil, err
				}
				msgs = append(msgs, m)
			}
			for _, t := range n.Tenants {
				m, err := composeEmail("visit_scheduled_tenant", key, t, tenantVisitMail{
					Company: n.CompanyName, CompanyPhone: n.CompanyPhone, Tenant: t.Name, Operator: n.Operator.Name,
					Summary: n.Request.Summary, Place: placeText(n.Request), When: whenText(n.Visit.ScheduledAt), Moved: !n.Previous.IsZero(),
				})
				if err != nil {
					return nil, err
				}
				msgs = append(msgs, m)
			}
			return msgs, nil
		})
		return err
	}, "Visit time saved. The tenants and the operator have been told.")
}

// manageMaintenancePhoto serves a photo of one of the company's requests
// (?size=thumb for its thumbnail).
func (s *Server) manageMaintenancePhoto(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	photoID, err := strconv.ParseInt(r.PathValue("photo"), 10, 64)
	if err != nil || photoID <= 0 {
		return lintel.ErrNotFound
	}
	f, err := s.db.StaffPhoto(r.Context(), staffOf(r), id, photoID, r.URL.Query().Get("size") == "thumb")
	if err != nil {
		return err
	}
	return s.serveStoredFile(w, r, f, "inline", cachePrivate)
}

// manageVisitInvoice serves the invoice document of one of the company's
// visits.
func (s *Server) manageVisitInvoice(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	f, err := s.db.StaffVisitInvoice(r.Context(), staffOf(r), id)
	if err != nil {
		return err
	}
	return s.serveStoredFile(w, r, f, "attachment", cachePrivate)
}
