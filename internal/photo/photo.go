// Package photo turns an uploaded file into something safe to store and to
// show: a phone photo becomes a clean JPEG plus a thumbnail, and an invoice
// or quote becomes a PDF or such a JPEG. What a file is comes from its
// bytes, never from its name or the browser's Content-Type.
//
// A photo is checked in the cheapest order that stops an attack first: the
// byte size, the format's magic bytes, the pixel dimensions read from the
// header alone (a decompression bomb is refused before any pixel buffer is
// allocated), the number of JPEG scans (a progressive JPEG with thousands of
// scans costs minutes of CPU); only then is it decoded. It is turned upright
// from its EXIF orientation, scaled to at most MaxSide, re-encoded as JPEG
// (which writes no metadata, so EXIF, GPS position, camera serial numbers
// and XMP are all gone) and shrunk again into a thumbnail.
//
// Accepted: JPEG and PNG. HEIC is refused with a message that says how to
// send a JPEG instead: the only HEIC decoders reachable are libheif compiled
// to WebAssembly (C code, however sandboxed) and a pure-Go HEVC decoder a
// few months old, neither vetted enough to parse strangers' files. Safari on
// an iPhone usually converts HEIC to JPEG itself when the file input's
// accept attribute does not list HEIC (accept="image/jpeg,image/png"), so
// most phones never meet this message.
//
// Errors are *lintel.Error values of kind KindInvalid with a message to show
// next to the file field; errors.Is matches them against ErrNotPhoto, ErrHEIC
// and the other sentinels below.
package photo

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"runtime"

	xdraw "golang.org/x/image/draw"

	"lintel.dev/lintel/internal/lintel"
)

// Limits and output settings (SECURITY.md 16–18; project choices).
const (
	// MaxBytes is the largest photo accepted. A 12 MP phone JPEG is 2–6 MB;
	// a 48 or 50 MP one 10–15 MB.
	MaxBytes = 15 << 20
	// MaxDocumentBytes is the largest invoice or quote accepted.
	MaxDocumentBytes = 20 << 20
	// MaxPixels is the largest photo, in pixels, that is decoded: enough
	// for the 48 and 50 MP modes of current phones. Decoding one needs
	// about 75 MB for a JPEG and at most 400 MB for a 16-bit PNG.
	MaxPixels = 50_000_000
	// MaxScans bounds the scans of a progressive JPEG; cameras write about
	// ten, and libjpeg-turbo's tools default to the same kind of limit.
	MaxScans = 100
	// MaxSide is the longest side of a stored photo. A 12 MP phone photo
	// (4032×3024) keeps every pixel; larger ones are scaled down to it.
	MaxSide = 4096
	// ThumbSide is the longest side of a thumbnail: sharp in a list on a
	// phone with a 3× screen.
	ThumbSide = 480
	// Quality and ThumbQuality are the JPEG qualities of a stored photo and
	// of its thumbnail.
	Quality      = 85
	ThumbQuality = 80
)

// Content types returned, always derived from the content.
const (
	ContentTypeJPEG = "image/jpeg"
	ContentTypePDF  = "application/pdf"
)

// Sentinels for errors.Is; the returned errors carry the message to show.
var (
	ErrEmpty         = errors.New("photo: empty file")
	ErrTooLarge      = errors.New("photo: file over the size limit")
	ErrNotPhoto      = errors.New("photo: not a JPEG or PNG that can be decoded")
	ErrHEIC          = errors.New("photo: HEIC/HEIF is not supported")
	ErrTooManyPixels = errors.New("photo: image over the pixel limit")
	ErrNotDocument   = errors.New("photo: not a PDF, JPEG or PNG")
)

// Messages shown to the person; exported so the web layer's tests can look
// for them. (A test keeps the numbers in step with the limits above.)
const (
	MsgEmpty            = "This file is empty. Choose the photo again."
	MsgTooLarge         = "This photo is too large (max 15 MB)."
	MsgNotPhoto         = "This file is not a photo we can read. Send a JPEG or PNG."
	MsgHEIC             = "This photo is in HEIC format, which we cannot read. Send it as a JPEG, or on the iPhone choose Settings › Camera › Formats › Most Compatible and take it again."
	MsgTooManyPixels    = "This photo has too many pixels (max 50 megapixels). Send a smaller copy."
	MsgDocumentTooLarge = "This file is too large (max 20 MB)."
	MsgNotDocument      = "This file is not a PDF or a photo we can read. Send a PDF, JPEG or PNG."
)

// Image is one encoded picture, ready to store.
type Image struct {
	Data          []byte
	Width, Height int
	ContentType   string // always ContentTypeJPEG
}

// Photo is a processed photo: the picture to keep, upright and without
// metadata, and its thumbnail.
type Photo struct {
	Full  Image
	Thumb Image
}

// Document is a processed invoice or quote document.
type Document struct {
	Data        []byte
	ContentType string // ContentTypePDF or ContentTypeJPEG
	// Photo is set when the document was a photo (of a paper invoice, say):
	// Data is then Photo.Full.Data, and Photo.Thumb can be shown in lists.
	Photo *Photo
}

// Process reads a photo (at most MaxBytes) from r and returns it upright,
// scaled to at most MaxSide, re-encoded as JPEG without metadata, with a
// thumbnail. Errors are *lintel.Error with a message for the person.
func Process(r io.Reader) (*Photo, error) {
	data, err := readAtMost(r, MaxBytes)
	if errors.Is(err, ErrTooLarge) {
		return nil, invalid(MsgTooLarge, err)
	}
	if err != nil {
		return nil, err
	}
	return processBytes(data)
}

// ProcessDocument reads an invoice or quote (at most MaxDocumentBytes) from
// r. A PDF is kept byte for byte; a JPEG or PNG is processed as by Process;
// anything else (HTML, SVG, archives, programs, Office files) is refused.
func ProcessDocument(r io.Reader) (*Document, error) {
	data, err := readAtMost(r, MaxDocumentBytes)
	if errors.Is(err, ErrTooLarge) {
		return nil, invalid(MsgDocumentTooLarge, err)
	}
	if err != nil {
		return nil, err
	}
	switch sniff(data) {
	case formatPDF:
		return &Document{Data: data, ContentType: ContentTypePDF}, nil
	case formatJPEG, formatPNG, formatHEIC:
		p, err := processBytes(data)
		if err != nil {
			return nil, err
		}
		return &Document{Data: p.Full.Data, ContentType: p.Full.ContentType, Photo: p}, nil
	case formatEmpty:
		return nil, invalid(MsgEmpty, ErrEmpty)
	}
	return nil, invalid(MsgNotDocument, ErrNotDocument)
}

// decoding holds one slot per photo being decoded and re-encoded.
var decoding = make(chan struct{}, max(runtime.GOMAXPROCS(0), 1))

func processBytes(data []byte) (*Photo, error) {
	format := sniff(data)
	var (
		cfg    image.Config
		err    error
		o      Orientation
		decode func(io.Reader) (image.Image, error)
	)
	switch format {
	case formatEmpty:
		return nil, invalid(MsgEmpty, ErrEmpty)
	case formatHEIC:
		return nil, invalid(MsgHEIC, ErrHEIC)
	case formatJPEG:
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(data))
		var scans int
		o, scans = jpegInfo(data)
		if err == nil && scans > MaxScans {
			err = fmt.Errorf("%d scans, more than %d", scans, MaxScans)
		}
		decode = jpeg.Decode
	case formatPNG:
		cfg, err = png.DecodeConfig(bytes.NewReader(data))
		o = pngOrientation(data)
		decode = png.Decode
	default:
		return nil, invalid(MsgNotPhoto, ErrNotPhoto)
	}
	if err != nil {
		return nil, invalid(MsgNotPhoto, fmt.Errorf("%w: header: %v", ErrNotPhoto, err))
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, invalid(MsgNotPhoto, fmt.Errorf("%w: %d×%d pixels", ErrNotPhoto, cfg.Width, cfg.Height))
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, invalid(MsgTooManyPixels, fmt.Errorf("%w: %d×%d", ErrTooManyPixels, cfg.Width, cfg.Height))
	}

	// Decoding and re-encoding are where the time and memory go (about a
	// second and 200 MB for a 12 MP photo, several times that at the pixel
	// limit): at most one per core at once, so a burst of uploads queues
	// instead of exhausting memory.
	decoding <- struct{}{}
	defer func() { <-decoding }()
	img, err := decode(bytes.NewReader(data))
	if err != nil {
		return nil, invalid(MsgNotPhoto, fmt.Errorf("%w: decode: %v", ErrNotPhoto, err))
	}
	if b := img.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		return nil, invalid(MsgNotPhoto, fmt.Errorf("%w: decoded %v, header said %d×%d", ErrNotPhoto, b, cfg.Width, cfg.Height))
	}

	full := orient(fit(flatten(img), MaxSide), o)
	thumb := fit(full, ThumbSide)
	p := &Photo{}
	if p.Full, err = encode(full, Quality); err != nil {
		return nil, err
	}
	if p.Thumb, err = encode(thumb, ThumbQuality); err != nil {
		return nil, err
	}
	return p, nil
}

// flatten puts an image with transparency (a PNG screenshot, say) on white,
// since JPEG has no alpha and would otherwise show the transparent parts
// black.
func flatten(img image.Image) image.Image {
	if o, ok := img.(interface{ Opaque() bool }); ok && o.Opaque() {
		return img
	}
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Rect, image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(out, out.Rect, img, b.Min, draw.Over)
	return out
}

// fit scales img down so its longer side is at most side, keeping the
// aspect ratio (each side at least one pixel); a smaller image is returned
// as it is. Catmull-Rom widens its kernel with the ratio, so a large
// reduction (a 12 MP photo to a thumbnail) is smooth, not aliased.
func fit(img image.Image, side int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= side && h <= side {
		return img
	}
	var dw, dh int
	if w >= h {
		dw, dh = side, max(1, int((int64(h)*int64(side)+int64(w)/2)/int64(w)))
	} else {
		dw, dh = max(1, int((int64(w)*int64(side)+int64(h)/2)/int64(h))), side
	}
	out := image.NewRGBA(image.Rect(0, 0, dw, dh))
	xdraw.CatmullRom.Scale(out, out.Rect, img, b, xdraw.Src, nil)
	return out
}

func encode(img image.Image, quality int) (Image, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		return Image{}, fmt.Errorf("photo: encode JPEG: %w", err)
	}
	b := img.Bounds()
	return Image{Data: buf.Bytes(), Width: b.Dx(), Height: b.Dy(), ContentType: ContentTypeJPEG}, nil
}

// readAtMost reads all of r, or fails with ErrTooLarge as soon as it has
// read more than limit bytes.
func readAtMost(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("photo: read the upload: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
	}
	return data, nil
}

func invalid(msg string, err error) error {
	return &lintel.Error{Kind: lintel.KindInvalid, Message: msg, Err: err}
}
