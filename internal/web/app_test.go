package web

// The HTTP test harness: the real server (web.New, every middleware, the
// real router) behind httptest's TLS server, driven by clients with a
// cookie jar. TLS is needed because the session cookie is __Host- and
// Secure, so a client only sends it back over https.
//
// Typical use:
//
//	db := testkit.SQLite(t)                     // or inside testkit.ForEachDB
//	app := newTestApp(t, db)
//	admin := seedCompany(t, db, "Acme Lettings", "ada@acme.test", testPassword)
//	c := app.client(t)
//	c.loginAs("ada@acme.test", testPassword)
//	r := c.get("/manage/staff")                 // r.Status, r.Body, r.Location
//	r.want(t, 200)
//
// Uploaded files go to a local store in a temporary folder (Config.Files;
// the test's app.srv.files reads them back).
//
// The server's clock is the database's clock (Config.Now = db.Now), so a
// test that travels in time opens its database with a testkit.Clock
// (sqldb.Options{Now: clock.Now}) and advances that one clock.

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"lintel.dev/lintel/internal/accounts"
	"lintel.dev/lintel/internal/blob"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// testPassword is a password the policy accepts; fixtures use it unless a
// test needs another.
const testPassword = "correct horse battery staple"

// testApp is a running server for one test.
type testApp struct {
	t   *testing.T
	db  *sqldb.DB
	srv *Server
	ts  *httptest.Server
	// base is the server's configured base URL (the TLS server's URL):
	// links in e-mails start with it.
	base string
}

// newTestApp starts the real server on db, behind TLS, stopped when the
// test ends.
func newTestApp(t *testing.T, db *sqldb.DB) *testApp {
	t.Helper()
	return newTestAppWith(t, db, Config{})
}

// newTestAppWith is newTestApp with a config to start from. BaseURL is
// always the test server's address; Now defaults to db.Now.
func newTestAppWith(t *testing.T, db *sqldb.DB, cfg Config) *testApp {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	base, err := url.Parse("https://" + ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	cfg.BaseURL = base
	if cfg.Now == nil {
		cfg.Now = db.Now
	}
	if cfg.Files == nil {
		files, err := blob.NewLocal(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { files.Close() })
		cfg.Files = files
	}
	srv, err := New(cfg, db, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv.Handler()
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return &testApp{t: t, db: db, srv: srv, ts: ts, base: base.String()}
}

// testClient is one browser: its own cookie jar, redirects recorded, not
// followed (use the follow variants to follow them).
type testClient struct {
	t   *testing.T
	app *testApp
	hc  *http.Client
}

// client returns a new browser with an empty cookie jar.
func (a *testApp) client(t *testing.T) *testClient {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	hc := *a.ts.Client()
	hc.Jar = jar
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &testClient{t: t, app: a, hc: &hc}
}

// resp is a recorded response.
type resp struct {
	Status   int
	Body     string
	Header   http.Header
	Location string // the Location header of a redirect, as sent
	Path     string // the path (and query) that was requested
}

// want fails the test unless the status is status.
func (r *resp) want(t *testing.T, status int) *resp {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status = %d, want %d (Location %q)\n%s", r.Path, r.Status, status, r.Location, excerpt(r.Body))
	}
	return r
}

// wantRedirect fails the test unless the response is a 303 to location.
func (r *resp) wantRedirect(t *testing.T, location string) *resp {
	t.Helper()
	if r.Status != http.StatusSeeOther || r.Location != location {
		t.Fatalf("%s: got %d to %q, want 303 to %q\n%s", r.Path, r.Status, r.Location, location, excerpt(r.Body))
	}
	return r
}

// wantBody fails the test unless the body contains each of parts.
func (r *resp) wantBody(t *testing.T, parts ...string) *resp {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(r.Body, p) {
			t.Fatalf("%s: body does not contain %q\n%s", r.Path, p, excerpt(r.Body))
		}
	}
	return r
}

// mainOf returns the body's <main> element: the page without the layout
// and the footer's per-request id.
func (r *resp) mainOf() string {
	b := r.Body
	if i := strings.Index(b, "<main"); i >= 0 {
		b = b[i:]
	}
	if i := strings.Index(b, "</main>"); i >= 0 {
		b = b[:i]
	}
	return b
}

func excerpt(s string) string {
	if i := strings.Index(s, "<main"); i >= 0 {
		s = s[i:]
	}
	if len(s) > 3000 {
		s = s[:3000] + "…"
	}
	return s
}

func (c *testClient) do(req *http.Request) *resp {
	c.t.Helper()
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return &resp{Status: res.StatusCode, Body: string(b), Header: res.Header, Location: res.Header.Get("Location"), Path: req.URL.RequestURI()}
}

// url turns a path ("/login?next=/x") or an absolute link from an e-mail
// into a URL on the test server.
func (c *testClient) url(path string) string {
	if strings.HasPrefix(path, "https://") {
		return path
	}
	return c.app.ts.URL + path
}

// get requests path without following redirects.
func (c *testClient) get(path string) *resp {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.url(path), nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// postForm posts form to path without following redirects. Go clients
// send no Origin or Sec-Fetch-Site header, so CrossOriginProtection lets
// them through like a same-origin browser form.
func (c *testClient) postForm(path string, form url.Values) *resp {
	c.t.Helper()
	return c.do(c.newPost(path, form))
}

// newPost is the request postForm sends, for a test to add headers to.
func (c *testClient) newPost(path string, form url.Values) *http.Request {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.url(path), strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// loginAs signs the client in through the log-in form and fails the test
// unless it is redirected (303) into an app.
func (c *testClient) loginAs(email, password string) *resp {
	c.t.Helper()
	r := c.postForm("/login", url.Values{"email": {email}, "password": {password}})
	if r.Status != http.StatusSeeOther {
		c.t.Fatalf("log in as %s: status %d, want 303\n%s", email, r.Status, excerpt(r.Body))
	}
	return r
}

// sessionCookie returns the raw session cookie the client holds, or "".
func (c *testClient) sessionCookie() string {
	u, _ := url.Parse(c.app.ts.URL)
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == sessionCookie {
			return ck.Value
		}
	}
	return ""
}

// setSessionCookie replaces the client's session cookie (to replay an old one).
func (c *testClient) setSessionCookie(raw string) {
	u, _ := url.Parse(c.app.ts.URL)
	c.hc.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: raw, Path: "/", Secure: true}})
}

// emailsTo returns the e-mails queued in the outbox for to, oldest first.
func (a *testApp) emailsTo(t *testing.T, to string) []lintel.Email {
	t.Helper()
	ms, err := a.db.QueuedEmails(context.Background(), to)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// lastEmailTo returns the newest e-mail queued for to, failing the test
// when there is none.
func (a *testApp) lastEmailTo(t *testing.T, to string) lintel.Email {
	t.Helper()
	ms := a.emailsTo(t, to)
	if len(ms) == 0 {
		t.Fatalf("no e-mail queued for %s", to)
	}
	return ms[len(ms)-1]
}

// runJobs runs the deferred account jobs (sign-up and reset checks) that
// requests queued, as the worker would, and returns how many ran.
func (a *testApp) runJobs(t *testing.T) int {
	t.Helper()
	w := &accounts.Worker{DB: a.db, BaseURL: a.srv.cfg.BaseURL, Log: slog.New(slog.DiscardHandler)}
	n, err := w.RunDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

var linkRE = regexp.MustCompile(`https://[^\s"<>]+`)

// linkIn returns the first link in m's plain-text body whose path starts
// with pathPrefix (e.g. "/signup/verify"), as an absolute URL that the test
// client can get. It fails the test when there is none, or when the link
// is not built from the configured base URL.
func (a *testApp) linkIn(t *testing.T, m lintel.Email, pathPrefix string) string {
	t.Helper()
	for _, l := range linkRE.FindAllString(m.Text, -1) {
		if strings.HasPrefix(l, a.base+pathPrefix) {
			return l
		}
	}
	t.Fatalf("no link to %s%s in e-mail %q:\n%s", a.base, pathPrefix, m.Subject, m.Text)
	return ""
}

// tokenOf returns the token query parameter of an e-mailed link.
func tokenOf(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Query().Get("token") == "" {
		t.Fatalf("no token in link %q", link)
	}
	return u.Query().Get("token")
}

// Fixtures. Passwords are hashed once per distinct password per test
// binary, at the lowest Argon2id cost (testkit.HashPassword).

var (
	hashMu    sync.Mutex
	hashCache = map[string]string{}
)

func testHash(password string) string {
	hashMu.Lock()
	defer hashMu.Unlock()
	h, ok := hashCache[password]
	if !ok {
		h = testkit.HashPassword(password)
		hashCache[password] = h
	}
	return h
}

// seedCompany creates a company with email as its administrator (a new
// verified user, or the existing one) and returns the administrator.
func seedCompany(t *testing.T, db *sqldb.DB, name, email, password string) lintel.Staff {
	t.Helper()
	cid, uid, err := db.CreateCompanyWithAdmin(context.Background(), sqldb.NewCompany{
		Name: name, AdminEmail: email, AdminName: nameFromEmail(email), PasswordHash: testHash(password),
	})
	if err != nil {
		t.Fatal(err)
	}
	return lintel.Staff{UserID: uid, CompanyID: cid, Role: lintel.RoleAdmin, Name: nameFromEmail(email)}
}

// seedStaff makes email a member of companyID with role, creating a
// verified user when there is none with that e-mail.
func seedStaff(t *testing.T, db *sqldb.DB, companyID int64, email, password string, role lintel.Role) lintel.Staff {
	t.Helper()
	ctx := context.Background()
	u, err := db.UserByEmail(ctx, email)
	uid := u.ID
	if lintel.IsNotFound(err) {
		uid, err = db.CreateUser(ctx, sqldb.NewUser{Email: email, Name: nameFromEmail(email), PasswordHash: testHash(password), Verified: true})
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := db.AddStaffMember(ctx, companyID, uid, role); err != nil {
		t.Fatal(err)
	}
	return lintel.Staff{UserID: uid, CompanyID: companyID, Role: role, Name: nameFromEmail(email)}
}

// seedResident creates a verified login with no company membership: a
// resident account. What it links to depends on the contacts that carry
// its e-mail.
func seedResident(t *testing.T, db *sqldb.DB, email, password string) lintel.Resident {
	t.Helper()
	uid, err := db.CreateUser(context.Background(), sqldb.NewUser{Email: email, Name: nameFromEmail(email), PasswordHash: testHash(password), Verified: true})
	if err != nil {
		t.Fatal(err)
	}
	return lintel.Resident{UserID: uid, Email: strings.ToLower(email), Name: nameFromEmail(email)}
}

// nameFromEmail makes a readable name: "ada.lovelace@x" → "Ada Lovelace".
func nameFromEmail(email string) string {
	local, _, _ := strings.Cut(email, "@")
	parts := strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '_' || r == '-' || r == '+' })
	for i, p := range parts {
		parts[i] = strings.ToUpper(p[:1]) + p[1:]
	}
	return strings.Join(parts, " ")
}
