package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// handlerFunc is a handler that returns its error; one place (handleError)
// turns errors into pages.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

type ctxKey int

const (
	ctxRequestID ctxKey = iota
	ctxSession
)

func requestIDOf(r *http.Request) string {
	id, _ := r.Context().Value(ctxRequestID).(string)
	return id
}

// sessionOf returns the request's session, or nil when not signed in.
func sessionOf(r *http.Request) *sqldb.Session {
	s, _ := r.Context().Value(ctxSession).(*sqldb.Session)
	return s
}

// staffOf returns the staff actor. Only call it behind a staff route.
func staffOf(r *http.Request) lintel.Staff { return *sessionOf(r).Staff }

// residentOf returns the portal actor. Only call it behind a resident route.
func residentOf(r *http.Request) lintel.Resident { return sessionOf(r).Resident() }

func (s *Server) requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A proxy or load balancer that names its requests keeps its name,
		// so one request can be followed through both logs; anything that
		// is not a short plain token is replaced.
		id := r.Header.Get("X-Request-Id")
		if !validRequestID(id) {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxRequestID, id)))
	})
}

// validRequestID accepts the request ids proxies make (UUIDs, hex, nginx's
// $request_id, "abc-123.4"): 1 to 64 letters, digits, '-', '_', '.' or
// ':', nothing a log line or a header could be bent by.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range []byte(id) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logPath is the path as it may be logged: secrets in paths (contractor
// tokens, owners' one-click approval links) are cut, and query strings
// (verification tokens) never logged.
func logPath(p string) string {
	if strings.HasPrefix(p, "/t/") {
		return "/t/…"
	}
	if strings.HasPrefix(p, "/a/") {
		return "/a/…"
	}
	return p
}

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		level := slog.LevelInfo
		if sw.status >= 500 {
			level = slog.LevelError
		}
		s.log.LogAttrs(r.Context(), level, "request",
			slog.String("id", requestIDOf(r)), slog.String("method", r.Method), slog.String("path", logPath(r.URL.Path)),
			slog.Int("status", sw.status), slog.Int("bytes", sw.bytes), slog.Duration("took", time.Since(start)))
	})
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic", "id", requestIDOf(r), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				s.renderError(w, r, fmt.Errorf("panic: %v", p))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// contentSecurityPolicy allows no inline script and no framing (SECURITY.md 7).
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

func (s *Server) securityHeaders(next http.Handler) http.Handler {
	tls := s.cfg.BaseURL.Scheme == "https"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if tls {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			// Pages carry personal data: never keep them in a shared cache
			// or the back-button cache of a shared computer.
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// sessionCookie is the cookie holding the raw session token. The __Host-
// prefix pins it to this host, path / and Secure (SECURITY.md 5); browsers
// accept Secure cookies from http://localhost, so the demo works too.
const sessionCookie = "__Host-lintel"

func (s *Server) loadSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil || c.Value == "" || strings.HasPrefix(r.URL.Path, "/static/") {
			next.ServeHTTP(w, r)
			return
		}
		sess, err := s.db.SessionByToken(r.Context(), auth.HashToken(c.Value))
		if err != nil && !lintel.IsNotFound(err) {
			// The session may well be valid: keep the cookie. renderError
			// logs it and answers 503 when the database is out of reach.
			s.renderError(w, r, err)
			return
		}
		if err != nil {
			clearSessionCookie(w)
			next.ServeHTTP(w, r)
			return
		}
		now := s.cfg.Now()
		if now.Sub(sess.LastSeen) > time.Minute {
			idle := s.cfg.ResidentSession.Idle
			if sess.Staff != nil {
				idle = s.cfg.StaffSession.Idle
			}
			if err := s.db.TouchSession(r.Context(), sess.TokenHash, idle); err != nil {
				s.log.Warn("touch session", "id", requestIDOf(r), "err", err)
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxSession, sess)))
	})
}

func setSessionCookie(w http.ResponseWriter, raw string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: raw, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

func clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// startSession signs userID in: a new random token every time (no
// fixation), stored hashed, sent as the cookie.
// It returns the new session's token hash.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, userID int64) (string, error) {
	if old := sessionOf(r); old != nil {
		_ = s.db.DeleteSession(r.Context(), old.TokenHash)
	}
	raw, hash := auth.NewToken()
	if err := s.db.CreateSession(r.Context(), userID, hash, clientIP(r), r.UserAgent(), s.cfg.StaffSession, s.cfg.ResidentSession); err != nil {
		return "", err
	}
	setSessionCookie(w, raw)
	return hash, nil
}

func isLoopback(r *http.Request) bool {
	ip := net.ParseIP(clientIP(r))
	return ip != nil && ip.IsLoopback()
}

// wrap adapts a handlerFunc, sending its error to the error page.
func (s *Server) wrap(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.renderError(w, r, err)
		}
	})
}

// guard applies a route's access rule, then runs the handler.
func (s *Server) guard(a access, h handlerFunc) http.Handler {
	return s.wrap(func(w http.ResponseWriter, r *http.Request) error {
		sess := sessionOf(r)
		switch a {
		case public:
		case devOnly:
			if !s.cfg.DevMailbox {
				return lintel.ErrNotFound
			}
			if !isLoopback(r) && (sess == nil || sess.Staff == nil || sess.Staff.Role != lintel.RoleAdmin) {
				return lintel.ErrNotFound
			}
		case signedIn, resident:
			if sess == nil {
				return s.toLogin(w, r)
			}
		default:
			if sess == nil {
				return s.toLogin(w, r)
			}
			if sess.Staff == nil {
				// A resident who wanders into /manage sees "not found", not
				// a hint that the manager app exists for them.
				return lintel.ErrNotFound
			}
			perm, _ := permFor(a)
			if err := sess.Staff.Require(perm); err != nil {
				return err
			}
		}
		// An administrator whose company requires a second factor sets one
		// up before anything else (signing out still works: it is public).
		if a != public && sess != nil && sess.AdminSetUpSecondFactor && !strings.HasPrefix(r.URL.Path, secondFactorSetUpPath) {
			return redirect(w, r, secondFactorSetUpPath)
		}
		// Every handler reads its query string through r.URL.Query(), so
		// the one check for list filters and searches is here, before any
		// of them runs. Query values are single-line.
		if r.URL.RawQuery != "" {
			if err := checkText(r.URL.Query(), nil, lintel.FieldErrors{}); err != nil {
				return err
			}
		}
		return h(w, r)
	})
}

// toLogin sends an anonymous visitor to sign in, coming back afterwards.
func (s *Server) toLogin(w http.ResponseWriter, r *http.Request) error {
	next := r.URL.Path
	if r.Method != http.MethodGet {
		next = ""
	}
	target := "/login"
	if next != "" && next != "/" {
		target += "?next=" + urlQueryEscape(next)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}
