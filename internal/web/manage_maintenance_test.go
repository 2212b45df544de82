package web

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

var (
	// dispatchList: a maintenance change (or its form), no id: staff who
	// dispatch (admin, manager, maintenance); the bookkeeper only looks.
	dispatchList profile = func(a actor, other bool) outcome {
		if o := staffList(a, other); o != allow {
			return o
		}
		if a.persona == testkit.Bookkeeper {
			return forbidden
		}
		return allow
	}
	// dispatchObject: a maintenance change to one of company A's requests
	// or visits.
	dispatchObject profile = func(a actor, other bool) outcome {
		if o := dispatchList(a, other); o != allow {
			return o
		}
		if other {
			return notFound
		}
		return allow
	}
)

func init() {
	requestA := func(w *testkit.World) int64 { return w.A.Request }
	visitA := func(w *testkit.World) int64 { return w.A.Visit }
	addMatrixRows(map[string]matrixRow{
		"GET /manage/maintenance":              {fixed("/manage/maintenance"), nil, staffList},
		"GET /manage/maintenance/new":          {fixed("/manage/maintenance/new"), nil, dispatchList},
		"POST /manage/maintenance":             {fixed("/manage/maintenance"), nil, dispatchList},
		"GET /manage/maintenance/{id}":         {withID("/manage/maintenance/%d", requestA), nil, staffObject},
		"POST /manage/maintenance/{id}":        {withID("/manage/maintenance/%d", requestA), nil, dispatchObject},
		"POST /manage/maintenance/{id}/status": {withID("/manage/maintenance/%d/status", requestA), nil, dispatchObject},
		"POST /manage/maintenance/{id}/assign": {withID("/manage/maintenance/%d/assign", requestA), nil, dispatchObject},
		"GET /manage/maintenance/{id}/photos/{photo}": {func(w *testkit.World) string {
			return fmt.Sprintf("/manage/maintenance/%d/photos/%d", w.A.Request, matrixFiles.photoA)
		}, nil, staffObject},
		"POST /manage/visits/{id}/revoke":   {withID("/manage/visits/%d/revoke", visitA), nil, dispatchObject},
		"POST /manage/visits/{id}/resend":   {withID("/manage/visits/%d/resend", visitA), nil, dispatchObject},
		"POST /manage/visits/{id}/schedule": {withID("/manage/visits/%d/schedule", visitA), nil, dispatchObject},
		"GET /manage/visits/{id}/invoice":   {withID("/manage/visits/%d/invoice", visitA), nil, staffObject},
	})
}

var versionRE = regexp.MustCompile(`name="version" value="(\d+)"`)

// versionIn returns the version the request page's forms carry.
func versionIn(t *testing.T, r *resp) string {
	t.Helper()
	m := versionRE.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("%s: no version field\n%s", r.Path, excerpt(r.Body))
	}
	return m[1]
}

func reqPath(id int64) string   { return "/manage/maintenance/" + strconv.FormatInt(id, 10) }
func visitPath(id int64) string { return "/manage/visits/" + strconv.FormatInt(id, 10) }

// liveLink reports whether a contractor link (raw token) opens its task.
func liveLink(t *testing.T, db *sqldb.DB, raw string) bool {
	t.Helper()
	_, err := db.ContractorTask(context.Background(), auth.HashToken(raw))
	if err != nil && !sqldb.IsTaskLinkDead(err) {
		t.Fatal(err)
	}
	return err == nil
}

// tokenInTaskLink returns the raw token of the task link in an e-mail.
func (a *testApp) taskToken(t *testing.T, m lintel.Email) string {
	t.Helper()
	link := a.linkIn(t, m, "/t/")
	return strings.TrimPrefix(link, a.base+"/t/")
}

func TestManageMaintenanceList(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	a := w.A
	c := app.client(t)
	c.loginAs(a.Emails[testkit.Admin], testkit.Password)

	// The dashboard points at the work waiting, and the navigation has the desk.
	c.get("/manage").want(t, 200).wantBody(t, `href="/manage/maintenance"`, "1 new maintenance request to triage", `href="/manage/maintenance?status=submitted"`)

	r := c.get("/manage/maintenance").want(t, 200)
	r.wantBody(t, "Kitchen tap drips", "Bathroom fan is noisy", "Shower drain is slow", "Pipes Harbour", "Sparks Harbour",
		"Harbour House · Apt 1", "Harbour Court · Unit A", "Plumbing", "Submitted", "Assigned", `href="/manage/maintenance/new"`)
	for _, id := range []int64{a.Request, a.OwnerRequest, a.OtherRequest} {
		r.wantBody(t, fmt.Sprintf(`href="/manage/maintenance/%d"`, id))
	}
	// Company B's look-alike requests are not listed.
	for _, id := range []int64{w.B.Request, w.B.OwnerRequest, w.B.OtherRequest} {
		if strings.Contains(r.Body, fmt.Sprintf(`href="/manage/maintenance/%d"`, id)) {
			t.Errorf("B's request %d is in A's list", id)
		}
	}

	for _, tc := range []struct {
		query     string
		want, not []int64
	}{
		{"?status=submitted", []int64{a.OwnerRequest}, []int64{a.Request, a.OtherRequest}},
		{fmt.Sprintf("?operator=%d", a.Operator2), []int64{a.OtherRequest}, []int64{a.Request, a.OwnerRequest}},
		{fmt.Sprintf("?property=%d", a.OtherProperty), []int64{a.OtherRequest}, []int64{a.Request, a.OwnerRequest}},
		{fmt.Sprintf("?category=%d", a.Plumbing), []int64{a.Request, a.OwnerRequest, a.OtherRequest}, nil},
		{"?q=fan", []int64{a.OwnerRequest}, []int64{a.Request, a.OtherRequest}},
		{"?q=apt+1", []int64{a.Request}, []int64{a.OwnerRequest, a.OtherRequest}},
		{"?status=nonsense", []int64{a.Request, a.OwnerRequest, a.OtherRequest}, nil}, // a hand-edited URL shows the default
	} {
		r := c.get("/manage/maintenance"+tc.query).want(t, 200)
		for _, id := range tc.want {
			r.wantBody(t, fmt.Sprintf(`href="/manage/maintenance/%d"`, id))
		}
		for _, id := range tc.not {
			if strings.Contains(r.Body, fmt.Sprintf(`href="/manage/maintenance/%d"`, id)) {
				t.Errorf("%s lists request %d", tc.query, id)
			}
		}
	}
	c.get("/manage/maintenance?age=30").want(t, 200).wantBody(t, "No requests match", `href="/manage/maintenance"`)

	// Keyset pages of 50, newest first.
	for i := range 55 {
		if _, err := db.CreateRequest(context.Background(), a.Staff[testkit.Admin], sqldb.NewRequest{PropertyID: a.Property, UnitID: a.Unit,
			CategoryID: otherCategoryOf(t, db, a), Summary: fmt.Sprintf("Loose tile %02d", i)}, nil); err != nil {
			t.Fatal(err)
		}
	}
	r = c.get("/manage/maintenance").want(t, 200).wantBody(t, "Loose tile 54", `rel="next"`)
	if strings.Contains(r.Body, "Kitchen tap drips") {
		t.Error("the first page shows the oldest request")
	}
	next := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(r.Body)
	r = c.get(strings.ReplaceAll(next[1], "&amp;", "&")).want(t, 200).wantBody(t, "Kitchen tap drips", `rel="prev"`)
	if strings.Contains(r.Body, "Loose tile 54") {
		t.Error("the second page repeats the first")
	}

	// The bookkeeper may look but is offered no changes.
	b := app.client(t)
	b.loginAs(a.Emails[testkit.Bookkeeper], testkit.Password)
	r = b.get("/manage/maintenance").want(t, 200).wantBody(t, "Loose tile 54")
	if strings.Contains(r.Body, `href="/manage/maintenance/new"`) {
		t.Error("the bookkeeper is offered a new request")
	}
	r = b.get(reqPath(a.Request)).want(t, 200).wantBody(t, "Kitchen tap drips", "Pipes Harbour")
	for _, form := range []string{"/assign", "/status", `action="/manage/visits/`} {
		if strings.Contains(r.Body, form) {
			t.Errorf("the bookkeeper's page has a form %s", form)
		}
	}
	b.postForm(reqPath(a.Request)+"/status", url.Values{"to": {"closed"}}).want(t, 403)
}

func otherCategoryOf(t *testing.T, db *sqldb.DB, c *testkit.Company) int64 {
	t.Helper()
	cats, err := db.Categories(context.Background(), c.Staff[testkit.Admin])
	if err != nil {
		t.Fatal(err)
	}
	for _, cat := range cats {
		if cat.Name == "Other" {
			return cat.ID
		}
	}
	t.Fatal("no Other category")
	return 0
}

func TestManageMaintenanceNewRequest(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	a := w.A
	c := app.client(t)
	c.loginAs(a.Emails[testkit.Maintenance], testkit.Password)

	c.get("/manage/maintenance/new").want(t, 200).wantBody(t, "Harbour House", "Harbour Court", "Plumbing", "Continue")
	c.get("/manage/maintenance/new?go=1&property=&category=").want(t, 422).wantBody(t, "Choose the property where the problem is.", "Choose what kind of problem this is.")
	// Another company's property is not offered, and typing its id finds nothing.
	c.get(fmt.Sprintf("/manage/maintenance/new?go=1&property=%d&category=%d", w.B.Property, a.Plumbing)).want(t, 200).wantBody(t, "Choose a property from the list.")

	step2 := fmt.Sprintf("/manage/maintenance/new?property=%d&category=%d", a.Property, a.Plumbing)
	r := c.get(step2).want(t, 200)
	r.wantBody(t, "New request at Harbour House", "Apt 1", "Laundry room (common area)", "The whole property",
		"Tenant Harbour (Apt 1)", "Cotenant Harbour (Apt 1)", "Is water leaking right now?", fmt.Sprintf(`name="answer_%d"`, a.PlumbingQuestion))
	if strings.Contains(r.Body, "Former Tenant Harbour") || strings.Contains(r.Body, "Other Tenant Harbour") {
		t.Error("the tenant list offers someone with no current lease at this property")
	}

	cats, _ := db.Categories(context.Background(), a.Staff[testkit.Admin])
	var plumbing lintel.Category
	for _, cat := range cats {
		if cat.ID == a.Plumbing {
			plumbing = cat
		}
	}
	form := url.Values{"property_id": {strconv.FormatInt(a.Property, 10)}, "category_id": {strconv.FormatInt(a.Plumbing, 10)},
		"unit_id": {strconv.FormatInt(a.Unit, 10)}, "tenant_id": {strconv.FormatInt(a.Contacts[testkit.Tenant], 10)},
		"summary": {""}, "description": {"Called at 8 am: water under the sink."}, "priority": {"high"},
		"access_times": {"Weekday mornings", "Weekends"}, "access_other": {"Tuesday after 4 pm"}, "permission_to_enter": {"on"}, "pets": {"Dog"}}
	// Missing summary and unanswered required questions: refused, input kept.
	c.postForm("/manage/maintenance", form).want(t, 422).wantBody(t, "Say in a few words what is wrong", "Please answer this question.",
		"Called at 8 am: water under the sink.", `value="Tuesday after 4 pm"`)
	form.Set("summary", "Leak under the kitchen sink")
	for _, q := range plumbing.Questions {
		if q.Kind == lintel.QuestionYesNo {
			form.Set(fmt.Sprintf("answer_%d", q.ID), "yes")
		}
	}
	// A tenant of another property's lease is refused.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("tenant_id", strconv.FormatInt(a.Contacts[testkit.OtherTenant], 10))
	c.postForm("/manage/maintenance", bad).want(t, 422).wantBody(t, "This tenant has no current lease here.")

	r = c.postForm("/manage/maintenance", form)
	if r.Status != 303 || !strings.HasPrefix(r.Location, "/manage/maintenance/") {
		t.Fatalf("create: %d %s\n%s", r.Status, r.Location, excerpt(r.Body))
	}
	page := c.get(r.Location).want(t, 200)
	page.wantBody(t, "Request recorded", "Leak under the kitchen sink", "Tenant Harbour", "entered by staff", "Weekday mornings, Weekends, Tuesday after 4 pm",
		"Dog", "Is water leaking right now?", "High priority", "No operator assigned yet.")
	id, _ := strconv.ParseInt(strings.TrimPrefix(r.Location, "/manage/maintenance/"), 10, 64)
	// The tenant and the co-tenant see it in the portal.
	cot := lintel.Resident{UserID: a.Users[testkit.Cotenant], Email: a.Emails[testkit.Cotenant]}
	if _, err := db.ResidentRequest(context.Background(), cot, id); err != nil {
		t.Errorf("the co-tenant cannot see the request entered for the tenant: %v", err)
	}
}

func TestManageMaintenanceEdit(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	a := w.A
	c := app.client(t)
	c.loginAs(a.Emails[testkit.Admin], testkit.Password)

	page := c.get(reqPath(a.Request)).want(t, 200)
	v := versionIn(t, page)
	edit := url.Values{"version": {v}, "summary": {"Kitchen tap drips all night"}, "description": {"Washer worn."}, "staff_notes": {"Tenant prefers texts."},
		"priority": {"high"}, "category_id": {strconv.FormatInt(a.Plumbing, 10)}}
	c.postForm(reqPath(a.Request), url.Values{"version": {v}, "summary": {""}, "priority": {"normal"}, "category_id": {strconv.FormatInt(a.Plumbing, 10)}}).
		want(t, 422).wantBody(t, "Say in a few words what is wrong")
	c.postForm(reqPath(a.Request), edit).wantRedirect(t, reqPath(a.Request))
	c.get(reqPath(a.Request)).want(t, 200).wantBody(t, "Changes saved.", "Kitchen tap drips all night", "Tenant prefers texts.", "High priority",
		"Summary changed to “Kitchen tap drips all night”", "Staff only")

	// A second tab still holds the old version: refused, with what was typed kept.
	edit.Set("summary", "From the stale tab")
	r := c.postForm(reqPath(a.Request), edit).want(t, 409)
	r.wantBody(t, "Someone else changed this request a moment ago", `value="From the stale tab"`)
	if versionIn(t, r) == v {
		t.Error("the refused page still carries the old version")
	}
	d, _ := db.StaffRequest(context.Background(), a.Staff[testkit.Admin], a.Request)
	if d.Request.Summary != "Kitchen tap drips all night" {
		t.Errorf("a stale edit was saved: %q", d.Request.Summary)
	}

	// Company B's admin: the same 404 as a missing request, nothing changed.
	bc := app.client(t)
	bc.loginAs(w.B.Emails[testkit.Admin], testkit.Password)
	bc.get(reqPath(a.Request)).want(t, 404)
	bc.postForm(reqPath(a.Request), edit).want(t, 404)
	bc.postForm(reqPath(a.Request)+"/assign", url.Values{"operator_id": {strconv.FormatInt(w.B.Operator, 10)}}).want(t, 404)
}

func TestManageMaintenanceStatus(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	a := w.A
	c := app.client(t)
	c.loginAs(a.Emails[testkit.Admin], testkit.Password)

	v := versionIn(t, c.get(reqPath(a.Request)).want(t, 200).wantBody(t, "Cancel request", "Reopen for triage"))
	c.postForm(reqPath(a.Request)+"/status", url.Values{"to": {"cancelled"}, "version": {v}}).want(t, 422).wantBody(t, "Say why the request is cancelled")
	c.postForm(reqPath(a.Request)+"/status", url.Values{"to": {"cancelled"}, "version": {v}, "reason": {"The tenant fixed it themselves"}}).wantRedirect(t, reqPath(a.Request))
	r := c.get(reqPath(a.Request)).want(t, 200).wantBody(t, "Request cancelled", "Why it was cancelled: The tenant fixed it themselves", "Called off")
	if strings.Contains(r.Body, "Cancel request") || strings.Contains(r.Body, `action="/manage/maintenance/`+strconv.FormatInt(a.Request, 10)+`/assign"`) {
		t.Error("a cancelled request still offers cancel or assign")
	}
	if liveLink(t, db, a.VisitToken) {
		t.Error("the cancelled request's task link still works")
	}
	m := app.lastEmailTo(t, "pipes@harbour.test")
	if !strings.Contains(m.Subject, "Job called off") || !strings.Contains(m.Text, "The tenant fixed it themselves") {
		t.Errorf("operator told %q:\n%s", m.Subject, m.Text)
	}
	// The same page posted again: the request moved on.
	c.postForm(reqPath(a.Request)+"/status", url.Values{"to": {"closed"}, "version": {v}}).want(t, 409).wantBody(t, "Someone else changed this request")

	// Close the owner's submitted request with a note; reopen the other one.
	v = versionIn(t, c.get(reqPath(a.OwnerRequest)))
	c.postForm(reqPath(a.OwnerRequest)+"/status", url.Values{"to": {"closed"}, "version": {v}, "reason": {"Owner replaced the fan"}}).wantRedirect(t, reqPath(a.OwnerRequest))
	c.get(reqPath(a.OwnerRequest)).wantBody(t, "Request closed.", "Closing note: Owner replaced the fan")
	v = versionIn(t, c.get(reqPath(a.OtherRequest)))
	c.postForm(reqPath(a.OtherRequest)+"/status", url.Values{"to": {"submitted"}, "version": {v}}).wantRedirect(t, reqPath(a.OtherRequest))
	c.get(reqPath(a.OtherRequest)).wantBody(t, "back in the list to triage", "Send an operator", "No operator is on their way now.")
	if liveLink(t, db, a.OtherVisitToken) {
		t.Error("the reopened request's old link still works")
	}
	c.postForm(reqPath(a.OtherRequest)+"/status", url.Values{"to": {"completed"}, "version": {versionIn(t, c.get(reqPath(a.OtherRequest)))}}).want(t, 422)
}

func TestManageMaintenanceAssign(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	a := w.A
	c := app.client(t)
	c.loginAs(a.Emails[testkit.Maintenance], testkit.Password)

	// The owner's request: no operator yet.
	page := c.get(reqPath(a.OwnerRequest)).want(t, 200).wantBody(t, "Assign an operator", "Pipes Harbour — plumbing", "Sparks Harbour — electrical")
	v := versionIn(t, page)
	op := strconv.FormatInt(a.Operator, 10)
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"version": {v}}, "Choose an operator from the list."},
		{url.Values{"version": {v}, "operator_id": {strconv.FormatInt(w.B.Operator, 10)}}, "Choose an operator from the list."},
		{url.Values{"version": {v}, "operator_id": {op}, "date": {"2030-05-06"}}, "Choose the time as well"},
		{url.Values{"version": {v}, "operator_id": {op}, "time": {"09:30"}}, "Choose the day as well"},
	} {
		c.postForm(reqPath(a.OwnerRequest)+"/assign", tc.form).want(t, 422).wantBody(t, tc.want)
	}
	c.postForm(reqPath(a.OwnerRequest)+"/assign", url.Values{"version": {v}, "operator_id": {op}, "date": {"2030-05-06"}, "time": {"09:30"},
		"note": {"Key with the concierge."}}).wantRedirect(t, reqPath(a.OwnerRequest))
	c.get(reqPath(a.OwnerRequest)).want(t, 200).wantBody(t, "Operator assigned", "Mon 6 May 2030, 09:30", "Link last opened: never", "Reassign to another operator")

	// The operator's e-mail: where, what, when, the note, and a working link.
	m := app.lastEmailTo(t, "pipes@harbour.test")
	for _, part := range []string{"Bathroom fan is noisy", "1 Harbour Road", "Harbour House", "Apt 2", "Plumbing", "Monday 6 May 2030 at 09:30", "Key with the concierge."} {
		if !strings.Contains(m.Text, part) {
			t.Errorf("operator e-mail lacks %q:\n%s", part, m.Text)
		}
	}
	raw := app.taskToken(t, m)
	if !liveLink(t, db, raw) {
		t.Fatal("the e-mailed link does not open the task")
	}
	// The owner's own request has no lease: no tenant is e-mailed.
	if ms := app.emailsTo(t, a.Emails[testkit.UnitOwner]); len(ms) != 0 {
		t.Errorf("the unit owner got %d e-mails", len(ms))
	}
	// Stale: the page from before the assignment.
	c.postForm(reqPath(a.OwnerRequest)+"/assign", url.Values{"version": {v}, "operator_id": {op}}).want(t, 409).wantBody(t, "Someone else changed this request")

	// Opening the link shows on the manager's page.
	if err := db.ContractorOpened(context.Background(), auth.HashToken(raw), "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	c.get(reqPath(a.OwnerRequest)).wantBody(t, "Link last opened: just now")

	// Reassign the tenant's request: the old link dies at once, the tenants
	// are told who is coming.
	v = versionIn(t, c.get(reqPath(a.Request)))
	c.postForm(reqPath(a.Request)+"/assign", url.Values{"version": {v}, "operator_id": {strconv.FormatInt(a.Operator2, 10)}}).wantRedirect(t, reqPath(a.Request))
	if liveLink(t, db, a.VisitToken) {
		t.Error("the reassigned visit's link still works")
	}
	if !liveLink(t, db, app.taskToken(t, app.lastEmailTo(t, "sparks@harbour.test"))) {
		t.Error("the new operator's link does not work")
	}
	for _, p := range []testkit.Persona{testkit.Tenant, testkit.Cotenant} {
		tm := app.lastEmailTo(t, a.Emails[p])
		if !strings.Contains(tm.Subject, "Sparks Harbour") || !strings.Contains(tm.Text, "Kitchen tap drips") || strings.Contains(tm.Text, "/t/") {
			t.Errorf("%s was told %q:\n%s", p, tm.Subject, tm.Text)
		}
	}
	c.get(reqPath(a.Request)).wantBody(t, "Visit 2: Sparks Harbour", "Visit 1: Pipes Harbour", "Reassigned")
}

func TestManageVisitLinksAndSchedule(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	a := w.A
	c := app.client(t)
	c.loginAs(a.Emails[testkit.Admin], testkit.Password)

	c.postForm(visitPath(a.Visit)+"/revoke", nil).wantRedirect(t, reqPath(a.Request))
	c.get(reqPath(a.Request)).wantBody(t, "Link revoked", "Revoked</strong>: the operator cannot open the task")
	if liveLink(t, db, a.VisitToken) {
		t.Error("a revoked link still works")
	}
	c.postForm(visitPath(a.Visit)+"/revoke", nil).want(t, 409).wantBody(t, "already revoked")

	c.postForm(visitPath(a.Visit)+"/resend", nil).wantRedirect(t, reqPath(a.Request))
	m := app.lastEmailTo(t, "pipes@harbour.test")
	if !strings.HasPrefix(m.Subject, "New link:") {
		t.Errorf("resend subject %q", m.Subject)
	}
	first := app.taskToken(t, m)
	if !liveLink(t, db, first) || liveLink(t, db, a.VisitToken) {
		t.Error("after resend the new link should work and the old one not")
	}
	c.postForm(visitPath(a.Visit)+"/resend", nil).wantRedirect(t, reqPath(a.Request))
	second := app.taskToken(t, app.lastEmailTo(t, "pipes@harbour.test"))
	if second == first || liveLink(t, db, first) || !liveLink(t, db, second) {
		t.Error("a second resend must kill the first new link")
	}

	// Schedule, then move: the tenants and the operator hear each time.
	v := versionIn(t, c.get(reqPath(a.Request)))
	c.postForm(visitPath(a.Visit)+"/schedule", url.Values{"version": {v}, "schedule_date": {"2030-05-06"}}).want(t, 422).wantBody(t, "Choose the time as well")
	c.postForm(visitPath(a.Visit)+"/schedule", url.Values{"version": {v}, "schedule_date": {"2030-05-06"}, "schedule_time": {"14:00"}}).wantRedirect(t, reqPath(a.Request))
	c.get(reqPath(a.Request)).wantBody(t, "Visit time saved", "Mon 6 May 2030, 14:00", "Scheduled")
	tm := app.lastEmailTo(t, a.Emails[testkit.Cotenant])
	if !strings.Contains(tm.Subject, "Visit booked") || !strings.Contains(tm.Text, "Monday 6 May 2030 at 14:00") {
		t.Errorf("co-tenant told %q:\n%s", tm.Subject, tm.Text)
	}
	v = versionIn(t, c.get(reqPath(a.Request)))
	c.postForm(visitPath(a.Visit)+"/schedule", url.Values{"version": {v}, "schedule_date": {"2030-05-07"}, "schedule_time": {"08:00"}}).wantRedirect(t, reqPath(a.Request))
	if tm := app.lastEmailTo(t, a.Emails[testkit.Tenant]); !strings.Contains(tm.Subject, "New time") {
		t.Errorf("tenant told %q about the move", tm.Subject)
	}
	if om := app.lastEmailTo(t, "pipes@harbour.test"); !strings.Contains(om.Text, "was Monday 6 May 2030 at 14:00") || strings.Contains(om.Text, "/t/") {
		t.Errorf("operator told about the move:\n%s", om.Text)
	}
	// Another company's visit: 404, like a missing one.
	bc := app.client(t)
	bc.loginAs(w.B.Emails[testkit.Admin], testkit.Password)
	bc.postForm(visitPath(a.Visit)+"/revoke", nil).want(t, 404)
	bc.postForm(visitPath(a.Visit)+"/resend", nil).want(t, 404)
	bc.postForm(visitPath(a.Visit)+"/schedule", url.Values{"schedule_date": {"2030-05-06"}, "schedule_time": {"14:00"}}).want(t, 404)
	if !liveLink(t, db, second) {
		t.Error("B's refused POSTs touched A's link")
	}
}

// A visit that ends "unable" or with a follow-up comes back to the
// manager: the page says so at the top and offers the next visit, which
// keeps the request's history.
func TestManageMaintenanceFollowUp(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	a := w.A
	ctx := context.Background()
	c := app.client(t)
	c.loginAs(a.Emails[testkit.Admin], testkit.Password)

	if _, err := db.ContractorUnable(ctx, auth.HashToken(a.VisitToken), "127.0.0.1", "No access: the tenant was out", nil); err != nil {
		t.Fatal(err)
	}
	c.get("/manage").wantBody(t, "1 request needs a decision after a visit")
	c.get("/manage/maintenance?status=attention").want(t, 200).wantBody(t, "Kitchen tap drips", "Needs a decision")
	r := c.get(reqPath(a.Request)).want(t, 200)
	r.wantBody(t, "Pipes Harbour could not complete the work", "No access: the tenant was out", "Send Pipes Harbour again", "Choose another operator")
	again := fmt.Sprintf(`%s?operator=%d#assign`, reqPath(a.Request), a.Operator)
	r.wantBody(t, `href="`+again+`"`)
	// "Send again" is the assign form with the operator chosen.
	r = c.get(strings.TrimSuffix(again, "#assign")).want(t, 200)
	if !regexp.MustCompile(`<option value="` + strconv.FormatInt(a.Operator, 10) + `" selected>`).MatchString(r.Body) {
		t.Fatal("the operator is not preselected")
	}
	c.postForm(reqPath(a.Request)+"/assign", url.Values{"version": {versionIn(t, r)}, "operator_id": {strconv.FormatInt(a.Operator, 10)}}).wantRedirect(t, reqPath(a.Request))
	r = c.get(reqPath(a.Request)).want(t, 200).wantBody(t, "Visit 2: Pipes Harbour", "Visit 1: Pipes Harbour", "Could not complete", "No access: the tenant was out")
	if strings.Contains(r.Body, "could not complete the work</h2>") {
		t.Error("the decision banner stays after the next visit was sent")
	}
	if strings.Contains(c.get("/manage").Body, "needs a decision") {
		t.Error("the dashboard still asks for a decision")
	}

	// Completed, then "another operator is required": choose another one.
	other := auth.HashToken(a.OtherVisitToken)
	if _, err := db.ContractorComplete(ctx, other, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	if err := db.ContractorFollowUp(ctx, other, "127.0.0.1", lintel.FollowUpOtherOperator, "The drain needs a specialist camera.", nil); err != nil {
		t.Fatal(err)
	}
	r = c.get(reqPath(a.OtherRequest)).want(t, 200)
	r.wantBody(t, "Sparks Harbour says another operator is required", "The drain needs a specialist camera.",
		fmt.Sprintf(`href="%s?operator=0#assign"`, reqPath(a.OtherRequest)))
	r = c.get(reqPath(a.OtherRequest)+"?operator=0").want(t, 200)
	c.postForm(reqPath(a.OtherRequest)+"/assign", url.Values{"version": {versionIn(t, r)}, "operator_id": {strconv.FormatInt(a.Operator, 10)}}).wantRedirect(t, reqPath(a.OtherRequest))
	c.get(reqPath(a.OtherRequest)).want(t, 200).wantBody(t, "Visit 2: Pipes Harbour", "Visit 1: Sparks Harbour", "Completed", "The drain needs a specialist camera.")
	// The completed visit's operator keeps their link (for the invoice);
	// the new operator has their own.
	if !liveLink(t, db, a.OtherVisitToken) || !liveLink(t, db, app.taskToken(t, app.lastEmailTo(t, "pipes@harbour.test"))) {
		t.Error("after the follow-up visit, both the completed visit's link and the new one should work")
	}
}

func TestManageMaintenanceFiles(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	a := w.A
	ctx := context.Background()
	// A resident's photo and an operator's invoice, stored as the portal
	// and the task page store them.
	png := []byte("\x89PNG\r\n\x1a\n fake image bytes")
	pdf := []byte("%PDF-1.4\n fake invoice")
	photoKey, invoiceKey := "2026/01/photoa", "2026/01/invoicea"
	if err := app.srv.files.Put(ctx, photoKey, strings.NewReader(string(png)), int64(len(png)), "image/png"); err != nil {
		t.Fatal(err)
	}
	if err := app.srv.files.Put(ctx, invoiceKey, strings.NewReader(string(pdf)), int64(len(pdf)), "application/pdf"); err != nil {
		t.Fatal(err)
	}
	if err := db.ContractorAddPhotos(ctx, auth.HashToken(a.VisitToken), "127.0.0.1", []sqldb.NewPhoto{{Phase: "before",
		File: sqldb.NewFile{Key: photoKey, Name: "tap.png", ContentType: "image/png", Size: int64(len(png)), SHA256: "00"}}}); err != nil {
		t.Fatal(err)
	}
	if err := db.ContractorSaveInvoice(ctx, auth.HashToken(a.VisitToken), "127.0.0.1", sqldb.Invoice{Number: "INV-7", Date: lintel.DateOf(db.Now()), AmountMinor: 12500},
		&sqldb.NewFile{Key: invoiceKey, Name: "invoice 7.pdf", ContentType: "application/pdf", Size: int64(len(pdf)), SHA256: "00"}); err != nil {
		t.Fatal(err)
	}
	d, _ := db.StaffRequest(ctx, a.Staff[testkit.Admin], a.Request)
	photo := fmt.Sprintf("%s/photos/%d", reqPath(a.Request), d.Photos[0].ID)

	c := app.client(t)
	c.loginAs(a.Emails[testkit.Bookkeeper], testkit.Password)
	c.get(reqPath(a.Request)).want(t, 200).wantBody(t, "Before the work", `src="`+photo+`?size=thumb"`, "No. INV-7", "$125.00",
		`href="/manage/visits/`+strconv.FormatInt(a.Visit, 10)+`/invoice"`)
	r := c.get(photo).want(t, 200)
	if r.Body != string(png) || r.Header.Get("Content-Type") != "image/png" || r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("photo: %q %v", r.Body, r.Header)
	}
	r = c.get(visitPath(a.Visit)+"/invoice").want(t, 200)
	if r.Body != string(pdf) || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment;") || !strings.Contains(r.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("invoice: %q %v", r.Body, r.Header)
	}
	// Another request's id in the URL, or another company: 404.
	c.get(fmt.Sprintf("%s/photos/%d", reqPath(a.OtherRequest), d.Photos[0].ID)).want(t, 404)
	bc := app.client(t)
	bc.loginAs(w.B.Emails[testkit.Admin], testkit.Password)
	bc.get(photo).want(t, 404)
	bc.get(visitPath(a.Visit)+"/invoice").want(t, 404)
}

// TestBouncedTaskLinkShownOnTheRequest: when the e-mail carrying the
// operator's task link is refused for good, the request page says so
// beside the visit, with the reason and what to do.
func TestBouncedTaskLinkShownOnTheRequest(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	a := w.A
	c := app.client(t)
	c.loginAs(a.Emails[testkit.Admin], testkit.Password)
	if r := c.get(reqPath(a.Request)).want(t, 200); strings.Contains(r.Body, `id="link-bounced"`) {
		t.Fatal("a bounce is shown before any mail failed")
	}
	c.postForm(visitPath(a.Visit)+"/resend", nil).wantRedirect(t, reqPath(a.Request))
	ctx := context.Background()
	for {
		m, err := db.ClaimEmail(ctx, time.Minute)
		if lintel.IsNotFound(err) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if m.To == "pipes@harbour.test" && strings.HasPrefix(m.Subject, "New link:") {
			err = db.FailEmail(ctx, m.ID, m.Attempts, "550 5.1.1 no such user")
		} else {
			err = db.MarkEmailSent(ctx, m.ID, m.Attempts)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	c.get(reqPath(a.Request)).want(t, 200).wantBody(t, `id="link-bounced"`, "The e-mail with the task link to pipes@harbour.test was not delivered", "550 5.1.1 no such user", "send a new link")
}
