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

// panel returns panel p of the layer's W, its first column and its width.
func (ly *layer) panel(p int) (w []float32, c0, width int) {
	return ly.panelOf(ly.panels, p)
}

// panelOf returns panel p of a matrix in the panel layout in buf.
func (ly *layer) panelOf(buf []float32, p int) (w []float32, c0, width int) {
	c0 = p * panelWidth
	width = min(panelWidth, ly.out-c0)
	return buf[c0*ly.in : (c0+width)*ly.in], c0, width
}

func (ly *layer) panelCount() int { return (ly.out + panelWidth - 1) / panelWidth }

// panelize copies the in×out row-major matrix src into dst in the panel
// layout; unpanelize does the reverse.
func (ly *layer) panelize(dst, src []float32) {
	for p := range ly.panelCount() {
		pw, c0, width := ly.panelOf(dst, p)
		for i := 0; i < ly.in; i++ {
			copy(pw[i*width:i*width+width], src[i*ly.out+c0:])
		}
	}
}

func (ly *layer) unpanelize(dst, src []float32) {
	for p := range ly.panelCount() {
		pw, c0, width := ly.panelOf(src, p)
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
	if ly.panels == nil {
		kernels.OuterUpdateSparseT(rows, ly.out, ly.in, alpha, xt, rows, d, ly.out, dst, ly.out)
		return
	}
	for p := range ly.panelCount() {
		_, c0, width := ly.panel(p)
		kernels.OuterUpdateSparseT(rows, width, ly.in, alpha, xt, rows, d[c0:], ly.out, dst[c0*ly.in:], width)
	}
}

// gradDense sets dst (as in gradSparse) to alpha·Xᵀ·δ + beta·dst for the
// rows×in inputs x and the rows×out deltas d.
func (ly *layer) gradDense(rows int, alpha float32, x, d []float32, beta float32, dst []float32) {
	if ly.panels == nil {
		kernels.Gemm(true, false, ly.in, ly.out, rows, alpha, x, ly.in, d, ly.out, beta, dst, ly.out)
		return
	}
	for p := range ly.panelCount() {
		_, c0, width := ly.panel(p)
		kernels.Gemm(true, false, ly.in, width, rows, alpha, x, ly.in, d[c0:], ly.out, beta, dst[c0*ly.in:], width)
	}
}

// denseProduct sets the m rows of dst to act(x·W + b) with the GEMM, the
// bias and a relu applied while the product is still in registers.
func (ly *layer) denseProduct(m int, x, dst []float32) {
	relu := ly.act == ReLU
	if ly.panels == nil {
		kernels.GemmEpilogue(false, false, m, ly.out, ly.in, x, ly.in, ly.w, ly.out, dst, ly.out, ly.b, relu)
		return
	}
	for p := range ly.panelCount() {
		pw, c0, width := ly.panel(p)
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
// Evaluate of the rows rows of x, if that pays, and returns what drops
// them again (W is unchanged); ended is a no-op otherwise. It pays for
// sparse inputs, which the first rows stand for: on dense ones the GEMM
// packs W anyway, and cut into panels it took 1.03–1.06 times as long.
// 10,000 MNIST-like rows into 784-512-256-10 took 28–31 ms against 32–35
// on two threads, 54–60 against 56–64 on one (BenchmarkPredict, three
// alternating runs).
func (n *Network) panelsForPredict(x []float32, rows int) (ended func()) {
	ly := &n.layers[0]
	if ly.panels != nil || ly.out <= panelWidth || rows < predictPanelsMinRows || n.listNonZeros(x, 0, rowBlock) == nil {
		return func() {}
	}
	ly.toPanels()
	return func() { ly.panels = nil }
}
