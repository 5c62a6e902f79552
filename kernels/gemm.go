package kernels

// gemmChunk bounds the column of a transposed A gathered at once, so the
// gather buffer lives on the stack.
const gemmChunk = 256

// gemm computes one row of C at a time with the vectorised gemv kernels:
// row i of op(A)·op(B) is op(B)ᵀ applied to row i of op(A). When A is
// transposed, that row is a strided column of A, gathered in chunks.
// Shapes are checked; m, n, k ≥ 1 and alpha ≠ 0.
func gemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	im := active
	for i := 0; i < m; i++ {
		ci := c[i*ldc : i*ldc+n]
		if !transA {
			ai := a[i*lda : i*lda+k]
			if transB {
				im.gemvN(n, k, alpha, b, ldb, ai, beta, ci)
			} else {
				im.gemvT(k, n, alpha, b, ldb, ai, beta, ci)
			}
			continue
		}
		var buf [gemmChunk]float32
		rowBeta := beta
		for p0 := 0; p0 < k; p0 += gemmChunk {
			kc := min(gemmChunk, k-p0)
			col := buf[:kc]
			for p := range col {
				col[p] = a[(p0+p)*lda+i]
			}
			if transB {
				im.gemvN(n, kc, alpha, b[p0:], ldb, col, rowBeta, ci)
			} else {
				im.gemvT(kc, n, alpha, b[p0*ldb:], ldb, col, rowBeta, ci)
			}
			rowBeta = 1
		}
	}
}
