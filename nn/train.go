package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
	"weak"

	"github.com/nnsimd/nnsimd/kernels"
)

// Progress is what the progress hook of TrainConfig receives.
type Progress struct {
	Epoch, Epochs int           // 1-based epoch, and the number of epochs
	Done, Total   int           // samples done in this epoch / in the epoch
	Loss          float64       // mean loss so far this epoch
	SamplesPerSec float64       // this epoch so far
	Elapsed       time.Duration // since Fit started
}

// TrainConfig holds the hyper-parameters of Fit.
type TrainConfig struct {
	Epochs int     // ≥ 1
	LR     float32 // learning rate, > 0
	// BatchSize 0 or 1 runs per-sample SGD in the book's order. BatchSize > 1
	// runs mini-batch SGD on the mean gradient of each batch; the last batch
	// of an epoch may be smaller and is averaged over its own size. A
	// BatchSize above the number of rows makes them all one batch.
	BatchSize int
	// Momentum μ in [0,1). With momentum, each layer keeps a velocity v
	// (zero at the start of Fit) and every step does v ← μ·v + g,
	// W ← W − LR·v, where g is the batch's mean gradient (the book's delta
	// convention). Per-sample training with momentum is mini-batch training
	// with batches of one.
	Momentum float32
	Shuffle  bool   // false = data order (the book); true = a fresh permutation each epoch
	Seed     uint64 // shuffle seed
	// Threads is the number of threads the kernels may use while Fit
	// runs (a kernels.ThreadOverride); 0 means up to kernels.SetThreads's
	// count (runtime.NumCPU() by default), fewer while fewer are faster:
	// mini-batch Fit then times a few steps at half or twice its count
	// now and then, and keeps the faster count (on a shared virtual
	// machine two threads can be slower than one for seconds at a time).
	// Results do not depend on it. Mini-batch steps split their products
	// and row-wise work across the threads; per-sample SGD runs on one
	// thread, as each step needs the weights of the one before.
	Threads int
	// Progress, if set, is called about every ProgressEvery (default 200ms)
	// and at the end of each epoch; returning false cancels: Fit returns
	// ErrCanceled, with the network as it was after the last completed
	// update.
	Progress      func(Progress) bool
	ProgressEvery time.Duration
}

// History is what Fit learned about the run.
type History struct {
	// Loss per completed epoch: the mean over the epoch of each sample's
	// loss, taken when that sample was seen (before its update). For mse
	// that is the book's error, Σ_j (pred_j − target_j)², per sample.
	Loss []float64
}

// progressCheckEvery is how many samples pass between looks at the clock.
const progressCheckEvery = 256

// Fit trains the network on rows samples: x is rows×inputs and y
// rows×outputs (targets, e.g. OneHot labels), both row-major. It returns the
// loss of every completed epoch. On divergence it returns a *DivergedError
// and on cancellation ErrCanceled; in both cases the network holds the
// weights after the last completed update and stays usable. A NaN or ±Inf
// in x or y is an ErrInvalid that leaves the network as it was: y and, in
// mini-batch training, x are checked before training; per-sample training
// checks each row of x as it reaches it and, finding one, puts back the
// weights it started from (the progress hook may have been called by then).
//
// x and y are read, never copied or modified. Fit lists the non-zero
// inputs of each sample (or of each batch's rows) as it comes to them,
// with kernels.NonZeros while the row is coming into cache for the step
// anyway; when they are few enough the first layer then visits only their
// rows of W, forward and in the update. Shuffled mini-batches are gathered
// into the network's workspace first.
func (n *Network) Fit(x, y []float32, rows int, tc TrainConfig) (History, error) {
	if err := n.checkFit(x, y, rows, &tc); err != nil {
		return History{}, err
	}
	// Everything from here on, the checks and lists of x included, runs
	// on the threads asked for.
	threads := kernels.OverrideThreads(tc.Threads)
	defer threads.End()
	batch := max(tc.BatchSize, 1)
	perSample := batch == 1 && tc.Momentum == 0
	var sd *sparseData
	bad := -1
	if perSample {
		// Each sample's row of x is checked as it is listed for its step
		// (kernels.NonZeros reports non-finite values in the same pass)
		// instead of all of x first, which for MNIST reads 188 MB from
		// memory once more: a one-epoch Fit of 784-128-10 took 0.178
		// against 0.187 s (medians of six alternating runs of
		// BenchmarkMNISTEpoch). A non-finite row then puts back the
		// weights saved here.
		n.saveStart()
	} else {
		// The batches are read from the lists of non-zeros when x is
		// sparse; building them checks x too.
		sd, bad = newSparseData(x, rows, n.Inputs(), n.lists.Value())
		if sd != nil {
			n.lists = weak.Make(sd)
		}
	}
	if bad >= 0 {
		return History{}, nonFiniteX("Fit", x, bad, n.Inputs())
	}
	if !perSample {
		batch = min(batch, rows)
		n.ensureBatch(batch)
		if sd != nil && n.panelsWorthIt() {
			ly := &n.layers[0]
			ly.toPanels()
			defer ly.fromPanels()
		}
	}
	if tc.Momentum != 0 {
		n.resetVelocity()
	}
	var tuner *threadTuner
	if !perSample {
		n.bw.prep.ensureParts(kernels.Threads())
		if tc.Threads == 0 && threads.Threads() > 1 {
			tuner = newThreadTuner(threads.Threads())
		}
	}
	var perm []int32
	var order *epochOrder
	if tc.Shuffle {
		order = newEpochOrder(rows, tc.Seed)
	}
	in := n.Inputs()
	hist := History{Loss: make([]float64, 0, tc.Epochs)}
	out := n.Outputs()
	start := time.Now()
	lastReport := start
	for epoch := 1; epoch <= tc.Epochs; epoch++ {
		if order != nil {
			perm = order.next()
		}
		epochStart := time.Now()
		var sum float64
		report := func(done int) bool {
			now := time.Now()
			lastReport = now
			p := Progress{Epoch: epoch, Epochs: tc.Epochs, Done: done, Total: rows, Elapsed: now.Sub(start)}
			if done > 0 {
				p.Loss = sum / float64(done)
			}
			if s := now.Sub(epochStart).Seconds(); s > 0 {
				p.SamplesPerSec = float64(done) / s
			}
			if ly := &n.layers[0]; ly.panels != nil {
				// The hook may look at the weights, or change them.
				ly.fromPanels()
				defer func() {
					if n.panelsWorthIt() {
						ly.toPanels()
					} else {
						ly.velocityFromPanels()
					}
				}()
			}
			return tc.Progress(p)
		}
		nextCheck := progressCheckEvery
		for k := 0; k < rows; {
			if perSample {
				r := k
				if perm != nil {
					r = int(perm[k])
				}
				xr := x[r*in : r*in+in]
				// x streams from memory (188 MB for MNIST); asking for the
				// row a few samples ahead hides its latency (6–8% of a
				// per-sample epoch).
				if k+sampleAhead < rows {
					next := k + sampleAhead
					if perm != nil {
						next = int(perm[next])
					}
					kernels.Prefetch(x[next*in : next*in+in])
				}
				nz, finite := n.nonZeroRows(xr)
				if !finite {
					n.restoreStart()
					return History{}, nonFiniteX("Fit", x, r*in+firstNonFinite(xr), in)
				}
				loss, ok := n.trainSample(xr, y[r*out:r*out+out], nz, tc.LR)
				if !ok {
					return hist, &DivergedError{Epoch: epoch, Sample: r, Loss: loss}
				}
				sum += loss
				k++
			} else {
				b := min(batch, rows-k)
				var stepStart time.Time
				if tuner != nil {
					stepStart = time.Now()
				}
				xb, yb, nz := n.bw.prepareBatch(x, y, sd, perm, k, b, in, out)
				bad := n.trainBatch(xb, yb, b, nz, tc.LR, tc.Momentum)
				if tuner != nil {
					threads.Set(tuner.step(time.Since(stepStart)))
				}
				if bad >= 0 {
					r := k + bad
					if perm != nil {
						r = int(perm[r])
					}
					return hist, &DivergedError{Epoch: epoch, Sample: r, Loss: n.bw.loss[bad]}
				}
				for _, l := range n.bw.loss[:b] {
					sum += l
				}
				k += b
			}
			if tc.Progress != nil && k >= nextCheck && k < rows {
				nextCheck = k + progressCheckEvery
				if time.Since(lastReport) >= tc.ProgressEvery && !report(k) {
					return hist, errFitCanceled
				}
			}
		}
		hist.Loss = append(hist.Loss, sum/float64(rows))
		if tc.Progress != nil && !report(rows) {
			return hist, errFitCanceled
		}
	}
	return hist, nil
}

var errFitCanceled = fmt.Errorf("nn: Fit: %w by the progress hook", ErrCanceled)

// nonFiniteX is the error of fn for the NaN or ±Inf at x[i].
func nonFiniteX(fn string, x []float32, i, in int) error {
	return invalidf("nn: %s: x[%d][%d] = %g, want finite values", fn, i/in, i%in, x[i])
}

// checkFit validates Fit's arguments, except for the values in x, and fills
// in tc's defaults.
func (n *Network) checkFit(x, y []float32, rows int, tc *TrainConfig) error {
	if rows < 1 {
		return invalidf("nn: Fit: rows = %d, want ≥ 1", rows)
	}
	in, out := n.Inputs(), n.Outputs()
	if len(x) != rows*in {
		if len(x)%rows == 0 {
			return invalidf("nn: Fit: x has %d columns, network has %d inputs", len(x)/rows, in)
		}
		return invalidf("nn: Fit: len(x) = %d, want rows×inputs = %d×%d = %d", len(x), rows, in, rows*in)
	}
	if len(y) != rows*out {
		if len(y)%rows == 0 {
			return invalidf("nn: Fit: y has %d columns, network outputs %d", len(y)/rows, out)
		}
		return invalidf("nn: Fit: len(y) = %d, want rows×outputs = %d×%d = %d", len(y), rows, out, rows*out)
	}
	if tc.Epochs < 1 {
		return invalidf("nn: Fit: Epochs = %d, want ≥ 1", tc.Epochs)
	}
	if lr := float64(tc.LR); !(lr > 0) || math.IsInf(lr, 0) {
		return invalidf("nn: Fit: LR = %g, want a finite value > 0", lr)
	}
	if tc.BatchSize < 0 {
		return invalidf("nn: Fit: BatchSize = %d, want ≥ 0", tc.BatchSize)
	}
	if mu := float64(tc.Momentum); !(mu >= 0 && mu < 1) {
		return invalidf("nn: Fit: Momentum = %g, want a value in [0, 1)", mu)
	}
	if tc.Threads < 0 {
		return invalidf("nn: Fit: Threads = %d, want ≥ 0", tc.Threads)
	}
	if tc.ProgressEvery < 0 {
		return invalidf("nn: Fit: ProgressEvery = %v, want ≥ 0", tc.ProgressEvery)
	}
	if tc.ProgressEvery == 0 {
		tc.ProgressEvery = 200 * time.Millisecond
	}
	if i := firstNonFinite(y); i >= 0 {
		return invalidf("nn: Fit: y[%d][%d] = %g, want finite values", i/out, i%out, y[i])
	}
	return nil
}

// zeros is a read-only block of zeros for firstNonFinite.
var zeros [4096]float32

// firstNonFinite returns the index of the first NaN or ±Inf in v, or −1.
// It screens blocks with the vector dot kernel, since 0·x is 0 for every
// finite x and NaN for NaN and ±Inf, and scans only a block that fails.
func firstNonFinite(v []float32) int {
	for i0 := 0; i0 < len(v); i0 += len(zeros) {
		blk := v[i0:min(i0+len(zeros), len(v))]
		if kernels.Dot(blk, zeros[:len(blk)]) == 0 {
			continue
		}
		for i, f := range blk {
			if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
				return i0 + i
			}
		}
	}
	return -1
}

// EpochOrders returns the order in which Fit with Shuffle and Seed seed
// visits rows samples in each of epochs epochs: orders[e][k] is the row of
// x that epoch e+1 takes k-th, and its mini-batches are consecutive runs
// of that order. Another trainer that follows it sees the same batches as
// Fit, step for step (bench/train gives it to the peers it compares).
func EpochOrders(rows, epochs int, seed uint64) [][]int32 {
	o := newEpochOrder(max(rows, 0), seed)
	orders := make([][]int32, max(epochs, 0))
	for e := range orders {
		orders[e] = slices.Clone(o.next())
	}
	return orders
}

// epochOrder is Fit's shuffled order of the samples: each epoch shuffles
// the order of the one before.
type epochOrder struct {
	rng  *rand.Rand
	perm []int32
}

func newEpochOrder(rows int, seed uint64) *epochOrder {
	o := &epochOrder{rng: rand.New(rand.NewPCG(seed, pcgStreamShuffle)), perm: make([]int32, rows)}
	for i := range o.perm {
		o.perm[i] = int32(i)
	}
	return o
}

// next returns the next epoch's order, valid until the next call.
func (o *epochOrder) next() []int32 {
	shuffle(o.rng, o.perm)
	return o.perm
}

// shuffle permutes p in place (Fisher–Yates) with rng.
func shuffle(rng *rand.Rand, p []int32) {
	for i := len(p) - 1; i > 0; i-- {
		j := rng.IntN(i + 1)
		p[i], p[j] = p[j], p[i]
	}
}

func (n *Network) resetVelocity() {
	n.momentumSteps = 0
	for l := range n.layers {
		ly := &n.layers[l]
		if ly.vw == nil {
			ly.vw = make([]float32, len(ly.w))
			if ly.b != nil {
				ly.vb = make([]float32, len(ly.b))
			}
		} else {
			clear(ly.vw)
			clear(ly.vb)
		}
	}
}

// lowestTrained returns the first layer that training changes; deltas below
// it are not needed.
func (n *Network) lowestTrained() int {
	for l := range n.layers {
		if !n.layers[l].frozen {
			return l
		}
	}
	return len(n.layers)
}

// sampleAhead is how many samples ahead per-sample training prefetches x.
const sampleAhead = 4

// trainSample runs one step of the book's per-sample SGD on input x and
// target t: forward, loss, delta, backward, update. It returns the sample's
// loss (taken before the update) and false, with the network unchanged, if
// that loss diverged.
//
// nz, if not nil, lists the non-zero entries of x; the first layer then
// visits only those rows of its weights, forward and in the update.
func (n *Network) trainSample(x, t []float32, nz []int32, lr float32) (float64, bool) {
	ws := &n.ws
	lse := n.forwardSample(x, nz)
	last := len(n.layers) - 1
	loss := outputDelta(n.cfg.Loss, n.layers[last].act, ws.act[last], ws.z, t, ws.delta[last], lse)
	if diverged(loss) {
		return loss, false
	}
	lowest := n.lowestTrained()
	for l := last; l >= lowest; l-- {
		ly := &n.layers[l]
		delta := ws.delta[l]
		in := x
		if l > 0 {
			in = ws.act[l-1]
			// The delta below uses this layer's weights before their
			// update, as the book computes layer_1_delta before changing
			// weights_1_2.
			if l > lowest {
				below := ws.delta[l-1]
				if rows := ws.rows[l]; rows != nil && n.layers[l-1].act == ReLU {
					// A relu unit the forward pass did not list
					// output 0, so backActivation zeroes its delta
					// whatever the product: only the listed ones need it.
					kernels.GemvNRows(below, ly.w, ly.out, delta, rows)
				} else {
					kernels.Gemv(false, ly.in, ly.out, 1, ly.w, ly.out, delta, 0, below)
				}
				backActivation(n.layers[l-1].act, below, in)
			}
		}
		if ly.frozen {
			continue
		}
		ly.saveFrozen()
		rows := nz
		if l > 0 {
			rows = ws.rows[l]
		}
		if rows != nil {
			// The update walks the list backwards, starting on the rows
			// the forward pass left in L1 (see kernels.OuterUpdateRows).
			// Fusing it with the next sample's forward pass, each row of
			// both lists read once (an AVX-512 prototype over the union,
			// masked, bit-identical), was no faster: 2.28–2.37 µs a
			// sample on shuffled MNIST against 2.15–2.23 for the two.
			kernels.OuterUpdateRows(-lr, in, rows, delta, ly.w, ly.out)
		} else {
			kernels.OuterUpdate(-lr, in, delta, ly.w, ly.out)
		}
		if ly.b != nil {
			kernels.Axpy(-lr, delta, ly.b)
		}
		ly.restoreFrozen()
	}
	return loss, true
}

// trainBatch runs one mini-batch SGD step on rows samples (x rows×inputs, t
// rows×outputs): forward, each sample's loss and output delta, backward, and
// W −= lr·mean gradient (or the momentum form). The losses are left in
// n.bw.loss. If a sample's loss diverged it returns that sample's row in the
// batch, with the network unchanged; otherwise −1.
//
// nz, if not nil, lists each row's non-zero inputs: the first layer's
// forward product then visits only those rows of W, and its gradient only
// the rows of W (with momentum, of the velocity, which still decays
// everywhere) whose inputs are non-zero somewhere in the batch.
func (n *Network) trainBatch(x, t []float32, rows int, nz [][]int32, lr, momentum float32) int {
	bw := &n.bw
	last := len(n.layers) - 1
	lowest := n.lowestTrained()
	// Every delta is taken from the weights before the update.
	if bad := bw.rowWork.train(n, x[:rows*n.layers[0].in], rows, nz, t, lowest); bad >= 0 {
		return bad
	}
	inv := 1 / float32(rows)
	for l := last; l >= lowest; l-- {
		ly := &n.layers[l]
		d := bw.delta[l][:rows*ly.out]
		var in []float32
		if l == 0 {
			in = x[:rows*ly.in]
		} else {
			in = bw.act[l-1][:rows*ly.in]
		}
		if ly.frozen {
			continue
		}
		ly.saveFrozen()
		var gb []float32
		if ly.b != nil {
			// gb = Σ_r δ[r,:] = δᵀ·1, one call rather than an Axpy a row.
			gb = bw.gb[:ly.out]
			kernels.Gemv(true, rows, ly.out, 1, d, ly.out, bw.ones[:rows], 0, gb)
		}
		// The first layer of a sparse batch, and a hidden layer whose
		// every block took the sparse product, update only the rows of W
		// whose inputs are non-zero somewhere in the batch, each once, the
		// gradient Xᵀ·δ summed in registers over the batch's non-zeros
		// (kernels.OuterUpdateSparseT on the inputs transposed).
		var xt []float32
		if l == 0 && nz != nil || l > 0 && bw.hsparse[l] != nil && bw.hiddenAllSparse(l, rows) {
			xt = bw.transpose(in, rows, ly.in)
		}
		if momentum == 0 {
			// W += (−lr/rows)·Xᵀ·δ, the gradient product fused with the update.
			if xt != nil {
				ly.gradSparse(rows, -lr*inv, xt, d, ly.weights())
			} else {
				ly.gradDense(rows, -lr*inv, in, d, 1, ly.weights())
			}
			if gb != nil {
				kernels.Axpy(-lr*inv, gb, ly.b)
			}
		} else {
			// v = μ·v + Xᵀ·δ/rows; W −= lr·v. Taking the three passes
			// over the first layer a block of rows at a time (49 to 784
			// rows, each share's blocks on its own core) so that v's rows
			// stay in cache between them measured 0.97–1.07 times these
			// whole passes (steps drawn at random between the two).
			// Fusing the decay and W's update into the row epilogue of
			// OuterUpdateSparseT (an AVX-512 prototype, bit-identical),
			// so that v and W are read once, measured 0.988–0.994 on
			// two threads (784-512-256-10) and 1.000 on one: the kernel
			// then waits on W's rows instead of the passes streaming them.
			if xt != nil {
				bw.vec.scale(momentum, ly.vw)
				ly.gradSparse(rows, inv, xt, d, ly.vw)
			} else {
				ly.gradDense(rows, inv, in, d, momentum, ly.vw)
			}
			if n.momentumSteps%flushEvery == 0 {
				bw.vec.flushSubnormals(ly.vw)
			}
			bw.vec.axpy(-lr, ly.vw, ly.weights())
			if gb != nil {
				for j, g := range gb {
					ly.vb[j] = momentum*ly.vb[j] + inv*g
				}
				kernels.Axpy(-lr, ly.vb, ly.b)
			}
		}
		ly.restoreFrozen()
	}
	if momentum != 0 {
		n.momentumSteps++
	}
	return -1
}

// sparseBatchWorthIt reports whether a batch whose rows hold nonZeros
// non-zero inputs out of cells is better served by the sparse first layer
// (kernels.GemmSparseRows forward, Transpose and OuterUpdateSparseT for
// the gradient) than by the packed GEMMs. See sparseBatchMaxNum for how
// the threshold was measured.
func sparseBatchWorthIt(nonZeros, cells int) bool {
	return nonZeros*sparseBatchMaxDen <= cells*sparseBatchMaxNum
}

// sparseBatchMaxNum/sparseBatchMaxDen is the density of a batch's inputs up
// to which the sparse first layer wins. Measured on 784-128-10, batch 128,
// cross-entropy, one thread, random inputs of a given density, best of 15
// runs of 40 steps: sparse against dense 286 against 408 µs a step at 25%
// non-zero, 302 against 406 at 30%, 335 against 407 at 35%; with momentum
// 0.9, 292/426, 323/426 and 369/432. The sparse cost grows by about 35 µs
// for every 5 points of density, so the two meet near 45%; 35% keeps a
// margin.
const sparseBatchMaxNum, sparseBatchMaxDen = 7, 20

// flushEvery is how often (in momentum steps) flushSubnormals runs.
const flushEvery = 16

// flushSubnormals sets the subnormal values of v to 0. The velocity of a
// weight whose gradient has stopped (an MNIST pixel that is rarely inked)
// decays geometrically by μ and spends some hundred steps as a subnormal
// float, and x86 cores compute with subnormals through slow microcode
// assists: on MNIST with μ = 0.9 over 1% of the first layer's velocities
// were subnormal by epoch 5. Go leaves the FTZ/DAZ bits of MXCSR off, so
// the optimizer flushes them itself; every flushEvery steps is enough to
// keep them rare, at well under 1% of a step's time.
func flushSubnormals(v []float32) {
	for i, f := range v {
		if math.Float32bits(f)&0x7f800000 == 0 && f != 0 {
			v[i] = 0
		}
	}
}
