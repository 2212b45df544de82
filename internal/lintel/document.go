package lintel

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// DocumentCategory is what kind of paper a shared document is. The list is
// fixed so residents can filter by it and the portal can translate it.
type DocumentCategory string

// Document categories, in the order the forms offer them.
const (
	DocLease      DocumentCategory = "lease"
	DocNotice     DocumentCategory = "notice"
	DocRules      DocumentCategory = "rules"
	DocInsurance  DocumentCategory = "insurance"
	DocInspection DocumentCategory = "inspection"
	DocInvoice    DocumentCategory = "invoice"
	DocStatement  DocumentCategory = "statement"
	DocOther      DocumentCategory = "other"
)

// DocumentCategories lists every category in display order.
var DocumentCategories = []DocumentCategory{DocLease, DocNotice, DocRules, DocInsurance, DocInspection, DocInvoice, DocStatement, DocOther}

var documentLabels = map[DocumentCategory]string{
	DocLease: "Lease", DocNotice: "Notice", DocRules: "Building rules", DocInsurance: "Insurance",
	DocInspection: "Inspection", DocInvoice: "Invoice", DocStatement: "Statement", DocOther: "Other",
}

// Valid reports whether c is one of DocumentCategories.
func (c DocumentCategory) Valid() bool {
	_, ok := documentLabels[c]
	return ok
}

// Label is the category in plain English (the portal translates it).
func (c DocumentCategory) Label() string {
	if l, ok := documentLabels[c]; ok {
		return l
	}
	return "Other"
}

// Limits for shared documents (project choices, SECURITY.md 16).
const (
	// MaxDocumentTitle bounds a document's title, in characters.
	MaxDocumentTitle = 200
	// MaxAttachmentBytes is the largest document e-mailed as an
	// attachment when it is shared; a larger one is announced with a link
	// to the portal instead. 5 MB passes every common mail provider's
	// limit (10–25 MB) even after base64 grows it by a third.
	MaxAttachmentBytes = 5 << 20
)

// Document is a stored file shared with residents.
type Document struct {
	ID          int64
	CompanyID   int64
	FileID      int64
	Title       string
	Category    DocumentCategory
	FileName    string
	ContentType string
	Size        int64
	UploadedBy  string
	CreatedAt   time.Time
	Archived    time.Time // zero while in use
}

// IsArchived reports whether the document was archived.
func (d Document) IsArchived() bool { return !d.Archived.IsZero() }

// Viewable reports whether a browser can show the document itself (PDF or
// image); other files are only downloaded.
func (d Document) Viewable() bool { return ViewableType(d.ContentType) }

// ViewableType reports whether a browser shows files of contentType inline.
func ViewableType(contentType string) bool {
	return contentType == "application/pdf" || contentType == "image/jpeg" || contentType == "image/png"
}

// ValidateDocument trims and checks a document's title and category.
func ValidateDocument(title *string, category DocumentCategory) error {
	fe := FieldErrors{}
	*title = strings.Join(strings.Fields(*title), " ")
	switch {
	case *title == "":
		fe.Add("title", "Give the document a title residents will recognise, e.g. “Lease agreement 2026”.")
	case utf8.RuneCountInString(*title) > MaxDocumentTitle:
		fe.Add("title", "Keep the title under 200 characters.")
	}
	if !category.Valid() {
		fe.Add("category", "Choose a category from the list.")
	}
	return fe.Err()
}

// ShareTarget is whom a document is shared with: exactly one of a lease
// (its tenants, former ones included), a unit (its owners and the owners of
// its whole property), a property (every owner of it or of a unit in it)
// or a contact.
type ShareTarget struct {
	LeaseID, UnitID, PropertyID, ContactID int64
}

// Valid reports whether exactly one target is set.
func (t ShareTarget) Valid() bool {
	n := 0
	for _, id := range []int64{t.LeaseID, t.UnitID, t.PropertyID, t.ContactID} {
		if id > 0 {
			n++
		} else if id < 0 {
			return false
		}
	}
	return n == 1
}

// IsZero reports whether no target is set.
func (t ShareTarget) IsZero() bool { return t == ShareTarget{} }

// ParseShareTarget reads a target written as "lease:12", "unit:3",
// "property:7" or "contact:9" (the value of the forms' "share with" select).
func ParseShareTarget(s string) (ShareTarget, bool) {
	kind, num, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return ShareTarget{}, false
	}
	id, err := strconv.ParseInt(num, 10, 64)
	if err != nil || id <= 0 {
		return ShareTarget{}, false
	}
	var t ShareTarget
	switch kind {
	case "lease":
		t.LeaseID = id
	case "unit":
		t.UnitID = id
	case "property":
		t.PropertyID = id
	case "contact":
		t.ContactID = id
	default:
		return ShareTarget{}, false
	}
	return t, true
}

// String writes t the way ParseShareTarget reads it ("" when not valid).
func (t ShareTarget) String() string {
	switch {
	case !t.Valid():
		return ""
	case t.LeaseID > 0:
		return "lease:" + strconv.FormatInt(t.LeaseID, 10)
	case t.UnitID > 0:
		return "unit:" + strconv.FormatInt(t.UnitID, 10)
	case t.PropertyID > 0:
		return "property:" + strconv.FormatInt(t.PropertyID, 10)
	}
	return "contact:" + strconv.FormatInt(t.ContactID, 10)
}
