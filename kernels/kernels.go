// Package kernels holds the float32 compute kernels that nnsimd's neural
// networks are built on: dot products, axpy, scaling, the outer-product
// (rank-1) weight update, relu, e^x, matrix-vector and matrix-matrix
// products, transposition, and the sparse-input kernels of a first layer whose inputs
// are mostly zero (sparse.go, sparse_t.go).
//
// Every kernel has one Go signature and several implementations: a pure-Go
// reference ("generic", also the fallback) and assembly for AVX2+FMA,
// AVX-512F and arm64 NEON. The best implementation the CPU supports is chosen
// once at start-up; ISA names the one in use, Available lists the usable ones
// and Use switches between them. The environment variable NNSIMD_ISA forces
// one at start-up. The build tag purego builds the generic code alone.
//
// Matrices are row-major float32 slices with a leading dimension (the stride
// between rows, at least the row length), as in BLAS. Length and shape
// mismatches are programmer errors and panic with a message naming the
// argument and both sizes; front doors that take user input (the C library,
// the Python package) validate before calling.
package kernels

import "fmt"

// Dot returns the dot product of x and y. It computes
//
//	var s float32
//	for i := range x {
//		s += x[i] * y[i]
//	}
//	return s
//
// up to the order of the additions (implementations use several partial sums).
// It panics unless len(x) == len(y).
func Dot(x, y []float32) float32 {
	if len(x) != len(y) {
		panic(fmt.Sprintf("kernels: Dot: len(y) = %d, want len(x) = %d", len(y), len(x)))
	}
	return active.dot(x, y)
}

// Axpy adds alpha·x to y in place:
//
//	for i := range x {
//		y[i] += alpha * x[i]
//	}
//
// It panics unless len(x) == len(y).
func Axpy(alpha float32, x, y []float32) {
	if len(x) != len(y) {
		panic(fmt.Sprintf("kernels: Axpy: len(y) = %d, want len(x) = %d", len(y), len(x)))
	}
	active.axpy(alpha, x, y)
}

// OuterUpdate adds the scaled outer product of x and y to the
// len(x)×len(y) matrix a with leading dimension lda (BLAS sger):
//
//	for i := range x {
//		for j := range y {
//			a[i*lda+j] += alpha * x[i] * y[j]
//		}
//	}
//
// This is the book's weight update W −= α·outer(layer_in, delta), with
// alpha = −α. Each row is updated as a[i,:] += (alpha·x[i])·y, so alpha·x[i]
// is rounded once per row. It panics if lda < len(y) or a is too short.
func OuterUpdate(alpha float32, x, y []float32, a []float32, lda int) {
	m, n := len(x), len(y)
	checkMatrix("OuterUpdate", "a", m, n, a, lda)
	if m == 0 || n == 0 {
		return
	}
	active.outerUpdate(alpha, x, y, a, lda)
}

// Relu writes max(src[i], 0) to dst[i]:
//
//	for i := range src {
//		if src[i] > 0 {
//			dst[i] = src[i]
//		} else {
//			dst[i] = 0
//		}
//	}
//
// A NaN input gives 0 as written above; implementations agree on that.
// dst and src may be the same slice. It panics unless len(dst) == len(src).
func Relu(dst, src []float32) {
	if len(dst) != len(src) {
		panic(fmt.Sprintf("kernels: Relu: len(dst) = %d, want len(src) = %d", len(dst), len(src)))
	}
	active.relu(dst, src)
}

// ReluBackward multiplies delta by the derivative of relu taken at the layer's
// output act, in place:
//
//	for i := range delta {
//		if !(act[i] > 0) {
//			delta[i] = 0
//		}
//	}
//
// It panics unless len(delta) == len(act).
func ReluBackward(delta, act []float32) {
	if len(delta) != len(act) {
		panic(fmt.Sprintf("kernels: ReluBackward: len(act) = %d, want len(delta) = %d", len(act), len(delta)))
	}
	active.reluBackward(delta, act)
}

// Gemv computes a matrix-vector product with the m×n matrix a (leading
// dimension lda). Without trans it computes y = alpha·a·x + beta·y, with x of
// length n and y of length m:
//
//	for i := 0; i < m; i++ {
//		var s float32
//		for j := 0; j < n; j++ {
//			s += a[i*lda+j] * x[j]
//		}
//		y[i] = alpha*s + beta*y[i]
//	}
//
// With trans it computes y = alpha·aᵀ·x + beta·y, with x of length m and y of
// length n:
//
//	for j := 0; j < n; j++ {
//		y[j] *= beta
//	}
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			y[j] += alpha * x[i] * a[i*lda+j]
//		}
//	}
//
// A dense layer with weights W (inputs×outputs) computes its output with
// trans (out = Wᵀ·in, the book's in·W) and the delta of its input without.
// As in BLAS, beta = 0 overwrites y without reading it, so a NaN already in
// y does not survive. It panics on a shape mismatch.
func Gemv(trans bool, m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32) {
	checkMatrix("Gemv", "a", m, n, a, lda)
	xn, yn := n, m
	if trans {
		xn, yn = m, n
	}
	if len(x) != xn {
		panic(fmt.Sprintf("kernels: Gemv: len(x) = %d, want %d", len(x), xn))
	}
	if len(y) != yn {
		panic(fmt.Sprintf("kernels: Gemv: len(y) = %d, want %d", len(y), yn))
	}
	if m == 0 || n == 0 {
		scale(beta, y)
		return
	}
	if trans {
		active.gemvT(m, n, alpha, a, lda, x, beta, y)
	} else {
		active.gemvN(m, n, alpha, a, lda, x, beta, y)
	}
}

// Gemm computes the matrix product C = alpha·op(A)·op(B) + beta·C, where C is
// m×n (leading dimension ldc), op(A) is m×k and op(B) is k×n. op(A) is A, or
// Aᵀ when transA is set (then A is stored k×m); likewise for B. Without
// transposes:
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += a[i*lda+p] * b[p*ldb+j]
//			}
//			c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
//		}
//	}
//
// The three orientations a dense layer needs are X·W (forward), δ·Wᵀ
// (transB, the delta of the layer's input) and Xᵀ·δ (transA, the weight
// gradient). As in BLAS, beta = 0 overwrites C without reading it. It panics
// on a shape mismatch. Large products are split across SetThreads
// goroutines by tiles of C, with the same results whatever the count;
// GemmEpilogue fuses a dense layer's bias and relu into the product.
func Gemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemmShapes("Gemm", transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		for i := 0; i < m; i++ {
			scale(beta, c[i*ldc:i*ldc+n])
		}
		return
	}
	gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// checkGemmShapes panics unless a, b and c hold op(A) m×k, op(B) k×n and C m×n
// with their leading dimensions.
func checkGemmShapes(fn string, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if transA {
		checkMatrix(fn, "a", k, m, a, lda)
	} else {
		checkMatrix(fn, "a", m, k, a, lda)
	}
	if transB {
		checkMatrix(fn, "b", n, k, b, ldb)
	} else {
		checkMatrix(fn, "b", k, n, b, ldb)
	}
	checkMatrix(fn, "c", m, n, c, ldc)
}

// checkMatrix panics unless s can hold a rows×cols matrix with leading
// dimension ld. The last row needs only cols elements, as in BLAS.
func checkMatrix(fn, name string, rows, cols int, s []float32, ld int) {
	if rows < 0 || cols < 0 {
		panic(fmt.Sprintf("kernels: %s: %s is %d×%d, dimensions must not be negative", fn, name, rows, cols))
	}
	if ld < cols {
		panic(fmt.Sprintf("kernels: %s: leading dimension of %s is %d, want at least %d", fn, name, ld, cols))
	}
	if rows == 0 || cols == 0 {
		return
	}
	if need := (rows-1)*ld + cols; len(s) < need {
		panic(fmt.Sprintf("kernels: %s: len(%s) = %d, want at least %d for %d×%d with leading dimension %d", fn, name, len(s), need, rows, cols, ld))
	}
}

// scale sets y = beta·y, and y = 0 when beta is 0 (so NaNs in y vanish, as
// in BLAS).
func scale(beta float32, y []float32) {
	switch beta {
	case 1:
	case 0:
		clear(y)
	default:
		for i := range y {
			y[i] *= beta
		}
	}
}
