//go:build !purego

package kernels

func init() {
	avx512Impl.sparseColStrip = 64
	avx512Impl.gemmSparseCols = gemmSparseColsInChunks(gemmSparseColsAVX512Asm, 64)
	avx512Impl.outerUpdateSparseCols = outerUpdateSparseColsInChunks(outerUpdateSparseColsAVX512Asm, 64)
	avx2Impl.sparseColStrip = 32
	avx2Impl.gemmSparseCols = gemmSparseColsInChunks(gemmSparseColsAVX2Asm, 32)
	avx2Impl.outerUpdateSparseCols = outerUpdateSparseColsInChunks(outerUpdateSparseColsAVX2Asm, 32)
}

// gemmSparseColsAVX512Asm is GemmSparseCols on one strip of 64 columns (b
// and c start at the strip), k columns of X; it returns the entry of the
// first sample index not below m, or −1.
//
//go:noescape
func gemmSparseColsAVX512Asm(m, k int, colStart, sample []int32, val, b []float32, ldb int, c []float32, ldc int) int

// outerUpdateSparseColsAVX512Asm is OuterUpdateSparseCols on one strip of
// 64 columns (d and b start at the strip).
//
//go:noescape
func outerUpdateSparseColsAVX512Asm(m, k int, alpha float32, colStart, sample []int32, val, d []float32, ldd int, b []float32, ldb int) int

// gemmSparseColsAVX2Asm is gemmSparseColsAVX512Asm on 32 columns.
//
//go:noescape
func gemmSparseColsAVX2Asm(m, k int, colStart, sample []int32, val, b []float32, ldb int, c []float32, ldc int) int

// outerUpdateSparseColsAVX2Asm is outerUpdateSparseColsAVX512Asm on 32
// columns.
//
//go:noescape
func outerUpdateSparseColsAVX2Asm(m, k int, alpha float32, colStart, sample []int32, val, d []float32, ldd int, b []float32, ldb int) int

type gemmSparseColsKernel func(m, k int, colStart, sample []int32, val, b []float32, ldb int, c []float32, ldc int) int
type outerUpdateSparseColsKernel func(m, k int, alpha float32, colStart, sample []int32, val, d []float32, ldd int, b []float32, ldb int) int

// sparseColsSpan returns the end of the run of columns from p0 whose
// entries, times the strip width, stay within asmChunk (at least one
// column), so that one assembly call stays short.
func sparseColsSpan(colStart []int32, p0, k, width int) int {
	most := int32(max(1, asmChunk/width))
	p1 := p0 + 1
	for p1 < k && colStart[p1+1]-colStart[p0] <= most {
		p1++
	}
	return p1
}

func gemmSparseColsInChunks(kern gemmSparseColsKernel, width int) func(m, k int, colStart, sample []int32, val, b []float32, ldb int, c []float32, ldc int) int {
	return func(m, k int, colStart, sample []int32, val, b []float32, ldb int, c []float32, ldc int) int {
		for p0 := 0; p0 < k; {
			p1 := sparseColsSpan(colStart, p0, k, width)
			if bad := kern(m, p1-p0, colStart[p0:p1+1], sample, val, b[p0*ldb:], ldb, c, ldc); bad >= 0 {
				return bad
			}
			p0 = p1
		}
		return -1
	}
}

func outerUpdateSparseColsInChunks(kern outerUpdateSparseColsKernel, width int) func(m, k int, alpha float32, colStart, sample []int32, val, d []float32, ldd int, b []float32, ldb int) int {
	return func(m, k int, alpha float32, colStart, sample []int32, val, d []float32, ldd int, b []float32, ldb int) int {
		for p0 := 0; p0 < k; {
			p1 := sparseColsSpan(colStart, p0, k, width)
			if bad := kern(m, p1-p0, alpha, colStart[p0:p1+1], sample, val, d, ldd, b[p0*ldb:], ldb); bad >= 0 {
				return bad
			}
			p0 = p1
		}
		return -1
	}
}
