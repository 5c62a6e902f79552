package nn

// sampleWork holds the per-sample buffers: one vector per layer, allocated
// with the network, so per-sample training allocates nothing.
type sampleWork struct {
	act   [][]float32 // act[l]: output of layer l
	delta [][]float32 // delta[l]: loss delta at the output of layer l
	z     []float32   // logits of a softmax output layer
	nz    []int32     // indices of the non-zero inputs of a sample
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
	nz    [][]int32   // per row: its non-zero inputs, views into Fit's index
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
}
