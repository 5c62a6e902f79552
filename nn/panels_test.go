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
// threads, give the same bits as on W row-major.
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
			for _, lists := range [][][]int32{nz, nil} {
				pa, rm := panelNet(t), panelNet(t)
				pa.ensureBatch(rows)
				rm.ensureBatch(rows)
				if mu != 0 {
					pa.resetVelocity()
					rm.resetVelocity()
				}
				pa.layers[0].toPanels()
				name := fmt.Sprintf("threads=%d momentum=%g sparse=%t", threads, mu, lists != nil)
				for step := 0; step < 3; step++ {
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
