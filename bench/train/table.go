package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
)

// Result is one peer's run of a case: the best of the repetitions.
type Result struct {
	Suite   string `json:"suite"`
	Peer    string `json:"peer"` // "nnsimd", "gonum", "pytorch", "numpy float32", …
	Threads int    `json:"threads"`
	Samples int    `json:"samples"` // training samples per epoch
	// EpochSeconds is the wall time of each epoch's training (the test
	// evaluation excluded; nnsimd's first epoch includes Fit's setup).
	EpochSeconds []float64 `json:"epoch_seconds"`
	EpochAcc     []float64 `json:"epoch_acc"` // test accuracy after each epoch
	// EpochCPU is the process's CPU time (all threads) in each epoch's
	// training.
	EpochCPU []float64 `json:"epoch_cpu_seconds"`
	// ReachedEpoch is the 1-based epoch whose test accuracy first reached
	// the case's TargetAcc, 0 if none did or the case has no target.
	ReachedEpoch int `json:"reached_epoch,omitempty"`
	// StealPercent is the share of the machine's CPU time that its
	// hypervisor gave to other guests during the run (bench.StealPercent),
	// nil where the system does not say.
	StealPercent *float64 `json:"steal_percent,omitempty"`
	Note         string   `json:"note,omitempty"`  // how the peer computes, versions
	Error        string   `json:"error,omitempty"` // the run failed; nothing else is set
}

// TrainSeconds is the total training time of the run.
func (r Result) TrainSeconds() float64 { return sum(r.EpochSeconds) }

// SecondsPerEpoch is the mean training time of an epoch.
func (r Result) SecondsPerEpoch() float64 {
	if len(r.EpochSeconds) == 0 {
		return math.NaN()
	}
	return r.TrainSeconds() / float64(len(r.EpochSeconds))
}

// CPUPerEpoch is the mean CPU time of an epoch, all threads.
func (r Result) CPUPerEpoch() float64 { return sum(r.EpochCPU) / float64(len(r.EpochCPU)) }

// SamplesPerSec is the training throughput over the whole run.
func (r Result) SamplesPerSec() float64 {
	return float64(r.Samples*len(r.EpochSeconds)) / r.TrainSeconds()
}

// TestAcc is the test accuracy after the last epoch.
func (r Result) TestAcc() float64 {
	if len(r.EpochAcc) == 0 {
		return math.NaN()
	}
	return r.EpochAcc[len(r.EpochAcc)-1]
}

// SecondsToTarget is the training time up to the epoch that reached the
// target accuracy, or NaN if the target was not reached.
func (r Result) SecondsToTarget() float64 {
	if r.ReachedEpoch < 1 || r.ReachedEpoch > len(r.EpochSeconds) {
		return math.NaN()
	}
	return sum(r.EpochSeconds[:r.ReachedEpoch])
}

// cost is what a run is ranked by: time to the target accuracy for a
// time-to-accuracy case, else seconds per epoch.
func (r Result) cost(c Case) float64 {
	if r.Error != "" {
		return math.Inf(1)
	}
	if c.TargetAcc > 0 {
		if s := r.SecondsToTarget(); !math.IsNaN(s) {
			return s
		}
		return math.Inf(1)
	}
	return r.SecondsPerEpoch()
}

// cpuCost is cost measured in the process's CPU time (all threads)
// instead of wall time, or +Inf if the run failed or missed its target.
func (r Result) cpuCost(c Case) float64 {
	if math.IsInf(r.cost(c), 1) || len(r.EpochCPU) != len(r.EpochSeconds) {
		return math.Inf(1)
	}
	epochs := r.EpochCPU
	if c.TargetAcc > 0 {
		return sum(epochs[:r.ReachedEpoch])
	}
	return sum(epochs) / float64(len(epochs))
}

func sum(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s
}

// costFunc is Result.cost or Result.cpuCost.
type costFunc func(Result, Case) float64

// fastest returns the cheapest successful run of peer (any thread count if
// threads is 0), or nil.
func fastest(c Case, rs []Result, peer string, threads int) *Result {
	var best *Result
	for i := range rs {
		r := &rs[i]
		if r.Error != "" || r.Peer != peer || (threads != 0 && r.Threads != threads) {
			continue
		}
		if best == nil || r.cost(c) < best.cost(c) {
			best = r
		}
	}
	return best
}

// Target is one of the goals, checked against a suite's results.
type Target struct {
	What string
	// Value returns the measured figure by cost (wall or CPU time) from the
	// runs that are fastest by wall time, or ok false if a run it needs is
	// missing.
	Value  func(c Case, rs []Result, cost costFunc) (v float64, ok bool)
	Goal   float64
	AtMost bool   // met when Value ≤ Goal (else when Value ≥ Goal)
	Unit   string // "s", "×" or "points"
	// Detail, if set, says in a few words which figures Value combined
	// (by wall time), e.g. each thread count of a worst-of target.
	Detail func(c Case, rs []Result) string
}

// Met reports whether v meets the target.
func (t Target) Met(v float64) bool {
	if t.AtMost {
		return v <= t.Goal
	}
	return v >= t.Goal
}

// secondsOf is a target value: the cost of peer's best run at threads.
func secondsOf(peer string, threads int) func(Case, []Result, costFunc) (float64, bool) {
	return func(c Case, rs []Result, cost costFunc) (float64, bool) {
		r := fastest(c, rs, peer, threads)
		if r == nil || math.IsInf(cost(*r, c), 1) {
			return 0, false
		}
		return cost(*r, c), true
	}
}

// ratioOf is a target value: the best cost of peer (any threads) over the
// best cost of base at baseThreads.
func ratioOf(peer string, peerThreads int, base string, baseThreads int) func(Case, []Result, costFunc) (float64, bool) {
	return func(c Case, rs []Result, cost costFunc) (float64, bool) {
		p, b := fastest(c, rs, peer, peerThreads), fastest(c, rs, base, baseThreads)
		if p == nil || b == nil || math.IsInf(cost(*p, c), 1) || math.IsInf(cost(*b, c), 1) {
			return 0, false
		}
		return cost(*p, c) / cost(*b, c), true
	}
}

// sameThreadsPairs are the thread counts at which both peer and base
// have a successful run, in base's order, each with peer's best cost over
// base's best cost at that count.
func sameThreadsPairs(c Case, rs []Result, cost costFunc, peer, base string) (threads []int, ratios []float64) {
	for _, r := range rs {
		if r.Peer != base || slices.Contains(threads, r.Threads) {
			continue
		}
		p, b := fastest(c, rs, peer, r.Threads), fastest(c, rs, base, r.Threads)
		if p == nil || b == nil || math.IsInf(cost(*p, c), 1) || math.IsInf(cost(*b, c), 1) {
			continue
		}
		threads = append(threads, r.Threads)
		ratios = append(ratios, cost(*p, c)/cost(*b, c))
	}
	return threads, ratios
}

// worstSameThreadsRatioOf is a target value: the largest, over the thread
// counts both ran at, of peer's cost over base's at the same count; ok
// false if no count has both.
func worstSameThreadsRatioOf(peer, base string) func(Case, []Result, costFunc) (float64, bool) {
	return func(c Case, rs []Result, cost costFunc) (float64, bool) {
		_, ratios := sameThreadsPairs(c, rs, cost, peer, base)
		if len(ratios) == 0 {
			return 0, false
		}
		return slices.Max(ratios), true
	}
}

// sameThreadsDetail names each thread count's ratio (wall time) that
// worstSameThreadsRatioOf took the worst of.
func sameThreadsDetail(peer, base string) func(Case, []Result) string {
	return func(c Case, rs []Result) string {
		threads, ratios := sameThreadsPairs(c, rs, Result.cost, peer, base)
		if len(threads) == 0 {
			return ""
		}
		parts := make([]string, len(threads))
		for i, t := range threads {
			parts[i] = fmt.Sprintf("%s %.3g×", threadsText(t), ratios[i])
		}
		return "worst of " + strings.Join(parts, ", ")
	}
}

func threadsText(n int) string {
	if n == 1 {
		return "1 thread"
	}
	return fmt.Sprintf("%d threads", n)
}

// accGapOf is a target value: |accuracy of a − accuracy of b| in points.
func accGapOf(a, b string) func(Case, []Result, costFunc) (float64, bool) {
	return func(c Case, rs []Result, _ costFunc) (float64, bool) {
		ra, rb := fastest(c, rs, a, 0), fastest(c, rs, b, 0)
		if ra == nil || rb == nil {
			return 0, false
		}
		return 100 * math.Abs(ra.TestAcc()-rb.TestAcc()), true
	}
}

// pythonFrontDoor is the "Python front door" target: training
// through nnsimd.Network.fit within 5% of the same training in Go, at every
// thread count both ran (the worst counts). The deep suite has no python
// row (see peerApplies), so no such target.
var pythonFrontDoor = Target{What: "python nnsimd ÷ Go nnsimd (same threads)",
	Value: worstSameThreadsRatioOf(pythonPeer, "nnsimd"), Detail: sameThreadsDetail(pythonPeer, "nnsimd"),
	Goal: 1.05, AtMost: true, Unit: "×"}

// Targets are the "Training targets" for each suite.
var Targets = map[string][]Target{
	"persample": {
		{What: "nnsimd, 1 thread: s/epoch", Value: secondsOf("nnsimd", 1), Goal: 0.12, AtMost: true, Unit: "s"},
		{What: "gonum ÷ nnsimd (1 thread)", Value: ratioOf("gonum", 0, "nnsimd", 1), Goal: 8, Unit: "×"},
		{What: "pytorch (best) ÷ nnsimd (1 thread)", Value: ratioOf("pytorch", 0, "nnsimd", 1), Goal: 15, Unit: "×"},
		{What: "numpy float32 ÷ nnsimd (1 thread)", Value: ratioOf("numpy float32", 0, "nnsimd", 1), Goal: 30, Unit: "×"},
		{What: "|acc nnsimd − acc numpy float64|", Value: accGapOf("nnsimd", "numpy float64"), Goal: 0.5, AtMost: true, Unit: "points"},
		pythonFrontDoor,
	},
	"minibatch": {
		{What: "nnsimd, 1 thread: s/epoch", Value: secondsOf("nnsimd", 1), Goal: 0.10, AtMost: true, Unit: "s"},
		{What: "nnsimd, 2 threads: s/epoch", Value: secondsOf("nnsimd", 2), Goal: 0.06, AtMost: true, Unit: "s"},
		{What: "numpy ÷ nnsimd (2 threads)", Value: ratioOf("numpy float32", 0, "nnsimd", 2), Goal: 4.5, Unit: "×"},
		{What: "pytorch (best) ÷ nnsimd (2 threads)", Value: ratioOf("pytorch", 0, "nnsimd", 2), Goal: 6, Unit: "×"},
		{What: "nnsimd 1 thread ÷ 2 threads", Value: ratioOf("nnsimd", 1, "nnsimd", 2), Goal: 1.8, Unit: "×"},
		pythonFrontDoor,
	},
	"deep":    {timeToTarget},
	"shallow": {timeToTarget},
}

// timeToTarget is the time-to-accuracy target, which each model
// the suites try to get there with is held to.
var timeToTarget = Target{What: "pytorch (best) ÷ nnsimd (best): time to target", Value: ratioOf("pytorch", 0, "nnsimd", 0), Goal: 4, Unit: "×"}

// PrintSuite writes a suite's table: one row per run, the ratio of each
// run's cost to nnsimd's fastest, then the targets, met or missed.
func PrintSuite(w io.Writer, c Case, rs []Result) {
	fmt.Fprintf(w, "\n## %s: %s\n", c.Suite, c.Describe())
	base := fastest(c, rs, "nnsimd", 0)
	baseCost := math.NaN()
	if base != nil {
		baseCost = base.cost(c)
	}
	if c.TargetAcc > 0 {
		fmt.Fprintf(w, "ratio = peer's time to %.1f%% ÷ nnsimd's fastest; evaluation time excluded\n", 100*c.TargetAcc)
	} else {
		fmt.Fprintf(w, "ratio = peer's s/epoch ÷ nnsimd's fastest; evaluation time excluded\n")
	}
	fmt.Fprintf(w, "s/epoch is wall time, cpu s/epoch the process's CPU time over all its threads\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "peer\tthreads\tepochs\ts/epoch\tcpu s/epoch\tsamples/s\ttest acc\t"
	if c.TargetAcc > 0 {
		head += fmt.Sprintf("s to %.1f%%\t", 100*c.TargetAcc)
	}
	fmt.Fprintln(tw, head+"ratio\tsteal\t")
	for _, r := range rs {
		if r.Error != "" {
			fmt.Fprintf(tw, "%s\t%d\t\t\t\t\t\t", r.Peer, r.Threads)
			if c.TargetAcc > 0 {
				fmt.Fprint(tw, "\t")
			}
			fmt.Fprintf(tw, "failed\t%s\t\n", stealText(r.StealPercent))
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.3f\t%.3f\t%.0f\t%.2f%%\t", r.Peer, r.Threads, len(r.EpochSeconds),
			r.SecondsPerEpoch(), r.CPUPerEpoch(), r.SamplesPerSec(), 100*r.TestAcc())
		if c.TargetAcc > 0 {
			if s := r.SecondsToTarget(); math.IsNaN(s) {
				fmt.Fprint(tw, "not reached\t")
			} else {
				fmt.Fprintf(tw, "%.2f (epoch %d)\t", s, r.ReachedEpoch)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t\n", ratioText(r.cost(c)/baseCost), stealText(r.StealPercent))
	}
	tw.Flush()
	fmt.Fprintf(w, "steal is the machine's CPU time its hypervisor gave to other guests during the run, all CPUs: a run with more of it is slower than the code (— for a run too short to tell)\n")
	noted := map[string]bool{}
	for _, r := range rs {
		switch {
		case r.Error != "":
			fmt.Fprintf(w, "  %s, %d thread(s) failed: %s\n", r.Peer, r.Threads, r.Error)
		case r.Note != "" && !noted[r.Peer+"\x00"+r.Note]:
			noted[r.Peer+"\x00"+r.Note] = true
			fmt.Fprintf(w, "  %s: %s\n", r.Peer, r.Note)
		}
	}
	if ts := Targets[c.Suite]; len(ts) > 0 {
		fmt.Fprintf(w, "targets (issue 5), by wall time; the same figure by CPU time beside it:\n")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, t := range ts {
			op := "≥"
			if t.AtMost {
				op = "≤"
			}
			u := unitSuffix(t.Unit)
			v, ok := t.Value(c, rs, Result.cost)
			if !ok {
				fmt.Fprintf(tw, "  %s %s %g%s\t—\tnot measured\t\n", t.What, op, t.Goal, u)
				continue
			}
			verdict := "missed"
			if t.Met(v) {
				verdict = "met"
			}
			byCPU := ""
			if cv, ok := t.Value(c, rs, Result.cpuCost); ok && cv != v {
				byCPU = fmt.Sprintf("(cpu time: %.3g%s)", cv, u)
			}
			if t.Detail != nil {
				if d := t.Detail(c, rs); d != "" {
					byCPU += "\t" + d
				}
			}
			fmt.Fprintf(tw, "  %s %s %g%s\t%.3g%s\t%s\t%s\n", t.What, op, t.Goal, u, v, u, verdict, byCPU)
		}
		tw.Flush()
	}
}

func unitSuffix(u string) string {
	if u == "×" {
		return u
	}
	return " " + u
}

func ratioText(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "—"
	}
	return fmt.Sprintf("%.2f", x)
}

// WriteJSONL appends one JSON line per result to w.
func WriteJSONL(w io.Writer, c Case, rs []Result) error {
	enc := json.NewEncoder(w)
	for _, r := range rs {
		line := struct {
			Result
			Case            string  `json:"case"`
			SecondsPerEpoch float64 `json:"seconds_per_epoch,omitempty"`
			SamplesPerSec   float64 `json:"samples_per_s,omitempty"`
			TestAcc         float64 `json:"test_acc,omitempty"`
			SecondsToTarget float64 `json:"seconds_to_target,omitempty"`
		}{Result: r, Case: c.Describe()}
		if r.Error == "" {
			line.SecondsPerEpoch, line.SamplesPerSec, line.TestAcc = r.SecondsPerEpoch(), r.SamplesPerSec(), r.TestAcc()
			if s := r.SecondsToTarget(); !math.IsNaN(s) {
				line.SecondsToTarget = s
			}
		}
		if err := enc.Encode(line); err != nil {
			return err
		}
	}
	return nil
}

// stealText prints a run's StealPercent, or "—" where it is unknown.
func stealText(p *float64) string {
	if p == nil {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", *p)
}
