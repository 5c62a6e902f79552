package kernels

import (
	"fmt"
	"sync"
)

// Column-wise sparse kernels for a batch of sparse inputs. A sparse m×k
// matrix X is given by its columns (compressed sparse columns): column p
// holds the entries e in [colStart[p], colStart[p+1]), entry e being
// X[sample[e], p] = val[e]. Walking X by columns lets a mini-batch step
// keep one row of W (for the forward product) or one row of the gradient
// (for the update) in registers while the batch's entries of that column
// stream past, so that each listed row of W is read, or written, once per
// batch instead of once per sample. The kernels work on column strips of
// the dense operands (64 columns on AVX-512, 32 on AVX2 and NEON), small enough for
// the strip of the batch matrix (c or d, 128 rows of 256 bytes) to stay
// in L1.
//
// Both check their index arrays: len(colStart) = k+1, colStart ascending
// from colStart[0] ≥ 0 to colStart[k] ≤ min(len(sample), len(val)), and
// every sample index below m; a bad one panics (possibly after some
// columns were processed).

// GemmSparseCols adds X·b to the m×n matrix c (leading dimension ldc),
// for the sparse m×k matrix X in compressed columns and the dense k×n
// matrix b (leading dimension ldb):
//
//	for p := 0; p < k; p++ {
//		for e := colStart[p]; e < colStart[p+1]; e++ {
//			i := sample[e]
//			for j := 0; j < n; j++ {
//				c[i*ldc+j] += val[e] * b[p*ldb+j]
//			}
//		}
//	}
//
// with one multiply-add per entry and element: each element of c gets its
// terms in ascending p, the order GemmSparseRows uses with ascending row
// lists, so the two give the same bits (on amd64 where the columns make
// whole strips: a width left over runs the generic loop, whose Go
// multiply-add is not fused). The column strips
// of c are shared out among up to Threads() goroutines; the result does
// not depend on their number.
func GemmSparseCols(m, n, k int, colStart, sample []int32, val []float32, b []float32, ldb int, c []float32, ldc int) {
	checkSparseCols("GemmSparseCols", m, n, k, colStart, sample, val)
	checkMatrix("GemmSparseCols", "b", k, n, b, ldb)
	checkMatrix("GemmSparseCols", "c", m, n, c, ldc)
	if m == 0 || n == 0 || k == 0 {
		return
	}
	job := sparseColJobs.Get().(*sparseColJob)
	job.forward, job.m, job.n, job.k = true, m, n, k
	job.colStart, job.sample, job.val = colStart, sample, val
	job.b, job.ldb, job.c, job.ldc = b, ldb, c, ldc
	job.run()
	sparseColJobs.Put(job)
}

// OuterUpdateSparseCols adds alpha·Xᵀ·d to the k×n matrix b (leading
// dimension ldb), for the sparse m×k matrix X in compressed columns and
// the dense m×n matrix d (leading dimension ldd):
//
//	for p := 0; p < k; p++ {
//		var g [n]float32
//		for e := colStart[p]; e < colStart[p+1]; e++ {
//			for j := range g {
//				g[j] += val[e] * d[int(sample[e])*ldd+j]
//			}
//		}
//		for j := range g {
//			b[p*ldb+j] += alpha * g[j]
//		}
//	}
//
// with a fused multiply-add per term: the gradient row g of column p is
// summed in registers in entry order and added to b once, so a row of b
// whose column is empty is not touched. This is the weight update
// W += alpha·Xᵀ·δ of a dense layer for a batch of sparse inputs. The
// column strips of b are shared out among up to Threads() goroutines; the
// result does not depend on their number.
func OuterUpdateSparseCols(m, n, k int, alpha float32, colStart, sample []int32, val []float32, d []float32, ldd int, b []float32, ldb int) {
	checkSparseCols("OuterUpdateSparseCols", m, n, k, colStart, sample, val)
	checkMatrix("OuterUpdateSparseCols", "d", m, n, d, ldd)
	checkMatrix("OuterUpdateSparseCols", "b", k, n, b, ldb)
	if m == 0 || n == 0 || k == 0 {
		return
	}
	job := sparseColJobs.Get().(*sparseColJob)
	job.forward, job.m, job.n, job.k, job.alpha = false, m, n, k, alpha
	job.colStart, job.sample, job.val = colStart, sample, val
	job.b, job.ldb, job.c, job.ldc = b, ldb, d, ldd
	job.run()
	sparseColJobs.Put(job)
}

func checkSparseCols(fn string, m, n, k int, colStart, sample []int32, val []float32) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("kernels: %s: m = %d, n = %d, k = %d, dimensions must not be negative", fn, m, n, k))
	}
	if len(colStart) != k+1 {
		panic(fmt.Sprintf("kernels: %s: len(colStart) = %d, want k+1 = %d", fn, len(colStart), k+1))
	}
	end := min(len(sample), len(val))
	prev := int32(0)
	for p, s := range colStart {
		if s < prev || int(s) > end {
			panic(fmt.Sprintf("kernels: %s: colStart[%d] = %d, want a value in [%d, %d] (ascending, within sample and val)", fn, p, s, prev, end))
		}
		prev = s
	}
}

// sparseColJob carries a GemmSparseCols (forward; c is the output) or an
// OuterUpdateSparseCols (c is d, b the output) to the pool.
type sparseColJob struct {
	forward          bool
	m, n, k          int
	alpha            float32
	colStart, sample []int32
	val, b, c        []float32
	ldb, ldc         int
	strip, parts     int
	bad              []int // per part: the entry of a sample index out of range, or −1
}

var sparseColJobs = sync.Pool{New: func() any { return new(sparseColJob) }}

func (j *sparseColJob) run() {
	j.strip = active.sparseColStrip
	if j.strip == 0 {
		j.strip = j.n // the generic kernels take any width
	}
	strips := (j.n + j.strip - 1) / j.strip
	j.parts = 1
	if t := Threads(); t > 1 && strips > 1 && int(j.colStart[j.k]-j.colStart[0])*j.n >= sparseMinParallel {
		j.parts = min(t, strips)
	}
	if cap(j.bad) < j.parts {
		j.bad = make([]int, j.parts)
	}
	j.bad = j.bad[:j.parts]
	if j.parts == 1 {
		j.runPart(0)
	} else {
		parallelRun(j, j.parts)
	}
	for _, e := range j.bad {
		if e >= 0 {
			i := j.sample[e]
			j.colStart, j.sample, j.val, j.b, j.c = nil, nil, nil, nil, nil
			panic(fmt.Sprintf("kernels: sparse column kernel: sample[%d] = %d, want an index in [0, %d)", e, i, j.m))
		}
	}
	j.colStart, j.sample, j.val, j.b, j.c = nil, nil, nil, nil, nil
}

// runPart processes the part-th share of the column strips; a width left
// over after the last whole strip goes to the generic kernel.
func (j *sparseColJob) runPart(part int) {
	j.bad[part] = -1
	strips := (j.n + j.strip - 1) / j.strip
	s0, s1 := strips*part/j.parts, strips*(part+1)/j.parts
	for s := s0; s < s1; s++ {
		c0 := s * j.strip
		w := min(j.strip, j.n-c0)
		var bad int
		switch {
		case j.forward && w == active.sparseColStrip:
			bad = active.gemmSparseCols(j.m, j.k, j.colStart, j.sample, j.val, j.b[c0:], j.ldb, j.c[c0:], j.ldc)
		case j.forward:
			bad = gemmSparseColsGeneric(j.m, w, j.k, j.colStart, j.sample, j.val, j.b[c0:], j.ldb, j.c[c0:], j.ldc)
		case w == active.sparseColStrip:
			bad = active.outerUpdateSparseCols(j.m, j.k, j.alpha, j.colStart, j.sample, j.val, j.c[c0:], j.ldc, j.b[c0:], j.ldb)
		default:
			bad = outerUpdateSparseColsGeneric(j.m, w, j.k, j.alpha, j.colStart, j.sample, j.val, j.c[c0:], j.ldc, j.b[c0:], j.ldb)
		}
		if bad >= 0 {
			j.bad[part] = bad
			return
		}
	}
}

// gemmSparseColsGeneric is GemmSparseCols on n columns; it returns the
// first entry whose sample index is not below m, or −1.
func gemmSparseColsGeneric(m, n, k int, colStart, sample []int32, val []float32, b []float32, ldb int, c []float32, ldc int) int {
	for p := 0; p < k; p++ {
		brow := b[p*ldb : p*ldb+n]
		for e := colStart[p]; e < colStart[p+1]; e++ {
			i := sample[e]
			if uint(i) >= uint(m) {
				return int(e)
			}
			v := val[e]
			crow := c[int(i)*ldc : int(i)*ldc+n]
			for jj, w := range brow {
				crow[jj] += v * w
			}
		}
	}
	return -1
}

// outerUpdateSparseColsGeneric is OuterUpdateSparseCols on n columns,
// with its gradient row in g; it returns the first entry whose sample
// index is not below m, or −1.
func outerUpdateSparseColsGeneric(m, n, k int, alpha float32, colStart, sample []int32, val []float32, d []float32, ldd int, b []float32, ldb int) int {
	var buf [256]float32
	for c0 := 0; c0 < n; c0 += len(buf) {
		w := min(len(buf), n-c0)
		g := buf[:w]
		for p := 0; p < k; p++ {
			e0, e1 := colStart[p], colStart[p+1]
			if e0 == e1 {
				continue
			}
			clear(g)
			for e := e0; e < e1; e++ {
				i := sample[e]
				if uint(i) >= uint(m) {
					return int(e)
				}
				v := val[e]
				drow := d[int(i)*ldd+c0 : int(i)*ldd+c0+w]
				for jj, x := range drow {
					g[jj] += v * x
				}
			}
			brow := b[p*ldb+c0 : p*ldb+c0+w]
			for jj, x := range g {
				brow[jj] += alpha * x
			}
		}
	}
	return -1
}
