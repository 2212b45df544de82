package upload

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/lintel"
)

// part is one part of a test form: a text field, or a file when file is set.
type part struct {
	field, file string
	data        []byte
}

func field(name, value string) part { return part{field: name, data: []byte(value)} }
func file(fieldName, fileName string, data []byte) part {
	return part{field: fieldName, file: fileName, data: data}
}

// body encodes parts as multipart/form-data with the boundary "BOUNDARY".
func body(t testing.TB, parts ...part) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.SetBoundary("BOUNDARY"); err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		var pw io.Writer
		var err error
		if p.file == "" && p.data != nil {
			pw, err = w.CreateFormField(p.field)
		} else {
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, p.field, p.file))
			h.Set("Content-Type", "image/jpeg") // what the browser claims; never trusted
			pw, err = w.CreatePart(h)
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pw.Write(p.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// cutAt cuts b off where s starts, as a dropped connection would.
func cutAt(b []byte, s string) []byte { return b[:bytes.Index(b, []byte(s))] }

func request(b []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/upload", bytes.NewReader(b))
	r.Header.Set("Content-Type", "multipart/form-data; boundary=BOUNDARY")
	return r
}

// readAll reads every file of a form, or stops at the first error.
func readAll(r *http.Request, l Limits) (*Form, []*File, error) {
	form, err := NewForm(r, l)
	if err != nil {
		return nil, nil, err
	}
	var files []*File
	for {
		f, err := form.NextFile()
		if err == io.EOF {
			return form, files, nil
		}
		if err != nil {
			return form, files, err
		}
		files = append(files, f)
	}
}

func TestFormReadsFilesAndFields(t *testing.T) {
	b := body(t,
		field("kind", "before"),
		file("photos", "IMG_0001.jpg", []byte("one")),
		file("photos", "IMG_0002.jpg", []byte("two")),
		file("photos", "", nil), // a second file input left empty
		field("caption", "the leak under the sink"),
		file("photos", "IMG_0003.png", []byte("three")),
	)
	r := request(b)
	if err := Limit(httptest.NewRecorder(), r, MaxPhotoRequestBytes); err != nil {
		t.Fatal(err)
	}
	form, files, err := readAll(r, Photos())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.Field+"/"+f.Name+"="+string(f.Data))
	}
	want := "photos/IMG_0001.jpg=one photos/IMG_0002.jpg=two photos/IMG_0003.png=three"
	if strings.Join(got, " ") != want {
		t.Errorf("files = %q, want %q", strings.Join(got, " "), want)
	}
	if form.Files() != 3 {
		t.Errorf("Files() = %d, want 3", form.Files())
	}
	if form.Values.Get("kind") != "before" || form.Values.Get("caption") != "the leak under the sink" {
		t.Errorf("Values = %v", form.Values)
	}
}

func TestFormRefuses(t *testing.T) {
	small := Limits{MaxFiles: 2, MaxFileBytes: 10, Noun: "photo"}
	for _, tc := range []struct {
		name    string
		limits  Limits
		body    []byte
		ctype   string
		limit   int64 // for Limit; 0 means none
		chunked bool  // hide the Content-Length, as a streaming client would
		want    error
		wantMsg string
		read    int // files returned before the error
	}{
		{
			name: "a file over the limit", limits: small,
			body:    body(t, file("photos", "big.jpg", make([]byte, 11))),
			want:    ErrFileTooLarge,
			wantMsg: "“big.jpg” is too large (max 10 bytes). Send a smaller photo.",
		},
		{
			name: "a second file over the limit", limits: small,
			body:    body(t, file("photos", "a.jpg", []byte("fine")), file("photos", "b.jpg", make([]byte, 100))),
			want:    ErrFileTooLarge,
			read:    1,
			wantMsg: "“b.jpg” is too large (max 10 bytes). Send a smaller photo.",
		},
		{
			name: "a 15 MB photo limit in words", limits: Photos(),
			body:    body(t, file("photos", "huge.jpg", make([]byte, MaxPhotoBytes+1))),
			want:    ErrFileTooLarge,
			wantMsg: "“huge.jpg” is too large (max 15 MB). Send a smaller photo.",
		},
		{
			name: "too many files", limits: small,
			body:    body(t, file("p", "1.jpg", []byte("1")), file("p", "2.jpg", []byte("2")), file("p", "3.jpg", []byte("3"))),
			want:    ErrTooManyFiles,
			read:    2,
			wantMsg: "You can send at most 2 photos at a time. Send the others in another upload.",
		},
		{
			name: "a second document", limits: Document(),
			body:    body(t, file("invoice", "1.pdf", []byte("%PDF-")), file("invoice", "2.pdf", []byte("%PDF-"))),
			want:    ErrTooManyFiles,
			read:    1,
			wantMsg: "Send one file at a time.",
		},
		{
			name: "a NUL byte in a text field", limits: small,
			body:    body(t, field("description", "leak\x00"), file("photos", "a.jpg", []byte("fine"))),
			want:    ErrFieldNotText,
			wantMsg: "This holds a control character (such as a NUL byte) that cannot be stored. Remove it, or retype the text, and send the form again.",
		},
		{
			name: "a text field that is not UTF-8", limits: small,
			body:    body(t, field("description", "\xff\xfe\xfd"), file("photos", "a.jpg", []byte("fine"))),
			want:    ErrFieldNotText,
			wantMsg: "This holds bytes that are not text (not UTF-8). Retype it rather than pasting it, and send the form again.",
		},
		{
			name: "an empty file", limits: small,
			body:    body(t, file("photos", "IMG_0001.jpg", []byte{})),
			want:    ErrEmptyFile,
			wantMsg: "“IMG_0001.jpg” is empty. Choose it again.",
		},
		{
			name: "not multipart", limits: small,
			body: []byte("a=1&b=2"), ctype: "application/x-www-form-urlencoded",
			want:    ErrNotMultipart,
			wantMsg: "This form must be sent as a file upload. Reload the page and try again.",
		},
		{
			name: "multipart without a boundary", limits: small,
			body: body(t, field("a", "1")), ctype: "multipart/form-data",
			want: ErrNotMultipart,
		},
		{
			name: "a body cut off mid-file", limits: small,
			body:    cutAt(body(t, file("photos", "a.jpg", []byte("0123456789"))), "56789"),
			want:    ErrMalformed,
			wantMsg: "The upload did not arrive whole. Check the connection and try again.",
		},
		{
			name: "a text field too long", limits: small,
			body:    body(t, field("note", strings.Repeat("x", MaxFieldBytes+1))),
			want:    ErrFieldTooLarge,
			wantMsg: "A text field is too long (max 64 KB). Shorten it and try again.",
		},
		{
			name: "too many parts", limits: small,
			body: body(t, func() []part {
				var ps []part
				for i := range MaxParts + 1 {
					ps = append(ps, field(fmt.Sprint("f", i), "x"))
				}
				return ps
			}()...),
			want: ErrMalformed,
		},
		{
			name: "a declared body over the cap", limits: Photos(),
			body: body(t, file("photos", "a.jpg", make([]byte, 3<<20))), limit: 2 << 20,
			want:    ErrRequestTooLarge,
			wantMsg: "These files are too large together (max 2 MB). Send fewer at a time.",
		},
		{
			name: "a streamed body over the cap", limits: Photos(),
			body: body(t, file("photos", "a.jpg", []byte("fine")), file("photos", "b.jpg", make([]byte, 3<<20))), limit: 2 << 20, chunked: true,
			want:    ErrRequestTooLarge,
			read:    1,
			wantMsg: "These files are too large together (max 2 MB). Send fewer at a time.",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := request(tc.body)
			if tc.ctype != "" {
				r.Header.Set("Content-Type", tc.ctype)
			}
			if tc.chunked {
				r.ContentLength = -1
			}
			var err error
			var files []*File
			if tc.limit > 0 {
				err = Limit(httptest.NewRecorder(), r, tc.limit)
			}
			if err == nil {
				_, files, err = readAll(r, tc.limits)
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if lintel.KindOf(err) != lintel.KindInvalid {
				t.Errorf("kind = %v, want KindInvalid", lintel.KindOf(err))
			}
			if tc.wantMsg != "" && lintel.MessageOf(err) != tc.wantMsg {
				t.Errorf("message = %q, want %q", lintel.MessageOf(err), tc.wantMsg)
			}
			if len(files) != tc.read {
				t.Errorf("%d files read before the error, want %d", len(files), tc.read)
			}
		})
	}
}

func TestLimitsAgree(t *testing.T) {
	if MaxPhotoBytes != 15<<20 || MaxDocumentBytes != 20<<20 || MaxPhotosPerUpload != 10 {
		t.Fatalf("limits changed: photo %d, document %d, photos %d; update the messages and docs too", MaxPhotoBytes, MaxDocumentBytes, MaxPhotosPerUpload)
	}
	// A form of the largest allowed photos fits the request cap.
	if int64(MaxPhotosPerUpload)*MaxPhotoBytes+MaxFieldsBytes >= MaxPhotoRequestBytes {
		t.Fatal("MaxPhotoRequestBytes leaves no room for the multipart framing")
	}
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{
		"IMG_0001.JPG":               "IMG_0001.JPG",
		"../../etc/passwd":           "passwd",
		`C:\Users\Ann\Facture 7.pdf`: "Facture 7.pdf",
		"a\r\nContent-Type: x.jpg":   "aContent-Type: x.jpg",
		"invoice\u202Efdp.exe":       "invoicefdp.exe",
		"bad\xffutf8.jpg":            "bad\uFFFDutf8.jpg",
		"  spaced.jpg  ":             "spaced.jpg",
		strings.Repeat("é", 150):     strings.Repeat("é", 100),
		"/":                          "",
	} {
		if got := cleanName(in); got != want {
			t.Errorf("cleanName(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzMultipart: no body panics the reader, and whatever it returns keeps
// to the limits.
func FuzzMultipart(f *testing.F) {
	f.Add(body(f, field("kind", "after"), file("photos", "a.jpg", []byte("abc")), file("photos", "", nil)))
	f.Add(body(f, file("photos", "a.jpg", make([]byte, 2000))))
	f.Add(body(f, file("p", "1", []byte("1")), file("p", "2", []byte("2")), file("p", "3", []byte("3")), file("p", "4", []byte("4"))))
	f.Add([]byte("--BOUNDARY\r\nContent-Disposition: form-data; name=\"a\"; filename*=UTF-8''%e2%82%ac.jpg\r\n\r\nx\r\n--BOUNDARY--\r\n"))
	f.Add([]byte("--BOUNDARY\r\nContent-Transfer-Encoding: quoted-printable\r\nContent-Disposition: form-data; name=\"a\"; filename=\"q.jpg\"\r\n\r\n=41=42\r\n--BOUNDARY--\r\n"))
	f.Add([]byte("--BOUNDARY\r\n\r\n\r\n--BOUNDARY--"))
	f.Add([]byte{})
	limits := Limits{MaxFiles: 3, MaxFileBytes: 1000, Noun: "photo"}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := request(b)
		r.ContentLength = -1
		if err := Limit(httptest.NewRecorder(), r, 64<<10); err != nil {
			t.Fatal(err)
		}
		form, err := NewForm(r, limits)
		if err != nil {
			t.Fatal(err) // the header is fixed and valid
		}
		for n := 0; ; n++ {
			if n > MaxParts {
				t.Fatal("more files than parts")
			}
			file, err := form.NextFile()
			if err == io.EOF {
				return
			}
			if err != nil {
				if lintel.KindOf(err) != lintel.KindInvalid {
					t.Fatalf("a bad body gave a non-invalid error: %v", err)
				}
				return
			}
			if len(file.Data) == 0 || int64(len(file.Data)) > limits.MaxFileBytes {
				t.Fatalf("a file of %d bytes got through", len(file.Data))
			}
			if form.Files() > limits.MaxFiles {
				t.Fatalf("%d files got through, the limit is %d", form.Files(), limits.MaxFiles)
			}
			if strings.ContainsAny(file.Name, "/\\\r\n\x00") {
				t.Fatalf("file name %q not cleaned", file.Name)
			}
		}
	})
}
