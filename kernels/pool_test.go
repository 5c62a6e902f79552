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
		time.Sleep(20 * time.Millisecond) // longer than the workers spin
		for _, w := range startWorkers(2) {
			if !w.parked.Load() {
				t.Fatalf("round %d: a worker still spins after 20 ms idle", round)
			}
		}
	}
}
