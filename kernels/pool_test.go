package kernels

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingTask records how often each part ran.
type countingTask struct {
	runs []atomic.Int32
}

func (c *countingTask) runPart(part int) { c.runs[part].Add(1) }

// TestParallelRun checks that every part runs exactly once, also when
// several goroutines share the pool at once.
func TestParallelRun(t *testing.T) {
	var callers sync.WaitGroup
	for g := 0; g < 8; g++ {
		callers.Add(1)
		go func() {
			defer callers.Done()
			for _, parts := range []int{1, 2, 3, 17} {
				task := &countingTask{runs: make([]atomic.Int32, parts)}
				parallelRun(task, parts)
				for part := range task.runs {
					if n := task.runs[part].Load(); n != 1 {
						t.Errorf("parts=%d: part %d ran %d times", parts, part, n)
						return
					}
				}
			}
		}()
	}
	callers.Wait()
}

// TestParallelRunAfterPark hands work to workers that have stopped spinning
// and parked: each must be woken, and every part must run exactly once.
func TestParallelRunAfterPark(t *testing.T) {
	for round := 0; round < 3; round++ {
		task := &countingTask{runs: make([]atomic.Int32, 3)}
		parallelRun(task, 3)
		for part := range task.runs {
			if n := task.runs[part].Load(); n != 1 {
				t.Fatalf("round %d: part %d ran %d times", round, part, n)
			}
		}
		// The workers spin for well under a millisecond (a few under the
		// race detector), then must park.
		deadline := time.Now().Add(time.Second)
		for _, w := range startWorkers(2) {
			for !w.parked.Load() {
				if time.Now().After(deadline) {
					t.Fatalf("round %d: a worker still spins after 1 s idle", round)
				}
				time.Sleep(time.Millisecond)
			}
		}
	}
}

// partRecorder is an exported Task that records how often each part ran.
type partRecorder struct {
	runs []atomic.Int32
}

func (p *partRecorder) RunPart(part int) { p.runs[part].Add(1) }

// TestRunParallel checks that RunParallel runs every part of an exported
// Task exactly once, also for 0 and 1 parts, and does not allocate.
func TestRunParallel(t *testing.T) {
	defer SetThreads(Threads())
	SetThreads(2)
	for _, parts := range []int{0, 1, 2, 3} {
		task := &partRecorder{runs: make([]atomic.Int32, parts)}
		RunParallel(task, parts)
		for part := range task.runs {
			if n := task.runs[part].Load(); n != 1 {
				t.Errorf("parts=%d: part %d ran %d times", parts, part, n)
			}
		}
	}
	task := &partRecorder{runs: make([]atomic.Int32, 2)}
	if a := testing.AllocsPerRun(50, func() { RunParallel(task, 2) }); a != 0 {
		t.Errorf("RunParallel: %v allocations a call", a)
	}
}
