package kernels

import (
	"fmt"
	"math"
	"sync"
)

// Sparse-row kernels: a dense layer whose input vector is mostly zeros (an
// MNIST image: 19% of its pixels are non-zero) needs only the rows of its
// weights W (inputs×outputs) that belong to non-zero inputs, both in the
// forward product in·W and in the update W −= α·outer(in, δ). The caller
// lists those inputs once as row indices; the kernels below then run one
// broadcast and one fused multiply-add per vector of each listed row, with
// the output (or δ) kept in registers for the whole list.
//
// Skipping a row is what multiplying it by x_i = 0 would do for finite
// weights; where W holds ±Inf or NaN, the dense product would give NaN
// (0·Inf) and the sparse one leaves the output alone. Callers that list
// only x's non-zeros accept that.
//
// A row index may appear more than once; each appearance counts (and
// updates) once. Indices are checked: an index that is negative or names a
// row past the end of a (or of x) panics, possibly after other listed rows
// have been used (those before it, or for OuterUpdateRows those after it).

// GemvTRows adds the listed rows of the matrix a (leading dimension lda),
// each scaled by its entry of x, to y:
//
//	for _, i := range rows {
//		for j := range y {
//			y[j] += x[i] * a[int(i)*lda+j]
//		}
//	}
//
// up to rounding: every element gets one fused multiply-add per row, in
// list order. With rows the non-zeros of x this is Gemv(true, …) of x
// against a with beta = 1, restricted to the rows that contribute. It
// panics if lda < len(y), or if an index is negative, not below len(x), or
// names a row that does not fit in a.
func GemvTRows(y, a []float32, lda int, x []float32, rows []int32) {
	n := len(y)
	if lda < n {
		panic(fmt.Sprintf("kernels: GemvTRows: lda = %d, want at least len(y) = %d", lda, n))
	}
	if n == 0 || len(rows) == 0 {
		return
	}
	limit := rowLimit(len(a), n, lda, len(x))
	f := active.gemvTRows
	if f == nil {
		f = gemvTRowsGeneric
	}
	if bad := f(y, a, lda, x, rows, limit); bad >= 0 {
		panic(badRow("GemvTRows", "rows", "a", rows[bad], bad, len(a), n, lda, len(x)))
	}
}

// OuterUpdateRows adds the scaled outer product of x and y to the listed
// rows of the matrix a (leading dimension lda) and leaves the other rows
// alone:
//
//	for k := len(rows) - 1; k >= 0; k-- {
//		s := alpha * x[rows[k]]
//		for j := range y {
//			a[int(rows[k])*lda+j] += s * y[j]
//		}
//	}
//
// with s rounded once per row and a fused multiply-add per element, as in
// OuterUpdate; with rows the non-zeros of x the results are the same as
// OuterUpdate's. The order changes no result (every appearance of a row
// adds the same s·y); the list is walked from its end because a training
// step runs GemvTRows over the same list just before, which leaves its
// last rows in L1, and walking backwards in the kernel spares training a
// reversed copy of each list (8% of a per-sample step). On the 784×128
// first layer of MNIST the forward product and update of a sample took
// 2.11–2.56 µs against 2.18–2.65 walking forwards (Zen 4, eight
// alternating runs of BenchmarkSparseRowsMNIST/both and
// both-update-forwards). It panics if lda < len(y), or if an index is
// negative, not below len(x), or names a row that does not fit in a.
func OuterUpdateRows(alpha float32, x []float32, rows []int32, y, a []float32, lda int) {
	n := len(y)
	if lda < n {
		panic(fmt.Sprintf("kernels: OuterUpdateRows: lda = %d, want at least len(y) = %d", lda, n))
	}
	if n == 0 || len(rows) == 0 {
		return
	}
	limit := rowLimit(len(a), n, lda, len(x))
	f := active.outerUpdateRows
	if f == nil {
		f = outerUpdateRowsGeneric
	}
	if bad := f(alpha, x, rows, y, a, lda, limit); bad >= 0 {
		panic(badRow("OuterUpdateRows", "rows", "a", rows[bad], bad, len(a), n, lda, len(x)))
	}
}

// NonZeros writes the positions of the non-zero entries of x to the front
// of idx, in ascending order, and returns how many there are and whether
// every entry of x is finite:
//
//	for i, v := range x {
//		if v != 0 || v != v { // NaN counts as non-zero; ±0 as zero
//			idx[count] = int32(i)
//			count++
//		}
//	}
//	finite = no entry of x is ±Inf or NaN
//
// This is the row list the other sparse-row kernels take, built in one pass
// that also checks the input. Entries of idx past count may be overwritten
// too. It panics if len(idx) < len(x) or len(x) does not fit in an int32.
func NonZeros(idx []int32, x []float32) (count int, finite bool) {
	if len(idx) < len(x) {
		panic(fmt.Sprintf("kernels: NonZeros: len(idx) = %d, want at least len(x) = %d", len(idx), len(x)))
	}
	if len(x) > math.MaxInt32 {
		panic(fmt.Sprintf("kernels: NonZeros: len(x) = %d, want at most %d", len(x), math.MaxInt32))
	}
	f := active.nonZeros
	if f == nil {
		f = nonZerosGeneric
	}
	return f(idx, x)
}

// GemmSparseRows adds the product of a sparse m×k matrix X and the dense
// matrix b (leading dimension ldb) to the m×n matrix c (leading dimension
// ldc). Row r of X is stored densely at x[r*ldx:], and rows[r] lists the
// columns of that row to use (its non-zeros):
//
//	for r := 0; r < m; r++ {
//		GemvTRows(c[r*ldc:r*ldc+n], b, ldb, x[r*ldx:r*ldx+ldx], rows[r])
//	}
//
// This is the forward product X·W of a dense layer for a batch of sparse
// inputs. Rows of c are shared out among up to Threads() goroutines; each
// row is computed by one of them exactly as alone, so the result does not
// depend on the thread count. (The amd64 code takes the rows together in
// passes over blocks of b, which changes no result; see
// gemmSparseRowsInPasses.) It panics on a shape mismatch, or if len(rows) !=
// m, or on an index that GemvTRows would refuse for its row, naming the
// row and the position in its list; other rows' entries may have been
// used by then.
func GemmSparseRows(m, n int, x []float32, ldx int, rows [][]int32, b []float32, ldb int, c []float32, ldc int) {
	checkSparse("GemmSparseRows", m, n, x, ldx, rows)
	checkMatrix("GemmSparseRows", "c", m, n, c, ldc)
	if ldb < n {
		panic(fmt.Sprintf("kernels: GemmSparseRows: leading dimension of b is %d, want at least %d", ldb, n))
	}
	if m == 0 || n == 0 {
		return
	}
	job := sparseJobs.Get().(*sparseJob)
	job.m, job.n = m, n
	job.x, job.ldx, job.rows = x, ldx, rows
	job.b, job.ldb, job.c, job.ldc = b, ldb, c, ldc
	if cap(job.cur) < m {
		job.cur = make([]int, m)
	}
	job.cur = job.cur[:m]
	job.run()
	sparseJobs.Put(job)
}

func checkSparse(fn string, m, n int, x []float32, ldx int, rows [][]int32) {
	if m < 0 || n < 0 {
		panic(fmt.Sprintf("kernels: %s: m = %d, n = %d, dimensions must not be negative", fn, m, n))
	}
	if len(rows) != m {
		panic(fmt.Sprintf("kernels: %s: len(rows) = %d, want m = %d", fn, len(rows), m))
	}
	if ldx < 0 || m > 0 && len(x) < (m-1)*ldx {
		panic(fmt.Sprintf("kernels: %s: len(x) = %d with ldx = %d, too short for %d rows", fn, len(x), ldx, m))
	}
}

// sparseMinParallel is the work (multiply-adds) below which a sparse
// product runs on the caller's goroutine alone: handing out a part costs a
// few microseconds, about 20,000 multiply-adds of these kernels.
const sparseMinParallel = 1 << 17

// sparseJob carries a GemmSparseRows to the pool: part i computes the i-th
// of parts contiguous shares of the rows of c.
type sparseJob struct {
	m, n     int
	x        []float32
	ldx      int
	rows     [][]int32
	b, c     []float32
	ldb, ldc int
	parts    int
	cur      []int // per row, scratch for active.gemmSparseRows
}

var sparseJobs = sync.Pool{New: func() any { return new(sparseJob) }}

func (j *sparseJob) run() {
	j.parts = 1
	if t := Threads(); t > 1 {
		work := 0
		for _, r := range j.rows {
			work += len(r)
		}
		if work*j.n >= sparseMinParallel {
			j.parts = min(t, j.m)
		}
	}
	if j.parts == 1 {
		j.runPart(0)
	} else {
		parallelRun(j, j.parts)
	}
	// Drop the references to the caller's data before going back to the
	// sync.Pool.
	j.x, j.rows, j.b, j.c = nil, nil, nil, nil
}

// runPart computes all columns of a share of the rows of c. Splitting
// the columns instead (each core every row, 64 columns, so that no line of
// b moves between the cores when OuterUpdateSparseT writes b back in
// shares of its rows) took 70–75 µs against 41–43 on two threads
// (128×128×784, 150 non-zeros a row, AVX2 passes of 64 columns against
// AVX-512 ones of 128): a pass costs about as much at either width. Four
// parts a thread, taken by whichever goroutine is free, were no faster in
// training (alternating epochs: 0.97–1.03 as long).
func (j *sparseJob) runPart(part int) {
	r0, r1 := j.m*part/j.parts, j.m*(part+1)/j.parts
	if r0 == r1 {
		return
	}
	f := active.gemmSparseRows
	if f == nil {
		f = gemmSparseRowsByRow
	}
	x := j.x[min(r0*j.ldx, len(j.x)):]
	if r, at := f(j.n, x, j.ldx, j.rows[r0:r1], j.b, j.ldb, j.c[r0*j.ldc:], j.ldc, j.cur[r0:r1]); r >= 0 {
		xr := x[r*j.ldx : min(r*j.ldx+j.ldx, len(x))]
		panic(badRow("GemmSparseRows", fmt.Sprintf("rows[%d]", r0+r), "b", j.rows[r0+r][at], at, len(j.b), j.n, j.ldb, len(xr)))
	}
}

// gemmSparseRowsByRow is GemmSparseRows on the given rows one at a time.
func gemmSparseRowsByRow(n int, x []float32, ldx int, rows [][]int32, b []float32, ldb int, c []float32, ldc int, cur []int) (row, at int) {
	return sparseRowsByRow(0, n, x, ldx, rows, 0, len(rows), b, ldb, c, ldc)
}

// sparseRowsByRow runs gemvTRows on columns c0 to n of rows r0 to r1,
// each index checked against the row's limit for all n columns.
func sparseRowsByRow(c0, n int, x []float32, ldx int, rows [][]int32, r0, r1 int, b []float32, ldb int, c []float32, ldc int) (row, at int) {
	f := active.gemvTRows
	if f == nil {
		f = gemvTRowsGeneric
	}
	for r := r0; r < r1; r++ {
		if len(rows[r]) == 0 {
			continue
		}
		xr := x[r*ldx : min(r*ldx+ldx, len(x))]
		if bad := f(c[r*ldc+c0:r*ldc+n], b[c0:], ldb, xr, rows[r], rowLimit(len(b), n, ldb, len(xr))); bad >= 0 {
			return r, bad
		}
	}
	return -1, -1
}

// rowLimit returns how many rows an index may address: those of a
// (leading dimension lda, rows of n ≥ 1 elements) that are also entries
// of x.
func rowLimit(lenA, n, lda, lenX int) int {
	if lenA < n {
		return 0
	}
	return min((lenA-n)/lda+1, lenX)
}

// badRow describes the bad index i at position at of the list named list
// that fn was given, for the matrix named mat (lenA elements, rows of n
// with leading dimension lda) and an x of lenX.
func badRow(fn, list, mat string, i int32, at, lenA, n, lda, lenX int) string {
	return fmt.Sprintf("kernels: %s: %s[%d] = %d, want an index in [0, %d) (len(x) = %d; len(%s) = %d holds %d rows of %d with ld%s = %d)",
		fn, list, at, i, rowLimit(lenA, n, lda, lenX), lenX, mat, lenA, rowLimit(lenA, n, lda, lenA), n, mat, lda)
}

func gemvTRowsGeneric(y, a []float32, lda int, x []float32, rows []int32, limit int) int {
	for k, i := range rows {
		if uint(i) >= uint(limit) {
			return k
		}
		xi := x[i]
		row := a[int(i)*lda : int(i)*lda+len(y)]
		for j, v := range row {
			y[j] += xi * v
		}
	}
	return -1
}

func outerUpdateRowsGeneric(alpha float32, x []float32, rows []int32, y, a []float32, lda int, limit int) int {
	for k := len(rows) - 1; k >= 0; k-- {
		i := rows[k]
		if uint(i) >= uint(limit) {
			return k
		}
		s := alpha * x[i]
		row := a[int(i)*lda : int(i)*lda+len(y)]
		for j, v := range y {
			row[j] += s * v
		}
	}
	return -1
}

// nonZerosGeneric skips an all-zero block of 8 (much of an image's border)
// with one test; inside other blocks it is branch-free, since zeros and
// non-zeros alternate too irregularly for a branch predictor: every
// position is written and the count advances by one only for a non-zero.
// A value is finite when its exponent bits are not all ones.
func nonZerosGeneric(idx []int32, x []float32) (count int, finite bool) {
	idx = idx[:len(x)]
	k, i := 0, 0
	var inf uint32 // the OR of (exponent bits all ones) over x
	for ; i+8 <= len(x); i += 8 {
		b := x[i : i+8 : i+8]
		var bits uint32
		for _, v := range b {
			bits |= math.Float32bits(v)
		}
		if bits&0x7fffffff == 0 {
			continue
		}
		for j, v := range b {
			idx[k] = int32(i + j)
			k += nonZeroBit(v)
			inf |= notFiniteBit(v)
		}
	}
	for ; i < len(x); i++ {
		idx[k] = int32(i)
		k += nonZeroBit(x[i])
		inf |= notFiniteBit(x[i])
	}
	return k, inf == 0
}

// nonZeroBit is 1 if v is not ±0, else 0, without a branch: |v| ≠ 0
// exactly when the low 31 bits are not all zero.
func nonZeroBit(v float32) int {
	mag := math.Float32bits(v) & 0x7fffffff
	return int((mag + 0x7fffffff) >> 31)
}

// notFiniteBit is 1 if v is ±Inf or NaN (exponent bits all ones), else 0.
func notFiniteBit(v float32) uint32 {
	mag := math.Float32bits(v) & 0x7fffffff
	return (mag + 0x00800000) >> 31
}
