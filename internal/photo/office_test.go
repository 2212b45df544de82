package photo

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/png"
	"testing"
	"unicode/utf16"
)

func zipOf(t testing.TB, files ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		h := &zip.FileHeader{Name: f[0], Method: zip.Deflate}
		if f[0] == "mimetype" {
			h.Method = zip.Store
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(f[1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func contentTypes(main string) string {
	return `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Override PartName="/x.xml" ContentType="` + main + `"/></Types>`
}

// compoundFile builds a minimal OLE2 file whose directory holds stream.
func compoundFile(streams ...string) []byte {
	const size = 512
	b := make([]byte, size*3)
	copy(b, cfbMagic)
	binary.LittleEndian.PutUint16(b[0x1E:], 9)
	binary.LittleEndian.PutUint32(b[0x30:], 1) // directory at sector 1
	for i := range 109 {
		binary.LittleEndian.PutUint32(b[0x4C+4*i:], 0xFFFFFFFF)
	}
	binary.LittleEndian.PutUint32(b[0x4C:], 0) // FAT at sector 0
	fat := b[size : 2*size]
	for i := 0; i < size; i += 4 {
		binary.LittleEndian.PutUint32(fat[i:], 0xFFFFFFFF)
	}
	binary.LittleEndian.PutUint32(fat[0:], 0xFFFFFFFD)
	binary.LittleEndian.PutUint32(fat[4:], 0xFFFFFFFE)
	dir := b[2*size:]
	for i, name := range append([]string{"Root Entry"}, streams...) {
		e := dir[i*128:]
		u := utf16.Encode([]rune(name))
		for j, r := range u {
			binary.LittleEndian.PutUint16(e[2*j:], r)
		}
		binary.LittleEndian.PutUint16(e[0x40:], uint16(2*len(u)+2))
	}
	return b
}

func pngBytes(t testing.TB) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 4, 3))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestProcessSharedDocument(t *testing.T) {
	for _, tc := range []struct {
		name string
		file string
		data []byte
		want string // content type, or "" when refused
		msg  string
	}{
		{"pdf", "lease.pdf", []byte("%PDF-1.7\n%%EOF\n"), ContentTypePDF, ""},
		{"png becomes a clean jpeg", "plan.png", pngBytes(t), ContentTypeJPEG, ""},
		{"docx", "a.docx", zipOf(t, [2]string{"[Content_Types].xml", contentTypes("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")}, [2]string{"word/document.xml", "<w/>"}), ContentTypeDOCX, ""},
		{"xlsx", "a.xlsx", zipOf(t, [2]string{"[Content_Types].xml", contentTypes("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")}), ContentTypeXLSX, ""},
		{"pptx", "a.pptx", zipOf(t, [2]string{"[Content_Types].xml", contentTypes("application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml")}), ContentTypePPTX, ""},
		{"docm refused", "a.docx", zipOf(t, [2]string{"[Content_Types].xml", contentTypes("application/vnd.ms-word.document.macroEnabled.main+xml")}), "", MsgMacroDocument},
		{"odt", "a.odt", zipOf(t, [2]string{"mimetype", ContentTypeODT}, [2]string{"content.xml", "<x/>"}), ContentTypeODT, ""},
		{"ods", "a.ods", zipOf(t, [2]string{"mimetype", ContentTypeODS}), ContentTypeODS, ""},
		{"plain zip refused", "a.docx", zipOf(t, [2]string{"setup.exe", "MZ"}), "", MsgNotShareable},
		{"epub refused", "a.odt", zipOf(t, [2]string{"mimetype", "application/epub+zip"}), "", MsgNotShareable},
		{"doc", "a.doc", compoundFile("WordDocument"), ContentTypeDOC, ""},
		{"xls", "a.xls", compoundFile("Workbook"), ContentTypeXLS, ""},
		{"msi refused", "a.doc", compoundFile("\u4840\u3b3f"), "", MsgNotShareable},
		{"doc with macros refused", "a.doc", compoundFile("WordDocument", "Macros", "VBA"), "", MsgMacroDocument},
		{"doc with macros listed first refused", "a.doc", compoundFile("Macros", "WordDocument"), "", MsgMacroDocument},
		{"xls with macros refused", "a.xls", compoundFile("Workbook", "_VBA_PROJECT_CUR", "VBA"), "", MsgMacroDocument},
		{"text", "notes.txt", []byte("Bin day is Tuesday.\nMerci !\n"), ContentTypeText, ""},
		{"csv by name", "meters.csv", []byte("unit,reading\nApt 1,1234\n"), ContentTypeCSV, ""},
		{"html refused", "a.txt", []byte("<!DOCTYPE html><html><script>alert(1)</script>"), "", MsgNotShareable},
		{"html without doctype refused", "a.pdf", []byte("  <script>alert(1)</script>"), "", MsgNotShareable},
		{"svg refused", "a.txt", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), "", MsgNotShareable},
		{"bare svg refused", "a.txt", []byte(`<svg onload="alert(1)"/>`), "", MsgNotShareable},
		{"executable refused", "a.pdf", append([]byte("MZ\x90\x00\x03"), make([]byte, 100)...), "", MsgNotShareable},
		{"gzip refused", "a.pdf", []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00"), "", MsgNotShareable},
		{"empty", "a.pdf", nil, "", MsgEmpty},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ProcessSharedDocument(t.Context(), bytes.NewReader(tc.data), tc.file)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("accepted as %s", d.ContentType)
				}
				if got := err.Error(); !bytes.Contains([]byte(got), []byte(tc.msg)) {
					t.Errorf("error %q, want %q", got, tc.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.ContentType != tc.want {
				t.Errorf("type %s, want %s", d.ContentType, tc.want)
			}
		})
	}
}

func TestProcessSharedDocumentTooLarge(t *testing.T) {
	big := append([]byte("%PDF-1.4\n"), make([]byte, MaxSharedDocumentBytes)...)
	if _, err := ProcessSharedDocument(t.Context(), bytes.NewReader(big), "big.pdf"); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over the limit: %v", err)
	}
}

func FuzzProcessSharedDocument(f *testing.F) {
	f.Add([]byte("%PDF-1.4"), "a.pdf")
	f.Add(zipOf(f, [2]string{"mimetype", ContentTypeODT}), "a.odt")
	f.Add(zipOf(f, [2]string{"[Content_Types].xml", contentTypes("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")}), "a.docx")
	f.Add(compoundFile("WordDocument"), "a.doc")
	f.Add([]byte("a,b\n1,2\n"), "a.csv")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		d, err := ProcessSharedDocument(t.Context(), bytes.NewReader(data), name)
		if err == nil && d.ContentType == "" {
			t.Fatal("accepted without a type")
		}
	})
}
