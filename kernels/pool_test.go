package kernels

import (
	"fmt"
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

// panickingTask panics in the parts set in bad, with a message naming the
// part; part 0 first waits (up to a second) for part 1 to start, so that
// part 1 runs on a worker's goroutine whenever the pool has one free.
type panickingTask struct {
	bad     map[int]bool
	runs    []atomic.Int32
	started atomic.Bool
}

func (p *panickingTask) runPart(part int) {
	p.runs[part].Add(1)
	if part == 1 {
		p.started.Store(true)
	}
	if part == 0 {
		for deadline := time.Now().Add(time.Second); !p.started.Load() && time.Now().Before(deadline); {
			time.Sleep(10 * time.Microsecond)
		}
	}
	if p.bad[part] {
		panic(fmt.Sprintf("part %d", part))
	}
}

// TestParallelRunPanic checks that a part's panic, on a worker or on the
// caller, reaches the caller as a panic it can recover, after every other
// part has run once, and that the pool works afterwards.
func TestParallelRunPanic(t *testing.T) {
	for _, c := range []struct {
		parts int
		bad   []int
	}{
		{2, []int{1}}, {2, []int{0}}, {2, []int{0, 1}}, {5, []int{1, 3}}, {5, []int{0, 4}},
	} {
		task := &panickingTask{bad: map[int]bool{}, runs: make([]atomic.Int32, c.parts)}
		want := map[string]bool{}
		for _, p := range c.bad {
			task.bad[p] = true
			want[fmt.Sprintf("part %d", p)] = true
		}
		got := func() (v any) {
			defer func() { v = recover() }()
			parallelRun(task, c.parts)
			return nil
		}()
		if s, _ := got.(string); !want[s] {
			t.Errorf("parts %d, panicking %v: recovered %v, want one of %v", c.parts, c.bad, got, want)
		}
		for part := range task.runs {
			if n := task.runs[part].Load(); n != 1 {
				t.Errorf("parts %d, panicking %v: part %d ran %d times", c.parts, c.bad, part, n)
			}
		}
		after := &countingTask{runs: make([]atomic.Int32, 3)}
		parallelRun(after, 3)
		for part := range after.runs {
			if n := after.runs[part].Load(); n != 1 {
				t.Errorf("after a panic of parts %v: part %d of the next call ran %d times", c.bad, part, n)
			}
		}
	}
}

// TestThreadOverrides checks the count in force as overrides start, change
// and end out of order, and as SetThreads is called under one.
func TestThreadOverrides(t *testing.T) {
	defer SetThreads(Threads())
	want := func(step string, n int) {
		t.Helper()
		if got := Threads(); got != n {
			t.Fatalf("%s: Threads() = %d, want %d", step, got, n)
		}
	}
	SetThreads(2)
	a := OverrideThreads(1)
	want("a(1)", 1)
	b := OverrideThreads(3)
	want("a(1), b(3)", 3)
	a.Set(5)
	want("a set to 5 under b", 3)
	a.End()
	want("a ended", 3)
	SetThreads(4)
	want("SetThreads(4) under b", 3)
	b.End()
	want("b ended", 4)
	b.End()
	want("b ended twice", 4)

	c := OverrideThreads(0)
	if c.Threads() != 4 {
		t.Errorf("OverrideThreads(0).Threads() = %d, want SetThreads's 4", c.Threads())
	}
	d := OverrideThreads(2)
	d.End()
	want("c(0), d(2) ended", 4)
	c.Set(1)
	want("c set to 1", 1)
	c.Set(0)
	want("c set to 0", 4)
	c.End()
	want("all ended", 4)
}
