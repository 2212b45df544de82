package sqldb

import (
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"lintel.dev/lintel/internal/lintel"
)

// mapErr turns driver errors into lintel error kinds, once, here.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return lintel.ErrNotFound
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return &lintel.Error{Kind: lintel.KindConflict, Message: "That already exists.", Err: err}
		case "23503":
			return &lintel.Error{Kind: lintel.KindConflict, Message: "That is still in use by another record.", Err: err}
		}
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &lintel.Error{Kind: lintel.KindConflict, Message: "That already exists.", Err: err}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &lintel.Error{Kind: lintel.KindConflict, Message: "That is still in use by another record.", Err: err}
		}
	}
	return err
}

// isConflict reports whether err is a uniqueness conflict.
func isConflict(err error) bool { return lintel.KindOf(err) == lintel.KindConflict }
