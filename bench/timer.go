package bench

import (
	"math"
	"time"
	"unsafe"
)

// Timer says how an operation is timed: after a calibration that also warms
// the caches, Runs repetitions of about RunTime each, and the fastest is
// kept. On a shared machine many short runs and the minimum are what see
// through other processes' interference.
type Timer struct {
	Runs    int
	RunTime time.Duration
}

// NewTimer returns the timing RunKernels uses: 15 runs of 1 ms, or 4 runs
// of 500 µs in quick mode; runs > 0 replaces the number of runs (more see
// further through a busy machine). Runs shorter than the scheduler's time
// slice (about 3 ms under load) are often not interrupted at all, and the
// best of many of them is what the core can do.
func NewTimer(quick bool, runs int) Timer {
	t := Timer{Runs: 15, RunTime: time.Millisecond}
	if quick {
		t = Timer{Runs: 4, RunTime: 500 * time.Microsecond}
	}
	if runs > 0 {
		t.Runs = runs
	}
	return t
}

// NsPerOp returns the best time per operation in nanoseconds. loop must run
// the operation iters times and return the time it took; an operation timed
// elsewhere (in C, without the cgo call) reports its own clock. Use Elapsed
// for a Go loop.
//
// The calling goroutine is not locked to its OS thread: a locked goroutine
// that waits for the kernels' pool (a Gemm on two threads) has its thread
// handed back by the scheduler every time, and locked, two-thread
// GemmSparseRows and OuterUpdateSparseT measured 65–74 and 56–78 µs
// against 39–55 and 42–47 (128×128×784, 150 non-zeros a row, two
// alternating runs of nnsimd bench -threads 2), no faster than on one.
func (t Timer) NsPerOp(loop func(iters int) time.Duration) float64 {
	return t.NsPerOpEach(loop)[0]
}

// NsPerOpEach is NsPerOp for several operations meant to be compared: their
// runs alternate (one of each in turn), so that a slow spell of the machine
// hits them alike and their ratios stay meaningful.
func (t Timer) NsPerOpEach(loops ...func(iters int) time.Duration) []float64 {
	iters := make([]int, len(loops))
	best := make([]float64, len(loops))
	for i, loop := range loops {
		iters[i] = t.calibrate(loop)
		best[i] = math.Inf(1)
	}
	for range max(t.Runs, 1) {
		for i, loop := range loops {
			d := loop(iters[i])
			best[i] = min(best[i], float64(d.Nanoseconds())/float64(iters[i]))
		}
	}
	return best
}

// calibrate returns the iteration count that makes loop take about RunTime,
// running it with growing counts (which also warms the caches).
func (t Timer) calibrate(loop func(iters int) time.Duration) int {
	target := max(t.RunTime, time.Microsecond)
	for iters := 1; ; iters *= 4 {
		d := loop(iters)
		if d >= target/4 || iters >= 1<<30 {
			return max(1, int(float64(iters)*float64(target)/float64(max(d, 1))))
		}
	}
}

// Elapsed turns a Go loop that runs an operation iters times into one that
// also reports how long that took, for Timer.NsPerOp.
func Elapsed(loop func(iters int)) func(iters int) time.Duration {
	return func(iters int) time.Duration {
		start := time.Now()
		loop(iters)
		return time.Since(start)
	}
}

// Aligned returns a zeroed slice of n float32 starting on a 64-byte
// boundary (a cache line, and one ZMM register), so that figures do not
// depend on where the allocator happened to put a buffer.
func Aligned(n int) []float32 {
	const align = 64
	s := make([]float32, n+align/4)
	off := 0
	if addr := uintptr(unsafe.Pointer(unsafe.SliceData(s))); addr%align != 0 {
		off = int(align-addr%align) / 4
	}
	return s[off : off+n : off+n]
}
