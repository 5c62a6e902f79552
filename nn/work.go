package nn

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
	nz    [][]int32   // per row: its non-zero inputs, views into nzBuf
	nzBuf []int32     // rows×inputs: the lists of nz, one after the other
	// The same non-zeros by input column (see buildColumns): column p's
	// entries are colSample/colVal[colStart[p]:colStart[p+1]].
	colStart, colPos []int32
	colSample        []int32
	colVal           []float32
}

// buildColumns lays out the non-zeros of a batch's rows (x rows×in, nz[r]
// the ascending list of row r) by input column, in ascending row order
// within a column, for the column-wise first-layer kernels. It returns
// the column starts and the entries' rows and values, in the workspace.
func (b *batchWork) buildColumns(x []float32, in int, nz [][]int32) (colStart, sample []int32, val []float32) {
	colStart = b.colStart[:in+1]
	clear(colStart)
	for _, l := range nz {
		for _, p := range l {
			colStart[p+1]++
		}
	}
	for p := 1; p <= in; p++ {
		colStart[p] += colStart[p-1]
	}
	pos := b.colPos[:in]
	copy(pos, colStart[:in])
	entries := colStart[in]
	sample, val = b.colSample[:entries], b.colVal[:entries]
	for r, l := range nz {
		xr := x[r*in : r*in+in]
		for _, p := range l {
			e := pos[p]
			pos[p] = e + 1
			sample[e] = int32(r)
			val[e] = xr[p]
		}
	}
	return colStart, sample, val
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
	b.nz = make([][]int32, rows)
	b.nzBuf = make([]int32, rows*ins)
	b.colStart = make([]int32, ins+1)
	b.colPos = make([]int32, ins)
	b.colSample = make([]int32, rows*ins)
	b.colVal = make([]float32, rows*ins)
}
