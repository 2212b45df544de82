package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
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
	if got := logPath("/t/SECRETTOKEN/photos"); strings.Contains(got, "SECRET") {
		t.Fatalf("logPath leaks a contractor token: %q", got)
	}
	if got := logPath("/manage/properties"); got != "/manage/properties" {
		t.Fatalf("logPath(%q) = %q", "/manage/properties", got)
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/manage/properties": "/manage/properties",
		"//evil.example":     "",
		"https://evil":       "",
		"/\\evil":            "",
		"":                   "",
		"/a/../b":            "/b",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
