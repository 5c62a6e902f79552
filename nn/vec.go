package nn

import "github.com/nnsimd/nnsimd/kernels"

// vecWork runs the momentum step's whole-matrix vector operations in
// shares of elements on the kernels' thread pool: v ← μ·v, W ← W − lr·v
// and the subnormal flush, each a pass over every weight (784×512 floats
// in a first layer) that would otherwise run on one thread. Elementwise,
// so the result never depends on the shares.
type vecWork struct {
	op    int // vecScale, vecAxpy or vecFlush
	alpha float32
	x, y  []float32
	parts int
}

const (
	vecScale = iota // x ← alpha·x
	vecAxpy         // y ← y + alpha·x
	vecFlush        // x's subnormals ← 0
)

// vecMinPerShare is the fewest elements a share gets: below this, handing
// one out costs about as much as the pass.
const vecMinPerShare = 1 << 14

func (w *vecWork) run(op int, alpha float32, x, y []float32) {
	w.op, w.alpha, w.x, w.y = op, alpha, x, y
	w.parts = max(min(kernels.Threads(), len(x)/vecMinPerShare), 1)
	kernels.RunParallel(w, w.parts)
	w.x, w.y = nil, nil
}

func (w *vecWork) scale(alpha float32, x []float32)   { w.run(vecScale, alpha, x, nil) }
func (w *vecWork) axpy(alpha float32, x, y []float32) { w.run(vecAxpy, alpha, x, y) }
func (w *vecWork) flushSubnormals(x []float32)        { w.run(vecFlush, 0, x, nil) }

// RunPart runs share part: a stretch of whole 64-byte lines, so that no
// two shares write to one.
func (w *vecWork) RunPart(part int) {
	i0, i1 := share(len(w.x), 16, part, w.parts)
	switch w.op {
	case vecScale:
		kernels.Scale(w.alpha, w.x[i0:i1])
	case vecAxpy:
		kernels.Axpy(w.alpha, w.x[i0:i1], w.y[i0:i1])
	case vecFlush:
		flushSubnormals(w.x[i0:i1])
	}
}
