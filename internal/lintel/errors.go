package lintel

import (
	"errors"
	"fmt"
	"sort"
)

// Kind classifies an error by what the person in front of the screen can do
// about it. The web layer maps each kind to one status and one page.
type Kind int

const (
	KindInternal     Kind = iota // a bug or an outage: 500 with a request id
	KindInvalid                  // bad input: the form again, messages next to fields
	KindNotFound                 // does not exist, or is outside the actor's scope
	KindConflict                 // clashes with what is stored (duplicate, stale state)
	KindForbidden                // signed in, but the role may not do this
	KindUnauthorized             // must sign in
	KindTooMany                  // throttled
)

// Error is an error with a kind and a message that is safe to show. The
// wrapped Err carries internal detail for the logs only.
type Error struct {
	Kind    Kind
	Message string // safe to show to the person
	Fields  FieldErrors
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Message, e.Err)
	}
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s: %s", e.Message, e.Fields)
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// ErrNotFound is the one answer for "does not exist" and "not yours": the
// two must be indistinguishable (SECURITY.md 10).
var ErrNotFound = &Error{Kind: KindNotFound, Message: "We could not find that page. It may have been removed, or the link may be wrong."}

// ErrForbidden is for a role that may not do something in its own company.
var ErrForbidden = &Error{Kind: KindForbidden, Message: "Your role does not allow this. Ask an administrator of your company."}

// Conflict returns a conflict error with a message to show.
func Conflict(msg string) error { return &Error{Kind: KindConflict, Message: msg} }

// KindOf returns the kind of err; plain errors are internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// IsNotFound reports whether err means "not found or out of scope".
func IsNotFound(err error) bool { return KindOf(err) == KindNotFound }

// FieldErrors maps a form field name to the message shown next to it.
type FieldErrors map[string]string

// Add records msg for field unless the field already has a message: the
// first problem found is the one worth fixing first.
func (f FieldErrors) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Err returns nil when there are no messages, else an invalid-input error.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Kind: KindInvalid, Message: "Please correct the highlighted fields.", Fields: f}
}

func (f FieldErrors) String() string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := ""
	for i, k := range keys {
		if i > 0 {
			s += "; "
		}
		s += k + ": " + f[k]
	}
	return s
}

// FieldsOf returns the field messages carried by err, if any.
func FieldsOf(err error) FieldErrors {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// MessageOf returns the message that is safe to show for err.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Kind != KindInternal {
		return e.Message
	}
	return "Something went wrong on our side. Please try again; if it keeps happening, contact support with the request id below."
}
