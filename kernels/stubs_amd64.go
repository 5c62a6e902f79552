//go:build !purego

package kernels

import "github.com/klauspost/cpuid/v2"

// Declarations of the amd64 assembly kernels (vec_*_amd64.s: dot, axpy,
// relu, relu backward; mat_*_amd64.s: outer update, gemv), and the Go
// wrappers the dispatch table calls.
//
// An assembly function cannot be preempted, so a wrapper cuts long vectors
// and large matrices into pieces of at most asmChunk elements: the longest
// single call then takes a few microseconds and the scheduler and garbage
// collector never wait much longer than that for this goroutine.
//
// The "…Asm" functions trust their caller: lengths match (len(y) ≥ len(x)
// where both are read), matrices hold (m−1)·lda+n elements, m, n ≥ 1 where
// a matrix is involved. They never touch memory outside the slices they are
// given: the last partial vector of a vector or row is read and written with
// masked loads and stores (AVX-512 opmasks, AVX2 VMASKMOVPS), except in the
// outer update, whose row tails are pieces of 8, 4, 2 and 1 elements.

// asmChunk is the most elements (vector lengths, or matrix rows × columns)
// one assembly call works on.
const asmChunk = 1 << 16

// l1DataBytes is the size of this core's L1 data cache, or 32 KiB when the
// CPU does not say.
var l1DataBytes = func() int {
	if c := cpuid.CPU.Cache.L1D; c > 0 {
		return c
	}
	return 32 << 10
}()

// beyondL1 reports whether a kernel touching this many bytes streams them
// from L2 or further. The AVX-512 implementation then runs the 8-lane
// version of the kernels that write (axpy, relu, relu backward, outer
// update): on a Sapphire Rapids-class core those are 6–9%
// faster than the 16-lane ones once their data leave L1 (outer update
// 784×128: 6.8 µs against 7.3; axpy n=65536: 5.2 µs against 5.5), while
// inside L1 the 16-lane ones are up to 2× faster (relu backward n=4096:
// 89 ns against 191). Kernels that only read (dot, gemv) stay 16-lane:
// they are faster at every size.
func beyondL1(bytes int) bool { return bytes > l1DataBytes }

// avx2TailMask holds eight all-ones lanes followed by eight zero lanes. The
// AVX2 kernels load eight lanes at &avx2TailMask[8−r] to get a VMASKMOVPS
// mask selecting the first r < 8 elements of a vector.
var avx2TailMask = [16]int32{-1, -1, -1, -1, -1, -1, -1, -1}

// ---- AVX-512F ----

// dotAVX512Asm returns the sum of x[i]·y[i] for i < len(x), with eight
// 16-lane partial sums (fused multiply-adds) added at the end.
//
//go:noescape
func dotAVX512Asm(x, y []float32) float32

// axpyAVX512Asm computes y[i] += alpha·x[i] (one fused multiply-add) for
// i < len(x).
//
//go:noescape
func axpyAVX512Asm(alpha float32, x, y []float32)

// reluAVX512Asm sets dst[i] = src[i] if src[i] > 0, else +0 (also for NaN
// and −0), for i < len(src). dst may be src.
//
//go:noescape
func reluAVX512Asm(dst, src []float32)

// reluBackwardAVX512Asm sets delta[i] = +0 where !(act[i] > 0), for
// i < len(delta); other elements of delta are left alone.
//
//go:noescape
func reluBackwardAVX512Asm(delta, act []float32)

// outerUpdateAVX512Asm computes, for i < len(x) and j < len(y),
//
//	a[i*lda+j] += (alpha*x[i]) * y[j]
//
// with alpha·x[i] rounded once per row and a fused multiply-add per element.
// Columns are taken 128 at a time with that part of y held in registers
// while the rows stream past; the other columns take one more pass.
//
//go:noescape
func outerUpdateAVX512Asm(alpha float32, x, y []float32, a []float32, lda int)

// gemvNAVX512Asm computes, for i < m,
//
//	y[i] = alpha*dot(a[i*lda:i*lda+n], x) + beta*y[i]
//
// where beta = 0 writes y without reading it and beta = 1 adds y unscaled.
// Four rows are done at once, sharing each load of x.
//
//go:noescape
func gemvNAVX512Asm(m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32)

// gemvTAVX512Asm computes, for j < n,
//
//	y[j] = alpha*(x[0]*a[j] + x[1]*a[lda+j] + … + x[m-1]*a[(m-1)*lda+j]) + beta*y[j]
//
// where beta = 0 writes y without reading it and beta = 1 adds y unscaled.
// The sum is kept in registers for a strip of columns (128, 64 with two
// rows in flight, or 16 with four) while the rows of a stream past; alpha
// and beta are applied once per column at the end.
//
//go:noescape
func gemvTAVX512Asm(m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32)

func dotAVX512(x, y []float32) float32 {
	if len(x) <= asmChunk {
		return dotAVX512Asm(x, y)
	}
	return dotInChunks(dotAVX512Asm, x, y)
}

func axpyAVX512(alpha float32, x, y []float32) {
	if beyondL1(8 * len(x)) {
		axpyAVX2(alpha, x, y)
		return
	}
	if len(x) <= asmChunk {
		axpyAVX512Asm(alpha, x, y)
		return
	}
	axpyInChunks(axpyAVX512Asm, alpha, x, y)
}

func reluAVX512(dst, src []float32) {
	if beyondL1(8 * len(src)) {
		reluAVX2(dst, src)
		return
	}
	if len(src) <= asmChunk {
		reluAVX512Asm(dst, src)
		return
	}
	pairInChunks(reluAVX512Asm, dst, src)
}

func reluBackwardAVX512(delta, act []float32) {
	if beyondL1(8 * len(delta)) {
		reluBackwardAVX2(delta, act)
		return
	}
	if len(delta) <= asmChunk {
		reluBackwardAVX512Asm(delta, act)
		return
	}
	pairInChunks(reluBackwardAVX512Asm, delta, act)
}

func outerUpdateAVX512(alpha float32, x, y []float32, a []float32, lda int) {
	if beyondL1(4 * len(x) * len(y)) {
		outerUpdateInChunks(outerUpdateAVX2Asm, alpha, x, y, a, lda)
		return
	}
	outerUpdateInChunks(outerUpdateAVX512Asm, alpha, x, y, a, lda)
}

// gemvNAVX512ShortRow is the row length below which gemvN runs the 8-lane
// kernel: a row of fewer than two 16-lane vectors leaves the 16-lane kernel
// doing little but horizontal sums and (when rows are not 64-byte aligned)
// cache-line-split loads. Measured at 128×10: 125 ns (8 lanes) against 172.
// A 16-lane kernel for rows of up to 16, sixteen rows a block summed in one
// tree of shuffles, took 143–148 ns against 150–190 at 128×10 but made no
// difference to a per-sample MNIST step (0.993–1.001 of the time, blocks
// of 200 samples drawn at random between the two), so gemvN keeps the
// 8-lane kernel; the tree serves GemvNRows, whose rows come from a list.
const gemvNAVX512ShortRow = 32

func gemvNAVX512(m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32) {
	if n < gemvNAVX512ShortRow {
		gemvNInChunks(gemvNAVX2Asm, m, n, alpha, a, lda, x, beta, y)
		return
	}
	gemvNInChunks(gemvNAVX512Asm, m, n, alpha, a, lda, x, beta, y)
}

func gemvTAVX512(m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32) {
	gemvTInChunks(gemvTAVX512Asm, m, n, alpha, a, lda, x, beta, y)
}

// ---- AVX2 + FMA ----

// dotAVX2Asm returns the sum of x[i]·y[i] for i < len(x), with four 8-lane
// partial sums (fused multiply-adds) added at the end.
//
//go:noescape
func dotAVX2Asm(x, y []float32) float32

// axpyAVX2Asm computes y[i] += alpha·x[i] (one fused multiply-add) for
// i < len(x).
//
//go:noescape
func axpyAVX2Asm(alpha float32, x, y []float32)

// reluAVX2Asm sets dst[i] = src[i] if src[i] > 0, else +0 (also for NaN and
// −0), for i < len(src). dst may be src.
//
//go:noescape
func reluAVX2Asm(dst, src []float32)

// reluBackwardAVX2Asm sets delta[i] = +0 where !(act[i] > 0), for
// i < len(delta); other elements of delta are left alone.
//
//go:noescape
func reluBackwardAVX2Asm(delta, act []float32)

// outerUpdateAVX2Asm computes, for i < len(x) and j < len(y),
//
//	a[i*lda+j] += (alpha*x[i]) * y[j]
//
// with alpha·x[i] rounded once per row and a fused multiply-add per element.
// Columns are taken 64 at a time with that part of y held in registers
// while the rows stream past; the other columns take one more pass.
//
//go:noescape
func outerUpdateAVX2Asm(alpha float32, x, y []float32, a []float32, lda int)

// gemvNAVX2Asm computes, for i < m,
//
//	y[i] = alpha*dot(a[i*lda:i*lda+n], x) + beta*y[i]
//
// where beta = 0 writes y without reading it and beta = 1 adds y unscaled.
// Four rows are done at once, sharing each load of x.
//
//go:noescape
func gemvNAVX2Asm(m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32)

// gemvTAVX2Asm computes, for j < n,
//
//	y[j] = alpha*(x[0]*a[j] + x[1]*a[lda+j] + … + x[m-1]*a[(m-1)*lda+j]) + beta*y[j]
//
// where beta = 0 writes y without reading it and beta = 1 adds y unscaled.
// The sum is kept in registers for a strip of columns (64, or 8 with four
// rows in flight) while the rows of a stream past; alpha and beta are
// applied once per column at the end.
//
//go:noescape
func gemvTAVX2Asm(m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32)

func dotAVX2(x, y []float32) float32 {
	if len(x) <= asmChunk {
		return dotAVX2Asm(x, y)
	}
	return dotInChunks(dotAVX2Asm, x, y)
}

func axpyAVX2(alpha float32, x, y []float32) {
	if len(x) <= asmChunk {
		axpyAVX2Asm(alpha, x, y)
		return
	}
	axpyInChunks(axpyAVX2Asm, alpha, x, y)
}

func reluAVX2(dst, src []float32) {
	if len(src) <= asmChunk {
		reluAVX2Asm(dst, src)
		return
	}
	pairInChunks(reluAVX2Asm, dst, src)
}

func reluBackwardAVX2(delta, act []float32) {
	if len(delta) <= asmChunk {
		reluBackwardAVX2Asm(delta, act)
		return
	}
	pairInChunks(reluBackwardAVX2Asm, delta, act)
}

func outerUpdateAVX2(alpha float32, x, y []float32, a []float32, lda int) {
	outerUpdateInChunks(outerUpdateAVX2Asm, alpha, x, y, a, lda)
}

func gemvNAVX2(m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32) {
	gemvNInChunks(gemvNAVX2Asm, m, n, alpha, a, lda, x, beta, y)
}

func gemvTAVX2(m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32) {
	gemvTInChunks(gemvTAVX2Asm, m, n, alpha, a, lda, x, beta, y)
}

// ---- chunking, shared by both instruction sets ----

type gemvKernel func(m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32)

func dotInChunks(kernel func(x, y []float32) float32, x, y []float32) float32 {
	var s float32
	for len(x) > 0 {
		k := min(len(x), asmChunk)
		s += kernel(x[:k], y[:k])
		x, y = x[k:], y[k:]
	}
	return s
}

func axpyInChunks(kernel func(alpha float32, x, y []float32), alpha float32, x, y []float32) {
	for len(x) > 0 {
		k := min(len(x), asmChunk)
		kernel(alpha, x[:k], y[:k])
		x, y = x[k:], y[k:]
	}
}

// pairInChunks runs an element-wise kernel of two equally long vectors
// (relu, relu backward) piece by piece.
func pairInChunks(kernel func(a, b []float32), a, b []float32) {
	for len(a) > 0 {
		k := min(len(a), asmChunk)
		kernel(a[:k], b[:k])
		a, b = a[k:], b[k:]
	}
}

// rowsPerCall is how many rows of a matrix with cols ≥ 1 columns (at most
// asmChunk) one assembly call takes.
func rowsPerCall(cols int) int { return max(1, asmChunk/cols) }

// subMatrix returns the rows×cols block of a (leading dimension lda) whose
// top left element is a[i*lda+j], cut to the elements the block spans.
func subMatrix(a []float32, lda, i, j, rows, cols int) []float32 {
	start := i*lda + j
	return a[start : start+(rows-1)*lda+cols]
}

func outerUpdateInChunks(kernel func(alpha float32, x, y []float32, a []float32, lda int), alpha float32, x, y []float32, a []float32, lda int) {
	m, n := len(x), len(y)
	for j := 0; j < n; j += asmChunk {
		cols := min(asmChunk, n-j)
		step := rowsPerCall(cols)
		for i := 0; i < m; i += step {
			rows := min(step, m-i)
			kernel(alpha, x[i:i+rows], y[j:j+cols], subMatrix(a, lda, i, j, rows, cols), lda)
		}
	}
}

// gemvNInChunks splits y = alpha·a·x + beta·y by rows (independent) and by
// columns (the later column pieces add to y with beta = 1).
func gemvNInChunks(kernel gemvKernel, m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32) {
	for j := 0; j < n; j += asmChunk {
		cols := min(asmChunk, n-j)
		step := rowsPerCall(cols)
		for i := 0; i < m; i += step {
			rows := min(step, m-i)
			kernel(rows, cols, alpha, subMatrix(a, lda, i, j, rows, cols), lda, x[j:j+cols], beta, y[i:i+rows])
		}
		beta = 1
	}
}

// gemvTInChunks splits y = alpha·aᵀ·x + beta·y by columns (independent) and
// by rows (the later row pieces add to y with beta = 1).
func gemvTInChunks(kernel gemvKernel, m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32) {
	for j := 0; j < n; j += asmChunk {
		cols := min(asmChunk, n-j)
		step := rowsPerCall(cols)
		rowBeta := beta
		for i := 0; i < m; i += step {
			rows := min(step, m-i)
			kernel(rows, cols, alpha, subMatrix(a, lda, i, j, rows, cols), lda, x[i:i+rows], rowBeta, y[j:j+cols])
			rowBeta = 1
		}
	}
}
