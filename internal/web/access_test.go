package web

// The access matrix (DESIGN.md, Tests; SECURITY.md 9–11): every route ×
// every kind of actor, against two look-alike companies. A route without a
// row fails the test, so a new route cannot ship without deciding who may
// reach it. The same walk proves that no GET changes the database
// (SECURITY.md 6).

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"image"
	"image/jpeg"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/blob"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// outcome is what an actor should get from a route.
type outcome string

const (
	allow     outcome = "allow" // reaches the handler (2xx, 3xx other than to /login, 409, 422)
	toLogin   outcome = "login" // redirected to /login
	notFound  outcome = "404"   // indistinguishable from a missing object
	forbidden outcome = "403"   // signed in, role may not
	anyAnswer outcome = "any"   // public page whose answer depends on its input only
)

// actor is one row of the matrix's second dimension.
type actor struct {
	name    string
	company *testkit.Company // nil for anonymous
	persona testkit.Persona
}

// profile gives an outcome per actor. otherCompany is true for the staff
// of company B acting on company A's objects.
type profile func(a actor, otherCompany bool) outcome

var (
	everyone profile = func(actor, bool) outcome { return allow }
	// anything: a public page that answers its input (a bad token), the
	// same for everyone.
	anything profile = func(actor, bool) outcome { return anyAnswer }
	// signedIn: any session.
	anySession profile = func(a actor, _ bool) outcome {
		if a.company == nil {
			return toLogin
		}
		return allow
	}
	// staffList: a staff page about the actor's own company (no id).
	staffList profile = func(a actor, _ bool) outcome {
		switch {
		case a.company == nil:
			return toLogin
		case !isStaff(a.persona):
			return notFound
		}
		return allow
	}
	// staffObject: a staff page about one of company A's objects.
	staffObject profile = func(a actor, other bool) outcome {
		if o := staffList(a, other); o != allow {
			return o
		}
		if other {
			return notFound
		}
		return allow
	}
	// editList: a change (or its form) that needs PermEditRecords, no id.
	editList profile = func(a actor, other bool) outcome {
		if o := staffList(a, other); o != allow {
			return o
		}
		if a.persona != testkit.Admin {
			return forbidden
		}
		return allow
	}
	// editObject: a change to one of company A's objects.
	editObject profile = func(a actor, other bool) outcome {
		if o := editList(a, other); o != allow {
			return o
		}
		if other {
			return notFound
		}
		return allow
	}
	// adminList and adminObject: PermManageStaff; in the fixtures only the
	// admin has it, like editList/editObject.
	adminList   = editList
	adminObject = editObject
	// signsOut: everyone ends up on the log-in page.
	signsOut profile = func(actor, bool) outcome { return toLogin }
	// switchToA: only company A's staff may make A their current company.
	switchToA profile = func(a actor, other bool) outcome {
		if o := staffObject(a, other); o != allow {
			return o
		}
		return allow
	}
	// portal: any signed-in person; staff with no resident links get an
	// empty state, not an error.
	portal = anySession
	// devMailboxList: signed out on loopback, or any company's admin.
	devMailboxList profile = func(a actor, _ bool) outcome {
		if a.company == nil || a.persona == testkit.Admin {
			return allow
		}
		return notFound
	}
	// devMailboxObject: one of company A's messages.
	devMailboxObject profile = func(a actor, other bool) outcome {
		if o := devMailboxList(a, other); o != allow || a.company == nil || !other {
			return o
		}
		return notFound
	}
)

func isStaff(p testkit.Persona) bool {
	return p == testkit.Admin || p == testkit.Bookkeeper || p == testkit.Maintenance
}

// matrixRow is one route's entry: the concrete request and the profile.
type matrixRow struct {
	path    func(w *testkit.World) string
	form    url.Values // for POSTs; empty is fine for most: an allowed actor gets 422
	profile profile
}

// formFor fills the placeholder {A} (company A's id) into a row's form.
func formFor(form url.Values, w *testkit.World) url.Values {
	out := url.Values{}
	for k, vs := range form {
		for _, v := range vs {
			out.Add(k, strings.ReplaceAll(v, "{A}", fmt.Sprint(w.A.ID)))
		}
	}
	return out
}

func fixed(p string) func(*testkit.World) string { return func(*testkit.World) string { return p } }
func withID(format string, id func(*testkit.World) int64) func(*testkit.World) string {
	return func(w *testkit.World) string { return fmt.Sprintf(format, id(w)) }
}

var (
	propertyA = func(w *testkit.World) int64 { return w.A.Property }
	unitA     = func(w *testkit.World) int64 { return w.A.Unit }
	contactA  = func(w *testkit.World) int64 { return w.A.Contacts[testkit.Tenant] }
	leaseA    = func(w *testkit.World) int64 { return w.A.Lease }
	ownerA    = func(w *testkit.World) int64 { return w.A.Ownership }
	staffA    = func(w *testkit.World) int64 { return w.A.Users[testkit.Bookkeeper] }
)

// accessMatrix has one row per route ("METHOD pattern").
var accessMatrix = map[string]matrixRow{
	"GET /healthz": {fixed("/healthz"), nil, everyone},
	"GET /readyz":  {fixed("/readyz"), nil, everyone},
	"GET /metrics": {fixed("/metrics"), nil, everyone}, // the test server is on loopback; metrics_test.go checks the rest
	"GET /{$}":     {fixed("/"), nil, anySession},      // sends each person to their own app

	"GET /login":            {fixed("/login"), nil, everyone},
	"POST /login":           {fixed("/login"), url.Values{"email": {"nobody@example.test"}, "password": {"wrong password here"}}, everyone},
	"POST /logout":          {fixed("/logout"), nil, signsOut},
	"GET /signup":           {fixed("/signup"), nil, everyone},
	"POST /signup":          {fixed("/signup"), url.Values{"email": {"someone@example.test"}}, everyone},
	"GET /signup/verify":    {fixed("/signup/verify?token=not-a-token"), nil, anything},
	"POST /signup/verify":   {fixed("/signup/verify"), url.Values{"token": {"not-a-token"}}, anything},
	"GET /password/forgot":  {fixed("/password/forgot"), nil, everyone},
	"POST /password/forgot": {fixed("/password/forgot"), url.Values{"email": {"someone@example.test"}}, everyone},
	"GET /password/reset":   {fixed("/password/reset?token=not-a-token"), nil, anything},
	"POST /password/reset":  {fixed("/password/reset"), url.Values{"token": {"not-a-token"}}, anything},
	"GET /invite":           {fixed("/invite?token=not-a-token"), nil, anything},
	"POST /invite":          {fixed("/invite"), url.Values{"token": {"not-a-token"}}, anything},

	"GET /manage/staff":                 {fixed("/manage/staff"), nil, adminList},
	"POST /manage/staff/invite":         {fixed("/manage/staff/invite"), nil, adminList},
	"POST /manage/staff/invites/revoke": {fixed("/manage/staff/invites/revoke"), url.Values{"email": {"new@harbour.test"}}, adminObject},
	"POST /manage/staff/{id}/role":      {withID("/manage/staff/%d/role", staffA), url.Values{"role": {"maintenance"}}, adminObject},
	"POST /manage/staff/{id}/disable":   {withID("/manage/staff/%d/disable", staffA), nil, adminObject},
	"POST /manage/staff/{id}/enable":    {withID("/manage/staff/%d/enable", staffA), nil, adminObject},
	"GET /manage/settings":              {fixed("/manage/settings"), nil, adminList},
	"POST /manage/settings":             {fixed("/manage/settings"), nil, adminList},
	"POST /manage/switch-company":       {fixed("/manage/switch-company"), url.Values{"company_id": {"{A}"}}, switchToA},
	"POST /manage/contacts/{id}/invite": {withID("/manage/contacts/%d/invite", contactA), nil, editObject},

	"GET /manage":                            {fixed("/manage"), nil, staffList},
	"GET /manage/emails/undelivered":         {fixed("/manage/emails/undelivered"), nil, staffList},
	"GET /manage/properties":                 {fixed("/manage/properties"), nil, staffList},
	"GET /manage/properties/new":             {fixed("/manage/properties/new"), nil, editList},
	"POST /manage/properties":                {fixed("/manage/properties"), nil, editList},
	"GET /manage/properties/{id}":            {withID("/manage/properties/%d", propertyA), nil, staffObject},
	"GET /manage/properties/{id}/edit":       {withID("/manage/properties/%d/edit", propertyA), nil, editObject},
	"POST /manage/properties/{id}":           {withID("/manage/properties/%d", propertyA), nil, editObject},
	"POST /manage/properties/{id}/archive":   {withID("/manage/properties/%d/archive", propertyA), nil, editObject},
	"POST /manage/properties/{id}/unarchive": {withID("/manage/properties/%d/unarchive", propertyA), nil, editObject},
	"GET /manage/properties/{id}/units/new":  {withID("/manage/properties/%d/units/new", propertyA), nil, editObject},
	"POST /manage/properties/{id}/units":     {withID("/manage/properties/%d/units", propertyA), nil, editObject},
	"GET /manage/properties/{id}/owners/new": {withID("/manage/properties/%d/owners/new", propertyA), nil, editObject},
	"POST /manage/properties/{id}/owners":    {withID("/manage/properties/%d/owners", propertyA), nil, editObject},
	"POST /manage/ownerships/{id}/archive":   {withID("/manage/ownerships/%d/archive", ownerA), nil, editObject},
	"GET /manage/units":                      {fixed("/manage/units"), nil, staffList},
	"GET /manage/units/{id}":                 {withID("/manage/units/%d", unitA), nil, staffObject},
	"GET /manage/units/{id}/edit":            {withID("/manage/units/%d/edit", unitA), nil, editObject},
	"POST /manage/units/{id}":                {withID("/manage/units/%d", unitA), nil, editObject},
	"POST /manage/units/{id}/archive":        {withID("/manage/units/%d/archive", unitA), nil, editObject},
	"POST /manage/units/{id}/unarchive":      {withID("/manage/units/%d/unarchive", unitA), nil, editObject},
	"GET /manage/contacts":                   {fixed("/manage/contacts"), nil, staffList},
	"GET /manage/contacts/new":               {fixed("/manage/contacts/new"), nil, editList},
	"POST /manage/contacts":                  {fixed("/manage/contacts"), nil, editList},
	"GET /manage/contacts/{id}":              {withID("/manage/contacts/%d", contactA), nil, staffObject},
	"GET /manage/contacts/{id}/edit":         {withID("/manage/contacts/%d/edit", contactA), nil, editObject},
	"POST /manage/contacts/{id}":             {withID("/manage/contacts/%d", contactA), nil, editObject},
	"POST /manage/contacts/{id}/archive":     {withID("/manage/contacts/%d/archive", contactA), nil, editObject},
	"POST /manage/contacts/{id}/unarchive":   {withID("/manage/contacts/%d/unarchive", contactA), nil, editObject},
	"GET /manage/leases":                     {fixed("/manage/leases"), nil, staffList},
	"GET /manage/leases/new":                 {fixed("/manage/leases/new"), nil, editList},
	"POST /manage/leases":                    {fixed("/manage/leases"), nil, editList},
	"GET /manage/leases/{id}":                {withID("/manage/leases/%d", leaseA), nil, staffObject},
	"GET /manage/leases/{id}/edit":           {withID("/manage/leases/%d/edit", leaseA), nil, editObject},
	"POST /manage/leases/{id}":               {withID("/manage/leases/%d", leaseA), nil, editObject},
	"POST /manage/leases/{id}/tenants":       {withID("/manage/leases/%d/tenants", leaseA), nil, editObject},
	"POST /manage/leases/{id}/tenants/{contact}/remove": {func(w *testkit.World) string {
		return fmt.Sprintf("/manage/leases/%d/tenants/%d/remove", w.A.Lease, w.A.Contacts[testkit.Cotenant])
	}, nil, editObject},
	"POST /manage/leases/{id}/end":     {withID("/manage/leases/%d/end", leaseA), nil, editObject},
	"POST /manage/leases/{id}/archive": {withID("/manage/leases/%d/archive", leaseA), nil, editObject},

	"GET /portal": {fixed("/portal"), nil, portal},

	// The dev mailbox is on in this test and every request comes from
	// loopback: signed out, one reads everything; signed in, only an
	// administrator, their own company's mail (message 1 is company A's).
	// Its other rules are tested in dev_mailbox_test.go.
	"GET /dev/mailbox":           {fixed("/dev/mailbox"), nil, devMailboxList},
	"GET /dev/mailbox/{id}":      {fixed("/dev/mailbox/1"), nil, devMailboxObject},
	"GET /dev/mailbox/{id}/html": {fixed("/dev/mailbox/1/html"), nil, devMailboxObject},
}

// addMatrixRows adds one capability's rows to the access matrix; each
// capability's test file calls it from an init func, next to its tests.
func addMatrixRows(rows map[string]matrixRow) {
	for k, v := range rows {
		if _, dup := accessMatrix[k]; dup {
			panic("access matrix: two rows for " + k)
		}
		accessMatrix[k] = v
	}
}

// matrixFixtures add a capability's objects to the matrix's world (rows
// for a route about one object need one to exist in company A); each
// capability's test file appends from its init func, next to its rows.
var matrixFixtures []func(t *testing.T, db *sqldb.DB, w *testkit.World)

// matrixActors are the people the matrix asks about. Company B's admin is
// "staff of another company"; company A has every other kind.
func matrixActors(w *testkit.World) []actor {
	out := []actor{{name: "anonymous"}}
	for _, p := range []testkit.Persona{testkit.Admin, testkit.Bookkeeper, testkit.Maintenance, testkit.Tenant, testkit.Cotenant,
		testkit.OtherTenant, testkit.FormerTenant, testkit.PropertyOwner, testkit.UnitOwner, testkit.OtherOwner} {
		out = append(out, actor{name: "A " + string(p), company: w.A, persona: p})
	}
	return append(out, actor{name: "B admin", company: w.B, persona: testkit.Admin})
}

// matrixEnv is a built world in a SQLite file with one session per actor,
// from which each POST gets a fresh copy.
type matrixEnv struct {
	world    *testkit.World
	template string            // path of the pristine database file
	cookies  map[string]string // actor name → raw session token
	files    blob.Store        // shared by every copy: the fixture's photo and invoice
}

// matrixFiles are the stored files the matrix rows ask for: a photo of
// company A's Request (taken on its Visit) and that visit's invoice.
var matrixFiles struct{ photoA int64 }

// addMatrixFiles stores a photo on w.A.Request and an invoice on
// w.A.Visit, through the contractor's link as an operator would, so the
// file routes' rows check real access, not only missing files.
func addMatrixFiles(t *testing.T, db *sqldb.DB, files blob.Store, w *testkit.World) {
	t.Helper()
	ctx := context.Background()
	put := func(name, contentType string, data []byte) sqldb.NewFile {
		key := blob.NewKey()
		if err := files.Put(ctx, key, bytes.NewReader(data), int64(len(data)), contentType); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		return sqldb.NewFile{Key: key, Name: name, ContentType: contentType, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}
	}
	var img bytes.Buffer
	if err := jpeg.Encode(&img, image.NewGray(image.Rect(0, 0, 8, 8)), nil); err != nil {
		t.Fatal(err)
	}
	hash := auth.HashToken(w.A.VisitToken)
	if err := db.ContractorAddPhotos(ctx, hash, "127.0.0.1", []sqldb.NewPhoto{{
		File: put("before.jpg", "image/jpeg", img.Bytes()), Thumb: put("before-thumb.jpg", "image/jpeg", img.Bytes()), Phase: "before"}}); err != nil {
		t.Fatal(err)
	}
	doc := put("INV-1.pdf", "application/pdf", []byte("%PDF-1.4\n%%EOF\n"))
	if err := db.ContractorSaveInvoice(ctx, hash, "127.0.0.1", sqldb.Invoice{Number: "INV-1", Date: lintel.DateOf(db.Now()), AmountMinor: 12000}, &doc); err != nil {
		t.Fatal(err)
	}
	d, err := db.StaffRequest(ctx, w.A.Staff[testkit.Admin], w.A.Request)
	if err != nil || len(d.Photos) != 1 {
		t.Fatalf("fixture photo: %v, %d photos", err, len(d.Photos))
	}
	matrixFiles.photoA = d.Photos[0].ID
	addMatrixDocuments(t, db, files, w) // manage_documents_test.go
}

func newMatrixEnv(t *testing.T) *matrixEnv {
	t.Helper()
	ctx := context.Background()
	db, w := testkit.SQLiteWorld(t)
	files, err := blob.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { files.Close() })
	addMatrixFiles(t, db, files, w)
	for _, add := range matrixFixtures {
		add(t, db, w)
	}
	env := &matrixEnv{world: w, cookies: map[string]string{}, files: files}
	for _, a := range matrixActors(w) {
		if a.company == nil {
			continue
		}
		raw, hash := auth.NewToken()
		if err := db.CreateSession(ctx, a.company.Users[a.persona], hash, "127.0.0.1", "matrix", DefaultStaffSession, DefaultResidentSession); err != nil {
			t.Fatal(err)
		}
		env.cookies[a.name] = raw
	}
	// A message for the dev mailbox rows to open.
	r := httptest.NewRecorder()
	s, err := New(Config{DevMailbox: true, Files: files}, db, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	s.Handler().ServeHTTP(r, postRequest("/manage/staff/invite", url.Values{"email": {"new@harbour.test"}, "role": {"manager"}}, env.cookies["A admin"]))
	if r.Code != http.StatusSeeOther {
		t.Fatalf("fixture invite: %d %s", r.Code, r.Body.String())
	}
	env.template = filepath.Join(t.TempDir(), "template.db")
	if err := db.BackupTo(ctx, env.template); err != nil {
		t.Fatal(err)
	}
	return env
}

// open returns a server over a private copy of the template database.
func (env *matrixEnv) open(t *testing.T) (*Server, *sqldb.DB) {
	t.Helper()
	s, db, _ := env.openAt(t)
	return s, db
}

// openAt is open that also gives the copy's file path.
func (env *matrixEnv) openAt(t *testing.T) (*Server, *sqldb.DB, string) {
	t.Helper()
	ctx := context.Background()
	// The template is a closed, complete database file (BackupTo wrote
	// it), so a byte copy is a consistent database.
	path := filepath.Join(t.TempDir(), "copy.db")
	data, err := os.ReadFile(env.template)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sqldb.Open(ctx, "sqlite:"+path, "", sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := New(Config{DevMailbox: true, Files: env.files}, db, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return s, db, path
}

// commitCounter reads SQLite's data_version of the file at path on a
// connection of its own: it changes whenever any other connection (the
// server's writer or any of its readers) commits a change, so an unchanged
// number proves the database is as it was without reading every table.
func commitCounter(t *testing.T, path string) func() int64 {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	conn, err := raw.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(); raw.Close() })
	return func() int64 {
		t.Helper()
		var v int64
		if err := conn.QueryRowContext(context.Background(), "PRAGMA data_version").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func postRequest(path string, form url.Values, token string) *http.Request {
	r := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.RemoteAddr = "127.0.0.1:5555"
	if token != "" {
		r.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
	}
	return r
}

func getRequest(path, token string) *http.Request {
	r := httptest.NewRequest("GET", path, nil)
	r.RemoteAddr = "127.0.0.1:5555"
	if token != "" {
		r.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
	}
	return r
}

// classify turns a response into an outcome.
func classify(rec *httptest.ResponseRecorder) outcome {
	switch rec.Code {
	case http.StatusNotFound:
		return notFound
	case http.StatusForbidden:
		return forbidden
	case http.StatusUnauthorized:
		return toLogin
	}
	if rec.Code >= 300 && rec.Code < 400 && strings.HasPrefix(rec.Header().Get("Location"), "/login") {
		return toLogin
	}
	if rec.Code >= 500 {
		return "500"
	}
	return allow
}

// mainPart is the page without layout (navigation, request id).
func mainPart(body string) string {
	r := &resp{Body: body}
	return r.mainOf()
}

// sessionTables change on every request of a signed-in person (idle
// deadline, one-time messages); they are not the records a GET must leave
// alone.
var sessionTables = []string{"sessions"}

func TestAccessMatrix(t *testing.T) {
	t.Parallel()
	env := newMatrixEnv(t)
	routes, _ := env.open(t)
	seen := map[string]bool{}
	for _, rt := range routes.Routes() {
		key := rt.Method + " " + rt.Pattern
		seen[key] = true
		if _, ok := accessMatrix[key]; !ok {
			t.Errorf("route %s has no row in the access matrix: decide who may reach it and add one", key)
		}
	}
	for key := range accessMatrix {
		if !seen[key] {
			t.Errorf("access matrix row %q matches no route: remove it", key)
		}
	}
	// Each actor walks every route on a copy of its own, so the walks run
	// in parallel and each GET's before-and-after comparison sees only its
	// own requests.
	for _, a := range matrixActors(env.world) {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			walkMatrix(t, env, a)
		})
	}
}

// walkMatrix asks every route as actor a and checks the outcome.
func walkMatrix(t *testing.T, env *matrixEnv, a actor) {
	shared, sharedDB, sharedPath := env.openAt(t)
	version := commitCounter(t, sharedPath)
	ctx := context.Background()
	token := env.cookies[a.name]
	want404 := func() string {
		// Out of scope must look exactly like "does not exist".
		missing := httptest.NewRecorder()
		shared.Handler().ServeHTTP(missing, getRequest("/manage/properties/987654321", token))
		if a.company == nil || !isStaff(a.persona) {
			missing = httptest.NewRecorder()
			shared.Handler().ServeHTTP(missing, getRequest("/no-such-page", token))
		}
		return mainPart(missing.Body.String())
	}
	// cur is the shared copy as it stands: each comparison's "after" is the
	// next one's "before", so the walk reads the database once per request.
	cur, err := sharedDB.Snapshot(ctx, sessionTables...)
	if err != nil {
		t.Fatal(err)
	}
	// Every copy starts as the shared one did.
	pristine := cur
	// afterShared is the shared copy's snapshot after a request that began
	// at data version v: cur itself when nothing was committed since.
	afterShared := func(v int64) map[string]string {
		t.Helper()
		if version() == v {
			return cur
		}
		after, err := sharedDB.Snapshot(ctx, sessionTables...)
		if err != nil {
			t.Fatal(err)
		}
		return after
	}
	changed := func(before, after map[string]string, what string, ignore ...string) {
		t.Helper()
		for table := range before {
			if before[table] != after[table] && !slices.Contains(ignore, table) {
				t.Errorf("%s changed table %s", what, table)
			}
		}
	}
	for _, rt := range shared.Routes() {
		row, ok := accessMatrix[rt.Method+" "+rt.Pattern]
		if !ok {
			continue // reported once by TestAccessMatrix
		}
		path := row.path(env.world)
		want := row.profile(a, a.company == env.world.B)
		var rec *httptest.ResponseRecorder
		if rt.Method == http.MethodGet {
			v := version()
			rec = httptest.NewRecorder()
			shared.Handler().ServeHTTP(rec, getRequest(path, token))
			after := afterShared(v)
			changed(cur, after, fmt.Sprintf("GET %s as %s (a GET must change nothing)", path, a.name))
			cur = after
		} else {
			// A refused POST must change nothing; an allowed one runs on a
			// private copy so it cannot disturb the next rows.
			refused := want == notFound || want == forbidden || (want == toLogin && a.company == nil)
			v := version()
			rec = httptest.NewRecorder()
			if refused {
				shared.Handler().ServeHTTP(rec, postRequest(path, formFor(row.form, env.world), token))
				after := afterShared(v)
				if got := classify(rec); got != allow && got != "500" {
					changed(cur, after, fmt.Sprintf("refused POST %s as %s (%s)", path, a.name, got), "throttle")
				}
				cur = after
			} else {
				s, db := env.open(t)
				s.Handler().ServeHTTP(rec, postRequest(path, formFor(row.form, env.world), token))
				if got := classify(rec); got != allow && got != "500" {
					after, err := db.Snapshot(ctx, sessionTables...)
					if err != nil {
						t.Fatal(err)
					}
					changed(pristine, after, fmt.Sprintf("refused POST %s as %s (%s)", path, a.name, got), "throttle")
				}
			}
		}
		got := classify(rec)
		if got == "500" || (want != anyAnswer && got != want) {
			t.Errorf("%s %s as %s: got %s (status %d, Location %q), want %s", rt.Method, path, a.name, got, rec.Code, rec.Header().Get("Location"), want)
			continue
		}
		if got == notFound && want == notFound && mainPart(rec.Body.String()) != want404() {
			t.Errorf("%s %s as %s: the 404 differs from a missing object's 404", rt.Method, path, a.name)
		}
	}
}
