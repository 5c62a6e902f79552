//go:build !purego

package kernels

import "math"

// The amd64 GemvNRows kernels (gemvn_rows_avx512_amd64.s,
// gemvn_rows_avx2_amd64.s) check each index against limit, as unsigned 32
// bits, before using it and return the position of the first bad one, or
// −1; the rows before it may have been set.

func init() {
	avx2Impl.gemvNRows = gemvNRowsAVX2
	avx512Impl.gemvNRows = gemvNRowsAVX512
}

// gemvNRowsAVX2Asm computes, for each i in rows, in order,
//
//	y[i] = dot(a[i*lda:i*lda+len(x)], x)
//
// with 1 ≤ len(x) and limit ≤ 2³¹. Rows go four at a time, sharing each
// load of x, two 8-lane sums each, summed in one VHADDPS tree; the last
// 1–3 rows of the list go as a group of four padded with its last index,
// so that every row is summed alike wherever it comes.
//
//go:noescape
func gemvNRowsAVX2Asm(y, a []float32, lda int, x []float32, rows []int32, limit int) int

// gemvNRowsAVX512Asm computes, for each i in rows, in order,
//
//	y[i] = dot(a[i*lda:i*lda+len(x)], x)
//
// with 1 ≤ len(x) and limit ≤ 2³¹. Rows of up to 16 go sixteen at a time,
// one masked multiply each, summed lane-wise in one tree of shuffles that
// leaves each row's sum in its own lane (no row pays a horizontal sum of
// its own); longer rows go one at a time, two 16-lane sums each.
//
//go:noescape
func gemvNRowsAVX512Asm(y, a []float32, lda int, x []float32, rows []int32, limit int) int

type gemvNRowsKernel func(y, a []float32, lda int, x []float32, rows []int32, limit int) int

func gemvNRowsAVX2(y, a []float32, lda int, x []float32, rows []int32, limit int) int {
	return gemvNRowsInChunks(gemvNRowsAVX2Asm, y, a, lda, x, rows, limit)
}

func gemvNRowsAVX512(y, a []float32, lda int, x []float32, rows []int32, limit int) int {
	return gemvNRowsInChunks(gemvNRowsAVX512Asm, y, a, lda, x, rows, limit)
}

// gemvNRowsInChunks gives each assembly call at most asmChunk elements'
// worth of rows, and the kernels a limit that fits their 32-bit compare
// (indices are int32, so 2³¹ bounds none).
func gemvNRowsInChunks(k gemvNRowsKernel, y, a []float32, lda int, x []float32, rows []int32, limit int) int {
	limit = min(limit, math.MaxInt32+1)
	step := sparseRowsPerCall(len(x))
	for r := 0; r < len(rows); r += step {
		if bad := k(y, a, lda, x, rows[r:min(r+step, len(rows))], limit); bad >= 0 {
			return r + bad
		}
	}
	return -1
}
