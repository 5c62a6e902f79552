//go:build !purego

package kernels

import "sync"

// The kernels find the lowest set bit of a mask with TZCNT, which a CPU
// without BMI1 runs as BSF: the same result, as the mask is never zero.

func init() {
	avx512Impl.outerUpdateSparseT = outerUpdateSparseTInStrips(sparseTStrips{
		kern: outerUpdateSparseTAVX512Asm, strip: 64, masked: true,
		wide: outerUpdateSparseTWideAVX512Strip, wideStrip: 128,
	})
	avx2Impl.outerUpdateSparseT = outerUpdateSparseTInStrips(sparseTStrips{kern: outerUpdateSparseTAVX2Strip, strip: 32})
}

// outerUpdateSparseTAVX512Asm is OuterUpdateSparseT on k rows of w and one
// strip of width columns, 1 ≤ width ≤ 64 (w starts at the strip, whose
// columns past width are masked off), with the strip of d packed into d,
// 64 floats a row:
//
//	for p := 0; p < k; p++ {
//		// even, odd: the gradient sums in Z0–Z3 and Z4–Z7
//		for r := 0; r < m; r++ {
//			if v := xt[p*ldxt+r]; v != 0 {
//				even or odd, in turn: acc[j] += v * d[r*64+j] // fused
//			}
//		}
//		if any term: w[p*ldw+j] += alpha * (even[j] + odd[j]) // fused
//	}
//
// with j < width. m ≥ 1; xt holds k rows of m, d m rows.
//
//go:noescape
func outerUpdateSparseTAVX512Asm(m, k, width int, alpha float32, xt []float32, ldxt int, d []float32, w []float32, ldw int)

// outerUpdateSparseTWideAVX512Asm is outerUpdateSparseTAVX512Asm on a
// strip of exactly 128 columns, packed 128 floats a row, with eight
// vectors to a set of gradient sums.
//
//go:noescape
func outerUpdateSparseTWideAVX512Asm(m, k int, alpha float32, xt []float32, ldxt int, d []float32, w []float32, ldw int)

func outerUpdateSparseTWideAVX512Strip(m, k, width int, alpha float32, xt []float32, ldxt int, d []float32, w []float32, ldw int) {
	outerUpdateSparseTWideAVX512Asm(m, k, alpha, xt, ldxt, d, w, ldw)
}

// outerUpdateSparseTAVX2Asm is outerUpdateSparseTAVX512Asm on a strip of
// exactly 32 columns, packed 32 floats a row.
//
//go:noescape
func outerUpdateSparseTAVX2Asm(m, k int, alpha float32, xt []float32, ldxt int, d []float32, w []float32, ldw int)

func outerUpdateSparseTAVX2Strip(m, k, width int, alpha float32, xt []float32, ldxt int, d []float32, w []float32, ldw int) {
	outerUpdateSparseTAVX2Asm(m, k, alpha, xt, ldxt, d, w, ldw)
}

// packStrip copies columns c0..c0+width of rows r0..r1 of src (leading
// dimension ld) into dst, one row every stride floats.
func packStrip(dst []float32, stride int, src []float32, ld, r0, r1, c0, width int) {
	for r := r0; r < r1; r++ {
		copy(dst[(r-r0)*stride:(r-r0)*stride+width], src[r*ld+c0:r*ld+c0+width])
	}
}

type outerUpdateSparseTKernel func(m, k, width int, alpha float32, xt []float32, ldxt int, d []float32, w []float32, ldw int)

// sparseTPacks recycles the buffers the strips of d (and the blocks of b
// in gemmSparseRowsInPasses) are packed into.
var sparseTPacks = sync.Pool{New: func() any { return new([]float32) }}

// sparseTStrips describes how an implementation cuts the columns of w:
// strips of strip columns for kern, which masks a narrower last one off
// itself if masked (else the generic code takes it), and, if wide is set,
// strips of wideStrip columns for wide first, as long as they are whole.
type sparseTStrips struct {
	kern      outerUpdateSparseTKernel
	strip     int
	masked    bool
	wide      outerUpdateSparseTKernel
	wideStrip int
}

// sparseTWideFloats is the largest packed strip of d the wide kernel
// gets: 32 KiB, which stays in L1 beside the rows of xt and w passing
// through. A batch of more rows than fit is taken in blocks of rows, each
// block's sums added to w in turn. On MNIST-like batches, 128 columns
// instead of 64 took a sixth less time with 64 rows of d (32 KiB), but
// were no faster with 128 rows (64 KiB, partly read from L2) and 40%
// slower on dense ones. A 128-row batch in two blocks of 64 on the wide
// kernel took 81–85 µs against 93–101 in one block on 64-column strips
// (784×128, Zen 4, four alternating runs of
// BenchmarkOuterUpdateSparseTMNIST; 42–49 against 49–53 on two threads).
const sparseTWideFloats = 8 << 10

// outerUpdateSparseTInStrips runs the kernels of s on k rows of w strip by
// strip, so that the strip of d stays in L1 while every row of xt passes
// it. The strip is first copied out of d, rows one after the other: with
// d's rows 512 bytes apart (ldd = 128, the MNIST batch), a strip in place
// falls into half of L1's sets, more lines to a set than it has ways, and
// the kernel ran 30% slower; packed, a row's place in it is a shift away.
// A wide strip takes the batch in blocks of equal rows (within one) that
// fit sparseTWideFloats. Each call takes as many rows as keep its work,
// were xt dense, within asmChunk multiply-adds, so that one assembly call
// stays short.
func outerUpdateSparseTInStrips(s sparseTStrips) func(m, n, k int, alpha float32, xt []float32, ldxt int, d []float32, ldd int, w []float32, ldw int) {
	return func(m, n, k int, alpha float32, xt []float32, ldxt int, d []float32, ldd int, w []float32, ldw int) {
		pack := sparseTPacks.Get().(*[]float32)
		if most := m * max(s.strip, s.wideStrip); cap(*pack) < most {
			*pack = make([]float32, most)
		}
		for c0 := 0; c0 < n; {
			strip, kern, blocks := s.strip, s.kern, 1
			if s.wide != nil && n-c0 >= s.wideStrip {
				strip, kern = s.wideStrip, s.wide
				blocks = (m*s.wideStrip + sparseTWideFloats - 1) / sparseTWideFloats
			}
			width := min(strip, n-c0)
			if width < strip && !s.masked {
				outerUpdateSparseTGeneric(m, width, k, alpha, xt, ldxt, d[c0:], ldd, w[c0:], ldw)
				break
			}
			for b := 0; b < blocks; b++ {
				r0, r1 := m*b/blocks, m*(b+1)/blocks
				rows := r1 - r0
				buf := (*pack)[:rows*strip]
				packStrip(buf, strip, d, ldd, r0, r1, c0, width)
				perCall := max(1, asmChunk/(rows*strip))
				for p0 := 0; p0 < k; p0 += perCall {
					kern(rows, min(perCall, k-p0), width, alpha, xt[p0*ldxt+r0:], ldxt, buf, w[p0*ldw+c0:], ldw)
				}
			}
			c0 += strip
		}
		sparseTPacks.Put(pack)
	}
}
