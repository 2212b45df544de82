package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/sqldb"
)

// newBareServer builds a server on a fresh SQLite database, for tests of
// the plumbing that need no fixtures.
func newBareServer(t *testing.T, cfg Config) (*Server, *sqldb.DB) {
	t.Helper()
	db, err := sqldb.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "t.db"), "", sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := New(cfg, db, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return s, db
}

func TestPanicBecomes500WithRequestID(t *testing.T) {
	t.Parallel()
	s, _ := newBareServer(t, Config{})
	h := s.requestID(s.recoverPanics(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic("boom")
	})))
	for range 2 { // the process keeps serving after a panic
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
		if rec.Code != http.StatusInternalServerError {
			t.Fatalf("status = %d, want 500", rec.Code)
		}
		id := rec.Header().Get("X-Request-Id")
		if id == "" || !strings.Contains(rec.Body.String(), id) {
			t.Fatalf("500 page does not show request id %q", id)
		}
		if strings.Contains(rec.Body.String(), "boom") {
			t.Fatal("500 page leaks the panic value")
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	s, _ := newBareServer(t, Config{})
	cases := []struct {
		path      string
		wantCache string
	}{
		{"/login-does-not-matter", "no-store"},
		{"/healthz", "no-store"},
		{"/static/lintel.css?v=" + staticVersion, "public, max-age=31536000, immutable"},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", c.path, nil))
		h := rec.Header()
		if got := h.Get("Cache-Control"); got != c.wantCache {
			t.Errorf("%s: Cache-Control = %q, want %q", c.path, got, c.wantCache)
		}
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP = %q", c.path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
			t.Errorf("%s: missing nosniff or Referrer-Policy", c.path)
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS sent over plain HTTP", c.path)
		}
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	t.Parallel()
	s, _ := newBareServer(t, Config{})
	req := httptest.NewRequest("POST", "/logout", strings.NewReader(""))
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Fatalf("cross-site POST: status = %d, want 403", rec.Code)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	s, db := newBareServer(t, Config{})
	get := func(path string) int {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		io.Copy(io.Discard, rec.Body)
		return rec.Code
	}
	if c := get("/healthz"); c != 200 {
		t.Fatalf("/healthz = %d", c)
	}
	if c := get("/readyz"); c != 200 {
		t.Fatalf("/readyz = %d", c)
	}
	db.Close()
	if c := get("/readyz"); c != http.StatusServiceUnavailable {
		t.Fatalf("/readyz with the database closed = %d, want 503", c)
	}
	if c := get("/healthz"); c != 200 {
		t.Fatalf("/healthz must not depend on the database, got %d", c)
	}
}

func TestLogPathHidesTokens(t *testing.T) {
	t.Parallel()
	if got := logPath("/t/SECRETTOKEN/photos"); strings.Contains(got, "SECRET") {
		t.Fatalf("logPath leaks a contractor token: %q", got)
	}
	if got := logPath("/manage/properties"); got != "/manage/properties" {
		t.Fatalf("logPath(%q) = %q", "/manage/properties", got)
	}
}

func TestSafeNext(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/manage/properties":            "/manage/properties",
		"/manage/properties?page=2":     "/manage/properties?page=2",
		"/a/../b":                       "/b",
		"/a/./b/":                       "/a/b",
		"/portal/é":                     "/portal/é",
		"":                              "",
		"manage":                        "",
		"//evil.example":                "",
		"https://evil":                  "",
		"/\\evil":                       "",
		"/\t/evil.example":              "",
		"/\t\\evil.example":             "",
		"/\n/evil.example":              "",
		"/\r/evil.example":              "",
		"/\x00/evil.example":            "",
		"/\x7f/evil.example":            "",
		"/ /evil.example":               "",
		"/manage\\..\\..\\evil.example": "",
		"/\xff":                         "",
		"/a/../../evil.example":         "/evil.example",
		"/../\t/evil.example":           "",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzSafeNext checks that whatever safeNext accepts stays on this origin
// as a browser reads it: no scheme, no host, one leading slash, and nothing
// a browser would drop or turn into a slash.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/manage", "//evil.example", "/\t/evil.example", "/\t\\evil.example",
		"/\\evil", "https://evil", "/a/../b", "/%2f/evil", "/?next=//evil", "/#//evil", "/.//evil", "/\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := safeNext(in)
		if got == "" {
			return
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("safeNext(%q) = %q, which does not parse: %v", in, got, err)
		}
		if u.Scheme != "" || u.Host != "" || u.User != nil {
			t.Fatalf("safeNext(%q) = %q, which leaves the origin (scheme %q, host %q)", in, got, u.Scheme, u.Host)
		}
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") {
			t.Fatalf("safeNext(%q) = %q, which does not start with a single slash", in, got)
		}
		if strings.ContainsAny(got, "\\") || strings.ContainsFunc(got, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			t.Fatalf("safeNext(%q) = %q, which holds a character a browser drops or reads as a slash", in, got)
		}
		if safeNext(got) != got {
			t.Fatalf("safeNext(%q) = %q, but safeNext(%q) = %q", in, got, got, safeNext(got))
		}
	})
}

// TestRequestIDFromTheProxy keeps a proxy's request id, so one request can
// be followed through both logs, and replaces one that could bend a log
// line or a header.
func TestRequestIDFromTheProxy(t *testing.T) {
	t.Parallel()
	s, _ := newBareServer(t, Config{})
	var seen string
	h := s.requestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = requestIDOf(r) }))
	generated := regexp.MustCompile(`^[0-9a-f]{16}$`)
	for _, tt := range []struct {
		name, in string
		kept     bool
	}{
		{"a UUID", "3f2b8c1e-9d4a-4e7b-8a6f-1c2d3e4f5a6b", true},
		{"nginx's $request_id", "b1946ac92492d2347c6235b4d2611184", true},
		{"dots and colons", "edge-7:req.1234_5", true},
		{"none", "", false},
		{"a space", "abc def", false},
		{"a new line", "abc\nlevel=ERROR msg=forged", false},
		{"a quote", `abc"def`, false},
		{"too long", strings.Repeat("a", 65), false},
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/x", nil)
		if tt.in != "" {
			req.Header["X-Request-Id"] = []string{tt.in}
		}
		h.ServeHTTP(rec, req)
		got := rec.Header().Get("X-Request-Id")
		if got != seen {
			t.Errorf("%s: the answer says %q, the handler saw %q", tt.name, got, seen)
		}
		switch {
		case tt.kept && got != tt.in:
			t.Errorf("%s: request id %q became %q, want it kept", tt.name, tt.in, got)
		case !tt.kept && !generated.MatchString(got):
			t.Errorf("%s: request id %q gave %q, want a fresh one", tt.name, tt.in, got)
		}
	}
}

// TestLoginPageSaysSignInNeedsHTTPS: reached over plain HTTP from another
// machine, where browsers refuse the Secure session cookie, the log-in page
// says that signing in needs HTTPS and how to get it, instead of failing
// every sign-in silently; on this machine or over HTTPS it does not.
func TestLoginPageSaysSignInNeedsHTTPS(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		base, host string
		warn       bool
	}{
		{"http://192.168.1.20:8080", "192.168.1.20:8080", true},
		{"http://lintel.lan:8080", "lintel.lan:8080", true},
		{"http://localhost:8080", "192.168.1.20:8080", true}, // --addr :8080 reached from the LAN
		{"http://localhost:8080", "localhost:8080", false},
		{"http://localhost:8080", "127.0.0.1:8080", false},
		{"http://localhost:8080", "[::1]:8080", false},
		{"https://lintel.example.com", "lintel.example.com", false},
	} {
		base, _ := url.Parse(tt.base)
		s, _ := newBareServer(t, Config{BaseURL: base})
		req := httptest.NewRequest("GET", "/login", nil)
		req.Host = tt.host
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s via %s: %d", tt.base, tt.host, rec.Code)
		}
		if got := strings.Contains(rec.Body.String(), `id="plain-http"`); got != tt.warn {
			t.Errorf("base %s, host %s: warning shown %v, want %v", tt.base, tt.host, got, tt.warn)
		}
	}
}
