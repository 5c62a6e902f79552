package nn

import (
	"slices"
	"time"
)

// threadTuner picks the thread count of mini-batch steps while Fit runs,
// when TrainConfig.Threads is 0. It times every step in windows of
// tunerWindow and, every so often or as soon as a window at the current
// count is markedly slower than the one before, runs a window at a
// neighbouring count (half or twice the current one, within 1..max) and
// keeps whichever had the faster median step. Results do not depend on
// the thread count, so this changes nothing but time.
//
// On a shared virtual machine the other guests can make two threads
// slower than one for seconds at a time: 784-128-10 mini-batch epochs on
// this 2-CPU machine took 0.16–0.19 s on two threads against 0.12–0.15 on
// one in such a spell (and 0.085 against 0.13 outside it), with no steal
// time showing, because a step waits for its slower core. Over 15 rounds
// of 3-epoch Fits taking turns in rotating order
// (BenchmarkMNISTEpoch/batch128/cross-entropy/auto-threads, against
// 3-epochs-2-threads and 3-epochs), an epoch took 0.097 s on the mean with
// the tuner against 0.114 on two threads and 0.122 on one; the median was
// 0.096 against 0.091 (trials, and the odd wrong switch, in calm spells),
// the slowest 0.122 against 0.193.
type threadTuner struct {
	max, cur int
	trial    int // the count on trial, or 0 while running at cur
	timed    int // steps timed in the current window
	times    [tunerWindow]time.Duration
	base     time.Duration // the median step of the window at cur before the trial
	ref      time.Duration // the median step at cur the alarm compares with, 0 before the first
	since    int           // steps run at cur since the last trial
	// gap is how many steps at cur pass between trials, per direction
	// (0 down, 1 up): it doubles after every trial that loses, so that on
	// a steady machine the trials cost little, and starts again after a
	// switch.
	gap  [2]int
	down bool // the direction of the next trial, when both exist
}

const (
	// tunerWindow steps are timed at each count and their medians
	// compared: a mean took the odd step that another process or a page
	// fault delayed by 2× for a slower count, and the median also passes
	// over the first steps after a switch, which wake the pool's workers
	// and move data between the cores' caches.
	tunerWindow = 16
	// tunerGap is the first and the reset gap between trials, tunerMaxGap
	// the longest: a trial of one thread where two are faster costs about
	// half of tunerWindow steps, under 1% of tunerMaxGap.
	tunerGap    = 128
	tunerMaxGap = 1024
	// A trial count replaces the current one when its median step took at
	// most tunerWin times as long: smaller differences are noise.
	tunerWin = 0.9
	// A window at cur whose median is over tunerAlarm times the last
	// one's calls a trial before the gap is out, once tunerAlarmAfter steps
	// have run at cur. The medians of 16 steps on this shared machine vary
	// by 10–20% from window to window in calm spells, and with an alarm at
	// 1/tunerWin a 3-epoch MNIST Fit ran ten trials instead of three.
	tunerAlarm      = 1.4
	tunerAlarmAfter = 4 * tunerWindow
)

// newThreadTuner starts at max threads, which must be at least 2.
func newThreadTuner(max int) *threadTuner {
	return &threadTuner{max: max, cur: max, gap: [2]int{tunerGap, tunerGap}, down: true}
}

// step takes the time of the step just run and returns the thread count
// for the next one.
func (t *threadTuner) step(d time.Duration) int {
	if t.trial == 0 {
		t.since++
	}
	t.times[t.timed] = d
	t.timed++
	if t.timed < tunerWindow {
		return t.running()
	}
	t.timed = 0
	slices.Sort(t.times[:])
	median := t.times[tunerWindow/2]
	if t.trial == 0 {
		next := t.next()
		slower := t.ref > 0 && t.since >= tunerAlarmAfter && float64(median) > tunerAlarm*float64(t.ref)
		if t.since < t.gap[direction(t.cur, next)] && !slower {
			if t.since >= tunerAlarmAfter {
				// Before that, a spell that starts just after a trial
				// is still measured against the trial's figures.
				t.ref = median
			}
			return t.cur
		}
		t.trial, t.base = next, median
		return t.trial
	}
	// The reference for the windows at cur to come is the last median
	// measured at the count kept.
	dir := direction(t.cur, t.trial)
	if float64(median) <= tunerWin*float64(t.base) {
		t.cur, t.ref = t.trial, median
		t.gap = [2]int{tunerGap, tunerGap}
	} else {
		t.ref = t.base
		t.gap[dir] = min(2*t.gap[dir], tunerMaxGap)
	}
	t.trial, t.since = 0, 0
	t.down = !t.down
	return t.cur
}

// running is the count the current window runs at.
func (t *threadTuner) running() int {
	if t.trial != 0 {
		return t.trial
	}
	return t.cur
}

// direction is 0 for a trial below cur, 1 for one above.
func direction(cur, trial int) int {
	if trial > cur {
		return 1
	}
	return 0
}

// next is the count the next trial tries: half or twice cur, alternating
// when both are within 1..max.
func (t *threadTuner) next() int {
	lower, higher := max(t.cur/2, 1), min(2*t.cur, t.max)
	switch {
	case lower == t.cur:
		return higher
	case higher == t.cur, t.down:
		return lower
	}
	return higher
}
