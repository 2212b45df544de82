package photo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/lintel"
)

// The upright picture in the orientation tests: four coloured quadrants.
var (
	red    = color.RGBA{220, 30, 30, 255}
	green  = color.RGBA{30, 200, 30, 255}
	blue   = color.RGBA{30, 30, 220, 255}
	yellow = color.RGBA{230, 230, 30, 255}
)

type corner int

const (
	tl corner = iota // top left
	tr               // top right
	bl               // bottom left
	br               // bottom right
)

var uprightColor = [4]color.RGBA{tl: red, tr: green, bl: blue, br: yellow}

// storedCorners says, for each EXIF orientation, which corner of the
// upright picture sits at the stored image's top left, top right, bottom
// left and bottom right. It is read off the EXIF 2.3 definition of tag
// 0x0112 ("the 0th row is the visual right-hand side, the 0th column the
// visual top", and so on), independently of the code under test.
var storedCorners = map[Orientation][4]corner{
	1: {tl, tr, bl, br},
	2: {tr, tl, br, bl},
	3: {br, bl, tr, tl},
	4: {bl, br, tl, tr},
	5: {tl, bl, tr, br},
	6: {tr, br, tl, bl},
	7: {br, tr, bl, tl},
	8: {bl, tl, br, tr},
}

// quadrants paints a w×h image whose quadrants have the given colours.
func quadrants(w, h int, c [4]color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			q := 0
			if x >= w/2 {
				q++
			}
			if y >= h/2 {
				q += 2
			}
			img.SetRGBA(x, y, c[q])
		}
	}
	return img
}

func encodeJPEG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// gpsMarker is the GPS latitude written by tiffWithGPS, as its bytes appear
// in the file: 51° 30' 26.31" N, big-endian rationals.
var gpsMarker = []byte{0, 0, 0, 51, 0, 0, 0, 1, 0, 0, 0, 30, 0, 0, 0, 1, 0, 0, 0x0a, 0x47, 0, 0, 0, 100}

type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// tiffWithGPS builds the TIFF body of an Exif block: IFD0 with an
// Orientation tag, a Make tag and a pointer to a GPS IFD holding a
// latitude, the way a phone writes them.
func tiffWithGPS(bo byteOrder, o Orientation) []byte {
	var t []byte
	if bo == byteOrder(binary.LittleEndian) {
		t = append(t, "II"...)
	} else {
		t = append(t, "MM"...)
	}
	t = bo.AppendUint16(t, 42)
	t = bo.AppendUint32(t, 8)
	const entries = 3
	makeOff := uint32(8 + 2 + entries*12 + 4)
	makeVal := "PhoneMaker\x00\x00"
	gpsOff := makeOff + uint32(len(makeVal))
	t = bo.AppendUint16(t, entries)
	entry := func(tag, typ uint16, count, value uint32) {
		t = bo.AppendUint16(t, tag)
		t = bo.AppendUint16(t, typ)
		t = bo.AppendUint32(t, count)
		t = bo.AppendUint32(t, value)
	}
	// Orientation: SHORT, value left-justified in the 4-byte field.
	t = bo.AppendUint16(t, 0x0112)
	t = bo.AppendUint16(t, 3)
	t = bo.AppendUint32(t, 1)
	t = bo.AppendUint16(t, uint16(o))
	t = bo.AppendUint16(t, 0)
	entry(0x010F, 2, uint32(len(makeVal)-1), makeOff) // Make
	entry(0x8825, 4, 1, gpsOff)                       // GPS IFD pointer
	t = bo.AppendUint32(t, 0)                         // no next IFD
	t = append(t, makeVal...)
	// GPS IFD: latitude ref "N" and latitude as three rationals.
	dataOff := gpsOff + 2 + 2*12 + 4
	t = bo.AppendUint16(t, 2)
	entry(0x0001, 2, 2, binary.BigEndian.Uint32([]byte("N\x00\x00\x00")))
	entry(0x0002, 5, 3, dataOff)
	t = bo.AppendUint32(t, 0)
	t = append(t, gpsMarker...) // written big-endian whatever bo is: they are just bytes to find
	return t
}

// withExif splices an APP1 Exif segment right after SOI, where cameras put it.
func withExif(j []byte, tiff []byte) []byte {
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(app1[2:], uint16(len(seg)+2))
	out := append([]byte{}, j[:2]...)
	out = append(out, app1...)
	out = append(out, seg...)
	return append(out, j[2:]...)
}

// withPNGChunk inserts a chunk right after IHDR.
func withPNGChunk(p []byte, typ string, data []byte) []byte {
	const afterIHDR = 8 + 8 + 13 + 4
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	chunk = append(chunk, typ...)
	chunk = append(chunk, data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	out := append([]byte{}, p[:afterIHDR]...)
	out = append(out, chunk...)
	return append(out, p[afterIHDR:]...)
}

// segments lists the markers of a JPEG's header segments, up to SOS.
func segments(t *testing.T, j []byte) []byte {
	t.Helper()
	if len(j) < 2 || j[0] != 0xFF || j[1] != 0xD8 {
		t.Fatalf("output does not start with SOI")
	}
	var ms []byte
	for i := 2; i+4 <= len(j); {
		if j[i] != 0xFF {
			t.Fatalf("no marker at %d", i)
		}
		m := j[i+1]
		ms = append(ms, m)
		if m == 0xDA {
			return ms
		}
		i += 2 + int(binary.BigEndian.Uint16(j[i+2:]))
	}
	t.Fatal("no SOS in the output")
	return nil
}

// assertClean fails unless out is a JPEG with no APPn segment (no EXIF,
// XMP, ICC or JFIF data that could carry metadata) and no trace of the
// planted metadata.
func assertClean(t *testing.T, out []byte) {
	t.Helper()
	for _, m := range segments(t, out) {
		if m >= 0xE0 && m <= 0xEF || m == 0xFE {
			t.Errorf("output has an APP%d/COM segment (marker %#x); metadata must be gone", m-0xE0, m)
		}
	}
	for _, s := range [][]byte{[]byte("Exif"), []byte("PhoneMaker"), gpsMarker, []byte("secret")} {
		if bytes.Contains(out, s) {
			t.Errorf("output still contains %q", s)
		}
	}
}

func near(a, b color.Color) bool {
	r1, g1, b1, _ := a.RGBA()
	r2, g2, b2, _ := b.RGBA()
	d := func(x, y uint32) bool { return max(x, y)-min(x, y) <= 40<<8 }
	return d(r1, r2) && d(g1, g2) && d(b1, b2)
}

// assertUpright decodes a processed image and checks its size and the
// colour at the centre of each quadrant.
func assertUpright(t *testing.T, name string, im Image, w, h int) {
	t.Helper()
	if im.ContentType != "image/jpeg" {
		t.Errorf("%s: content type %q, want image/jpeg", name, im.ContentType)
	}
	if im.Width != w || im.Height != h {
		t.Fatalf("%s: %d×%d, want %d×%d", name, im.Width, im.Height, w, h)
	}
	img, err := jpeg.Decode(bytes.NewReader(im.Data))
	if err != nil {
		t.Fatalf("%s: does not decode: %v", name, err)
	}
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Fatalf("%s: decodes to %v, reported %d×%d", name, b, w, h)
	}
	for q, p := range [4]image.Point{{w / 4, h / 4}, {3 * w / 4, h / 4}, {w / 4, 3 * h / 4}, {3 * w / 4, 3 * h / 4}} {
		if got := img.At(p.X, p.Y); !near(got, uprightColor[q]) {
			t.Errorf("%s: quadrant %d is %v, want %v: the photo is not upright", name, q, got, uprightColor[q])
		}
	}
}

// Every EXIF orientation, in both byte orders, comes out upright, with its
// sides swapped where the tag says so, and with no metadata left.
func TestOrientation(t *testing.T) {
	const uw, uh = 96, 64 // the upright picture is landscape
	for o := Orientation(1); o <= 8; o++ {
		for _, bo := range []byteOrder{binary.BigEndian, binary.LittleEndian} {
			t.Run(fmt.Sprintf("%d/%v", o, bo), func(t *testing.T) {
				sw, sh := uw, uh
				if o >= 5 {
					sw, sh = uh, uw // stored as the camera's sensor saw it
				}
				var c [4]color.RGBA
				for i, k := range storedCorners[o] {
					c[i] = uprightColor[k]
				}
				in := withExif(encodeJPEG(t, quadrants(sw, sh, c)), tiffWithGPS(bo, o))
				if !bytes.Contains(in, gpsMarker) || !bytes.Contains(in, []byte("Exif")) {
					t.Fatal("test input lacks its metadata")
				}
				p, err := Process(t.Context(), bytes.NewReader(in))
				if err != nil {
					t.Fatalf("Process: %v", err)
				}
				assertUpright(t, "full", p.Full, uw, uh)
				assertUpright(t, "thumb", p.Thumb, uw, uh)
				assertClean(t, p.Full.Data)
				assertClean(t, p.Thumb.Data)
			})
		}
	}
}

// The case that matters most: a portrait phone photo (stored landscape,
// orientation 6, with a GPS position) comes out portrait without the GPS.
func TestPortraitPhonePhoto(t *testing.T) {
	// Stored 64×48 as the sensor saw it; upright it is 48×64.
	var c [4]color.RGBA
	for i, k := range storedCorners[RightTop] {
		c[i] = uprightColor[k]
	}
	in := withExif(encodeJPEG(t, quadrants(64, 48, c)), tiffWithGPS(binary.BigEndian, RightTop))
	p, err := Process(t.Context(), bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if p.Full.Width != 48 || p.Full.Height != 64 {
		t.Fatalf("got %d×%d, want the sides swapped to 48×64", p.Full.Width, p.Full.Height)
	}
	assertUpright(t, "full", p.Full, 48, 64)
	assertClean(t, p.Full.Data)
	if o := jpegInfo(p.Full.Data).orientation; o != TopLeft {
		t.Errorf("output orientation = %d, want none (upright)", o)
	}
}

func TestPNG(t *testing.T) {
	t.Run("eXIf orientation and text chunks", func(t *testing.T) {
		var c [4]color.RGBA
		for i, k := range storedCorners[LeftBottom] {
			c[i] = uprightColor[k]
		}
		in := encodePNG(t, quadrants(40, 60, c))
		in = withPNGChunk(in, "eXIf", tiffWithGPS(binary.LittleEndian, LeftBottom))
		in = withPNGChunk(in, "tEXt", []byte("Comment\x00secret"))
		p, err := Process(t.Context(), bytes.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		assertUpright(t, "full", p.Full, 60, 40)
		assertClean(t, p.Full.Data)
	})
	t.Run("transparency becomes white", func(t *testing.T) {
		img := image.NewNRGBA(image.Rect(0, 0, 20, 20))
		for x := range 10 {
			for y := range 20 {
				img.Set(x, y, color.NRGBA{0, 0, 200, 255}) // left half opaque blue
			}
		}
		p, err := Process(t.Context(), bytes.NewReader(encodePNG(t, img)))
		if err != nil {
			t.Fatal(err)
		}
		out, err := jpeg.Decode(bytes.NewReader(p.Full.Data))
		if err != nil {
			t.Fatal(err)
		}
		if got := out.At(15, 10); !near(got, color.White) {
			t.Errorf("a transparent pixel became %v, want white", got)
		}
		if got := out.At(3, 10); !near(got, color.RGBA{0, 0, 200, 255}) {
			t.Errorf("an opaque pixel became %v, want blue", got)
		}
	})
	t.Run("16-bit grey", func(t *testing.T) {
		img := image.NewGray16(image.Rect(0, 0, 30, 10))
		p, err := Process(t.Context(), bytes.NewReader(encodePNG(t, img)))
		if err != nil {
			t.Fatal(err)
		}
		if p.Full.Width != 30 || p.Full.Height != 10 {
			t.Fatalf("got %d×%d", p.Full.Width, p.Full.Height)
		}
	})
}

func TestScaling(t *testing.T) {
	for _, tc := range []struct {
		name         string
		w, h         int
		full, thumbs image.Point
	}{
		{"small stays as it is", 64, 48, image.Pt(64, 48), image.Pt(64, 48)},
		{"exactly the thumbnail size", 480, 300, image.Pt(480, 300), image.Pt(480, 300)},
		{"a little larger than a thumbnail", 640, 480, image.Pt(640, 480), image.Pt(480, 360)},
		{"portrait", 300, 1200, image.Pt(300, 1200), image.Pt(120, 480)},
		{"wider than MaxSide", 5000, 100, image.Pt(4096, 82), image.Pt(480, 10)},
		{"a thin strip keeps one pixel", 8000, 1, image.Pt(4096, 1), image.Pt(480, 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img := image.NewGray(image.Rect(0, 0, tc.w, tc.h))
			p, err := Process(t.Context(), bytes.NewReader(encodeJPEG(t, img)))
			if err != nil {
				t.Fatal(err)
			}
			if got := image.Pt(p.Full.Width, p.Full.Height); got != tc.full {
				t.Errorf("full = %v, want %v", got, tc.full)
			}
			if got := image.Pt(p.Thumb.Width, p.Thumb.Height); got != tc.thumbs {
				t.Errorf("thumbnail = %v, want %v", got, tc.thumbs)
			}
			for _, im := range []Image{p.Full, p.Thumb} {
				cfg, err := jpeg.DecodeConfig(bytes.NewReader(im.Data))
				if err != nil || cfg.Width != im.Width || cfg.Height != im.Height {
					t.Errorf("the data is %d×%d (%v), the fields say %d×%d", cfg.Width, cfg.Height, err, im.Width, im.Height)
				}
			}
		})
	}
}

// withSOFSize rewrites the frame size in a JPEG's SOF0 header: a tiny file
// that claims to be huge, the shape of a decompression bomb.
func withSOFSize(t *testing.T, j []byte, w, h int) []byte {
	t.Helper()
	out := append([]byte{}, j...)
	i := bytes.Index(out, []byte{0xFF, 0xC0})
	if i < 0 {
		t.Fatal("no SOF0")
	}
	binary.BigEndian.PutUint16(out[i+5:], uint16(h))
	binary.BigEndian.PutUint16(out[i+7:], uint16(w))
	return out
}

// withIHDRSize rewrites a PNG's size and fixes the chunk's CRC.
func withIHDRSize(p []byte, w, h int) []byte {
	out := append([]byte{}, p...)
	binary.BigEndian.PutUint32(out[16:], uint32(w))
	binary.BigEndian.PutUint32(out[20:], uint32(h))
	binary.BigEndian.PutUint32(out[29:], crc32.ChecksumIEEE(out[12:29]))
	return out
}

// withScans adds n empty scans before EOI: what a CPU-exhaustion attack
// with a progressive JPEG looks like to the header walk.
func withScans(j []byte, n int) []byte {
	out := append([]byte{}, j[:len(j)-2]...)
	for range n {
		out = append(out, 0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, 0x00)
	}
	return append(out, 0xFF, 0xD9)
}

func TestRefused(t *testing.T) {
	small := encodeJPEG(t, image.NewGray(image.Rect(0, 0, 16, 16)))
	smallPNG := encodePNG(t, image.NewGray(image.Rect(0, 0, 16, 16)))
	heic := append([]byte{0, 0, 0, 0x18}, "ftypheic\x00\x00\x00\x00mif1heic"...)
	heicMif1 := append([]byte{0, 0, 0, 0x18}, "ftypmif1\x00\x00\x00\x00mif1heic"...)
	avif := append([]byte{0, 0, 0, 0x18}, "ftypavif\x00\x00\x00\x00mif1miaf"...)
	for _, tc := range []struct {
		name    string
		data    []byte
		want    error
		wantMsg string
	}{
		{"empty", nil, ErrEmpty, MsgEmpty},
		{"text", []byte("hello, this is not a photo"), ErrNotPhoto, MsgNotPhoto},
		{"HTML named photo.jpg", []byte("<html><script>alert(1)</script></html>"), ErrNotPhoto, MsgNotPhoto},
		{"SVG", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), ErrNotPhoto, MsgNotPhoto},
		{"PDF", []byte("%PDF-1.7\n%%EOF"), ErrNotPhoto, MsgNotPhoto},
		{"GIF", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), ErrNotPhoto, MsgNotPhoto},
		{"ZIP", []byte("PK\x03\x04\x14\x00\x00\x00"), ErrNotPhoto, MsgNotPhoto},
		{"ELF", []byte("\x7fELF\x02\x01\x01\x00"), ErrNotPhoto, MsgNotPhoto},
		{"WebP", []byte("RIFF\x24\x00\x00\x00WEBPVP8 "), ErrNotPhoto, MsgNotPhoto},
		{"AVIF", avif, ErrNotPhoto, MsgNotPhoto},
		{"HEIC", heic, ErrHEIC, MsgHEIC},
		{"HEIC with mif1 as major brand", heicMif1, ErrHEIC, MsgHEIC},
		{"JPEG magic only", []byte{0xFF, 0xD8, 0xFF}, ErrNotPhoto, MsgNotPhoto},
		{"JPEG cut in half", small[:len(small)/2], ErrNotPhoto, MsgNotPhoto},
		{"JPEG with garbage pixels", append(append([]byte{}, small[:len(small)-40]...), bytes.Repeat([]byte{0xAB}, 40)...), ErrNotPhoto, MsgNotPhoto},
		{"PNG cut in half", smallPNG[:len(smallPNG)/2], ErrNotPhoto, MsgNotPhoto},
		{"JPEG claiming 10000×10000", withSOFSize(t, small, 10000, 10000), ErrTooManyPixels, MsgTooManyPixels},
		{"JPEG claiming 65535×65535", withSOFSize(t, small, 65535, 65535), ErrTooManyPixels, MsgTooManyPixels},
		{"JPEG claiming 0 wide", withSOFSize(t, small, 0, 16), ErrNotPhoto, MsgNotPhoto},
		{"PNG claiming 8000×8000", withIHDRSize(smallPNG, 8000, 8000), ErrTooManyPixels, MsgTooManyPixels},
		{"PNG claiming 2³¹×1", withIHDRSize(smallPNG, 1<<31-1, 1), ErrTooManyPixels, MsgTooManyPixels},
		{"JPEG with too many scans", withScans(small, MaxScans+1), ErrNotPhoto, MsgNotPhoto},
		{"over 15 MB", append(append([]byte{}, small...), make([]byte, MaxBytes)...), ErrTooLarge, MsgTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Process(t.Context(), bytes.NewReader(tc.data))
			if err == nil {
				t.Fatalf("accepted (%d×%d)", p.Full.Width, p.Full.Height)
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			if lintel.KindOf(err) != lintel.KindInvalid {
				t.Errorf("kind = %v, want KindInvalid (the person can fix it)", lintel.KindOf(err))
			}
			if got := lintel.MessageOf(err); got != tc.wantMsg {
				t.Errorf("message = %q, want %q", got, tc.wantMsg)
			}
		})
	}
}

// A photo of exactly the limits is still accepted.
func TestAtTheLimits(t *testing.T) {
	small := encodeJPEG(t, image.NewGray(image.Rect(0, 0, 16, 16)))
	padded := withExif(small, append([]byte("MM\x00\x2a\x00\x00\x00\x08\x00\x00"), make([]byte, 60000)...))
	if _, err := Process(t.Context(), bytes.NewReader(padded)); err != nil {
		t.Fatalf("a JPEG with a large Exif block: %v", err)
	}
	if _, err := Process(t.Context(), bytes.NewReader(withScans(small, MaxScans-1))); errors.Is(err, ErrNotPhoto) && strings.Contains(err.Error(), "scans") {
		t.Fatalf("MaxScans scans refused: %v", err)
	}
	if h := jpegInfo(withScans(small, 5)); h.orientation != TopLeft || h.scans != 6 {
		t.Fatalf("jpegInfo = %d, %d scans; want upright, 6 scans", h.orientation, h.scans)
	}
}

func TestMessagesMatchLimits(t *testing.T) {
	for msg, n := range map[string]int{
		MsgTooLarge:         MaxBytes >> 20,
		MsgDocumentTooLarge: MaxDocumentBytes >> 20,
		MsgTooManyPixels:    MaxPixels / 1_000_000,
	} {
		if !strings.Contains(msg, fmt.Sprintf("max %d ", n)) {
			t.Errorf("%q does not state the limit %d", msg, n)
		}
	}
}

func TestProcessDocument(t *testing.T) {
	pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
	j := withExif(encodeJPEG(t, quadrants(40, 30, uprightColor)), tiffWithGPS(binary.BigEndian, TopLeft))
	t.Run("PDF is kept byte for byte", func(t *testing.T) {
		d, err := ProcessDocument(t.Context(), bytes.NewReader(pdf))
		if err != nil {
			t.Fatal(err)
		}
		if d.ContentType != "application/pdf" || !bytes.Equal(d.Data, pdf) || d.Photo != nil {
			t.Fatalf("got %q, %d bytes, photo %v", d.ContentType, len(d.Data), d.Photo)
		}
	})
	t.Run("a photo of an invoice is processed as a photo", func(t *testing.T) {
		d, err := ProcessDocument(t.Context(), bytes.NewReader(j))
		if err != nil {
			t.Fatal(err)
		}
		if d.ContentType != "image/jpeg" || d.Photo == nil || !bytes.Equal(d.Data, d.Photo.Full.Data) {
			t.Fatalf("got %q, photo %v", d.ContentType, d.Photo != nil)
		}
		assertClean(t, d.Data)
	})
	for _, tc := range []struct {
		name    string
		data    []byte
		want    error
		wantMsg string
	}{
		{"empty", nil, ErrEmpty, MsgEmpty},
		{"HTML", []byte("<!doctype html><title>invoice</title>"), ErrNotDocument, MsgNotDocument},
		{"HTML with a PDF header later", []byte("<html>\n%PDF-1.4"), ErrNotDocument, MsgNotDocument},
		{"SVG", []byte("<svg/>"), ErrNotDocument, MsgNotDocument},
		{"Word document (ZIP)", []byte("PK\x03\x04"), ErrNotDocument, MsgNotDocument},
		{"HEIC", append([]byte{0, 0, 0, 0x18}, "ftypheic\x00\x00\x00\x00mif1heic"...), ErrHEIC, MsgHEIC},
		{"broken JPEG", j[:len(j)/2], ErrNotPhoto, MsgNotPhoto},
		{"over 20 MB", append(append([]byte{}, pdf...), make([]byte, MaxDocumentBytes)...), ErrTooLarge, MsgDocumentTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ProcessDocument(t.Context(), bytes.NewReader(tc.data))
			if err == nil {
				t.Fatalf("accepted as %q", d.ContentType)
			}
			if !errors.Is(err, tc.want) || lintel.MessageOf(err) != tc.wantMsg {
				t.Errorf("err = %v (message %q), want %v (%q)", err, lintel.MessageOf(err), tc.want, tc.wantMsg)
			}
		})
	}
	t.Run("a 16 MB PDF is fine as a document", func(t *testing.T) {
		big := append(append([]byte{}, pdf...), make([]byte, 16<<20)...)
		if _, err := ProcessDocument(t.Context(), bytes.NewReader(big)); err != nil {
			t.Fatal(err)
		}
	})
}

func TestTIFFOrientationIsBoundsChecked(t *testing.T) {
	good := tiffWithGPS(binary.BigEndian, RightTop)
	if o := tiffOrientation(good); o != RightTop {
		t.Fatalf("tiffOrientation = %d, want 6", o)
	}
	// Every truncation, and a few corrupt fields, must give "upright"
	// without panicking.
	for n := range len(good) {
		_ = tiffOrientation(good[:n])
	}
	for _, bad := range [][]byte{
		[]byte("MM\x00\x2a\xff\xff\xff\xff"),         // IFD beyond the end
		[]byte("II\x2a\x00\x08\x00\x00\x00\xff\xff"), // 65535 entries in 2 bytes
		[]byte("XX\x00\x2a\x00\x00\x00\x08\x00\x00"), // unknown byte order
		[]byte("MM\x00\x2b\x00\x00\x00\x08\x00\x00"), // BigTIFF, not Exif
		append([]byte("MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x09"), 0, 0, 0, 0, 0, 0), // orientation 9
	} {
		if o := tiffOrientation(bad); o != TopLeft {
			t.Errorf("tiffOrientation(%q) = %d, want upright", bad, o)
		}
	}
}

// FuzzPhoto: no input panics; anything accepted is a clean, decodable JPEG
// within the size limits; anything refused is an error a person can read.
func FuzzPhoto(f *testing.F) {
	small := encodeJPEG(f, quadrants(24, 16, uprightColor))
	f.Add(small)
	f.Add(withExif(small, tiffWithGPS(binary.BigEndian, RightTop)))
	f.Add(withExif(small, tiffWithGPS(binary.LittleEndian, LeftBottom)))
	f.Add(encodePNG(f, quadrants(16, 24, uprightColor)))
	f.Add(withPNGChunk(encodePNG(f, image.NewGray(image.Rect(0, 0, 8, 8))), "eXIf", tiffWithGPS(binary.LittleEndian, BottomRight)))
	f.Add(withScans(small, 3))
	f.Add([]byte("%PDF-1.7\n"))
	f.Add(append([]byte{0, 0, 0, 0x18}, "ftypheic\x00\x00\x00\x00mif1heic"...))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		check := func(p *Photo) {
			for _, im := range []Image{p.Full, p.Thumb} {
				if im.ContentType != "image/jpeg" {
					t.Fatalf("content type %q", im.ContentType)
				}
				assertNoMetadata(t, im.Data)
				cfg, err := jpeg.DecodeConfig(bytes.NewReader(im.Data))
				if err != nil || cfg.Width != im.Width || cfg.Height != im.Height {
					t.Fatalf("output %d×%d (%v), fields %d×%d", cfg.Width, cfg.Height, err, im.Width, im.Height)
				}
			}
			if max(p.Full.Width, p.Full.Height) > MaxSide || max(p.Thumb.Width, p.Thumb.Height) > ThumbSide {
				t.Fatalf("over the size limits: %d×%d, thumbnail %d×%d", p.Full.Width, p.Full.Height, p.Thumb.Width, p.Thumb.Height)
			}
		}
		p, err := Process(t.Context(), bytes.NewReader(data))
		if err != nil {
			if lintel.KindOf(err) != lintel.KindInvalid {
				t.Fatalf("refused with a non-invalid error: %v", err)
			}
		} else {
			check(p)
		}
		d, err := ProcessDocument(t.Context(), bytes.NewReader(data))
		if err != nil {
			if lintel.KindOf(err) != lintel.KindInvalid {
				t.Fatalf("document refused with a non-invalid error: %v", err)
			}
			return
		}
		switch d.ContentType {
		case "application/pdf":
			if !bytes.HasPrefix(data, []byte("%PDF-")) {
				t.Fatal("called a PDF without the PDF magic")
			}
		case "image/jpeg":
			check(d.Photo)
		default:
			t.Fatalf("document content type %q", d.ContentType)
		}
	})
}

// assertNoMetadata is assertClean without the t.Fatal on odd layouts, for
// the fuzzer: the output must have no APPn or COM segment.
func assertNoMetadata(t *testing.T, out []byte) {
	t.Helper()
	for _, m := range segments(t, out) {
		if m >= 0xE0 && m <= 0xEF || m == 0xFE {
			t.Fatalf("output carries an APPn/COM segment (marker %#x)", m)
		}
	}
}

// BenchmarkProcess is a 12 MP portrait phone photo, the common case.
func BenchmarkProcess(b *testing.B) {
	img := image.NewYCbCr(image.Rect(0, 0, 4032, 3024), image.YCbCrSubsampleRatio420)
	for i := range img.Y {
		img.Y[i] = byte(i * 7 % 251) // texture, so encoding costs what it would
	}
	for i := range img.Cb {
		img.Cb[i], img.Cr[i] = byte(i%97+80), byte(i%89+90)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	data := withExif(buf.Bytes(), tiffWithGPS(binary.BigEndian, RightTop))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Process(b.Context(), bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
