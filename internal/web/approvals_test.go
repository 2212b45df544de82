package web

// Tests of owner approvals: the manager asks
// (and the property's limit lets small work through), owners decide in the
// portal or from the one-click e-mailed link, the first decision counts,
// withdrawing kills the links, reminders carry fresh links, and who may
// see what. The browser walk is in approvals_browser_test.go; the store's
// rules (owners of the asset, races) in sqldb/approvals_test.go.

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"lintel.dev/lintel/internal/approvals"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/photo"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

var (
	ownerRequestA = func(w *testkit.World) int64 { return w.A.OwnerRequest }
	approvalA     = func(w *testkit.World) int64 { return w.A.Approval }

	// apprDispatch: a change (or its form) on company A's request that
	// needs PermDispatch: the admin and the maintenance coordinator.
	apprDispatch profile = func(a actor, other bool) outcome {
		if o := staffObject(a, other); o != allow {
			return o
		}
		if a.persona == testkit.Bookkeeper {
			return forbidden
		}
		return allow
	}
	// apprNoQuote: the fixture approval has no quote, so every signed-in
	// person gets the 404 of a missing object; who sees an existing quote
	// is tested in TestApprovalQuoteScope.
	apprNoQuote profile = func(a actor, _ bool) outcome {
		if a.company == nil {
			return toLogin
		}
		return notFound
	}
	// apprOwnerA: the fixture approval is on a common area of company A's
	// property, so only that property's owner may see or decide it.
	apprOwnerA profile = func(a actor, other bool) outcome {
		switch {
		case a.company == nil:
			return toLogin
		case !other && a.persona == testkit.PropertyOwner:
			return allow
		}
		return notFound
	}
)

func init() {
	link := func(suffix string) func(w *testkit.World) string {
		return func(w *testkit.World) string { return "/a/" + w.A.ApprovalToken + suffix }
	}
	addMatrixRows(map[string]matrixRow{
		"GET /manage/maintenance/{id}/approval/new": {withID("/manage/maintenance/%d/approval/new", ownerRequestA), nil, apprDispatch},
		// Not a multipart form: an allowed actor gets the form's 422.
		"POST /manage/maintenance/{id}/approvals": {withID("/manage/maintenance/%d/approvals", ownerRequestA), nil, apprDispatch},
		"POST /manage/approvals/{id}/withdraw":    {withID("/manage/approvals/%d/withdraw", approvalA), nil, apprDispatch},
		"GET /manage/approvals/{id}/quote":        {withID("/manage/approvals/%d/quote", approvalA), nil, apprNoQuote},
		"GET /portal/approvals":                   {fixed("/portal/approvals"), nil, portal},
		"GET /portal/approvals/{id}":              {withID("/portal/approvals/%d", approvalA), nil, apprOwnerA},
		// No decision chosen: the owner gets the form's 422.
		"POST /portal/approvals/{id}":      {withID("/portal/approvals/%d", approvalA), nil, apprOwnerA},
		"GET /portal/approvals/{id}/quote": {withID("/portal/approvals/%d/quote", approvalA), nil, apprNoQuote},
		// The link is the credential: every session answers alike.
		"GET /a/{token}":       {link(""), nil, everyone},
		"POST /a/{token}":      {link(""), nil, everyone}, // no decision chosen: 422
		"GET /a/{token}/quote": {link("/quote"), nil, anything},
	})
}

// quotePDF is the smallest file that passes as a PDF quote.
var quotePDF = []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")

// apprEnv is a world on SQLite with a settable clock, served by the test app.
type apprEnv struct {
	clock *testkit.Clock
	db    *sqldb.DB
	w     *testkit.World
	app   *testApp
}

func newApprEnv(t *testing.T) *apprEnv {
	t.Helper()
	clock := testkit.NewClock(time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC))
	db, w := testkit.SQLiteWorld(t, sqldb.Options{Now: clock.Now})
	return &apprEnv{clock: clock, db: db, w: w, app: newTestApp(t, db)}
}

// as signs persona p of company c in.
func (e *apprEnv) as(t *testing.T, c *testkit.Company, p testkit.Persona) *testClient {
	t.Helper()
	cl := e.app.client(t)
	cl.loginAs(c.Emails[p], testkit.Password)
	return cl
}

// askApproval posts the manager's form: fields in order, then the quote
// (when data is not nil) as the file input "quote".
func askApproval(c *testClient, requestID int64, fields [][2]string, quoteName string, quote []byte) *resp {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, kv := range fields {
		if err := mw.WriteField(kv[0], kv[1]); err != nil {
			c.t.Fatal(err)
		}
	}
	if quote != nil {
		fw, err := mw.CreateFormFile("quote", quoteName)
		if err != nil {
			c.t.Fatal(err)
		}
		fw.Write(quote)
	}
	if err := mw.Close(); err != nil {
		c.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, c.url(fmt.Sprintf("/manage/maintenance/%d/approvals", requestID)), &body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

func (e *apprEnv) request(t *testing.T, id int64) sqldb.RequestDetail {
	t.Helper()
	d, err := e.db.StaffRequest(context.Background(), e.w.A.Staff[testkit.Admin], id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func decide(c *testClient, path, decision, comment string, version int) *resp {
	c.t.Helper()
	return c.postForm(path, url.Values{"decision": {decision}, "comment": {comment}, "version": {fmt.Sprint(version)}})
}

func TestApprovalAskAndDecideByLink(t *testing.T) {
	t.Parallel()
	e := newApprEnv(t)
	a := e.w.A
	admin := e.as(t, a, testkit.Admin)
	form := admin.get(fmt.Sprintf("/manage/maintenance/%d/approval/new", a.OwnerRequest)).want(t, http.StatusOK)
	form.wantBody(t, "Property Owner Harbour &lt;property-owner@harbour.test&gt;", "Unit Owner Harbour", "no approval limit", `enctype="multipart/form-data"`)

	askApproval(admin, a.OwnerRequest, [][2]string{{"version", "1"}, {"estimate", "1,250.00"}, {"notes", "Replace the fan motor."}}, "Fan quote.pdf", quotePDF).
		wantRedirect(t, fmt.Sprintf("/manage/maintenance/%d", a.OwnerRequest))
	admin.get(fmt.Sprintf("/manage/maintenance/%d", a.OwnerRequest)).wantBody(t, "Approval asked of Property Owner Harbour, Unit Owner Harbour by e-mail.")
	d := e.request(t, a.OwnerRequest)
	if d.Request.Status != lintel.StatusAwaitingApproval || len(d.Approvals) != 1 || d.Approvals[0].QuoteFileID == 0 {
		t.Fatalf("after asking: %s with %+v", d.Request.Status, d.Approvals)
	}
	approvalID := d.Approvals[0].ID

	// Each owner gets their own link; the portal link is there too.
	m := e.app.lastEmailTo(t, a.Emails[testkit.PropertyOwner])
	if m.Kind != "approval_request" || !strings.Contains(m.Subject, "Your approval is needed: Bathroom fan is noisy") {
		t.Fatalf("owner's e-mail: %q (%s)", m.Subject, m.Kind)
	}
	for _, want := range []string{"$1,250.00", "Replace the fan motor.", "A quote document is attached", fmt.Sprintf("/portal/approvals/%d", approvalID), "Opening the link does not decide anything"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("owner's e-mail lacks %q:\n%s", want, m.Text)
		}
	}
	poLink := e.app.linkIn(t, m, "/a/")
	uoLink := e.app.linkIn(t, e.app.lastEmailTo(t, a.Emails[testkit.UnitOwner]), "/a/")
	if poLink == uoLink {
		t.Fatal("both owners got the same link")
	}

	// Opening the link needs no sign-in, changes nothing, and sends the
	// privacy headers.
	anon := e.app.client(t)
	page := anon.get(poLink).want(t, http.StatusOK)
	page.wantBody(t, "Bathroom fan is noisy", "$1,250.00", "Replace the fan motor.", "Fan quote.pdf", `value="approve"`, "2 owners were asked")
	for h, want := range map[string]string{"Referrer-Policy": "no-referrer", "Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"} {
		if got := page.Header.Get(h); got != want {
			t.Errorf("link page %s = %q, want %q", h, got, want)
		}
	}
	if d := e.request(t, a.OwnerRequest); d.Request.Status != lintel.StatusAwaitingApproval || d.Request.Version != 2 {
		t.Errorf("opening the link changed the request: %s v%d", d.Request.Status, d.Request.Version)
	}
	quote := anon.get(poLink+"/quote").want(t, http.StatusOK)
	if quote.Body != string(quotePDF) || quote.Header.Get("Content-Type") != photo.ContentTypePDF ||
		!strings.HasPrefix(quote.Header.Get("Content-Disposition"), "attachment;") || !strings.Contains(quote.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("quote: %q, headers %v", quote.Body, quote.Header)
	}

	// Declining needs a comment; approving does not.
	decide(anon, poLink, "decline", "", 2).want(t, http.StatusUnprocessableEntity).wantBody(t, "Say why you decline")
	anon.postForm(poLink, url.Values{"version": {"2"}}).want(t, http.StatusUnprocessableEntity).wantBody(t, "Choose Approve or Decline.")
	decide(anon, poLink, "approve", "Go ahead.", 2).wantRedirect(t, strings.TrimPrefix(poLink, e.app.base)+"?done=1")
	anon.get(poLink+"?done=1").want(t, http.StatusOK).wantBody(t, "Thank you: you approved the work", "Approved by Property Owner Harbour (you)", "Go ahead.")
	if strings.Contains(anon.get(poLink).Body, `value="approve"`) {
		t.Error("the decided page still offers the buttons")
	}

	// The dispatching staff are told; the bookkeeper is not.
	for _, p := range []testkit.Persona{testkit.Admin, testkit.Maintenance} {
		m := e.app.lastEmailTo(t, a.Emails[p])
		if m.Kind != "approval_decided" || m.Subject != "Approved by the owner: Bathroom fan is noisy at Harbour House, Apt 2" ||
			!strings.Contains(m.Text, "Go ahead.") {
			t.Errorf("%s's e-mail: %q (%s)\n%s", p, m.Subject, m.Kind, m.Text)
		}
		e.app.linkIn(t, m, fmt.Sprintf("/manage/maintenance/%d", a.OwnerRequest))
	}
	for _, m := range e.app.emailsTo(t, a.Emails[testkit.Bookkeeper]) {
		if m.Kind == "approval_decided" {
			t.Error("the bookkeeper was told about a decision")
		}
	}

	// The other owner sees who decided, and cannot decide again.
	other := e.app.client(t)
	other.get(uoLink).want(t, http.StatusOK).wantBody(t, "Approved by Property Owner Harbour on")
	decide(other, uoLink, "decline", "No.", 3).want(t, http.StatusConflict).wantBody(t, "already been answered", "Approved by Property Owner Harbour on")
	if d := e.request(t, a.OwnerRequest); d.Request.Status != lintel.StatusApproved || d.Approvals[0].DecisionComment != "Go ahead." {
		t.Errorf("after both: %s, comment %q", d.Request.Status, d.Approvals[0].DecisionComment)
	}
}

func TestApprovalFormRefusalsAndLimit(t *testing.T) {
	t.Parallel()
	e := newApprEnv(t)
	a := e.w.A
	admin := e.as(t, a, testkit.Admin)
	ctx := context.Background()
	path := fmt.Sprintf("/manage/maintenance/%d", a.OwnerRequest)

	askApproval(admin, a.OwnerRequest, [][2]string{{"version", "1"}, {"estimate", ""}}, "", nil).
		want(t, http.StatusUnprocessableEntity).wantBody(t, "Enter an amount")
	askApproval(admin, a.OwnerRequest, [][2]string{{"version", "1"}, {"estimate", "100"}}, "quote.pdf", []byte("<html><script>alert(1)</script></html>")).
		want(t, http.StatusUnprocessableEntity).wantBody(t, photo.MsgNotDocument, "Choose the quote again")
	askApproval(admin, a.OwnerRequest, [][2]string{{"version", "9"}, {"estimate", "100"}}, "quote.pdf", quotePDF).
		want(t, http.StatusConflict).wantBody(t, "Someone else changed this request")
	if d := e.request(t, a.OwnerRequest); len(d.Approvals) != 0 || d.Request.Status != lintel.StatusSubmitted {
		t.Fatalf("refused forms stored something: %s, %+v", d.Request.Status, d.Approvals)
	}
	// Another company's request is not found; the bookkeeper may not ask.
	e.as(t, e.w.B, testkit.Admin).get(fmt.Sprintf("/manage/maintenance/%d/approval/new", a.OwnerRequest)).want(t, http.StatusNotFound)
	askApproval(e.as(t, a, testkit.Bookkeeper), a.OwnerRequest, [][2]string{{"estimate", "100"}}, "", nil).want(t, http.StatusForbidden)

	// The property's approval limit, set on its edit form.
	prop := fmt.Sprintf("/manage/properties/%d", a.Property)
	edit := url.Values{"name": {"Harbour House"}, "kind": {"residential"}, "approval_limit": {"-5"}}
	admin.postForm(prop, edit).want(t, http.StatusUnprocessableEntity).wantBody(t, "Enter zero or more")
	edit.Set("approval_limit", "lots")
	admin.postForm(prop, edit).want(t, http.StatusUnprocessableEntity)
	edit.Set("approval_limit", "500")
	admin.postForm(prop, edit).wantRedirect(t, prop)
	admin.get(prop).wantBody(t, "Asked for work estimated at $500.00 or more")
	admin.get(prop+"/edit").wantBody(t, `value="500.00"`)
	admin.get(fmt.Sprintf("/manage/maintenance/%d/approval/new", a.OwnerRequest)).wantBody(t, "approval limit of $500.00")

	before := len(e.app.emailsTo(t, a.Emails[testkit.PropertyOwner]))
	askApproval(admin, a.OwnerRequest, [][2]string{{"version", "1"}, {"estimate", "120.00"}}, "", nil).wantRedirect(t, path)
	admin.get(path).wantBody(t, "Approved without asking the owners: the estimate is under this property&#39;s approval limit of $500.00.")
	if d := e.request(t, a.OwnerRequest); d.Request.Status != lintel.StatusApproved {
		t.Errorf("under the limit: %s, want approved", d.Request.Status)
	}
	if after := len(e.app.emailsTo(t, a.Emails[testkit.PropertyOwner])); after != before {
		t.Errorf("under the limit, the owner got %d e-mails", after-before)
	}
	// Emptying the field means "always ask" again.
	edit.Set("approval_limit", "")
	admin.postForm(prop, edit).wantRedirect(t, prop)
	if p, err := e.db.Property(ctx, a.Staff[testkit.Admin], a.Property); err != nil || p.ApprovalLimitMinor != nil {
		t.Errorf("limit after emptying the field: %v, %v", p.ApprovalLimitMinor, err)
	}
}

func TestPortalApprovals(t *testing.T) {
	t.Parallel()
	e := newApprEnv(t)
	a := e.w.A
	page := fmt.Sprintf("/portal/approvals/%d", a.Approval)
	owner := e.as(t, a, testkit.PropertyOwner)
	owner.get("/portal/approvals").want(t, http.StatusOK).wantBody(t, "Dryer in the laundry room does not heat", "Waiting for your approval", "1 waiting for your decision")
	owner.get(page).want(t, http.StatusOK).wantBody(t, "$850.00", "Laundry room (common area)", "Replace the heating element.", "No quote attached", `value="approve"`)

	// Not the owners of this asset: not found, for reading and deciding.
	for _, p := range []testkit.Persona{testkit.UnitOwner, testkit.Tenant, testkit.OtherOwner, testkit.Admin} {
		c := e.as(t, a, p)
		c.get(page).want(t, http.StatusNotFound)
		decide(c, page, "approve", "", 2).want(t, http.StatusNotFound)
	}
	e.as(t, a, testkit.UnitOwner).get("/portal/approvals").want(t, http.StatusOK).wantBody(t, "Nothing to approve")
	decide(e.as(t, e.w.B, testkit.PropertyOwner), page, "approve", "", 2).want(t, http.StatusNotFound)

	decide(owner, page, "decline", " ", 2).want(t, http.StatusUnprocessableEntity).wantBody(t, "Say why you decline")
	decide(owner, page, "decline", "Too dear; get a second quote.", 2).wantRedirect(t, page)
	owner.get(page).wantBody(t, "Thank you: you declined the work", "Declined by Property Owner Harbour (you)", "Too dear; get a second quote.")
	decide(owner, page, "approve", "", 3).wantRedirect(t, page)
	owner.get(page).wantBody(t, "already been answered")
	if d := e.request(t, a.ApprovalRequest); d.Request.Status != lintel.StatusDeclined {
		t.Fatalf("after declining: %s", d.Request.Status)
	}

	// The manager asks again from the declined estimate, and the owner gets
	// a new e-mail.
	admin := e.as(t, a, testkit.Admin)
	admin.get(fmt.Sprintf("/manage/maintenance/%d/approval/new", a.ApprovalRequest)).
		wantBody(t, "Declined by Property Owner Harbour", "Too dear; get a second quote.", `value="850.00"`)
	askApproval(admin, a.ApprovalRequest, [][2]string{{"version", "3"}, {"estimate", "640"}, {"notes", "Second quote, cheaper part."}}, "", nil).
		wantRedirect(t, fmt.Sprintf("/manage/maintenance/%d", a.ApprovalRequest))
	m := e.app.lastEmailTo(t, a.Emails[testkit.PropertyOwner])
	if !strings.Contains(m.Text, "$640.00") {
		t.Fatalf("second request's e-mail: %s", m.Text)
	}
	anon := e.app.client(t)
	link := e.app.linkIn(t, m, "/a/")
	decide(anon, link, "approve", "", 4).wantRedirect(t, strings.TrimPrefix(link, e.app.base)+"?done=1")
	if d := e.request(t, a.ApprovalRequest); d.Request.Status != lintel.StatusApproved || len(d.Approvals) != 2 {
		t.Errorf("after the second request: %s with %d approvals", d.Request.Status, len(d.Approvals))
	}
}

func TestApprovalWithdraw(t *testing.T) {
	t.Parallel()
	e := newApprEnv(t)
	a := e.w.A
	withdraw := fmt.Sprintf("/manage/approvals/%d/withdraw", a.Approval)
	e.as(t, a, testkit.Bookkeeper).postForm(withdraw, nil).want(t, http.StatusForbidden)
	e.as(t, e.w.B, testkit.Admin).postForm(withdraw, nil).want(t, http.StatusNotFound)
	admin := e.as(t, a, testkit.Maintenance)
	back := fmt.Sprintf("/manage/maintenance/%d", a.ApprovalRequest)
	admin.get(fmt.Sprintf("/manage/maintenance/%d/approval/new", a.ApprovalRequest)).wantBody(t, "Waiting for the owners", "Withdraw the approval request")
	// The request page offers it too, next to the pending approval.
	admin.get(back).wantBody(t, fmt.Sprintf(`action="%s"`, withdraw), "Withdraw this request for approval")
	admin.postForm(withdraw, nil).wantRedirect(t, back)
	if r := admin.get(back).wantBody(t, "Approval request withdrawn."); strings.Contains(r.Body, `action="`+withdraw+`"`) {
		t.Error("the request page still offers to withdraw a withdrawn approval")
	}
	if d := e.request(t, a.ApprovalRequest); d.Request.Status != lintel.StatusSubmitted {
		t.Errorf("after withdrawing: %s", d.Request.Status)
	}
	// The owner's link is dead; the portal page says it was withdrawn.
	e.app.client(t).get("/a/"+a.ApprovalToken).want(t, http.StatusNotFound).wantBody(t, "This approval link does not work")
	e.as(t, a, testkit.PropertyOwner).get(fmt.Sprintf("/portal/approvals/%d", a.Approval)).wantBody(t, "withdrew this request for approval")
	// Twice: nothing to withdraw, said plainly.
	admin.postForm(withdraw, nil).wantRedirect(t, back)
	admin.get(back).wantBody(t, "no longer waiting for the owners")
}

func TestApprovalQuoteScope(t *testing.T) {
	t.Parallel()
	e := newApprEnv(t)
	a := e.w.A
	admin := e.as(t, a, testkit.Admin)
	jpeg := testQuoteJPEG(t)
	askApproval(admin, a.OwnerRequest, [][2]string{{"version", "1"}, {"estimate", "300"}}, "paper quote.png", jpeg).
		wantRedirect(t, fmt.Sprintf("/manage/maintenance/%d", a.OwnerRequest))
	id := e.request(t, a.OwnerRequest).Approvals[0].ID
	staffQuote, portalQuote := fmt.Sprintf("/manage/approvals/%d/quote", id), fmt.Sprintf("/portal/approvals/%d/quote", id)
	tests := []struct {
		who  testkit.Persona
		c    *testkit.Company
		path string
		want int
	}{
		{testkit.Admin, a, staffQuote, http.StatusOK},
		{testkit.Bookkeeper, a, staffQuote, http.StatusOK},
		{testkit.Admin, e.w.B, staffQuote, http.StatusNotFound},
		{testkit.PropertyOwner, a, staffQuote, http.StatusNotFound},
		{testkit.PropertyOwner, a, portalQuote, http.StatusOK},
		{testkit.UnitOwner, a, portalQuote, http.StatusOK},
		{testkit.Tenant, a, portalQuote, http.StatusNotFound},
		{testkit.OtherOwner, a, portalQuote, http.StatusNotFound},
		{testkit.PropertyOwner, e.w.B, portalQuote, http.StatusNotFound},
	}
	for _, tt := range tests {
		r := e.as(t, tt.c, tt.who).get(tt.path)
		if r.Status != tt.want {
			t.Errorf("%s of %s: GET %s = %d, want %d", tt.who, tt.c.Name, tt.path, r.Status, tt.want)
		}
		if r.Status == http.StatusOK && (r.Header.Get("Content-Type") != photo.ContentTypeJPEG || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "inline;") ||
			!strings.Contains(r.Header.Get("Content-Disposition"), "paper quote.jpg")) {
			t.Errorf("%s: quote headers %v", tt.who, r.Header)
		}
	}
	link := e.app.linkIn(t, e.app.lastEmailTo(t, a.Emails[testkit.UnitOwner]), "/a/")
	e.app.client(t).get(link+"/quote").want(t, http.StatusOK)
	e.app.client(t).get("/a/"+a.ApprovalToken+"/quote").want(t, http.StatusNotFound) // a working link, no quote
}

// testQuoteJPEG is a photo of a paper quote.
func testQuoteJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 200, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestApprovalLinkDeadAndThrottled(t *testing.T) {
	t.Parallel()
	e := newApprEnv(t)
	c := e.app.client(t)
	for i := range approvalGuessLimit - 1 {
		r := c.get(fmt.Sprintf("/a/%s%03d", strings.Repeat("x", 40), i)).want(t, http.StatusNotFound)
		if i == 0 {
			r.wantBody(t, "This approval link does not work", "sign in to your resident portal")
			if r.Header.Get("Referrer-Policy") != "no-referrer" {
				t.Error("a dead link's page lets the token leak as a referrer")
			}
		}
	}
	r := c.postForm("/a/short", url.Values{"decision": {"approve"}}).want(t, http.StatusTooManyRequests)
	r.wantBody(t, "Too many links that do not work")
	if r.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After when locked out")
	}
	// Even a good link waits out the lock from this address.
	c.get("/a/"+e.w.A.ApprovalToken).want(t, http.StatusTooManyRequests)
	e.clock.Advance(approvalGuessWindow + time.Second)
	c.get("/a/"+e.w.A.ApprovalToken).want(t, http.StatusOK)
}

func TestApprovalLinkPathsAreNotLogged(t *testing.T) {
	t.Parallel()
	if got := logPath("/a/secret-token/quote"); strings.Contains(got, "secret") {
		t.Errorf("logPath = %q: the token would be logged", got)
	}
}

// TestApprovalReminderEmails runs the reminder worker against the test
// clock: fresh links after two days, nothing twice.
func TestApprovalReminderEmails(t *testing.T) {
	t.Parallel()
	e := newApprEnv(t)
	a := e.w.A
	worker := &approvals.Worker{DB: e.db, Mailer: e.app.srv.mailer(), Log: slog.New(slog.DiscardHandler)}
	run := func() int {
		t.Helper()
		n, err := worker.RunDue(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := run(); n != 0 {
		t.Fatalf("reminders at once: %d", n)
	}
	e.clock.Advance(sqldb.ApprovalFirstReminder)
	if n := run(); n != 2 { // company A's and B's fixture approvals
		t.Fatalf("reminders after two days: %d, want 2", n)
	}
	owner := a.Emails[testkit.PropertyOwner]
	count := len(e.app.emailsTo(t, owner))
	m := e.app.lastEmailTo(t, owner)
	if !strings.HasPrefix(m.Subject, "Reminder: Your approval is needed: Dryer in the laundry room does not heat") ||
		!strings.Contains(m.Text, "reminder 1 of 3") {
		t.Fatalf("reminder: %q\n%s", m.Subject, m.Text)
	}
	link := e.app.linkIn(t, m, "/a/")
	if strings.HasSuffix(link, a.ApprovalToken) {
		t.Error("the reminder reuses the first link")
	}
	e.app.client(t).get(link).want(t, http.StatusOK).wantBody(t, "$850.00")
	if n := run(); n != 0 || len(e.app.emailsTo(t, owner)) != count {
		t.Errorf("running again sent %d reminders", n)
	}
	// A decided approval is not reminded.
	decide(e.app.client(t), link, "approve", "", 2).want(t, http.StatusSeeOther)
	e.clock.Advance(sqldb.ApprovalReminderEvery)
	if n := run(); n != 1 { // only company B's
		t.Errorf("reminders after deciding: %d, want 1 (the other company's)", n)
	}
	if len(e.app.emailsTo(t, owner)) != count {
		t.Error("the owner who decided was reminded")
	}
}
