// Package upload reads file uploads for the web layer safely: the request
// body is capped before anything parses it (SECURITY.md 16), and a
// multipart form is read one part at a time, so a form carrying ten phone
// photos never holds more than one of them in memory and never touches a
// temporary file. What the files are is decided later, from their bytes, by
// package photo; the names and Content-Types a browser sends are only kept
// for display.
//
// A handler reads a photo form like this:
//
//	if err := upload.Limit(w, r, upload.MaxPhotoRequestBytes); err != nil {
//		return err
//	}
//	form, err := upload.NewForm(r, upload.Photos())
//	if err != nil {
//		return err
//	}
//	for {
//		f, err := form.NextFile()
//		if err == io.EOF {
//			break
//		}
//		if err != nil {
//			return err // a *lintel.Error: show its message next to the field
//		}
//		p, err := photo.Process(r.Context(), bytes.NewReader(f.Data))
//		...
//	}
//	kind := form.Values.Get("kind") // text fields placed before the files
//
// Errors are *lintel.Error values of kind KindInvalid with a message that
// states the limit; errors.Is matches them against the sentinels below.
package upload

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/photo"
)

// Limits (SECURITY.md 16; project choices).
const (
	// MaxPhotoBytes is the largest photo: photo.MaxBytes (15 MB).
	MaxPhotoBytes = photo.MaxBytes
	// MaxPhotosPerUpload is how many photos one form may carry.
	MaxPhotosPerUpload = 10
	// MaxDocumentBytes is the largest invoice or quote: photo.MaxDocumentBytes (20 MB).
	MaxDocumentBytes = photo.MaxDocumentBytes

	// MaxFieldBytes bounds one text field in an upload form, and
	// MaxFieldsBytes all of them together; notes and captions fit easily.
	MaxFieldBytes  = 64 << 10
	MaxFieldsBytes = 1 << 20
	// MaxParts bounds the parts of one form, files and fields together, so
	// a body of many tiny parts cannot keep a request busy.
	MaxParts = 200

	// MaxPhotoRequestBytes and MaxDocumentRequestBytes are the body caps to
	// pass to Limit: the files at their largest, plus room for the text
	// fields and the multipart framing.
	MaxPhotoRequestBytes    = MaxPhotosPerUpload*MaxPhotoBytes + MaxFieldsBytes + framing
	MaxDocumentRequestBytes = MaxDocumentBytes + MaxFieldsBytes + framing

	framing = 64 << 10
)

// Sentinels for errors.Is; the returned errors carry the message to show.
var (
	ErrRequestTooLarge = errors.New("upload: request body over the limit")
	ErrFileTooLarge    = errors.New("upload: file over the limit")
	ErrTooManyFiles    = errors.New("upload: too many files")
	ErrEmptyFile       = errors.New("upload: empty file")
	ErrNotMultipart    = errors.New("upload: not a multipart/form-data request")
	ErrFieldTooLarge   = errors.New("upload: text field over the limit")
	ErrFieldNotText    = errors.New("upload: text field holds bytes no database stores")
	ErrMalformed       = errors.New("upload: malformed multipart body")
)

// Limits says how much one form may carry.
type Limits struct {
	MaxFiles     int   // files in the form; more is ErrTooManyFiles
	MaxFileBytes int64 // bytes in one file; more is ErrFileTooLarge
	// Noun names the files in messages: "photo" or "file".
	Noun string
}

// Photos returns the limits for a form of phone photos.
func Photos() Limits {
	return Limits{MaxFiles: MaxPhotosPerUpload, MaxFileBytes: MaxPhotoBytes, Noun: "photo"}
}

// Document returns the limits for a form with one invoice or quote.
func Document() Limits {
	return Limits{MaxFiles: 1, MaxFileBytes: MaxDocumentBytes, Noun: "file"}
}

// Limit caps r's body at max bytes with http.MaxBytesReader; call it before
// anything reads the body. A request that declares a larger Content-Length
// is refused at once, before its body is read; one that sends more than it
// declared (or declares nothing) fails when the reader passes max, with
// ErrRequestTooLarge from Form. w lets the server close the connection
// after an oversized body rather than read the rest of it.
func Limit(w http.ResponseWriter, r *http.Request, max int64) error {
	r.Body = http.MaxBytesReader(w, r.Body, max)
	if r.ContentLength > max {
		return requestTooLarge(max)
	}
	return nil
}

// File is one uploaded file, read whole into memory (at most the limit).
type File struct {
	Field string // the form field it came in
	Name  string // the name the sender gave it, cleaned for display only
	Data  []byte
}

// Form reads a multipart/form-data body one part at a time. Text fields
// are collected into Values as they are passed, so fields a handler needs
// before the files must come before the file input in the HTML form.
type Form struct {
	// Values holds the text fields read so far.
	Values url.Values

	mr         *multipart.Reader
	limits     Limits
	files      int
	parts      int
	fieldBytes int64
}

// NewForm starts reading r's multipart body under limits. Call Limit first.
func NewForm(r *http.Request, limits Limits) (*Form, error) {
	if limits.Noun == "" {
		limits.Noun = "file"
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, invalid("This form must be sent as a file upload. Reload the page and try again.", fmt.Errorf("%w: %v", ErrNotMultipart, err))
	}
	return &Form{Values: url.Values{}, mr: mr, limits: limits}, nil
}

// Files returns how many files NextFile has returned so far.
func (f *Form) Files() int { return f.files }

// NextFile returns the next file in the form, reading any text fields
// before it into Values. It returns io.EOF after the last part. A file
// input left empty (no file chosen) is skipped. Each file is read to at
// most the limit; a larger one stops the whole form with ErrFileTooLarge,
// as do more files than the limit allows. After an error the form is
// spent: stop reading and show the error.
func (f *Form) NextFile() (*File, error) {
	for {
		p, err := f.mr.NextPart()
		if err == io.EOF {
			return nil, io.EOF
		}
		if err != nil {
			return nil, f.readErr(err)
		}
		f.parts++
		if f.parts > MaxParts {
			p.Close()
			return nil, invalid("This form has too many parts. Reload the page and try again.", fmt.Errorf("%w: more than %d parts", ErrMalformed, MaxParts))
		}
		field := p.FormName()
		if field == "" {
			p.Close()
			continue // not a form field (no Content-Disposition name)
		}
		if p.FileName() == "" {
			if err := f.readField(p, field); err != nil {
				p.Close()
				return nil, err
			}
			p.Close()
			continue
		}
		file, err := f.readFile(p, field)
		p.Close()
		if err != nil {
			return nil, err
		}
		if file == nil {
			continue // an empty file input
		}
		return file, nil
	}
}

func (f *Form) readField(p *multipart.Part, field string) error {
	b, err := io.ReadAll(io.LimitReader(p, MaxFieldBytes+1))
	if err != nil {
		return f.readErr(err)
	}
	f.fieldBytes += int64(len(b))
	if len(b) > MaxFieldBytes || f.fieldBytes > MaxFieldsBytes {
		return invalid(fmt.Sprintf("A text field is too long (max %d KB). Shorten it and try again.", MaxFieldBytes>>10), fmt.Errorf("%w: %q", ErrFieldTooLarge, field))
	}
	// Tabs and line breaks pass here because the multipart reader does not
	// know which fields are textareas; the bytes no database can store are
	// refused before any handler sees them.
	if msg := lintel.TextProblem(string(b), true); msg != "" {
		return &lintel.Error{Kind: lintel.KindInvalid, Message: msg, Fields: lintel.FieldErrors{field: msg}, Err: fmt.Errorf("%w: %q", ErrFieldNotText, field)}
	}
	f.Values.Add(field, string(b))
	return nil
}

// readFile reads one file part; it returns nil, nil for a file input that
// was left empty, which browsers send as a part with no name and no bytes.
func (f *Form) readFile(p *multipart.Part, field string) (*File, error) {
	name := cleanName(p.FileName())
	b, err := io.ReadAll(io.LimitReader(p, f.limits.MaxFileBytes+1))
	if err != nil {
		return nil, f.readErr(err)
	}
	if int64(len(b)) > f.limits.MaxFileBytes {
		return nil, invalid(
			fmt.Sprintf("%s is too large (max %s). Send a smaller %s.", quoteName(name, f.limits.Noun), mb(f.limits.MaxFileBytes), f.limits.Noun),
			fmt.Errorf("%w: %q over %d bytes", ErrFileTooLarge, name, f.limits.MaxFileBytes))
	}
	if len(b) == 0 {
		if name == "" {
			return nil, nil
		}
		return nil, invalid(fmt.Sprintf("%s is empty. Choose it again.", quoteName(name, f.limits.Noun)), fmt.Errorf("%w: %q", ErrEmptyFile, name))
	}
	f.files++
	if f.files > f.limits.MaxFiles {
		msg := fmt.Sprintf("You can send at most %d %ss at a time. Send the others in another upload.", f.limits.MaxFiles, f.limits.Noun)
		if f.limits.MaxFiles == 1 {
			msg = fmt.Sprintf("Send one %s at a time.", f.limits.Noun)
		}
		return nil, invalid(msg, fmt.Errorf("%w: more than %d", ErrTooManyFiles, f.limits.MaxFiles))
	}
	return &File{Field: field, Name: name, Data: b}, nil
}

// readErr turns a failure while reading the body into a message: the cap
// set by Limit, or a body that is not well-formed multipart (a cut-off
// upload, usually: the phone lost its connection).
func (f *Form) readErr(err error) error {
	if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return requestTooLarge(mbe.Limit)
	}
	return invalid("The upload did not arrive whole. Check the connection and try again.", fmt.Errorf("%w: %v", ErrMalformed, err))
}

func requestTooLarge(max int64) error {
	return invalid(fmt.Sprintf("These files are too large together (max %s). Send fewer at a time.", mb(max)),
		fmt.Errorf("%w: more than %d bytes", ErrRequestTooLarge, max))
}

// mb writes a limit as people read one: whole megabytes ("15 MB"), or
// kilobytes or bytes for the small limits of tests.
func mb(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// cleanName keeps a file name fit to show and to put in a
// Content-Disposition header later: no path, valid UTF-8, no control or
// formatting characters (a right-to-left override could make
// "invoice\u202Efdp.exe" read as "invoiceexe.pdf"), at most 100 characters.
func cleanName(name string) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > 100 {
		r := []rune(name)
		name = string(r[:100])
	}
	return name
}

// quoteName names a file in a message: “IMG_0042.jpg”, or "This photo"
// when it has no name.
func quoteName(name, noun string) string {
	if name == "" {
		return "This " + noun
	}
	return "“" + name + "”"
}

func invalid(msg string, err error) error {
	return &lintel.Error{Kind: lintel.KindInvalid, Message: msg, Err: err}
}
