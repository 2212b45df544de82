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

// jpegInfo walks a JPEG's marker segments from SOI to EOI, skipping the
// entropy-coded data after each SOS, and returns the EXIF orientation (from
// the first APP1 Exif segment; upright when absent or malformed) and the
// number of scans. Only headers are parsed; every length is bounds-checked.
func jpegInfo(b []byte) (o Orientation, scans int) {
	o = TopLeft
	if sniff(b) != formatJPEG {
		return o, 0
	}
	seenExif := false
	i := 2
	for i+1 < len(b) {
		if b[i] != 0xFF {
			return o, scans // not at a marker: malformed; the decoder will say so
		}
		m := b[i+1]
		switch {
		case m == 0xFF: // fill byte before a marker
			i++
			continue
		case m == 0xD9: // end of image
			return o, scans
		case m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7): // no length
			i += 2
			continue
		}
		if i+4 > len(b) {
			return o, scans
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			return o, scans
		}
		if m == 0xE1 && !seenExif {
			if seg := b[i+4 : i+2+n]; bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
				seenExif = true
				o = tiffOrientation(seg[6:])
			}
		}
		i += 2 + n
		if m != 0xDA {
			continue
		}
		// Start of scan: skip its entropy-coded data up to the next marker.
		// Inside it 0xFF is always followed by 0x00 (a stuffed byte) or a
		// restart marker, so any other pair is the next real marker.
		scans++
		for {
			j := bytes.IndexByte(b[i:], 0xFF)
			if j < 0 || i+j+1 >= len(b) {
				return o, scans
			}
			i += j
			if next := b[i+1]; next != 0x00 && (next < 0xD0 || next > 0xD7) {
				break
			}
			i += 2
		}
	}
	return o, scans
}
