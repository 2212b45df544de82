package web

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"lintel.dev/lintel/internal/blob"
)

// healthz answers 200 while the process is up (liveness).
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
	return nil
}

// readyz answers 200 when the database and the file store answer
// (readiness), 503 otherwise, one line for each saying which.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	var report strings.Builder
	ready := true
	if err := s.db.Ping(ctx); err != nil {
		s.log.Warn("readyz: database not answering", "err", err)
		report.WriteString("database: not ready\n")
		ready = false
	} else {
		report.WriteString("database: ok\n")
	}
	if c, ok := s.cfg.Files.(blob.Checker); ok {
		if err := c.Check(ctx); err != nil {
			s.log.Warn("readyz: file storage not answering", "err", err)
			report.WriteString("files: not ready\n")
			ready = false
		} else {
			report.WriteString("files: ok\n")
		}
	}
	if !ready {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_, _ = io.WriteString(w, report.String())
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
