package nn

import (
	"slices"

	"github.com/nnsimd/nnsimd/kernels"
)

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
	rows  int
	act   [][]float32 // act[l]: rows×out_l outputs of layer l
	delta [][]float32 // delta[l]: rows×out_l deltas at the output of layer l
	z     []float32   // rows×outputs logits of a softmax output
	lse   []float64   // per row: log Σ e^z
	loss  []float64   // per row: the sample's loss
	xb    []float32   // rows×inputs gathered inputs (shuffled batches)
	yb    []float32   // rows×outputs gathered targets
	gb    []float32   // bias gradient of one layer, max width
	ones  []float32   // rows ones, to sum a matrix's rows with Gemv
	nz    [][]int32   // per row: its non-zero inputs, views into nzBuf
	nzBuf []int32     // rows×inputs: the lists of nz, one after the other
	// The same non-zeros by input column (see buildColumns): column p's
	// entries are colSample/colVal[colStart[p]:colStart[p+1]].
	colStart, colPos []int32
	colSample        []int32
	colVal           []float32
	prep             sparsePrep
	rowWork          rowWork
}

// sparsePrep lists a batch's non-zero inputs and lays them out by column
// (see listNonZeros and buildColumns) in shares run on the kernels' thread
// pool: contiguous rows for the lists and the counts per column,
// contiguous columns for the layout. Each share's results go to places
// fixed by row and column alone, so they do not depend on the number of
// shares.
type sparsePrep struct {
	phase    int // prepNonZeros, prepCount or prepColumns: what RunPart does
	x        []float32
	rows     int
	in       int
	parts    int
	nz       [][]int32
	nzBuf    []int32
	colStart []int32
	sample   []int32
	val      []float32
	// colNext[s]: share s's count of entries per column in its rows, then,
	// laying out its columns, the next free entry of each.
	colNext [][]int32
	dense   []bool // per share: a row too dense for the sparse path
	nonZero []int  // per share: its rows' non-zeros
}

const (
	prepNonZeros = iota
	prepCount
	prepColumns
)

// prepMinCells is the batch size (rows×inputs) below which the sparse
// bookkeeping runs on the caller alone: handing out a share costs a few
// microseconds.
const prepMinCells = 1 << 14

// ensureParts makes room for up to parts shares of in inputs.
func (p *sparsePrep) ensureParts(parts, in int) {
	for len(p.colNext) < parts {
		p.colNext = append(p.colNext, make([]int32, in))
	}
	if len(p.dense) < parts {
		p.dense = make([]bool, parts)
		p.nonZero = make([]int, parts)
	}
}

// listNonZeros lists the non-zero inputs of each of the rows of x (rows×in)
// with kernels.NonZeros, as the rows come into cache for the step anyway.
// It returns the lists, in the workspace, or nil when the sparse first
// layer does not pay: a row, or the batch, is too dense.
func (b *batchWork) listNonZeros(x []float32, rows, in int) [][]int32 {
	p := b.startPrep(x, rows, in)
	p.nz, p.nzBuf = b.nz[:rows], b.nzBuf
	p.phase = prepNonZeros
	kernels.RunParallel(p, p.parts)
	p.x, p.nzBuf = nil, nil
	nonZeros := 0
	for s := 0; s < p.parts; s++ {
		if p.dense[s] {
			return nil
		}
		nonZeros += p.nonZero[s]
	}
	if !sparseBatchWorthIt(nonZeros, rows*in) {
		return nil
	}
	return p.nz
}

// startPrep sets up the shares of a sparsePrep run on rows×in inputs x.
func (b *batchWork) startPrep(x []float32, rows, in int) *sparsePrep {
	p := &b.prep
	p.x, p.rows, p.in = x, rows, in
	p.parts = 1
	if rows*in >= prepMinCells {
		p.parts = max(min(kernels.Threads(), rows, len(p.colNext)), 1)
	}
	return p
}

// buildColumns lays out the non-zeros of a batch's rows (x rows×in, nz[r]
// the ascending list of row r) by input column, in ascending row order
// within a column, for the column-wise first-layer kernels. It returns
// the column starts and the entries' rows and values, in the workspace.
func (b *batchWork) buildColumns(x []float32, in int, nz [][]int32) (colStart, sample []int32, val []float32) {
	p := b.startPrep(x, len(nz), in)
	p.nz = nz
	p.phase = prepCount
	kernels.RunParallel(p, p.parts)
	colStart = b.colStart[:in+1]
	acc := int32(0)
	for c := 0; c < in; c++ {
		colStart[c] = acc
		for s := 0; s < p.parts; s++ {
			acc += p.colNext[s][c]
		}
	}
	colStart[in] = acc
	p.colStart = colStart
	p.sample, p.val = b.colSample[:acc], b.colVal[:acc]
	p.phase = prepColumns
	kernels.RunParallel(p, p.parts)
	sample, val = p.sample, p.val
	p.x, p.nz, p.nzBuf, p.colStart, p.sample, p.val = nil, nil, nil, nil, nil, nil
	return colStart, sample, val
}

// RunPart runs share part of the current phase on its rows.
func (p *sparsePrep) RunPart(part int) {
	in := p.in
	next := p.colNext[part][:in]
	if p.phase == prepColumns {
		// By columns, not rows: share s fills the entries of columns
		// [c0, c1), a contiguous stretch of sample and val, so the shares
		// do not write to the same cache lines (by rows they would, in
		// every column, and ran slower than one share).
		c0, c1 := int32(in*part/p.parts), int32(in*(part+1)/p.parts)
		copy(next[c0:c1], p.colStart[c0:c1])
		for r := 0; r < p.rows; r++ {
			xr := p.x[r*in : r*in+in]
			l := p.nz[r]
			i, _ := slices.BinarySearch(l, c0)
			for ; i < len(l) && l[i] < c1; i++ {
				c := l[i]
				e := next[c]
				next[c] = e + 1
				p.sample[e] = int32(r)
				p.val[e] = xr[c]
			}
		}
		return
	}
	r0, r1 := p.rows*part/p.parts, p.rows*(part+1)/p.parts
	if p.phase == prepCount {
		clear(next)
		for r := r0; r < r1; r++ {
			for _, c := range p.nz[r] {
				next[c]++
			}
		}
		return
	}
	p.dense[part], p.nonZero[part] = false, 0
	total := 0
	for r := r0; r < r1; r++ {
		// Row r's list starts at r*in, where it fits whatever the rows
		// before it hold.
		buf := p.nzBuf[r*in : r*in+in]
		k, _ := kernels.NonZeros(buf, p.x[r*in:r*in+in])
		if !sparseWorthIt(k, in) {
			p.dense[part] = true
			return
		}
		p.nz[r] = buf[:k:k]
		total += k
	}
	p.nonZero[part] = total
}

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
	b.xb = make([]float32, rows*ins)
	b.yb = make([]float32, rows*outs)
	b.gb = make([]float32, widest)
	b.ones = make([]float32, rows)
	for i := range b.ones {
		b.ones[i] = 1
	}
	b.nz = make([][]int32, rows)
	b.nzBuf = make([]int32, rows*ins)
	b.colStart = make([]int32, ins+1)
	b.colPos = make([]int32, ins)
	b.colSample = make([]int32, rows*ins)
	b.colVal = make([]float32, rows*ins)
	b.prep.ensureParts(max(kernels.Threads(), 1), ins)
}
