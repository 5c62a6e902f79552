package nn

import "github.com/nnsimd/nnsimd/kernels"

// sampleWork holds the per-sample buffers: one vector per layer, allocated
// with the network, so per-sample training allocates nothing.
type sampleWork struct {
	act   [][]float32 // act[l]: output of layer l
	delta [][]float32 // delta[l]: loss delta at the output of layer l
	z     []float32   // logits of a softmax output layer
	nz    []int32     // indices of the non-zero inputs of a sample
	// hidden[l], for a layer l ≥ 1 below a relu, holds the positions of
	// the non-zero entries of its input act[l−1]; rows[l] is the list the
	// last forward pass used (a prefix of hidden[l]) or nil for dense.
	hidden [][]int32
	rows   [][]int32
	// start holds every layer's weights and biases as per-sample Fit
	// found them, one after the other, to be put back if x turns out to
	// hold a NaN or ±Inf (see Fit).
	start []float32
}

func (s *sampleWork) init(n *Network) {
	L := len(n.layers)
	s.act = make([][]float32, L)
	s.delta = make([][]float32, L)
	for l, ly := range n.layers {
		s.act[l] = make([]float32, ly.out)
		s.delta[l] = make([]float32, ly.out)
	}
	s.z = make([]float32, n.layers[L-1].out)
	s.nz = make([]int32, n.layers[0].in)
	s.hidden = make([][]int32, L)
	s.rows = make([][]int32, L)
	for l := 1; l < L; l++ {
		if n.layers[l-1].act == ReLU {
			s.hidden[l] = make([]int32, n.layers[l].in)
		}
	}
}

// batchWork holds the row-major matrices of a batch: rows×width per layer.
// It grows when a larger batch is asked for and is otherwise reused.
type batchWork struct {
	rows    int
	act     [][]float32  // act[l]: rows×out_l outputs of layer l
	delta   [][]float32  // delta[l]: rows×out_l deltas at the output of layer l
	z       []float32    // rows×outputs logits of a softmax output
	lse     []float64    // per row: log Σ e^z
	loss    []float64    // per row: the sample's loss
	xb      [2][]float32 // rows×inputs gathered inputs, in turns (see prepareBatch)
	xbTurn  int          // which of xb the last batch was gathered into
	yb      []float32    // rows×outputs gathered targets
	gb      []float32    // bias gradient of one layer, max width
	ones    []float32    // rows ones, to sum a matrix's rows with Gemv
	nz      [][]int32    // per row: its non-zero inputs, views into nzBuf
	nzBuf   []int32      // rows×inputs: the lists of nz, one after the other
	xt      []float32    // inputs×rows: the batch's inputs (or a hidden layer's) transposed
	hnz     [][]int32    // per row: the non-zero inputs of the hidden layer being run
	hnzBuf  []int32      // rows×(widest hidden input): the lists of hnz
	hsparse [][]bool     // hsparse[l][b]: block b of layer l ≥ 1 took the sparse product
	prep    sparsePrep
	rowWork rowWork
	vec     vecWork
}

// sparsePrep prepares a batch for the step in shares of rows run on the
// kernels' thread pool: it gathers the rows of a shuffled batch, lists each
// row's non-zero inputs (see prepareBatch) and transposes the batch for the
// first layer's update (see transpose). Each share writes only its own
// rows' places, so nothing depends on the number of shares.
type sparsePrep struct {
	phase int // prepGather or prepTranspose: what RunPart does
	// The batch is rows rows of in inputs (and out targets): the rows
	// order[0], order[1], … of srcX/srcY (with order nil, first, first+1,
	// …) gathered into x/y, or, with order and sd nil, x and y
	// themselves. With sd, the inputs are spread out of its lists.
	srcX, srcY []float32
	sd         *sparseData
	order      []int32
	first      int
	x, y       []float32
	xt         []float32 // in×rows: the batch transposed (prepTranspose)
	rows       int
	in, out    int
	parts      int
	nz         [][]int32
	nzBuf      []int32
	dense      []bool // per share: a row too dense for the sparse path
	nonZero    []int  // per share: its rows' non-zeros
}

const (
	prepGather = iota
	prepTranspose
)

// prepMinCells is the batch size (rows×inputs) below which the
// preparation runs on the caller alone: handing out a share costs a few
// microseconds.
const prepMinCells = 1 << 14

// prepRowBlock is the granularity of the shares' row ranges: each share
// gets whole blocks of 16 rows, as fewer cost more to hand out than they
// save.
const prepRowBlock = 16

// prefetchAhead is how many rows ahead a shuffled batch's gathering asks
// for a row's lists and targets (see RunPart).
const prefetchAhead = 8

// ensureParts makes room for up to parts shares.
func (p *sparsePrep) ensureParts(parts int) {
	if len(p.dense) < parts {
		p.dense = make([]bool, parts)
		p.nonZero = make([]int, parts)
	}
}

// prepareBatch makes the batch of rows rows starting at position k of the
// epoch: the rows order[k:k+rows] of x and y, or with order nil (no
// shuffle) the rows from k on. It gathers them into the workspace, taking
// the inputs from sd's lists when sd is not nil; without order and sd it
// reads x and y in place. It returns the batch with each row's list of
// non-zero inputs (copied from sd's, or made with kernels.NonZeros as the
// row comes into cache for the step anyway), or with nil lists when the
// sparse first layer does not pay: a row, or the batch, is too dense.
//
// Batches are gathered into the two buffers of b.xb in turn (when the
// second exists, see xbSecondMaxBytes). The transpose reads every row of a
// batch on every core, so the other core still holds the lines of the one
// just gathered when the next is written; writing the buffer before it
// instead, which that core has mostly let go of by then, made a two-thread
// epoch of 784-128-10 take 0.95–0.99 times as long (medians of epochs
// alternating between one and two buffers, five runs; one thread
// 0.99–1.01).
func (b *batchWork) prepareBatch(x, y []float32, sd *sparseData, order []int32, k, rows, in, out int) (xb, yb []float32, nz [][]int32) {
	p := &b.prep
	p.srcX, p.srcY, p.sd, p.order, p.first = x, y, sd, nil, k
	if b.xb[1] != nil {
		b.xbTurn ^= 1
	}
	if order != nil {
		p.order = order[k : k+rows]
		xb, yb = b.xb[b.xbTurn][:rows*in], b.yb[:rows*out]
	} else {
		if sd != nil {
			xb = b.xb[b.xbTurn][:rows*in]
		} else {
			xb = x[k*in : (k+rows)*in]
		}
		yb = y[k*out : (k+rows)*out]
	}
	p.x, p.y, p.rows, p.in, p.out = xb, yb, rows, in, out
	p.nz, p.nzBuf = b.nz[:rows], b.nzBuf
	p.phase = prepGather
	p.run()
	p.srcX, p.srcY, p.sd, p.order, p.x, p.y, p.nzBuf = nil, nil, nil, nil, nil, nil, nil
	nonZeros := 0
	for s := 0; s < p.parts; s++ {
		if p.dense[s] {
			return xb, yb, nil
		}
		nonZeros += p.nonZero[s]
	}
	if !sparseBatchWorthIt(nonZeros, rows*in) {
		return xb, yb, nil
	}
	return xb, yb, p.nz
}

// transpose returns the rows×in batch x transposed (in×rows, each input's
// column of the batch contiguous), in the workspace. The shares take
// ranges of inputs, the rows of the transposed batch, in the split that
// kernels.OuterUpdateSparseT then reads them in, so that each share's rows
// stay in its core's cache: split by batch rows instead, every row of the
// transposed batch was written half by each core and read by one, and
// the transpose of a 128-row MNIST batch took 30 µs on two threads
// against 29 on one (21 now). Writing the transposed batch straight from
// the lists instead, with no dense batch (each row's positions and values
// copied, and each share clearing its inputs' rows of the transposed batch
// and scattering their entries into them), would save nothing: it took
// 50–54 µs against 46–54 for this gather and transpose, one thread, and
// 36–40 against 36–39 on two. Nor does handing out the transpose with the
// update of the same shares (and, with momentum, its passes over v) as one
// phase with no barrier between them: 1.000–1.007 times the step on two
// threads, with or without momentum.
func (b *batchWork) transpose(x []float32, rows, in int) []float32 {
	p := &b.prep
	p.x, p.xt, p.rows, p.in = x, b.xt[:in*rows], rows, in
	p.phase = prepTranspose
	p.run()
	xt := p.xt
	p.x, p.xt = nil, nil
	return xt
}

// run runs the current phase in shares.
func (p *sparsePrep) run() {
	p.parts = 1
	if p.rows*p.in >= prepMinCells {
		p.parts = max(min(kernels.Threads(), p.rows/prepRowBlock, len(p.dense)), 1)
	}
	kernels.RunParallel(p, p.parts)
}

// RunPart runs share part of the current phase on its rows.
func (p *sparsePrep) RunPart(part int) {
	in, out := p.in, p.out
	r0, r1 := share(p.rows, prepRowBlock, part, p.parts)
	if p.phase == prepTranspose {
		c0, c1 := share(in, 1, part, p.parts)
		kernels.Transpose(p.rows, c1-c0, p.x[c0:], in, p.xt[c0*p.rows:], p.rows)
		return
	}
	p.dense[part], p.nonZero[part] = false, 0
	total := 0
	// A shuffled batch's rows are scattered over the lists, and so are
	// their places in the lists' offsets: the offsets are asked for
	// 2·prefetchAhead rows ahead and the lists, whose places are then in
	// cache, prefetchAhead rows ahead. Asking for the lists alone, the
	// offsets' misses stalled the loop: gathering a 128-row MNIST batch on
	// one thread took 73–81 µs against 59–68 now (per-step medians of four
	// alternating runs).
	scattered := p.sd != nil && p.order != nil
	if scattered {
		for r := r0; r < min(r0+2*prefetchAhead, r1); r++ {
			p.sd.prefetchOffsets(int(p.order[r]))
		}
		for r := r0; r < min(r0+prefetchAhead, r1); r++ {
			p.prefetchRow(int(p.order[r]))
		}
	}
	for r := r0; r < r1; r++ {
		xr := p.x[r*in : r*in+in]
		src := p.first + r
		if p.order != nil {
			src = int(p.order[r])
			copy(p.y[r*out:r*out+out], p.srcY[src*out:src*out+out])
		}
		if scattered {
			if r+prefetchAhead < r1 {
				p.prefetchRow(int(p.order[r+prefetchAhead]))
			}
			if r+2*prefetchAhead < r1 {
				p.sd.prefetchOffsets(int(p.order[r+2*prefetchAhead]))
			}
		}
		var list []int32
		switch {
		case p.sd != nil:
			// Row r's list starts at r*in, as below.
			mask, val := p.sd.row(src)
			buf := p.nzBuf[r*in : r*in+in]
			k := kernels.ExpandNonZeros(xr, buf, mask, val)
			list = buf[:k:k]
		case p.order != nil:
			copy(xr, p.srcX[src*in:src*in+in])
			fallthrough
		default:
			if p.dense[part] {
				continue // the rows still have to be gathered
			}
			// Row r's list starts at r*in, where it fits whatever
			// the rows before it hold.
			buf := p.nzBuf[r*in : r*in+in]
			k, _ := kernels.NonZeros(buf, xr)
			list = buf[:k:k]
		}
		if p.dense[part] {
			continue
		}
		if !sparseWorthIt(len(list), in) {
			p.dense[part] = true
			continue
		}
		p.nz[r] = list
		total += len(list)
	}
	p.nonZero[part] = total
}

// prefetchRow asks for source row src's lists and targets.
func (p *sparsePrep) prefetchRow(src int) {
	p.sd.prefetchRow(src)
	kernels.Prefetch(p.srcY[src*p.out : src*p.out+p.out])
}

// share returns the range [lo, hi) of the n items (rows, elements) that
// share part of parts takes in the batch step's parallel phases: whole
// blocks of block items, the shares in order, so that every item's share
// is fixed by part and parts alone.
func share(n, block, part, parts int) (lo, hi int) {
	blocks := (n + block - 1) / block
	return min(blocks*part/parts*block, n), min(blocks*(part+1)/parts*block, n)
}

// xbSecondMaxBytes is the largest gathered batch that gets a second buffer
// (see prepareBatch). The turns were measured on 401 KB batches, which the
// cores' caches hold; a batch far larger leaves nothing cached for them to
// spare, and one the size of a data set would double its memory.
const xbSecondMaxBytes = 4 << 20

// ensureBatch makes the batch workspace hold at least rows rows.
func (n *Network) ensureBatch(rows int) {
	b := &n.bw
	if b.rows >= rows {
		return
	}
	L := len(n.layers)
	b.rows = rows
	b.act = make([][]float32, L)
	b.delta = make([][]float32, L)
	widest := 0
	for l, ly := range n.layers {
		b.act[l] = make([]float32, rows*ly.out)
		b.delta[l] = make([]float32, rows*ly.out)
		widest = max(widest, ly.out)
	}
	outs, ins := n.layers[L-1].out, n.layers[0].in
	b.z = make([]float32, rows*outs)
	b.lse = make([]float64, rows)
	b.loss = make([]float64, rows)
	b.xb[0], b.xb[1], b.xbTurn = make([]float32, rows*ins), nil, 0
	if 4*rows*ins <= xbSecondMaxBytes {
		b.xb[1] = make([]float32, rows*ins)
	}
	b.yb = make([]float32, rows*outs)
	b.gb = make([]float32, widest)
	b.ones = make([]float32, rows)
	for i := range b.ones {
		b.ones[i] = 1
	}
	b.nz = make([][]int32, rows)
	b.nzBuf = make([]int32, rows*ins)
	hiddenIn := 0 // the widest input of a layer that may take the sparse product
	b.hsparse = make([][]bool, L)
	for l := 1; l < L; l++ {
		if n.hiddenSparse(l) {
			hiddenIn = max(hiddenIn, n.layers[l].in)
			b.hsparse[l] = make([]bool, (rows+rowBlock-1)/rowBlock)
		}
	}
	b.xt = make([]float32, max(ins, hiddenIn)*rows)
	b.hnz = make([][]int32, rows)
	b.hnzBuf = make([]int32, rows*hiddenIn)
	b.prep.ensureParts(max(kernels.Threads(), 1))
}

// saveStart copies the weights and biases of every layer into n.ws.start.
func (n *Network) saveStart() {
	s := n.ws.start[:0]
	for l := range n.layers {
		s = append(append(s, n.layers[l].w...), n.layers[l].b...)
	}
	n.ws.start = s
}

// restoreStart puts back the weights and biases saveStart copied.
func (n *Network) restoreStart() {
	s := n.ws.start
	for l := range n.layers {
		ly := &n.layers[l]
		s = s[copy(ly.w, s):]
		s = s[copy(ly.b, s):]
	}
}
