package photo

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"testing"

	xdraw "golang.org/x/image/draw"
)

var ratios = []image.YCbCrSubsampleRatio{
	image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420,
	image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410,
}

// randomYCbCr fills every plane with noise, so that a sample in the wrong
// place shows.
func randomYCbCr(w, h int, ratio image.YCbCrSubsampleRatio, seed uint64) *image.YCbCr {
	m := image.NewYCbCr(image.Rect(0, 0, w, h), ratio)
	rng := rand.New(rand.NewPCG(seed, 7))
	for _, p := range [][]byte{m.Y, m.Cb, m.Cr} {
		for i := range p {
			p[i] = byte(rng.Uint32())
		}
	}
	return m
}

// smoothYCbCr is a small photograph-like picture: gradients and waves.
func smoothYCbCr(w, h int) *image.YCbCr {
	m := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			m.Y[m.YOffset(x, y)] = clamp8(60 + 120*fx*fy + 40*math.Sin(fx*9)*math.Cos(fy*7))
			c := m.COffset(x, y)
			m.Cb[c] = clamp8(128 + 40*(fx-0.5))
			m.Cr[c] = clamp8(128 + 40*(0.5-fy))
		}
	}
	return m
}

// storedPoint is where upright pixel (x, y) is in an image stored w×h
// with orientation o (EXIF 2.3, tag 0x0112).
func storedPoint(o Orientation, x, y, w, h int) (int, int) {
	switch o {
	case TopRight:
		return w - 1 - x, y
	case BottomRight:
		return w - 1 - x, h - 1 - y
	case BottomLeft:
		return x, h - 1 - y
	case LeftTop:
		return y, x
	case RightTop:
		return y, h - 1 - x
	case RightBottom:
		return w - 1 - y, h - 1 - x
	case LeftBottom:
		return w - 1 - y, x
	}
	return x, y
}

// Turning works plane by plane for every subsampling a JPEG can have;
// 4:1:1 and 4:1:0 turned on their side go through a conversion.
func TestOrientYCbCr(t *testing.T) {
	const w, h = 24, 16 // multiples of 4: every chroma sample covers whole pixels
	for _, ratio := range ratios {
		for o := TopLeft; o <= LeftBottom; o++ {
			t.Run(fmt.Sprintf("%v/%d", ratio, o), func(t *testing.T) {
				src := randomYCbCr(w, h, ratio, uint64(o))
				converted := (ratio == image.YCbCrSubsampleRatio411 || ratio == image.YCbCrSubsampleRatio410) && o.swapsSides()
				if converted {
					// A conversion averages chroma: keep it flat to compare.
					for i := range src.Cb {
						src.Cb[i], src.Cr[i] = 100, 150
					}
				}
				got := orient(workingImage(src), o).(*image.YCbCr)
				uw, uh := w, h
				if o.swapsSides() {
					uw, uh = h, w
				}
				if got.Rect != image.Rect(0, 0, uw, uh) {
					t.Fatalf("turned to %v, want %d×%d", got.Rect, uw, uh)
				}
				for y := range uh {
					for x := range uw {
						sx, sy := storedPoint(o, x, y, w, h)
						g, want := got.YCbCrAt(x, y), src.YCbCrAt(sx, sy)
						if converted && near(g, want) || g == want {
							continue
						}
						t.Fatalf("upright (%d, %d) = %v, want stored (%d, %d) = %v", x, y, g, sx, sy, want)
					}
				}
			})
		}
	}
}

func TestOrientGray(t *testing.T) {
	const w, h = 7, 5
	src := image.NewGray(image.Rect(0, 0, w, h))
	for i := range src.Pix {
		src.Pix[i] = byte(i)
	}
	for o := TopLeft; o <= LeftBottom; o++ {
		got := orient(src, o).(*image.Gray)
		b := got.Bounds()
		for y := range b.Dy() {
			for x := range b.Dx() {
				sx, sy := storedPoint(o, x, y, w, h)
				if got.GrayAt(x, y) != src.GrayAt(sx, sy) {
					t.Fatalf("orientation %d: (%d, %d) = %v, want %v", o, x, y, got.GrayAt(x, y), src.GrayAt(sx, sy))
				}
			}
		}
	}
}

// The thumbnail, made by halving and a short Catmull-Rom step, looks like
// one scaled by golang.org/x/image/draw's CatmullRom straight from the
// full image, at a fraction of the cost.
func TestFitMatchesCatmullRom(t *testing.T) {
	for _, size := range []image.Point{{1001, 751}, {600, 1000}, {2000, 150}} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			src := smoothYCbCr(size.X, size.Y)
			got := fit(src, ThumbSide)
			b := got.Bounds()
			ref := image.NewRGBA(b)
			xdraw.CatmullRom.Scale(ref, b, src, src.Bounds(), xdraw.Src, nil)
			var sum, worst float64
			for y := range b.Dy() {
				for x := range b.Dx() {
					r1, g1, b1, _ := got.At(x, y).RGBA()
					r2, g2, b2, _ := ref.At(x, y).RGBA()
					for _, d := range []float64{float64(r1) - float64(r2), float64(g1) - float64(g2), float64(b1) - float64(b2)} {
						d = math.Abs(d) / 257
						sum += d
						worst = max(worst, d)
					}
				}
			}
			mean := sum / float64(3*b.Dx()*b.Dy())
			if mean > 2 || worst > 24 {
				t.Errorf("differs from CatmullRom by %.2f on average, %.0f at worst (of 255)", mean, worst)
			}
		})
	}
}

func TestFitKeepsFlatColour(t *testing.T) {
	src := image.NewYCbCr(image.Rect(0, 0, 4099, 601), image.YCbCrSubsampleRatio420)
	for i := range src.Y {
		src.Y[i] = 77
	}
	for i := range src.Cb {
		src.Cb[i], src.Cr[i] = 99, 201
	}
	for _, side := range []int{MaxSide, ThumbSide, 1} {
		got := fit(src, side).(*image.YCbCr)
		for _, p := range planes(got) {
			want := p.pix[0]
			for y := range p.h {
				for _, v := range p.pix[y*p.stride : y*p.stride+p.w] {
					if v != want {
						t.Fatalf("fit to %d: a flat plane became %d and %d", side, want, v)
					}
				}
			}
		}
		if p := planes(got); p[0].pix[0] != 77 || p[1].pix[0] != 99 || p[2].pix[0] != 201 {
			t.Errorf("fit to %d: colour %d %d %d", side, p[0].pix[0], p[1].pix[0], p[2].pix[0])
		}
	}
}

// A JPEG encoded in stripes decodes to exactly the pixels of one encoded
// whole: the same blocks, only with restart markers between stripes.
func TestEncodeStriped(t *testing.T) {
	noisy := func(m image.Image) image.Image {
		rng := rand.New(rand.NewPCG(3, 4))
		for _, p := range planes(m) {
			for y := range p.h {
				for x := range p.w {
					v := &p.pix[y*p.stride+x]
					*v = clamp8(float64(*v) + rng.NormFloat64()*6)
				}
			}
		}
		return m
	}
	gray := image.NewGray(image.Rect(0, 0, 333, 517))
	for i := range gray.Pix {
		gray.Pix[i] = byte(i / 97)
	}
	defer func(n int) { maxRestartInterval = n }(maxRestartInterval)
	for _, tc := range []struct {
		name     string
		img      image.Image
		interval int
	}{
		{"4:2:0, sides not multiples of 16", noisy(smoothYCbCr(301, 237)), 0xFFFF},
		{"4:2:2", noisy(randomYCbCr(200, 160, image.YCbCrSubsampleRatio422, 1)), 0xFFFF},
		{"4:4:4 of one MCU row", noisy(randomYCbCr(64, 9, image.YCbCrSubsampleRatio444, 2)), 0xFFFF},
		{"grey", noisy(gray), 0xFFFF},
		{"grey, restart interval over its field", noisy(gray), 200},
		{"restart interval shorter than a row", noisy(smoothYCbCr(301, 237)), 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			maxRestartInterval = tc.interval
			plain, err := encodePlain(tc.img, Quality, 0)
			if err != nil {
				t.Fatal(err)
			}
			want, err := jpeg.Decode(bytes.NewReader(plain))
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range []int{1, 2, 3, 7} {
				data, err := encodeStriped(tc.img, Quality, n)
				if err != nil {
					t.Fatal(err)
				}
				got, err := jpeg.Decode(bytes.NewReader(data))
				if err != nil {
					t.Fatalf("%d stripes: %v", n, err)
				}
				if !samePixels(got, want) {
					t.Fatalf("%d stripes decode differently from one", n)
				}
				assertNoMetadata(t, data)
				if h := jpegInfo(data); h.scans != 1 {
					t.Errorf("%d stripes: %d scans", n, h.scans)
				}
			}
		})
	}
}

// samePixels compares two decoded JPEGs plane by plane.
func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() || fmt.Sprintf("%T", a) != fmt.Sprintf("%T", b) {
		return false
	}
	pb := planes(b)
	for i, p := range planes(a) {
		q := pb[i]
		if p.w != q.w || p.h != q.h {
			return false
		}
		for y := range p.h {
			if !bytes.Equal(p.pix[y*p.stride:y*p.stride+p.w], q.pix[y*q.stride:y*q.stride+q.w]) {
				return false
			}
		}
	}
	return true
}

// The splice refuses stripes whose headers differ rather than write a
// broken file.
func TestSpliceChecksHeaders(t *testing.T) {
	a, _ := encodePlain(smoothYCbCr(64, 32), 85, 0)
	b, _ := encodePlain(smoothYCbCr(64, 32), 60, 0) // other quantisation tables
	c, _ := encodePlain(smoothYCbCr(48, 32), 85, 0) // other width
	for _, parts := range [][][]byte{{a, b}, {a, c}, {a, a[:len(a)-2]}, {a, []byte("not a JPEG")}} {
		if _, err := splice(parts, 64, 8); err == nil {
			t.Errorf("spliced mismatched stripes")
		}
	}
	if _, err := splice([][]byte{a, a}, 64, 8); err != nil {
		t.Errorf("matching stripes: %v", err)
	}
}
