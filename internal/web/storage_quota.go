package web

import (
	"errors"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// The per-company storage quota (SECURITY.md 16) is enforced where files
// are recorded (sqldb, insertFile); a refusal is an error wrapping
// sqldb.ErrStorageFull, worded for staff. Handlers store a blob before
// recording it and delete it when recording fails, so a refused upload
// leaves nothing behind; here it becomes a message next to the file field,
// in words for whoever sent the file.

// Refusals for people outside the company, who can neither delete its
// files nor ask Lintel's administrator. The resident one is translated
// (internal/i18n/fr/storage.json).
const (
	residentStorageFull   = "Your property manager's storage for files is full, so photos cannot be added right now. Send your request without photos, or contact your property manager."
	contractorStorageFull = "The property manager's storage for files is full, so this could not be saved. Tell the property manager."
)

// quotaFieldError turns a full-storage refusal into a message on field,
// worded as msg, or as the store words it for staff when msg is "". Other
// errors pass through unchanged.
func quotaFieldError(err error, field, msg string) error {
	if !errors.Is(err, sqldb.ErrStorageFull) {
		return err
	}
	if msg == "" {
		msg = lintel.MessageOf(err)
	}
	return &lintel.Error{Kind: lintel.KindInvalid, Message: msg, Fields: lintel.FieldErrors{field: msg}, Err: err}
}
