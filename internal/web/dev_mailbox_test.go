package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// queueDevEmail queues m as the product does (a token and its e-mail in one
// transaction) and returns its outbox id.
func queueDevEmail(t *testing.T, db *sqldb.DB, m lintel.Email) int64 {
	t.Helper()
	ctx := context.Background()
	nt := sqldb.NewToken{Hash: "hash-" + m.DedupeKey, Purpose: sqldb.PurposeSignup, Email: m.To, TTL: time.Hour}
	if err := db.IssueToken(ctx, nt, m); err != nil {
		t.Fatal(err)
	}
	page, err := db.DevMailbox(ctx, 0, 1)
	if err != nil || len(page.Emails) == 0 {
		t.Fatalf("queued e-mail not in the outbox: %v", err)
	}
	return page.Emails[0].ID
}

// directGet sends a GET straight to the handler from remoteAddr, with the
// raw session cookie when given: the test server's clients all come from
// loopback, and this is how a request from elsewhere looks.
func directGet(s *Server, path, remoteAddr, session string) *http.Response {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.RemoteAddr = remoteAddr
	if session != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: session})
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec.Result()
}

func TestDevMailboxAccess(t *testing.T) {
	t.Parallel()
	db := testkit.SQLite(t)
	admin := seedCompany(t, db, "Acme Lettings", "ada@acme.test", testPassword)
	seedStaff(t, db, admin.CompanyID, "max@acme.test", testPassword, lintel.RoleManager)
	seedResident(t, db, "rita@example.com", testPassword)
	// The company's own mail, which its administrator may read
	// (TestDevMailboxScopedByCompany has the rest).
	id := queueDevEmail(t, db, lintel.Email{CompanyID: admin.CompanyID, DedupeKey: "d1", Kind: "portal_welcome", To: "rita@example.com", Subject: "Confirm", Text: "Hi", HTML: "<p>Hi</p>"})

	on := newTestAppWith(t, db, Config{DevMailbox: true})
	off := newTestAppWith(t, db, Config{DevMailbox: false})
	sessionOfUser := func(email string) string {
		c := on.client(t)
		c.loginAs(email, testPassword)
		return c.sessionCookie()
	}
	adminSession, managerSession, residentSession := sessionOfUser("ada@acme.test"), sessionOfUser("max@acme.test"), sessionOfUser("rita@example.com")

	const outside, loop4, loop6 = "203.0.113.9:40000", "127.0.0.1:40000", "[::1]:40000"
	tests := []struct {
		name    string
		app     *testApp
		remote  string
		session string
		want    int
	}{
		{"off, loopback", off, loop4, "", 404},
		{"off, admin", off, outside, adminSession, 404},
		{"on, anonymous from outside", on, outside, "", 404},
		{"on, manager from outside", on, outside, managerSession, 404},
		{"on, resident from outside", on, outside, residentSession, 404},
		{"on, anonymous on IPv4 loopback", on, loop4, "", 200},
		{"on, anonymous on IPv6 loopback", on, loop6, "", 200},
		{"on, admin from outside", on, outside, adminSession, 200},
	}
	paths := []string{"/dev/mailbox", "/dev/mailbox/" + strconv.FormatInt(id, 10), "/dev/mailbox/" + strconv.FormatInt(id, 10) + "/html"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, p := range paths {
				res := directGet(tt.app.srv, p, tt.remote, tt.session)
				body, _ := io.ReadAll(res.Body)
				if res.StatusCode != tt.want {
					t.Errorf("GET %s: status %d, want %d", p, res.StatusCode, tt.want)
				}
				if tt.want == 404 && strings.Contains(string(body), "Confirm") {
					t.Errorf("GET %s: a refused request shows the message", p)
				}
			}
		})
	}
}

func TestDevMailboxPages(t *testing.T) {
	t.Parallel()
	db := testkit.SQLite(t)
	app := newTestAppWith(t, db, Config{DevMailbox: true})
	c := app.client(t)

	c.get("/dev/mailbox").want(t, 200).wantBody(t, "Development mailbox — every message is shown here because no SMTP server is configured", "No e-mails yet")

	id := queueDevEmail(t, db, lintel.Email{DedupeKey: "d1", Kind: "signup", To: "rita@example.com", ToName: "Rita <Tenant>",
		Subject: "Confirm your e-mail",
		Text:    "Hello <b>Rita</b>,\n\nOpen https://lintel.example/signup/verify?token=abc&next=%2F.\nThanks",
		HTML:    `<p>Hello</p><script>alert(1)</script>`})
	textOnly := queueDevEmail(t, db, lintel.Email{DedupeKey: "d2", Kind: "reset", To: "bob@example.com", Subject: "Reset", Text: "Plain"})
	sid := strconv.FormatInt(id, 10)

	list := c.get("/dev/mailbox").want(t, 200)
	list.wantBody(t, "Development mailbox — every message is shown here", "rita@example.com", "Rita &lt;Tenant&gt;", "Confirm your e-mail",
		`href="/dev/mailbox/`+sid+`"`, "Waiting")
	if strings.Index(list.Body, "bob@example.com") > strings.Index(list.Body, "rita@example.com") {
		t.Error("the list is not newest first")
	}

	msg := c.get("/dev/mailbox/"+sid).want(t, 200)
	msg.wantBody(t, "Development mailbox — every message is shown here",
		`<a href="https://lintel.example/signup/verify?token=abc&amp;next=%2F">`, // the full stop stays outside the link
		"Hello &lt;b&gt;Rita&lt;/b&gt;,", "<br>", `<iframe src="/dev/mailbox/`+sid+`/html" sandbox`)
	if strings.Contains(msg.Body, "<b>Rita</b>") || strings.Contains(msg.Body, "<script>alert") {
		t.Error("the message page renders the body's markup")
	}

	html := c.get("/dev/mailbox/"+sid+"/html").want(t, 200)
	if html.Body != `<p>Hello</p><script>alert(1)</script>` {
		t.Errorf("html body %q", html.Body)
	}
	csp := html.Header.Get("Content-Security-Policy")
	for _, d := range []string{"sandbox", "default-src 'none'", "style-src 'unsafe-inline'", "img-src data:"} {
		if !strings.Contains(csp, d) {
			t.Errorf("CSP %q lacks %q", csp, d)
		}
	}
	if strings.Contains(csp, "script-src") || !strings.HasPrefix(html.Header.Get("Content-Type"), "text/html") {
		t.Errorf("CSP %q, Content-Type %q", csp, html.Header.Get("Content-Type"))
	}

	c.get("/dev/mailbox/"+strconv.FormatInt(textOnly, 10)).want(t, 200).wantBody(t, "Plain")
	c.get("/dev/mailbox/"+strconv.FormatInt(textOnly, 10)+"/html").want(t, 404)
	c.get("/dev/mailbox/999999").want(t, 404)
	c.get("/dev/mailbox/abc").want(t, 404)
}

func TestDevMailboxPaging(t *testing.T) {
	t.Parallel()
	db := testkit.SQLite(t)
	app := newTestAppWith(t, db, Config{DevMailbox: true})
	var first int64
	for i := range sqldb.DefaultPageSize + 3 {
		id := queueDevEmail(t, db, lintel.Email{DedupeKey: "p" + strconv.Itoa(i), Kind: "signup", To: "p" + strconv.Itoa(i) + "@example.com", Subject: "S", Text: "T"})
		if i == 0 {
			first = id
		}
	}
	c := app.client(t)
	page1 := c.get("/dev/mailbox").want(t, 200)
	if strings.Contains(page1.Body, `href="/dev/mailbox/`+strconv.FormatInt(first, 10)+`"`) {
		t.Error("the oldest message is on the first page")
	}
	older := first + 3 // the last message of page 1
	page1.wantBody(t, `href="/dev/mailbox?before=`+strconv.FormatInt(older, 10)+`"`)
	c.get("/dev/mailbox?before="+strconv.FormatInt(older, 10)).want(t, 200).
		wantBody(t, `href="/dev/mailbox/`+strconv.FormatInt(first, 10)+`"`, "Newest messages")
}

func TestLinkify(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"no links", "no links"},
		{"a <b> & c", "a &lt;b&gt; &amp; c"},
		{"see https://x.example/a?b=1&c=2.", `see <a href="https://x.example/a?b=1&amp;c=2">https:/<wbr>/<wbr>x.example/<wbr>a?b=1&amp;c=2</a>.`},
		{"(http://x.example/p)", `(<a href="http://x.example/p">http:/<wbr>/<wbr>x.example/<wbr>p</a>)`},
		{"javascript:alert(1) ftp://x", "javascript:alert(1) ftp://x"},
		{`https://x.example/"onmouseover="x`, `<a href="https://x.example/">https:/<wbr>/<wbr>x.example/<wbr></a>&#34;onmouseover=&#34;x`},
		{"one\ntwo", "one<br>\ntwo"},
	}
	for _, tt := range tests {
		if got := string(linkify(tt.in)); got != tt.want {
			t.Errorf("linkify(%q)\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}
