package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// ref64 is an independent float64 implementation of the network, written
// the plain way (explicit loops, no kernels), to check nn against.
type ref64 struct {
	sizes          []int
	hidden, output Activation
	loss           Loss
	w, b           [][]float64 // w[l] is in×out row-major; b[l] nil without bias
}

func refFrom(n *Network) *ref64 {
	c := n.Config()
	r := &ref64{sizes: c.Sizes, hidden: c.Hidden, output: c.Output, loss: c.Loss}
	for l := 0; l < n.NumLayers(); l++ {
		r.w = append(r.w, to64(n.Weights(l)))
		if c.Bias {
			r.b = append(r.b, to64(n.Biases(l)))
		} else {
			r.b = append(r.b, nil)
		}
	}
	return r
}

func to64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, f := range v {
		out[i] = float64(f)
	}
	return out
}

func act64(a Activation, z float64) float64 {
	switch a {
	case ReLU:
		return math.Max(z, 0)
	case Sigmoid:
		return 1 / (1 + math.Exp(-z))
	case Tanh:
		return math.Tanh(z)
	case Step:
		if z > 0 {
			return 1
		}
		return 0
	}
	return z
}

// deriv64 is the derivative nn trains with, at output y (step: 1).
func deriv64(a Activation, y float64) float64 {
	switch a {
	case ReLU:
		if y > 0 {
			return 1
		}
		return 0
	case Sigmoid:
		return y * (1 - y)
	case Tanh:
		return 1 - y*y
	}
	return 1
}

// forward returns every layer's pre-activations and outputs.
func (r *ref64) forward(x []float64) (zs, ys [][]float64) {
	in := x
	L := len(r.w)
	for l := 0; l < L; l++ {
		ni, no := r.sizes[l], r.sizes[l+1]
		z := make([]float64, no)
		for j := 0; j < no; j++ {
			if r.b[l] != nil {
				z[j] = r.b[l][j]
			}
			for i := 0; i < ni; i++ {
				z[j] += in[i] * r.w[l][i*no+j]
			}
		}
		a := r.hidden
		if l == L-1 {
			a = r.output
		}
		y := make([]float64, no)
		if a == Softmax {
			m := math.Inf(-1)
			for _, v := range z {
				m = math.Max(m, v)
			}
			var s float64
			for _, v := range z {
				s += math.Exp(v - m)
			}
			for j, v := range z {
				y[j] = math.Exp(v-m) / s
			}
		} else {
			for j, v := range z {
				y[j] = act64(a, v)
			}
		}
		zs, ys = append(zs, z), append(ys, y)
		in = y
	}
	return zs, ys
}

func (r *ref64) sampleLoss(x, t []float64) float64 {
	_, ys := r.forward(x)
	y := ys[len(ys)-1]
	var s float64
	for j := range y {
		if r.loss == CrossEntropy {
			s -= t[j] * math.Log(y[j])
		} else {
			s += (y[j] - t[j]) * (y[j] - t[j])
		}
	}
	return s
}

// grad returns the book's backprop "gradient" of one sample, the quantity
// nn's update subtracts lr times: for mse with delta = pred − target it is
// half the true gradient of Σ (pred − target)²; for cross-entropy with
// softmax it is the true gradient. Step layers use derivative 1.
func (r *ref64) grad(x, t []float64) (gw, gb [][]float64) {
	_, ys := r.forward(x)
	L := len(r.w)
	y := ys[L-1]
	delta := make([]float64, len(y))
	for j := range y {
		delta[j] = y[j] - t[j]
	}
	if r.loss == MSE {
		if r.output == Softmax {
			var s float64
			for k := range y {
				s += delta[k] * y[k]
			}
			for j := range y {
				delta[j] = y[j] * (delta[j] - s)
			}
		} else {
			for j := range y {
				delta[j] *= deriv64(r.output, y[j])
			}
		}
	}
	gw, gb = make([][]float64, L), make([][]float64, L)
	for l := L - 1; l >= 0; l-- {
		ni, no := r.sizes[l], r.sizes[l+1]
		in := x
		if l > 0 {
			in = ys[l-1]
		}
		gw[l] = make([]float64, ni*no)
		for i := 0; i < ni; i++ {
			for j := 0; j < no; j++ {
				gw[l][i*no+j] = in[i] * delta[j]
			}
		}
		gb[l] = append([]float64(nil), delta...)
		if l > 0 {
			below := make([]float64, ni)
			for i := 0; i < ni; i++ {
				for j := 0; j < no; j++ {
					below[i] += r.w[l][i*no+j] * delta[j]
				}
				below[i] *= deriv64(r.hidden, in[i])
			}
			delta = below
		}
	}
	return gw, gb
}

// trainBatches runs mini-batch SGD in float64 with nn's documented update:
// g = mean over the batch of grad; with momentum v = μ·v + g, W −= lr·v;
// without, W −= lr·g. It returns the per-epoch mean loss.
func (r *ref64) trainBatches(x, t []float64, rows, batch, epochs int, lr, mu float64) []float64 {
	ni, no := r.sizes[0], r.sizes[len(r.sizes)-1]
	vw, vb := make([][]float64, len(r.w)), make([][]float64, len(r.w))
	for l := range r.w {
		vw[l] = make([]float64, len(r.w[l]))
		vb[l] = make([]float64, r.sizes[l+1])
	}
	var hist []float64
	for e := 0; e < epochs; e++ {
		var sum float64
		for k := 0; k < rows; k += batch {
			b := min(batch, rows-k)
			var gw, gb [][]float64
			for s := k; s < k+b; s++ {
				xs, ts := x[s*ni:(s+1)*ni], t[s*no:(s+1)*no]
				sum += r.sampleLoss(xs, ts)
				w, bb := r.grad(xs, ts)
				if gw == nil {
					gw, gb = w, bb
					continue
				}
				for l := range w {
					for i := range w[l] {
						gw[l][i] += w[l][i]
					}
					for i := range bb[l] {
						gb[l][i] += bb[l][i]
					}
				}
			}
			for l := range r.w {
				for i := range r.w[l] {
					g := gw[l][i] / float64(b)
					if mu != 0 {
						vw[l][i] = mu*vw[l][i] + g
						g = vw[l][i]
					}
					r.w[l][i] -= lr * g
				}
				if r.b[l] != nil {
					for i := range r.b[l] {
						g := gb[l][i] / float64(b)
						if mu != 0 {
							vb[l][i] = mu*vb[l][i] + g
							g = vb[l][i]
						}
						r.b[l][i] -= lr * g
					}
				}
			}
		}
		hist = append(hist, sum/float64(rows))
	}
	return hist
}

func randVec(rng *rand.Rand, n int, lo, hi float64) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(lo + (hi-lo)*rng.Float64())
	}
	return v
}

// targetsFor makes targets suited to the loss: a probability vector for
// cross-entropy, values in the output activation's range for mse.
func targetsFor(rng *rand.Rand, loss Loss, out Activation, n int) []float32 {
	t := randVec(rng, n, 0, 1)
	if loss == CrossEntropy || out == Softmax {
		var s float32
		for _, v := range t {
			s += v
		}
		for i := range t {
			t[i] /= s
		}
	}
	return t
}

// kinkFree reports whether no relu or step pre-activation lies within eps
// of 0, where a finite difference would straddle the kink.
func (r *ref64) kinkFree(x []float64, eps float64) bool {
	zs, _ := r.forward(x)
	for _, z := range zs {
		for _, v := range z {
			if math.Abs(v) < eps {
				return false
			}
		}
	}
	return true
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, f := range v {
		m = math.Max(m, math.Abs(f))
	}
	return m
}

func TestReferenceAgreesWithFiniteDifferences(t *testing.T) {
	// Checks the float64 reference's grad itself, so the tests below that
	// compare nn with it rest on a verified reference.
	rng := rand.New(rand.NewPCG(1, 2))
	for _, hid := range []Activation{Identity, ReLU, Sigmoid, Tanh} {
		for _, out := range []Activation{Identity, ReLU, Sigmoid, Tanh, Softmax} {
			for _, loss := range []Loss{MSE, CrossEntropy} {
				if loss == CrossEntropy && out != Softmax {
					continue
				}
				n, err := New(Config{Sizes: []int{4, 5, 3, 3}, Hidden: hid, Output: out, Loss: loss, Bias: true, Init: Xavier, Seed: 7})
				if err != nil {
					t.Fatal(err)
				}
				r := refFrom(n)
				for l := range r.b {
					for i := range r.b[l] {
						r.b[l][i] = 0.2*rng.Float64() + 0.05
					}
				}
				var x []float64
				for {
					x = to64(randVec(rng, 4, -1, 1))
					if r.kinkFree(x, 1e-3) {
						break
					}
				}
				tg := to64(targetsFor(rng, loss, out, 3))
				gw, gb := r.grad(x, tg)
				half := 0.5
				if loss == CrossEntropy {
					half = 1
				}
				const h = 1e-6
				check := func(p *float64, analytic float64, what string) {
					old := *p
					*p = old + h
					lp := r.sampleLoss(x, tg)
					*p = old - h
					lm := r.sampleLoss(x, tg)
					*p = old
					num := half * (lp - lm) / (2 * h)
					if math.Abs(num-analytic) > 1e-6+1e-5*math.Abs(num) {
						t.Errorf("%s/%s/%s %s: backprop %g, finite difference %g", hid, out, loss, what, analytic, num)
					}
				}
				for l := range r.w {
					for i := range r.w[l] {
						check(&r.w[l][i], gw[l][i], "w")
					}
					for i := range r.b[l] {
						check(&r.b[l][i], gb[l][i], "b")
					}
				}
			}
		}
	}
}
