package photo

import (
	"bytes"
	"encoding/binary"
)

// format is what a file is, by its first bytes.
type format int

const (
	formatUnknown format = iota
	formatEmpty
	formatJPEG
	formatPNG
	formatHEIC
	formatPDF
)

const pngMagic = "\x89PNG\r\n\x1a\n"

// sniff tells the format from the content's magic bytes. The name and the
// declared Content-Type are never consulted: both are the sender's to choose.
func sniff(b []byte) format {
	switch {
	case len(b) == 0:
		return formatEmpty
	case len(b) >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return formatJPEG
	case bytes.HasPrefix(b, []byte(pngMagic)):
		return formatPNG
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return formatPDF
	case isHEIF(b):
		return formatHEIC
	}
	return formatUnknown
}

// isHEIF reports whether b starts with an ISO-BMFF "ftyp" box naming a
// HEIF/HEIC brand, as iPhone photos do. AVIF shares the container and is
// not HEIC: it gets the plain "not a photo" message.
func isHEIF(b []byte) bool {
	if len(b) < 16 || string(b[4:8]) != "ftyp" {
		return false
	}
	size := int(binary.BigEndian.Uint32(b))
	if size < 16 || size > len(b) || size > 4096 {
		size = min(len(b), 4096)
	}
	// The major brand at 8, a minor version at 12, compatible brands after.
	brands := [][]byte{b[8:12]}
	for i := 16; i+4 <= size; i += 4 {
		brands = append(brands, b[i:i+4])
	}
	heif := false
	for _, br := range brands {
		switch string(br) {
		case "avif", "avis":
			return false
		case "heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs", "mif1", "msf1":
			heif = true
		}
	}
	return heif
}

// jpegHeader is what the pipeline needs to know about a JPEG before
// decoding it.
type jpegHeader struct {
	orientation Orientation
	scans       int
	// frame is the first start-of-frame segment: the coding process and
	// each component's sampling factors, which decide how much memory the
	// decoder allocates.
	frame struct {
		found       bool
		progressive bool
		components  []jpegComponent
	}
	// adobeRGB is an Adobe APP14 segment saying the three components are
	// R, G and B: the decoder then converts them to a second, RGBA image.
	adobeRGB bool
}

type jpegComponent struct {
	id   byte
	h, v int // sampling factors
}

// jpegInfo walks a JPEG's marker segments from SOI to EOI, skipping the
// entropy-coded data after each SOS, and returns the EXIF orientation (from
// the first APP1 Exif segment; upright when absent or malformed), the
// number of scans and the first frame header. Only headers are parsed;
// every length is bounds-checked.
func jpegInfo(b []byte) (hdr jpegHeader) {
	hdr.orientation = TopLeft
	if sniff(b) != formatJPEG {
		return hdr
	}
	seenExif := false
	i := 2
	for i+1 < len(b) {
		if b[i] != 0xFF {
			return hdr // not at a marker: malformed; the decoder will say so
		}
		m := b[i+1]
		switch {
		case m == 0xFF: // fill byte before a marker
			i++
			continue
		case m == 0xD9: // end of image
			return hdr
		case m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7): // no length
			i += 2
			continue
		}
		if i+4 > len(b) {
			return hdr
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			return hdr
		}
		seg := b[i+4 : i+2+n]
		switch {
		case m == 0xE1 && !seenExif:
			if bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
				seenExif = true
				hdr.orientation = tiffOrientation(seg[6:])
			}
		case m == 0xEE && len(seg) >= 12 && bytes.HasPrefix(seg, []byte("Adobe")):
			hdr.adobeRGB = seg[11] == 0
		case m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC && !hdr.frame.found:
			// SOFn: precision, height, width, then three bytes a component.
			if len(seg) < 6 || len(seg) < 6+3*int(seg[5]) {
				break
			}
			hdr.frame.found = true
			hdr.frame.progressive = m == 0xC2 || m == 0xC6 || m == 0xCA || m == 0xCE
			for c := range int(seg[5]) {
				id, hv := seg[6+3*c], seg[6+3*c+1]
				hdr.frame.components = append(hdr.frame.components, jpegComponent{id, int(hv >> 4), int(hv & 0x0F)})
			}
		}
		i += 2 + n
		if m != 0xDA {
			continue
		}
		// Start of scan: skip its entropy-coded data up to the next marker.
		// Inside it 0xFF is always followed by 0x00 (a stuffed byte) or a
		// restart marker, so any other pair is the next real marker.
		hdr.scans++
		for {
			j := bytes.IndexByte(b[i:], 0xFF)
			if j < 0 || i+j+1 >= len(b) {
				return hdr
			}
			i += j
			if next := b[i+1]; next != 0x00 && (next < 0xD0 || next > 0xD7) {
				break
			}
			i += 2
		}
	}
	return hdr
}

// pngHeader is what the pipeline needs to know about a PNG before decoding
// it.
type pngHeader struct {
	orientation Orientation
	// bytesPerPixel is that of the image png.Decode returns: a grey or
	// truecolour PNG with a tRNS chunk decodes to NRGBA, which
	// png.DecodeConfig's colour model does not tell.
	bytesPerPixel int
	interlaced    bool
}

// pngInfo reads a PNG's IHDR and the chunks before its image data: the
// orientation from an eXIf chunk (which holds the same TIFF structure as a
// JPEG's Exif segment, and must come before the image data to count), and
// whether there is a tRNS chunk.
func pngInfo(b []byte) pngHeader {
	hdr := pngHeader{orientation: TopLeft, bytesPerPixel: 8}
	const ihdrEnd = len(pngMagic) + 8 + 13
	if len(b) < ihdrEnd || string(b[len(pngMagic)+4:len(pngMagic)+8]) != "IHDR" {
		return hdr
	}
	depth, colorType := b[24], b[25]
	hdr.interlaced = b[28] != 0
	seenEXIF, trns := false, false
	for i := len(pngMagic); i+8 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[i:]))
		typ := string(b[i+4 : i+8])
		if n < 0 || n > len(b)-i-12 || typ == "IDAT" || typ == "IEND" {
			break
		}
		switch typ {
		case "eXIf":
			if !seenEXIF {
				seenEXIF = true
				hdr.orientation = tiffOrientation(b[i+8 : i+8+n])
			}
		case "tRNS":
			trns = true
		}
		i += 12 + n // length, type, data, CRC
	}
	// Bytes per pixel of what image/png allocates (its reader's cb* cases).
	wide := depth == 16
	switch {
	case colorType == 3: // palette
		hdr.bytesPerPixel = 1
	case colorType == 0 && !trns: // grey
		hdr.bytesPerPixel = 1
		if wide {
			hdr.bytesPerPixel = 2
		}
	case colorType == 0, colorType == 2, colorType == 4, colorType == 6:
		hdr.bytesPerPixel = 4
		if wide {
			hdr.bytesPerPixel = 8
		}
	}
	return hdr
}
