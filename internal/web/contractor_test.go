package web

// Tests of the contractor's task page (seed 001):
// what the page shows, the link rules (revoked, reassigned, expired, other
// visit, other company), that opening changes nothing, the guessing
// throttle, and every step the operator takes. The browser walk is in
// contractor_browser_test.go.

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// Every route under a link answers the same for every session actor: the
// link, not the session, is the credential. Rows use company A's open
// visit; "contractor of another visit" cases are in TestContractorLinkScope.
func init() {
	token := func(suffix string) func(w *testkit.World) string {
		return func(w *testkit.World) string { return "/t/" + w.A.VisitToken + suffix }
	}
	addMatrixRows(map[string]matrixRow{
		"GET /t/{token}":           {token(""), nil, everyone},
		"POST /t/{token}/opened":   {token("/opened"), nil, everyone},
		"POST /t/{token}/schedule": {token("/schedule"), nil, everyone}, // empty: 422
		"POST /t/{token}/notes":    {token("/notes"), url.Values{"tenant_notes": {"Turned the water off under the sink."}}, everyone},
		"POST /t/{token}/photos":   {token("/photos"), nil, everyone}, // not multipart: 422
		"GET /t/{token}/photos/{photo}": {func(w *testkit.World) string {
			return fmt.Sprintf("/t/%s/photos/%d", w.A.VisitToken, matrixFiles.photoA)
		}, nil, everyone},
		"POST /t/{token}/invoice":   {token("/invoice"), nil, everyone}, // not multipart: 422
		"GET /t/{token}/invoice":    {token("/invoice"), nil, everyone},
		"POST /t/{token}/complete":  {token("/complete"), nil, everyone},
		"POST /t/{token}/unable":    {token("/unable"), nil, everyone},    // no reason: 422
		"POST /t/{token}/follow-up": {token("/follow-up"), nil, everyone}, // not completed yet: 409
	})
}

// taskEnv is a world on SQLite with a settable clock, served by the test
// app.
type taskEnv struct {
	clock *testkit.Clock
	db    *sqldb.DB
	w     *testkit.World
	app   *testApp
	c     *testClient
}

func newTaskEnv(t *testing.T) *taskEnv {
	t.Helper()
	clock := testkit.NewClock(time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC))
	db, w := testkit.SQLiteWorld(t, sqldb.Options{Now: clock.Now})
	app := newTestApp(t, db)
	return &taskEnv{clock: clock, db: db, w: w, app: app, c: app.client(t)}
}

// deadLinkBody is what every link that does not work shows.
const deadLinkBody = "This link no longer works. Ask the property manager who sent it for a new one."

func TestContractorTaskPage(t *testing.T) {
	t.Parallel()
	e := newTaskEnv(t)
	r := e.c.get("/t/"+e.w.A.VisitToken).want(t, http.StatusOK)
	for h, want := range map[string]string{"Referrer-Policy": "no-referrer", "Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"} {
		if got := r.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	// Seed 001, "Reviewing the Request Details": everything the resident
	// and the manager gave.
	r.wantBody(t, `<meta name="robots" content="noindex, nofollow">`,
		"Kitchen tap drips", "Harbour House · Apt 1", "1 Harbour Road", // property address and unit
		"Tenant Harbour", "Cotenant Harbour", `href="tel:&#43;15550100"`, "mailto:tenant@harbour.test", // tenant names and contacts
		"Kitchen tap drips, since yesterday.", // description
		"Plumbing",                            // category
		"Is water leaking right now?", "Yes",  // troubleshooting answers
		"Weekday mornings", // preferred access time
		"Permission to enter", "you may enter when nobody is home",
		"A friendly cat",         // pets
		"Notes from the manager", // the manager's notes
		"Notes for the tenant", "Notes for the manager", "Upload photos", "Save document", "Mark complete",
		"Available after you mark the work complete")
	// No application navigation and no sign-in on a contractor's page.
	if strings.Contains(r.Body, `href="/login"`) || strings.Contains(r.Body, "/manage") {
		t.Error("the task page links to the apps; it should stand alone")
	}
	// Company B's link shows B's job and nothing of A's.
	rb := e.c.get("/t/"+e.w.B.VisitToken).want(t, http.StatusOK)
	rb.wantBody(t, "Ridge House", "Tenant Ridge")
	if strings.Contains(rb.Body, "Harbour") {
		t.Error("company B's task page shows something of company A")
	}
}

// postFiles posts a multipart form: fields first (in order), then files
// under field, as a phone's browser sends them.
func (c *testClient) postFiles(path string, fields [][2]string, field string, files map[string][]byte) *resp {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, kv := range fields {
		if err := mw.WriteField(kv[0], kv[1]); err != nil {
			c.t.Fatal(err)
		}
	}
	for name, data := range files {
		fw, err := mw.CreateFormFile(field, name)
		if err != nil {
			c.t.Fatal(err)
		}
		if _, err := fw.Write(data); err != nil {
			c.t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		c.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, c.url(path), &body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// testJPEG is a small photo as a phone might send it.
func testJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 120, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// testPDF is the smallest document the invoice form accepts as a PDF.
var testPDF = []byte("%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n")

var photoLinkRE = regexp.MustCompile(`/t/[A-Za-z0-9_-]+/photos/(\d+)\?size=thumb`)

func TestContractorLinkRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name string
		// kill makes the link stop working (nil: it works); it returns the
		// token to open.
		kill func(t *testing.T, e *taskEnv) string
	}{
		{"open visit", func(t *testing.T, e *taskEnv) string { return e.w.A.VisitToken }},
		{"unknown token", func(t *testing.T, e *taskEnv) string { raw, _ := auth.NewToken(); return raw }},
		{"malformed token", func(t *testing.T, e *taskEnv) string { return "not%20a%20token" }},
		{"reassigned to another operator", func(t *testing.T, e *taskEnv) string {
			_, hash := auth.NewToken()
			if _, err := e.db.AssignOperator(ctx, e.w.A.Staff[testkit.Admin], e.w.A.Request, 0, sqldb.Dispatch{OperatorID: e.w.A.Operator2, TokenHash: hash}, nil); err != nil {
				t.Fatal(err)
			}
			return e.w.A.VisitToken
		}},
		{"revoked by the manager", func(t *testing.T, e *taskEnv) string {
			if _, err := e.db.RevokeVisitLink(ctx, e.w.A.Staff[testkit.Admin], e.w.A.Visit); err != nil {
				t.Fatal(err)
			}
			return e.w.A.VisitToken
		}},
		{"request cancelled while the visit was open", func(t *testing.T, e *taskEnv) string {
			setStatus(t, e, lintel.StatusCancelled, "Tenant fixed it")
			return e.w.A.VisitToken
		}},
		{"expired after the request closed", func(t *testing.T, e *taskEnv) string {
			e.c.postForm("/t/"+e.w.A.VisitToken+"/complete", nil).want(t, http.StatusSeeOther)
			setStatus(t, e, lintel.StatusClosed, "")
			e.c.get("/t/"+e.w.A.VisitToken).want(t, http.StatusOK) // still readable for a while
			e.clock.Advance(lintel.ContractorLinkLife - time.Minute)
			e.c.get("/t/"+e.w.A.VisitToken).want(t, http.StatusOK).wantBody(t, "invoices can no longer be added")
			e.clock.Advance(time.Minute)
			return e.w.A.VisitToken
		}},
	}
	var deadMain string
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTaskEnv(t)
			token := tc.kill(t, e)
			r := e.c.get("/t/" + token)
			if tc.name == "open visit" {
				r.want(t, http.StatusOK)
				return
			}
			r.want(t, http.StatusNotFound).wantBody(t, deadLinkBody)
			if r.Header.Get("Referrer-Policy") != "no-referrer" || r.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("dead link page headers: %v", r.Header)
			}
			// The same page, byte for byte, whatever the reason (no oracle).
			if deadMain == "" {
				deadMain = r.mainOf()
			} else if r.mainOf() != deadMain {
				t.Errorf("dead page differs from another dead page:\n%s\n---\n%s", r.mainOf(), deadMain)
			}
			// Every route under a dead link is dead too; nothing changes.
			before, err := e.db.Snapshot(ctx, "sessions", "throttle")
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{"/notes", "/complete", "/unable", "/follow-up", "/schedule", "/opened", "/invoice", "/photos"} {
				e.c.postForm("/t/"+token+p, url.Values{"tenant_notes": {"x"}, "unable_reason": {"x"}}).want(t, http.StatusNotFound).wantBody(t, deadLinkBody)
			}
			e.c.get("/t/"+token+"/photos/1").want(t, http.StatusNotFound).wantBody(t, deadLinkBody)
			e.c.get("/t/"+token+"/invoice").want(t, http.StatusNotFound).wantBody(t, deadLinkBody)
			after, err := e.db.Snapshot(ctx, "sessions", "throttle")
			if err != nil {
				t.Fatal(err)
			}
			for table := range before {
				if before[table] != after[table] {
					t.Errorf("a dead link changed table %s", table)
				}
			}
		})
	}
}

// setStatus moves company A's request as its administrator.
func setStatus(t *testing.T, e *taskEnv, to lintel.RequestStatus, reason string) {
	t.Helper()
	ctx := context.Background()
	admin := e.w.A.Staff[testkit.Admin]
	d, err := e.db.StaffRequest(ctx, admin, e.w.A.Request)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.SetRequestStatus(ctx, admin, e.w.A.Request, sqldb.StatusChange{To: to, Reason: reason, Version: d.Request.Version}, nil); err != nil {
		t.Fatal(err)
	}
}

// TestContractorLinkScope: a link reaches its own request's photos only,
// and company B's link never A's.
func TestContractorLinkScope(t *testing.T) {
	t.Parallel()
	e := newTaskEnv(t)
	e.c.postFiles("/t/"+e.w.A.VisitToken+"/photos", [][2]string{{"phase", "before"}}, "photos", map[string][]byte{"tap.jpg": testJPEG(t, 80, 60)}).want(t, http.StatusSeeOther)
	page := e.c.get("/t/"+e.w.A.VisitToken).want(t, http.StatusOK)
	m := photoLinkRE.FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("no photo thumbnail on the task page:\n%s", excerpt(page.Body))
	}
	photoID := m[1]
	e.c.get("/t/"+e.w.A.VisitToken+"/photos/"+photoID).want(t, http.StatusOK)
	cases := []struct{ name, token string }{
		{"contractor of another visit of the same company", e.w.A.OtherVisitToken},
		{"contractor of company B", e.w.B.VisitToken},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.c.get("/t/"+tc.token+"/photos/"+photoID).want(t, http.StatusNotFound)
			if strings.Contains(r.Body, "\xff\xd8") {
				t.Fatal("served the photo")
			}
			if r := e.c.get("/t/"+tc.token+"/photos/"+photoID+"?size=thumb").want(t, http.StatusNotFound); strings.Contains(r.Body, "\xff\xd8") {
				t.Fatal("served the thumbnail")
			}
			other := e.c.get("/t/"+tc.token).want(t, http.StatusOK)
			if strings.Contains(other.Body, "Harbour House · Apt 1") || strings.Contains(other.Body, "/photos/"+photoID+"?") {
				t.Fatal("another visit's page shows this request")
			}
		})
	}
}

// TestContractorOpeningChangesNothing: mail scanners open links, so the
// GET changes nothing; the page's script records "last opened" with a
// POST, which the manager sees, and the opening is audited.
func TestContractorOpeningChangesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newTaskEnv(t)
	before, err := e.db.Snapshot(ctx, "sessions")
	if err != nil {
		t.Fatal(err)
	}
	r := e.c.get("/t/"+e.w.A.VisitToken).want(t, http.StatusOK)
	r.wantBody(t, `data-task-opened="/t/`+e.w.A.VisitToken+`/opened"`)
	after, err := e.db.Snapshot(ctx, "sessions")
	if err != nil {
		t.Fatal(err)
	}
	for table := range before {
		if before[table] != after[table] {
			t.Errorf("opening the link changed table %s", table)
		}
	}
	admin := e.w.A.Staff[testkit.Admin]
	lastOpened := func() time.Time {
		d, err := e.db.StaffRequest(ctx, admin, e.w.A.Request)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range d.Visits {
			if v.ID == e.w.A.Visit {
				return v.TokenLastOpened
			}
		}
		t.Fatal("visit not found")
		return time.Time{}
	}
	if !lastOpened().IsZero() {
		t.Fatal("last opened is set before the page was opened")
	}
	e.c.postForm("/t/"+e.w.A.VisitToken+"/opened", nil).want(t, http.StatusNoContent)
	if got := lastOpened(); !got.Equal(e.clock.Now()) {
		t.Fatalf("last opened = %v, want %v", got, e.clock.Now())
	}
	log, err := e.db.AuditLog(ctx, admin, "visit", e.w.A.Visit, 10)
	if err != nil || len(log) == 0 || log[0].Action != "visit.opened" || !strings.Contains(log[0].Actor, "Pipes Harbour") {
		t.Fatalf("opening not audited: %+v %v", log, err)
	}
	// Reloads a moment later update "last opened" but are one opening.
	e.clock.Advance(5 * time.Minute)
	e.c.postForm("/t/"+e.w.A.VisitToken+"/opened", nil).want(t, http.StatusNoContent)
	if got := lastOpened(); !got.Equal(e.clock.Now()) {
		t.Fatalf("last opened = %v, want %v", got, e.clock.Now())
	}
	if log2, _ := e.db.AuditLog(ctx, admin, "visit", e.w.A.Visit, 10); len(log2) != len(log) {
		t.Fatalf("a reload 5 minutes later was audited as a new opening: %+v", log2)
	}
}

// TestContractorGuessingThrottled: dead links from one address lock it
// out (429 with Retry-After), valid links included, until the window ends.
func TestContractorGuessingThrottled(t *testing.T) {
	t.Parallel()
	e := newTaskEnv(t)
	for i := range taskGuessLimit - 1 {
		raw, _ := auth.NewToken()
		e.c.get("/t/"+raw).want(t, http.StatusNotFound)
		if i == 0 {
			e.c.get("/t/"+e.w.A.VisitToken).want(t, http.StatusOK) // a working link does not count
		}
	}
	raw, _ := auth.NewToken()
	r := e.c.get("/t/"+raw).want(t, http.StatusTooManyRequests)
	if r.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	r.wantBody(t, "Too many links that do not work")
	e.c.get("/t/"+e.w.A.VisitToken).want(t, http.StatusTooManyRequests)
	e.c.postForm("/t/"+e.w.A.VisitToken+"/complete", nil).want(t, http.StatusTooManyRequests)
	e.clock.Advance(taskGuessWindow)
	e.c.get("/t/"+e.w.A.VisitToken).want(t, http.StatusOK)
}

// TestContractorSteps walks seed 001 over HTTP: notes, a time, photos,
// the invoice, complete (twice: one transition), a follow-up; the
// residents and the manager see what is theirs, and the dispatching staff
// are e-mailed.
func TestContractorSteps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newTaskEnv(t)
	tok := e.w.A.VisitToken
	base := "/t/" + tok
	admin := e.w.A.Staff[testkit.Admin]
	tenant := lintel.Resident{UserID: e.w.A.Users[testkit.Tenant], Email: e.w.A.Emails[testkit.Tenant]}

	steps := []struct {
		name     string
		do       func() *resp
		status   int
		location string   // for a 303
		see      []string // on the page after it
	}{
		{"tenant notes", func() *resp {
			return e.c.postForm(base+"/notes", url.Values{"tenant_notes": {"Keep the tap fully closed; the washer was worn."}})
		}, 303, base + "?saved=tenant_notes#tenant-notes", []string{"Saved at", "Keep the tap fully closed"}},
		{"manager notes", func() *resp {
			return e.c.postForm(base+"/notes", url.Values{"manager_notes": {"Replaced the washer. The mixer is old; recommend replacing it."}})
		}, 303, base + "?saved=manager_notes#manager-notes", []string{"Saved at", "recommend replacing it"}},
		{"notes too long", func() *resp {
			return e.c.postForm(base+"/notes", url.Values{"tenant_notes": {strings.Repeat("x", 5001)}})
		}, 422, "", nil},
		{"time agreed", func() *resp {
			return e.c.postForm(base+"/schedule", url.Values{"scheduled_at": {"2026-11-24T10:00"}})
		}, 303, base + "?saved=schedule#schedule", []string{"Time saved", "Tue 24 Nov 2026, 10:00"}},
		{"time missing", func() *resp { return e.c.postForm(base+"/schedule", url.Values{"scheduled_at": {""}}) }, 422, "", nil},
		{"before photos", func() *resp {
			return e.c.postFiles(base+"/photos", [][2]string{{"phase", "before"}}, "photos",
				map[string][]byte{"IMG_0001.jpg": testJPEG(t, 120, 90), "IMG_0002.jpg": testJPEG(t, 90, 120)})
		}, 303, base + "?n=2&saved=photos#photos", []string{"2 photos added", "Before the work"}},
		{"not a photo", func() *resp {
			return e.c.postFiles(base+"/photos", [][2]string{{"phase", "after"}}, "photos", map[string][]byte{"notes.txt": []byte("hello")})
		}, 422, "", []string{"“notes.txt”: This file is not a photo we can read"}},
		{"photo too big", func() *resp {
			big := append([]byte{0xff, 0xd8, 0xff}, make([]byte, 15<<20)...)
			return e.c.postFiles(base+"/photos", [][2]string{{"phase", "after"}}, "photos", map[string][]byte{"huge.jpg": big})
		}, 422, "", []string{"“huge.jpg” is too large (max 15 MB)"}},
		{"no photo chosen", func() *resp {
			return e.c.postFiles(base+"/photos", [][2]string{{"phase", "after"}}, "photos", nil)
		}, 422, "", []string{"Choose at least one photo"}},
		{"invoice without document", func() *resp {
			return e.c.postFiles(base+"/invoice", [][2]string{{"invoice_number", "INV-7"}, {"invoice_date", "2026-11-23"}, {"invoice_amount", "180.00"}}, "invoice_file", nil)
		}, 422, "", []string{"Add the invoice document"}},
		{"invoice with a bad amount", func() *resp {
			return e.c.postFiles(base+"/invoice", [][2]string{{"invoice_number", "INV-7"}, {"invoice_date", "2026-11-23"}, {"invoice_amount", "lots"}}, "invoice_file",
				map[string][]byte{"INV-7.pdf": testPDF})
		}, 422, "", []string{"Choose the document again"}},
		{"invoice document not a PDF", func() *resp {
			return e.c.postFiles(base+"/invoice", [][2]string{{"invoice_number", "INV-7"}, {"invoice_date", "2026-11-23"}, {"invoice_amount", "180.00"}}, "invoice_file",
				map[string][]byte{"inv.html": []byte("<html><script>alert(1)</script>")})
		}, 422, "", []string{"not a PDF or a photo we can read"}},
		{"invoice", func() *resp {
			return e.c.postFiles(base+"/invoice", [][2]string{{"invoice_number", "INV-7"}, {"invoice_date", "2026-11-23"}, {"invoice_amount", "1,180.50"}, {"invoice_tax", "180.05"}}, "invoice_file",
				map[string][]byte{"INV-7.pdf": testPDF})
		}, 303, base + "?saved=invoice#invoice", []string{"Invoice saved at", "INV-7", "$1,180.50", "$180.05", "INV-7.pdf"}},
		{"follow-up before completing", func() *resp {
			return e.c.postForm(base+"/follow-up", url.Values{"follow_up": {"return"}, "follow_up_reason": {"Need a part"}})
		}, 409, "", []string{"Mark the work complete first"}},
		{"complete", func() *resp { return e.c.postForm(base+"/complete", nil) }, 303, base + "?saved=complete#finish", []string{"Marked complete", "Is more work needed?"}},
		{"complete again", func() *resp { return e.c.postForm(base+"/complete", nil) }, 303, base + "?saved=complete#finish", []string{"Marked complete"}},
		{"unable after completing", func() *resp {
			return e.c.postForm(base+"/unable", url.Values{"unable_reason": {"No access"}})
		}, 409, "", []string{"You have marked this visit complete"}},
		{"follow-up without reason", func() *resp {
			return e.c.postForm(base+"/follow-up", url.Values{"follow_up": {"return"}})
		}, 422, "", []string{"Say why another appointment is needed"}},
		{"follow-up", func() *resp {
			return e.c.postForm(base+"/follow-up", url.Values{"follow_up": {"other_operator"}, "follow_up_reason": {"The mixer needs replacing; a plumber with the part should come."}})
		}, 303, base + "?saved=follow_up#follow-up", []string{"Follow-up requested:", "Another operator is required"}},
		{"follow-up twice", func() *resp {
			return e.c.postForm(base+"/follow-up", url.Values{"follow_up": {"return"}, "follow_up_reason": {"again"}})
		}, 409, "", []string{"already asked for a follow-up"}},
		{"after photos once completed", func() *resp {
			return e.c.postFiles(base+"/photos", [][2]string{{"phase", "after"}}, "photos", map[string][]byte{"after.png": testJPEG(t, 64, 64)})
		}, 303, base + "?n=1&saved=photos#photos", []string{"1 photo added", "After the work"}},
	}
	for _, st := range steps {
		r := st.do()
		if r.Status != st.status {
			t.Fatalf("%s: status %d, want %d\n%s", st.name, r.Status, st.status, excerpt(r.Body))
		}
		page := r
		if st.status == http.StatusSeeOther {
			if r.Location != st.location {
				t.Fatalf("%s: redirected to %q, want %q", st.name, r.Location, st.location)
			}
			page = e.c.get(r.Location).want(t, http.StatusOK)
		}
		for _, s := range st.see {
			if !strings.Contains(page.Body, s) && !strings.Contains(page.Body, template.HTMLEscapeString(s)) {
				t.Fatalf("%s: the page does not say %q\n%s", st.name, s, excerpt(page.Body))
			}
		}
	}

	// The store: one transition to completed, the visit's details, money in
	// minor units.
	d, err := e.db.StaffRequest(ctx, admin, e.w.A.Request)
	if err != nil {
		t.Fatal(err)
	}
	if d.Request.Status != lintel.StatusCompleted {
		t.Fatalf("request status = %s, want completed", d.Request.Status)
	}
	var v lintel.Visit
	for _, x := range d.Visits {
		if x.ID == e.w.A.Visit {
			v = x
		}
	}
	if v.Status != lintel.VisitCompleted || v.FollowUp != lintel.FollowUpOtherOperator || v.InvoiceNumber != "INV-7" ||
		v.InvoiceAmountMinor == nil || *v.InvoiceAmountMinor != 118050 || v.InvoiceTaxMinor == nil || *v.InvoiceTaxMinor != 18005 ||
		v.InvoiceDate.String() != "2026-11-23" || v.InvoiceFileID == 0 || v.ScheduledAt.IsZero() {
		t.Fatalf("visit = %+v", v)
	}
	if len(d.Photos) != 3 {
		t.Fatalf("%d photos stored, want 3", len(d.Photos))
	}
	count := func(events []sqldb.Event, body string) int {
		n := 0
		for _, ev := range events {
			if strings.Contains(ev.Body, body) {
				n++
			}
		}
		return n
	}
	if n := count(d.Events, "Work completed"); n != 1 {
		t.Errorf("%d \"Work completed\" events, want 1 (the second submit must change nothing)", n)
	}
	status := 0
	for _, ev := range d.Events {
		if ev.Kind == sqldb.EventStatus && ev.Body == lintel.StatusCompleted.Label() {
			status++
		}
	}
	if status != 1 {
		t.Errorf("%d status changes to completed, want 1", status)
	}
	// Residents see the tenant notes and "Work completed", not the notes
	// for the manager or the follow-up's reason.
	rd, err := e.db.ResidentRequest(ctx, tenant, e.w.A.Request)
	if err != nil {
		t.Fatal(err)
	}
	if count(rd.Events, "Keep the tap fully closed") != 1 || count(rd.Events, "Work completed") != 1 {
		t.Errorf("residents' timeline lacks the tenant notes or the completion: %+v", rd.Events)
	}
	if count(rd.Events, "recommend replacing") != 0 || count(rd.Events, "a plumber with the part") != 0 || count(rd.Events, "INV-7") != 0 {
		t.Errorf("residents see staff-only notes: %+v", rd.Events)
	}
	if count(d.Events, "recommend replacing") != 1 || count(d.Events, "a plumber with the part") != 1 {
		t.Errorf("staff timeline lacks the manager notes or the follow-up reason: %+v", d.Events)
	}

	// The invoice document and the photos are served under the link.
	inv := e.c.get(base+"/invoice").want(t, http.StatusOK)
	if inv.Body != string(testPDF) || inv.Header.Get("Content-Type") != "application/pdf" ||
		!strings.Contains(inv.Header.Get("Content-Disposition"), "INV-7.pdf") || !strings.Contains(inv.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("invoice served as %v", inv.Header)
	}
	for _, ph := range d.Photos {
		for _, q := range []string{"", "?size=thumb"} {
			r := e.c.get(fmt.Sprintf("%s/photos/%d%s", base, ph.ID, q)).want(t, http.StatusOK)
			if r.Header.Get("Content-Type") != "image/jpeg" || !strings.HasPrefix(r.Body, "\xff\xd8") {
				t.Fatalf("photo %d%s served as %v", ph.ID, q, r.Header)
			}
		}
	}

	// The dispatching staff were told once per outcome, with a link to the
	// request; the bookkeeper was not.
	for _, to := range []string{e.w.A.Emails[testkit.Admin], e.w.A.Emails[testkit.Maintenance]} {
		var done, follow int
		for _, m := range e.app.emailsTo(t, to) {
			switch {
			case strings.HasPrefix(m.Subject, "Work completed: Kitchen tap drips"):
				done++
			case strings.HasPrefix(m.Subject, "Follow-up needed: Kitchen tap drips"):
				follow++
				if !strings.Contains(m.Text, "Another operator is required") || !strings.Contains(m.Text, "a plumber with the part") {
					t.Errorf("follow-up e-mail lacks the choice or the reason:\n%s", m.Text)
				}
			}
			if strings.HasPrefix(m.Kind, "contractor_") {
				e.app.linkIn(t, m, fmt.Sprintf("/manage/maintenance/%d", e.w.A.Request))
			}
		}
		if done != 1 || follow != 1 {
			t.Errorf("%s got %d completion and %d follow-up e-mails, want 1 and 1", to, done, follow)
		}
	}
	for _, m := range e.app.emailsTo(t, e.w.A.Emails[testkit.Bookkeeper]) {
		if strings.HasPrefix(m.Kind, "contractor_") {
			t.Errorf("the bookkeeper was e-mailed %q", m.Subject)
		}
	}
}

// TestContractorUnable: the reason is required; the request goes back to
// submitted for the manager, who is told why.
func TestContractorUnable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newTaskEnv(t)
	base := "/t/" + e.w.A.VisitToken
	e.c.postForm(base+"/unable", url.Values{"unable_reason": {"  "}}).want(t, http.StatusUnprocessableEntity).
		wantBody(t, "Say why the work could not be completed")
	e.c.postForm(base+"/unable", url.Values{"unable_reason": {"Nobody home and no key in the lock box."}}).
		wantRedirect(t, base+"?saved=unable#finish")
	e.c.get(base).want(t, http.StatusOK).wantBody(t, "You reported that the work could not be completed", "no key in the lock box")
	e.c.postForm(base+"/complete", nil).want(t, http.StatusConflict).wantBody(t, "could not be completed")
	d, err := e.db.StaffRequest(ctx, e.w.A.Staff[testkit.Admin], e.w.A.Request)
	if err != nil {
		t.Fatal(err)
	}
	if d.Request.Status != lintel.StatusSubmitted {
		t.Fatalf("request status = %s, want submitted (back to the manager)", d.Request.Status)
	}
	m := e.app.lastEmailTo(t, e.w.A.Emails[testkit.Admin])
	if !strings.HasPrefix(m.Subject, "Unable to complete: Kitchen tap drips") || !strings.Contains(m.Text, "no key in the lock box") {
		t.Fatalf("manager's e-mail: %q\n%s", m.Subject, m.Text)
	}
}

// TestContractorInvoiceClosed: once the manager closes the request, the
// invoice is refused with a message, and nothing is stored.
func TestContractorInvoiceClosed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newTaskEnv(t)
	base := "/t/" + e.w.A.VisitToken
	e.c.postForm(base+"/complete", nil).want(t, http.StatusSeeOther)
	setStatus(t, e, lintel.StatusClosed, "")
	page := e.c.get(base).want(t, http.StatusOK)
	if strings.Contains(page.Body, "Save document") {
		t.Error("a closed request still offers the invoice form")
	}
	before, err := e.db.Snapshot(ctx, "sessions")
	if err != nil {
		t.Fatal(err)
	}
	e.c.postFiles(base+"/invoice", [][2]string{{"invoice_number", "INV-9"}, {"invoice_date", "2026-11-23"}, {"invoice_amount", "90"}}, "invoice_file",
		map[string][]byte{"INV-9.pdf": testPDF}).want(t, http.StatusConflict).wantBody(t, "invoices can no longer be added here")
	after, err := e.db.Snapshot(ctx, "sessions")
	if err != nil {
		t.Fatal(err)
	}
	for table := range before {
		if before[table] != after[table] {
			t.Errorf("a refused invoice changed table %s", table)
		}
	}
	e.c.postForm(base+"/follow-up", url.Values{"follow_up": {"return"}, "follow_up_reason": {"x"}}).want(t, http.StatusConflict)
}

// TestContractorCompleteRace: many submits of "Mark complete" at once make
// one transition and one e-mail per dispatcher.
func TestContractorCompleteRace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newTaskEnv(t)
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	for i := range statuses {
		wg.Go(func() {
			statuses[i] = e.app.client(t).postForm("/t/"+e.w.A.VisitToken+"/complete", nil).Status
		})
	}
	wg.Wait()
	for i, s := range statuses {
		if s != http.StatusSeeOther {
			t.Errorf("submit %d: status %d", i, s)
		}
	}
	d, err := e.db.StaffRequest(ctx, e.w.A.Staff[testkit.Admin], e.w.A.Request)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range d.Events {
		if ev.Body == "Work completed" {
			n++
		}
	}
	if n != 1 || d.Request.Status != lintel.StatusCompleted {
		t.Fatalf("%d completions, status %s; want exactly one", n, d.Request.Status)
	}
	if got := len(e.app.emailsTo(t, e.w.A.Emails[testkit.Admin])); got != 1 {
		t.Fatalf("admin got %d e-mails, want 1", got)
	}
}

// TestContractorEarlierVisits: the next operator's page carries the
// history (operator, outcome, notes), not the earlier invoice; the earlier
// operator's link keeps working for their own visit.
func TestContractorEarlierVisits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newTaskEnv(t)
	first := "/t/" + e.w.A.VisitToken
	e.c.postForm(first+"/notes", url.Values{"manager_notes": {"Valve seized; needs a new one."}}).want(t, http.StatusSeeOther)
	e.c.postFiles(first+"/invoice", [][2]string{{"invoice_number", "CALLOUT-1"}, {"invoice_date", "2026-11-23"}, {"invoice_amount", "60"}}, "invoice_file",
		map[string][]byte{"callout.pdf": testPDF}).want(t, http.StatusSeeOther)
	e.c.postForm(first+"/unable", url.Values{"unable_reason": {"Parts required: a 15 mm valve."}}).want(t, http.StatusSeeOther)

	raw, hash := auth.NewToken()
	if _, err := e.db.AssignOperator(ctx, e.w.A.Staff[testkit.Admin], e.w.A.Request, 0, sqldb.Dispatch{OperatorID: e.w.A.Operator2, TokenHash: hash}, nil); err != nil {
		t.Fatal(err)
	}
	next := e.c.get("/t/"+raw).want(t, http.StatusOK)
	next.wantBody(t, "Earlier visits", "Pipes Harbour", "Could not be completed", "Parts required: a 15 mm valve.", "Valve seized; needs a new one.")
	if strings.Contains(next.Body, "CALLOUT-1") || strings.Contains(next.Body, "callout.pdf") {
		t.Error("the next operator sees the earlier operator's invoice")
	}
	e.c.get("/t/"+raw+"/invoice").want(t, http.StatusNotFound)
	// The first operator still reaches their own visit (and its invoice).
	e.c.get(first).want(t, http.StatusOK).wantBody(t, "You reported that the work could not be completed", "CALLOUT-1")
	e.c.get(first+"/invoice").want(t, http.StatusOK)
	if strings.Contains(e.c.get(first).Body, "Earlier visits") {
		t.Error("the first operator sees later visits as earlier ones")
	}
}
