package kernels

import (
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// The thread pool: a fixed set of goroutines that run the parts of large
// kernels (GEMM, the sparse batch kernels). A caller publishes its parts
// but the first, runs that one itself, and then it and the workers claim
// the rest one at a time until none is left; the caller then waits for the
// claimed ones to finish. A worker that the operating system has not
// scheduled (another process holds the core) claims nothing, and its parts
// run on the goroutines that are running: handing part p to worker p
// instead made a 2-thread MNIST epoch 2–3× slower than one thread whenever
// another process was busy. The caller keeps part 0 because the calls of a
// training step split their data alike (the batch's rows, W's rows), so
// its core finds its share of one call's results in its own caches at the
// next: when the first goroutine to claim took part 0, the spinning worker
// won it in about 70% of a step's calls, each core's share changed from
// call to call, and two-thread MNIST steps took 1.007–1.02 times as long
// (medians of blocks of 50 steps drawn at random between the two, three
// runs).
//
// Workers spin for a while after their last part before they park, and the
// caller spins while it waits. A training step is a chain of kernel calls of
// about 10–200 µs each, and a parked goroutine that is woken through the Go
// scheduler lands in the waker's run queue first: measured here, the woken
// worker then often ran only after the caller had parked, one part after
// the other, and two threads were slower than one (128×128×784 GEMM: 216 µs
// against 162 µs). Spinning workers start at once.

// threadCount is the number of goroutines a kernel may use, caller
// included: the newest ThreadOverride's, or else SetThreads's.
var threadCount atomic.Int64

// threadSettings holds what threadCount is made from.
var threadSettings struct {
	sync.Mutex
	set       int               // SetThreads's count
	overrides []*ThreadOverride // the active ones, oldest first
}

func init() {
	threadSettings.set = runtime.NumCPU()
	threadCount.Store(int64(threadSettings.set))
}

// SetThreads sets how many goroutines (the caller's included) one kernel
// call may use; n < 1 means runtime.NumCPU(), and 1 runs every kernel on the
// caller's goroutine. Results do not depend on it: each element of a GEMM's
// output is computed by one goroutine, in the same order whatever the split.
// Small products run on the caller's goroutine regardless. While a
// ThreadOverride is active its count is used instead, and this one again
// once none is.
func SetThreads(n int) {
	if n < 1 {
		n = runtime.NumCPU()
	}
	threadSettings.Lock()
	defer threadSettings.Unlock()
	threadSettings.set = n
	applyThreads()
}

// Threads reports the count kernel calls use now: SetThreads's (by default
// runtime.NumCPU()), or the newest active ThreadOverride's.
func Threads() int { return int(threadCount.Load()) }

// A ThreadOverride sets the thread count for a stretch of calls, such as
// a training run's, without losing SetThreads's: saving Threads() and
// setting it back afterwards would, when two such stretches overlap, leave
// the first one's count behind for good (eight Python threads training at
// once left every later call on one thread). Overrides may overlap: the
// newest active one counts, and when the last ends SetThreads's count is
// back.
type ThreadOverride struct{ n int }

// OverrideThreads starts an override of n threads (n < 1: the SetThreads
// count, as it is now). End it when the stretch is over.
func OverrideThreads(n int) *ThreadOverride {
	threadSettings.Lock()
	defer threadSettings.Unlock()
	if n < 1 {
		n = threadSettings.set
	}
	o := &ThreadOverride{n: n}
	threadSettings.overrides = append(threadSettings.overrides, o)
	applyThreads()
	return o
}

// Threads reports the override's own count.
func (o *ThreadOverride) Threads() int {
	threadSettings.Lock()
	defer threadSettings.Unlock()
	return o.n
}

// Set changes the override's count (n < 1: the SetThreads count); it
// counts only while this is the newest active override.
func (o *ThreadOverride) Set(n int) {
	threadSettings.Lock()
	defer threadSettings.Unlock()
	if n < 1 {
		n = threadSettings.set
	}
	if o.n != n {
		o.n = n
		applyThreads()
	}
}

// End ends the override; ending it again does nothing.
func (o *ThreadOverride) End() {
	threadSettings.Lock()
	defer threadSettings.Unlock()
	list := threadSettings.overrides
	if i := slices.Index(list, o); i >= 0 {
		threadSettings.overrides = slices.Delete(list, i, i+1)
	}
	applyThreads()
}

// applyThreads stores the count now in force; threadSettings is locked.
func applyThreads() {
	n := threadSettings.set
	if list := threadSettings.overrides; len(list) > 0 {
		n = list[len(list)-1].n
	}
	threadCount.Store(int64(n))
}

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

// callerSpinLimit is how long a caller waits for its parts by spinning
// alone before it also yields its P (runtime.Gosched) between checks, in
// case a worker that holds a part needs it to go on. Yielding costs a
// locked caller much more: a goroutine locked to its OS thread (an export
// called from C or Python, or a caller of runtime.LockOSThread) hands its
// thread over at every Gosched, and a 784-128-10 mini-batch epoch on two
// threads took 0.106–0.143 s from a locked goroutine against 0.071–0.076
// from a free one when the caller yielded every spinBatch checks, and
// 0.065 against 0.067 with this limit. A part is at most a few hundred
// microseconds, so a longer wait means its worker has lost its core.
const callerSpinLimit = time.Millisecond

// worker is one pool goroutine's parking place.
type worker struct {
	parked atomic.Bool
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
	// claims packs the current call's generation (high 32 bits), its
	// number of parts (16 bits) and the next part to claim (low 16 bits),
	// so that one compare-and-swap claims a part of this call and no
	// other. task is the current call's; it is written only while no
	// part of a call is claimed or running.
	claims atomic.Uint64
	task   parallelTask
	done   atomic.Int32 // parts of the current call finished
	// panicked holds the first panic of the current call's parts, which
	// the caller raises again once every part has finished.
	panicked atomic.Pointer[partPanic]
}

// partPanic is the value a part panicked with.
type partPanic struct{ value any }

// maxParts is the most parts one parallelRun takes (the 16 bits of a count
// in pool.claims).
const maxParts = 1<<16 - 1

// claim takes the next unclaimed part of the current call, if any.
func claim() (part int, ok bool) {
	for {
		c := pool.claims.Load()
		next, parts := c&0xffff, c>>16&0xffff
		if next >= parts {
			return 0, false
		}
		if pool.claims.CompareAndSwap(c, c+1) {
			return int(next), true
		}
	}
}

// claimable reports whether the current call has parts left to claim.
func claimable() bool {
	c := pool.claims.Load()
	return c&0xffff < c>>16&0xffff
}

// runClaimed claims and runs parts of the current call until none is
// left, and counts them done.
func runClaimed() {
	for {
		part, ok := claim()
		if !ok {
			return
		}
		runPart(pool.task, part)
		pool.done.Add(1)
	}
}

// runPart runs one part, keeping a panic for the caller: on a worker's
// goroutine nothing could recover it, and the process would die (a bad
// index in GemmSparseRows on two threads did), and on the caller's it
// would leave the other parts running while the next call takes the pool.
func runPart(t parallelTask, part int) {
	defer func() {
		if v := recover(); v != nil {
			pool.panicked.CompareAndSwap(nil, &partPanic{v})
		}
	}()
	t.runPart(part)
}

// parallelRun runs parts 0..parts-1 of t on the calling goroutine (part 0
// always there) and the pool's workers, and returns when all are done. The
// pool grows to parts-1 workers, so callers keep parts to about Threads().
// A part's panic reaches the caller: on the pool, once the other parts
// have run to the end, with the first panicking part's value.
func parallelRun(t parallelTask, parts int) {
	if parts < 2 || parts > maxParts || !pool.mu.TryLock() {
		for part := 0; part < parts; part++ {
			t.runPart(part)
		}
		return
	}
	defer pool.mu.Unlock()
	ws := startWorkers(parts - 1)
	pool.task = t
	pool.done.Store(0)
	gen := pool.claims.Load()>>32 + 1
	pool.claims.Store(gen<<32 | uint64(parts)<<16 | 1) // part 0 is ours
	// Either a worker sees the new claims before it parks, or we see it
	// parked and wake it (both are sequentially consistent atomics).
	for _, w := range ws[:parts-1] {
		if w.parked.Load() {
			select {
			case w.wake <- struct{}{}:
			default: // a wake-up is already pending
			}
		}
	}
	runPart(t, 0)
	pool.done.Add(1)
	runClaimed()
	var waiting time.Time
	for spins := 0; pool.done.Load() < int32(parts); spins++ {
		if spins%spinBatch == spinBatch-1 {
			if waiting.IsZero() {
				waiting = time.Now()
			} else if time.Since(waiting) > callerSpinLimit {
				runtime.Gosched()
			}
		}
	}
	pool.task = nil // drop the reference to the caller's data
	if p := pool.panicked.Swap(nil); p != nil {
		panic(p.value)
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
		for round := 0; !claimable(); round++ {
			if round < spinRounds*spinBatch {
				if round%spinBatch == spinBatch-1 {
					runtime.Gosched()
				}
				continue
			}
			w.parked.Store(true)
			if !claimable() {
				<-w.wake
			}
			w.parked.Store(false)
			round = 0
		}
		runClaimed()
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

// RunParallel runs parts 0..parts-1 of t on the calling goroutine and the
// thread pool's workers, whichever claims each part first, and returns
// when all are done; parts < 2 runs on the caller alone. The pool keeps
// parts-1 workers, so callers keep parts to about Threads(). Passing a
// pointer as t does not allocate. This is for the serial work between
// kernel calls (a training step's bookkeeping): spreading it keeps the
// workers spinning, so the next kernel's parts start at once instead of
// waking parked goroutines.
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
