package kernels

import (
	"fmt"
	"sync"
)

// OuterUpdateSparseT adds alpha·Xᵀ·d to the k×n matrix w (leading
// dimension ldw), for the m×k matrix X given transposed — xt is k×m with
// leading dimension ldxt ≥ m, xt[p*ldxt+r] = X[r][p] — and the dense m×n
// matrix d (leading dimension ldd):
//
//	for p := 0; p < k; p++ {
//		var even, odd [n]float32 // two partial sums of the gradient row
//		t := 0                   // the number of terms so far
//		for r := 0; r < m; r++ {
//			v := xt[p*ldxt+r]
//			if v == 0 {
//				continue // NaN is not equal to 0, so it is used
//			}
//			acc := &even
//			if t%2 == 1 {
//				acc = &odd
//			}
//			for j := range acc {
//				acc[j] += v * d[r*ldd+j] // one fused multiply-add
//			}
//			t++
//		}
//		if t > 0 {
//			for j := 0; j < n; j++ {
//				w[p*ldw+j] += alpha * (even[j] + odd[j]) // one fused multiply-add
//			}
//		}
//	}
//
// This is the weight update W += alpha·Xᵀ·δ of a dense layer for a batch
// of sparse inputs X, with Xᵀ as Transpose writes it: each input's batch
// values are contiguous, so the kernel finds the non-zeros of a row of xt
// itself (a vector compare to a bit mask, whose set bits it walks) and no
// index lists need building. The terms alternate between two sets of
// accumulators, so that a core able to start two multiply-adds a cycle
// need not wait for the latency of one chain (the Xeon this was measured
// on sustains about one with its load either way). A row of w whose row
// of xt is all zero is not touched. Each row of w is computed by one
// goroutine in the order above, whatever the number of goroutines (up to
// Threads() share the rows of w), so the result does not depend on it.
// The generic code's multiply-adds are fused only where the Go compiler
// fuses them (arm64, not amd64), and the AVX-512 code takes a batch of
// more than 64 rows in blocks (each block's sums added to w in turn, see
// sparseTWideFloats), so implementations may differ in rounding.
func OuterUpdateSparseT(m, n, k int, alpha float32, xt []float32, ldxt int, d []float32, ldd int, w []float32, ldw int) {
	const fn = "OuterUpdateSparseT"
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("kernels: %s: m = %d, n = %d, k = %d, dimensions must not be negative", fn, m, n, k))
	}
	checkMatrix(fn, "xt", k, m, xt, ldxt)
	checkMatrix(fn, "d", m, n, d, ldd)
	checkMatrix(fn, "w", k, n, w, ldw)
	if m == 0 || n == 0 || k == 0 {
		return
	}
	job := sparseTJobs.Get().(*sparseTJob)
	job.m, job.n, job.k, job.alpha = m, n, k, alpha
	job.xt, job.ldxt, job.d, job.ldd, job.w, job.ldw = xt, ldxt, d, ldd, w, ldw
	job.kernel = active.outerUpdateSparseT
	if job.kernel == nil {
		job.kernel = outerUpdateSparseTGeneric
	}
	job.parts = 1
	// The scan of xt costs about m·k, and the multiply-adds m·k·n times the
	// density, which the kernel only learns as it goes: a batch is
	// assumed to be at least an eighth non-zero (MNIST images are a fifth).
	if t := Threads(); t > 1 && k > 1 && m*k*n/8 >= sparseMinParallel {
		job.parts = min(t, k)
	}
	if job.parts == 1 {
		job.runPart(0)
	} else {
		parallelRun(job, job.parts)
	}
	job.xt, job.d, job.w, job.kernel = nil, nil, nil, nil
	sparseTJobs.Put(job)
}

// sparseTJob carries an OuterUpdateSparseT to the pool: part i updates
// the i-th of parts contiguous shares of the rows of w.
type sparseTJob struct {
	m, n, k        int
	alpha          float32
	xt, d, w       []float32
	ldxt, ldd, ldw int
	parts          int
	kernel         func(m, n, k int, alpha float32, xt []float32, ldxt int, d []float32, ldd int, w []float32, ldw int)
}

var sparseTJobs = sync.Pool{New: func() any { return new(sparseTJob) }}

// runPart updates an equal share of the rows of w. On MNIST the upper
// half of the inputs holds only 47% of the non-zeros: splitting at their
// half-way point instead (row 406 of 784, fixed for the test) made a
// two-thread step take 0.978–0.991 times as long (steps drawn at random
// between the two splits), but that point depends on the data, and
// counting the non-zeros of xt's rows to find it is a scan of xt before
// the split (about 1 µs on one core by estimate, against a gain of
// 1.5–3 µs), so the shares stay equal. Eight parts taken by whichever goroutine is free were
// slower (epochs 1.02–1.10 as long: each part copies d's strips again).
func (j *sparseTJob) runPart(part int) {
	p0, p1 := j.k*part/j.parts, j.k*(part+1)/j.parts
	if p0 == p1 {
		return
	}
	j.kernel(j.m, j.n, p1-p0, j.alpha, j.xt[p0*j.ldxt:], j.ldxt, j.d, j.ldd, j.w[p0*j.ldw:], j.ldw)
}

// sparseTGenericWidth is the widest strip of columns the generic kernel
// sums at once: its two partial gradient rows live on the stack.
const sparseTGenericWidth = 256

// outerUpdateSparseTGeneric is OuterUpdateSparseT on k rows of w, in the
// documented order (the multiply-adds not fused). The implementations in
// assembly call it for a width of columns left over after their strips.
func outerUpdateSparseTGeneric(m, n, k int, alpha float32, xt []float32, ldxt int, d []float32, ldd int, w []float32, ldw int) {
	var buf [2 * sparseTGenericWidth]float32
	for c0 := 0; c0 < n; c0 += sparseTGenericWidth {
		width := min(sparseTGenericWidth, n-c0)
		even, odd := buf[:width], buf[sparseTGenericWidth:sparseTGenericWidth+width]
		for p := 0; p < k; p++ {
			x := xt[p*ldxt : p*ldxt+m]
			terms := 0
			for r, v := range x {
				if v == 0 {
					continue
				}
				if terms == 0 {
					clear(even)
					clear(odd)
				}
				acc := even
				if terms%2 == 1 {
					acc = odd
				}
				drow := d[r*ldd+c0 : r*ldd+c0+width]
				for jj, dv := range drow {
					acc[jj] += v * dv
				}
				terms++
			}
			if terms == 0 {
				continue
			}
			wrow := w[p*ldw+c0 : p*ldw+c0+width]
			for jj := range wrow {
				wrow[jj] += alpha * (even[jj] + odd[jj])
			}
		}
	}
}
