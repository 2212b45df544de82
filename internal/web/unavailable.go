package web

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"net"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// A database that cannot be reached is an outage, not a bug and not a
// signed-out visitor: the answer is 503 with a page that says to try again
// in a moment, and nothing (least of all the session cookie) is thrown
// away. The node recovers by itself when the database is back: the pools
// reconnect on the next request.

const unavailableMessage = "Lintel cannot reach its database just now. Nothing you saved is lost: try again in a moment."

// filesUnavailableMessage is the same for the file store (an S3 outage):
// the records are fine, the photos and documents are out of reach.
const filesUnavailableMessage = "Lintel cannot reach its file storage just now, so photos and documents cannot be opened or added. Nothing is lost: try again in a moment."

// unavailable reports whether err says the database could not be reached
// (connection refused or lost, the server shutting down, the pool closed),
// as opposed to a query that failed.
func unavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) {
		return true
	}
	var connect *pgconn.ConnectError
	if errors.As(err, &connect) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08: connection exception; 57P01–57P03: the server is
		// shutting down or not accepting connections yet.
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	// database/sql does not export its "closed pool" error.
	return strings.Contains(err.Error(), "sql: database is closed")
}

// renderUnavailable answers 503 with a Retry-After and message, in the
// reader's language.
func (s *Server) renderUnavailable(w http.ResponseWriter, r *http.Request, message string) {
	w.Header().Set("Retry-After", "5")
	p := &errorPage{Page: Page{Title: "Back in a moment", Localized: true}, Status: http.StatusServiceUnavailable, Message: message}
	if err := s.render(w, r, http.StatusServiceUnavailable, "error.html", p); err != nil {
		http.Error(w, message, http.StatusServiceUnavailable)
	}
}
