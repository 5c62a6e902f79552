package nn

import "github.com/nnsimd/nnsimd/kernels"

// While mini-batch Fit runs on sparse inputs (and while Predict or
// Evaluate runs on many, see panelsForPredict), a first layer wider than
// panelWidth keeps W in column panels: panel p holds columns
// p·panelWidth up to the next panel's (the last may be narrower), its rows
// one after the other. kernels.GemmSparseRows takes the rows of W a block
// at a time; with rows of 2 KiB (784-512-256-10) a block in place falls
// into a quarter of L1's sets, so the kernel copied every block out first,
// all of W every call (each thread its own copy). A panel's block is
// contiguous and is read in place, and the results are the same bits.
// 784-512-256-10 on MNIST, batch 128, momentum 0.9: epochs of 0.57–0.77 s
// against 0.65–1.02 on two threads, 0.91–1.08 against 1.00–1.20 on one
// (five alternating runs of BenchmarkMNISTEpoch/deep, host busy); the
// forward product alone 0.72–0.88 of its time (128 MNIST-like rows).
// The panels are copied out of W when Fit starts and back when it
// returns, and around each call of the progress hook, which may look at
// W or change it (if it freezes weights one by one, Fit goes on in W).
const panelWidth = 128

// panelsWorthIt reports whether mini-batch Fit should keep layer 0 in
// panels: it is trained, wider than a panel, and frozen weights (kept
// by index into W) are not in the way.
func (n *Network) panelsWorthIt() bool {
	ly := &n.layers[0]
	return !ly.frozen && ly.frozenIdx == nil && ly.out > panelWidth
}

// span returns the width of the panels the layer's weights are in:
// panelWidth while it has panels, else all its outputs (W row-major is the
// one panel), so that the products below take either layout in one loop.
func (ly *layer) span() int {
	if ly.panels != nil {
		return panelWidth
	}
	return ly.out
}

// panelCount returns the number of span-wide panels of the layer.
func (ly *layer) panelCount(span int) int { return (ly.out + span - 1) / span }

// panelOf returns panel p of buf, an in×out matrix in span-wide panels:
// the panel's elements, its first column and its width.
func (ly *layer) panelOf(buf []float32, span, p int) (w []float32, c0, width int) {
	c0 = p * span
	width = min(span, ly.out-c0)
	return buf[c0*ly.in : (c0+width)*ly.in], c0, width
}

// panelize copies the in×out row-major matrix src into dst in the panel
// layout; unpanelize does the reverse.
func (ly *layer) panelize(dst, src []float32) {
	for p := range ly.panelCount(panelWidth) {
		pw, c0, width := ly.panelOf(dst, panelWidth, p)
		for i := 0; i < ly.in; i++ {
			copy(pw[i*width:i*width+width], src[i*ly.out+c0:])
		}
	}
}

func (ly *layer) unpanelize(dst, src []float32) {
	for p := range ly.panelCount(panelWidth) {
		pw, c0, width := ly.panelOf(src, panelWidth, p)
		for i := 0; i < ly.in; i++ {
			copy(dst[i*ly.out+c0:i*ly.out+c0+width], pw[i*width:])
		}
	}
}

// toPanels copies W into its panels, which from then on are the weights.
func (ly *layer) toPanels() {
	if len(ly.panelBuf) != len(ly.w) {
		ly.panelBuf = make([]float32, len(ly.w))
	}
	ly.panels = ly.panelBuf
	ly.panelize(ly.panels, ly.w)
}

// fromPanels copies the panels back into W, which again is the weights.
func (ly *layer) fromPanels() {
	if ly.panels != nil {
		ly.unpanelize(ly.w, ly.panels)
		ly.panels = nil
	}
}

// velocityFromPanels puts the velocity, which Fit keeps in the layout of
// the panels, back in W's, when Fit stops using panels halfway (a
// progress hook froze weights one by one).
func (ly *layer) velocityFromPanels() {
	if ly.vw != nil {
		copy(ly.panelBuf, ly.vw)
		ly.unpanelize(ly.vw, ly.panelBuf)
	}
}

// weights returns the slice holding the layer's weights: its panels while
// it has them, else w.
func (ly *layer) weights() []float32 {
	if ly.panels != nil {
		return ly.panels
	}
	return ly.w
}

// gradSparse adds alpha·Xᵀ·δ to dst (the weights or the velocity, in
// the weights' layout) for the rows×in inputs X given transposed in xt
// and the rows×out deltas d (kernels.OuterUpdateSparseT).
func (ly *layer) gradSparse(rows int, alpha float32, xt, d, dst []float32) {
	span := ly.span()
	for p := range ly.panelCount(span) {
		pd, c0, width := ly.panelOf(dst, span, p)
		kernels.OuterUpdateSparseT(rows, width, ly.in, alpha, xt, rows, d[c0:], ly.out, pd, width)
	}
}

// gradDense sets dst (as in gradSparse) to alpha·Xᵀ·δ + beta·dst for the
// rows×in inputs x and the rows×out deltas d.
func (ly *layer) gradDense(rows int, alpha float32, x, d []float32, beta float32, dst []float32) {
	span := ly.span()
	for p := range ly.panelCount(span) {
		pd, c0, width := ly.panelOf(dst, span, p)
		kernels.Gemm(true, false, ly.in, width, rows, alpha, x, ly.in, d[c0:], ly.out, beta, pd, width)
	}
}

// denseProduct sets the m rows of dst to act(x·W + b) with the GEMM, the
// bias and a relu applied while the product is still in registers.
func (ly *layer) denseProduct(m int, x, dst []float32) {
	relu := ly.act == ReLU
	span := ly.span()
	for p := range ly.panelCount(span) {
		pw, c0, width := ly.panelOf(ly.weights(), span, p)
		var b []float32
		if ly.b != nil {
			b = ly.b[c0 : c0+width]
		}
		kernels.GemmEpilogue(false, false, m, width, ly.in, x, ly.in, pw, width, dst[c0:], ly.out, b, relu)
	}
}

// predictPanelsMinRows is the fewest rows for which Predict and Evaluate
// put a wide first layer into panels: more than one chunk, so that the
// one copy of W replaces several (one for every chunk and thread).
const predictPanelsMinRows = predictChunk + 1

// panelsForPredict puts the first layer into panels for a Predict or
// Evaluate of the rows rows of x if that pays, and reports whether it did
// (the caller then drops them again with dropPanels; W is unchanged). It
// pays for sparse inputs, which the first rows stand for: on dense ones
// the GEMM packs W anyway, and cut into panels it took 1.03–1.06 times as
// long. 10,000 MNIST-like rows into 784-512-256-10 took 28–31 ms against
// 32–35 on two threads, 54–60 against 56–64 on one (BenchmarkPredict,
// three alternating runs).
func (n *Network) panelsForPredict(x []float32, rows int) bool {
	ly := &n.layers[0]
	if ly.panels != nil || ly.out <= panelWidth || rows < predictPanelsMinRows || !n.sparseStart(x) {
		return false
	}
	ly.toPanels()
	return true
}

// sparseStart reports whether the first block of rows of x is sparse
// enough for the sparse first layer.
func (n *Network) sparseStart(x []float32) bool {
	lists, _ := n.listNonZeros(x, 0, rowBlock)
	return lists != nil
}

// dropPanels makes W the weights again without copying the panels back,
// for when they have not changed.
func (ly *layer) dropPanels() { ly.panels = nil }
