package sqldb

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"lintel.dev/lintel/internal/lintel"
)

// The manager's maintenance desk: the list with its filters, the counts on
// the dashboard, editing a request and moving it by hand (cancel, close,
// reopen). Dispatch (assigning operators, links, schedules) lives in
// visits_manage.go; the shared core in requests.go and visits.go.

// Status filters of the manager's list besides the lintel.RequestStatus
// values themselves.
const (
	FilterOpen      = "open"      // every open status (the default)
	FilterAll       = "all"       // everything, closed and cancelled too
	FilterAttention = "attention" // open, and the latest visit ended unable or asks for a follow-up
)

// RequestFilter chooses what the manager's list shows. Zero values filter
// nothing, except Status: "" means FilterOpen.
type RequestFilter struct {
	Status        string // FilterOpen, FilterAll, FilterAttention or a lintel.RequestStatus
	PropertyID    int64
	CategoryID    int64
	OperatorID    int64 // the operator of the request's latest visit
	OlderThanDays int   // created more than this many days ago
	Search        string
	Before        int64 // the page after this id (newest first)
	After         int64 // the page before this id
	Limit         int
}

// RequestListItem is one line of the manager's list.
type RequestListItem struct {
	ID           int64
	Summary      string
	PropertyID   int64
	PropertyName string
	UnitLabel    string
	CommonArea   bool
	CategoryName string
	Status       lintel.RequestStatus
	Priority     lintel.Priority
	CreatedAt    time.Time
	OperatorName string             // of the latest visit, "" when none
	VisitStatus  lintel.VisitStatus // of the latest visit
	FollowUp     lintel.FollowUp    // of the latest visit
}

// NeedsDecision reports whether the latest visit ended in a way the
// manager must act on: unable to complete, or a follow-up asked for.
func (it RequestListItem) NeedsDecision() bool {
	return it.Status.Open() && (it.VisitStatus == lintel.VisitUnable || it.FollowUp != lintel.FollowUpNone)
}

// Place is the request's place in plain words.
func (it RequestListItem) Place() string {
	switch {
	case it.UnitLabel == "":
		return it.PropertyName
	case it.CommonArea:
		return it.PropertyName + " · " + it.UnitLabel + " (common area)"
	}
	return it.PropertyName + " · " + it.UnitLabel
}

// RequestList is one page of the manager's list, newest first, with the
// cursors of the pages either side (0 at either end).
type RequestList struct {
	Requests []RequestListItem
	Next     int64 // Before for the next (older) page
	Prev     int64 // After for the previous (newer) page
}

// openCondition is the condition of the requests_open index, word for word
// (migration 0008): the engines only use a partial index when the query
// says what it says.
const openCondition = `r.status NOT IN ('closed','cancelled')`

// attentionRequests selects the ids of company $1's requests whose latest
// visit ended unable to complete or asked for a follow-up. It starts from
// those visits (few, in the partial index visits_attention) and keeps the
// ones still latest (requests.latest_visit_id, kept by a trigger: see
// migration 0008).
const attentionRequests = `SELECT av.request_id FROM visits av JOIN requests lr ON lr.id = av.request_id AND lr.latest_visit_id = av.id
	WHERE av.company_id = $1 AND (av.status = 'unable' OR av.follow_up <> '')`

// ListRequests lists the staff member's company's requests, newest first,
// one keyset page at a time.
func (db *DB) ListRequests(ctx context.Context, s lintel.Staff, f RequestFilter) (RequestList, error) {
	var out RequestList
	limit := pageSize(f.Limit)
	args := sqlArgs{s.CompanyID}
	where := ` WHERE r.company_id = $1`
	switch st := lintel.RequestStatus(f.Status); {
	case f.Status == "" || f.Status == FilterOpen:
		where += ` AND ` + openCondition
	case f.Status == FilterAttention:
		where += ` AND ` + openCondition + ` AND r.id IN (` + attentionRequests + `)`
	case f.Status == FilterAll:
	case st.Valid():
		where += ` AND r.status = ` + args.add(f.Status)
	default:
		return out, lintel.FieldErrors{"status": "Choose a status from the list."}.Err()
	}
	if f.PropertyID != 0 {
		where += ` AND r.property_id = ` + args.add(f.PropertyID)
	}
	if f.CategoryID != 0 {
		where += ` AND r.category_id = ` + args.add(f.CategoryID)
	}
	if f.OperatorID != 0 {
		where += ` AND r.latest_operator_id = ` + args.add(f.OperatorID)
	}
	if f.OlderThanDays > 0 {
		where += ` AND r.created_at < ` + args.add(ts(db.now().Add(-time.Duration(f.OlderThanDays)*24*time.Hour)))
	}
	q := strings.TrimSpace(f.Search)
	var ts textSearch
	search := ""
	if q != "" {
		ts = db.newTextSearch(&args, q)
		units := ts.ids("su.id", "units", "su", "units_fts", "$1", "lower(su.label)")
		if db.dialect == Postgres {
			// An array rather than IN (subquery), so that PostgreSQL can
			// OR this index scan with the trigram ones on the request.
			units = `r.unit_id = ANY (ARRAY(` + units + `))`
		} else {
			units = `r.unit_id IN (` + units + `)`
		}
		search = `(` + ts.like("lower(r.summary)", "lower(r.description)") + ` OR ` + units + `)`
	}
	order := ` ORDER BY r.id DESC`
	switch {
	case f.After > 0:
		where += ` AND r.id > ` + args.add(f.After)
		order = ` ORDER BY r.id`
	case f.Before > 0:
		where += ` AND r.id < ` + args.add(f.Before)
	}
	lim := ` LIMIT ` + args.add(limit+1)
	const cols = `SELECT r.id, r.summary, r.property_id, p.name, COALESCE(un.label, ''), COALESCE(un.common_area, FALSE), r.category_name,
		r.status, r.priority, r.created_at, COALESCE(o.name, ''), COALESCE(cv.status, ''), COALESCE(cv.follow_up, '')`
	// +r.property_id: the requests lead, in the list's order. SQLite would
	// otherwise start from the properties, through any index on
	// requests.property_id, and sort, or index a search window's rows
	// afresh to join them.
	const joins = ` JOIN properties p ON p.id = +r.property_id LEFT JOIN units un ON un.id = r.unit_id
		LEFT JOIN visits cv ON cv.id = r.latest_visit_id
		LEFT JOIN contacts o ON o.id = cv.operator_id`
	err := db.view(ctx, func(tx *Tx) error {
		if err := ts.plan(ctx, tx); err != nil {
			return err
		}
		var err error
		if !ts.indexed() {
			plain := where
			if search != "" {
				plain += ` AND ` + search
			}
			out.Requests, err = tx.queryRequestList(ctx, cols+` FROM requests r`+joins+plain+order+lim, args...)
			return err
		}
		// A common word is found soonest by reading the newest requests in
		// order, a rare one through the trigram index, and neither engine
		// can tell which a word is (PostgreSQL's planner takes a rare word
		// for a common one, and reads every row). So the newest
		// searchWindow requests go first, and the index only when they
		// hold less than a page. SQLite's FTS5 index can say cheaply that
		// a word is rare (few candidate rows in all), and then the index
		// alone answers.
		if ts.fts != "" {
			rare, err := tx.rareInFTS(ctx, "requests_fts", q)
			if err != nil {
				return err
			}
			if rare {
				out.Requests, err = tx.queryRequestList(ctx, cols+` FROM requests r`+joins+where+` AND `+search+
					` AND `+ts.candidates("r.id", "requests_fts")+order+lim, args...)
				return err
			}
		}
		window := cols + ` FROM (SELECT * FROM requests r` + where + order + ` LIMIT ` + strconv.Itoa(searchWindow) + `) r` + joins +
			` WHERE ` + search + order + lim
		if out.Requests, err = tx.queryRequestList(ctx, window, args...); err != nil || len(out.Requests) > limit {
			return err
		}
		indexed := where + ` AND ` + search
		byIndex := order
		if c := ts.candidates("r.id", "requests_fts"); c != "" {
			indexed += ` AND ` + c
		} else if ts.trigram {
			// An order no index gives, as textSearch.sortKey does for text.
			byIndex = strings.Replace(order, "r.id", "r.id + 0", 1)
		}
		out.Requests, err = tx.queryRequestList(ctx, cols+` FROM requests r`+joins+indexed+byIndex+lim, args...)
		return err
	})
	if err != nil {
		return RequestList{}, fmt.Errorf("list requests: %w", err)
	}
	more := len(out.Requests) > limit
	if more {
		out.Requests = out.Requests[:limit]
	}
	if f.After > 0 {
		// Read oldest first to find the page just above the cursor; show it
		// newest first like every page.
		for i, j := 0, len(out.Requests)-1; i < j; i, j = i+1, j-1 {
			out.Requests[i], out.Requests[j] = out.Requests[j], out.Requests[i]
		}
	}
	if n := len(out.Requests); n > 0 {
		if more || f.After > 0 {
			out.Next = out.Requests[n-1].ID
		}
		if (f.After > 0 && more) || f.Before > 0 {
			out.Prev = out.Requests[0].ID
		}
	}
	return out, nil
}

// searchWindow is how many of the newest requests a search reads in order
// before it turns to the trigram index.
const searchWindow = 1000

// rareCandidates is how many candidate rows of an FTS5 trigram index make
// a search rare enough to answer from the index alone: checking that many
// rows costs less than reading the search window.
const rareCandidates = 200

// rareInFTS reports whether the FTS5 table fts holds fewer than
// rareCandidates rows with the trigrams of q, in every company: it reads
// at most that many ids of the index and no table row.
func (tx *Tx) rareInFTS(ctx context.Context, fts, q string) (bool, error) {
	m, ok := ftsQuery(q)
	if !ok {
		return false, nil
	}
	var n int
	err := tx.get(ctx, `SELECT COUNT(*) FROM (SELECT rowid FROM `+fts+` WHERE `+fts+` MATCH $1 LIMIT `+strconv.Itoa(rareCandidates)+`)`,
		[]any{m}, &n)
	return n < rareCandidates, err
}

func (tx *Tx) queryRequestList(ctx context.Context, q string, args ...any) ([]RequestListItem, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RequestListItem
	for rows.Next() {
		var it RequestListItem
		if err := rows.Scan(&it.ID, &it.Summary, &it.PropertyID, &it.PropertyName, &it.UnitLabel, &it.CommonArea, &it.CategoryName,
			&it.Status, &it.Priority, at(&it.CreatedAt), &it.OperatorName, &it.VisitStatus, &it.FollowUp); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// MaintenanceCounts are the maintenance numbers on the dashboard.
type MaintenanceCounts struct {
	ToTriage      int // submitted, waiting for someone to look at them
	NeedsDecision int // open, and the latest visit ended unable or asks for a follow-up
}

// CountMaintenance counts what waits for the company's dispatchers.
func (db *DB) CountMaintenance(ctx context.Context, s lintel.Staff) (MaintenanceCounts, error) {
	var c MaintenanceCounts
	err := db.view(ctx, func(tx *Tx) error {
		if err := tx.get(ctx, `SELECT COUNT(*) FROM requests WHERE company_id = $1 AND status = 'submitted'`, []any{s.CompanyID}, &c.ToTriage); err != nil {
			return err
		}
		// From the visits (visits_attention): each open request counts
		// once, through its latest visit. Led by the requests, SQLite
		// without statistics walks every request of the company.
		return tx.get(ctx, `SELECT COUNT(*) FROM visits av JOIN requests r ON r.id = av.request_id AND r.latest_visit_id = av.id
			WHERE av.company_id = $1 AND (av.status = 'unable' OR av.follow_up <> '') AND r.company_id = $1 AND `+openCondition,
			[]any{s.CompanyID}, &c.NeedsDecision)
	})
	if err != nil {
		return MaintenanceCounts{}, fmt.Errorf("count maintenance: %w", err)
	}
	return c, nil
}

// Choice is an id and its name, for a select.
type Choice struct {
	ID   int64
	Name string
}

// PropertyChoices lists the company's properties in use, by name, for the
// maintenance filters and the new-request form.
func (db *DB) PropertyChoices(ctx context.Context, s lintel.Staff) ([]Choice, error) {
	var out []Choice
	err := db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, name FROM properties WHERE company_id = $1 AND archived_at IS NULL ORDER BY name, id`, s.CompanyID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c Choice
			if err := rows.Scan(&c.ID, &c.Name); err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list properties: %w", err)
	}
	return out, nil
}

// RequestPlaces is what the new-request form offers at one property: its
// units in use and the tenants of its current leases.
type RequestPlaces struct {
	PropertyID   int64
	PropertyName string
	Units        []PlaceUnit
	Tenants      []PlaceTenant
}

// PlaceUnit is a unit of the property.
type PlaceUnit struct {
	ID         int64
	Label      string
	CommonArea bool
}

// PlaceTenant is a tenant on a current lease of one of the property's units.
type PlaceTenant struct {
	ContactID int64
	Name      string
	UnitID    int64
	UnitLabel string
}

// StaffRequestPlaces reads the units and current tenants of one of the
// company's properties in use.
func (db *DB) StaffRequestPlaces(ctx context.Context, s lintel.Staff, propertyID int64) (RequestPlaces, error) {
	out := RequestPlaces{PropertyID: propertyID}
	err := db.view(ctx, func(tx *Tx) error {
		if err := tx.get(ctx, `SELECT name FROM properties WHERE id = $1 AND company_id = $2 AND archived_at IS NULL`,
			[]any{propertyID, s.CompanyID}, &out.PropertyName); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, label, common_area FROM units WHERE property_id = $1 AND company_id = $2 AND archived_at IS NULL
			ORDER BY common_area, label, id`, propertyID, s.CompanyID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var u PlaceUnit
			if err := rows.Scan(&u.ID, &u.Label, &u.CommonArea); err != nil {
				return err
			}
			out.Units = append(out.Units, u)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		today := lintel.DateOf(tx.Now)
		rows, err = tx.QueryContext(ctx, `SELECT DISTINCT c.id, c.name, u.id, u.label FROM units u
			JOIN leases l ON l.unit_id = u.id AND l.company_id = u.company_id
			JOIN lease_tenants lt ON lt.lease_id = l.id
			JOIN contacts c ON c.id = lt.contact_id AND c.archived_at IS NULL
			WHERE u.property_id = $1 AND u.company_id = $2 AND u.archived_at IS NULL AND l.archived_at IS NULL
				AND l.start_date <= $3 AND (l.end_date IS NULL OR l.end_date >= $3)
			ORDER BY u.label, u.id, c.name, c.id`, propertyID, s.CompanyID, today)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t PlaceTenant
			if err := rows.Scan(&t.ContactID, &t.Name, &t.UnitID, &t.UnitLabel); err != nil {
				return err
			}
			out.Tenants = append(out.Tenants, t)
		}
		return rows.Err()
	})
	if err != nil {
		return RequestPlaces{}, fmt.Errorf("read property %d: %w", propertyID, err)
	}
	return out, nil
}

// RequestEdit is a manager's change to a request's words and triage.
type RequestEdit struct {
	Summary     string // resident-visible
	Description string // for staff and the contractor
	StaffNotes  string // staff only
	Priority    lintel.Priority
	CategoryID  int64
	Version     int // the version the page was loaded at
}

const maxStaffNotes = 5000

// UpdateRequest saves a manager's edit of a request, refusing it with
// ErrStale when the request changed since the page was loaded. A changed
// summary shows on the residents' timeline; the rest on the staff's.
func (db *DB) UpdateRequest(ctx context.Context, s lintel.Staff, id int64, e RequestEdit) error {
	if err := s.Require(lintel.PermDispatch); err != nil {
		return err
	}
	e.Summary = strings.TrimSpace(e.Summary)
	e.Description = strings.TrimSpace(e.Description)
	e.StaffNotes = strings.TrimSpace(e.StaffNotes)
	fe := lintel.FieldErrors{}
	switch {
	case e.Summary == "":
		fe.Add("summary", "Say in a few words what is wrong, e.g. \"Kitchen tap drips\". Residents see this.")
	case utf8.RuneCountInString(e.Summary) > maxSummary:
		fe.Add("summary", fmt.Sprintf("Keep this under %d characters; put the details in the description.", maxSummary))
	}
	if utf8.RuneCountInString(e.Description) > maxDescription {
		fe.Add("description", fmt.Sprintf("The description is too long (at most %d characters).", maxDescription))
	}
	if utf8.RuneCountInString(e.StaffNotes) > maxStaffNotes {
		fe.Add("staff_notes", fmt.Sprintf("The notes are too long (at most %d characters).", maxStaffNotes))
	}
	if !e.Priority.Valid() {
		fe.Add("priority", "Choose a priority from the list.")
	}
	err := db.update(ctx, func(tx *Tx) error {
		var old lintel.Request
		var category int64
		if err := tx.get(ctx, `SELECT summary, description, staff_notes, priority, COALESCE(category_id, 0), category_name, version
			FROM requests WHERE id = $1 AND company_id = $2`, []any{id, s.CompanyID},
			&old.Summary, &old.Description, &old.StaffNotes, &old.Priority, &category, &old.CategoryName, &old.Version); err != nil {
			return err
		}
		if e.Version != old.Version {
			return ErrStale
		}
		catName := old.CategoryName
		if e.CategoryID != category {
			cat, err := tx.category(ctx, s.CompanyID, e.CategoryID)
			if err != nil {
				return err
			}
			if cat.ID == 0 {
				fe.Add("category_id", "Choose a category from the list.")
			}
			catName = cat.Name
		}
		if err := fe.Err(); err != nil {
			return err
		}
		var changed []string
		if e.Summary != old.Summary {
			changed = append(changed, "summary")
		}
		if e.Description != old.Description {
			changed = append(changed, "description")
		}
		if e.StaffNotes != old.StaffNotes {
			changed = append(changed, "staff notes")
		}
		if e.Priority != old.Priority {
			changed = append(changed, "priority ("+string(e.Priority)+")")
		}
		if e.CategoryID != category {
			changed = append(changed, "category ("+catName+")")
		}
		if len(changed) == 0 {
			return nil
		}
		res, err := tx.exec(ctx, `UPDATE requests SET summary = $1, description = $2, staff_notes = $3, priority = $4, category_id = $5,
			category_name = $6, version = version + 1, updated_at = $7 WHERE id = $8 AND company_id = $9 AND version = $10`,
			e.Summary, e.Description, e.StaffNotes, string(e.Priority), nullID(e.CategoryID), catName, ts(tx.Now), id, s.CompanyID, e.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrStale
		}
		if e.Summary != old.Summary {
			if err := tx.addEvent(ctx, Event{CompanyID: s.CompanyID, RequestID: id, Kind: EventNote, Audience: AudienceResidents,
				Actor: s.Name, Body: "Summary changed to “" + e.Summary + "”"}); err != nil {
				return err
			}
		}
		if err := tx.addEvent(ctx, Event{CompanyID: s.CompanyID, RequestID: id, Kind: EventNote, Audience: AudienceStaff,
			Actor: s.Name, Body: "Edited the " + joinWords(changed) + "."}); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "request.edit", "request", id, strings.Join(changed, ", "))
	})
	if err != nil {
		return fmt.Errorf("edit request %d: %w", id, err)
	}
	return nil
}

// joinWords writes "a", "a and b", "a, b and c".
func joinWords(w []string) string {
	switch len(w) {
	case 0:
		return ""
	case 1:
		return w[0]
	}
	return strings.Join(w[:len(w)-1], ", ") + " and " + w[len(w)-1]
}

// StatusChange is a manager moving a request by hand.
type StatusChange struct {
	To      lintel.RequestStatus // cancelled, closed, or submitted (reopen for triage)
	Reason  string               // shown to residents; required to cancel
	Version int                  // the version the page was loaded at
}

// VisitEnded is an open visit that a manager's status change ended, for
// telling its operator.
type VisitEnded struct {
	CompanyName string
	Request     lintel.Request
	Visit       lintel.Visit
	Operator    Recipient
	Reason      string
}

// SetRequestStatus cancels, closes or reopens (back to submitted, for
// triage) a request, where the lifecycle allows it. An open visit ends with
// it: its link dies at once and compose may tell the operator.
func (db *DB) SetRequestStatus(ctx context.Context, s lintel.Staff, id int64, c StatusChange, compose func(VisitEnded) ([]lintel.Email, error)) error {
	if err := s.Require(lintel.PermDispatch); err != nil {
		return err
	}
	c.Reason = strings.TrimSpace(c.Reason)
	err := db.update(ctx, func(tx *Tx) error {
		var from lintel.RequestStatus
		var version int
		if err := tx.get(ctx, `SELECT status, version FROM requests WHERE id = $1 AND company_id = $2`, []any{id, s.CompanyID}, &from, &version); err != nil {
			return err
		}
		switch {
		case c.To != lintel.StatusCancelled && c.To != lintel.StatusClosed && c.To != lintel.StatusSubmitted:
			return lintel.FieldErrors{"to": "Choose cancel, close or reopen."}.Err()
		case c.To == lintel.StatusCancelled && c.Reason == "":
			return lintel.FieldErrors{"reason": "Say why the request is cancelled; the residents see it."}.Err()
		case utf8.RuneCountInString(c.Reason) > 1000:
			return lintel.FieldErrors{"reason": "Keep this under 1000 characters."}.Err()
		case c.Version == 0 || c.Version != version:
			return ErrStale
		case from == lintel.StatusAwaitingApproval && c.To == lintel.StatusSubmitted:
			return lintel.Conflict("This request is waiting for the owner's approval. Withdraw the approval request to take it back.")
		case !from.CanMove(c.To):
			return lintel.Conflict(fmt.Sprintf("This request is %s, so it cannot be %s.", strings.ToLower(from.Label()), actionWord(c.To)))
		}
		if err := tx.moveRequest(ctx, s.CompanyID, id, c.Version, c.To, s.Name); err != nil {
			return err
		}
		if c.Reason != "" {
			body := c.Reason
			switch c.To {
			case lintel.StatusCancelled:
				body = "Why it was cancelled: " + c.Reason
			case lintel.StatusClosed:
				body = "Closing note: " + c.Reason
			case lintel.StatusSubmitted:
				body = "Reopened: " + c.Reason
			}
			if err := tx.addEvent(ctx, Event{CompanyID: s.CompanyID, RequestID: id, Kind: EventNote, Audience: AudienceResidents,
				Actor: s.Name, Body: body}); err != nil {
				return err
			}
		}
		if err := tx.endOpenVisits(ctx, s, id, c.Reason, compose); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "request.status", "request", id, string(c.To)+": "+c.Reason)
	})
	if err != nil {
		return fmt.Errorf("change request %d: %w", id, err)
	}
	return nil
}

// actionWord is what moving a request to status to is called.
func actionWord(to lintel.RequestStatus) string {
	switch to {
	case lintel.StatusCancelled:
		return "cancelled"
	case lintel.StatusClosed:
		return "closed"
	case lintel.StatusSubmitted:
		return "reopened"
	}
	return "moved to " + strings.ToLower(to.Label())
}

// endOpenVisits cancels the request's open visit, if any, killing its link,
// and lets compose tell the operator.
func (tx *Tx) endOpenVisits(ctx context.Context, s lintel.Staff, requestID int64, reason string, compose func(VisitEnded) ([]lintel.Email, error)) error {
	visits, err := tx.visitsOf(ctx, s.CompanyID, requestID)
	if err != nil {
		return err
	}
	for _, v := range visits {
		if v.Status != lintel.VisitAssigned && v.Status != lintel.VisitScheduled {
			continue
		}
		if _, err := tx.exec(ctx, `UPDATE visits SET status = 'cancelled', token_revoked_at = COALESCE(token_revoked_at, $1), updated_at = $1
			WHERE id = $2 AND company_id = $3`, ts(tx.Now), v.ID, s.CompanyID); err != nil {
			return err
		}
		if err := tx.addEvent(ctx, Event{CompanyID: s.CompanyID, RequestID: requestID, VisitID: v.ID, Kind: EventVisit, Audience: AudienceStaff,
			Actor: s.Name, Body: v.OperatorName + "'s visit was called off; their link no longer works."}); err != nil {
			return err
		}
		if compose == nil {
			continue
		}
		n := VisitEnded{Visit: v, Reason: reason}
		if n.Request, err = tx.staffRequestHead(ctx, s.CompanyID, requestID); err != nil {
			return err
		}
		if err := tx.get(ctx, `SELECT name FROM companies WHERE id = $1`, []any{s.CompanyID}, &n.CompanyName); err != nil {
			return err
		}
		if n.Operator, err = tx.operatorRecipient(ctx, s.CompanyID, v.OperatorID); err != nil {
			return err
		}
		if n.Operator.Email == "" {
			continue
		}
		msgs, err := compose(n)
		if err != nil {
			return err
		}
		if err := tx.enqueueAll(ctx, s.CompanyID, msgs); err != nil {
			return err
		}
	}
	return nil
}

// staffRequestHead reads a request without its timeline, visits and photos.
func (tx *Tx) staffRequestHead(ctx context.Context, companyID, id int64) (lintel.Request, error) {
	var q lintel.Request
	err := scanRequest(tx.QueryRowContext(ctx, `SELECT `+requestCols+requestFrom+` WHERE r.id = $1 AND r.company_id = $2`, id, companyID), &q)
	return q, mapErr(err)
}

// operatorRecipient is an operator contact's name and first e-mail ("" when
// none), archived or not: a visit's operator stays who they were.
func (tx *Tx) operatorRecipient(ctx context.Context, companyID, contactID int64) (Recipient, error) {
	var r Recipient
	err := tx.get(ctx, `SELECT c.name, COALESCE((SELECT email FROM contact_emails e WHERE e.contact_id = c.id ORDER BY position, id LIMIT 1), '')
		FROM contacts c WHERE c.id = $1 AND c.company_id = $2`, []any{contactID, companyID}, &r.Name, &r.Email)
	return r, err
}

// AddStaffPhotos records photos staff attach to a request (already
// stored), e.g. ones a tenant sent by e-mail or a manager took on a
// walk-round. Residents see them on the timeline, like any photo.
func (db *DB) AddStaffPhotos(ctx context.Context, s lintel.Staff, requestID int64, photos []NewPhoto) error {
	if err := s.Require(lintel.PermDispatch); err != nil {
		return err
	}
	if len(photos) == 0 {
		return lintel.FieldErrors{"photos": "Choose at least one photo."}.Err()
	}
	err := db.update(ctx, func(tx *Tx) error {
		var one int
		if err := tx.get(ctx, `SELECT 1 FROM requests WHERE id = $1 AND company_id = $2`, []any{requestID, s.CompanyID}, &one); err != nil {
			return err
		}
		for _, p := range photos {
			p.Phase = "other"
			if _, err := tx.addPhoto(ctx, s.CompanyID, requestID, 0, p, s.Name); err != nil {
				return err
			}
		}
		body := "1 photo added"
		if len(photos) > 1 {
			body = fmt.Sprintf("%d photos added", len(photos))
		}
		if err := tx.addEvent(ctx, Event{CompanyID: s.CompanyID, RequestID: requestID, Kind: EventPhoto, Audience: AudienceResidents,
			Actor: s.Name, Body: body}); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "request.photos", "request", requestID, body)
	})
	if err != nil {
		return fmt.Errorf("add photos to request %d: %w", requestID, err)
	}
	return nil
}
