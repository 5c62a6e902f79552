package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// The thread pool: a fixed set of goroutines that run the parts of large
// kernels (so far the GEMM). A caller hands out all parts but the first,
// runs that one itself and waits for the rest. Parts never wait on other
// parts, so callers on several goroutines sharing the pool cannot deadlock.

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

type poolWork struct {
	task parallelTask
	part int
	done *sync.WaitGroup
}

var pool struct {
	mu      sync.Mutex
	workers int
	work    chan poolWork
}

// parallelRun runs parts 0..parts-1 of t, part 0 on the calling goroutine,
// and returns when all are done. done must be unused by anyone else until
// then; it lives with the task so that a call does not allocate. The pool
// grows to parts-1 workers, so callers keep parts to about Threads().
func parallelRun(t parallelTask, parts int, done *sync.WaitGroup) {
	startWorkers(parts - 1)
	done.Add(parts - 1)
	for part := 1; part < parts; part++ {
		pool.work <- poolWork{t, part, done}
	}
	t.runPart(0)
	done.Wait()
}

// startWorkers makes sure at least n workers exist. Workers are never
// stopped: lowering SetThreads leaves the extra ones idle.
func startWorkers(n int) {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	if pool.work == nil {
		pool.work = make(chan poolWork, 256)
	}
	for ; pool.workers < n; pool.workers++ {
		go poolWorker(pool.work)
	}
}

func poolWorker(work <-chan poolWork) {
	for w := range work {
		w.task.runPart(w.part)
		w.done.Done()
	}
}
