package nn

import "github.com/nnsimd/nnsimd/kernels"

// rowWork runs the per-sample parts of a batch step, the softmax of each
// row's logits and each row's loss and output delta, in shares of rows on
// the kernels' thread pool. They are a tenth of a 784-128-10 step on one
// thread (about 150 ns a 10-wide row, mostly math.Exp), the largest part
// left outside the kernels. A row's results never depend on the share it
// falls in.
type rowWork struct {
	phase    int // rowSoftmax or rowDelta
	net      *Network
	rows     int
	parts    int
	t        []float32 // targets, rowDelta only
	firstBad []int     // per share: its first diverged row, or −1
}

const (
	rowSoftmax = iota
	rowDelta
)

// rowMinPerShare is the fewest rows a share gets: handing one out costs
// about as much as softmax and loss of a dozen 10-wide rows.
const rowMinPerShare = 16

// start sets up a run of phase over rows rows.
func (w *rowWork) start(n *Network, phase, rows int) {
	w.net, w.phase, w.rows = n, phase, rows
	w.parts = max(min(kernels.Threads(), rows/rowMinPerShare), 1)
	for len(w.firstBad) < w.parts {
		w.firstBad = append(w.firstBad, -1)
	}
}

// softmaxRows turns the rows×outputs logits in n.bw.z into probabilities
// in the output activations and their log-sum-exps in n.bw.lse.
func (w *rowWork) softmaxRows(n *Network, rows int) {
	w.start(n, rowSoftmax, rows)
	kernels.RunParallel(w, w.parts)
	w.net = nil
}

// outputDeltas computes each row's loss (into n.bw.loss) and output delta
// for the rows×outputs targets t, and returns the first row whose loss
// diverged, or −1.
func (w *rowWork) outputDeltas(n *Network, t []float32, rows int) int {
	w.start(n, rowDelta, rows)
	w.t = t
	kernels.RunParallel(w, w.parts)
	w.net, w.t = nil, nil
	for _, bad := range w.firstBad[:w.parts] {
		if bad >= 0 {
			return bad // shares are in row order
		}
	}
	return -1
}

// RunPart runs share part of the current phase.
func (w *rowWork) RunPart(part int) {
	n := w.net
	bw := &n.bw
	last := len(n.layers) - 1
	o := n.layers[last].out
	act := bw.act[last]
	r0, r1 := share(w.rows, 1, part, w.parts)
	if w.phase == rowSoftmax {
		for r := r0; r < r1; r++ {
			bw.lse[r] = softmaxRow(act[r*o:r*o+o], bw.z[r*o:r*o+o])
		}
		return
	}
	w.firstBad[part] = -1
	for r := r0; r < r1; r++ {
		s := r * o
		bw.loss[r] = outputDelta(n.cfg.Loss, n.layers[last].act, act[s:s+o], bw.z[s:s+o], w.t[s:s+o], bw.delta[last][s:s+o], bw.lse[r])
		if diverged(bw.loss[r]) {
			w.firstBad[part] = r
			return
		}
	}
}
