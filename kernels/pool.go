package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// The thread pool: a fixed set of goroutines that run the parts of large
// kernels (GEMM, the sparse batch kernels). A caller hands part p (p ≥ 1) to
// worker p, runs part 0 itself and waits for the rest.
//
// Workers spin for a while after their last part before they park, and the
// caller spins while it waits. A training step is a chain of kernel calls of
// about 10–200 µs each, and a parked goroutine that is woken through the Go
// scheduler lands in the waker's run queue first: measured here, the woken
// worker then often ran only after the caller had parked, one part after
// the other, and two threads were slower than one (128×128×784 GEMM: 216 µs
// against 162 µs). Spinning workers start at once.

// threadCount is the number of goroutines a kernel may use, caller included.
var threadCount atomic.Int64

func init() { threadCount.Store(int64(runtime.NumCPU())) }

// SetThreads sets how many goroutines (the caller's included) one kernel
// call may use; n < 1 means runtime.NumCPU(), and 1 runs every kernel on the
// caller's goroutine. Results do not depend on it: each element of a GEMM's
// output is computed by one goroutine, in the same order whatever the split.
// Small products run on the caller's goroutine regardless.
func SetThreads(n int) {
	if n < 1 {
		n = runtime.NumCPU()
	}
	threadCount.Store(int64(n))
}

// Threads reports the number set by SetThreads (by default runtime.NumCPU()).
func Threads() int { return int(threadCount.Load()) }

// parallelTask is work split into numbered parts that may run concurrently.
type parallelTask interface {
	runPart(part int)
}

// spinRounds is how many times an idle worker, or a waiting caller, checks
// for its signal before it yields or parks: with the runtime.Gosched between
// rounds of spinBatch checks, well under a millisecond of spinning. It has
// to outlast the serial stretches of a training step (a 128-row MNIST batch
// takes about 350 µs): with a tenth of it the worker parked between the
// step's kernels and a 2-thread epoch (784-128-10, batch 128,
// BenchmarkMNISTEpoch in nn) took 0.21 s against 0.16 s with this value.
const (
	spinBatch  = 64
	spinRounds = 2000
)

// worker is one pool goroutine's mailbox. busy is set by the caller when it
// hands over a part and cleared by the worker when the part is done.
type worker struct {
	busy   atomic.Bool
	parked atomic.Bool
	task   parallelTask
	part   int
	wake   chan struct{}
	_      [64]byte // keep neighbouring workers' flags off one cache line
}

var pool struct {
	// mu is held by the one caller that uses the workers; a caller that
	// finds it held runs all its parts itself (the same results: parts
	// never depend on where they run).
	mu      sync.Mutex
	grow    sync.Mutex
	workers []*worker
}

// parallelRun runs parts 0..parts-1 of t, part 0 on the calling goroutine,
// and returns when all are done. The pool grows to parts-1 workers, so
// callers keep parts to about Threads().
func parallelRun(t parallelTask, parts int) {
	if !pool.mu.TryLock() {
		for part := 0; part < parts; part++ {
			t.runPart(part)
		}
		return
	}
	defer pool.mu.Unlock()
	ws := startWorkers(parts - 1)
	for part := 1; part < parts; part++ {
		w := ws[part-1]
		w.task, w.part = t, part
		w.busy.Store(true)
		// Either the worker sees busy before it parks, or we see parked
		// and wake it (both are sequentially consistent atomics).
		if w.parked.Load() {
			select {
			case w.wake <- struct{}{}:
			default: // a wake-up is already pending
			}
		}
	}
	t.runPart(0)
	for _, w := range ws[:parts-1] {
		for spins := 0; w.busy.Load(); spins++ {
			if spins%spinBatch == spinBatch-1 {
				runtime.Gosched()
			}
		}
	}
}

// startWorkers makes sure at least n workers exist and returns them.
// Workers are never stopped: lowering SetThreads leaves the extra ones
// parked.
func startWorkers(n int) []*worker {
	pool.grow.Lock()
	defer pool.grow.Unlock()
	for len(pool.workers) < n {
		w := &worker{wake: make(chan struct{}, 1)}
		pool.workers = append(pool.workers, w)
		go w.loop()
	}
	return pool.workers
}

func (w *worker) loop() {
	for {
		for round := 0; !w.busy.Load(); round++ {
			if round < spinRounds*spinBatch {
				if round%spinBatch == spinBatch-1 {
					runtime.Gosched()
				}
				continue
			}
			w.parked.Store(true)
			if !w.busy.Load() {
				<-w.wake
			}
			w.parked.Store(false)
			round = 0
		}
		w.task.runPart(w.part)
		w.task = nil // drop the reference to the caller's data
		w.busy.Store(false)
	}
}

// Task is work split into numbered parts that may run concurrently, for
// RunParallel. Parts must not depend on which goroutine runs them.
type Task interface {
	RunPart(part int)
}

// taskAdapter lets an exported Task travel through the pool's mailboxes;
// adapters are recycled so that RunParallel does not allocate.
type taskAdapter struct{ t Task }

func (a *taskAdapter) runPart(part int) { a.t.RunPart(part) }

var taskAdapters = sync.Pool{New: func() any { return new(taskAdapter) }}

// RunParallel runs parts 0..parts-1 of t on the thread pool, part 0 on the
// calling goroutine, and returns when all are done; parts < 2 runs on the
// caller alone. The pool keeps parts-1 workers, so callers keep parts to
// about Threads(). Passing a pointer as t does not allocate. This is for
// the serial work between kernel calls (a training step's bookkeeping):
// spreading it keeps the workers spinning, so the next kernel's parts start
// at once instead of waking parked goroutines.
func RunParallel(t Task, parts int) {
	if parts < 2 {
		for part := 0; part < parts; part++ {
			t.RunPart(part)
		}
		return
	}
	a := taskAdapters.Get().(*taskAdapter)
	a.t = t
	parallelRun(a, parts)
	a.t = nil
	taskAdapters.Put(a)
}
