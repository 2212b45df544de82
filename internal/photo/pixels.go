package photo

import (
	"image"
	"image/color"
	"image/draw"
	"math"
)

// The pipeline works on 8-bit planes: the Y, Cb and Cr planes of an
// *image.YCbCr, which is what a JPEG decodes to, or the one plane of an
// *image.Gray. Keeping a JPEG in YCbCr from decoder to encoder avoids two
// conversions and a 4-byte-per-pixel RGBA copy (48 MB for 12 MP, against
// 18 MB), and the encoder reads YCbCr directly. Anything else (PNG, CMYK
// JPEG) is converted to YCbCr 4:2:0 once, which the encoder would
// subsample to anyway.

// plane is one channel of 8-bit samples.
type plane struct {
	pix    []byte
	stride int
	w, h   int
}

// planes returns the planes of a *image.YCbCr or *image.Gray, sharing
// their pixels.
func planes(img image.Image) []plane {
	switch m := img.(type) {
	case *image.Gray:
		r := m.Rect
		return []plane{{m.Pix[m.PixOffset(r.Min.X, r.Min.Y):], m.Stride, r.Dx(), r.Dy()}}
	case *image.YCbCr:
		r := m.Rect
		cw, ch := chromaSize(r, m.SubsampleRatio)
		yo, co := m.YOffset(r.Min.X, r.Min.Y), m.COffset(r.Min.X, r.Min.Y)
		return []plane{
			{m.Y[yo:], m.YStride, r.Dx(), r.Dy()},
			{m.Cb[co:], m.CStride, cw, ch},
			{m.Cr[co:], m.CStride, cw, ch},
		}
	}
	panic("photo: planes of an unexpected image type")
}

// chromaSize is the size of the chroma planes of a YCbCr image covering
// r, as image.NewYCbCr lays them out.
func chromaSize(r image.Rectangle, ratio image.YCbCrSubsampleRatio) (w, h int) {
	w, h = r.Dx(), r.Dy()
	switch ratio {
	case image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420:
		w = (r.Max.X+1)/2 - r.Min.X/2
	case image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410:
		w = (r.Max.X+3)/4 - r.Min.X/4
	}
	switch ratio {
	case image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio410:
		h = (r.Max.Y+1)/2 - r.Min.Y/2
	}
	return w, h
}

// newLike allocates an image of the same kind as img (Gray or YCbCr with
// the given ratio) and size w×h.
func newLike(img image.Image, w, h int, ratio image.YCbCrSubsampleRatio) image.Image {
	if _, ok := img.(*image.Gray); ok {
		return image.NewGray(image.Rect(0, 0, w, h))
	}
	return image.NewYCbCr(image.Rect(0, 0, w, h), ratio)
}

// workingImage returns img as an *image.YCbCr or *image.Gray the rest of
// the pipeline can work on, or img itself if it already is one. Pictures
// with transparency (a PNG screenshot, say) are put on white, since JPEG
// has no alpha and would otherwise show the transparent parts black.
func workingImage(img image.Image) image.Image {
	switch m := img.(type) {
	case *image.Gray, *image.YCbCr:
		return m
	case *image.Gray16:
		// Grey stays grey: one byte a pixel instead of YCbCr's one and a half.
		r := m.Rect
		out := image.NewGray(image.Rect(0, 0, r.Dx(), r.Dy()))
		for y := range r.Dy() {
			src := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):]
			dst := out.Pix[y*out.Stride : y*out.Stride+r.Dx()]
			for x := range dst {
				dst[x] = src[2*x] // the high byte, as color.GrayModel does
			}
		}
		return out
	}
	return toYCbCr420(img)
}

// toYCbCr420 converts any image to YCbCr 4:2:0 on a white background,
// sixteen rows at a time, so that no full-size RGBA copy is made.
func toYCbCr420(img image.Image) *image.YCbCr {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	opaque := false
	if o, ok := img.(interface{ Opaque() bool }); ok {
		opaque = o.Opaque()
	}
	const strip = 16
	tmp := image.NewRGBA(image.Rect(0, 0, w, strip))
	white := image.NewUniform(color.White)
	for y0 := 0; y0 < h; y0 += strip {
		rows := min(strip, h-y0)
		r := image.Rect(0, 0, w, rows)
		if opaque {
			draw.Draw(tmp, r, img, image.Pt(b.Min.X, b.Min.Y+y0), draw.Src)
		} else {
			draw.Draw(tmp, r, white, image.Point{}, draw.Src)
			draw.Draw(tmp, r, img, image.Pt(b.Min.X, b.Min.Y+y0), draw.Over)
		}
		for y := 0; y < rows; y += 2 {
			row0 := tmp.Pix[y*tmp.Stride:]
			row1 := row0 // an odd last row pairs with itself
			if y+1 < rows {
				row1 = tmp.Pix[(y+1)*tmp.Stride:]
			}
			yRow0 := out.Y[(y0+y)*out.YStride:]
			yRow1 := yRow0
			if y+1 < rows {
				yRow1 = out.Y[(y0+y+1)*out.YStride:]
			}
			ci := ((y0 + y) / 2) * out.CStride
			for x := 0; x < w; x += 2 {
				x1 := min(x+1, w-1)
				var rs, gs, bs int
				for _, p := range [4][]byte{row0[4*x:], row0[4*x1:], row1[4*x:], row1[4*x1:]} {
					rs, gs, bs = rs+int(p[0]), gs+int(p[1]), bs+int(p[2])
				}
				yRow0[x], _, _ = color.RGBToYCbCr(row0[4*x], row0[4*x+1], row0[4*x+2])
				yRow0[x1], _, _ = color.RGBToYCbCr(row0[4*x1], row0[4*x1+1], row0[4*x1+2])
				yRow1[x], _, _ = color.RGBToYCbCr(row1[4*x], row1[4*x+1], row1[4*x+2])
				yRow1[x1], _, _ = color.RGBToYCbCr(row1[4*x1], row1[4*x1+1], row1[4*x1+2])
				_, out.Cb[ci+x/2], out.Cr[ci+x/2] = color.RGBToYCbCr(uint8((rs+2)/4), uint8((gs+2)/4), uint8((bs+2)/4))
			}
		}
	}
	return out
}

// fitSize is the size of a w×h image scaled down so that its longer side
// is at most side, keeping the aspect ratio and at least one pixel a side.
func fitSize(w, h, side int) (int, int) {
	if w <= side && h <= side {
		return w, h
	}
	if w >= h {
		return side, max(1, int((int64(h)*int64(side)+int64(w)/2)/int64(w)))
	}
	return max(1, int((int64(w)*int64(side)+int64(h)/2)/int64(h))), side
}

// fit scales img (a working image) down so its longer side is at most
// side; a smaller image is returned as it is.
func fit(img image.Image, side int) image.Image {
	b := img.Bounds()
	dw, dh := fitSize(b.Dx(), b.Dy(), side)
	if dw == b.Dx() && dh == b.Dy() {
		return img
	}
	ratio := image.YCbCrSubsampleRatio444
	if m, ok := img.(*image.YCbCr); ok {
		ratio = m.SubsampleRatio
	}
	out := newLike(img, dw, dh, ratio)
	dst := planes(out)
	for i, src := range planes(img) {
		resize(dst[i], src)
	}
	return out
}

// resize scales src into dst. Halving with a 2×2 box filter while the
// source is at least twice the destination is cheap (each halving reads
// every sample once and writes a quarter) and does not alias; the last
// step, of less than a factor two, uses a Catmull-Rom kernel widened to
// the ratio, as golang.org/x/image/draw.CatmullRom does, but on a source
// already close to the destination's size, so with few taps. (CatmullRom
// straight from 12 MP to a thumbnail took 200 ms, most of the old
// pipeline's scaling time; and x/image/draw has fast paths only into RGBA,
// so scaling YCbCr with it means 4 bytes a pixel and a conversion back.)
func resize(dst, src plane) {
	for src.w >= 2*dst.w && src.h >= 2*dst.h {
		src = halve(src)
	}
	switch {
	case src.w == dst.w && src.h == dst.h:
		for y := range dst.h {
			copy(dst.pix[y*dst.stride:y*dst.stride+dst.w], src.pix[y*src.stride:])
		}
	case src.h == dst.h:
		resampleX(dst, src)
	case src.w == dst.w:
		resampleY(dst, src)
	default:
		tmp := plane{make([]byte, dst.w*src.h), dst.w, dst.w, src.h}
		resampleX(tmp, src)
		resampleY(dst, tmp)
	}
}

// halve averages each 2×2 block of p into one sample; an odd last row or
// column is averaged with itself.
func halve(p plane) plane {
	out := plane{w: (p.w + 1) / 2, h: (p.h + 1) / 2}
	out.stride = out.w
	out.pix = make([]byte, out.w*out.h)
	for y := range out.h {
		r0 := p.pix[2*y*p.stride:]
		r1 := r0
		if 2*y+1 < p.h {
			r1 = p.pix[(2*y+1)*p.stride:]
		}
		r0, r1 = r0[:p.w], r1[:p.w]
		dst := out.pix[y*out.stride : y*out.stride+out.w]
		n := p.w / 2
		for x := range n {
			dst[x] = uint8((uint(r0[2*x]) + uint(r0[2*x+1]) + uint(r1[2*x]) + uint(r1[2*x+1]) + 2) >> 2)
		}
		if p.w%2 == 1 {
			dst[n] = uint8((uint(r0[p.w-1]) + uint(r1[p.w-1]) + 1) >> 1)
		}
	}
	return out
}

// filter holds, for each destination sample along one axis, the first
// source sample it reads and its weights (taps of them, in 1/2¹⁴).
type filter struct {
	taps    int
	start   []int
	weights []int32
}

const weightBits = 14

func catmullRom(t float64) float64 {
	t = math.Abs(t)
	switch {
	case t < 1:
		return (1.5*t-2.5)*t*t + 1
	case t < 2:
		return ((-0.5*t+2.5)*t-4)*t + 2
	}
	return 0
}

// newFilter maps n source samples onto m. Samples beyond the edges repeat
// the edge sample, so their weight goes to it.
func newFilter(n, m int) filter {
	ratio := float64(n) / float64(m)
	scale := max(1, ratio) // widen the kernel when shrinking
	radius := 2 * scale
	f := filter{taps: min(n, int(math.Ceil(2*radius))+2)}
	f.start = make([]int, m)
	f.weights = make([]int32, m*f.taps)
	ws := make([]float64, f.taps)
	for i := range m {
		c := (float64(i)+0.5)*ratio - 0.5
		lo, hi := int(math.Floor(c-radius)), int(math.Ceil(c+radius))
		start := max(0, min(lo, n-f.taps))
		clear(ws)
		sum := 0.0
		for j := lo; j <= hi; j++ {
			wt := catmullRom((float64(j) - c) / scale)
			if wt == 0 {
				continue
			}
			k := max(0, min(j, n-1)) - start
			k = max(0, min(k, f.taps-1))
			ws[k] += wt
			sum += wt
		}
		f.start[i] = start
		row := f.weights[i*f.taps : (i+1)*f.taps]
		total, big := int32(0), 0
		for k, wt := range ws {
			row[k] = int32(math.Round(wt / sum * (1 << weightBits)))
			total += row[k]
			if row[k] > row[big] {
				big = k
			}
		}
		row[big] += 1<<weightBits - total // the weights sum to exactly one
	}
	return f
}

func clampSample(acc int32) byte {
	v := (acc + 1<<(weightBits-1)) >> weightBits
	return byte(max(0, min(v, 255)))
}

func resampleX(dst, src plane) {
	f := newFilter(src.w, dst.w)
	for y := range dst.h {
		s := src.pix[y*src.stride : y*src.stride+src.w]
		d := dst.pix[y*dst.stride : y*dst.stride+dst.w]
		for x := range d {
			in := s[f.start[x] : f.start[x]+f.taps]
			ws := f.weights[x*f.taps : (x+1)*f.taps]
			var acc int32
			for k, w := range ws {
				acc += w * int32(in[k])
			}
			d[x] = clampSample(acc)
		}
	}
}

func resampleY(dst, src plane) {
	f := newFilter(src.h, dst.h)
	acc := make([]int32, dst.w)
	for y := range dst.h {
		clear(acc)
		for k, w := range f.weights[y*f.taps : (y+1)*f.taps] {
			if w == 0 {
				continue
			}
			s := src.pix[(f.start[y]+k)*src.stride:]
			s = s[:len(acc)]
			for x, v := range s {
				acc[x] += w * int32(v)
			}
		}
		d := dst.pix[y*dst.stride : y*dst.stride+dst.w]
		for x, a := range acc {
			d[x] = clampSample(a)
		}
	}
}
