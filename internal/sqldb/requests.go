package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"lintel.dev/lintel/internal/lintel"
)

// Maintenance requests: the core that residents, staff, owners and
// contractors share. Submitting, reading a request with its timeline, and
// moving it from one status to the next (race-safe through requests.version)
// live here; each side's own actions live in their own files.

// Place is somewhere a resident may ask for maintenance: a unit of their
// current lease, a unit or property they own, or a common area of those
// properties.
type Place struct {
	CompanyID    int64
	CompanyName  string
	PropertyID   int64
	PropertyName string
	UnitID       int64 // 0: the property as a whole (owners of the whole property)
	UnitLabel    string
	CommonArea   bool
	LeaseID      int64 // the resident's current lease of this unit or its property, if any
}

// Key identifies the place in a form: "property:unit".
func (p Place) Key() string { return fmt.Sprintf("%d:%d", p.PropertyID, p.UnitID) }

// Label is the place in plain words, e.g. "Elm Court · Flat 3B".
func (p Place) Label() string {
	switch {
	case p.UnitID == 0:
		return p.PropertyName + " · the whole property"
	case p.CommonArea:
		return p.PropertyName + " · " + p.UnitLabel + " (common area)"
	}
	return p.PropertyName + " · " + p.UnitLabel
}

// ParsePlaceKey reads a Place.Key back; ok is false when s is not one.
func ParsePlaceKey(s string) (propertyID, unitID int64, ok bool) {
	a, b, found := strings.Cut(s, ":")
	if !found {
		return 0, 0, false
	}
	p, err1 := strconv.ParseInt(a, 10, 64)
	u, err2 := strconv.ParseInt(b, 10, 64)
	return p, u, err1 == nil && err2 == nil && p > 0 && u >= 0
}

// ResidentPlaces lists where the resident may ask for maintenance, in every
// company they are linked to.
func (db *DB) ResidentPlaces(ctx context.Context, r lintel.Resident) ([]Place, error) {
	var out []Place
	err := db.view(ctx, func(tx *Tx) (err error) {
		out, err = tx.residentPlaces(ctx, r)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list places: %w", err)
	}
	return out, nil
}

// ResidentReportCompanies returns the companies where the resident has a
// place to report a problem about: the companies of ResidentPlaces, found
// without listing the places (an owner of a whole building has hundreds),
// for pages that only need to know whether, and where, one can report.
func (db *DB) ResidentReportCompanies(ctx context.Context, r lintel.Resident) ([]int64, error) {
	var out []int64
	err := db.view(ctx, func(tx *Tx) error {
		day := db.unplanned("$2")
		rows, err := tx.QueryContext(ctx, myContacts+`
			SELECT DISTINCT me.company_id FROM me
			WHERE (me.is_tenant AND EXISTS (SELECT 1 FROM lease_tenants lt
					JOIN leases l ON l.id = lt.lease_id AND l.company_id = me.company_id
					JOIN units lu ON lu.id = l.unit_id
					JOIN properties p ON p.id = lu.property_id
				WHERE lt.contact_id = me.id AND lt.company_id = me.company_id AND l.archived_at IS NULL AND p.archived_at IS NULL
					AND l.start_date <= `+day+` AND (l.end_date IS NULL OR l.end_date >= `+day+`)
					AND EXISTS (SELECT 1 FROM units un WHERE un.property_id = p.id AND un.archived_at IS NULL AND (un.id = lu.id OR un.common_area))))
				OR (me.is_owner AND EXISTS (SELECT 1 FROM ownerships o JOIN properties p ON p.id = o.property_id
				WHERE o.contact_id = me.id AND o.company_id = me.company_id AND o.archived_at IS NULL AND p.archived_at IS NULL))
			ORDER BY me.company_id`, r.UserID, lintel.DateOf(tx.Now))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			out = append(out, id)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("companies to report in: %w", err)
	}
	return out, nil
}

func (tx *Tx) residentPlaces(ctx context.Context, r lintel.Resident) ([]Place, error) {
	today := lintel.DateOf(tx.Now)
	day := tx.db.unplanned("$2")
	// Tenants: the unit of each current lease and the common areas of its
	// property. Owners: the unit they own and the property's common areas,
	// or, owning the property, the property itself and all its units.
	rows, err := tx.QueryContext(ctx, myContacts+`
		SELECT co.id, co.name, p.id, p.name, un.id, un.label, un.common_area, l.id
		FROM me
		JOIN lease_tenants lt ON lt.contact_id = me.id AND lt.company_id = me.company_id
		JOIN leases l ON l.id = lt.lease_id AND l.company_id = me.company_id
		JOIN units lu ON lu.id = l.unit_id
		JOIN properties p ON p.id = lu.property_id
		JOIN units un ON un.property_id = p.id AND (un.id = lu.id OR un.common_area) AND un.archived_at IS NULL
		JOIN companies co ON co.id = me.company_id
		WHERE me.is_tenant AND l.archived_at IS NULL AND p.archived_at IS NULL
			AND l.start_date <= `+day+` AND (l.end_date IS NULL OR l.end_date >= `+day+`)
		UNION
		SELECT co.id, co.name, p.id, p.name, COALESCE(un.id, 0), COALESCE(un.label, ''), COALESCE(un.common_area, FALSE), 0
		FROM me
		JOIN ownerships o ON o.contact_id = me.id AND o.company_id = me.company_id AND o.archived_at IS NULL
		JOIN properties p ON p.id = o.property_id AND p.archived_at IS NULL
		LEFT JOIN units un ON un.property_id = p.id AND un.archived_at IS NULL
			AND (o.unit_id IS NULL OR un.id = o.unit_id OR un.common_area)
		JOIN companies co ON co.id = me.company_id
		WHERE me.is_owner
		UNION
		SELECT co.id, co.name, p.id, p.name, 0, '', FALSE, 0
		FROM me
		JOIN ownerships o ON o.contact_id = me.id AND o.company_id = me.company_id AND o.archived_at IS NULL AND o.unit_id IS NULL
		JOIN properties p ON p.id = o.property_id AND p.archived_at IS NULL
		JOIN companies co ON co.id = me.company_id
		WHERE me.is_owner`, r.UserID, today)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all []Place
	for rows.Next() {
		var p Place
		if err := rows.Scan(&p.CompanyID, &p.CompanyName, &p.PropertyID, &p.PropertyName, &p.UnitID, &p.UnitLabel, &p.CommonArea, &p.LeaseID); err != nil {
			return nil, err
		}
		all = append(all, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// One entry per place, keeping the lease when the resident is both a
	// tenant there and an owner; the lease is what lets co-tenants see it.
	slices.SortFunc(all, func(a, b Place) int {
		if c := strings.Compare(a.CompanyName, b.CompanyName); c != 0 {
			return c
		}
		if c := strings.Compare(a.PropertyName, b.PropertyName); c != 0 {
			return c
		}
		if a.PropertyID != b.PropertyID {
			return int(a.PropertyID - b.PropertyID)
		}
		// The whole property first, then rentable units, then common areas.
		if (a.UnitID == 0) != (b.UnitID == 0) {
			if a.UnitID == 0 {
				return -1
			}
			return 1
		}
		if a.CommonArea != b.CommonArea {
			if a.CommonArea {
				return 1
			}
			return -1
		}
		if c := strings.Compare(a.UnitLabel, b.UnitLabel); c != 0 {
			return c
		}
		if a.UnitID != b.UnitID {
			return int(a.UnitID - b.UnitID)
		}
		return int(b.LeaseID - a.LeaseID) // with a lease first
	})
	var out []Place
	for _, p := range all {
		if n := len(out); n > 0 && out[n-1].CompanyID == p.CompanyID && out[n-1].PropertyID == p.PropertyID && out[n-1].UnitID == p.UnitID {
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

// NewRequest is what a resident or a staff member submits.
type NewRequest struct {
	PropertyID        int64
	UnitID            int64 // 0: the property as a whole
	CategoryID        int64
	Summary           string // short, resident-visible
	Description       string
	OccurredOn        lintel.Date
	AccessTimes       []string
	PermissionToEnter bool
	Pets              string
	Priority          lintel.Priority // staff only; residents submit "normal"
	Answers           map[int64]string
	// TenantContactID: staff entering a request on behalf of a tenant
	// (optional). The request joins that tenant's current lease.
	TenantContactID int64
}

// NewFile is a file already written to blob storage, to be recorded.
type NewFile struct {
	Key         string
	Name        string
	ContentType string
	Size        int64
	SHA256      string
}

// NewPhoto is a processed photo and its thumbnail, both already stored.
type NewPhoto struct {
	File    NewFile
	Thumb   NewFile
	Phase   string // resident, before, after, other
	Caption string
}

// Recipient is someone a notice is e-mailed to.
type Recipient struct {
	Email string
	Name  string
}

// RequestNotice is what the staff are told about a new request.
type RequestNotice struct {
	CompanyName string
	Request     lintel.Request
	Staff       []Recipient // staff who dispatch maintenance at the company
}

// Field limits of a request.
const (
	maxSummary     = 120
	maxDescription = 5000
	maxAnswer      = 1000
	maxAccessTimes = 12
)

// validateRequest checks in against the company's category and returns the
// answers to store, in the questions' order.
func validateRequest(in *NewRequest, cat lintel.Category, today lintel.Date) ([]lintel.Answer, error) {
	fe := lintel.FieldErrors{}
	in.Summary = strings.TrimSpace(in.Summary)
	in.Description = strings.TrimSpace(in.Description)
	in.Pets = strings.TrimSpace(in.Pets)
	switch {
	case in.Summary == "":
		fe.Add("summary", "Say in a few words what is wrong, e.g. \"Kitchen tap drips\".")
	case utf8.RuneCountInString(in.Summary) > maxSummary:
		fe.Add("summary", fmt.Sprintf("Keep this under %d characters; put the details in the description.", maxSummary))
	}
	if utf8.RuneCountInString(in.Description) > maxDescription {
		fe.Add("description", fmt.Sprintf("The description is too long (at most %d characters).", maxDescription))
	}
	if utf8.RuneCountInString(in.Pets) > 200 {
		fe.Add("pets", "Keep this under 200 characters.")
	}
	if !in.OccurredOn.IsZero() && today.Before(in.OccurredOn) {
		fe.Add("occurred_on", "The date the issue started cannot be in the future.")
	}
	var times []string
	for _, t := range in.AccessTimes {
		if t = strings.TrimSpace(t); t != "" && !slices.Contains(times, t) && utf8.RuneCountInString(t) <= 100 {
			times = append(times, t)
		}
	}
	if len(times) > maxAccessTimes {
		fe.Add("access_times", fmt.Sprintf("Choose at most %d times.", maxAccessTimes))
	}
	in.AccessTimes = times
	if in.Priority == "" {
		in.Priority = lintel.PriorityNormal
	}
	if !in.Priority.Valid() {
		fe.Add("priority", "Choose a priority from the list.")
	}
	if cat.ID == 0 {
		fe.Add("category_id", "Choose what kind of problem this is.")
	}
	var answers []lintel.Answer
	for _, q := range cat.Questions {
		a := strings.TrimSpace(in.Answers[q.ID])
		field := "answer_" + strconv.FormatInt(q.ID, 10)
		switch {
		case a == "" && q.Required:
			fe.Add(field, "Please answer this question.")
			continue
		case a == "":
			continue
		case utf8.RuneCountInString(a) > maxAnswer:
			fe.Add(field, fmt.Sprintf("Keep this under %d characters.", maxAnswer))
			continue
		case q.Kind == lintel.QuestionYesNo && a != "yes" && a != "no":
			fe.Add(field, "Answer yes or no.")
			continue
		case q.Kind == lintel.QuestionChoice && !slices.Contains(q.Options, a):
			fe.Add(field, "Choose one of the answers offered.")
			continue
		}
		if q.Kind == lintel.QuestionYesNo {
			a = map[string]string{"yes": "Yes", "no": "No"}[a]
		}
		answers = append(answers, lintel.Answer{QuestionID: q.ID, Prompt: q.Prompt, Answer: a})
	}
	return answers, fe.Err()
}

// category reads one category of the company, with its questions; the
// zero Category when id is not one of the company's categories in use.
func (tx *Tx) category(ctx context.Context, companyID, id int64) (lintel.Category, error) {
	cats, err := tx.categories(ctx, companyID, false)
	if err != nil {
		return lintel.Category{}, err
	}
	for _, c := range cats {
		if c.ID == id {
			return c, nil
		}
	}
	return lintel.Category{}, nil
}

// SubmitRequest records a resident's request at one of their places, with
// their photos, and e-mails the company's dispatching staff (compose turns
// the notice into messages, written to the outbox in the same transaction).
func (db *DB) SubmitRequest(ctx context.Context, r lintel.Resident, companyID int64, in NewRequest, photos []NewPhoto,
	compose func(RequestNotice) ([]lintel.Email, error)) (int64, error) {
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		places, err := tx.residentPlaces(ctx, r)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(places, func(p Place) bool {
			return p.CompanyID == companyID && p.PropertyID == in.PropertyID && p.UnitID == in.UnitID
		})
		if i < 0 {
			return lintel.FieldErrors{"place": "Choose one of your homes or properties from the list."}.Err()
		}
		place := places[i]
		cat, err := tx.category(ctx, companyID, in.CategoryID)
		if err != nil {
			return err
		}
		in.Priority = lintel.PriorityNormal
		answers, err := validateRequest(&in, cat, lintel.DateOf(tx.Now))
		if err != nil {
			return err
		}
		var contactID int64
		var requester string
		if err := tx.get(ctx, myContacts+`SELECT id, name FROM me WHERE company_id = $2 ORDER BY is_tenant DESC, id LIMIT 1`,
			[]any{r.UserID, companyID}, &contactID, &requester); err != nil {
			return err
		}
		req := lintel.Request{CompanyID: companyID, PropertyID: place.PropertyID, UnitID: place.UnitID, LeaseID: place.LeaseID,
			CategoryID: cat.ID, CategoryName: cat.Name, RequestedByUserID: r.UserID, RequestedByContact: contactID,
			Summary: in.Summary, Description: in.Description, OccurredOn: in.OccurredOn, AccessTimes: in.AccessTimes,
			PermissionToEnter: in.PermissionToEnter, Pets: in.Pets, Priority: in.Priority, Answers: answers}
		id, err = tx.insertRequest(ctx, &req, photos, requester)
		if err != nil {
			return err
		}
		req.PropertyName, req.UnitLabel, req.RequesterName = place.PropertyName, place.UnitLabel, requester
		return tx.noticeStaff(ctx, req, compose)
	})
	if err != nil {
		return 0, fmt.Errorf("submit request: %w", err)
	}
	return id, nil
}

// CreateRequest records a request entered by staff, e.g. from a phone call,
// optionally on behalf of a tenant of the unit.
func (db *DB) CreateRequest(ctx context.Context, s lintel.Staff, in NewRequest, photos []NewPhoto) (int64, error) {
	if err := s.Require(lintel.PermDispatch); err != nil {
		return 0, err
	}
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		fe := lintel.FieldErrors{}
		var propertyName, unitLabel string
		if err := tx.get(ctx, `SELECT name FROM properties WHERE id = $1 AND company_id = $2 AND archived_at IS NULL`,
			[]any{in.PropertyID, s.CompanyID}, &propertyName); lintel.IsNotFound(err) {
			fe.Add("property_id", "Choose a property.")
		} else if err != nil {
			return err
		}
		if in.UnitID != 0 {
			if err := tx.get(ctx, `SELECT label FROM units WHERE id = $1 AND property_id = $2 AND company_id = $3 AND archived_at IS NULL`,
				[]any{in.UnitID, in.PropertyID, s.CompanyID}, &unitLabel); lintel.IsNotFound(err) {
				fe.Add("unit_id", "Choose a unit of this property, or the whole property.")
			} else if err != nil {
				return err
			}
		}
		cat, err := tx.category(ctx, s.CompanyID, in.CategoryID)
		if err != nil {
			return err
		}
		answers, verr := validateRequest(&in, cat, lintel.DateOf(tx.Now))
		for k, v := range lintel.FieldsOf(verr) {
			fe.Add(k, v)
		}
		req := lintel.Request{CompanyID: s.CompanyID, PropertyID: in.PropertyID, UnitID: in.UnitID, CategoryID: cat.ID, CategoryName: cat.Name,
			CreatedByStaffID: s.UserID, Summary: in.Summary, Description: in.Description, OccurredOn: in.OccurredOn, AccessTimes: in.AccessTimes,
			PermissionToEnter: in.PermissionToEnter, Pets: in.Pets, Priority: in.Priority, Answers: answers}
		requester := s.Name + " (staff)"
		if in.TenantContactID != 0 {
			// The tenant's lease covering today on this unit or, for a common
			// area, on the property.
			err := tx.get(ctx, `SELECT l.id, c.name FROM lease_tenants lt
				JOIN leases l ON l.id = lt.lease_id AND l.company_id = lt.company_id
				JOIN units lu ON lu.id = l.unit_id
				JOIN contacts c ON c.id = lt.contact_id
				WHERE lt.contact_id = $1 AND lt.company_id = $2 AND lu.property_id = $3 AND ($4 = 0 OR lu.id = $4 OR $4 IN (SELECT id FROM units WHERE common_area AND property_id = $3))
					AND l.archived_at IS NULL AND l.start_date <= $5 AND (l.end_date IS NULL OR l.end_date >= $5)
				ORDER BY l.start_date DESC LIMIT 1`,
				[]any{in.TenantContactID, s.CompanyID, in.PropertyID, in.UnitID, lintel.DateOf(tx.Now)}, &req.LeaseID, &requester)
			if lintel.IsNotFound(err) {
				fe.Add("tenant_id", "This tenant has no current lease here. Choose a tenant of this unit, or nobody.")
			} else if err != nil {
				return err
			}
			req.RequestedByContact = in.TenantContactID
		}
		if err := fe.Err(); err != nil {
			return err
		}
		id, err = tx.insertRequest(ctx, &req, photos, requester)
		if err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "request.create", "request", id, req.Summary)
	})
	if err != nil {
		return 0, fmt.Errorf("create request: %w", err)
	}
	return id, nil
}

// insertRequest writes a validated request, its answers, photos and first
// timeline event.
func (tx *Tx) insertRequest(ctx context.Context, req *lintel.Request, photos []NewPhoto, actor string) (int64, error) {
	now := ts(tx.Now)
	var err error
	req.Status, req.Version = lintel.StatusSubmitted, 1
	req.ID, err = tx.insert(ctx, `INSERT INTO requests (company_id, property_id, unit_id, lease_id, category_id, category_name,
		requested_by_user_id, requested_by_contact_id, created_by_staff_id, summary, description, occurred_on, access_times,
		permission_to_enter, pets, priority, status, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 1, $18, $18)`,
		req.CompanyID, req.PropertyID, nullID(req.UnitID), nullID(req.LeaseID), nullID(req.CategoryID), req.CategoryName,
		nullID(req.RequestedByUserID), nullID(req.RequestedByContact), nullID(req.CreatedByStaffID), req.Summary, req.Description,
		nullDate(req.OccurredOn), strings.Join(req.AccessTimes, "\n"), req.PermissionToEnter, req.Pets, string(req.Priority),
		string(req.Status), now)
	if err != nil {
		return 0, err
	}
	for i, a := range req.Answers {
		if _, err := tx.exec(ctx, `INSERT INTO request_answers (company_id, request_id, question_id, prompt, answer, position) VALUES ($1, $2, $3, $4, $5, $6)`,
			req.CompanyID, req.ID, nullID(a.QuestionID), a.Prompt, a.Answer, i); err != nil {
			return 0, err
		}
	}
	for _, p := range photos {
		if p.Phase == "" {
			p.Phase = "resident"
		}
		if _, err := tx.addPhoto(ctx, req.CompanyID, req.ID, 0, p, actor); err != nil {
			return 0, err
		}
	}
	if err := tx.addEvent(ctx, Event{CompanyID: req.CompanyID, RequestID: req.ID, Kind: EventStatus, Audience: AudienceResidents,
		Actor: actor, Body: "Request submitted"}); err != nil {
		return 0, err
	}
	return req.ID, nil
}

// noticeStaff e-mails the company's dispatching staff about req.
func (tx *Tx) noticeStaff(ctx context.Context, req lintel.Request, compose func(RequestNotice) ([]lintel.Email, error)) error {
	if compose == nil {
		return nil
	}
	n := RequestNotice{Request: req}
	if err := tx.get(ctx, `SELECT name FROM companies WHERE id = $1`, []any{req.CompanyID}, &n.CompanyName); err != nil {
		return err
	}
	var err error
	if n.Staff, err = tx.dispatchers(ctx, req.CompanyID); err != nil {
		return err
	}
	msgs, err := compose(n)
	if err != nil {
		return err
	}
	return tx.enqueueAll(ctx, req.CompanyID, msgs)
}

// dispatchers are the company's active staff who dispatch maintenance.
func (tx *Tx) dispatchers(ctx context.Context, companyID int64) ([]Recipient, error) {
	rows, err := tx.QueryContext(ctx, `SELECT u.email, u.name FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.company_id = $1 AND m.disabled_at IS NULL AND u.disabled_at IS NULL AND m.role IN ('admin','manager','maintenance')
		ORDER BY u.email`, companyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Recipient
	for rows.Next() {
		var r Recipient
		if err := rows.Scan(&r.Email, &r.Name); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// enqueueAll writes msgs to the outbox for the company.
func (tx *Tx) enqueueAll(ctx context.Context, companyID int64, msgs []lintel.Email) error {
	for _, m := range msgs {
		m.CompanyID = companyID
		if err := tx.enqueueEmail(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// addPhoto records a photo (and its thumbnail) of a request, from a visit
// when visitID is not 0, with an event on the timeline.
func (tx *Tx) addPhoto(ctx context.Context, companyID, requestID, visitID int64, p NewPhoto, actor string) (int64, error) {
	fileID, err := tx.insertFile(ctx, companyID, p.File, actor)
	if err != nil {
		return 0, err
	}
	var thumb any
	if p.Thumb.Key != "" {
		id, err := tx.insertFile(ctx, companyID, p.Thumb, actor)
		if err != nil {
			return 0, err
		}
		thumb = id
	}
	return tx.insert(ctx, `INSERT INTO request_photos (company_id, request_id, visit_id, file_id, thumb_file_id, phase, caption, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, companyID, requestID, nullID(visitID), fileID, thumb, p.Phase, p.Caption, ts(tx.Now))
}

// nullID stores 0 as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// nullDate stores the zero date as NULL.
func nullDate(d lintel.Date) any {
	if d.IsZero() {
		return nil
	}
	return d
}

// Timeline event kinds and audiences.
const (
	EventStatus   = "status"   // the request moved to another status
	EventNote     = "note"     // someone wrote something
	EventVisit    = "visit"    // an operator was assigned, scheduled, came
	EventPhoto    = "photo"    // photos were added
	EventApproval = "approval" // owner approval asked, given, declined

	AudienceResidents = "residents" // tenants and owners see it (and staff)
	AudienceStaff     = "staff"     // staff only
)

// Event is one entry of a request's timeline.
type Event struct {
	ID        int64
	CompanyID int64
	RequestID int64
	VisitID   int64
	Kind      string
	Audience  string
	Actor     string
	Body      string
	At        time.Time
}

// addEvent appends to a request's timeline.
func (tx *Tx) addEvent(ctx context.Context, e Event) error {
	_, err := tx.exec(ctx, `INSERT INTO request_events (company_id, request_id, visit_id, kind, audience, actor, body, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, e.CompanyID, e.RequestID, nullID(e.VisitID), e.Kind, e.Audience, e.Actor, e.Body, ts(tx.Now))
	return err
}

// ErrStale is what a change answers when the request changed since the
// person loaded it: two concurrent decisions make one transition.
var ErrStale = lintel.Conflict("Someone else changed this request a moment ago. Reload the page to see where it stands, then try again.")

// moveRequest changes a request's status, if the move is allowed and the
// request is still at version seen (0: whatever version it is at now,
// for moves that follow from another checked change). It appends the
// status change to the timeline for residents.
func (tx *Tx) moveRequest(ctx context.Context, companyID, requestID int64, seen int, to lintel.RequestStatus, actor string) error {
	var from lintel.RequestStatus
	var version int
	if err := tx.get(ctx, `SELECT status, version FROM requests WHERE id = $1 AND company_id = $2`, []any{requestID, companyID}, &from, &version); err != nil {
		return err
	}
	if seen != 0 && seen != version {
		return ErrStale
	}
	if !from.CanMove(to) {
		return lintel.Conflict(fmt.Sprintf("This request is %s; it cannot become %s.", strings.ToLower(from.Label()), strings.ToLower(to.Label())))
	}
	closed := any(nil)
	if to == lintel.StatusClosed || to == lintel.StatusCancelled {
		closed = ts(tx.Now)
	}
	res, err := tx.exec(ctx, `UPDATE requests SET status = $1, version = version + 1, updated_at = $2, closed_at = $3
		WHERE id = $4 AND company_id = $5 AND version = $6`, string(to), ts(tx.Now), closed, requestID, companyID, version)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return ErrStale
	}
	if from == to {
		return nil
	}
	return tx.addEvent(ctx, Event{CompanyID: companyID, RequestID: requestID, Kind: EventStatus, Audience: AudienceResidents,
		Actor: actor, Body: to.Label()})
}

// requestCols are the columns scanRequest reads; the query joins
// properties p, units un (LEFT) and contacts rc (LEFT, the requester).
const requestCols = `r.id, r.company_id, r.property_id, p.name, p.address_line1, COALESCE(r.unit_id, 0), COALESCE(un.label, ''),
	COALESCE(un.common_area, FALSE), COALESCE(r.lease_id, 0), COALESCE(r.category_id, 0), r.category_name,
	COALESCE(r.requested_by_user_id, 0), COALESCE(r.requested_by_contact_id, 0), COALESCE(rc.name, ''), COALESCE(r.created_by_staff_id, 0),
	r.summary, r.description, r.occurred_on, r.access_times, r.permission_to_enter, r.pets, r.priority, r.status, r.version,
	r.staff_notes, r.created_at, r.updated_at, r.closed_at`

// requestColsOutside are requestCols for readers outside the staff
// (residents, the operator of a visit): staff notes are never read for
// them, so no page or e-mail built from the result can show them
// (SECURITY.md 35).
var requestColsOutside = func() string {
	c := strings.Replace(requestCols, "r.staff_notes,", "'' AS staff_notes,", 1)
	if c == requestCols {
		panic("sqldb: requestCols no longer reads r.staff_notes; update requestColsOutside")
	}
	return c
}()

// detailAudience is who a request's details are read for.
type detailAudience int

const (
	forStaff detailAudience = iota
	// forResidents leaves out staff notes, staff-only events and what
	// the operators told the manager or billed.
	forResidents
	// forOperator is the operator of one visit, through its link: staff
	// notes, events and approvals are not read at all.
	forOperator
)

const requestFrom = ` FROM requests r JOIN properties p ON p.id = r.property_id
	LEFT JOIN units un ON un.id = r.unit_id LEFT JOIN contacts rc ON rc.id = r.requested_by_contact_id`

func scanRequest(row scanner, q *lintel.Request) error {
	var access string
	err := row.Scan(&q.ID, &q.CompanyID, &q.PropertyID, &q.PropertyName, &q.PropertyAddress, &q.UnitID, &q.UnitLabel,
		&q.CommonArea, &q.LeaseID, &q.CategoryID, &q.CategoryName,
		&q.RequestedByUserID, &q.RequestedByContact, &q.RequesterName, &q.CreatedByStaffID,
		&q.Summary, &q.Description, &q.OccurredOn, &access, &q.PermissionToEnter, &q.Pets, &q.Priority, &q.Status, &q.Version,
		&q.StaffNotes, at(&q.CreatedAt), at(&q.UpdatedAt), at(&q.ClosedAt))
	if access != "" {
		q.AccessTimes = strings.Split(access, "\n")
	}
	return err
}

// RequestDetail is a request with everything its page shows. What it
// holds depends on who asked: residents get resident-visible events and no
// staff notes.
type RequestDetail struct {
	Request   lintel.Request
	Events    []Event
	Visits    []lintel.Visit
	Photos    []Photo
	Approvals []lintel.Approval
}

// Photo is a photo of a request.
type Photo struct {
	ID        int64
	RequestID int64
	VisitID   int64
	Phase     string
	Caption   string
	HasThumb  bool
	By        string
	At        time.Time
}

// requestDetail reads request id of the company, leaving out what the
// audience must not see.
func (tx *Tx) requestDetail(ctx context.Context, companyID, id int64, who detailAudience) (RequestDetail, error) {
	var d RequestDetail
	cols := requestCols
	if who != forStaff {
		cols = requestColsOutside
	}
	if err := scanRequest(tx.QueryRowContext(ctx, `SELECT `+cols+requestFrom+` WHERE r.id = $1 AND r.company_id = $2`, id, companyID), &d.Request); err != nil {
		return d, mapErr(err)
	}
	if err := tx.requestAnswers(ctx, &d.Request); err != nil {
		return d, err
	}
	if who == forOperator {
		var err error
		if d.Visits, err = tx.visitsOf(ctx, companyID, id); err != nil {
			return d, err
		}
		d.Photos, err = tx.photosOf(ctx, companyID, id)
		return d, err
	}
	q := `SELECT id, COALESCE(visit_id, 0), kind, audience, actor, body, created_at FROM request_events WHERE request_id = $1 AND company_id = $2`
	if who == forResidents {
		q += ` AND audience = 'residents'`
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY id`, id, companyID)
	if err != nil {
		return d, err
	}
	defer rows.Close()
	for rows.Next() {
		e := Event{CompanyID: companyID, RequestID: id}
		if err := rows.Scan(&e.ID, &e.VisitID, &e.Kind, &e.Audience, &e.Actor, &e.Body, at(&e.At)); err != nil {
			return d, err
		}
		d.Events = append(d.Events, e)
	}
	if err := rows.Err(); err != nil {
		return d, err
	}
	rows.Close()
	if d.Visits, err = tx.visitsOf(ctx, companyID, id); err != nil {
		return d, err
	}
	if who == forResidents {
		for i := range d.Visits {
			d.Visits[i].ManagerNotes = ""
			d.Visits[i].InvoiceNumber, d.Visits[i].InvoiceAmountMinor, d.Visits[i].InvoiceTaxMinor, d.Visits[i].InvoiceFileID = "", nil, nil, 0
		}
	}
	if d.Photos, err = tx.photosOf(ctx, companyID, id); err != nil {
		return d, err
	}
	d.Approvals, err = tx.approvalsOf(ctx, companyID, id)
	return d, err
}

func (tx *Tx) requestAnswers(ctx context.Context, q *lintel.Request) error {
	rows, err := tx.QueryContext(ctx, `SELECT COALESCE(question_id, 0), prompt, answer FROM request_answers
		WHERE request_id = $1 AND company_id = $2 ORDER BY position, id`, q.ID, q.CompanyID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a lintel.Answer
		if err := rows.Scan(&a.QuestionID, &a.Prompt, &a.Answer); err != nil {
			return err
		}
		q.Answers = append(q.Answers, a)
	}
	return rows.Err()
}

// visitCols are the columns scanVisit reads from visits v joined with the
// operator's contact o.
const visitCols = `v.id, v.company_id, v.request_id, v.operator_id, o.name, v.status, v.scheduled_at, v.tenant_notes, v.manager_notes,
	v.outcome_reason, v.follow_up, v.follow_up_reason, v.invoice_number, v.invoice_date, v.invoice_amount_minor, v.invoice_tax_minor,
	COALESCE(v.invoice_file_id, 0), v.token_revoked_at, v.token_last_opened_at, v.created_at, v.updated_at, v.completed_at`

func scanVisit(row scanner, v *lintel.Visit) error {
	var amount, tax sql.NullInt64
	err := row.Scan(&v.ID, &v.CompanyID, &v.RequestID, &v.OperatorID, &v.OperatorName, &v.Status, at(&v.ScheduledAt), &v.TenantNotes, &v.ManagerNotes,
		&v.OutcomeReason, &v.FollowUp, &v.FollowUpReason, &v.InvoiceNumber, &v.InvoiceDate, &amount, &tax,
		&v.InvoiceFileID, at(&v.TokenRevoked), at(&v.TokenLastOpened), at(&v.CreatedAt), at(&v.UpdatedAt), at(&v.CompletedAt))
	if amount.Valid {
		v.InvoiceAmountMinor = &amount.Int64
	}
	if tax.Valid {
		v.InvoiceTaxMinor = &tax.Int64
	}
	return err
}

// visitsOf lists a request's visits, oldest first.
func (tx *Tx) visitsOf(ctx context.Context, companyID, requestID int64) ([]lintel.Visit, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+visitCols+` FROM visits v JOIN contacts o ON o.id = v.operator_id
		WHERE v.request_id = $1 AND v.company_id = $2 ORDER BY v.id`, requestID, companyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []lintel.Visit
	for rows.Next() {
		var v lintel.Visit
		if err := scanVisit(rows, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// photosOf lists a request's photos, oldest first.
func (tx *Tx) photosOf(ctx context.Context, companyID, requestID int64) ([]Photo, error) {
	rows, err := tx.QueryContext(ctx, `SELECT ph.id, ph.request_id, COALESCE(ph.visit_id, 0), ph.phase, ph.caption, ph.thumb_file_id IS NOT NULL,
		f.uploaded_by, ph.created_at FROM request_photos ph JOIN files f ON f.id = ph.file_id
		WHERE ph.request_id = $1 AND ph.company_id = $2 ORDER BY ph.id`, requestID, companyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Photo
	for rows.Next() {
		var p Photo
		if err := rows.Scan(&p.ID, &p.RequestID, &p.VisitID, &p.Phase, &p.Caption, &p.HasThumb, &p.By, at(&p.At)); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// approvalsOf lists a request's approval requests, oldest first.
func (tx *Tx) approvalsOf(ctx context.Context, companyID, requestID int64) ([]lintel.Approval, error) {
	rows, err := tx.QueryContext(ctx, `SELECT a.id, a.company_id, a.request_id, a.estimate_minor, a.notes, COALESCE(a.quote_file_id, 0), a.status,
		COALESCE(c.name, ''), a.decision_comment, a.decided_at, a.created_at
		FROM approvals a LEFT JOIN contacts c ON c.id = a.decided_by_contact_id
		WHERE a.request_id = $1 AND a.company_id = $2 ORDER BY a.id`, requestID, companyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []lintel.Approval
	for rows.Next() {
		var a lintel.Approval
		if err := rows.Scan(&a.ID, &a.CompanyID, &a.RequestID, &a.EstimateMinor, &a.Notes, &a.QuoteFileID, &a.Status,
			&a.DecidedByName, &a.DecisionComment, at(&a.DecidedAt), at(&a.CreatedAt)); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// StaffRequest reads one of the staff member's company's requests with
// everything on its page.
func (db *DB) StaffRequest(ctx context.Context, s lintel.Staff, id int64) (RequestDetail, error) {
	var d RequestDetail
	err := db.view(ctx, func(tx *Tx) (err error) {
		d, err = tx.requestDetail(ctx, s.CompanyID, id, forStaff)
		return err
	})
	if err != nil {
		return RequestDetail{}, fmt.Errorf("read request %d: %w", id, err)
	}
	return d, nil
}

// myRequests selects, after myContacts, the ids and companies of the
// requests a resident may see: those of every lease they are or were a
// tenant on (co-tenants share them), and those of the assets they own (a
// whole property's owner sees all of it, a unit's owner only that unit).
const myRequests = `, mine AS (
	SELECT r.id, r.company_id FROM requests r
	JOIN lease_tenants lt ON lt.lease_id = r.lease_id AND lt.company_id = r.company_id
	JOIN me ON me.id = lt.contact_id AND me.is_tenant
	UNION
	SELECT r.id, r.company_id FROM requests r
	JOIN ownerships o ON o.company_id = r.company_id AND o.property_id = r.property_id AND o.archived_at IS NULL
		AND (o.unit_id IS NULL OR o.unit_id = r.unit_id)
	JOIN me ON me.id = o.contact_id AND me.is_owner)
`

// ResidentRequestFilter chooses what a resident's list shows.
type ResidentRequestFilter struct {
	HideCancelled bool
	Before        int64 // the page after this request id (newest first)
	Limit         int
}

// ResidentRequestPage is one page of a resident's requests, newest first.
type ResidentRequestPage struct {
	Requests   []ResidentRequestItem
	NextBefore int64 // 0: no more
}

// ResidentRequestItem is one line of a resident's list. Its Request holds
// what a line shows (ids, place, category, summary, priority, status,
// version, created); the rest, such as the description, is on the
// request's page.
type ResidentRequestItem struct {
	lintel.Request
	CompanyName     string
	PendingApproval bool // an owner's decision is awaited
}

// ResidentRequests lists the requests the resident may see, newest first.
// It reads at most a page from each of the person's leases and owned
// assets (the sources of myRequests) through their (…, id) indexes and
// keeps the newest page of those, so a page costs the same however long
// their history is; myRequests itself would gather every request of every
// source first.
func (db *DB) ResidentRequests(ctx context.Context, r lintel.Resident, f ResidentRequestFilter) (ResidentRequestPage, error) {
	var out ResidentRequestPage
	limit := pageSize(f.Limit)
	err := db.view(ctx, func(tx *Tx) error {
		args := sqlArgs{r.UserID}
		cond := ``
		if f.HideCancelled {
			cond += ` AND r2.status <> 'cancelled'`
		}
		if f.Before > 0 {
			cond += ` AND r2.id < ` + args.add(f.Before)
		}
		lim := args.add(limit + 1)
		newest := func(match string) string {
			return `SELECT r2.id FROM requests r2 WHERE ` + match + cond + ` ORDER BY r2.id DESC LIMIT ` + lim
		}
		// PostgreSQL runs a correlated IN (subquery) as a filter on every
		// request; LATERAL is its per-source look-up. SQLite has no
		// LATERAL, and runs the IN list once per source.
		source := func(match string) string {
			if db.dialect == Postgres {
				return ` CROSS JOIN LATERAL (` + newest(match) + `) r`
			}
			return ` JOIN requests r ON r.id IN (` + newest(match) + `)`
		}
		// CROSS JOIN keeps SQLite starting from the person's few contacts
		// rather than scanning the company's ownerships.
		q := myContacts + `, mine AS (
			SELECT r.id FROM me CROSS JOIN lease_tenants lt` + source(`r2.lease_id = lt.lease_id AND r2.company_id = lt.company_id`) + `
			WHERE me.is_tenant AND lt.contact_id = me.id AND lt.company_id = me.company_id
			UNION ALL
			SELECT r.id FROM me CROSS JOIN ownerships o` + source(`r2.property_id = o.property_id AND r2.company_id = o.company_id`) + `
			WHERE me.is_owner AND o.contact_id = me.id AND o.company_id = me.company_id AND o.archived_at IS NULL AND o.unit_id IS NULL
			UNION ALL
			SELECT r.id FROM me CROSS JOIN ownerships o` + source(`r2.unit_id = o.unit_id AND r2.property_id = o.property_id AND r2.company_id = o.company_id`) + `
			WHERE me.is_owner AND o.contact_id = me.id AND o.company_id = me.company_id AND o.archived_at IS NULL AND o.unit_id IS NOT NULL)
		SELECT r.id, r.company_id, r.property_id, p.name, COALESCE(r.unit_id, 0), COALESCE(un.label, ''), COALESCE(un.common_area, FALSE),
			COALESCE(r.lease_id, 0), COALESCE(r.category_id, 0), r.category_name, r.summary, r.priority, r.status, r.version, r.created_at,
			co.name, EXISTS (SELECT 1 FROM approvals a WHERE a.request_id = r.id AND a.status = 'pending')
		FROM requests r JOIN properties p ON p.id = r.property_id LEFT JOIN units un ON un.id = r.unit_id
		JOIN companies co ON co.id = r.company_id WHERE r.id IN (SELECT id FROM mine)
		ORDER BY r.id DESC LIMIT ` + lim
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var it ResidentRequestItem
			q := &it.Request
			if err := rows.Scan(&q.ID, &q.CompanyID, &q.PropertyID, &q.PropertyName, &q.UnitID, &q.UnitLabel, &q.CommonArea,
				&q.LeaseID, &q.CategoryID, &q.CategoryName, &q.Summary, &q.Priority, &q.Status, &q.Version, at(&q.CreatedAt),
				&it.CompanyName, &it.PendingApproval); err != nil {
				return err
			}
			out.Requests = append(out.Requests, it)
		}
		return rows.Err()
	})
	if err != nil {
		return ResidentRequestPage{}, fmt.Errorf("list requests: %w", err)
	}
	if len(out.Requests) > limit {
		out.Requests = out.Requests[:limit]
		out.NextBefore = out.Requests[limit-1].ID
	}
	return out, nil
}

// residentCompanyOf returns the company of request id when the resident
// may see it, and lintel.ErrNotFound otherwise.
func (tx *Tx) residentCompanyOf(ctx context.Context, r lintel.Resident, id int64) (int64, error) {
	var companyID int64
	err := tx.get(ctx, myContacts+myRequests+`SELECT company_id FROM mine WHERE id = $2`, []any{r.UserID, id}, &companyID)
	return companyID, err
}

// ResidentRequest reads a request the resident may see, with its
// resident-visible timeline.
func (db *DB) ResidentRequest(ctx context.Context, r lintel.Resident, id int64) (RequestDetail, error) {
	var d RequestDetail
	err := db.view(ctx, func(tx *Tx) error {
		companyID, err := tx.residentCompanyOf(ctx, r, id)
		if err != nil {
			return err
		}
		d, err = tx.requestDetail(ctx, companyID, id, forResidents)
		return err
	})
	if err != nil {
		return RequestDetail{}, fmt.Errorf("read request %d: %w", id, err)
	}
	return d, nil
}

// StoredFile is a file's storage key and how to serve it.
type StoredFile struct {
	Key         string
	Name        string
	ContentType string
	Size        int64
}

// photoFile reads photo photoID of request requestID (its thumbnail when
// thumb and one exists).
func (tx *Tx) photoFile(ctx context.Context, companyID, requestID, photoID int64, thumb bool) (StoredFile, error) {
	col := "ph.file_id"
	if thumb {
		col = "COALESCE(ph.thumb_file_id, ph.file_id)"
	}
	var f StoredFile
	err := tx.get(ctx, `SELECT f.storage_key, f.name, f.content_type, f.size FROM request_photos ph JOIN files f ON f.id = `+col+`
		WHERE ph.id = $1 AND ph.request_id = $2 AND ph.company_id = $3`, []any{photoID, requestID, companyID}, &f.Key, &f.Name, &f.ContentType, &f.Size)
	return f, err
}

// ResidentPhoto returns a photo of a request the resident may see.
func (db *DB) ResidentPhoto(ctx context.Context, r lintel.Resident, requestID, photoID int64, thumb bool) (StoredFile, error) {
	var f StoredFile
	err := db.view(ctx, func(tx *Tx) error {
		companyID, err := tx.residentCompanyOf(ctx, r, requestID)
		if err != nil {
			return err
		}
		f, err = tx.photoFile(ctx, companyID, requestID, photoID, thumb)
		return err
	})
	return f, err
}

// StaffPhoto returns a photo of one of the company's requests.
func (db *DB) StaffPhoto(ctx context.Context, s lintel.Staff, requestID, photoID int64, thumb bool) (StoredFile, error) {
	var f StoredFile
	err := db.view(ctx, func(tx *Tx) (err error) {
		f, err = tx.photoFile(ctx, s.CompanyID, requestID, photoID, thumb)
		return err
	})
	return f, err
}
