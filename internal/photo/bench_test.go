package photo

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// phonePhoto is a 12 MP (4032×3024) JPEG that compresses like a real phone
// photo: smooth gradients and broad shapes under sensor-like noise, at the
// quality phones use, about 4 MB, stored landscape with orientation 6 and
// a GPS position, as a portrait photo from a phone is. A flat or repeating
// test pattern would compress ten times better and make both decoding and
// encoding look cheaper than they are.
var phonePhoto = sync.OnceValue(func() []byte {
	const w, h = 4032, 3024
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	rng := rand.New(rand.NewPCG(1, 2))
	// noise is roughly Gaussian with a standard deviation of sd: the sum
	// of four random bytes, cheaper than NormFloat64 (which matters under
	// the race detector).
	noise := func(sd float64) float64 {
		u := rng.Uint32()
		sum := int(u&0xFF) + int(u>>8&0xFF) + int(u>>16&0xFF) + int(u>>24)
		return float64(sum-510) * sd / 148
	}
	// Shapes from sines of x and of y, tabulated: sin(a+b) = sin a cos b +
	// cos a sin b.
	sinX, cosX, waveX := make([]float64, w), make([]float64, w), make([]float64, w)
	for x := range w {
		fx := float64(x) / w
		sinX[x], cosX[x], waveX[x] = math.Sin(fx*23), math.Cos(fx*23), math.Sin(float64(x)/9)
	}
	for y := range h {
		fy := float64(y) / h
		s7, c7, c17, waveY := math.Sin(fy*7), math.Cos(fy*7), math.Cos(fy*17), math.Sin(float64(y)/13)
		row := img.Y[y*img.YStride : y*img.YStride+w]
		for x := range row {
			fx := float64(x) / w
			v := 40 + 150*fy*(1-fx) + 30*(sinX[x]*c7+cosX[x]*s7)*c17 + 20*waveX[x]*waveY
			row[x] = clamp8(v + noise(5))
		}
	}
	for y := range h / 2 {
		fy := float64(y) / (h / 2)
		for x := range w / 2 {
			fx := float64(x) / (w / 2)
			i := y*img.CStride + x
			img.Cb[i] = clamp8(128 + 30*(fx-0.5)*(1-fy) + 20*fy + noise(2))
			img.Cr[i] = clamp8(128 + 25*(0.5-fy)*fx + 10*fx + noise(2))
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 92}); err != nil {
		panic(err)
	}
	return withExif(buf.Bytes(), tiffWithGPS(binary.BigEndian, RightTop))
})

func clamp8(v float64) uint8 {
	return uint8(max(0, min(255, math.Round(v))))
}

// BenchmarkProcess12MP runs the whole pipeline on phonePhoto and reports,
// besides the time, the peak of the Go heap above what was live before the
// call ("peak-MB/op": garbage the collector has not yet reclaimed counts,
// because the process has to hold it too) and the CPU time the process
// used ("cpu-ms/op", which the pipeline spreads over the cores; on a busy
// machine it is the steadier figure). Run it alone, so that no other
// test's garbage is in the figure:
//
//	go test -run '^$' -bench 'Process12MP$' -benchtime 10x ./internal/photo/
func BenchmarkProcess12MP(b *testing.B) {
	data := phonePhoto()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var peak, n float64
	var cpu time.Duration
	cpuOK := true
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		s := startPeakSampler()
		cpu0, ok0 := processCPU()
		b.StartTimer()
		p, err := Process(b.Context(), bytes.NewReader(data))
		b.StopTimer()
		cpu1, ok1 := processCPU()
		cpu += cpu1 - cpu0
		cpuOK = cpuOK && ok0 && ok1
		peak += float64(s.stop()) / (1 << 20)
		n++
		b.StartTimer()
		if err != nil {
			b.Fatal(err)
		}
		if p.Full.Width != 3024 || p.Full.Height != 4032 {
			b.Fatalf("full %d×%d, want 3024×4032", p.Full.Width, p.Full.Height)
		}
	}
	b.ReportMetric(peak/n, "peak-MB/op")
	if cpuOK {
		b.ReportMetric(float64(cpu.Milliseconds())/n, "cpu-ms/op")
	}
	b.ReportMetric(float64(len(data))/(1<<20), "input-MB")
}

// peakSampler polls the bytes in live and not-yet-swept heap objects. A
// poll every 100 µs catches a pipeline's peak, which lasts milliseconds,
// while costing a fraction of a core (runtime/metrics does not stop the
// world, unlike runtime.ReadMemStats).
type peakSampler struct {
	base uint64
	done chan struct{}
	peak chan uint64
}

func startPeakSampler() *peakSampler {
	s := &peakSampler{base: heapObjectBytes(), done: make(chan struct{}), peak: make(chan uint64)}
	go func() {
		peak := s.base
		t := time.NewTicker(100 * time.Microsecond)
		defer t.Stop()
		for {
			peak = max(peak, heapObjectBytes())
			select {
			case <-s.done:
				s.peak <- max(peak, heapObjectBytes())
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// stop returns the peak above the heap at the start, in bytes.
func (s *peakSampler) stop() uint64 {
	close(s.done)
	return <-s.peak - s.base
}

func heapObjectBytes() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}
