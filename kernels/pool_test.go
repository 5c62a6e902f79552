package kernels

import (
	"sync"
	"sync/atomic"
	"testing"
)

// countingTask records how often each part ran.
type countingTask struct {
	runs []atomic.Int32
	done sync.WaitGroup
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
				parallelRun(task, parts, &task.done)
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
