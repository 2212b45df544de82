package photo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"runtime"
	"sync"
)

// Encoding the full-size photo is the longest step (about 250 ms for
// 12 MP), and image/jpeg uses one core for it. A baseline JPEG can be cut
// into horizontal stripes coded independently, with a restart marker
// between them (the decoder resets its DC predictions at each, as at the
// start of the scan), so the stripes are encoded on all cores and spliced.
// image/jpeg always writes the same headers for a given size and quality
// (standard Huffman tables, quantisation by quality alone), so one
// stripe's headers serve for the whole picture once its height is
// patched; the splice is checked, and any surprise falls back to one
// plain encode.

// minStripePixels is the smallest stripe worth a goroutine.
const minStripePixels = 1 << 20

// maxRestartInterval is the largest restart interval DRI can hold, in
// MCUs; a variable so that tests can reach it with small images.
var maxRestartInterval = 0xFFFF

// jpegBuffer lets image/jpeg write straight into the buffer: given a
// writer without Flush, it would add a bufio.Writer and copy through it.
type jpegBuffer struct{ bytes.Buffer }

func (*jpegBuffer) Flush() error { return nil }

// encode writes img (a working image) as a baseline JPEG.
func encode(img image.Image, quality int) (Image, error) {
	b := img.Bounds()
	out := Image{Width: b.Dx(), Height: b.Dy(), ContentType: ContentTypeJPEG}
	var err error
	stripes := min(runtime.GOMAXPROCS(0), b.Dx()*b.Dy()/minStripePixels)
	if out.Data, err = encodeStriped(img, quality, stripes); err != nil {
		return Image{}, fmt.Errorf("photo: encode JPEG: %w", err)
	}
	return out, nil
}

func encodePlain(img image.Image, quality, sizeHint int) ([]byte, error) {
	var buf jpegBuffer
	buf.Grow(sizeHint)
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// encodeStriped encodes img in n stripes at once, or more if the restart
// interval would not fit in its field, or fewer if img has fewer MCU rows.
func encodeStriped(img image.Image, quality, n int) ([]byte, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	// image/jpeg writes grey as 8×8 blocks and colour as 4:2:0, in 16×16
	// MCUs; a stripe must hold whole MCU rows.
	mcu := 16
	if _, gray := img.(*image.Gray); gray {
		mcu = 8
	}
	mcusPerRow := (w + mcu - 1) / mcu
	mcuRows := (h + mcu - 1) / mcu
	stripes := min(n, mcuRows)
	for stripes > 1 && (mcuRows+stripes-1)/stripes*mcusPerRow > maxRestartInterval {
		if stripes >= mcuRows {
			stripes = 1 // even one MCU row is too long
			break
		}
		stripes++
	}
	si, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	})
	if stripes < 2 || !ok {
		return encodePlain(img, quality, w*h/4)
	}
	rowsPer := (mcuRows + stripes - 1) / stripes
	stripes = (mcuRows + rowsPer - 1) / rowsPer
	parts := make([][]byte, stripes)
	errs := make([]error, stripes)
	var wg sync.WaitGroup
	for i := range stripes {
		r := image.Rect(b.Min.X, b.Min.Y+i*rowsPer*mcu, b.Max.X, min(b.Max.Y, b.Min.Y+(i+1)*rowsPer*mcu))
		sub := si.SubImage(r)
		wg.Go(func() {
			parts[i], errs[i] = encodePlain(sub, quality, r.Dx()*r.Dy()/4)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out, err := splice(parts, h, rowsPer*mcusPerRow)
	if err != nil {
		// Not what image/jpeg is known to write: encode it the slow way.
		return encodePlain(img, quality, w*h/4)
	}
	return out, nil
}

// splice joins JPEGs of consecutive stripes into one of the given height,
// each stripe's entropy-coded data after the first preceded by a restart
// marker, with a restart interval of interval MCUs. It takes the headers
// from the first stripe and checks the others' are the same.
func splice(parts [][]byte, height, interval int) ([]byte, error) {
	data := make([][]byte, len(parts)) // each stripe's entropy-coded data
	var head, sos []byte
	size := 0
	for i, p := range parts {
		h, s, err := jpegHeaders(p)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			head, sos = h, p[len(h):s]
		} else if !sameHeaders(head, h) || !bytes.Equal(sos, p[len(h):s]) {
			return nil, errors.New("stripes with different headers")
		}
		d, ok := bytes.CutSuffix(p[s:], []byte{0xFF, 0xD9})
		if !ok {
			return nil, errors.New("stripe without EOI")
		}
		data[i] = d
		size += len(d) + 2
	}
	out := make([]byte, 0, len(head)+6+len(sos)+size)
	out = append(out, head...)
	if err := patchHeight(out, height); err != nil {
		return nil, err
	}
	out = append(out, 0xFF, 0xDD, 0x00, 0x04, byte(interval>>8), byte(interval)) // DRI
	out = append(out, sos...)
	for i, d := range data {
		if i > 0 {
			out = append(out, 0xFF, 0xD0+byte((i-1)%8)) // RST0, RST1, … RST7, RST0
		}
		out = append(out, d...)
	}
	return append(out, 0xFF, 0xD9), nil
}

// jpegHeaders splits a JPEG written by image/jpeg into the segments before
// its SOS (head) and returns the offset just past the SOS header.
func jpegHeaders(j []byte) (head []byte, sosEnd int, err error) {
	if len(j) < 4 || j[0] != 0xFF || j[1] != 0xD8 {
		return nil, 0, errors.New("no SOI")
	}
	for i := 2; i+4 <= len(j); {
		if j[i] != 0xFF {
			return nil, 0, errors.New("no marker")
		}
		n := int(binary.BigEndian.Uint16(j[i+2:]))
		if n < 2 || i+2+n > len(j) {
			return nil, 0, errors.New("bad segment length")
		}
		if j[i+1] == 0xDA {
			return j[:i], i + 2 + n, nil
		}
		i += 2 + n
	}
	return nil, 0, errors.New("no SOS")
}

// sameHeaders reports whether two stripes' headers match but for the
// height in SOF0.
func sameHeaders(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	i := sof0(a)
	if i < 0 || sof0(b) != i {
		return false
	}
	return bytes.Equal(a[:i+5], b[:i+5]) && bytes.Equal(a[i+7:], b[i+7:])
}

// sof0 is the offset of the SOF0 marker in head, or -1.
func sof0(head []byte) int {
	for i := 2; i+4 <= len(head); {
		if head[i+1] == 0xC0 {
			if i+9 > len(head) {
				return -1
			}
			return i
		}
		i += 2 + int(binary.BigEndian.Uint16(head[i+2:]))
	}
	return -1
}

func patchHeight(head []byte, height int) error {
	i := sof0(head)
	if i < 0 {
		return errors.New("no SOF0")
	}
	binary.BigEndian.PutUint16(head[i+5:], uint16(height))
	return nil
}
