// Package web serves Lintel over HTTP: the manager app (/manage), the
// resident portal (/), the contractor task page (/t/), sign-in and sign-up.
// routes.go lists the whole surface; handlers are grouped by audience in
// files named manage_*.go, portal_*.go, auth_*.go.
package web

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"lintel.dev/lintel/internal/blob"
	"lintel.dev/lintel/internal/sqldb"
)

// Config is what the server needs from the command line.
type Config struct {
	// BaseURL is the public address; every link in an e-mail is built from
	// it, never from the request's Host header (SECURITY.md 3).
	BaseURL *url.URL
	// DevMailbox serves /dev/mailbox, showing every queued e-mail. Only when
	// no SMTP server is configured.
	DevMailbox bool
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// StaffSession and ResidentSession are the session lifetimes
	// (SECURITY.md 5): staff idle 30 min / absolute 12 h; residents longer.
	StaffSession, ResidentSession sqldb.SessionLimits
	// Files stores uploaded files (photos, invoices, quotes, documents):
	// a local folder under the data folder now, S3-compatible storage at
	// scale. Nil refuses every upload and finds no file (for tools and
	// tests that serve none).
	Files blob.Store
	// TrustedProxies are the reverse proxies whose forwarded headers
	// (Forwarded, X-Forwarded-For) name the client; empty believes none.
	TrustedProxies []netip.Prefix
	// Version is Lintel's version, for /metrics (lintel_build_info).
	Version string
}

// PlainHTTPOutside reports an address that browsers reach over plain HTTP
// from other machines: they refuse the Secure session cookie there, so
// signing in cannot work. Loopback addresses are exempt (browsers treat
// them as secure, which is what makes the demo work).
func PlainHTTPOutside(u *url.URL) bool {
	if u.Scheme != "http" {
		return false
	}
	host := u.Hostname()
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

// DefaultStaffSession and DefaultResidentSession are the project's chosen
// session lifetimes.
var (
	DefaultStaffSession    = sqldb.SessionLimits{Idle: 30 * time.Minute, Absolute: 12 * time.Hour}
	DefaultResidentSession = sqldb.SessionLimits{Idle: 7 * 24 * time.Hour, Absolute: 30 * 24 * time.Hour}
)

// Server holds the dependencies of the handlers. It keeps no per-user state
// in memory: sessions, throttles and jobs live in the database so several
// nodes can serve together.
type Server struct {
	cfg     Config
	db      *sqldb.DB
	log     *slog.Logger
	pages   *pages
	mux     http.Handler
	files   blob.Store // cfg.Files, or noFiles when none is configured
	metrics *metrics
}

// New builds a server; it parses every template up front so a broken one
// fails at start, not on a person's screen.
func New(cfg Config, db *sqldb.DB, log *slog.Logger) (*Server, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.StaffSession.Idle == 0 {
		cfg.StaffSession = DefaultStaffSession
	}
	if cfg.ResidentSession.Idle == 0 {
		cfg.ResidentSession = DefaultResidentSession
	}
	if cfg.BaseURL == nil {
		cfg.BaseURL = &url.URL{Scheme: "http", Host: "localhost:8080"}
	}
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, db: db, log: log, pages: p, files: cfg.Files, metrics: newMetrics(db, cfg.Version)}
	if s.files == nil {
		s.files = noFiles{}
	}
	s.mux = s.buildMux()
	return s, nil
}

// Handler returns the root handler with every middleware applied.
func (s *Server) Handler() http.Handler { return s.mux }

// link builds an absolute URL from the configured base URL.
func (s *Server) link(path string, query url.Values) string {
	u := *s.cfg.BaseURL
	u.Path = path
	u.RawQuery = query.Encode()
	return u.String()
}

// HTTPServer returns an *http.Server with timeouts set (SECURITY.md 29).
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // large uploads on slow phone connections
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.Background() },
	}
}
