package photo

import (
	"errors"
	"image"
	"image/color"
)

// Decoded sizes. A pixel limit alone does not bound memory: a 16-bit RGBA
// PNG of 7000×7000 is under 50 MP but decodes to 392 MB, where a 50 MP
// phone JPEG (YCbCr 4:2:0) takes 75 MB. So what the decoder will allocate
// is worked out from the header, before any pixel buffer exists, and
// refused above MaxDecodedBytes; and every decode holds its estimated
// memory in a budget shared by the process while it runs.
const (
	// MaxDecodedBytes bounds what the decoder allocates for one photo:
	// three bytes per pixel at MaxPixels, so every 50 MP JPEG fits, even
	// one without chroma subsampling (4:4:4), as do a 12 MP 16-bit RGBA
	// PNG (98 MB) and a 37 MP 8-bit one; the 7000×7000 16-bit PNG (392 MB)
	// does not. A progressive JPEG counts its coefficients (4 bytes a
	// sample, held until the last scan) and an interlaced PNG its passes.
	MaxDecodedBytes = 3 * MaxPixels
	// DecodeMemory is the most that photos being processed may hold at
	// once, in the whole process: about five 12 MP phone photos, or one
	// photo at the limits. Others wait their turn. (The Go heap can grow
	// to about twice its live size between collections, so the process
	// needs twice this to spare.)
	DecodeMemory = 256 << 20
)

// ErrTooManyBytes marks a photo whose decoded pixels would exceed
// MaxDecodedBytes. Such errors match ErrTooManyPixels too, and carry its
// message: for the person it is the same problem, too large a picture,
// with the same fix.
var ErrTooManyBytes = errors.New("photo: image over the decoded-size limit")

// decodeBudget is shared by every decode in the process.
var decodeBudget = newBudget(DecodeMemory)

// jpegDecodedBytes is what image/jpeg allocates to decode a w×h JPEG with
// this header: its planes, rounded up to whole MCUs; a progressive JPEG's
// coefficients; and the interleaved copy a CMYK or RGB JPEG is turned into.
// The arithmetic follows image/jpeg's makeImg and processSOS.
func jpegDecodedBytes(w, h int, hdr jpegHeader) int64 {
	comps := hdr.frame.components
	worst := int64(w) * int64(h) * 8
	if len(comps) != 1 && len(comps) != 3 && len(comps) != 4 {
		return worst // the decoder refuses it; be safe meanwhile
	}
	for _, c := range comps {
		if c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 {
			return worst
		}
	}
	h0, v0 := comps[0].h, comps[0].v
	if len(comps) == 1 {
		h0, v0 = 1, 1 // one component: 8×8 MCUs whatever the header says
		comps = []jpegComponent{{h: 1, v: 1}}
	}
	mxx := int64((w + 8*h0 - 1) / (8 * h0))
	myy := int64((h + 8*v0 - 1) / (8 * v0))
	var samples int64
	for _, c := range comps {
		samples += 64 * mxx * myy * int64(c.h) * int64(c.v)
	}
	n := samples
	if hdr.frame.progressive {
		n += 4 * samples
	}
	rgb := len(comps) == 3 && comps[0].id == 'R' && comps[1].id == 'G' && comps[2].id == 'B'
	if len(comps) == 4 || len(comps) == 3 && (hdr.adobeRGB || rgb) {
		n += 4 * int64(w) * int64(h)
	}
	return n
}

// pngDecodedBytes is what image/png allocates to decode a w×h PNG: the
// image, and for an interlaced one the seven passes as well.
func pngDecodedBytes(w, h int, hdr pngHeader) int64 {
	n := int64(w) * int64(h) * int64(hdr.bytesPerPixel)
	if hdr.interlaced {
		n *= 2
	}
	return n
}

// pipelineBytes estimates what processing a decoded w×h image holds
// beyond the decoded pixels: the conversion to a working image (unless
// it is already YCbCr or Gray), the copy scaled to MaxSide, the one turned
// upright, the thumbnail's halvings and the encoded output. workBPP is
// the working image's bytes per pixel in eighths (12 for YCbCr 4:2:0).
func pipelineBytes(w, h int, workBPP int64, converts bool, o Orientation) int64 {
	full := int64(w) * int64(h)
	var n int64
	if converts {
		n += full * workBPP / 8
	}
	fw, fh := fitSize(w, h, MaxSide)
	fitted := int64(fw) * int64(fh)
	if fitted < full {
		n += (fitted + int64(fw)*int64(h)) * workBPP / 8 // and the intermediate pass
	}
	if o > TopLeft && o <= LeftBottom {
		n += fitted * workBPP / 8
	}
	n += fitted * workBPP / 8 / 3 // halvings: a quarter, a sixteenth, …
	n += fitted / 2               // the encoded photo, generously
	return n
}

// jpegWorkingBPP and pngWorkingBPP are the bytes per pixel, in eighths,
// of the working image a decoded image becomes (see workingImage), and
// whether it takes a conversion.
func jpegWorkingBPP(hdr jpegHeader) (bpp int64, converts bool) {
	comps := hdr.frame.components
	switch {
	case len(comps) == 1:
		return 8, false
	case len(comps) == 3 && !hdr.adobeRGB && !(comps[0].id == 'R' && comps[1].id == 'G' && comps[2].id == 'B'):
		// The chroma planes are 1/(h0/h·v0/v) of the luma plane.
		var sum int64
		for _, c := range comps {
			if c.h < 1 || c.v < 1 {
				return 24, true
			}
			sum += 8 * int64(c.h) * int64(c.v) / int64(comps[0].h*comps[0].v)
		}
		return max(sum, 8), false
	}
	return 12, true
}

func pngWorkingBPP(hdr pngHeader, cfg image.Config) (bpp int64, converts bool) {
	switch hdr.bytesPerPixel {
	case 1:
		if _, paletted := cfg.ColorModel.(color.Palette); !paletted {
			return 8, false // Gray
		}
	case 2:
		return 8, true // Gray16 becomes Gray
	}
	return 12, true
}

// modelName names a colour model for an error message.
func modelName(m color.Model) string {
	switch m {
	case color.GrayModel:
		return "grey"
	case color.Gray16Model:
		return "16-bit grey"
	case color.RGBAModel, color.NRGBAModel:
		return "RGBA"
	case color.RGBA64Model, color.NRGBA64Model:
		return "16-bit RGBA"
	case color.YCbCrModel:
		return "YCbCr"
	case color.CMYKModel:
		return "CMYK"
	}
	if _, ok := m.(color.Palette); ok {
		return "paletted"
	}
	return "image"
}
