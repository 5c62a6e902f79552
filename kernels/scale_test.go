package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// scaleLengths are the sweep's lengths plus one past the most elements one
// assembly call takes (asmChunk on amd64, neonChunk on arm64, both 1<<16),
// so the wrappers' splitting runs too.
var scaleLengths = func() []int {
	var ns []int
	for n := 0; n <= 300; n++ {
		ns = append(ns, n)
	}
	return append(ns, 784, 4096, 1<<16, 1<<16+77)
}()

// scaleAlphas are the factors Scale is tested with: the special ones of a
// multiplication, the momentum μ = 0.9, 1e-30 (with inputs scaled down so
// that the products are subnormal) and 3.5 (which makes the largest inputs
// overflow).
var scaleAlphas = []float32{
	0, float32(math.Copysign(0, -1)), 1, -1, 0.9, 1e-30, 3.5,
	float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)),
}

// scaleSpecials are the inputs mixed into the random ones: NaNs with
// payloads, ±0, ±Inf, subnormals (not flushed: Go leaves MXCSR and FPCR
// alone) and values that overflow when multiplied by 3.5.
var scaleSpecials = []uint32{
	0x7fc00000, 0xffc0dead, 0x00000000, 0x80000000, 0x7f800000, 0xff800000,
	0x00000001, 0x807fffff, 0x7f7fffff, 0xff000000,
}

// scaleRef is x·alpha rounded once to float32. The product of two float32
// values is exact in float64 (48 significant bits, exponents far from
// float64's limits), so this is the correctly rounded float32 product,
// subnormal results included.
func scaleRef(alpha, x float32) float32 { return float32(float64(alpha) * float64(x)) }

// sameFloat reports whether got and want have the same bits, or are both
// NaN: which NaN payload survives differs between instruction sets.
func sameFloat(got, want float32) bool {
	if want != want {
		return got != got
	}
	return math.Float32bits(got) == math.Float32bits(want)
}

// scaleGuard is the sentinel around Scale's output. It is finite: the
// package's NaN guard would survive being multiplied by any alpha with its
// bits unchanged, so an out-of-bounds write would pass unseen. This one is
// changed by every alpha in scaleAlphas but 1.
var scaleGuard = math.Float32frombits(0x4640e6b7) // 12345.679

// scaleGuarded returns a slice of n elements at offset off inside a buffer
// whose other elements are scaleGuard, and a function that checks them.
func scaleGuarded(n, off int) ([]float32, func(t *testing.T, what string)) {
	buf := make([]float32, guardLen+off+n+guardLen)
	for i := range buf {
		buf[i] = scaleGuard
	}
	start := guardLen + off
	check := func(t *testing.T, what string) {
		t.Helper()
		for i, v := range buf {
			if (i < start || i >= start+n) && math.Float32bits(v) != math.Float32bits(scaleGuard) {
				t.Fatalf("%s: element %d outside the output (at 0..%d) was overwritten with %v", what, i-start, n, v)
			}
		}
	}
	return buf[start : start+n : start+n], check
}

func TestScale(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(31, 32))
		subnormals := 0
		for _, n := range scaleLengths {
			for off := 0; off <= maxOffset; off++ {
				if testing.Short() && n > 4096 && off%5 != 0 {
					continue // -short (and -race): offsets 0, 5, 10, 15 of the longest vectors
				}
				for ai, alpha := range scaleAlphas {
					x, check := scaleGuarded(n, off)
					randFill(r, x)
					if alpha == 1e-30 {
						// Inputs below 1e-8 in magnitude, so the products
						// fall below 2⁻¹²⁶ ≈ 1.2e-38: subnormal.
						for i := range x {
							x[i] *= 1e-8
						}
					}
					// Every 13th element is a special value, at a position
					// that moves with n, off and alpha so the specials fall
					// in every part of the kernels: unrolled loop, single
					// vectors and tail.
					for i := (n + off + ai) % 13; i < n; i += 13 {
						x[i] = math.Float32frombits(scaleSpecials[(i/13+ai)%len(scaleSpecials)])
					}
					want := make([]float32, n)
					for i, v := range x {
						want[i] = scaleRef(alpha, v)
					}
					Scale(alpha, x)
					check(t, fmt.Sprintf("Scale n=%d off=%d alpha=%v", n, off, alpha))
					for i := range x {
						if !sameFloat(x[i], want[i]) {
							t.Fatalf("n=%d off=%d alpha=%v: x[%d] = %v (%#08x), want %v (%#08x)",
								n, off, alpha, i, x[i], math.Float32bits(x[i]), want[i], math.Float32bits(want[i]))
						}
						if alpha == 1e-30 && x[i] != 0 && math.Abs(float64(x[i])) < 0x1p-126 {
							subnormals++
						}
					}
				}
			}
		}
		// The alpha = 1e-30 cases exist to check subnormal products; make
		// sure they produced some.
		if subnormals == 0 {
			t.Fatal("alpha = 1e-30 gave no subnormal products; the test does not test them")
		}
	})
}

// TestScaleEmpty calls Scale with nil and empty vectors: the assembly must
// not dereference the base of an empty slice.
func TestScaleEmpty(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		for _, x := range [][]float32{nil, {}} {
			Scale(2, x)
		}
	})
}

// TestScaleNoAllocations: the momentum step runs once per mini-batch and
// must not allocate, whichever implementation and length.
func TestScaleNoAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts mean nothing under the race detector")
	}
	eachImpl(t, func(t *testing.T) {
		for _, n := range []int{5, 4096, 784 * 128} {
			x := make([]float32, n)
			if allocs := testing.AllocsPerRun(10, func() { Scale(0.9, x) }); allocs != 0 {
				t.Errorf("Scale of %d elements: %v allocations per call, want 0", n, allocs)
			}
		}
	})
}

// BenchmarkScale measures Scale on every implementation this CPU has, at
// one L1-resident length and the momentum step's velocity matrices of a
// 784-128 and a 784-512 layer (L2-resident), named for benchstat:
// BenchmarkScale/isa=avx512/n=100352. GB/s counts x read and written.
func BenchmarkScale(b *testing.B) {
	saved := active
	defer func() { active = saved }()
	for _, isa := range Available() {
		b.Run("isa="+isa, func(b *testing.B) {
			if err := Use(isa); err != nil {
				b.Fatal(err)
			}
			for _, n := range []int{4096, 784 * 128, 784 * 512} {
				b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
					x := scaleBenchVec(n)
					// Alternating μ and 1/μ keeps the values in range over
					// millions of calls: no overflow, no subnormals.
					alphas := [2]float32{0.9, 1 / 0.9}
					b.SetBytes(8 * int64(n))
					i := 0
					for b.Loop() {
						Scale(alphas[i&1], x)
						i++
					}
					b.ReportMetric(8*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
				})
			}
		})
	}
}

// scaleBenchVec returns n random values in [−1, 1) starting on a 64-byte
// boundary, so figures do not depend on where the allocator put them.
func scaleBenchVec(n int) []float32 {
	const align = 64
	buf := make([]float32, n+align/4)
	off := 0
	if addr := uintptr(unsafe.Pointer(unsafe.SliceData(buf))); addr%align != 0 {
		off = int(align-addr%align) / 4
	}
	x := buf[off : off+n : off+n]
	randFill(rand.New(rand.NewPCG(uint64(n), 33)), x)
	return x
}
