package upload

import "lintel.dev/lintel/internal/photo"

// Shared documents: one file per form, up to
// photo.MaxSharedDocumentBytes (25 MB, project choice).
const (
	// MaxSharedDocumentBytes is the largest document a manager may share.
	MaxSharedDocumentBytes = photo.MaxSharedDocumentBytes
	// MaxSharedDocumentRequestBytes is the body cap to pass to Limit.
	MaxSharedDocumentRequestBytes = MaxSharedDocumentBytes + MaxFieldsBytes + framing
)

// SharedDocument returns the limits for the form that uploads a document
// to share.
func SharedDocument() Limits {
	return Limits{MaxFiles: 1, MaxFileBytes: MaxSharedDocumentBytes, Noun: "file"}
}
