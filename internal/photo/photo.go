// Package photo turns an uploaded file into something safe to store and to
// show: a phone photo becomes a clean JPEG plus a thumbnail, and an invoice
// or quote becomes a PDF or such a JPEG. What a file is comes from its
// bytes, never from its name or the browser's Content-Type.
//
// A photo is checked in the cheapest order that stops an attack first: the
// byte size, the format's magic bytes, the pixel dimensions and the bytes
// those pixels decode to, read from the header alone (a decompression bomb
// is refused before any pixel buffer is allocated), the number of JPEG
// scans (a progressive JPEG with thousands of scans costs minutes of CPU);
// only then, once the process has the memory to spare, is it decoded (see
// DecodeMemory). It is turned upright from its EXIF orientation, scaled to
// at most MaxSide, re-encoded as JPEG (which writes no metadata, so EXIF,
// GPS position, camera serial numbers and XMP are all gone) and shrunk
// again into a thumbnail.
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
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"

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
	// for the 48 and 50 MP modes of current phones, whose JPEGs decode to
	// 75 MB. A 16-bit PNG of as many pixels would take 400 MB, which
	// MaxDecodedBytes refuses.
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
// thumbnail. Errors are *lintel.Error with a message for the person. The
// photo waits its turn to be decoded (see DecodeMemory) for as long as ctx
// allows; if ctx is done first, the error wraps ctx's.
func Process(ctx context.Context, r io.Reader) (*Photo, error) {
	data, err := readAtMost(r, MaxBytes)
	if errors.Is(err, ErrTooLarge) {
		return nil, invalid(MsgTooLarge, err)
	}
	if err != nil {
		return nil, err
	}
	return processBytes(ctx, data)
}

// ProcessDocument reads an invoice or quote (at most MaxDocumentBytes) from
// r. A PDF is kept byte for byte; a JPEG or PNG is processed as by Process;
// anything else (HTML, SVG, archives, programs, Office files) is refused.
func ProcessDocument(ctx context.Context, r io.Reader) (*Document, error) {
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
		p, err := processBytes(ctx, data)
		if err != nil {
			return nil, err
		}
		return &Document{Data: p.Full.Data, ContentType: p.Full.ContentType, Photo: p}, nil
	case formatEmpty:
		return nil, invalid(MsgEmpty, ErrEmpty)
	}
	return nil, invalid(MsgNotDocument, ErrNotDocument)
}

func processBytes(ctx context.Context, data []byte) (*Photo, error) {
	in, err := inspect(data)
	if err != nil {
		return nil, err
	}
	// Decoding and re-encoding are where the time and memory go: the
	// photo waits until the process has its memory to spare, so a burst of
	// uploads queues instead of exhausting memory.
	held, err := decodeBudget.acquire(ctx, in.cost)
	if err != nil {
		return nil, fmt.Errorf("photo: waiting to decode: %w", err)
	}
	defer decodeBudget.release(held)
	img, err := in.decode(bytes.NewReader(data))
	if err != nil {
		return nil, invalid(MsgNotPhoto, fmt.Errorf("%w: decode: %v", ErrNotPhoto, err))
	}
	if b := img.Bounds(); b.Dx() != in.cfg.Width || b.Dy() != in.cfg.Height {
		return nil, invalid(MsgNotPhoto, fmt.Errorf("%w: decoded %v, header said %d×%d", ErrNotPhoto, b, in.cfg.Width, in.cfg.Height))
	}

	// Each step's input is garbage once it returns, so at most two
	// full-size images are alive at once; scaling before turning makes the
	// turn cheaper.
	full := orient(fit(workingImage(img), MaxSide), in.o)
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

// inspection is what a photo's headers say, read before any pixel buffer
// is allocated.
type inspection struct {
	cfg     image.Config
	o       Orientation
	decode  func(io.Reader) (image.Image, error)
	decoded int64 // bytes the decoder will allocate
	cost    int64 // bytes processing will hold, decoded ones included
}

// inspect reads a photo's headers and refuses it if decoding it would
// cost too much.
func inspect(data []byte) (inspection, error) {
	var (
		in        inspection
		headerErr error
		workBPP   int64
		converts  bool
	)
	switch sniff(data) {
	case formatEmpty:
		return in, invalid(MsgEmpty, ErrEmpty)
	case formatHEIC:
		return in, invalid(MsgHEIC, ErrHEIC)
	case formatJPEG:
		in.cfg, headerErr = jpeg.DecodeConfig(bytes.NewReader(data))
		hdr := jpegInfo(data)
		if headerErr == nil && hdr.scans > MaxScans {
			headerErr = fmt.Errorf("%d scans, more than %d", hdr.scans, MaxScans)
		}
		in.o, in.decode = hdr.orientation, jpeg.Decode
		in.decoded = jpegDecodedBytes(in.cfg.Width, in.cfg.Height, hdr)
		workBPP, converts = jpegWorkingBPP(hdr)
	case formatPNG:
		in.cfg, headerErr = png.DecodeConfig(bytes.NewReader(data))
		hdr := pngInfo(data)
		in.o, in.decode = hdr.orientation, png.Decode
		in.decoded = pngDecodedBytes(in.cfg.Width, in.cfg.Height, hdr)
		workBPP, converts = pngWorkingBPP(hdr, in.cfg)
	default:
		return in, invalid(MsgNotPhoto, ErrNotPhoto)
	}
	w, h := in.cfg.Width, in.cfg.Height
	switch {
	case headerErr != nil:
		return in, invalid(MsgNotPhoto, fmt.Errorf("%w: header: %v", ErrNotPhoto, headerErr))
	case w <= 0 || h <= 0:
		return in, invalid(MsgNotPhoto, fmt.Errorf("%w: %d×%d pixels", ErrNotPhoto, w, h))
	case int64(w)*int64(h) > MaxPixels:
		return in, invalid(MsgTooManyPixels, fmt.Errorf("%w: %d×%d", ErrTooManyPixels, w, h))
	case in.decoded > MaxDecodedBytes:
		return in, invalid(MsgTooManyPixels, fmt.Errorf("%w (%w): %d×%d %v decodes to %d MB, more than %d",
			ErrTooManyBytes, ErrTooManyPixels, w, h, modelName(in.cfg.ColorModel), in.decoded/1_000_000, MaxDecodedBytes/1_000_000))
	}
	in.cost = in.decoded + pipelineBytes(w, h, workBPP, converts, in.o) + int64(len(data))
	return in, nil
}

// readAtMost reads all of r, or fails with ErrTooLarge as soon as it has
// read more than limit bytes.
func readAtMost(r io.Reader, limit int64) ([]byte, error) {
	lr := io.LimitReader(r, limit+1)
	var data []byte
	var err error
	if l, ok := r.(interface{ Len() int }); ok {
		// A bytes.Reader, as the web handlers pass, says its size: one
		// allocation of it instead of io.ReadAll's doublings.
		var buf bytes.Buffer
		buf.Grow(int(min(int64(l.Len()), limit)) + bytes.MinRead) // ReadFrom wants MinRead spare to see EOF
		_, err = buf.ReadFrom(lr)
		data = buf.Bytes()
	} else {
		data, err = io.ReadAll(lr)
	}
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
