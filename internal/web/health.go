package web

import (
	"context"
	"net/http"
	"time"
)

// healthz answers 200 while the process is up (liveness).
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
	return nil
}

// readyz answers 200 when the database answers (readiness), 503 otherwise.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.db.Ping(ctx); err != nil {
		s.log.Warn("readyz: database not answering", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database not ready\n"))
		return nil
	}
	_, _ = w.Write([]byte("ok\n"))
	return nil
}

// home sends each person to their own app: staff to the manager app,
// residents to the portal, everyone else to sign in.
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	sess := sessionOf(r)
	switch {
	case sess == nil:
		return redirect(w, r, "/login")
	case sess.Staff != nil:
		return redirect(w, r, "/manage")
	default:
		return redirect(w, r, "/portal")
	}
}
