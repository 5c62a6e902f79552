package main

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"github.com/nnsimd/nnsimd/nn"
	"github.com/nnsimd/nnsimd/nn/mnist"
)

// gonumNet is the gonum peer: the same algorithms written the way a Go
// programmer would with gonum's float32 BLAS (blas32, gonum's own pure-Go
// kernels). float32 rather than mat.Dense's float64, because nnsimd, PyTorch
// and the fast numpy peers all train in float32: the peer differs in its
// kernels, not in the precision.
//
// Per-sample: per layer a Gemv forward, a Gemv for the delta below (with the
// weights before the update) and a Ger for the update, sample by sample in
// the book's order. Mini-batch: per layer a Gemm forward, a Gemm for the
// delta below and a Gemm for the mean gradient, fused with the update
// (W += −lr/rows·Xᵀ·δ, or with momentum v = μ·v + Xᵀ·δ/rows, W −= lr·v).
type gonumNet struct {
	sizes     []int
	perSample bool
	w, b      [][]float32 // w[l] is sizes[l]×sizes[l+1] row-major; b nil per-sample
	vw, vb    [][]float32 // momentum velocities
	act, dlt  [][]float32 // per layer: outputs and deltas, batch rows of each
	batch     int         // rows act and dlt have room for
}

// newGonumNet starts from nnsimd's initial weights for c (uniform
// ±InitScale per-sample, else Glorot uniform with zero biases), so that the
// two compare arithmetic rather than draws of the weights.
func newGonumNet(c Case) (*gonumNet, error) {
	net, err := nn.New(c.netConfig())
	if err != nil {
		return nil, err
	}
	g := &gonumNet{sizes: c.Sizes, perSample: c.PerSample}
	for l := 0; l+1 < len(c.Sizes); l++ {
		g.w = append(g.w, slices.Clone(net.Weights(l)))
		if !c.PerSample {
			g.b = append(g.b, make([]float32, c.Sizes[l+1]))
		}
	}
	return g, nil
}

// ensure sizes the workspaces for rows samples at a time.
func (g *gonumNet) ensure(rows int) {
	if g.batch >= rows {
		return
	}
	g.batch = rows
	g.act, g.dlt = nil, nil
	for _, s := range g.sizes[1:] {
		g.act = append(g.act, make([]float32, rows*s))
		g.dlt = append(g.dlt, make([]float32, rows*s))
	}
}

func general(rows, cols int, data []float32) blas32.General {
	return blas32.General{Rows: rows, Cols: cols, Stride: cols, Data: data[:rows*cols]}
}

func vector(v []float32) blas32.Vector { return blas32.Vector{N: len(v), Inc: 1, Data: v} }

// trainSample is one step of the book's per-sample SGD on input x and
// one-hot target t.
func (g *gonumNet) trainSample(x, t []float32, lr float32) {
	last := len(g.w) - 1
	in := x
	for l := range g.w {
		a := g.act[l][:g.sizes[l+1]]
		// x·W is Wᵀ·x for row-major W (inputs×outputs).
		blas32.Gemv(blas.Trans, 1, general(g.sizes[l], g.sizes[l+1], g.w[l]), vector(in), 0, vector(a))
		if l < last {
			relu(a)
		}
		in = a
	}
	d := g.dlt[last][:g.sizes[last+1]]
	for j, p := range g.act[last][:len(d)] {
		d[j] = p - t[j]
	}
	for l := last; l >= 0; l-- {
		in := x
		if l > 0 {
			in = g.act[l-1][:g.sizes[l]]
			below := g.dlt[l-1][:g.sizes[l]]
			blas32.Gemv(blas.NoTrans, 1, general(g.sizes[l], g.sizes[l+1], g.w[l]), vector(g.dlt[l][:g.sizes[l+1]]), 0, vector(below))
			reluBack(below, in)
		}
		blas32.Ger(-lr, vector(in), vector(g.dlt[l][:g.sizes[l+1]]), general(g.sizes[l], g.sizes[l+1], g.w[l]))
	}
}

// trainBatch is one mini-batch step on rows samples x (rows×inputs) with
// class labels: softmax cross-entropy, mean gradient over the batch.
func (g *gonumNet) trainBatch(x []float32, labels []uint8, rows int, lr, momentum float32) {
	g.forwardBatch(x, rows)
	last := len(g.w) - 1
	classes := g.sizes[last+1]
	p, d := g.act[last], g.dlt[last]
	for r := 0; r < rows; r++ {
		softmax(p[r*classes : r*classes+classes])
		for j := 0; j < classes; j++ {
			d[r*classes+j] = p[r*classes+j]
		}
		d[r*classes+int(labels[r])]--
	}
	inv := 1 / float32(rows)
	for l := last; l >= 0; l-- {
		nIn, nOut := g.sizes[l], g.sizes[l+1]
		delta := general(rows, nOut, g.dlt[l])
		inData := x
		if l > 0 {
			inData = g.act[l-1]
		}
		in := general(rows, nIn, inData)
		if l > 0 {
			below := general(rows, nIn, g.dlt[l-1])
			blas32.Gemm(blas.NoTrans, blas.Trans, 1, delta, general(nIn, nOut, g.w[l]), 0, below)
			reluBack(below.Data, in.Data)
		}
		var gb []float32 // bias gradient: the column sums of delta
		if momentum == 0 {
			blas32.Gemm(blas.Trans, blas.NoTrans, -lr*inv, in, delta, 1, general(nIn, nOut, g.w[l]))
			gb = g.b[l]
			for r := 0; r < rows; r++ {
				blas32.Axpy(-lr*inv, vector(delta.Data[r*nOut:r*nOut+nOut]), vector(gb))
			}
			continue
		}
		if g.vw == nil {
			for k := range g.w {
				g.vw = append(g.vw, make([]float32, len(g.w[k])))
				g.vb = append(g.vb, make([]float32, len(g.b[k])))
			}
		}
		blas32.Gemm(blas.Trans, blas.NoTrans, inv, in, delta, momentum, general(nIn, nOut, g.vw[l]))
		blas32.Axpy(-lr, vector(g.vw[l]), vector(g.w[l]))
		vb := g.vb[l]
		blas32.Scal(momentum, vector(vb))
		for r := 0; r < rows; r++ {
			blas32.Axpy(inv, vector(delta.Data[r*nOut:r*nOut+nOut]), vector(vb))
		}
		blas32.Axpy(-lr, vector(vb), vector(g.b[l]))
	}
}

// forwardBatch leaves the output layer's pre-activations (logits, or the
// outputs of a per-sample network) in g.act[last] for rows samples.
func (g *gonumNet) forwardBatch(x []float32, rows int) {
	in := x
	last := len(g.w) - 1
	for l := range g.w {
		nIn, nOut := g.sizes[l], g.sizes[l+1]
		a := g.act[l][:rows*nOut]
		if g.b != nil {
			for r := 0; r < rows; r++ {
				copy(a[r*nOut:r*nOut+nOut], g.b[l])
			}
		}
		beta := float32(0)
		if g.b != nil {
			beta = 1
		}
		blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, general(rows, nIn, in), general(nIn, nOut, g.w[l]), beta, general(rows, nOut, a))
		if l < last {
			relu(a)
		}
		in = a
	}
}

// accuracy is the fraction of test whose largest output is the label.
func (g *gonumNet) accuracy(test *mnist.Dataset) float64 {
	const chunk = 1000
	g.ensure(chunk)
	classes := g.sizes[len(g.sizes)-1]
	correct := 0
	for r0 := 0; r0 < test.N; r0 += chunk {
		rows := min(chunk, test.N-r0)
		g.forwardBatch(test.X[r0*test.Features:(r0+rows)*test.Features], rows)
		out := g.act[len(g.w)-1]
		for r := 0; r < rows; r++ {
			best := 0
			for j := 1; j < classes; j++ {
				if out[r*classes+j] > out[r*classes+best] {
					best = j
				}
			}
			if best == int(test.Labels[r0+r]) {
				correct++
			}
		}
	}
	return float64(correct) / float64(test.N)
}

func relu(v []float32) {
	for i, f := range v {
		if f < 0 {
			v[i] = 0
		}
	}
}

// reluBack multiplies delta by relu′ at the layer's output y.
func reluBack(delta, y []float32) {
	for i, f := range y[:len(delta)] {
		if !(f > 0) {
			delta[i] = 0
		}
	}
}

// softmax replaces z by softmax(z), shifted by its maximum against overflow.
func softmax(z []float32) {
	m := z[0]
	for _, f := range z[1:] {
		m = max(m, f)
	}
	var sum float64
	for i, f := range z {
		e := math.Exp(float64(f - m))
		z[i] = float32(e)
		sum += e
	}
	inv := float32(1 / sum)
	for i := range z {
		z[i] *= inv
	}
}

// runGonum trains c with the gonum peer. gonum's Gemm spreads its blocks
// over GOMAXPROCS goroutines, so GOMAXPROCS is the peer's thread count for
// the run.
func runGonum(c Case, d Data, threads int) (Result, error) {
	res := Result{Suite: c.Suite, Peer: "gonum", Threads: threads, Samples: d.Train.N,
		Note: "blas32 (float32), gonum v0.17.0's pure-Go kernels, GOMAXPROCS = threads, from nnsimd's initial weights"}
	if !c.PerSample {
		res.Note += ", in nnsimd's batch order"
	}
	if d.Train.Features != c.Sizes[0] || d.Test.Features != c.Sizes[0] {
		return res, fmt.Errorf("gonum: data has %d/%d features, the network %d inputs", d.Train.Features, d.Test.Features, c.Sizes[0])
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(threads))
	g, err := newGonumNet(c)
	if err != nil {
		return res, err
	}
	trainGonum(g, c, d, !c.PerSample, &res)
	return res, nil
}

// trainGonum runs c's epochs on g, recording each epoch's time and test
// accuracy in res; it stops early once the target accuracy is reached.
// shuffle visits each epoch's mini-batches in nnsimd's order for the epoch
// (nn.EpochOrders), so that both see the same batches; per-sample training
// always keeps the data order, as the book does.
func trainGonum(g *gonumNet, c Case, d Data, shuffle bool, res *Result) {
	tr := d.Train
	in, classes := tr.Features, c.Sizes[len(c.Sizes)-1]
	batch := 1
	if !c.PerSample {
		batch = min(c.Batch, tr.N)
	}
	g.ensure(batch)
	var xb []float32
	var lb []uint8
	var target []float32
	if c.PerSample {
		target = make([]float32, classes)
	} else {
		xb, lb = make([]float32, batch*in), make([]uint8, batch)
	}
	perm := make([]int32, tr.N)
	for i := range perm {
		perm[i] = int32(i)
	}
	var orders [][]int32
	if shuffle && !c.PerSample {
		orders = nn.EpochOrders(tr.N, c.Epochs, c.Seed)
	}
	runtime.GC()
	for epoch := 1; epoch <= c.Epochs; epoch++ {
		start, cpuStart := time.Now(), cpuSeconds()
		if orders != nil {
			perm = orders[epoch-1]
		}
		for k := 0; k < tr.N; k += batch {
			if c.PerSample {
				clear(target)
				target[tr.Labels[k]] = 1
				g.trainSample(tr.X[k*in:k*in+in], target, c.LR)
				continue
			}
			rows := min(batch, tr.N-k)
			for i, p := range perm[k : k+rows] {
				r := int(p)
				copy(xb[i*in:i*in+in], tr.X[r*in:r*in+in])
				lb[i] = tr.Labels[r]
			}
			g.trainBatch(xb, lb, rows, c.LR, c.Momentum)
		}
		res.EpochSeconds = append(res.EpochSeconds, time.Since(start).Seconds())
		res.EpochCPU = append(res.EpochCPU, cpuSeconds()-cpuStart)
		acc := g.accuracy(d.Test)
		res.EpochAcc = append(res.EpochAcc, acc)
		if c.TargetAcc > 0 && acc >= c.TargetAcc {
			res.ReachedEpoch = epoch
			return
		}
	}
}
