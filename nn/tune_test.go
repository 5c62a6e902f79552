package nn

import (
	"testing"
	"time"
)

// tune runs steps steps of a tuner starting at max threads, each taking
// cost(step, threads), and returns the count each step ran at.
func tune(max, steps int, cost func(step, threads int) time.Duration) []int {
	t := newThreadTuner(max)
	ran := make([]int, steps)
	threads := t.cur
	for i := range ran {
		ran[i] = threads
		threads = t.step(cost(i, threads))
	}
	return ran
}

// perCount makes a cost that depends only on the thread count.
func perCount(us map[int]int) func(int, int) time.Duration {
	return func(_, threads int) time.Duration { return time.Duration(us[threads]) * time.Microsecond }
}

// countAt counts the steps from..to−1 that ran on threads threads.
func countAt(ran []int, threads, from, to int) int {
	n := 0
	for _, t := range ran[from:to] {
		if t == threads {
			n++
		}
	}
	return n
}

func TestThreadTunerKeepsTheFasterCount(t *testing.T) {
	const steps = 20000
	ran := tune(2, steps, perCount(map[int]int{2: 100, 1: 150}))
	if ran[0] != 2 {
		t.Fatalf("started at %d threads, want 2", ran[0])
	}
	// Only trial windows run at 1 thread, and ever more rarely.
	trials := countAt(ran, 1, 0, steps) / tunerWindow
	if trials < 2 || trials > steps/tunerMaxGap+4 {
		t.Errorf("%d steps at 1 thread (%d trials) of %d, want 2..%d trials of %d steps", countAt(ran, 1, 0, steps), trials, steps, steps/tunerMaxGap+4, tunerWindow)
	}
	if late := countAt(ran, 1, steps/2, steps); late > (steps/2/tunerMaxGap+1)*tunerWindow {
		t.Errorf("%d steps at 1 thread in the second half, want a trial every %d steps at most", late, tunerMaxGap)
	}

	ran = tune(2, steps, perCount(map[int]int{2: 300, 1: 150}))
	switched := tunerGap + 2*tunerWindow
	if got := countAt(ran, 1, switched, steps); got < steps-switched-(steps/tunerMaxGap+4)*tunerWindow {
		t.Errorf("two threads 2× slower: only %d of the %d steps after the first trial ran on one", got, steps-switched)
	}
	if got := countAt(ran, 2, 0, tunerGap); got != tunerGap {
		t.Errorf("%d of the first %d steps on two threads, want all before the first trial", got, tunerGap)
	}
}

func TestThreadTunerFollowsASpell(t *testing.T) {
	// Two threads are slower than one from step 2000 to 6000 only.
	ran := tune(2, 10000, func(step, threads int) time.Duration {
		if threads == 2 && step >= 2000 && step < 6000 {
			return 400 * time.Microsecond
		}
		return time.Duration(map[int]int{2: 100, 1: 150}[threads]) * time.Microsecond
	})
	if got := countAt(ran, 1, 2000, 6000); got < 3500 {
		t.Errorf("during the spell %d of 4000 steps on one thread, want most", got)
	}
	if got := countAt(ran, 2, 6000, 10000); got < 2800 {
		t.Errorf("after the spell %d of 4000 steps on two threads, want most", got)
	}
}

func TestThreadTunerIgnoresOutliers(t *testing.T) {
	// Two threads are faster, but on two threads the first three steps
	// after a switch and every seventh step are very slow.
	last := 0
	since := 0
	ran := tune(2, 20000, func(step, threads int) time.Duration {
		if threads != last {
			last, since = threads, 0
		}
		since++
		if threads == 2 && (since <= 3 || step%7 == 0) {
			return time.Second
		}
		return time.Duration(map[int]int{2: 100, 1: 150}[threads]) * time.Microsecond
	})
	if got := countAt(ran, 1, 0, 20000); got > (20000/tunerMaxGap+4)*tunerWindow {
		t.Errorf("%d of 20000 steps on one thread, want trials only", got)
	}
}

func TestThreadTunerLadder(t *testing.T) {
	// On 8 CPUs with 2 threads fastest, the tuner halves down to 2 and
	// then tries 1 and 4 in turn.
	cost := perCount(map[int]int{8: 300, 4: 200, 2: 100, 1: 180})
	ran := tune(8, 20000, cost)
	if got := countAt(ran, 2, 10000, 20000); got < 9000 {
		t.Errorf("%d of the last 10000 steps on 2 threads, want most", got)
	}
	tried := map[int]bool{}
	for _, th := range ran[10000:] {
		tried[th] = true
	}
	if !tried[1] || !tried[4] || tried[8] {
		t.Errorf("from 2 threads it tried %v, want 1 and 4 (and not 8)", tried)
	}
}
