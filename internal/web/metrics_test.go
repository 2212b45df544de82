package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/testkit"
)

// TestMetricsWhoMayRead: /metrics answers a visitor on this machine who
// came straight in, with the requests counted by route pattern (never the
// path), the outbox by state and the build; not a visitor from elsewhere,
// nor a request a proxy on this machine forwarded (everyone behind it
// would look local).
func TestMetricsWhoMayRead(t *testing.T) {
	t.Parallel()
	s, _ := newBareServer(t, Config{Version: "v9.9.9-test"})
	h := s.Handler()
	get := func(path, remote string, header map[string]string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		req.RemoteAddr = remote
		for k, v := range header {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	get("/login", "198.51.100.7:4000", nil)
	get("/t/secret-task-token-abc", "198.51.100.7:4000", nil)
	rec := get("/metrics", "127.0.0.1:5000", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics from loopback: %d", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{
		`lintel_http_requests_total{code="200",route="GET /login"} 1`,
		`lintel_http_request_duration_seconds_count{route="GET /login"} 1`,
		`lintel_outbox_emails{state="pending"} 0`,
		`lintel_outbox_oldest_queued_seconds 0`,
		`lintel_db_connections_open{pool="read"}`,
		`lintel_build_info{goversion="go`, `version="v9.9.9-test"} 1`,
		`lintel_metrics_store_up 1`,
		`go_goroutines`, `process_resident_memory_bytes`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(body, "secret-task-token") {
		t.Error("a path (with its token) became a label")
	}
	for _, tt := range []struct {
		name, remote string
		header       map[string]string
	}{
		{"from another machine", "198.51.100.7:4000", nil},
		{"forwarded by a local proxy", "127.0.0.1:5000", map[string]string{"X-Forwarded-For": "198.51.100.7"}},
		{"forwarded by a local proxy (Forwarded)", "127.0.0.1:5000", map[string]string{"Forwarded": "for=198.51.100.7"}},
	} {
		if rec := get("/metrics", tt.remote, tt.header); rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "lintel_http_requests_total") {
			t.Errorf("/metrics %s: %d, want 404", tt.name, rec.Code)
		}
	}
	// The private listener's handler answers anyone who reaches it.
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.RemoteAddr = "10.0.0.9:4000"
	rec = httptest.NewRecorder()
	s.MetricsHandler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "lintel_build_info") {
		t.Fatalf("the metrics listener: %d", rec.Code)
	}
}

// TestMetricsForAdministrators: a company administrator may read /metrics
// from anywhere; other staff only as anyone else may.
func TestMetricsForAdministrators(t *testing.T) {
	t.Parallel()
	db, w := testkit.SQLiteWorld(t)
	app := newTestApp(t, db)
	for _, tt := range []struct {
		persona testkit.Persona
		want    int
	}{{testkit.Admin, http.StatusOK}, {testkit.Bookkeeper, http.StatusNotFound}} {
		c := loginPersona(t, app, w.A, tt.persona)
		req, err := http.NewRequest("GET", c.url("/metrics"), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Forwarded-For", "198.51.100.7") // as from elsewhere, through a proxy
		if r := c.do(req); r.Status != tt.want {
			t.Errorf("%s: /metrics = %d, want %d", tt.persona, r.Status, tt.want)
		}
	}
}
