package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nnsimd/nnsimd/kernels"
)

type combo struct {
	hidden, output Activation
	loss           Loss
}

func allCombos() []combo {
	var cs []combo
	for _, h := range []Activation{Identity, ReLU, Sigmoid, Tanh, Step} {
		for _, o := range []Activation{Identity, ReLU, Sigmoid, Tanh, Step, Softmax} {
			cs = append(cs, combo{h, o, MSE})
		}
		cs = append(cs, combo{h, Softmax, CrossEntropy})
	}
	return cs
}

// TestUpdateMatchesGradient checks one training step against the float64
// reference's backprop gradient (itself checked against finite differences
// above) for every activation × loss, in each training mode: per-sample with
// a dense and with a sparse input (the first layer's non-zero-row path),
// mini-batch (the same sample twice, whose mean gradient is the sample's),
// and momentum (whose first step is a plain step). The update must be
// W_after = W_before − lr·grad.
func TestUpdateMatchesGradient(t *testing.T) {
	const lr = 0.01
	modes := []struct {
		name   string
		sparse bool
		tc     TrainConfig
		rows   int
	}{
		{"per-sample dense", false, TrainConfig{Epochs: 1, LR: lr}, 1},
		{"per-sample sparse", true, TrainConfig{Epochs: 1, LR: lr}, 1},
		{"mini-batch", true, TrainConfig{Epochs: 1, LR: lr, BatchSize: 8}, 2},
		{"momentum", false, TrainConfig{Epochs: 1, LR: lr, Momentum: 0.9}, 1},
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range allCombos() {
		for _, m := range modes {
			name := fmt.Sprintf("%s-%s-%s/%s", c.hidden, c.output, c.loss, m.name)
			n, err := New(Config{Sizes: []int{12, 5, 4, 3}, Hidden: c.hidden, Output: c.output, Loss: c.loss, Bias: true, Init: Xavier, Seed: 11})
			if err != nil {
				t.Fatal(err)
			}
			for l := 0; l < n.NumLayers(); l++ {
				copy(n.Biases(l), randVec(rng, len(n.Biases(l)), -0.3, 0.3))
			}
			r := refFrom(n)
			var x []float32
			for {
				x = randVec(rng, 12, -1, 1)
				if m.sparse {
					// Non-zeros at 0, 1, 7 and 11: spans [0,2), [7,8), [11,12),
					// so both the multi-row and the single-row kernels run.
					for _, i := range []int{2, 3, 4, 5, 6, 8, 9, 10} {
						x[i] = 0
					}
				}
				if r.kinkFree(to64(x), 1e-3) {
					break
				}
			}
			if nz, _ := n.nonZeroRows(x); (nz != nil) != m.sparse {
				t.Fatalf("%s: sparse path taken: %v, want %v", name, nz != nil, m.sparse)
			}
			tg := targetsFor(rng, c.loss, c.output, 3)
			gw, gb := r.grad(to64(x), to64(tg))
			xs, ts := x, tg
			for k := 1; k < m.rows; k++ {
				xs, ts = append(xs, x...), append(ts, tg...)
			}
			if _, err := n.Fit(xs, ts, m.rows, m.tc); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for l := 0; l < n.NumLayers(); l++ {
				compareStep(t, name, fmt.Sprintf("w%d", l), r.w[l], n.Weights(l), gw[l], lr)
				compareStep(t, name, fmt.Sprintf("b%d", l), r.b[l], n.Biases(l), gb[l], lr)
			}
		}
	}
}

// compareStep checks after ≈ before − lr·grad. float32 weights of size ~1
// carry ~6e-8 absolute error, so the step (~lr·|grad|) is known to about
// 1e-5 absolute in grad units, plus float32's relative error on grad.
func compareStep(t *testing.T, name, what string, before []float64, after []float32, grad []float64, lr float64) {
	t.Helper()
	scale := math.Max(maxAbs(grad), 1e-3)
	for i := range before {
		got := (before[i] - float64(after[i])) / lr
		if math.Abs(got-grad[i]) > 2e-5+1e-4*scale {
			t.Errorf("%s: %s[%d]: step/lr = %g, reference gradient %g", name, what, i, got, grad[i])
			return
		}
	}
}

// TestMiniBatchMatchesReference trains a small net with biases, momentum
// and a partial last batch for several epochs and compares every weight and
// epoch loss with the float64 reference.
func TestMiniBatchMatchesReference(t *testing.T) {
	for _, c := range []combo{{ReLU, Softmax, CrossEntropy}, {Tanh, Sigmoid, MSE}, {Sigmoid, Identity, MSE}} {
		for _, mu := range []float32{0, 0.9} {
			name := fmt.Sprintf("%s-%s-%s/momentum %g", c.hidden, c.output, c.loss, mu)
			n, err := New(Config{Sizes: []int{5, 7, 3}, Hidden: c.hidden, Output: c.output, Loss: c.loss, Bias: true, Init: He, Seed: 5})
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(9, 9))
			const rows = 10
			x := randVec(rng, rows*5, -1, 1)
			var y []float32
			for r := 0; r < rows; r++ {
				y = append(y, targetsFor(rng, c.loss, c.output, 3)...)
			}
			ref := refFrom(n)
			want := ref.trainBatches(to64(x), to64(y), rows, 4, 5, 0.1, float64(mu))
			h, err := n.Fit(x, y, rows, TrainConfig{Epochs: 5, LR: 0.1, BatchSize: 4, Momentum: mu})
			if err != nil {
				t.Fatal(err)
			}
			for e := range want {
				if math.Abs(h.Loss[e]-want[e]) > 1e-5*math.Max(1, want[e]) {
					t.Errorf("%s: epoch %d loss %g, reference %g", name, e+1, h.Loss[e], want[e])
				}
			}
			for l := 0; l < n.NumLayers(); l++ {
				for i, w := range n.Weights(l) {
					if math.Abs(float64(w)-ref.w[l][i]) > 1e-5 {
						t.Errorf("%s: w%d[%d] = %g, reference %g", name, l, i, w, ref.w[l][i])
						break
					}
				}
				for i, b := range n.Biases(l) {
					if math.Abs(float64(b)-ref.b[l][i]) > 1e-5 {
						t.Errorf("%s: b%d[%d] = %g, reference %g", name, l, i, b, ref.b[l][i])
						break
					}
				}
			}
		}
	}
}

// TestBatchOfOneMatchesPerSample drives the mini-batch step with batches of
// one and the per-sample step over the same data; they compute the same
// thing by different kernels (GEMM against Gemv/Axpy), so they agree to
// float32 rounding.
func TestBatchOfOneMatchesPerSample(t *testing.T) {
	cfg := Config{Sizes: []int{20, 16, 4}, Loss: CrossEntropy, Bias: true, Init: He, Seed: 3}
	a, _ := New(cfg)
	b, _ := New(cfg)
	rng := rand.New(rand.NewPCG(1, 1))
	const rows = 50
	x := sparseInputs(rng, rows, 20, 0.3)
	labels := make([]uint8, rows)
	for i := range labels {
		labels[i] = uint8(rng.IntN(4))
	}
	y := OneHot(labels, 4)
	b.ensureBatch(1)
	for e := 0; e < 3; e++ {
		for r := 0; r < rows; r++ {
			nz, _ := a.nonZeroRows(x[r*20 : r*20+20])
			la, ok := a.trainSample(x[r*20:r*20+20], y[r*4:r*4+4], nz, 0.05)
			if !ok {
				t.Fatal("per-sample step diverged")
			}
			if bad := b.trainBatch(x[r*20:r*20+20], y[r*4:r*4+4], 1, nil, 0.05, 0); bad >= 0 {
				t.Fatal("batch step diverged")
			}
			if lb := b.bw.loss[0]; math.Abs(la-lb) > 1e-4*math.Max(1, la) {
				t.Fatalf("epoch %d sample %d: loss %g per-sample, %g batch of one", e, r, la, lb)
			}
		}
	}
	for l := 0; l < a.NumLayers(); l++ {
		for i, w := range a.Weights(l) {
			if d := math.Abs(float64(w - b.Weights(l)[i])); d > 1e-5 {
				t.Fatalf("w%d[%d]: %g per-sample, %g batch of one", l, i, w, b.Weights(l)[i])
			}
		}
	}
}

// sparseInputs makes rows×cols inputs in [0,1) with about density non-zero,
// like MNIST's pixels.
func sparseInputs(rng *rand.Rand, rows, cols int, density float64) []float32 {
	x := make([]float32, rows*cols)
	for i := range x {
		if rng.Float64() < density {
			x[i] = float32(rng.Float64())
		}
	}
	return x
}

func weightBits(n *Network) []uint32 {
	var bits []uint32
	for l := 0; l < n.NumLayers(); l++ {
		for _, w := range n.Weights(l) {
			bits = append(bits, math.Float32bits(w))
		}
		for _, b := range n.Biases(l) {
			bits = append(bits, math.Float32bits(b))
		}
	}
	return bits
}

func sameBits(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRepeatable(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	const rows = 300
	x := sparseInputs(rng, rows, 30, 0.2)
	labels := make([]uint8, rows)
	for i := range labels {
		labels[i] = uint8(rng.IntN(5))
	}
	y := OneHot(labels, 5)
	train := func(cfgSeed, shuffleSeed uint64, batch int, shuffle bool) []uint32 {
		n, err := New(Config{Sizes: []int{30, 12, 5}, Loss: CrossEntropy, Bias: true, Init: Uniform, InitScale: 0.2, Seed: cfgSeed})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.Fit(x, y, rows, TrainConfig{Epochs: 2, LR: 0.05, BatchSize: batch, Momentum: 0.5, Shuffle: shuffle, Seed: shuffleSeed}); err != nil {
			t.Fatal(err)
		}
		return weightBits(n)
	}
	for _, batch := range []int{1, 32} {
		a, b := train(1, 7, batch, true), train(1, 7, batch, true)
		if !sameBits(a, b) {
			t.Errorf("batch %d: same seeds gave different weights", batch)
		}
		if sameBits(a, train(2, 7, batch, true)) {
			t.Errorf("batch %d: a different init seed gave the same weights", batch)
		}
		if sameBits(a, train(1, 8, batch, true)) {
			t.Errorf("batch %d: a different shuffle seed gave the same weights", batch)
		}
		if sameBits(a, train(1, 7, batch, false)) {
			t.Errorf("batch %d: shuffling made no difference", batch)
		}
	}
}

// TestShuffleIsPermutation checks that shuffled training equals unshuffled
// training on the data permuted by EpochOrders, epoch by epoch, per sample
// and in mini-batches: each epoch visits every sample once, in the order
// EpochOrders gives.
func TestShuffleIsPermutation(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	const rows, in, out, epochs = 40, 6, 2, 3
	x := randVec(rng, rows*in, -1, 1)
	y := randVec(rng, rows*out, 0, 1)
	cfg := Config{Sizes: []int{in, 4, out}, Hidden: Tanh, Seed: 1}
	orders := EpochOrders(rows, epochs, 99)
	if len(orders) != epochs {
		t.Fatalf("EpochOrders gave %d epochs, want %d", len(orders), epochs)
	}
	for _, batch := range []int{1, 8} {
		a, _ := New(cfg)
		if _, err := a.Fit(x, y, rows, TrainConfig{Epochs: epochs, LR: 0.05, BatchSize: batch, Shuffle: true, Seed: 99}); err != nil {
			t.Fatal(err)
		}
		b, _ := New(cfg)
		for e, perm := range orders {
			if e > 0 && slices.Equal(perm, orders[e-1]) {
				t.Fatalf("epochs %d and %d in the same order", e, e+1)
			}
			seen := make([]bool, rows)
			var xp, yp []float32
			for _, r := range perm {
				if seen[r] {
					t.Fatalf("epoch %d: row %d twice in the permutation", e+1, r)
				}
				seen[r] = true
				xp = append(xp, x[int(r)*in:int(r+1)*in]...)
				yp = append(yp, y[int(r)*out:int(r+1)*out]...)
			}
			if _, err := b.Fit(xp, yp, rows, TrainConfig{Epochs: 1, LR: 0.05, BatchSize: batch}); err != nil {
				t.Fatal(err)
			}
		}
		if !sameBits(weightBits(a), weightBits(b)) {
			t.Errorf("batch %d: shuffled training differs from training on the data in EpochOrders' order", batch)
		}
	}
}

func TestDivergenceInBatch(t *testing.T) {
	n, _ := New(Config{Sizes: []int{1, 1}, Output: Identity})
	n.SetWeights(0, []float32{0.5})
	x := []float32{2, 2, 2, 2, 2, 2}
	y := []float32{0.8, 0.8, 0.8, 0.8, 0.8, 0.8}
	before := n.Weights(0)[0]
	_, err := n.Fit(x, y, 6, TrainConfig{Epochs: 1000, LR: 2, BatchSize: 4, Shuffle: true, Seed: 1})
	var de *DivergedError
	if !errors.As(err, &de) {
		t.Fatalf("Fit = %v, want a *DivergedError", err)
	}
	if de.Sample < 0 || de.Sample >= 6 || de.Epoch < 2 {
		t.Errorf("DivergedError{Epoch: %d, Sample: %d}: want a row in [0,6) after epoch 1", de.Epoch, de.Sample)
	}
	if w := n.Weights(0)[0]; w == before || math.IsInf(float64(w), 0) || math.IsNaN(float64(w)) {
		t.Errorf("weight %g after divergence: want a trained, finite value", w)
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("epoch %d, sample %d", de.Epoch, de.Sample)) {
		t.Errorf("error %q does not name the epoch and sample", err)
	}
}

func TestCancel(t *testing.T) {
	for _, batch := range []int{1, 16} {
		rng := rand.New(rand.NewPCG(5, 5))
		const rows = 2000
		x := sparseInputs(rng, rows, 10, 0.5)
		y := randVec(rng, rows*2, 0, 1)
		n, _ := New(Config{Sizes: []int{10, 8, 2}, Hidden: Sigmoid, Seed: 1})
		var calls []Progress
		h, err := n.Fit(x, y, rows, TrainConfig{Epochs: 5, LR: 0.01, BatchSize: batch, ProgressEvery: time.Nanosecond,
			Progress: func(p Progress) bool {
				calls = append(calls, p)
				return len(calls) < 3
			}})
		if !errors.Is(err, ErrCanceled) {
			t.Fatalf("batch %d: Fit = %v, want ErrCanceled", batch, err)
		}
		if len(calls) != 3 || len(h.Loss) != 0 {
			t.Fatalf("batch %d: %d progress calls and %d epochs completed, want 3 calls inside epoch 1", batch, len(calls), len(h.Loss))
		}
		for i, p := range calls {
			if p.Epoch != 1 || p.Epochs != 5 || p.Total != rows || p.Done <= 0 || p.Done >= rows || !(p.Loss > 0) || p.Elapsed <= 0 {
				t.Errorf("batch %d: progress call %d = %+v", batch, i, p)
			}
			if i > 0 && p.Done <= calls[i-1].Done {
				t.Errorf("batch %d: Done went from %d to %d", batch, calls[i-1].Done, p.Done)
			}
		}
		// The network is usable: it predicts and trains on.
		for _, v := range n.Forward(x[:10]) {
			if math.IsNaN(float64(v)) {
				t.Fatal("NaN output after cancel")
			}
		}
		if _, err := n.Fit(x, y, rows, TrainConfig{Epochs: 1, LR: 0.01, BatchSize: batch}); err != nil {
			t.Fatalf("Fit after cancel: %v", err)
		}
	}
}

func TestProgressAtEpochEnds(t *testing.T) {
	x := []float32{1, 0, 0, 1}
	y := []float32{1, 0}
	n, _ := New(Config{Sizes: []int{2, 1}})
	var ends []Progress
	h, err := n.Fit(x, y, 2, TrainConfig{Epochs: 3, LR: 0.1, Progress: func(p Progress) bool {
		ends = append(ends, p)
		return true
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ends) != 3 {
		t.Fatalf("%d progress calls, want one per epoch", len(ends))
	}
	for i, p := range ends {
		if p.Epoch != i+1 || p.Done != 2 || p.Total != 2 || p.Loss != h.Loss[i] {
			t.Errorf("epoch-end call %d = %+v, epoch loss %g", i, p, h.Loss[i])
		}
	}
}

func TestValidation(t *testing.T) {
	bad := []struct {
		cfg  Config
		want string
	}{
		{Config{Sizes: []int{3}}, "Sizes has 1 entries"},
		{Config{Sizes: []int{3, 0}}, "Sizes[1] = 0"},
		{Config{Sizes: []int{3, 2}, Hidden: Softmax}, "softmax is allowed only as the output"},
		{Config{Sizes: []int{3, 2}, Hidden: "gelu"}, `unknown hidden activation "gelu"`},
		{Config{Sizes: []int{3, 2}, Output: "gelu"}, `unknown output activation "gelu"`},
		{Config{Sizes: []int{3, 2}, Loss: CrossEntropy, Output: Sigmoid}, "cross_entropy needs a softmax output"},
		{Config{Sizes: []int{3, 2}, Loss: "hinge"}, `unknown loss "hinge"`},
		{Config{Sizes: []int{3, 2}, Init: "zeros"}, `unknown init "zeros"`},
		{Config{Sizes: []int{3, 2}, InitScale: float32(math.NaN())}, "InitScale = NaN"},
		{Config{Sizes: []int{1 << 16, 1 << 16}}, "more than"},
	}
	for _, b := range bad {
		_, err := New(b.cfg)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), b.want) {
			t.Errorf("New(%+v) = %v, want ErrInvalid mentioning %q", b.cfg, err, b.want)
		}
	}
	n, err := New(Config{Sizes: []int{3, 2}, Loss: CrossEntropy})
	if err != nil || n.Config().Output != Softmax {
		t.Fatalf("cross_entropy without an output activation: %v, output %q; want softmax", err, n.Config().Output)
	}
	x := make([]float32, 12)
	y := make([]float32, 8)
	nan := float32(math.NaN())
	fits := []struct {
		x, y []float32
		rows int
		tc   TrainConfig
		want string
	}{
		{x, make([]float32, 36), 4, TrainConfig{Epochs: 1, LR: 1}, "y has 9 columns, network outputs 2"},
		{make([]float32, 16), y, 4, TrainConfig{Epochs: 1, LR: 1}, "x has 4 columns, network has 3 inputs"},
		{x[:11], y, 4, TrainConfig{Epochs: 1, LR: 1}, "len(x) = 11, want rows×inputs = 4×3 = 12"},
		{x, y, 0, TrainConfig{Epochs: 1, LR: 1}, "rows = 0"},
		{x, y, 4, TrainConfig{Epochs: 0, LR: 1}, "Epochs = 0"},
		{x, y, 4, TrainConfig{Epochs: 1, LR: 0}, "LR = 0"},
		{x, y, 4, TrainConfig{Epochs: 1, LR: nan}, "LR = NaN"},
		{x, y, 4, TrainConfig{Epochs: 1, LR: 1, Momentum: 1}, "Momentum = 1"},
		{x, y, 4, TrainConfig{Epochs: 1, LR: 1, Momentum: nan}, "Momentum = NaN"},
		{x, y, 4, TrainConfig{Epochs: 1, LR: 1, BatchSize: -1}, "BatchSize = -1"},
		{[]float32{0, 0, 0, 0, 0, 0, 0, float32(math.Inf(1)), 0, 0, 0, 0}, y, 4, TrainConfig{Epochs: 1, LR: 1}, "x[2][1] = +Inf"},
		{x, []float32{0, 0, 0, nan, 0, 0, 0, 0}, 4, TrainConfig{Epochs: 1, LR: 1}, "y[1][1] = NaN"},
	}
	for _, f := range fits {
		_, err := n.Fit(f.x, f.y, f.rows, f.tc)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), f.want) {
			t.Errorf("Fit: %v, want ErrInvalid mentioning %q", err, f.want)
		}
	}
	if err := n.SetWeights(0, make([]float32, 5)); !errors.Is(err, ErrInvalid) {
		t.Errorf("SetWeights with 5 of 6 weights: %v", err)
	}
	if err := n.SetBiases(0, make([]float32, 2)); !errors.Is(err, ErrInvalid) {
		t.Errorf("SetBiases without biases: %v", err)
	}
	if err := n.FreezeWeights(0, make([]bool, 7)); !errors.Is(err, ErrInvalid) {
		t.Errorf("FreezeWeights with 7 of 6: %v", err)
	}
	if err := n.Predict(x, 4, make([]float32, 7)); !errors.Is(err, ErrInvalid) {
		t.Errorf("Predict with a short out: %v", err)
	}
	if _, err := n.Evaluate(x, 4, []uint8{0, 1, 2, 0}); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "labels[2] = 2") {
		t.Errorf("Evaluate with label 2 of 2 outputs: %v", err)
	}
}

// TestFreezeOneWeight is the book's ch. 5 "freezing one weight": inputs
// toes, wlrec, nfans of game 0, weights [0.1, 0.2, −0.1], alpha 0.3, three
// iterations with weight a never adjusted. In both training modes the frozen
// weight keeps its bits and the others follow the book's arithmetic.
func TestFreezeOneWeight(t *testing.T) {
	input := []float64{8.5, 0.65, 1.2}
	want := []float64{0.1, 0.2, -0.1}
	for it := 0; it < 3; it++ {
		var pred float64
		for i := range input {
			pred += input[i] * want[i]
		}
		delta := pred - 1
		for i := 1; i < 3; i++ {
			want[i] -= 0.3 * delta * input[i]
		}
	}
	for _, batch := range []int{1, 2} {
		n, _ := New(Config{Sizes: []int{3, 1}})
		n.SetWeights(0, []float32{0.1, 0.2, -0.1})
		if err := n.FreezeWeights(0, []bool{true, false, false}); err != nil {
			t.Fatal(err)
		}
		x := []float32{8.5, 0.65, 1.2, 8.5, 0.65, 1.2}
		y := []float32{1, 1}
		rows := batch // the batch holds the sample twice, so its mean gradient is the sample's
		if _, err := n.Fit(x[:3*rows], y[:rows], rows, TrainConfig{Epochs: 3, LR: 0.3, BatchSize: batch}); err != nil {
			t.Fatal(err)
		}
		w := n.Weights(0)
		if w[0] != 0.1 {
			t.Errorf("batch %d: frozen weight = %v, want 0.1", batch, w[0])
		}
		for i := 1; i < 3; i++ {
			if math.Abs(float64(w[i])-want[i]) > 1e-6 {
				t.Errorf("batch %d: weight %d = %v, book arithmetic gives %v", batch, i, w[i], want[i])
			}
		}
		if err := n.FreezeWeights(0, nil); err != nil {
			t.Fatal(err)
		}
		n.Fit(x[:3*rows], y[:rows], rows, TrainConfig{Epochs: 1, LR: 0.01, BatchSize: batch})
		if n.Weights(0)[0] == 0.1 {
			t.Errorf("batch %d: weight 0 still unchanged after unfreezing", batch)
		}
	}
}

func TestFreezeLayer(t *testing.T) {
	for _, batch := range []int{1, 8} {
		rng := rand.New(rand.NewPCG(6, 6))
		n, _ := New(Config{Sizes: []int{4, 6, 5, 2}, Hidden: Tanh, Bias: true, Seed: 2})
		for l := 0; l < 3; l++ {
			copy(n.Biases(l), randVec(rng, len(n.Biases(l)), -0.1, 0.1))
		}
		for _, frozen := range []int{0, 1, 2} {
			for l := 0; l < 3; l++ {
				n.FreezeLayer(l, l == frozen)
			}
			before := make([][]float32, 3)
			for l := range before {
				before[l] = append(append([]float32(nil), n.Weights(l)...), n.Biases(l)...)
			}
			x := randVec(rng, 40*4, -1, 1)
			y := randVec(rng, 40*2, -1, 1)
			if _, err := n.Fit(x, y, 40, TrainConfig{Epochs: 1, LR: 0.05, BatchSize: batch}); err != nil {
				t.Fatal(err)
			}
			for l := range before {
				after := append(append([]float32(nil), n.Weights(l)...), n.Biases(l)...)
				changed := 0
				for i := range after {
					if after[i] != before[l][i] {
						changed++
					}
				}
				if l == frozen && changed != 0 {
					t.Errorf("batch %d: frozen layer %d: %d parameters changed", batch, l, changed)
				}
				if l != frozen && changed < len(after)/2 {
					t.Errorf("batch %d, layer %d frozen: layer %d changed only %d of %d parameters", batch, frozen, l, changed, len(after))
				}
			}
		}
	}
}

// TestNoAllocations: a training step, per-sample and mini-batch, allocates
// nothing once the workspaces exist.
//
// It runs the kernels on one thread: the threaded GEMM keeps its per-call
// job and packing buffers in sync.Pools, which are per-P caches and are
// emptied by garbage collection, so with several threads an occasional step
// allocates inside package kernels. The forced collection leaves none
// pending from earlier tests. The pause first lets the pool's workers,
// still spinning after earlier tests, park: a spinning worker's
// runtime.Gosched can move this goroutine to another P, whose sync.Pool
// caches are empty.
func TestNoAllocations(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	kernels.SetThreads(1)
	time.Sleep(20 * time.Millisecond)
	runtime.GC()
	rng := rand.New(rand.NewPCG(7, 7))
	n, _ := New(Config{Sizes: []int{784, 128, 10}, Loss: CrossEntropy, Bias: true, Seed: 1})
	n.FreezeWeights(0, make([]bool, 784*128)) // exercise the save/restore path too
	x := sparseInputs(rng, 128, 784, 0.19)
	y := OneHot(make([]uint8, 128), 10)
	step := func() {
		nz, _ := n.nonZeroRows(x[:784])
		n.trainSample(x[:784], y[:10], nz, 0.01)
	}
	if a := testing.AllocsPerRun(20, step); a != 0 {
		t.Errorf("per-sample step: %v allocations", a)
	}
	n.ensureBatch(128)
	if a := testing.AllocsPerRun(5, func() { n.trainBatch(x, y, 128, nil, 0.01, 0) }); a != 0 {
		t.Errorf("mini-batch step: %v allocations", a)
	}
	nz := nonZeroLists(x, 128, 784)
	if a := testing.AllocsPerRun(5, func() { n.trainBatch(x, y, 128, nz, 0.01, 0) }); a != 0 {
		t.Errorf("mini-batch step, sparse first layer: %v allocations", a)
	}
	n.resetVelocity()
	if a := testing.AllocsPerRun(5, func() { n.trainBatch(x, y, 77, nz[:77], 0.01, 0.9) }); a != 0 {
		t.Errorf("mini-batch momentum step, partial batch: %v allocations", a)
	}
	if a := testing.AllocsPerRun(20, func() { n.Forward(x[:784]) }); a != 0 {
		t.Errorf("Forward: %v allocations", a)
	}
	out := make([]float32, 128*10)
	if a := testing.AllocsPerRun(5, func() { n.Predict(x, 128, out) }); a != 0 {
		t.Errorf("Predict: %v allocations", a)
	}
	// A hidden layer taking the sparse product, with momentum. (On two
	// threads under qemu-aarch64 such steps allocated 1–4 objects:
	// sync.Pool remade its per-P arrays mid-count.)
	hs := hiddenSparseNet(t)
	hx, hy := hiddenSparseData(rng, 48)
	hs.ensureBatch(48)
	hs.resetVelocity()
	if a := testing.AllocsPerRun(5, func() { hs.trainBatch(hx, hy, 48, nil, 0.05, 0.9) }); a != 0 {
		t.Errorf("mini-batch step, sparse hidden layer: %v allocations", a)
	}
	if !hs.bw.hiddenAllSparse(1, 48) {
		t.Error("the hidden layer did not take the sparse product")
	}
	// A first layer in panels, as mini-batch Fit keeps a wide one on sparse
	// inputs, with momentum; and Predict of more than one chunk of rows,
	// which puts it in panels for the call.
	wide, _ := New(Config{Sizes: []int{784, panelWidth + 32, 10}, Loss: CrossEntropy, Bias: true, Seed: 1})
	wide.ensureBatch(128)
	wide.resetVelocity()
	wide.layers[0].toPanels()
	if a := testing.AllocsPerRun(5, func() { wide.trainBatch(x, y, 128, nz, 0.01, 0.9) }); a != 0 {
		t.Errorf("mini-batch momentum step, first layer in panels: %v allocations", a)
	}
	if a := testing.AllocsPerRun(5, func() { wide.trainBatch(x, y, 128, nil, 0.01, 0.9) }); a != 0 {
		t.Errorf("mini-batch momentum step, dense inputs, first layer in panels: %v allocations", a)
	}
	wide.layers[0].fromPanels()
	px := sparseInputs(rng, predictPanelsMinRows, 784, 0.19)
	pout := make([]float32, predictPanelsMinRows*10)
	if a := testing.AllocsPerRun(5, func() { wide.Predict(px, predictPanelsMinRows, pout) }); a != 0 {
		t.Errorf("Predict of %d rows, first layer in panels: %v allocations", predictPanelsMinRows, a)
	}
}

// checkPredict compares Predict and Forward on rows samples of n's inputs
// with the float64 reference, and returns Predict's outputs.
func checkPredict(t *testing.T, n *Network, x []float32, rows int, what string) []float32 {
	t.Helper()
	in, outs := n.Inputs(), n.Outputs()
	out := make([]float32, rows*outs)
	if err := n.Predict(x, rows, out); err != nil {
		t.Fatal(err)
	}
	r := refFrom(n)
	for i := 0; i < rows; i++ {
		_, ys := r.forward(to64(x[i*in : i*in+in]))
		y := ys[len(ys)-1]
		one := n.Forward(x[i*in : i*in+in])
		for j := range y {
			if math.Abs(float64(out[i*outs+j])-y[j]) > 1e-5 || math.Abs(float64(one[j])-y[j]) > 1e-5 {
				t.Fatalf("%s: row %d output %d: Predict %g, Forward %g, reference %g", what, i, j, out[i*outs+j], one[j], y[j])
			}
		}
	}
	return out
}

// TestListNonZeros: the inference path lists a share's non-zero inputs
// when they are few enough for the sparse first layer, and gives up (nil)
// as soon as they are not.
func TestListNonZeros(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	n, _ := New(Config{Sizes: []int{40, 8, 3}, Seed: 1})
	n.ensureBatch(64)
	x := sparseInputs(rng, 64, 40, 0.2)
	nz, bad := n.listNonZeros(x, 16, 48)
	if nz == nil || bad != -1 {
		t.Fatal("20% non-zero inputs: no lists")
	}
	for r := 16; r < 48; r++ {
		var want []int32
		for i, v := range x[r*40 : r*40+40] {
			if v != 0 {
				want = append(want, int32(i))
			}
		}
		if !slices.Equal(nz[r], want) {
			t.Fatalf("row %d: list %v, want %v", r, nz[r], want)
		}
	}
	copy(x[20*40:21*40], sparseInputs(rng, 1, 40, 1))
	for r := 21; r < 48; r++ {
		copy(x[r*40:r*40+40], sparseInputs(rng, 1, 40, 0.5))
	}
	if nz, _ := n.listNonZeros(x, 16, 48); nz != nil {
		t.Error("a share of rows half non-zero: lists, want nil")
	}
}

// TestPredictThreads: Predict gives the same bits on any number of
// threads, also when the rows of one share are sparse enough for the
// sparse first layer and those of the next are not.
func TestPredictThreads(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	rng := rand.New(rand.NewPCG(10, 10))
	n, _ := New(Config{Sizes: []int{784, 32, 4}, Bias: true, Seed: 2})
	copy(n.Biases(0), randVec(rng, 32, -0.5, 0.5)) // the two paths add it at different times
	const rows = 256
	x := append(sparseInputs(rng, rows/2, 784, 0.25), sparseInputs(rng, rows/2, 784, 0.5)...)
	var want []float32
	for _, threads := range []int{1, 2, 3} {
		kernels.SetThreads(threads)
		out := make([]float32, rows*4)
		if err := n.Predict(x, rows, out); err != nil {
			t.Fatal(err)
		}
		if want == nil {
			want = out
		} else if !slices.EqualFunc(out, want, func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }) {
			t.Fatalf("%d threads: outputs differ from one thread's", threads)
		}
	}
}

// TestPredictNonFinite: a NaN or ±Inf input is an error naming its row and
// column, from Predict and Evaluate, wherever it is: in a sparse block
// (found by the listing), in a dense one before or after the point where
// the listing gave up, in a later chunk, on one thread and on two. (A
// relu maps NaN to 0, so the outputs would otherwise look like any
// others.)
func TestPredictNonFinite(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	rng := rand.New(rand.NewPCG(12, 12))
	n, _ := New(Config{Sizes: []int{40, 16, 4}, Loss: CrossEntropy, Bias: true, Seed: 3})
	const rows, in = 700, 40 // three chunks
	clean := sparseInputs(rng, rows, in, 0.2)
	copy(clean[64*in:96*in], sparseInputs(rng, 32, in, 1)) // dense rows 64..95
	labels := make([]uint8, rows)
	out := make([]float32, rows*4)
	for _, threads := range []int{1, 2} {
		kernels.SetThreads(threads)
		for _, c := range []struct {
			row, col int
			v        float32
		}{
			{3, 7, float32(math.NaN())},         // a sparse block
			{64, 0, float32(math.Inf(1))},       // a dense block's first row, listed
			{95, 39, float32(math.NaN())},       // a dense block's last row, scanned
			{600, 20, float32(math.Inf(-1))},    // the third chunk
			{rows - 1, 39, float32(math.NaN())}, // the last element
		} {
			x := slices.Clone(clean)
			x[c.row*in+c.col] = c.v
			want := fmt.Sprintf("x[%d][%d] = %g", c.row, c.col, c.v)
			err := n.Predict(x, rows, out)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), want) {
				t.Errorf("threads=%d: Predict with %s: %v", threads, want, err)
			}
			if _, err := n.Evaluate(x, rows, labels); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), want) {
				t.Errorf("threads=%d: Evaluate with %s: %v", threads, want, err)
			}
		}
		if err := n.Predict(clean, rows, out); err != nil {
			t.Fatalf("threads=%d: clean inputs: %v", threads, err)
		}
	}
}

func TestPredictAndEvaluate(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	n, _ := New(Config{Sizes: []int{12, 9, 4}, Loss: CrossEntropy, Bias: true, Init: He, Seed: 4})
	for l := 0; l < 2; l++ {
		copy(n.Biases(l), randVec(rng, len(n.Biases(l)), -0.5, 0.5))
	}
	const rows = 600 // more than one predict chunk, and a partial one
	// Sparse inputs take the sparse first layer, dense ones the GEMM, and
	// a share with dense rows after sparse ones the GEMM too.
	x := sparseInputs(rng, rows, 12, 0.4)
	for _, density := range []float64{0.1, 1} {
		mixed := sparseInputs(rng, rows, 12, density)
		copy(mixed[300*12:310*12], sparseInputs(rng, 10, 12, 1))
		checkPredict(t, n, mixed, rows, fmt.Sprintf("density %g", density))
	}
	out := checkPredict(t, n, x, rows, "density 0.4")
	labels := make([]uint8, rows)
	for i := 0; i < rows; i++ {
		labels[i] = uint8(rng.IntN(4))
		if i%3 == 0 {
			labels[i] = uint8(argmax(out[i*4 : i*4+4]))
		}
	}
	ev, err := n.Evaluate(x, rows, labels)
	if err != nil {
		t.Fatal(err)
	}
	correct, total := 0, 0
	for i := range labels {
		p := argmax(out[i*4 : i*4+4])
		if p == int(labels[i]) {
			correct++
		}
		if ev.Confusion[labels[i]][p] == 0 {
			t.Fatalf("confusion[%d][%d] is 0 but row %d is there", labels[i], p, i)
		}
	}
	for _, row := range ev.Confusion {
		for _, c := range row {
			total += c
		}
	}
	if ev.Correct != correct || ev.Total != rows || total != rows || ev.Accuracy != float64(correct)/rows {
		t.Errorf("Evaluate = %d/%d (%g), confusion sums to %d; want %d/%d", ev.Correct, ev.Total, ev.Accuracy, total, correct, rows)
	}
}

// TestSyntheticClassification is an MNIST-like smoke test: sparse inputs
// whose class is encoded by which block of pixels is lit. A 784-64-10 net
// must learn it in one epoch in both modes.
func TestSyntheticClassification(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	const rows, in, classes = 3000, 784, 10
	x := make([]float32, rows*in)
	labels := make([]uint8, rows)
	for r := 0; r < rows; r++ {
		c := rng.IntN(classes)
		labels[r] = uint8(c)
		for k := 0; k < 150; k++ {
			i := c*70 + rng.IntN(140)
			if rng.IntN(4) == 0 {
				i = rng.IntN(in)
			}
			x[r*in+i] = float32(rng.Float64())
		}
	}
	y := OneHot(labels, classes)
	for _, tc := range []TrainConfig{{Epochs: 1, LR: 0.005}, {Epochs: 1, LR: 0.1, BatchSize: 32, Momentum: 0.9, Shuffle: true}} {
		for _, loss := range []Loss{MSE, CrossEntropy} {
			n, _ := New(Config{Sizes: []int{in, 64, classes}, Loss: loss, Init: Uniform, Seed: 1})
			if _, err := n.Fit(x[:2000*in], y[:2000*classes], 2000, tc); err != nil {
				t.Fatal(err)
			}
			ev, _ := n.Evaluate(x[2000*in:], 1000, labels[2000:])
			if ev.Accuracy < 0.9 {
				t.Errorf("%s, batch %d: accuracy %.3f on held-out synthetic data, want ≥ 0.9", loss, tc.BatchSize, ev.Accuracy)
			}
		}
	}
}

func TestFlushSubnormals(t *testing.T) {
	tiny := math.Float32frombits(1) // the smallest subnormal
	v := []float32{tiny, -tiny, 1e-39, math.SmallestNonzeroFloat32 * 3, 1.2e-38, -1.2e-38, 0.5, 0, float32(math.Inf(1))}
	flushSubnormals(v)
	want := []float32{0, 0, 0, 0, 1.2e-38, -1.2e-38, 0.5, 0, float32(math.Inf(1))}
	for i := range v {
		if v[i] != want[i] {
			t.Errorf("v[%d] = %g, want %g", i, v[i], want[i])
		}
	}
}

func TestNonZeroRows(t *testing.T) {
	negZero := float32(math.Copysign(0, -1))
	nan, inf := float32(math.NaN()), float32(math.Inf(-1))
	cases := []struct {
		x      []float32
		want   []int32 // nil: the dense path
		finite bool
	}{
		{[]float32{}, []int32{}, true},
		{[]float32{0, 0, 0}, []int32{}, true},
		{[]float32{1}, nil, true}, // 1 of 1 is past the threshold
		{[]float32{0, 2, 3, 0, 0, 4, negZero, 5, 0, 0, 0, 0, 6, 0}, []int32{1, 2, 5, 7, 12}, true},
		{[]float32{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0}, []int32{16}, true}, // empty blocks of 8 skipped
		{[]float32{1, 1, 0, 1, 0, 1}, []int32{0, 1, 3, 5}, true},                                // exactly 2/3
		{[]float32{1, 1, 1, 0, 1, 1}, nil, true},
		{[]float32{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, nan}, []int32{18}, false},
		{[]float32{inf, 1, 1, 1}, nil, false},
	}
	for _, c := range cases {
		n, _ := New(Config{Sizes: []int{max(len(c.x), 1), 2}, Seed: 1})
		got, finite := n.nonZeroRows(c.x)
		if (got == nil) != (c.want == nil) || !slices.Equal(got, c.want) || finite != c.finite {
			t.Errorf("nonZeroRows(%v) = %v, %v, want %v, %v", c.x, got, finite, c.want, c.finite)
		}
	}
}

// TestSparseStepMatchesDense runs one training step on sparse inputs with
// the first layer's sparse kernels and with the dense ones, per sample and
// per batch (with and without momentum): the weights agree to float32
// rounding, and the rows of zero inputs are left bit for bit alone.
func TestSparseStepMatchesDense(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	rng := rand.New(rand.NewPCG(9, 9))
	const rows, in = 32, 100
	x := sparseInputs(rng, rows, in, 0.2)
	labels := make([]uint8, rows)
	for i := range labels {
		labels[i] = uint8(rng.IntN(10))
	}
	y := OneHot(labels, 10)
	for _, threads := range []int{1, 2} {
		kernels.SetThreads(threads)
		for _, mu := range []float32{0, 0.9} {
			cfg := Config{Sizes: []int{in, 40, 10}, Loss: CrossEntropy, Bias: true, Init: He, Seed: 5}
			sp, _ := New(cfg)
			de, _ := New(cfg)
			mask := frozenMask(rng, in*40)
			sp.FreezeWeights(0, mask)
			de.FreezeWeights(0, mask)
			nz := nonZeroLists(x, rows, in)
			for r := range nz {
				if nz[r] == nil {
					t.Fatalf("row %d is not on the sparse path", r)
				}
			}
			name := fmt.Sprintf("threads=%d momentum=%g", threads, mu)
			if mu == 0 {
				r := 3
				sp.trainSample(x[r*in:r*in+in], y[r*10:r*10+10], nz[r], 0.05)
				de.trainSample(x[r*in:r*in+in], y[r*10:r*10+10], nil, 0.05)
				compareNets(t, name+" per-sample", sp, de)
			}
			sp.ensureBatch(rows)
			de.ensureBatch(rows)
			if mu != 0 {
				sp.resetVelocity()
				de.resetVelocity()
			}
			for step := 0; step < 2; step++ {
				sp.trainBatch(x, y, rows, nz, 0.1, mu)
				de.trainBatch(x, y, rows, nil, 0.1, mu)
			}
			compareNets(t, name+" batch", sp, de)
		}
	}
}

// frozenMask freezes about one weight in ten.
func frozenMask(rng *rand.Rand, n int) []bool {
	m := make([]bool, n)
	for i := range m {
		m[i] = rng.IntN(10) == 0
	}
	return m
}

func compareNets(t *testing.T, name string, a, b *Network) {
	t.Helper()
	for l := 0; l < a.NumLayers(); l++ {
		for i, w := range a.Weights(l) {
			if d := math.Abs(float64(w - b.Weights(l)[i])); d > 1e-6*(1+math.Abs(float64(w))) {
				t.Fatalf("%s: w%d[%d] = %g sparse, %g dense", name, l, i, w, b.Weights(l)[i])
			}
		}
		for i, v := range a.Biases(l) {
			if d := math.Abs(float64(v - b.Biases(l)[i])); d > 1e-6*(1+math.Abs(float64(v))) {
				t.Fatalf("%s: b%d[%d] = %g sparse, %g dense", name, l, i, v, b.Biases(l)[i])
			}
		}
	}
}

// TestHiddenRowsMatchDense runs per-sample steps of a relu network whose
// hidden layers visit only the weight rows of their non-zero inputs, and of
// the same network with that path switched off: the weights agree to
// float32 rounding, and the rows of a layer above a zero activation are
// left bit for bit alone.
func TestHiddenRowsMatchDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 13))
	const rows, in = 16, 30
	x := sparseInputs(rng, rows, in, 0.5)
	labels := make([]uint8, rows)
	for i := range labels {
		labels[i] = uint8(rng.IntN(4))
	}
	y := OneHot(labels, 4)
	cfg := Config{Sizes: []int{in, 24, 16, 4}, Bias: true, Seed: 3}
	sp, _ := New(cfg)
	de, _ := New(cfg)
	for l := range de.ws.hidden {
		de.ws.hidden[l] = nil // no lists: every layer above the first dense
	}
	visited := 0
	for r := 0; r < rows; r++ {
		xr, yr := x[r*in:r*in+in], y[r*4:r*4+4]
		before := slices.Clone(sp.Weights(1))
		nz, _ := sp.nonZeroRows(xr)
		sp.trainSample(xr, yr, nz, 0.05)
		nz, _ = de.nonZeroRows(xr)
		de.trainSample(xr, yr, nz, 0.05)
		compareNets(t, fmt.Sprintf("sample %d", r), sp, de)
		list := sp.ws.rows[1]
		if list == nil {
			continue
		}
		visited++
		if len(list) == 0 {
			continue
		}
		// Rows of W1 not listed had a zero input and must not change.
		h := sp.ws.act[0]
		for i := 0; i < 24; i++ {
			if h[i] != 0 {
				continue
			}
			for j := 0; j < 16; j++ {
				if k := i*16 + j; math.Float32bits(sp.Weights(1)[k]) != math.Float32bits(before[k]) {
					t.Fatalf("sample %d: w1[%d][%d] changed from %g to %g with a zero input", r, i, j, before[k], sp.Weights(1)[k])
				}
			}
		}
	}
	if visited == 0 {
		t.Fatal("no sample took the sparse hidden path")
	}
}

// TestFitNonFiniteInRows checks that Fit's check of x names the first NaN
// or ±Inf both in a row sparse enough for the sparse path and in a dense
// one.
func TestFitNonFiniteInRows(t *testing.T) {
	const in = 40
	for _, c := range []struct {
		row, col int
		dense    bool
	}{{0, 3, false}, {2, 39, false}, {1, 17, true}, {3, 0, true}} {
		x := make([]float32, 4*in)
		for r := 0; r < 4; r++ {
			x[r*in+r] = 1
			if c.dense && r == c.row {
				for j := range in {
					x[r*in+j] = 0.5
				}
			}
		}
		x[c.row*in+c.col] = float32(math.NaN())
		if c.col > 0 {
			x[c.row*in+c.col-1] = float32(math.Inf(-1)) // the first one wins
		}
		// Per sample, and in batches, whose inputs Fit lists in one
		// pass before training.
		for _, batch := range []int{1, 2} {
			n, _ := New(Config{Sizes: []int{in, 3}, Seed: 1})
			_, err := n.Fit(x, make([]float32, 4*3), 4, TrainConfig{Epochs: 1, LR: 0.1, BatchSize: batch})
			col := max(c.col-1, 0)
			if want := fmt.Sprintf("x[%d][%d] = ", c.row, col); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("batch %d, row %d col %d (dense %v): err = %v, want it to name %s", batch, c.row, c.col, c.dense, err, want)
			}
		}
	}
}

// TestFitNonFiniteLeavesWeights puts a NaN or ±Inf in the last row that
// training meets, which per-sample Fit finds only after training on all the
// others: every weight and bias must be as before Fit, bit for bit, and the
// error must name the entry, per sample and in batches, in data order and
// shuffled.
// TestFitBatchAboveRows: a BatchSize above the number of rows makes them
// all one batch, the weights those of BatchSize = rows (the C and Python
// doors pass such a size on).
func TestFitBatchAboveRows(t *testing.T) {
	const rows, in = 40, 30
	x, y := sparseClasses(rand.New(rand.NewPCG(33, 34)), rows, in)
	var want []uint32
	for _, batch := range []int{rows, rows + 1, math.MaxInt} {
		n, _ := New(Config{Sizes: []int{in, 16, 10}, Loss: CrossEntropy, Bias: true, Seed: 3})
		if _, err := n.Fit(x, y, rows, TrainConfig{Epochs: 2, LR: 0.1, BatchSize: batch, Momentum: 0.5, Shuffle: true, Seed: 1}); err != nil {
			t.Fatalf("BatchSize %d: %v", batch, err)
		}
		got := weightBits(n)
		if want == nil {
			want = got
		} else if !slices.Equal(got, want) {
			t.Errorf("BatchSize %d trained other weights than BatchSize %d", batch, rows)
		}
	}
}

func TestFitNonFiniteLeavesWeights(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	const rows, in = 40, 30
	for _, c := range []struct {
		batch   int
		shuffle bool
		bad     float32
	}{{1, false, float32(math.NaN())}, {1, true, float32(math.Inf(1))}, {8, true, float32(math.NaN())}} {
		x := sparseInputs(rng, rows, in, 0.3)
		y := OneHot(make([]uint8, rows), 4)
		tc := TrainConfig{Epochs: 2, LR: 0.1, BatchSize: c.batch, Shuffle: c.shuffle, Seed: 5}
		// The last row met: in data order the last row, shuffled the
		// permutation's last, found by training on clean data first.
		last := rows - 1
		if c.shuffle {
			last = int(EpochOrders(rows, 1, tc.Seed)[0][rows-1])
		}
		x[last*in+in/2] = c.bad
		n, _ := New(Config{Sizes: []int{in, 16, 4}, Bias: true, Seed: 2})
		mask := make([]bool, in*16)
		mask[3] = true
		n.FreezeWeights(0, mask)
		params := func() (p []uint32) {
			for l := range n.layers {
				for _, v := range append(slices.Clone(n.Weights(l)), n.Biases(l)...) {
					p = append(p, math.Float32bits(v))
				}
			}
			return p
		}
		before := params()
		_, err := n.Fit(x, y, rows, tc)
		if want := fmt.Sprintf("x[%d][%d] = %g", last, in/2, c.bad); err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, ErrInvalid) {
			t.Errorf("batch %d, shuffle %v: err = %v, want an ErrInvalid naming %s", c.batch, c.shuffle, err, want)
		}
		if !slices.Equal(params(), before) {
			t.Errorf("batch %d, shuffle %v: the weights changed", c.batch, c.shuffle)
		}
		// The network still trains.
		x[last*in+in/2] = 0
		if _, err := n.Fit(x, y, rows, tc); err != nil {
			t.Errorf("batch %d, shuffle %v: clean Fit after the refused one: %v", c.batch, c.shuffle, err)
		}
	}
}

// nonZeroLists lists the non-zero entries of each of the rows in-wide rows
// of x, or nil for a row the sparse path does not pay for, as Fit does
// before each step.
func nonZeroLists(x []float32, rows, in int) [][]int32 {
	nz := make([][]int32, rows)
	for r := range nz {
		idx := make([]int32, in)
		if k, _ := kernels.NonZeros(idx, x[r*in:r*in+in]); sparseWorthIt(k, in) {
			nz[r] = idx[:k:k]
		}
	}
	return nz
}

// sparseClasses returns rows MNIST-like inputs (19% non-zero) with one-hot
// targets of 10 random classes.
func sparseClasses(rng *rand.Rand, rows, in int) (x, y []float32) {
	x = sparseInputs(rng, rows, in, 0.19)
	return x, randomClasses(rng, rows)
}

// randomClasses returns one-hot targets of rows random classes of 10.
func randomClasses(rng *rand.Rand, rows int) []float32 {
	labels := make([]uint8, rows)
	for i := range labels {
		labels[i] = uint8(rng.IntN(10))
	}
	return OneHot(labels, 10)
}

// TestFitSparseBatchThreads trains on sparse MNIST-sized batches, large
// enough for the batch preparation (gathering, non-zero lists, transpose)
// and, with momentum, the passes over the velocity to run in shares on the
// thread pool, with 1, 2 and 3 threads: the losses and the weights must be
// the same bits whatever the number, for full and partial batches alike.
func TestFitSparseBatchThreads(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	const rows, in = 300, 784 // batches of 128, 128 and 44
	x, y := sparseClasses(rand.New(rand.NewPCG(21, 21)), rows, in)
	// 784×64 weights make three shares of the velocity passes.
	cfg := Config{Sizes: []int{in, 64, 10}, Loss: CrossEntropy, Bias: true, Init: He, Seed: 3}
	for _, mu := range []float32{0, 0.9} {
		fit := func(threads int) (*Network, History) {
			n, _ := New(cfg)
			h, err := n.Fit(x, y, rows, TrainConfig{Epochs: 2, LR: 0.1, BatchSize: 128, Momentum: mu, Shuffle: true, Seed: 4, Threads: threads})
			if err != nil {
				t.Fatalf("momentum %g, threads=%d: %v", mu, threads, err)
			}
			return n, h
		}
		one, h1 := fit(1)
		for _, threads := range []int{2, 3} {
			n, h := fit(threads)
			if !slices.Equal(h.Loss, h1.Loss) {
				t.Errorf("momentum %g, threads=%d: losses %v, one thread %v", mu, threads, h.Loss, h1.Loss)
			}
			for l := 0; l < n.NumLayers(); l++ {
				for i, w := range n.Weights(l) {
					if w1 := one.Weights(l)[i]; math.Float32bits(w) != math.Float32bits(w1) {
						t.Fatalf("momentum %g, threads=%d: w%d[%d] = %g, one thread %g", mu, threads, l, i, w, w1)
					}
				}
			}
		}
	}
}

// TestFitAutoThreads trains long enough for the thread tuner of
// Threads = 0 to try other counts (a trial after tunerGap steps, then
// every tunerMaxGap at most) and wants the same bits as one thread, and
// the caller's thread count back afterwards.
func TestFitAutoThreads(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	const rows, in, batch = 4000, 784, 32
	x, y := sparseClasses(rand.New(rand.NewPCG(22, 22)), rows, in)
	cfg := Config{Sizes: []int{in, 64, 10}, Loss: CrossEntropy, Bias: true, Init: He, Seed: 3}
	tc := TrainConfig{Epochs: 2, LR: 0.05, BatchSize: batch, Shuffle: true, Seed: 5}
	if steps := tc.Epochs * rows / batch; steps < tunerGap+3*tunerWindow {
		t.Fatalf("%d steps, too few for a trial", steps)
	}
	fit := func(threads int) *Network {
		n, _ := New(cfg)
		tc.Threads = threads
		if _, err := n.Fit(x, y, rows, tc); err != nil {
			t.Fatal(err)
		}
		return n
	}
	one := fit(1)
	kernels.SetThreads(3)
	auto := fit(0)
	if got := kernels.Threads(); got != 3 {
		t.Errorf("after Fit, kernels.Threads() = %d, want the caller's 3", got)
	}
	for l := 0; l < one.NumLayers(); l++ {
		for i, w := range auto.Weights(l) {
			if w1 := one.Weights(l)[i]; math.Float32bits(w) != math.Float32bits(w1) {
				t.Fatalf("Threads 0: w%d[%d] = %g, one thread %g", l, i, w, w1)
			}
		}
	}
}

// TestFitThreadsZeroIsTheKernelsCount: Threads = 0 trains on up to
// kernels.Threads(), whatever the number of CPUs, as a C or Python caller
// that set the count expects, and leaves it as it was.
func TestFitThreadsZeroIsTheKernelsCount(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	const rows, in, batch = 2000, 784, 32
	x, y := sparseClasses(rand.New(rand.NewPCG(23, 23)), rows, in)
	for _, set := range []int{1, 2} {
		kernels.SetThreads(set)
		n, _ := New(Config{Sizes: []int{in, 64, 10}, Loss: CrossEntropy, Bias: true, Init: He, Seed: 3})
		most := 0
		tc := TrainConfig{Epochs: 2, LR: 0.05, BatchSize: batch, ProgressEvery: time.Nanosecond,
			Progress: func(Progress) bool { most = max(most, kernels.Threads()); return true }}
		if _, err := n.Fit(x, y, rows, tc); err != nil {
			t.Fatal(err)
		}
		if most < 1 || most > set {
			t.Errorf("kernels.SetThreads(%d), Threads 0: Fit trained on up to %d threads", set, most)
		}
		if got := kernels.Threads(); got != set {
			t.Errorf("after Fit, kernels.Threads() = %d, want %d", got, set)
		}
	}
}

// TestConcurrentFitsKeepTheThreadCount: Fits that overlap, each on its
// own count, leave kernels.SetThreads's count as it was. When each put
// back the count it had found, eight at once left one thread behind.
func TestConcurrentFitsKeepTheThreadCount(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	kernels.SetThreads(2)
	x, y := sparseClasses(rand.New(rand.NewPCG(24, 24)), 256, 784)
	var fits sync.WaitGroup
	start := make(chan struct{})
	for g := range 8 {
		fits.Go(func() {
			<-start
			n, _ := New(Config{Sizes: []int{784, 16, 10}, Loss: CrossEntropy, Bias: true, Init: He, Seed: 1})
			if _, err := n.Fit(x, y, 256, TrainConfig{Epochs: 2, LR: 0.05, BatchSize: 32, Threads: 1 + g%3}); err != nil {
				t.Error(err)
			}
		})
	}
	close(start)
	fits.Wait()
	if got := kernels.Threads(); got != 2 {
		t.Errorf("after eight overlapping Fits, kernels.Threads() = %d, want the 2 set before", got)
	}
}

// TestEvaluateOneOutput: a one-output network is a yes/no classifier, so
// Evaluate reads class 1 from an output ≥ 0.5 and counts a 2×2 confusion.
func TestEvaluateOneOutput(t *testing.T) {
	n, err := New(Config{Sizes: []int{1, 1}, Output: Identity})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.SetWeights(0, []float32{1}); err != nil {
		t.Fatal(err)
	}
	// Outputs equal the inputs: 0.2 → 0, 0.5 → 1, 0.9 → 1, 0.1 → 0.
	ev, err := n.Evaluate([]float32{0.2, 0.5, 0.9, 0.1}, 4, []uint8{0, 1, 0, 0})
	if err != nil {
		t.Fatal(err)
	}
	if n.Classes() != 2 || ev.Correct != 3 || ev.Accuracy != 0.75 {
		t.Fatalf("Classes %d, Correct %d, Accuracy %v; want 2, 3, 0.75", n.Classes(), ev.Correct, ev.Accuracy)
	}
	want := [][]int{{2, 1}, {0, 1}}
	for i := range want {
		for j := range want[i] {
			if ev.Confusion[i][j] != want[i][j] {
				t.Fatalf("Confusion = %v, want %v", ev.Confusion, want)
			}
		}
	}
	if _, err := n.Evaluate([]float32{0.3}, 1, []uint8{2}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("label 2 for a yes/no network: err = %v, want ErrInvalid", err)
	}
}

// TestTrainBatchDivergedRow: a batch step whose shares each run their rows'
// forward pass and deltas reports the first row whose loss diverged, in
// whichever share it lies, and leaves the network unchanged, on one thread
// and on several.
func TestTrainBatchDivergedRow(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	rng := rand.New(rand.NewPCG(9, 9))
	const rows = 64 // four blocks of rowBlock rows: two shares on two threads
	x := sparseInputs(rng, rows, 784, 0.19)
	for _, threads := range []int{1, 2, 3} {
		kernels.SetThreads(threads)
		for _, bad := range [][]int{{40}, {5, 40}, {63}} {
			n, _ := New(Config{Sizes: []int{784, 32, 10}, Bias: true, Seed: 1})
			n.ensureBatch(rows)
			y := OneHot(make([]uint8, rows), 10)
			for _, r := range bad {
				y[r*10+3] = float32(math.Inf(1)) // an infinite squared error
			}
			before := weightBits(n)
			nz := nonZeroLists(x, rows, 784)
			if got := n.trainBatch(x, y, rows, nz, 0.01, 0); got != bad[0] {
				t.Errorf("threads %d, bad rows %v: trainBatch = %d, want %d", threads, bad, got, bad[0])
			}
			if !sameBits(weightBits(n), before) {
				t.Errorf("threads %d, bad rows %v: the weights changed", threads, bad)
			}
		}
	}
}

// hiddenSparseNet is a 100-128-128-10 relu network whose first layer's
// negative biases leave about a quarter of its outputs non-zero, so that
// the second layer takes the sparse product.
func hiddenSparseNet(t *testing.T) *Network {
	n, err := New(Config{Sizes: []int{100, 128, 128, 10}, Loss: CrossEntropy, Bias: true, Init: He, Seed: 6})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n.Biases(0) {
		n.Biases(0)[i] = -0.6
	}
	return n
}

// hiddenSparseData returns rows inputs for hiddenSparseNet, uniform in
// [0, 1), and one-hot targets of random classes.
func hiddenSparseData(rng *rand.Rand, rows int) (x, y []float32) {
	x = randVec(rng, rows*100, 0, 1)
	return x, randomClasses(rng, rows)
}

// TestHiddenSparseBatchMatchesDense runs mini-batch steps of a network
// whose second layer takes its product and update over the non-zeros of
// the first layer's outputs, and of the same network with that path
// switched off: the weights agree to float32 rounding.
func TestHiddenSparseBatchMatchesDense(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	const rows = 48
	x, y := hiddenSparseData(rand.New(rand.NewPCG(14, 15)), rows)
	for _, threads := range []int{1, 2} {
		kernels.SetThreads(threads)
		for _, mu := range []float32{0, 0.9} {
			sp, de := hiddenSparseNet(t), hiddenSparseNet(t)
			sp.ensureBatch(rows)
			de.ensureBatch(rows)
			de.bw.hsparse[1] = nil
			if mu != 0 {
				sp.resetVelocity()
				de.resetVelocity()
			}
			name := fmt.Sprintf("threads=%d momentum=%g", threads, mu)
			for step := 0; step < 3; step++ {
				sp.trainBatch(x, y, rows, nil, 0.05, mu)
				de.trainBatch(x, y, rows, nil, 0.05, mu)
				if !sp.bw.hiddenAllSparse(1, rows) {
					t.Fatalf("%s, step %d: not every block took the sparse product", name, step)
				}
			}
			compareNets(t, name, sp, de)
		}
	}
}

// TestHiddenSparseThreads: with the sparse hidden product, Fit gives the
// same bits on any number of threads.
func TestHiddenSparseThreads(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	const rows = 300
	x, y := hiddenSparseData(rand.New(rand.NewPCG(16, 17)), rows)
	var first *Network
	for _, threads := range []int{1, 2, 3} {
		n := hiddenSparseNet(t)
		if _, err := n.Fit(x, y, rows, TrainConfig{Epochs: 2, LR: 0.05, BatchSize: 128, Momentum: 0.9, Shuffle: true, Seed: 2, Threads: threads}); err != nil {
			t.Fatal(err)
		}
		if !n.bw.hiddenAllSparse(1, rows%128) {
			t.Fatalf("%d threads: the last batch did not take the sparse product", threads)
		}
		if first == nil {
			first = n
			continue
		}
		for l := 0; l < n.NumLayers(); l++ {
			for i, w := range n.Weights(l) {
				if w1 := first.Weights(l)[i]; math.Float32bits(w) != math.Float32bits(w1) {
					t.Fatalf("%d threads: w%d[%d] = %g, one thread %g", threads, l, i, w, w1)
				}
			}
		}
	}
}
