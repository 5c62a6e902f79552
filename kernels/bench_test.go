package kernels_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/nnsimd/nnsimd/kernels"
)

// Throughput benchmarks, one per kernel, for every implementation this CPU
// has, named for benchstat: BenchmarkDot/isa=avx512/n=784,
// BenchmarkGemv/isa=avx2/trans=T/784x128, BenchmarkGemm/isa=avx512/trans=NN/128x128x784.
// Each reports GFLOP/s (a multiply-add is 2 flops; relu has none) and, via
// SetBytes, the bytes read and written per call (every input read and every
// output written once; see bench.Shape.Bytes). Compare implementations with
//
//	go test -run '^$' -bench . -count 6 ./kernels | benchstat -col /isa -
//
// GEMMs run on one goroutine so the figures are one core's. The table with
// the machine's ceilings beside each figure is `go run ./bench/kernels`.

var benchLengths = []int{128, 784, 4096, 1 << 16}

// benchEachISA runs f as a sub-benchmark isa=<name> per available
// implementation, with that one active, and restores the active one.
func benchEachISA(b *testing.B, f func(b *testing.B)) {
	saved := kernels.ISA()
	defer func() {
		if err := kernels.Use(saved); err != nil {
			b.Fatal(err)
		}
	}()
	for _, isa := range kernels.Available() {
		b.Run("isa="+isa, func(b *testing.B) {
			if err := kernels.Use(isa); err != nil {
				b.Fatal(err)
			}
			f(b)
		})
	}
}

// benchVec returns n random values in [−1, 1), the same for every run of a
// seed, starting on a 64-byte boundary so that figures do not depend on
// where the allocator put the buffer.
func benchVec(n int, seed uint64) []float32 {
	const align = 64
	buf := make([]float32, n+align/4)
	off := 0
	if addr := uintptr(unsafe.Pointer(unsafe.SliceData(buf))); addr%align != 0 {
		off = int(align-addr%align) / 4
	}
	v := buf[off : off+n : off+n]
	r := rand.New(rand.NewPCG(uint64(n), seed))
	for i := range v {
		v[i] = 2*r.Float32() - 1
	}
	return v
}

// benchRates declares the bytes per call and, after the loop, reports the
// flop rate.
func benchRates(b *testing.B, flops, bytes float64, loop func()) {
	b.SetBytes(int64(bytes))
	for b.Loop() {
		loop()
	}
	if flops > 0 {
		b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	}
}

// The updating kernels use a tiny alpha so that millions of calls keep the
// values in range: no overflow, no denormals.
const benchAlpha = 1e-7

var benchSink float32

func BenchmarkDot(b *testing.B) {
	benchEachISA(b, func(b *testing.B) {
		for _, n := range benchLengths {
			b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
				x, y := benchVec(n, 1), benchVec(n, 2)
				var s float32
				benchRates(b, 2*float64(n), 8*float64(n), func() { s += kernels.Dot(x, y) })
				benchSink += s
			})
		}
	})
}

func BenchmarkAxpy(b *testing.B) {
	benchEachISA(b, func(b *testing.B) {
		for _, n := range benchLengths {
			b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
				x, y := benchVec(n, 1), benchVec(n, 2)
				benchRates(b, 2*float64(n), 12*float64(n), func() { kernels.Axpy(benchAlpha, x, y) })
			})
		}
	})
}

var benchMatrices = [][2]int{{784, 128}, {128, 10}}

func BenchmarkOuterUpdate(b *testing.B) {
	benchEachISA(b, func(b *testing.B) {
		for _, mn := range benchMatrices {
			m, n := mn[0], mn[1]
			b.Run(fmt.Sprintf("%dx%d", m, n), func(b *testing.B) {
				x, y, a := benchVec(m, 1), benchVec(n, 2), benchVec(m*n, 3)
				benchRates(b, 2*float64(m*n), 8*float64(m*n)+4*float64(m+n), func() {
					kernels.OuterUpdate(benchAlpha, x, y, a, n)
				})
			})
		}
	})
}

func BenchmarkRelu(b *testing.B) {
	benchEachISA(b, func(b *testing.B) {
		for _, n := range benchLengths {
			b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
				src, dst := benchVec(n, 1), benchVec(n, 2)
				benchRates(b, 0, 8*float64(n), func() { kernels.Relu(dst, src) })
			})
		}
	})
}

func BenchmarkReluBackward(b *testing.B) {
	benchEachISA(b, func(b *testing.B) {
		for _, n := range benchLengths {
			b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
				// In place the zeros of the first call stay; branch-free
				// code does the same work on every call. The traffic is act
				// read and delta written: delta need not be read to be zeroed.
				delta, act := benchVec(n, 1), benchVec(n, 2)
				benchRates(b, 0, 8*float64(n), func() { kernels.ReluBackward(delta, act) })
			})
		}
	})
}

func BenchmarkGemv(b *testing.B) {
	benchEachISA(b, func(b *testing.B) {
		for _, trans := range []bool{false, true} {
			for _, mn := range benchMatrices {
				m, n := mn[0], mn[1]
				xn, yn := n, m
				if trans {
					xn, yn = m, n
				}
				b.Run(fmt.Sprintf("trans=%s/%dx%d", transLetter(trans), m, n), func(b *testing.B) {
					a, x, y := benchVec(m*n, 1), benchVec(xn, 2), benchVec(yn, 3)
					benchRates(b, 2*float64(m*n), 4*float64(m*n+m+n), func() {
						kernels.Gemv(trans, m, n, 1, a, n, x, 0, y)
					})
				})
			}
		}
	})
}

// The GEMMs of mini-batch training of a 784-128-10 network (m×n×k): forward
// X·W₁ at batch 128 and 64, the weight gradient Xᵀ·δ, the input delta δ·W₁ᵀ,
// and the 128→10 layer forward and backward.
var benchGemms = []struct {
	transA, transB bool
	m, n, k        int
}{
	{false, false, 128, 128, 784},
	{false, false, 64, 128, 784},
	{true, false, 784, 128, 128},
	{false, true, 64, 784, 128},
	{false, false, 128, 10, 128},
	{false, true, 128, 128, 10},
}

func BenchmarkGemm(b *testing.B) {
	savedThreads := kernels.Threads()
	defer kernels.SetThreads(savedThreads)
	kernels.SetThreads(1)
	benchEachISA(b, func(b *testing.B) {
		for _, s := range benchGemms {
			name := fmt.Sprintf("trans=%s%s/%dx%dx%d", transLetter(s.transA), transLetter(s.transB), s.m, s.n, s.k)
			b.Run(name, func(b *testing.B) {
				lda, ldb := s.k, s.n
				if s.transA {
					lda = s.m
				}
				if s.transB {
					ldb = s.k
				}
				a, bm, c := benchVec(s.m*s.k, 1), benchVec(s.k*s.n, 2), benchVec(s.m*s.n, 3)
				flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
				bytes := 4 * float64(s.m*s.k+s.k*s.n+s.m*s.n)
				benchRates(b, flops, bytes, func() {
					kernels.Gemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bm, ldb, 0, c, s.n)
				})
			})
		}
	})
}

func transLetter(trans bool) string {
	if trans {
		return "T"
	}
	return "N"
}
