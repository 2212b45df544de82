package photo

import (
	"encoding/binary"
	"image"
	"image/draw"
)

// Orientation is the EXIF Orientation tag (0x0112): how the stored pixels
// must be turned to stand upright. Phones store the sensor's rows as they
// come and set this tag instead of rotating, so a photo taken in portrait
// is usually stored landscape with orientation 6.
type Orientation int

// The eight orientations, named by what the stored image's first row and
// first column are in the upright picture (EXIF 2.3, tag 0x0112).
const (
	TopLeft     Orientation = 1 // upright
	TopRight    Orientation = 2 // mirrored left to right
	BottomRight Orientation = 3 // upside down
	BottomLeft  Orientation = 4 // mirrored top to bottom
	LeftTop     Orientation = 5 // mirrored along the main diagonal
	RightTop    Orientation = 6 // turn 90° clockwise to view
	RightBottom Orientation = 7 // mirrored along the other diagonal
	LeftBottom  Orientation = 8 // turn 90° counter-clockwise to view
)

// swapsSides reports whether the upright picture has width and height
// swapped relative to the stored pixels.
func (o Orientation) swapsSides() bool { return o >= LeftTop && o <= LeftBottom }

// pngOrientation finds the orientation in a PNG's eXIf chunk, which holds
// the same TIFF structure as a JPEG's Exif segment. It stops at the first
// image data chunk: eXIf must come before it to count.
func pngOrientation(b []byte) Orientation {
	i := len(pngMagic)
	for i+8 <= len(b) {
		n := int(binary.BigEndian.Uint32(b[i:]))
		typ := string(b[i+4 : i+8])
		if n < 0 || n > len(b)-i-12 {
			return TopLeft
		}
		switch typ {
		case "eXIf":
			return tiffOrientation(b[i+8 : i+8+n])
		case "IDAT", "IEND":
			return TopLeft
		}
		i += 12 + n // length, type, data, CRC
	}
	return TopLeft
}

// tiffOrientation reads tag 0x0112 from IFD0 of a TIFF structure (the body
// of an Exif segment), bounds-checking every offset.
func tiffOrientation(t []byte) Orientation {
	if len(t) < 8 {
		return TopLeft
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return TopLeft
	}
	if bo.Uint16(t[2:]) != 42 {
		return TopLeft
	}
	ifd := int64(bo.Uint32(t[4:]))
	if ifd < 8 || ifd+2 > int64(len(t)) {
		return TopLeft
	}
	count := int64(bo.Uint16(t[ifd:]))
	for e := range count {
		off := ifd + 2 + 12*e
		if off+12 > int64(len(t)) {
			return TopLeft
		}
		tag, typ, n := bo.Uint16(t[off:]), bo.Uint16(t[off+2:]), bo.Uint32(t[off+4:])
		if tag != 0x0112 {
			continue
		}
		if typ != 3 || n != 1 { // SHORT, one value, stored in place
			return TopLeft
		}
		if o := Orientation(bo.Uint16(t[off+8:])); o >= TopLeft && o <= LeftBottom {
			return o
		}
		return TopLeft
	}
	return TopLeft
}

// orient returns src turned upright as a new RGBA image, or src itself for
// TopLeft. It works on the small, already scaled image, so its cost is low.
func orient(src image.Image, o Orientation) image.Image {
	if o == TopLeft || o < TopLeft || o > LeftBottom {
		return src
	}
	in := toRGBA(src)
	w, h := in.Rect.Dx(), in.Rect.Dy()
	dw, dh := w, h
	if o.swapsSides() {
		dw, dh = h, w
	}
	out := image.NewRGBA(image.Rect(0, 0, dw, dh))
	// Each orientation maps upright (x, y) to stored (sx, sy) affinely:
	// sx = cx + x·xx + y·xy and sy = cy + x·yx + y·yy. Walking byte
	// offsets with those steps keeps the loop free of calls.
	var cx, cy, xx, xy, yx, yy int
	switch o {
	case TopRight:
		cx, xx, yy = w-1, -1, 1
	case BottomRight:
		cx, cy, xx, yy = w-1, h-1, -1, -1
	case BottomLeft:
		cy, xx, yy = h-1, 1, -1
	case LeftTop:
		xy, yx = 1, 1
	case RightTop:
		cy, xy, yx = h-1, 1, -1
	case RightBottom:
		cx, cy, xy, yx = w-1, h-1, -1, -1
	case LeftBottom:
		cx, xy, yx = w-1, -1, 1
	}
	stepX := yx*in.Stride + xx*4 // source bytes per upright column
	stepY := yy*in.Stride + xy*4 // source bytes per upright row
	rowStart := cy*in.Stride + cx*4
	for y := range dh {
		si := rowStart
		row := out.Pix[y*out.Stride : y*out.Stride+dw*4]
		for x := 0; x < len(row); x += 4 {
			copy(row[x:x+4], in.Pix[si:si+4])
			si += stepX
		}
		rowStart += stepY
	}
	return out
}

// toRGBA returns img as an *image.RGBA with its origin at (0, 0).
func toRGBA(img image.Image) *image.RGBA {
	if r, ok := img.(*image.RGBA); ok && r.Rect.Min == (image.Point{}) {
		return r
	}
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Rect, img, b.Min, draw.Src)
	return out
}
