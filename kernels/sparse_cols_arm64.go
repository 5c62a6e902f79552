//go:build !purego

package kernels

// The NEON column-wise sparse kernels (sparse_cols_arm64.s) work on strips
// of 32 columns: the strip of a row of b (forward) or of the gradient row
// (update) takes 8 of the 32 vector registers, and the strip of the batch
// matrix (c or d, 128 rows of 128 bytes) stays in a 32 KiB L1 cache. A
// width left over after the last whole strip runs the generic kernel
// (sparse_cols.go).

const neonSparseColStrip = 32

func init() {
	neonImpl.sparseColStrip = neonSparseColStrip
	neonImpl.gemmSparseCols = neonGemmSparseCols
	neonImpl.outerUpdateSparseCols = neonOuterUpdateSparseCols
}

// gemmSparseColsNEON is GemmSparseCols on one strip of 32 columns (b and c
// start at the strip) for the k columns of X that colStart (k+1 entries)
// describes:
//
//	for p := 0; p < k; p++ {
//		for e := colStart[p]; e < colStart[p+1]; e++ {
//			i := sample[e] // if i is not in [0, m): return e
//			for j := 0; j < 32; j++ {
//				c[i*ldc+j] += val[e] * b[p*ldb+j] // one fused multiply-add
//			}
//		}
//	}
//	return -1
//
// colStart must be ascending and within sample and val, b must hold k rows
// and c m rows of 32 columns.
//
//go:noescape
func gemmSparseColsNEON(m, k int, colStart, sample []int32, val, b []float32, ldb int, c []float32, ldc int) int

// outerUpdateSparseColsNEON is OuterUpdateSparseCols on one strip of 32
// columns (d and b start at the strip):
//
//	for p := 0; p < k; p++ {
//		if colStart[p] == colStart[p+1] {
//			continue // b's row p is not touched
//		}
//		var g [32]float32
//		for e := colStart[p]; e < colStart[p+1]; e++ {
//			i := sample[e] // if i is not in [0, m): return e
//			for j := range g {
//				g[j] += val[e] * d[i*ldd+j] // one fused multiply-add
//			}
//		}
//		for j := range g {
//			b[p*ldb+j] += alpha * g[j] // one fused multiply-add
//		}
//	}
//	return -1
//
// under the promises of gemmSparseColsNEON, with d holding m rows.
//
//go:noescape
func outerUpdateSparseColsNEON(m, k int, alpha float32, colStart, sample []int32, val, d []float32, ldd int, b []float32, ldb int) int

// neonSparseColsSpan returns the end of the run of columns from p0 whose
// entries, times the strip width, stay within neonChunk elements (at least
// one column), so that one assembly call stays short.
func neonSparseColsSpan(colStart []int32, p0, k int) int {
	most := int32(max(1, neonChunk/neonSparseColStrip))
	p1 := p0 + 1
	for p1 < k && colStart[p1+1]-colStart[p0] <= most {
		p1++
	}
	return p1
}

// neonGemmSparseCols runs one 32-column strip in calls of bounded work.
// The bounds checks on b and c stop, in Go, a strip the assembly would
// overrun.
func neonGemmSparseCols(m, k int, colStart, sample []int32, val, b []float32, ldb int, c []float32, ldc int) int {
	_ = b[(k-1)*ldb+neonSparseColStrip-1]
	_ = c[(m-1)*ldc+neonSparseColStrip-1]
	for p0 := 0; p0 < k; {
		p1 := neonSparseColsSpan(colStart, p0, k)
		if bad := gemmSparseColsNEON(m, p1-p0, colStart[p0:p1+1], sample, val, b[p0*ldb:], ldb, c, ldc); bad >= 0 {
			return bad
		}
		p0 = p1
	}
	return -1
}

func neonOuterUpdateSparseCols(m, k int, alpha float32, colStart, sample []int32, val, d []float32, ldd int, b []float32, ldb int) int {
	_ = b[(k-1)*ldb+neonSparseColStrip-1]
	_ = d[(m-1)*ldd+neonSparseColStrip-1]
	for p0 := 0; p0 < k; {
		p1 := neonSparseColsSpan(colStart, p0, k)
		if bad := outerUpdateSparseColsNEON(m, p1-p0, alpha, colStart[p0:p1+1], sample, val, d, ldd, b[p0*ldb:], ldb); bad >= 0 {
			return bad
		}
		p0 = p1
	}
	return -1
}
