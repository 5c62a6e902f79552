//go:build !purego

package kernels

// The amd64 sparse-row kernels (sparse_avx512_amd64.s, sparse_avx2_amd64.s)
// and their Go wrappers. The assembly checks every index against limit
// (unsigned, so negative ones fail too) before using it and returns the
// position of the first bad one, or −1; the rows listed before a bad index
// have been applied.

func init() {
	avx512Impl.gemvTRows = gemvTRowsAVX512
	avx512Impl.outerUpdateRows = outerUpdateRowsAVX512
	avx2Impl.gemvTRows = gemvTRowsAVX2
	avx2Impl.outerUpdateRows = outerUpdateRowsAVX2
	avx512Impl.nonZeros = nonZerosAVX512Asm
	avx2Impl.nonZeros = nonZerosAVX2Asm
}

// nonZerosAVX512Asm writes the positions of x's non-zero entries (NaNs
// included) to idx in ascending order, 16 floats per step, and reports
// whether x is all finite. len(idx) ≥ len(x).
//
//go:noescape
func nonZerosAVX512Asm(idx []int32, x []float32) (count int, finite bool)

// nonZerosAVX2Asm is nonZerosAVX512Asm with 8 floats per step.
//
//go:noescape
func nonZerosAVX2Asm(idx []int32, x []float32) (count int, finite bool)

// gemvTRowsAVX512Asm computes, for each i in rows, in order,
//
//	y[j] += x[i] * a[i*lda+j]   (j < len(y), one fused multiply-add)
//
// for columns in strips of 128 (then 64, 32 and 16-wide pieces, the last
// masked) with the strip of y in registers while the rows stream past.
//
//go:noescape
func gemvTRowsAVX512Asm(y, a []float32, lda int, x []float32, rows []int32, limit int) int

// outerUpdateRowsAVX512Asm computes, for each i in rows, from the last
// listed to the first,
//
//	a[i*lda+j] += (alpha*x[i]) * y[j]   (j < len(y))
//
// with alpha·x[i] rounded once per row, in the same strips as
// gemvTRowsAVX512Asm with the strip of y in registers.
//
//go:noescape
func outerUpdateRowsAVX512Asm(alpha float32, x []float32, rows []int32, y, a []float32, lda int, limit int) int

// gemvTRowsAVX2Asm is gemvTRowsAVX512Asm with 8-lane vectors: strips of 64
// columns (then 32 and 8-wide pieces, the last one VMASKMOVPS-masked).
//
//go:noescape
func gemvTRowsAVX2Asm(y, a []float32, lda int, x []float32, rows []int32, limit int) int

// outerUpdateRowsAVX2Asm is outerUpdateRowsAVX512Asm with 8-lane vectors,
// in the strips of gemvTRowsAVX2Asm.
//
//go:noescape
func outerUpdateRowsAVX2Asm(alpha float32, x []float32, rows []int32, y, a []float32, lda int, limit int) int

type gemvTRowsKernel func(y, a []float32, lda int, x []float32, rows []int32, limit int) int
type outerUpdateRowsKernel func(alpha float32, x []float32, rows []int32, y, a []float32, lda int, limit int) int

func gemvTRowsAVX512(y, a []float32, lda int, x []float32, rows []int32, limit int) int {
	return gemvTRowsInChunks(gemvTRowsAVX512Asm, y, a, lda, x, rows, limit)
}

// outerUpdateRowsAVX512 runs the 16-lane kernel at every size, unlike the
// dense writing kernels (see beyondL1): on the 784×128 MNIST first layer
// (392 KiB, in L2) of an Emerald Rapids core the 8-lane one is as fast
// alone (1.73 µs a sample) but 6% slower beside the forward pass that
// precedes it in training (2.57 µs against 2.41 for both; per-sample epoch
// 0.220 s against 0.207, best of four each), and on Zen 4 they tie.
func outerUpdateRowsAVX512(alpha float32, x []float32, rows []int32, y, a []float32, lda int, limit int) int {
	return outerUpdateRowsInChunks(outerUpdateRowsAVX512Asm, alpha, x, rows, y, a, lda, limit)
}

func gemvTRowsAVX2(y, a []float32, lda int, x []float32, rows []int32, limit int) int {
	return gemvTRowsInChunks(gemvTRowsAVX2Asm, y, a, lda, x, rows, limit)
}

func outerUpdateRowsAVX2(alpha float32, x []float32, rows []int32, y, a []float32, lda int, limit int) int {
	return outerUpdateRowsInChunks(outerUpdateRowsAVX2Asm, alpha, x, rows, y, a, lda, limit)
}

// sparseRowsPerCall is how many listed rows of n columns one assembly call
// takes: at most asmChunk elements, so a call stays short (see asmChunk).
func sparseRowsPerCall(n int) int { return max(1, asmChunk/n) }

func gemvTRowsInChunks(k gemvTRowsKernel, y, a []float32, lda int, x []float32, rows []int32, limit int) int {
	step := sparseRowsPerCall(len(y))
	for r := 0; r < len(rows); r += step {
		part := rows[r:min(r+step, len(rows))]
		if bad := k(y, a, lda, x, part, limit); bad >= 0 {
			return r + bad
		}
	}
	return -1
}

// outerUpdateRowsInChunks takes the chunks from the last, as the kernels
// take the rows of one.
func outerUpdateRowsInChunks(k outerUpdateRowsKernel, alpha float32, x []float32, rows []int32, y, a []float32, lda int, limit int) int {
	step := sparseRowsPerCall(len(y))
	for r := (len(rows) - 1) / step * step; r >= 0; r -= step {
		part := rows[r:min(r+step, len(rows))]
		if bad := k(alpha, x, part, y, a, lda, limit); bad >= 0 {
			return r + bad
		}
	}
	return -1
}
