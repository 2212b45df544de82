package photo

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/jpeg"
	"runtime"
	"testing"
	"time"

	"lintel.dev/lintel/internal/lintel"
)

// pngHeaderOnly builds a PNG that is only headers: IHDR, the given chunks
// (PLTE, tRNS, …), an empty IDAT and IEND. Nothing past the headers is
// read before the limits are checked, so this is all a bomb needs.
func pngHeaderOnly(w, h int, depth, colorType byte, interlaced bool, chunks ...string) []byte {
	chunk := func(out []byte, typ string, data []byte) []byte {
		out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
		start := len(out)
		out = append(out, typ...)
		out = append(out, data...)
		return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[start:]))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, depth, colorType, 0, 0, 0)
	if interlaced {
		ihdr[12] = 1
	}
	out := chunk([]byte(pngMagic), "IHDR", ihdr)
	for _, typ := range chunks {
		switch typ {
		case "PLTE":
			out = chunk(out, typ, make([]byte, 3*16))
		case "tRNS":
			out = chunk(out, typ, make([]byte, 2*3))
		}
	}
	out = chunk(out, "IDAT", nil)
	return chunk(out, "IEND", nil)
}

// jpegHeaderOnly builds a JPEG that is only a frame header (SOF0, or SOF2
// when progressive) with the given components, each an identifier and
// its sampling factors (0x22 for 2×2).
func jpegHeaderOnly(progressive bool, w, h int, comps ...[2]byte) []byte {
	sof := []byte{0xFF, 0xC0}
	if progressive {
		sof[1] = 0xC2
	}
	seg := []byte{8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), byte(len(comps))}
	for _, c := range comps {
		seg = append(seg, c[0], c[1], 0)
	}
	sof = binary.BigEndian.AppendUint16(sof, uint16(len(seg)+2))
	out := append([]byte{0xFF, 0xD8}, sof...)
	out = append(out, seg...)
	// image/jpeg.DecodeConfig reads on to the first scan.
	out = append(out, 0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00)
	return append(out, 0xFF, 0xD9)
}

var (
	ycbcr420 = [][2]byte{{1, 0x22}, {2, 0x11}, {3, 0x11}}
	ycbcr444 = [][2]byte{{1, 0x11}, {2, 0x11}, {3, 0x11}}
	rgb444   = [][2]byte{{'R', 0x11}, {'G', 0x11}, {'B', 0x11}}
	cmyk     = [][2]byte{{1, 0x11}, {2, 0x11}, {3, 0x11}, {4, 0x11}}
	grey     = [][2]byte{{1, 0x11}}
)

// The decoded-size limit is worked out from the header alone: what
// image/png or image/jpeg would allocate, whatever the pixel count.
func TestDecodedBytesLimit(t *testing.T) {
	const (
		png8, png16 = 8, 16
		gray, rgb   = 0, 2
		palette     = 3
		rgba        = 6
	)
	for _, tc := range []struct {
		name    string
		data    []byte
		mb      int64 // decoded size, in millions of bytes
		refused bool
	}{
		{"7000×7000 16-bit RGBA PNG", pngHeaderOnly(7000, 7000, png16, rgba, false), 392, true},
		{"7000×7000 16-bit RGB PNG", pngHeaderOnly(7000, 7000, png16, rgb, false), 392, true},
		{"7000×7000 8-bit RGBA PNG", pngHeaderOnly(7000, 7000, png8, rgba, false), 196, true},
		{"6000×6000 8-bit RGB PNG", pngHeaderOnly(6000, 6000, png8, rgb, false), 144, false},
		{"12 MP 16-bit RGBA PNG", pngHeaderOnly(4032, 3024, png16, rgba, false), 97, false},
		{"12 MP 16-bit RGBA PNG, interlaced", pngHeaderOnly(4032, 3024, png16, rgba, true), 195, true},
		{"7000×7000 grey PNG", pngHeaderOnly(7000, 7000, png8, gray, false), 49, false},
		{"7000×7000 16-bit grey PNG", pngHeaderOnly(7000, 7000, png16, gray, false), 98, false},
		{"7000×7000 16-bit grey PNG with tRNS", pngHeaderOnly(7000, 7000, png16, gray, false, "tRNS"), 392, true},
		{"7000×7000 paletted PNG", pngHeaderOnly(7000, 7000, png8, palette, false, "PLTE"), 49, false},
		{"48 MP JPEG 4:2:0", jpegHeaderOnly(false, 8000, 6000, ycbcr420...), 72, false},
		{"48 MP JPEG 4:4:4", jpegHeaderOnly(false, 8000, 6000, ycbcr444...), 144, false},
		{"48 MP progressive JPEG", jpegHeaderOnly(true, 8000, 6000, ycbcr420...), 360, true},
		{"12 MP progressive JPEG", jpegHeaderOnly(true, 4032, 3024, ycbcr420...), 91, false},
		{"16 MP RGB JPEG", jpegHeaderOnly(false, 4000, 4000, rgb444...), 112, false},
		{"7000×7000 CMYK JPEG", jpegHeaderOnly(false, 7000, 7000, cmyk...), 392, true},
		{"7000×7000 grey JPEG", jpegHeaderOnly(false, 7000, 7000, grey...), 49, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := inspect(tc.data)
			if in.decoded/1_000_000 != tc.mb {
				t.Errorf("decodes to %d bytes, want %d MB", in.decoded, tc.mb)
			}
			if !tc.refused {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if in.cost < in.decoded || in.cost > in.decoded+200<<20 {
					t.Errorf("budget charge %d MB for %d MB decoded", in.cost>>20, in.decoded>>20)
				}
				return
			}
			if !errors.Is(err, ErrTooManyBytes) || !errors.Is(err, ErrTooManyPixels) {
				t.Fatalf("err = %v, want ErrTooManyBytes and ErrTooManyPixels", err)
			}
			if lintel.KindOf(err) != lintel.KindInvalid || lintel.MessageOf(err) != MsgTooManyPixels {
				t.Errorf("kind %v, message %q; want invalid, %q", lintel.KindOf(err), lintel.MessageOf(err), MsgTooManyPixels)
			}
		})
	}
}

// The finding this limit is for: a 16-bit RGBA PNG of 7000×7000 (49 MP,
// under the pixel limit) is refused without its 392 MB being allocated.
func TestSixteenBitBombRefusedWithoutDecoding(t *testing.T) {
	small := image.NewRGBA64(image.Rect(0, 0, 2, 2))
	for i := range small.Pix {
		small.Pix[i] = 0xFF
	}
	data := withIHDRSize(encodePNG(t, small), 7000, 7000)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Process(t.Context(), bytes.NewReader(data))
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooManyBytes) || lintel.MessageOf(err) != MsgTooManyPixels {
		t.Fatalf("err = %v (message %q), want ErrTooManyBytes with MsgTooManyPixels", err, lintel.MessageOf(err))
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("refusing it allocated %d bytes; it must stop at the header", n)
	}
}

// A 12 MP phone photo, the common case, is well within every limit and
// comes out portrait with its thumbnail.
func TestProcess12MP(t *testing.T) {
	data := phonePhoto()
	in, err := inspect(data)
	if err != nil {
		t.Fatal(err)
	}
	if in.decoded != 4032*3024*3/2 || in.cost > 100<<20 {
		t.Errorf("decoded %d bytes, budget charge %d MB", in.decoded, in.cost>>20)
	}
	p, err := Process(t.Context(), bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if p.Full.Width != 3024 || p.Full.Height != 4032 || p.Thumb.Width != 360 || p.Thumb.Height != 480 {
		t.Fatalf("full %d×%d, thumbnail %d×%d", p.Full.Width, p.Full.Height, p.Thumb.Width, p.Thumb.Height)
	}
	assertClean(t, p.Full.Data)
	assertClean(t, p.Thumb.Data)
	if _, err := jpeg.Decode(bytes.NewReader(p.Full.Data)); err != nil {
		t.Fatal(err)
	}
}

// What budget adds to semaphore.Weighted: a request larger than the whole
// budget runs alone instead of never, a wait ends with its context, and
// what was held comes back whole.
func TestBudget(t *testing.T) {
	const size = 10
	done := func(f func()) chan struct{} {
		c := make(chan struct{})
		go func() { f(); close(c) }()
		return c
	}
	blocked := func(t *testing.T, c chan struct{}) {
		t.Helper()
		select {
		case <-c:
			t.Fatal("went ahead; want it to wait")
		case <-time.After(20 * time.Millisecond):
		}
	}
	wait := func(t *testing.T, c chan struct{}) {
		t.Helper()
		select {
		case <-c:
		case <-time.After(5 * time.Second):
			t.Fatal("still waiting")
		}
	}
	whole := func(t *testing.T, b *budget) {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		n, err := b.acquire(ctx, size)
		if err != nil || n != size {
			t.Fatalf("the whole budget afterwards: %d, %v", n, err)
		}
		b.release(n)
	}
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, b *budget)
	}{
		{"larger than the budget, it is clamped to it", func(t *testing.T, b *budget) {
			// Unclamped, the semaphore would wait for the deadline.
			ctx, cancel := context.WithTimeout(t.Context(), time.Second)
			defer cancel()
			n, err := b.acquire(ctx, 1000)
			if err != nil || n != size {
				t.Fatalf("acquire = %d, %v; want it clamped to %d", n, err, size)
			}
			b.release(n)
			if n, err := b.acquire(ctx, -1); err != nil || n != 0 {
				t.Fatalf("acquire(-1) = %d, %v", n, err)
			}
			whole(t, b)
		}},
		{"larger than the budget, it waits to run alone", func(t *testing.T, b *budget) {
			held, _ := b.acquire(t.Context(), 1)
			c := done(func() {
				n, err := b.acquire(t.Context(), 1000)
				if err != nil || n != size {
					t.Errorf("acquire = %d, %v; want it clamped to %d", n, err, size)
				}
				b.release(n)
			})
			blocked(t, c)
			b.release(held)
			wait(t, c)
			whole(t, b)
		}},
		{"exhausted, it waits for a release", func(t *testing.T, b *budget) {
			held, _ := b.acquire(t.Context(), 8)
			c := done(func() {
				n, _ := b.acquire(t.Context(), 5)
				b.release(n)
			})
			blocked(t, c)
			b.release(held)
			wait(t, c)
			whole(t, b)
		}},
		{"exhausted, it gives up with the context", func(t *testing.T, b *budget) {
			held, _ := b.acquire(t.Context(), 8)
			ctx, cancel := context.WithCancel(t.Context())
			c := done(func() {
				if n, err := b.acquire(ctx, 5); !errors.Is(err, context.Canceled) || n != 0 {
					t.Errorf("acquire = %d, %v; want it cancelled, holding nothing", n, err)
				}
			})
			blocked(t, c)
			cancel()
			wait(t, c)
			b.release(held)
			whole(t, b)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newBudget(size)) })
	}
}

// A photo waits for the process's budget and stops waiting when its
// context is done, as when the upload's request is gone; the budget is
// whole again afterwards.
func TestProcessWaitsForTheBudget(t *testing.T) {
	small := encodeJPEG(t, quadrants(64, 48, uprightColor))
	held, err := decodeBudget.acquire(t.Context(), DecodeMemory)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	waiting := make(chan error, 1)
	go func() {
		_, err := Process(ctx, bytes.NewReader(small))
		waiting <- err
	}()
	select {
	case err := <-waiting:
		t.Fatalf("went ahead with the budget exhausted: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	cancel()
	select {
	case err := <-waiting:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("with the budget exhausted: %v, want it cancelled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("still waiting after its context was cancelled")
	}
	decodeBudget.release(held)

	// Every entry point waits with the context it is given.
	if _, err := ProcessDocument(ctx, bytes.NewReader(small)); !errors.Is(err, context.Canceled) {
		t.Errorf("ProcessDocument with a cancelled context: %v", err)
	}
	if _, err := ProcessSharedDocument(ctx, bytes.NewReader(small), "a.jpg"); !errors.Is(err, context.Canceled) {
		t.Errorf("ProcessSharedDocument with a cancelled context: %v", err)
	}

	if _, err := Process(t.Context(), bytes.NewReader(small)); err != nil {
		t.Fatal(err)
	}
	whole, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	n, err := decodeBudget.acquire(whole, DecodeMemory)
	if err != nil {
		t.Fatalf("the whole budget afterwards: %v", err)
	}
	decodeBudget.release(n)
}

// Nothing the header walk meets, however malformed, makes the estimate
// panic or go negative.
func TestDecodedBytesOfOddHeaders(t *testing.T) {
	for _, comps := range [][][2]byte{nil, {{1, 0x00}}, {{1, 0x55}, {2, 0x11}, {3, 0x11}}, {{1, 0x22}, {2, 0x11}}, {{1, 0xFF}, {2, 0x11}, {3, 0x11}, {4, 0x11}, {5, 0x11}}} {
		var hdr jpegHeader
		hdr.frame.found = true
		for _, c := range comps {
			hdr.frame.components = append(hdr.frame.components, jpegComponent{c[0], int(c[1] >> 4), int(c[1] & 15)})
		}
		if n := jpegDecodedBytes(100, 100, hdr); n <= 0 {
			t.Errorf("%v: %d bytes", comps, n)
		}
		if bpp, _ := jpegWorkingBPP(hdr); bpp <= 0 {
			t.Errorf("%v: working bpp %d", comps, bpp)
		}
	}
	if n := pngDecodedBytes(100, 100, pngInfo([]byte(pngMagic))); n != 100*100*8 {
		t.Errorf("a PNG without IHDR counts %d bytes, want the worst case", n)
	}
}
