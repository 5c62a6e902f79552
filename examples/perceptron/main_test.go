package main

import (
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nnsimd/nnsimd/nn"
)

// reference is a float64 network trained the way the Keras chapter (and
// nn's documentation) describes, written out plainly so the example's
// results can be checked against it: forward z = x·W + b, y = act(z);
// delta = (y − t)·act′(y) with act′ = 1 for step and y(1−y) for sigmoid;
// a hidden delta = (delta·Wᵀ)·act′(hidden); W −= lr·outer(input, delta),
// b −= lr·delta; per sample, in data order.
type reference struct {
	act   nn.Activation
	sizes []int
	w, b  [][]float64 // per layer: inputs×outputs row-major, outputs
}

// newReference copies net's starting weights and biases.
func newReference(net *nn.Network, act nn.Activation) *reference {
	r := &reference{act: act, sizes: net.Config().Sizes}
	for l := range net.NumLayers() {
		r.w = append(r.w, to64(net.Weights(l)))
		r.b = append(r.b, to64(net.Biases(l)))
	}
	return r
}

func to64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

func (r *reference) activate(z float64) float64 {
	if r.act == nn.Step {
		if z > 0 {
			return 1
		}
		return 0
	}
	return 1 / (1 + math.Exp(-z))
}

func (r *reference) derivative(y float64) float64 {
	if r.act == nn.Step {
		return 1
	}
	return y * (1 - y)
}

// forward returns every layer's activations, the input first.
func (r *reference) forward(x []float64) [][]float64 {
	acts := [][]float64{x}
	for l := range r.w {
		in, outs := acts[l], r.sizes[l+1]
		y := make([]float64, outs)
		for j := range outs {
			z := r.b[l][j]
			for i, v := range in {
				z += v * r.w[l][i*outs+j]
			}
			y[j] = r.activate(z)
		}
		acts = append(acts, y)
	}
	return acts
}

// epoch trains one pass over the corners and returns the mean loss.
func (r *reference) epoch(table []float32, lr float64) float64 {
	total := 0.0
	for s, target := range table {
		acts := r.forward([]float64{float64(corners[2*s]), float64(corners[2*s+1])})
		out := acts[len(acts)-1]
		d := out[0] - float64(target)
		total += d * d
		delta := []float64{d * r.derivative(out[0])}
		for l := len(r.w) - 1; l >= 0; l-- {
			in, outs := acts[l], r.sizes[l+1]
			var below []float64
			if l > 0 { // the delta of layer l's input, with the weights before this update
				below = make([]float64, len(in))
				for i := range in {
					sum := 0.0
					for j := range outs {
						sum += delta[j] * r.w[l][i*outs+j]
					}
					below[i] = sum * r.derivative(in[i])
				}
			}
			for i, v := range in {
				for j := range outs {
					r.w[l][i*outs+j] -= lr * v * delta[j]
				}
			}
			for j := range outs {
				r.b[l][j] -= lr * delta[j]
			}
			delta = below
		}
	}
	return total / float64(len(table))
}

// closeTo reports whether got is within tol (relative, with an absolute
// floor of tol) of want.
func closeTo(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

func compareWeights(t *testing.T, net *nn.Network, ref *reference, tol float64) {
	t.Helper()
	for l := range net.NumLayers() {
		for i, w := range net.Weights(l) {
			if !closeTo(float64(w), ref.w[l][i], tol) {
				t.Errorf("layer %d weight %d: %v, the float64 reference %v", l, i, w, ref.w[l][i])
			}
		}
		for j, b := range net.Biases(l) {
			if !closeTo(float64(b), ref.b[l][j], tol) {
				t.Errorf("layer %d bias %d: %v, the float64 reference %v", l, j, b, ref.b[l][j])
			}
		}
	}
}

// TestPerceptronRule checks that nn's step unit learns AND exactly as the
// perceptron rule does: the same mistakes in every epoch, and weights that
// are sums of ±0.1 steps, equal to float32 rounding (1e-6).
func TestPerceptronRule(t *testing.T) {
	start, err := newNeuron([]int{2, 1}, nn.Step)
	if err != nil {
		t.Fatal(err)
	}
	ref := newReference(start, nn.Step)

	net, mistakes, err := trainPerceptron(io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for e, m := range mistakes {
		loss := ref.epoch(andTable, perceptronLR)
		if want := int(math.Round(loss * float64(len(andTable)))); m != want {
			t.Errorf("epoch %d: %d mistakes, the perceptron rule makes %d", e+1, m, want)
		}
	}
	if mistakes[len(mistakes)-1] != 0 {
		t.Errorf("training ended after an epoch with %d mistakes", mistakes[len(mistakes)-1])
	}
	compareWeights(t, net, ref, 1e-6)
}

// TestSigmoidTraining compares the three sigmoid runs, epoch by epoch, with
// the float64 reference. Tolerances: OR and the lone XOR neuron follow
// contracting trajectories, so float32 stays within about 1e-6 of float64;
// the hidden-layer XOR crosses a plateau (the error sits near 0.19 around
// epoch 500 before it falls), where small differences are amplified before
// training contracts again, so it gets 1e-4 (observed: 8e-6; the deviations
// are logged). closeTo applies the tolerance absolutely below 1.
func TestSigmoidTraining(t *testing.T) {
	cases := []struct {
		name  string
		sizes []int
		table []float32
		tol   float64
		learn bool // whether the network can learn table
	}{
		{"OR neuron", []int{2, 1}, orTable, 1e-5, true},
		{"XOR neuron", []int{2, 1}, xorTable, 1e-5, false},
		{"XOR hidden layer", []int{2, hiddenUnits, 1}, xorTable, 1e-4, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start, err := newNeuron(c.sizes, nn.Sigmoid)
			if err != nil {
				t.Fatal(err)
			}
			ref := newReference(start, nn.Sigmoid)
			net, losses, err := trainSigmoid(io.Discard, c.name, "?", c.sizes, c.table)
			if err != nil {
				t.Fatal(err)
			}
			if len(losses) != sigmoidEpochs {
				t.Fatalf("%d epochs of losses, want %d", len(losses), sigmoidEpochs)
			}
			maxRel := 0.0
			for e, got := range losses {
				want := ref.epoch(c.table, sigmoidLR)
				maxRel = math.Max(maxRel, math.Abs(got-want)/want)
				if !closeTo(got, want, c.tol) {
					t.Fatalf("epoch %d: error %v, the float64 reference %v", e+1, got, want)
				}
			}
			t.Logf("largest relative deviation of the epoch errors from float64: %.3g", maxRel)
			compareWeights(t, net, ref, c.tol)

			out := make([]float32, len(c.table))
			if err := net.Predict(corners, len(c.table), out); err != nil {
				t.Fatal(err)
			}
			right := 0
			for i, want := range c.table {
				if class(out[i]) == want {
					right++
				}
			}
			if c.learn && right != len(c.table) {
				t.Errorf("%d of %d corners right, want all: %v", right, len(c.table), out)
			}
			if !c.learn && right == len(c.table) {
				t.Errorf("a single neuron classified XOR: %v", out)
			}
		})
	}
}

// TestRun checks the printed report and the three pictures.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	var out strings.Builder
	if err := run(&out, dir); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{
		"AND: step perceptron, learning rate 0.1\nstart Weights:[",
		"Mistakes:0 Weights:[",
		"  1 AND 1 -> 1.0 (class 1, want 1: right)\n",
		"OR: sigmoid neuron, learning rate 1.0\nEpoch:1 Error:",
		"XOR: sigmoid neuron, learning rate 1.0\n",
		"XOR: 4 hidden sigmoid neurons, learning rate 1.0\n",
		"Epoch:2000 Error:",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	// Every table is right except the lone XOR neuron's, which gets at least
	// one corner wrong.
	tables := strings.Split(text, "XOR: sigmoid neuron")
	if len(tables) != 2 || strings.Contains(tables[0], "WRONG") {
		t.Errorf("AND or OR has a wrong corner:\n%s", text)
	}
	single, hidden, _ := strings.Cut(tables[1], "hidden sigmoid neurons")
	if !strings.Contains(single, "WRONG") || strings.Contains(hidden, "WRONG") {
		t.Errorf("want the lone neuron wrong on XOR and the hidden layer right:\n%s", text)
	}
	for _, name := range []string{"perceptron_and.png", "sigmoid_or.png", "hidden_xor.png"} {
		path := filepath.Join(dir, name)
		if !strings.Contains(text, "wrote "+path+"\n") {
			t.Errorf("output does not mention %s", path)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Error(err)
			continue
		}
		if _, err := png.Decode(f); err != nil {
			t.Errorf("%s: %v", path, err)
		}
		f.Close()
	}
}
