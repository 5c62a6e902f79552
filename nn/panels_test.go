package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/nnsimd/nnsimd/kernels"
)

// panelNet is a network whose first layer is wider than a panel and
// ends on a narrower one (300 = 128 + 128 + 44).
func panelNet(t *testing.T) *Network {
	n, err := New(Config{Sizes: []int{100, 300, 10}, Loss: CrossEntropy, Bias: true, Init: He, Seed: 8})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPanelsMatchRowMajor: mini-batch steps on the first layer's
// panels, sparse and dense, with and without momentum, on one and two
// threads, give the same bits as on W row-major, also when the panels are
// left after the first step (the velocity then goes back to W's layout).
func TestPanelsMatchRowMajor(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	const rows, in = 64, 100
	x, y := sparseClasses(rand.New(rand.NewPCG(18, 19)), rows, in)
	nz := make([][]int32, rows)
	for r := range nz {
		nz[r] = make([]int32, in)
		k, _ := kernels.NonZeros(nz[r], x[r*in:r*in+in])
		nz[r] = nz[r][:k]
	}
	for _, threads := range []int{1, 2} {
		kernels.SetThreads(threads)
		for _, mu := range []float32{0, 0.9} {
			for _, c := range []struct {
				lists [][]int32
				leave bool
			}{{nz, false}, {nil, false}, {nz, true}} {
				lists := c.lists
				pa, rm := panelNet(t), panelNet(t)
				pa.ensureBatch(rows)
				rm.ensureBatch(rows)
				if mu != 0 {
					pa.resetVelocity()
					rm.resetVelocity()
				}
				pa.layers[0].toPanels()
				name := fmt.Sprintf("threads=%d momentum=%g sparse=%t leave=%t", threads, mu, lists != nil, c.leave)
				for step := 0; step < 3; step++ {
					if step == 1 && c.leave {
						pa.layers[0].fromPanels()
						pa.layers[0].velocityFromPanels()
					}
					if bad := pa.trainBatch(x, y, rows, lists, 0.05, mu); bad >= 0 {
						t.Fatalf("%s: row %d diverged", name, bad)
					}
					rm.trainBatch(x, y, rows, lists, 0.05, mu)
				}
				pa.layers[0].fromPanels()
				if !slices.Equal(weightBits(pa), weightBits(rm)) {
					t.Fatalf("%s: the weights differ", name)
				}
				if pa.layers[0].panels != nil {
					t.Fatalf("%s: fromPanels left the panels in use", name)
				}
			}
		}
	}
}

// TestFitPanelsProgress: a progress hook of a Fit that trains the first
// layer in panels sees W as it is, and what it writes there stays, also
// when it cancels.
func TestFitPanelsProgress(t *testing.T) {
	const rows, in = 1024, 100
	x, y := sparseClasses(rand.New(rand.NewPCG(20, 21)), rows, in)
	for _, cancel := range []bool{false, true} {
		n := panelNet(t)
		var seen []float32
		calls := 0
		tc := TrainConfig{Epochs: 2, LR: 0.05, BatchSize: 64, Shuffle: true, Seed: 3, ProgressEvery: time.Nanosecond,
			Progress: func(p Progress) bool {
				calls++
				if n.layers[0].panels != nil {
					t.Errorf("epoch %d, sample %d: the hook runs with the panels in use", p.Epoch, p.Done)
				}
				w := n.Weights(0)
				w[3] = float32(calls)
				seen = slices.Clone(w)
				return !cancel
			}}
		_, err := n.Fit(x, y, rows, tc)
		if cancel != errors.Is(err, ErrCanceled) {
			t.Fatalf("cancel=%t: Fit returned %v", cancel, err)
		}
		if n.layers[0].panelBuf == nil {
			t.Fatalf("cancel=%t: Fit did not train in panels", cancel)
		}
		if calls < 2 && !cancel {
			t.Fatalf("the hook ran %d times", calls)
		}
		// The last call came after the last update.
		for i, w := range n.Weights(0) {
			if math.Float32bits(w) != math.Float32bits(seen[i]) {
				t.Fatalf("cancel=%t: w0[%d] = %g after Fit, the last hook left %g", cancel, i, w, seen[i])
			}
		}
	}
}

// TestFitPanelsHookEvaluates: a progress hook that evaluates the network
// mid-Fit, as a per-epoch test-set check does, puts the first layer into
// panels of its own (it shares their buffer with Fit's) and leaves Fit's
// training unchanged: the weights are the bits of a Fit without a hook,
// with momentum (its velocity in the panels' layout) and on two threads.
func TestFitPanelsHookEvaluates(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	kernels.SetThreads(2)
	const rows, in = 1024, 100
	x, y := sparseClasses(rand.New(rand.NewPCG(24, 25)), rows, in)
	labels := make([]uint8, rows)
	for r := range labels {
		labels[r] = uint8(argmax(y[r*10 : r*10+10]))
	}
	train := func(evaluate bool) []uint32 {
		n := panelNet(t)
		evaluated := 0
		tc := TrainConfig{Epochs: 3, LR: 0.05, BatchSize: 64, Momentum: 0.9, Shuffle: true, Seed: 4}
		if evaluate {
			tc.ProgressEvery = time.Nanosecond
			tc.Progress = func(p Progress) bool {
				if _, err := n.Evaluate(x, rows, labels); err != nil {
					t.Fatal(err)
				}
				evaluated++
				return true
			}
		}
		if _, err := n.Fit(x, y, rows, tc); err != nil {
			t.Fatal(err)
		}
		if n.layers[0].panels != nil {
			t.Fatal("Fit left the panels in use")
		}
		if evaluate && evaluated < 2 {
			t.Fatalf("the hook evaluated %d times", evaluated)
		}
		return weightBits(n)
	}
	if !slices.Equal(train(true), train(false)) {
		t.Fatal("evaluating in the progress hook changed the trained weights")
	}
}

// TestPredictPanels: Predict and Evaluate of more rows than a chunk take
// a wide first layer in panels on sparse inputs; their outputs are the
// bits of calls small enough to go without, and W is left as it was.
func TestPredictPanels(t *testing.T) {
	const rows, in, o = 600, 100, 10
	x, y := sparseClasses(rand.New(rand.NewPCG(22, 23)), rows, in)
	labels := make([]uint8, rows)
	for r := range labels {
		labels[r] = uint8(argmax(y[r*o : r*o+o]))
	}
	n := panelNet(t)
	before := weightBits(n)
	whole := make([]float32, rows*o)
	if err := n.Predict(x, rows, whole); err != nil {
		t.Fatal(err)
	}
	if n.layers[0].panelBuf == nil {
		t.Fatal("Predict did not take the panels")
	}
	if n.layers[0].panels != nil {
		t.Fatal("Predict left the panels in use")
	}
	ev, err := n.Evaluate(x, rows, labels)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(weightBits(n), before) {
		t.Fatal("Predict or Evaluate changed the weights")
	}
	const piece = predictPanelsMinRows - 1
	correct := 0
	for r0 := 0; r0 < rows; r0 += piece {
		c := min(piece, rows-r0)
		part := make([]float32, c*o)
		if err := n.Predict(x[r0*in:(r0+c)*in], c, part); err != nil {
			t.Fatal(err)
		}
		for i, v := range part {
			if w := whole[r0*o+i]; math.Float32bits(v) != math.Float32bits(w) {
				t.Fatalf("out[%d][%d] = %g in panels, %g without", r0+i/o, i%o, w, v)
			}
		}
		for r := 0; r < c; r++ {
			if argmax(part[r*o:r*o+o]) == int(labels[r0+r]) {
				correct++
			}
		}
	}
	if ev.Correct != correct {
		t.Fatalf("Evaluate in panels: %d correct, %d without", ev.Correct, correct)
	}
}

// TestFitPanelsFreezeWeights: weights frozen one by one from a progress
// hook stay frozen, Fit going on without the panels, and the velocity
// follows (momentum 0.9).
func TestFitPanelsFreezeWeights(t *testing.T) {
	const rows, in = 1024, 100
	x, y := sparseClasses(rand.New(rand.NewPCG(24, 25)), rows, in)
	n := panelNet(t)
	const frozen = 5
	var kept float32
	calls := 0
	tc := TrainConfig{Epochs: 2, LR: 0.05, BatchSize: 64, Momentum: 0.9, Shuffle: true, Seed: 4, ProgressEvery: time.Nanosecond,
		Progress: func(p Progress) bool {
			calls++
			if calls == 1 {
				mask := make([]bool, len(n.Weights(0)))
				mask[frozen] = true
				if err := n.FreezeWeights(0, mask); err != nil {
					t.Error(err)
				}
				kept = n.Weights(0)[frozen]
			}
			return true
		}}
	start := n.Weights(0)[frozen]
	if _, err := n.Fit(x, y, rows, tc); err != nil {
		t.Fatal(err)
	}
	if calls < 3 {
		t.Fatalf("the hook ran %d times", calls)
	}
	if kept == start {
		t.Fatalf("w0[%d] had not moved by the first hook: the test needs it to", frozen)
	}
	if w := n.Weights(0)[frozen]; w != kept {
		t.Fatalf("w0[%d] = %g after Fit, frozen at %g", frozen, w, kept)
	}
	if n.layers[0].panels != nil {
		t.Fatal("Fit left the panels in use")
	}
}
