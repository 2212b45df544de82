package photo

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"
)

// Shared documents: what a manager may share with residents. The
// type is decided from the bytes, as for photos; the file's name only
// chooses between two flavours of plain text (.csv or not).
//
// Accepted: PDF; JPEG and PNG (processed as photos: upright, no metadata);
// Office Open XML (docx, xlsx, pptx — a zip whose [Content_Types].xml
// names the main part; macro-enabled variants are refused); OpenDocument
// (odt, ods, odp — a zip whose first, stored entry "mimetype" names the
// type); the older binary Office formats (doc, xls, ppt — a compound file
// whose directory names the main stream); and UTF-8 plain text or CSV
// without NUL bytes that does not look like HTML or XML. Everything else —
// HTML, SVG, other archives, programs — is refused.

// MaxSharedDocumentBytes is the largest shared document accepted (project
// choice): scans of a whole lease fit, and the limit is checked before
// anything is parsed (see upload.SharedDocument).
const MaxSharedDocumentBytes = 25 << 20

// Content types of shared documents beyond PDF and JPEG.
const (
	ContentTypeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	ContentTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	ContentTypePPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
	ContentTypeODT  = "application/vnd.oasis.opendocument.text"
	ContentTypeODS  = "application/vnd.oasis.opendocument.spreadsheet"
	ContentTypeODP  = "application/vnd.oasis.opendocument.presentation"
	ContentTypeDOC  = "application/msword"
	ContentTypeXLS  = "application/vnd.ms-excel"
	ContentTypePPT  = "application/vnd.ms-powerpoint"
	ContentTypeText = "text/plain; charset=utf-8"
	ContentTypeCSV  = "text/csv; charset=utf-8"
)

// Messages for shared documents.
const (
	MsgSharedTooLarge = "This file is too large (max 25 MB). Send a smaller copy, or split it."
	MsgNotShareable   = "This kind of file cannot be shared. Send a PDF, a JPEG or PNG photo, an Office or OpenDocument file (Word, Excel, PowerPoint), or plain text or CSV."
	MsgMacroDocument  = "This Office file contains macros, which could harm residents' computers. Save it without macros (as .docx, .xlsx or .pptx) and send it again."
)

// ErrNotShareable marks a file of a kind that cannot be shared.
var ErrNotShareable = errors.New("photo: not a shareable document type")

// ProcessSharedDocument reads a document to share (at most
// MaxSharedDocumentBytes) and decides its type from its content; name is
// the uploaded file name, used only to tell CSV from other text. Photos
// are processed like Process's (Photo is then set).
func ProcessSharedDocument(ctx context.Context, r io.Reader, name string) (*Document, error) {
	data, err := readAtMost(r, MaxSharedDocumentBytes)
	if errors.Is(err, ErrTooLarge) {
		return nil, invalid(MsgSharedTooLarge, err)
	}
	if err != nil {
		return nil, err
	}
	switch sniff(data) {
	case formatEmpty:
		return nil, invalid(MsgEmpty, ErrEmpty)
	case formatPDF:
		return &Document{Data: data, ContentType: ContentTypePDF}, nil
	case formatJPEG, formatPNG, formatHEIC:
		if len(data) > MaxBytes {
			return nil, invalid(MsgTooLarge, ErrTooLarge)
		}
		p, err := processBytes(ctx, data)
		if err != nil {
			return nil, err
		}
		return &Document{Data: p.Full.Data, ContentType: p.Full.ContentType, Photo: p}, nil
	}
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		ct, err := officeZipType(data)
		if err != nil {
			return nil, err
		}
		return &Document{Data: data, ContentType: ct}, nil
	}
	if bytes.HasPrefix(data, cfbMagic) {
		ct, macros := compoundFileType(data)
		if ct != "" && macros {
			// As .docm and .xlsm are: macros run code on the reader's
			// computer, and these files go out to residents by e-mail.
			return nil, invalid(MsgMacroDocument, ErrNotShareable)
		}
		if ct != "" {
			return &Document{Data: data, ContentType: ct}, nil
		}
		return nil, invalid(MsgNotShareable, ErrNotShareable)
	}
	if isPlainText(data) {
		if strings.HasSuffix(strings.ToLower(name), ".csv") {
			return &Document{Data: data, ContentType: ContentTypeCSV}, nil
		}
		return &Document{Data: data, ContentType: ContentTypeText}, nil
	}
	return nil, invalid(MsgNotShareable, ErrNotShareable)
}

// officeZipType tells an OOXML or ODF file from any other zip. Only the
// central directory and one small entry are read: nothing is unpacked.
func officeZipType(data []byte) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", invalid(MsgNotShareable, ErrNotShareable)
	}
	// OpenDocument: the first entry is "mimetype", stored uncompressed.
	if len(zr.File) > 0 && zr.File[0].Name == "mimetype" && zr.File[0].Method == zip.Store {
		b, err := readEntry(zr.File[0], 100)
		if err == nil {
			switch string(b) {
			case ContentTypeODT, ContentTypeODS, ContentTypeODP:
				return string(b), nil
			}
		}
		return "", invalid(MsgNotShareable, ErrNotShareable)
	}
	for _, f := range zr.File {
		if f.Name != "[Content_Types].xml" {
			continue
		}
		b, err := readEntry(f, 1<<20)
		if err != nil {
			return "", invalid(MsgNotShareable, ErrNotShareable)
		}
		types := string(b)
		if strings.Contains(types, "macroEnabled") || strings.Contains(types, "vbaProject") {
			return "", invalid(MsgMacroDocument, ErrNotShareable)
		}
		switch {
		case strings.Contains(types, "wordprocessingml.document.main+xml"):
			return ContentTypeDOCX, nil
		case strings.Contains(types, "spreadsheetml.sheet.main+xml"):
			return ContentTypeXLSX, nil
		case strings.Contains(types, "presentationml.presentation.main+xml"):
			return ContentTypePPTX, nil
		}
		break
	}
	return "", invalid(MsgNotShareable, ErrNotShareable)
}

// readEntry reads at most limit bytes of a zip entry; more is an error (a
// zip bomb stops here).
func readEntry(f *zip.File, limit int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, errors.New("zip entry too large")
	}
	return b, nil
}

var cfbMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// compoundFileType reads the directory of an OLE2 compound file (the
// pre-2007 Office formats) and names the format from its main stream:
// WordDocument, Workbook (or Book), PowerPoint Document. It answers ""
// for anything else (an MSI installer, say) and for a malformed file.
// macros reports a VBA project: Word keeps it in a "Macros" storage, Excel
// in "_VBA_PROJECT_CUR", both with a "VBA" storage inside. Every offset is
// bounds-checked and the chains are bounded.
func compoundFileType(b []byte) (kind string, macros bool) {
	if len(b) < 512 {
		return "", false
	}
	shift := binary.LittleEndian.Uint16(b[0x1E:])
	if shift != 9 && shift != 12 {
		return "", false
	}
	size := 1 << shift
	sector := func(n uint32) []byte {
		off := (int(n) + 1) * size
		if n >= 0xFFFFFFFA || off < 0 || off+size > len(b) {
			return nil
		}
		return b[off : off+size]
	}
	// The first 109 FAT sectors are listed in the header; enough for
	// files of several hundred megabytes, far above the upload limit.
	var fat []uint32
	for i := range 109 {
		n := binary.LittleEndian.Uint32(b[0x4C+4*i:])
		if n >= 0xFFFFFFFA {
			break
		}
		s := sector(n)
		if s == nil {
			return "", false
		}
		for j := 0; j+4 <= len(s); j += 4 {
			fat = append(fat, binary.LittleEndian.Uint32(s[j:]))
		}
	}
	dir := binary.LittleEndian.Uint32(b[0x30:])
	word := false
	for steps := 0; dir < 0xFFFFFFFA && steps < 10000; steps++ {
		s := sector(dir)
		if s == nil {
			return "", false
		}
		for e := 0; e+128 <= len(s); e += 128 {
			n := int(binary.LittleEndian.Uint16(s[e+0x40:]))
			if n < 2 || n > 64 {
				continue
			}
			name := utf16Name(s[e : e+n-2])
			switch name {
			case "WordDocument":
				word = true
			case "Workbook", "Book":
				kind = ContentTypeXLS
			case "PowerPoint Document":
				kind = ContentTypePPT
			case "Macros", "_VBA_PROJECT_CUR", "_VBA_PROJECT", "VBA":
				macros = true
			}
		}
		if int(dir) >= len(fat) {
			break
		}
		dir = fat[dir]
	}
	if word {
		kind = ContentTypeDOC
	}
	return kind, macros
}

func utf16Name(b []byte) string {
	var sb strings.Builder
	for i := 0; i+1 < len(b); i += 2 {
		r := rune(binary.LittleEndian.Uint16(b[i:]))
		if r < 0x20 {
			return ""
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// isPlainText accepts UTF-8 text without NUL bytes that a browser would not
// take for HTML or XML (which would include SVG).
func isPlainText(b []byte) bool {
	if !utf8.Valid(b) || bytes.IndexByte(b, 0) >= 0 {
		return false
	}
	ct := http.DetectContentType(b)
	if !strings.HasPrefix(ct, "text/plain") {
		return false
	}
	head := strings.ToLower(string(bytes.TrimLeft(bytes.TrimPrefix(b[:min(len(b), 1024)], []byte("\ufeff")), " \t\r\n")))
	for _, p := range []string{"<?xml", "<svg", "<!doctype", "<html", "<script", "<!--"} {
		if strings.HasPrefix(head, p) {
			return false
		}
	}
	return !strings.Contains(head, "<svg")
}
