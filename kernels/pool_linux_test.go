package kernels

import (
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
)

// threadRecorder records the OS thread each part ran on.
type threadRecorder struct {
	tids []atomic.Int64
}

func (r *threadRecorder) runPart(part int) { r.tids[part].Store(int64(syscall.Gettid())) }

// TestParallelRunCallerTakesPartZero checks that the caller runs part 0
// itself on every call, whichever goroutine reaches the parts first (see
// the pool's doc), and that every part runs.
func TestParallelRunCallerTakesPartZero(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	caller := int64(syscall.Gettid())
	for call := 0; call < 200; call++ {
		parts := 2 + call%3
		r := &threadRecorder{tids: make([]atomic.Int64, parts)}
		parallelRun(r, parts)
		if got := r.tids[0].Load(); got != caller {
			t.Fatalf("call %d, %d parts: part 0 ran on thread %d, the caller is on %d", call, parts, got, caller)
		}
		for part := range r.tids {
			if r.tids[part].Load() == 0 {
				t.Fatalf("call %d, %d parts: part %d did not run", call, parts, part)
			}
		}
	}
}
