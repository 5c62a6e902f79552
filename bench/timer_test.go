package bench

import (
	"slices"
	"testing"
	"time"
)

// A loop with a synthetic clock: NsPerOp must recover its cost per
// iteration exactly, from the fastest run.
func TestNsPerOpSyntheticClock(t *testing.T) {
	tm := Timer{Runs: 4, RunTime: time.Millisecond}
	if got := tm.NsPerOp(func(iters int) time.Duration { return time.Duration(50 * iters) }); got != 50 {
		t.Errorf("NsPerOp of a 50 ns/iteration loop = %v, want 50", got)
	}
	// Runs slowed by interference: the best one counts.
	calls := 0
	slow := func(iters int) time.Duration {
		calls++
		perIter := 90
		if calls%3 == 0 {
			perIter = 30
		}
		return time.Duration(perIter * iters)
	}
	if got := tm.NsPerOp(slow); got != 30 {
		t.Errorf("NsPerOp with one run in three at 30 ns = %v, want 30", got)
	}
	// An operation slower than RunTime still runs at least once per run.
	var counts []int
	got := tm.NsPerOp(func(iters int) time.Duration {
		counts = append(counts, iters)
		return time.Duration(iters) * time.Second
	})
	if got != 1e9 || slices.Max(counts) != 1 {
		t.Errorf("NsPerOp of a 1 s operation = %v ns with iteration counts %v, want 1e9 with 1 each", got, counts)
	}
}

// NsPerOpEach alternates the timed runs of its loops.
func TestNsPerOpEachAlternates(t *testing.T) {
	var order []string
	loop := func(name string, ns int) func(int) time.Duration {
		return func(iters int) time.Duration {
			order = append(order, name)
			return time.Duration(ns * iters)
		}
	}
	tm := Timer{Runs: 3, RunTime: 10 * time.Microsecond}
	got := tm.NsPerOpEach(loop("a", 5), loop("b", 7))
	if !slices.Equal(got, []float64{5, 7}) {
		t.Errorf("NsPerOpEach = %v, want [5 7]", got)
	}
	if timed := order[len(order)-6:]; !slices.Equal(timed, []string{"a", "b", "a", "b", "a", "b"}) {
		t.Errorf("timed runs ran in order %v, want a and b alternating", timed)
	}
}
