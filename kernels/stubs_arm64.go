//go:build !purego

package kernels

// The NEON assembly routines (one .s file per kernel, gemm_neon_arm64.s for
// the GEMM micro-kernel) and the Go wrappers the dispatch table calls. The
// wrappers reslice their arguments, so a shape the assembly would overrun
// panics in Go first, and split long work into calls of at most neonChunk
// elements: assembly cannot be preempted, and a goroutine stuck in one long
// call would hold up the garbage collector and the scheduler.

// neonChunk bounds the number of elements of the largest operand one
// assembly call touches: 64 Ki floats, tens of microseconds of work.
const neonChunk = 1 << 16

// dotNEON returns the dot product of x and y[:len(x)]:
//
//	var s float32
//	for i := range x {
//		s += x[i] * y[i]
//	}
//	return s
//
// up to the order of the additions (eight 4-lane partial sums, fused
// multiply-adds). len(y) must be at least len(x).
//
//go:noescape
func dotNEON(x, y []float32) float32

// axpyNEON computes, with one fused multiply-add per element,
//
//	for i := range x {
//		y[i] += alpha * x[i]
//	}
//
// len(y) must be at least len(x).
//
//go:noescape
func axpyNEON(alpha float32, x, y []float32)

// outerUpdateNEON computes, with c rounded once per row and one fused
// multiply-add per element,
//
//	for i := range x {
//		c := alpha * x[i]
//		for j := range y {
//			a[i*lda+j] += c * y[j]
//		}
//	}
//
// len(x) and len(y) must be at least 1 and a must hold the
// len(x)×len(y) matrix with leading dimension lda.
//
//go:noescape
func outerUpdateNEON(alpha float32, x, y, a []float32, lda int)

// reluNEON computes
//
//	for i := range src {
//		if src[i] > 0 {
//			dst[i] = src[i]
//		} else {
//			dst[i] = 0 // also for NaN and −0
//		}
//	}
//
// len(dst) must be at least len(src); dst may be src.
//
//go:noescape
func reluNEON(dst, src []float32)

// reluBackwardNEON computes
//
//	for i := range delta {
//		if !(act[i] > 0) {
//			delta[i] = 0
//		}
//	}
//
// len(act) must be at least len(delta).
//
//go:noescape
func reluBackwardNEON(delta, act []float32)

// gemvNNEON computes, for the m×n matrix a with leading dimension lda,
//
//	for i := 0; i < m; i++ {
//		var s float32
//		for j := 0; j < n; j++ {
//			s += a[i*lda+j] * x[j]
//		}
//		if beta == 0 {
//			y[i] = alpha * s // y[i] is not read
//		} else {
//			y[i] = alpha*s + beta*y[i]
//		}
//	}
//
// up to the order of the additions and with fused multiply-adds. m, n ≥ 1,
// len(x) ≥ n, len(y) ≥ m, and a must hold the matrix.
//
//go:noescape
func gemvNNEON(m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32)

// gemvTNEON computes, for the m×n matrix a with leading dimension lda,
//
//	for j := 0; j < n; j++ {
//		switch beta {
//		case 0:
//			y[j] = 0 // y[j] is not read
//		case 1:
//		default:
//			y[j] *= beta
//		}
//	}
//	for i := 0; i < m; i++ {
//		c := alpha * x[i]
//		for j := 0; j < n; j++ {
//			y[j] += c * a[i*lda+j]
//		}
//	}
//
// with fused multiply-adds, in this order of additions. m, n ≥ 1,
// len(x) ≥ m, len(y) ≥ n, and a must hold the matrix.
//
//go:noescape
func gemvTNEON(m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32)

func neonDot(x, y []float32) float32 {
	y = y[:len(x)]
	var s float32
	for len(x) > neonChunk {
		s += dotNEON(x[:neonChunk], y[:neonChunk])
		x, y = x[neonChunk:], y[neonChunk:]
	}
	return s + dotNEON(x, y)
}

func neonAxpy(alpha float32, x, y []float32) {
	y = y[:len(x)]
	for len(x) > neonChunk {
		axpyNEON(alpha, x[:neonChunk], y[:neonChunk])
		x, y = x[neonChunk:], y[neonChunk:]
	}
	axpyNEON(alpha, x, y)
}

func neonRelu(dst, src []float32) {
	dst = dst[:len(src)]
	for len(src) > neonChunk {
		reluNEON(dst[:neonChunk], src[:neonChunk])
		dst, src = dst[neonChunk:], src[neonChunk:]
	}
	reluNEON(dst, src)
}

func neonReluBackward(delta, act []float32) {
	act = act[:len(delta)]
	for len(delta) > neonChunk {
		reluBackwardNEON(delta[:neonChunk], act[:neonChunk])
		delta, act = delta[neonChunk:], act[neonChunk:]
	}
	reluBackwardNEON(delta, act)
}

// neonBlocks splits an m×n matrix into blocks of at most neonChunk
// elements: whole rows when a row fits, else single rows cut into
// neonChunk-column pieces.
func neonBlocks(m, n int) (rows, cols int) {
	cols = min(n, neonChunk)
	rows = max(1, neonChunk/cols)
	return min(rows, m), cols
}

// subMatrix returns the part of a holding the rows×cols block whose first
// element is a[i0*lda+j0]; slicing panics if a is too short.
func subMatrix(a []float32, lda, i0, j0, rows, cols int) []float32 {
	start := i0*lda + j0
	return a[start : start+(rows-1)*lda+cols]
}

func neonOuterUpdate(alpha float32, x, y, a []float32, lda int) {
	m, n := len(x), len(y)
	rows, cols := neonBlocks(m, n)
	for j0 := 0; j0 < n; j0 += cols {
		nc := min(cols, n-j0)
		for i0 := 0; i0 < m; i0 += rows {
			mr := min(rows, m-i0)
			outerUpdateNEON(alpha, x[i0:i0+mr], y[j0:j0+nc], subMatrix(a, lda, i0, j0, mr, nc), lda)
		}
	}
}

// neonGemvN splits y = alpha·a·x + beta·y by blocks of a. A row cut into
// column pieces accumulates its pieces in y: beta applies to the first
// piece, the later ones add to y with beta = 1.
func neonGemvN(m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32) {
	rows, cols := neonBlocks(m, n)
	b := beta
	for j0 := 0; j0 < n; j0 += cols {
		nc := min(cols, n-j0)
		for i0 := 0; i0 < m; i0 += rows {
			mr := min(rows, m-i0)
			gemvNNEON(mr, nc, alpha, subMatrix(a, lda, i0, j0, mr, nc), lda, x[j0:j0+nc], b, y[i0:i0+mr])
		}
		b = 1
	}
}

// neonGemvT splits y = alpha·aᵀ·x + beta·y by blocks of a. The column pieces
// of y are independent; within one, beta applies to the first block of
// rows, the later ones add to y with beta = 1.
func neonGemvT(m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32) {
	rows, cols := neonBlocks(m, n)
	for j0 := 0; j0 < n; j0 += cols {
		nc := min(cols, n-j0)
		b := beta
		for i0 := 0; i0 < m; i0 += rows {
			mr := min(rows, m-i0)
			gemvTNEON(mr, nc, alpha, subMatrix(a, lda, i0, j0, mr, nc), lda, x[i0:i0+mr], b, y[j0:j0+nc])
			b = 1
		}
	}
}

// gemm8x8NEON computes one full 8×8 tile of C, the gemmKernel contract
// (gemm.go) with mr = nr = 8:
//
//	for i := 0; i < 8; i++ {
//		for j := 0; j < 8; j++ {
//			var s float32
//			for p := 0; p < kc; p++ {
//				s += a[i*rsA+p*csA] * b[p*ldb+j]
//			}
//			v := alpha * s
//			if flags&gemmLoadC != 0 {
//				v += beta * c[i*ldc+j]
//			}
//			if flags&gemmAddBias != 0 {
//				v += bias[j]
//			}
//			if flags&gemmRelu != 0 && !(v > 0) {
//				v = 0
//			}
//			c[i*ldc+j] = v
//		}
//	}
//
// up to the order of the additions and with fused multiply-adds. It reads
// all 8 rows of a, all 8 columns of b and, with gemmAddBias, 8 bias
// elements; it reads c only with gemmLoadC.
//
//go:noescape
func gemm8x8NEON(kc int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32, bias []float32, flags int)

// gemmKernel8x8NEON is gemmKernel for an 8×8 tile. B is read for all 8
// columns (the driver pads a partial sliver). Full tiles go straight to the
// assembly; a partial one is computed in an 8×8 scratch tile on the stack
// and its mr×nr corner copied out, so C and the bias are touched only
// within nr columns and mr rows.
func gemmKernel8x8NEON(kc int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int, mr, nr int, alpha, beta float32, bias []float32, flags int) {
	// The assembly trusts its operands; these bounds checks stop a bad call
	// in Go instead.
	_ = a[7*rsA+max(kc-1, 0)*csA]
	_ = b[max(kc-1, 0)*ldb+7]
	if mr == 8 && nr == 8 {
		_ = c[7*ldc+7]
		if flags&gemmAddBias != 0 {
			_ = bias[7]
		}
		gemm8x8NEON(kc, a, rsA, csA, b, ldb, c, ldc, alpha, beta, bias, flags)
		return
	}
	var tile [8 * 8]float32
	var biasRow [8]float32
	if flags&gemmLoadC != 0 {
		for i := 0; i < mr; i++ {
			copy(tile[i*8:i*8+nr], c[i*ldc:i*ldc+nr])
		}
	}
	if flags&gemmAddBias != 0 {
		copy(biasRow[:nr], bias[:nr])
	}
	gemm8x8NEON(kc, a, rsA, csA, b, ldb, tile[:], 8, alpha, beta, biasRow[:], flags)
	for i := 0; i < mr; i++ {
		copy(c[i*ldc:i*ldc+nr], tile[i*8:i*8+nr])
	}
}
