//go:build !purego && linux

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"syscall"
	"testing"
	"unsafe"
)

// Tests of the NEON code paths the shared sweeps (kernels_test.go,
// gemm_test.go) cannot see: reads just outside an input, the chunking of
// long work in the Go wrappers, the bit patterns of relu's special values
// and the BLAS beta rules, for the level-1/2 kernels and the GEMM
// micro-kernel.

// fencedBuffer is memory with an inaccessible page on either side, so an
// assembly routine that reads one element before or after its operand
// faults instead of passing by luck.
type fencedBuffer struct {
	data []float32 // the readable pages between the fences
}

func newFencedBuffer(t *testing.T, floats int) *fencedBuffer {
	t.Helper()
	page := syscall.Getpagesize()
	dataBytes := max(1, (floats*4+page-1)/page) * page
	mem, err := syscall.Mmap(-1, 0, dataBytes+2*page, syscall.PROT_NONE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap: %v", err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	if err := syscall.Mprotect(mem[page:page+dataBytes], syscall.PROT_READ|syscall.PROT_WRITE); err != nil {
		t.Fatalf("mprotect: %v", err)
	}
	return &fencedBuffer{data: bytesToFloats(mem[page : page+dataBytes])}
}

// first returns n floats starting right after the lower fence; last
// returns n floats ending right before the upper fence.
func (b *fencedBuffer) first(n int) []float32 { return b.data[:n:n] }
func (b *fencedBuffer) last(n int) []float32  { return b.data[len(b.data)-n:] }

// fenced copies s into memory next to a fence, at its end (atEnd) or at its
// start.
func fenced(t *testing.T, s []float32, atEnd bool) []float32 {
	t.Helper()
	b := newFencedBuffer(t, len(s))
	var out []float32
	if atEnd {
		out = b.last(len(s))
	} else {
		out = b.first(len(s))
	}
	copy(out, s)
	return out
}

func randomFloats(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	randFill(r, s)
	return s
}

// agreeWithin reports whether got and want agree up to tol in absolute
// value, with NaNs matching NaNs.
func agreeWithin(got, want, tol float32) bool {
	if math.IsNaN(float64(got)) || math.IsNaN(float64(want)) {
		return math.IsNaN(float64(got)) && math.IsNaN(float64(want))
	}
	return math.Abs(float64(got-want)) <= float64(tol)
}

// fencedLengths cover every loop of the kernels: the 32-, 16-, 8- and
// 4-float bodies and each scalar tail.
var fencedLengths = []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 19, 31, 32, 33, 35, 47, 63, 64, 67, 100}

func TestNEONVectorFences(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for _, n := range fencedLengths {
		for _, atEnd := range []bool{false, true} {
			what := fmt.Sprintf("n=%d atEnd=%v", n, atEnd)
			x0, y0 := randomFloats(r, n), randomFloats(r, n)
			x, y := fenced(t, x0, atEnd), fenced(t, y0, atEnd)

			if got, want := neonDot(x, y), dotGeneric(x0, y0); !agreeWithin(got, want, float32(n+1)*1e-6) {
				t.Fatalf("%s: dot = %v, generic %v", what, got, want)
			}

			want := append([]float32(nil), y0...)
			axpyGeneric(0.5, x0, want)
			neonAxpy(0.5, x, y)
			for i := range y {
				if !agreeWithin(y[i], want[i], 1e-6) {
					t.Fatalf("%s: axpy y[%d] = %v, generic %v", what, i, y[i], want[i])
				}
			}

			dst := fenced(t, make([]float32, n), atEnd)
			neonRelu(dst, x)
			reluGeneric(want, x0)
			for i := range dst {
				if dst[i] != want[i] {
					t.Fatalf("%s: relu dst[%d] = %v, generic %v", what, i, dst[i], want[i])
				}
			}

			copy(want, y)
			reluBackwardGeneric(want, x0)
			neonReluBackward(y, x)
			for i := range y {
				if y[i] != want[i] {
					t.Fatalf("%s: reluBackward delta[%d] = %v, generic %v", what, i, y[i], want[i])
				}
			}
		}
	}
}

func TestNEONMatrixFences(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	dims := []int{1, 2, 3, 4, 5, 7, 8, 9, 17, 33}
	for _, m := range dims {
		for _, n := range dims {
			for _, atEnd := range []bool{false, true} {
				lda := n + 1
				size := (m-1)*lda + n
				what := fmt.Sprintf("%d×%d lda=%d atEnd=%v", m, n, lda, atEnd)
				a0 := randomFloats(r, size)
				a := fenced(t, a0, atEnd)

				for _, trans := range []bool{false, true} {
					xn, yn := n, m
					if trans {
						xn, yn = m, n
					}
					for _, beta := range []float32{0, 1, -0.75} {
						x0, y0 := randomFloats(r, xn), randomFloats(r, yn)
						x, y := fenced(t, x0, atEnd), fenced(t, y0, atEnd)
						want := append([]float32(nil), y0...)
						if trans {
							gemvTGeneric(m, n, 1.25, a0, lda, x0, beta, want)
							neonGemvT(m, n, 1.25, a, lda, x, beta, y)
						} else {
							gemvNGeneric(m, n, 1.25, a0, lda, x0, beta, want)
							neonGemvN(m, n, 1.25, a, lda, x, beta, y)
						}
						for i := range y {
							if !agreeWithin(y[i], want[i], float32(xn+2)*4e-6) {
								t.Fatalf("%s trans=%v beta=%v: y[%d] = %v, generic %v", what, trans, beta, i, y[i], want[i])
							}
						}
					}
				}

				x0, y0 := randomFloats(r, m), randomFloats(r, n)
				x, y := fenced(t, x0, atEnd), fenced(t, y0, atEnd)
				want := append([]float32(nil), a0...)
				outerUpdateGeneric(-0.5, x0, y0, want, lda)
				neonOuterUpdate(-0.5, x, y, a, lda)
				for i := range a {
					if !agreeWithin(a[i], want[i], 1e-6) {
						t.Fatalf("%s: outerUpdate a[%d] = %v, generic %v", what, i, a[i], want[i])
					}
				}
			}
		}
	}
}

// TestNEONChunks runs operands longer than neonChunk, which the wrappers
// split into several assembly calls, against the generic code.
func TestNEONChunks(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	for _, n := range []int{neonChunk - 1, neonChunk + 1, 2*neonChunk + 37} {
		x, y := randomFloats(r, n), randomFloats(r, n)
		if got, want := neonDot(x, y), dotGeneric(x, y); !agreeWithin(got, want, 2e-3) {
			t.Errorf("n=%d: dot = %v, generic %v", n, got, want)
		}
		want := append([]float32(nil), y...)
		got := append([]float32(nil), y...)
		axpyGeneric(-2, x, want)
		neonAxpy(-2, x, got)
		reluGeneric(want, want)
		neonRelu(got, got)
		reluBackwardGeneric(want, x)
		neonReluBackward(got, x)
		for i := range got {
			if !agreeWithin(got[i], want[i], 1e-6) {
				t.Fatalf("n=%d: axpy+relu+reluBackward [%d] = %v, generic %v", n, i, got[i], want[i])
			}
		}
	}

	// Shapes cut into column pieces (a row longer than a chunk) and into
	// several row blocks.
	for _, sh := range [][2]int{{3, neonChunk + 9}, {6, 2*neonChunk + 1}, {neonChunk/64 + 5, 67}, {2*neonChunk/7 + 3, 7}} {
		m, n := sh[0], sh[1]
		lda := n + 2
		a := randomFloats(r, (m-1)*lda+n)
		for _, trans := range []bool{false, true} {
			xn, yn := n, m
			if trans {
				xn, yn = m, n
			}
			for _, beta := range []float32{0, 1, 0.5} {
				x, y := randomFloats(r, xn), randomFloats(r, yn)
				want, got := append([]float32(nil), y...), append([]float32(nil), y...)
				if trans {
					gemvTGeneric(m, n, 0.75, a, lda, x, beta, want)
					neonGemvT(m, n, 0.75, a, lda, x, beta, got)
				} else {
					gemvNGeneric(m, n, 0.75, a, lda, x, beta, want)
					neonGemvN(m, n, 0.75, a, lda, x, beta, got)
				}
				for i := range got {
					if !agreeWithin(got[i], want[i], float32(xn)*2e-6) {
						t.Fatalf("%d×%d trans=%v beta=%v: y[%d] = %v, generic %v", m, n, trans, beta, i, got[i], want[i])
					}
				}
			}
		}
		x, y := randomFloats(r, m), randomFloats(r, n)
		want, got := append([]float32(nil), a...), append([]float32(nil), a...)
		outerUpdateGeneric(0.25, x, y, want, lda)
		neonOuterUpdate(0.25, x, y, got, lda)
		for i := range got {
			if !agreeWithin(got[i], want[i], 1e-6) {
				t.Fatalf("%d×%d: outerUpdate a[%d] = %v, generic %v", m, n, i, got[i], want[i])
			}
		}
	}
}

func TestNEONBlocks(t *testing.T) {
	for _, sh := range [][2]int{{1, 1}, {7, 3}, {1, neonChunk}, {3, neonChunk + 1}, {neonChunk, 1}, {1000, 1000}, {5, 3 * neonChunk}} {
		m, n := sh[0], sh[1]
		rows, cols := neonBlocks(m, n)
		if rows < 1 || cols < 1 || rows > m || cols > n {
			t.Fatalf("neonBlocks(%d, %d) = %d, %d: out of range", m, n, rows, cols)
		}
		if rows*cols > neonChunk {
			t.Fatalf("neonBlocks(%d, %d) = %d×%d, more than neonChunk = %d elements", m, n, rows, cols, neonChunk)
		}
		if cols < n && rows != 1 {
			t.Fatalf("neonBlocks(%d, %d) = %d×%d: rows are cut, so a block must be one row", m, n, rows, cols)
		}
	}
}

// reluSpecialBits are the inputs whose relu is decided by bits, not by value.
var reluSpecialBits = []uint32{
	0x00000000, // +0
	0x80000000, // −0
	0x7fc00000, // quiet NaN
	0xffc00000, // negative quiet NaN
	0x7f800001, // signalling NaN
	0x7f800000, // +Inf
	0xff800000, // −Inf
	0x00000001, // smallest positive subnormal
	0x80000001, // smallest negative subnormal
	0x7f7fffff, // largest finite
	0x3f800000, // 1
	0xbf800000, // −1
}

// TestNEONReluBits puts every special value at every position of vectors
// long enough for each loop, and requires the generic result bit for bit.
func TestNEONReluBits(t *testing.T) {
	for n := 1; n <= 40; n++ {
		for p := 0; p < n; p++ {
			for _, bits := range reluSpecialBits {
				src := make([]float32, n)
				for i := range src {
					src[i] = math.Float32frombits(reluSpecialBits[(i+p)%len(reluSpecialBits)])
				}
				src[p] = math.Float32frombits(bits)
				want, got := make([]float32, n), make([]float32, n)
				reluGeneric(want, src)
				neonRelu(got, src)
				delta := make([]float32, n)
				for i := range delta {
					delta[i] = float32(i + 1)
				}
				wantDelta := append([]float32(nil), delta...)
				reluBackwardGeneric(wantDelta, src)
				neonReluBackward(delta, src)
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("n=%d: relu(%#08x) = %#08x, generic %#08x", n, math.Float32bits(src[i]), math.Float32bits(got[i]), math.Float32bits(want[i]))
					}
					if math.Float32bits(delta[i]) != math.Float32bits(wantDelta[i]) {
						t.Fatalf("n=%d: reluBackward at act %#08x gave %v, generic %v", n, math.Float32bits(src[i]), delta[i], wantDelta[i])
					}
				}
			}
		}
	}
}

// TestNEONGemvBeta checks the BLAS rules for beta bit for bit: beta = 0
// never reads y (all NaN here), and beta = 1 with alpha = 0 leaves y as it
// was.
func TestNEONGemvBeta(t *testing.T) {
	r := rand.New(rand.NewPCG(27, 28))
	for _, m := range []int{1, 3, 4, 5, 9, 17} {
		for _, n := range []int{1, 3, 4, 5, 9, 17, 33} {
			a := randomFloats(r, m*n)
			for _, trans := range []bool{false, true} {
				xn, yn := n, m
				if trans {
					xn, yn = m, n
				}
				x := randomFloats(r, xn)
				gemv := neonGemvN
				if trans {
					gemv = neonGemvT
				}
				y := make([]float32, yn)
				for i := range y {
					y[i] = float32(math.NaN())
				}
				gemv(m, n, 1, a, n, x, 0, y)
				for i, v := range y {
					if math.IsNaN(float64(v)) {
						t.Fatalf("%d×%d trans=%v beta=0: y[%d] is still NaN", m, n, trans, i)
					}
				}
				y = randomFloats(r, yn)
				for i := range y {
					y[i] += 2 // no zeros, whose sign 0·s could flip
				}
				was := append([]float32(nil), y...)
				gemv(m, n, 0, a, n, x, 1, y)
				for i := range y {
					if math.Float32bits(y[i]) != math.Float32bits(was[i]) {
						t.Fatalf("%d×%d trans=%v alpha=0 beta=1: y[%d] = %v, was %v", m, n, trans, i, y[i], was[i])
					}
				}
			}
		}
	}
}

// bytesToFloats views b (a multiple of 4 bytes, page aligned) as float32s.
func bytesToFloats(b []byte) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), len(b)/4)
}

// TestNEONAvailable guards the sweep: ASIMD is part of every arm64 Linux
// system, so if the dispatcher does not offer neon here (under qemu, say),
// the shared tests would silently check only the generic code.
func TestNEONAvailable(t *testing.T) {
	for _, name := range Available() {
		if name == "neon" {
			return
		}
	}
	t.Fatalf("Available() = %v, want neon on arm64 (cpu.ARM64.HasASIMD is false)", Available())
}

// TestNEONGemmFences runs the 8×8 micro-kernel on full tiles whose A, B
// and C end at a fence, so reading a row or column too many faults, for
// each A layout the assembly treats apart (the shared micro-kernel test
// passes only the two the GEMM driver uses).
func TestNEONGemmFences(t *testing.T) {
	r := rand.New(rand.NewPCG(29, 30))
	for _, kc := range []int{1, 2, 3, 4, 5, 7, 8, 33} {
		// Row-major, transposed (or packed), and neither: each has its own
		// inner loop.
		for _, layout := range [][2]int{{kc, 1}, {1, 8}, {2*kc + 1, 2}} {
			rsA, csA := layout[0], layout[1]
			a0 := randomFloats(r, 7*rsA+(kc-1)*csA+1)
			b0 := randomFloats(r, (kc-1)*11+8) // ldb = 11
			c0 := randomFloats(r, 7*9+8)       // ldc = 9
			bias0 := randomFloats(r, 8)
			for flags := 0; flags < 8; flags++ {
				a, b := fenced(t, a0, true), fenced(t, b0, true)
				c, bias := fenced(t, c0, true), fenced(t, bias0, true)
				want := append([]float32(nil), c0...)
				gemmKernelGeneric8x8(kc, a0, rsA, csA, b0, 11, want, 9, 0.5, -1.5, bias0, flags)
				gemmKernel8x8NEON(kc, a, rsA, csA, b, 11, c, 9, 8, 8, 0.5, -1.5, bias, flags)
				for i := range c {
					if !agreeWithin(c[i], want[i], float32(kc+3)*2e-6) {
						t.Fatalf("kc=%d rsA=%d csA=%d flags=%03b: c[%d] = %v, generic %v", kc, rsA, csA, flags, i, c[i], want[i])
					}
				}
			}
		}
	}
}

// gemmKernelGeneric8x8 is the gemmKernel reference loop for a full 8×8
// tile (the generic kernel's tile is 4×4).
func gemmKernelGeneric8x8(kc int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32, bias []float32, flags int) {
	for i := 0; i < 8; i++ {
		for j := 0; j < 8; j++ {
			var s float32
			for p := 0; p < kc; p++ {
				s += a[i*rsA+p*csA] * b[p*ldb+j]
			}
			v := alpha * s
			if flags&gemmLoadC != 0 {
				v += beta * c[i*ldc+j]
			}
			if flags&gemmAddBias != 0 {
				v += bias[j]
			}
			if flags&gemmRelu != 0 && !(v > 0) {
				v = 0
			}
			c[i*ldc+j] = v
		}
	}
}

// TestNEONGemmReluBits checks the relu epilogue bit for bit: a zero A makes
// every sum +0, alpha = −1 turns it into −0, and a NaN in C (gemmLoadC)
// makes it NaN; relu must give +0 in both cases.
func TestNEONGemmReluBits(t *testing.T) {
	a := make([]float32, 8*4)
	b := randomFloats(rand.New(rand.NewPCG(31, 32)), 4*8)
	for _, loadC := range []bool{false, true} {
		for _, mr := range []int{3, 8} {
			c := make([]float32, 8*8)
			flags := gemmRelu
			if loadC {
				flags |= gemmLoadC
				for i := range c {
					c[i] = float32(math.NaN())
				}
			}
			gemmKernel8x8NEON(4, a, 4, 1, b, 8, c, 8, mr, 8, -1, 1, nil, flags)
			for i := 0; i < mr*8; i++ {
				if math.Float32bits(c[i]) != 0 {
					t.Fatalf("loadC=%v mr=%d: c[%d] = %v (%#08x), want +0", loadC, mr, i, c[i], math.Float32bits(c[i]))
				}
			}
		}
	}
}
