package nn

import "github.com/nnsimd/nnsimd/kernels"

// rowWork runs the row-local parts of a batch step in shares of rows on the
// kernels' thread pool: the forward pass through every layer (rowForward),
// or for training that pass followed by each row's loss and output delta
// with the deltas of the hidden layers below it (rowTrain). A share takes
// its rows through all the layers on one goroutine, and the kernels it
// calls run their parts there too (the pool is taken), so a training step
// hands this work out once instead of once per kernel call, and each row's
// activations and deltas stay in the cache of the core that made them: on
// two threads the small products of a 784-128-10 step (128×10×128) had run
// on one core, reading what the other had just written. A row's deltas
// need only its own outputs and targets and the weights, which the step
// changes only afterwards, so its share goes on to them without waiting
// for the other shares' forward passes: handing the deltas out as a second
// phase made a two-thread MNIST step take 1.004–1.009 times as long (step
// medians, steps drawn at random between the two, three runs). A row's
// results never depend on the share it falls in: each kernel computes
// every row of its output the same way whatever rows come with it.
type rowWork struct {
	phase  int // rowForward or rowTrain
	net    *Network
	rows   int
	parts  int
	x      []float32 // the batch's inputs
	nz     [][]int32 // rowTrain: each row's non-zero inputs, or nil
	t      []float32 // rowTrain: the targets
	lowest int       // rowTrain: the lowest trained layer
	// firstBad holds, per share, its first row whose loss diverged
	// (rowTrain) or the index in x of its first NaN or ±Inf (rowForward),
	// or −1.
	firstBad []int
}

const (
	rowForward = iota
	rowTrain
)

// rowBlock is the granularity of the shares: whole blocks of 16 rows, as
// the batch preparation hands them out, so that a share's rows are those
// its core gathered.
const rowBlock = prepRowBlock

// run runs the current phase over n's first rows rows.
func (w *rowWork) run(n *Network, rows int) {
	w.net, w.rows = n, rows
	w.parts = max(min(kernels.Threads(), rows/rowBlock), 1)
	for len(w.firstBad) < w.parts {
		w.firstBad = append(w.firstBad, -1)
	}
	kernels.RunParallel(w, w.parts)
	w.net, w.x, w.nz, w.t = nil, nil, nil, nil
}

// forward runs rows samples (x is rows×inputs) through the network and
// returns the index in x of its first NaN or ±Inf, or −1; see
// Network.forwardBatch.
func (w *rowWork) forward(n *Network, x []float32, rows int) int {
	w.phase, w.x, w.nz = rowForward, x, nil
	w.run(n, rows)
	return w.firstOf()
}

// train runs rows samples (x is rows×inputs; nz, if not nil, lists each
// row's non-zero inputs, whose rows of W alone the first layer visits)
// through the network, then computes each row's loss (into n.bw.loss) and
// output delta for the rows×outputs targets t, and the deltas at the
// outputs of layers lowest to last−1. It returns the first row whose loss
// diverged, or −1.
func (w *rowWork) train(n *Network, x []float32, rows int, nz [][]int32, t []float32, lowest int) int {
	w.phase, w.x, w.nz, w.t, w.lowest = rowTrain, x, nz, t, lowest
	w.run(n, rows)
	return w.firstOf()
}

// firstOf returns the first share's firstBad that is not −1 (shares are in
// row order), or −1.
func (w *rowWork) firstOf() int {
	for _, bad := range w.firstBad[:w.parts] {
		if bad >= 0 {
			return bad
		}
	}
	return -1
}

// RunPart runs share part of the current phase.
func (w *rowWork) RunPart(part int) {
	r0, r1 := share(w.rows, rowBlock, part, w.parts)
	if w.phase == rowForward {
		w.firstBad[part] = w.forwardShare(r0, r1)
		return
	}
	w.net.forwardRows(w.x, w.nz, r0, r1)
	if w.phase == rowTrain {
		w.firstBad[part] = w.net.deltaRows(w.t, w.lowest, r0, r1)
	}
}

// forwardShare runs rows r0..r1−1 of the batch through the network for
// Predict and Evaluate. Each block of rowBlock rows whose inputs are
// sparse enough takes the first layer over their non-zeros: for 256 MNIST
// images, which a dense GEMM takes in full, it visits only the rows of W
// for their non-zero pixels, about a fifth. Runs of blocks alike go
// through together. A block decides alone, and the blocks are the same
// for any number of threads, so no row's result depends on it. It returns
// the index in x of the share's first NaN or ±Inf, or −1 (see
// listNonZeros).
func (w *rowWork) forwardShare(r0, r1 int) int {
	n := w.net
	bad := -1
	listAndCheck := func(b, e int) bool {
		lists, i := n.listNonZeros(w.x, b, e)
		if bad < 0 {
			bad = i
		}
		return lists != nil
	}
	blockRuns(r0, r1, listAndCheck, func(b0, b1 int, sparse bool) {
		var lists [][]int32
		if sparse {
			lists = n.bw.nz
		}
		n.forwardRows(w.x, lists, b0, b1)
	})
	return bad
}

// blockRuns cuts rows r0..r1−1 (r0 a multiple of rowBlock) into blocks of
// rowBlock rows, asks sparse of each block in turn, and calls run on each
// run of consecutive blocks that answered alike.
func blockRuns(r0, r1 int, sparse func(b, e int) bool, run func(b0, b1 int, sparse bool)) {
	start, last := r0, false
	for b := r0; b < r1; b += rowBlock {
		s := sparse(b, min(b+rowBlock, r1))
		if b > r0 && s != last {
			run(start, b, last)
			start = b
		}
		last = s
	}
	run(start, r1, last)
}

// listNonZeros lists the non-zero inputs of rows r0..r1−1 of the batch x
// into the batch workspace and returns the lists (indexed by row), or nil
// when the rows are too dense for the sparse first layer to pay (see
// sparseBatchWorthIt), which it tells as soon as the lists so far pass
// that share of the rows' inputs. bad is the index in x of the rows'
// first NaN or ±Inf, or −1: the listing finds them in the rows it
// reaches, and the rows after it are scanned while they come into cache
// for the products anyway. (Scanning all of x before the chunks made
// 10,000 MNIST-like rows into 784-128-10 take 12.8–14.5 ms against
// 8.9–10.5 on one thread, and scanning each block before its listing
// 10.6–12.4 against 9.5–11.8; this way 10.1–12.0 against 9.7–11.5, and
// dense rows 21.7–23.5 against 22.4–24.2, six alternating runs.)
func (n *Network) listNonZeros(x []float32, r0, r1 int) (lists [][]int32, bad int) {
	in := n.layers[0].in
	sparse, end, finite := listInto(n.bw.nz, n.bw.nzBuf, x, in, r0, r1, sparseBatchMaxNum, sparseBatchMaxDen)
	switch {
	case !finite:
		bad = r0*in + firstNonFinite(x[r0*in:end*in])
	case end < r1:
		if bad = firstNonFinite(x[end*in : r1*in]); bad >= 0 {
			bad += end * in
		}
	default:
		bad = -1
	}
	if !sparse {
		return nil, bad
	}
	return n.bw.nz, bad
}

// forwardRows runs rows r0..r1−1 of the batch x through the network,
// leaving each layer's outputs in n.bw.act and, for a softmax output, the
// logits in n.bw.z and log-sum-exps in n.bw.lse. If nz is not nil, nz[r]
// lists the non-zero entries of row r of x and the first layer visits only
// their rows of W (kernels.GemmSparseRows; a column-wise kernel, since
// removed, measured 1.5× slower here: 107 against 72 µs a 128-row MNIST
// batch). A layer above a relu that ensureBatch gave hsparse flags does
// the same, block by block, where its inputs are sparse (hiddenProduct).
func (n *Network) forwardRows(x []float32, nz [][]int32, r0, r1 int) {
	bw := &n.bw
	m := r1 - r0
	in := x[r0*n.layers[0].in : r1*n.layers[0].in]
	last := len(n.layers) - 1
	for l := range n.layers {
		ly := &n.layers[l]
		o := ly.out
		out := bw.act[l][r0*o : r1*o]
		dst := out
		if l == last && ly.act == Softmax {
			dst = bw.z[r0*o : r1*o]
		}
		switch {
		case l == 0 && nz != nil:
			ly.sparseProduct(m, in, nz[r0:r1], dst)
		case l > 0 && bw.hsparse[l] != nil:
			n.hiddenProduct(l, r0, r1, dst)
		default:
			ly.denseProduct(m, in, dst)
		}
		if ly.act == Softmax {
			softmaxRows(out, dst, m, o, bw.lse[r0:r1])
		} else if ly.act != ReLU {
			activate(ly.act, out)
		}
		in = out
	}
}

// sparseProduct sets the m rows of dst to the bias plus the product of
// the rows x of the layer's inputs, over the entries lists names, and
// W, with a relu applied if the layer has one.
func (ly *layer) sparseProduct(m int, x []float32, lists [][]int32, dst []float32) {
	o := ly.out
	for r := 0; r < m; r++ {
		if ly.b != nil {
			copy(dst[r*o:r*o+o], ly.b)
		} else {
			clear(dst[r*o : r*o+o])
		}
	}
	span := ly.span()
	for p := range ly.panelCount(span) {
		pw, c0, width := ly.panelOf(ly.weights(), span, p)
		kernels.GemmSparseRows(m, width, x, ly.in, lists, pw, width, dst[c0:], o)
	}
	if ly.act == ReLU {
		activate(ReLU, dst)
	}
}

// hiddenSparse reports whether layer l ≥ 1 may take its product over the
// non-zeros of its inputs: those of a relu, which are exactly zero for a
// good part of them (35–40% are not in 784-512-256-10 on MNIST), into a
// layer as wide as a strip of the sparse kernels. ensureBatch gives such a
// layer its n.bw.hsparse flags, which is what forwardRows and trainBatch
// look at.
func (n *Network) hiddenSparse(l int) bool {
	return n.layers[l-1].act == ReLU && n.layers[l].out >= hiddenSparseMinOut && n.layers[l].in >= hiddenSparseMinOut
}

// hiddenSparseMinOut is the narrowest hidden layer, in inputs and
// outputs, that hiddenSparse considers: one strip of the AVX-512 sparse
// kernels (narrower ones go row by row), and products below it are small.
const hiddenSparseMinOut = 128

// hiddenSparseMaxNum/hiddenSparseMaxDen is the density of a block's inputs
// up to which a hidden layer takes the sparse product. For a 128-row
// batch into 512×256 weights (one thread, random positions, one calm run),
// the sparse forward product took 0.66, 0.81, 0.82 and 0.92 of the GEMM's
// time at 40, 45, 50 and 55% non-zero, and the transpose with
// OuterUpdateSparseT 0.61, 0.65, 0.76 and 0.78 of the update's GEMM; 50%
// keeps a margin, and takes in the first epoch of 784-512-256-10 on MNIST,
// where about 40% of the first layer's outputs are non-zero (Xavier
// initial weights; 35% from the second epoch on).
const hiddenSparseMaxNum, hiddenSparseMaxDen = 1, 2

// hiddenProduct computes layer l's rows r0..r1−1 into dst (bias, product
// and relu) from the layer below's outputs, block by block of rowBlock
// rows: a block whose inputs are sparse enough over their non-zeros, the
// others with the GEMM, runs of alike blocks together. The decision is
// kept for the update (n.bw.hsparse), and as the blocks are the same for
// any number of threads, no result depends on it.
func (n *Network) hiddenProduct(l, r0, r1 int, dst []float32) {
	bw := &n.bw
	ly := &n.layers[l]
	x := bw.act[l-1]
	flags := bw.hsparse[l]
	run := func(b0, b1 int, sparse bool) {
		d := dst[(b0-r0)*ly.out : (b1-r0)*ly.out]
		xs := x[b0*ly.in : b1*ly.in]
		if sparse {
			ly.sparseProduct(b1-b0, xs, bw.hnz[b0:b1], d)
		} else {
			ly.denseProduct(b1-b0, xs, d)
		}
	}
	blockRuns(r0, r1, func(b, e int) bool {
		s, _, _ := listInto(bw.hnz, bw.hnzBuf, x, ly.in, b, e, hiddenSparseMaxNum, hiddenSparseMaxDen)
		flags[b/rowBlock] = s
		return s
	}, run)
}

// listInto lists the non-zero entries of rows r0..r1−1 of x (width
// entries a row) into lists[r], each in buf[r*width:], and reports whether
// they are at most num/den of the rows' entries, stopping as soon as they
// are not; end is the row after the last it listed, and finite whether
// those rows hold no NaN or ±Inf (kernels.NonZeros tells in the same pass).
func listInto(lists [][]int32, buf []int32, x []float32, width, r0, r1, num, den int) (sparse bool, end int, finite bool) {
	total := 0
	finite = true
	for r := r0; r < r1; r++ {
		b := buf[r*width : r*width+width]
		k, ok := kernels.NonZeros(b, x[r*width:r*width+width])
		lists[r] = b[:k:k]
		finite = finite && ok
		if total += k; total*den > (r1-r0)*width*num {
			return false, r + 1, finite
		}
	}
	return true, r1, finite
}

// hiddenAllSparse reports whether every block of the batch's rows rows
// took layer l's product over its non-zeros.
func (b *batchWork) hiddenAllSparse(l, rows int) bool {
	for _, s := range b.hsparse[l][:(rows+rowBlock-1)/rowBlock] {
		if !s {
			return false
		}
	}
	return true
}

// deltaRows computes rows r0..r1−1's losses and output deltas for the
// targets t, then their deltas at the outputs of the layers down to lowest
// (each from the weights above it, which the step has not updated yet),
// and returns the first row whose loss diverged, or −1 (its deltas below
// are then not computed).
func (n *Network) deltaRows(t []float32, lowest, r0, r1 int) int {
	bw := &n.bw
	last := len(n.layers) - 1
	o := n.layers[last].out
	act := bw.act[last]
	for r := r0; r < r1; r++ {
		s := r * o
		bw.loss[r] = outputDelta(n.cfg.Loss, n.layers[last].act, act[s:s+o], bw.z[s:s+o], t[s:s+o], bw.delta[last][s:s+o], bw.lse[r])
		if diverged(bw.loss[r]) {
			return r
		}
	}
	m := r1 - r0
	for l := last; l > lowest; l-- {
		ly := &n.layers[l]
		// δ_below = δ·Wᵀ ⊙ act′.
		d := bw.delta[l][r0*ly.out : r1*ly.out]
		below := bw.delta[l-1][r0*ly.in : r1*ly.in]
		kernels.Gemm(false, true, m, ly.in, ly.out, 1, d, ly.out, ly.w, ly.out, 0, below, ly.in)
		backActivation(n.layers[l-1].act, below, bw.act[l-1][r0*ly.in:r1*ly.in])
	}
	return -1
}
