package nn

import (
	"errors"
	"math"
	"testing"
)

// The starting weights of the book's ch. 6 three-layer streetlight network,
// np.random.seed(1); 2*np.random.random((3,4))-1; 2*np.random.random((4,1))-1,
// printed at full float64 precision by numpy (python3 -c "import numpy as np;
// np.random.seed(1); print((2*np.random.random((3,4))-1).tolist(),
// (2*np.random.random((4,1))-1).tolist())").
var (
	streetWeights01 = []float64{
		-0.165955990594852, 0.4406489868843162, -0.9997712503653102, -0.39533485473632046,
		-0.7064882183657739, -0.8153228104624044, -0.6274795772446582, -0.3088785459139045,
		-0.20646505153866013, 0.07763346800671389, -0.1616109711934104, 0.370439000793519,
	}
	streetWeights12 = []float64{-0.5910955005369651, 0.7562348727818908, -0.9452248136041477, 0.34093502035680445}
	streetlights    = []float32{1, 0, 1, 0, 1, 1, 0, 0, 1, 1, 1, 1}
	walkVsStop      = []float32{1, 1, 0, 0}
)

func to32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, f := range v {
		out[i] = float32(f)
	}
	return out
}

// TestBookStreetlight reproduces the printed output of the book's ch. 6
// program: a 3-4-1 relu network, alpha 0.2, per-sample SGD over the four
// streetlight patterns for 60 iterations, printing after iterations 9, 19, …,
// 59 the sum over the four samples of the squared error, each taken before
// that sample's update. That sum is 4 × our epoch loss (the mean).
//
// The book's numbers are float64; ours is float32 arithmetic over 240 updates.
// The error falls by five orders of magnitude, so what float32 keeps is a
// relative accuracy, not an absolute one. At the end |pred − target| is
// about 2e-3 while pred carries float32 rounding of about 1e-7, so the error
// is known to about 1e-4 relative; we require that (and measure 1e-6..2e-5,
// depending on the kernel implementation's order of additions).
func TestBookStreetlight(t *testing.T) {
	n, err := New(Config{Sizes: []int{3, 4, 1}, Hidden: ReLU, Output: Identity, Loss: MSE})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.SetWeights(0, to32(streetWeights01)); err != nil {
		t.Fatal(err)
	}
	if err := n.SetWeights(1, to32(streetWeights12)); err != nil {
		t.Fatal(err)
	}
	h, err := n.Fit(streetlights, walkVsStop, 4, TrainConfig{Epochs: 60, LR: 0.2})
	if err != nil {
		t.Fatal(err)
	}
	book := map[int]float64{
		9:  0.634231159844,
		19: 0.358384076763,
		29: 0.0830183113303,
		39: 0.0064670549571,
		49: 0.000329266900075,
		59: 1.50556226651e-05,
	}
	for it, want := range book {
		got := 4 * h.Loss[it]
		rel := math.Abs(got-want) / want
		t.Logf("iteration %d: Error:%.12g, book %.12g, relative difference %.2g", it, got, want, rel)
		if rel > 1e-4 {
			t.Errorf("iteration %d: Error:%.12g, book prints %.12g (relative difference %.2g > 1e-4)", it, got, want, rel)
		}
	}
}

// TestBookDivergence is ch. 4's "let's break it": one weight 0.5, input 2,
// goal 0.8, alpha 1. Each step multiplies the error by −3, so float32
// overflows after some 40 steps (the loss, d², first); training must stop with a DivergedError
// naming the epoch and sample, with the last weight still finite.
func TestBookDivergence(t *testing.T) {
	n, err := New(Config{Sizes: []int{1, 1}, Output: Identity})
	if err != nil {
		t.Fatal(err)
	}
	n.SetWeights(0, []float32{0.5})
	h, err := n.Fit([]float32{2}, []float32{0.8}, 1, TrainConfig{Epochs: 1000, LR: 1})
	var de *DivergedError
	if !errors.As(err, &de) || !errors.Is(err, ErrDiverged) {
		t.Fatalf("Fit = %v, want a *DivergedError", err)
	}
	// The book prints Error:0.04, 0.36, 3.24 for the first three steps.
	for i, want := range []float64{0.04, 0.36, 3.24} {
		if math.Abs(h.Loss[i]-want) > 1e-5*want {
			t.Errorf("epoch %d loss %g, book prints %g", i+1, h.Loss[i], want)
		}
	}
	if de.Sample != 0 || de.Epoch != len(h.Loss)+1 || de.Epoch < 30 || de.Epoch > 100 {
		t.Errorf("DivergedError{Epoch: %d, Sample: %d}, want sample 0 at the epoch after the %d completed ones (between 30 and 100)", de.Epoch, de.Sample, len(h.Loss))
	}
	w := n.Weights(0)[0]
	if math.IsInf(float64(w), 0) || math.IsNaN(float64(w)) {
		t.Errorf("weight after divergence = %g, want the last finite value", w)
	}
	t.Logf("%v; weight left at %g", err, w)
}
