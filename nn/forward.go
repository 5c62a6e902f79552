package nn

import (
	"fmt"

	"github.com/nnsimd/nnsimd/kernels"
)

// Sparse-path thresholds: the fraction of non-zero inputs up to which the
// first layer visits only their rows of W (kernels.GemvTRows and
// OuterUpdateRows, one broadcast and fused multiply-add per vector of a
// listed row) instead of all of them with the dense kernels.
//
// Per sample (784×128, forward and update, one core): go test -run '^$'
// -bench SparseRows -benchtime 200ms ./kernels/ gave sparse against dense
// 11.5 against 14.0 µs at 50% non-zero, 17.7 against 19.7 at 70% and 24.1
// against 17.6 at 90%: the crossover is near 75%, and 2/3 keeps a margin.
// Per mini-batch (128 rows, forward X·W and update W += α·Xᵀ·δ against the
// packed GEMMs): see sparseBatchMaxNum.
const (
	sparseSampleMaxNum, sparseSampleMaxDen = 2, 3
)

// sparseWorthIt reports whether an input with nonZeros non-zero entries
// out of width is better served by visiting only those rows of W.
func sparseWorthIt(nonZeros, width int) bool {
	return nonZeros*sparseSampleMaxDen <= width*sparseSampleMaxNum
}

// nonZeroRows returns the indices of x's non-zero entries, in the sample
// workspace, if the sparse path pays for x (otherwise nil), and whether x
// is all finite, which the same pass finds out.
func (n *Network) nonZeroRows(x []float32) (rows []int32, finite bool) {
	k, finite := kernels.NonZeros(n.ws.nz, x)
	if sparseWorthIt(k, len(x)) {
		return n.ws.nz[:k], finite
	}
	return nil, finite
}

// forwardSample runs one sample through the network, leaving each layer's
// output in n.ws.act, and returns the output's log-sum-exp (softmax outputs
// only). If nz is not nil it lists x's non-zero entries, and the first
// layer computes Σ_i x_i·W[i,:] over those i alone (an Inf or NaN weight in
// a skipped row then does not turn the output into NaN, as 0·Inf would).
// A layer above a relu does the same with the non-zeros of its input,
// listed in n.ws.rows for the update.
func (n *Network) forwardSample(x []float32, nz []int32) (lse float64) {
	ws := &n.ws
	in := x
	last := len(n.layers) - 1
	for l := range n.layers {
		ly := &n.layers[l]
		out := ws.act[l]
		dst := out
		if l == last && ly.act == Softmax {
			dst = ws.z
		}
		if l > 0 {
			// A relu output is about half zeros: the layer above visits
			// only the rows of its weights that the non-zeros select
			// (784-128-10 on MNIST: 0.190 against 0.202 CPU s a
			// per-sample epoch, with the 2/3 threshold of the first
			// layer).
			nz = nil
			if ws.hidden[l] != nil {
				if k, _ := kernels.NonZeros(ws.hidden[l], in); sparseWorthIt(k, len(in)) {
					nz = ws.hidden[l][:k]
				}
			}
			ws.rows[l] = nz
		}
		if nz != nil {
			if ly.b != nil {
				copy(dst, ly.b)
			} else {
				clear(dst)
			}
			kernels.GemvTRows(dst, ly.w, ly.out, in, nz)
		} else if ly.b != nil {
			copy(dst, ly.b)
			kernels.Gemv(true, ly.in, ly.out, 1, ly.w, ly.out, in, 1, dst)
		} else {
			kernels.Gemv(true, ly.in, ly.out, 1, ly.w, ly.out, in, 0, dst)
		}
		if ly.act == Softmax {
			var rowLSE [1]float64
			softmaxRows(out, dst, 1, len(out), rowLSE[:])
			lse = rowLSE[0]
		} else {
			activate(ly.act, out)
		}
		in = out
	}
	return lse
}

// forwardBatch runs rows samples (x is rows×inputs) through the network with
// matrix products, leaving each layer's outputs in n.bw.act and, for a
// softmax output, the logits in n.bw.z and log-sum-exps in n.bw.lse. The
// batch workspace must hold rows rows. Shares of the rows run in parallel
// (see rowWork). It returns the index in x of its first NaN or ±Inf, or
// −1: a relu maps NaN to 0, so such an input would give finite outputs
// that look like any others (numpy and PyTorch carry the NaN through),
// and Predict and Evaluate report it instead.
func (n *Network) forwardBatch(x []float32, rows int) int {
	return n.bw.rowWork.forward(n, x[:rows*n.layers[0].in], rows)
}

// Forward runs one sample and returns the output activations: a view into
// the network's workspace, valid until the next call on the network. It
// panics if len(x) is not the number of inputs (a programmer error; Predict
// returns an error instead).
func (n *Network) Forward(x []float32) []float32 {
	if len(x) != n.Inputs() {
		panic(fmt.Sprintf("nn: Forward: len(x) = %d, network has %d inputs", len(x), n.Inputs()))
	}
	nz, _ := n.nonZeroRows(x)
	n.forwardSample(x, nz)
	return n.ws.act[len(n.layers)-1]
}

// predictChunk is how many rows Predict and Evaluate push through the
// matrix products at once: large enough for GEMM efficiency, small enough
// that the workspace stays in cache.
const predictChunk = 256

func (n *Network) checkX(fn string, x []float32, rows int) error {
	if rows < 0 {
		return invalidf("nn: %s: rows = %d, want ≥ 0", fn, rows)
	}
	if in := n.Inputs(); len(x) != rows*in {
		if rows > 0 && len(x)%rows == 0 {
			return invalidf("nn: %s: x has %d columns, network has %d inputs", fn, len(x)/rows, in)
		}
		return invalidf("nn: %s: len(x) = %d, want rows×inputs = %d×%d = %d", fn, len(x), rows, in, rows*in)
	}
	return nil
}

// Predict runs rows samples (x is rows×inputs, row-major) and writes the
// rows×outputs output activations into out. A NaN or ±Inf in x is an
// error (out then holds the outputs of some rows before it).
func (n *Network) Predict(x []float32, rows int, out []float32) error {
	if err := n.checkX("Predict", x, rows); err != nil {
		return err
	}
	in, o := n.Inputs(), n.Outputs()
	if len(out) != rows*o {
		return invalidf("nn: Predict: len(out) = %d, want rows×outputs = %d×%d = %d", len(out), rows, o, rows*o)
	}
	n.ensureBatch(min(rows, predictChunk))
	if n.panelsForPredict(x, rows) {
		defer n.layers[0].dropPanels()
	}
	for r0 := 0; r0 < rows; r0 += predictChunk {
		c := min(predictChunk, rows-r0)
		if bad := n.forwardBatch(x[r0*in:(r0+c)*in], c); bad >= 0 {
			return nonFiniteX("Predict", x, r0*in+bad, in)
		}
		copy(out[r0*o:(r0+c)*o], n.bw.act[len(n.layers)-1])
	}
	return nil
}

// Evaluation is the result of Evaluate.
type Evaluation struct {
	Accuracy  float64 // Correct/Total, in [0,1]; 0 when Total is 0
	Correct   int
	Total     int
	Confusion [][]int // [true label][predicted class], Classes()×Classes()
}

// Classes is the number of classes Evaluate tells apart: the number of
// outputs, or 2 for a network with one output (a yes/no classifier).
func (n *Network) Classes() int { return max(n.Outputs(), 2) }

// predictedClass is the class Evaluate reads from one sample's outputs: the
// index of the largest output (the first one on ties), or for a single
// output 1 when it is at least 0.5 (a sigmoid's or step's yes) and else 0.
func predictedClass(out []float32) int {
	if len(out) == 1 {
		if out[0] >= 0.5 {
			return 1
		}
		return 0
	}
	return argmax(out)
}

// Evaluate predicts rows samples and compares each predicted class (see
// predictedClass) with labels, which must be below Classes().
func (n *Network) Evaluate(x []float32, rows int, labels []uint8) (Evaluation, error) {
	if err := n.checkX("Evaluate", x, rows); err != nil {
		return Evaluation{}, err
	}
	if len(labels) != rows {
		return Evaluation{}, invalidf("nn: Evaluate: %d labels for %d rows", len(labels), rows)
	}
	in, o := n.Inputs(), n.Outputs()
	classes := n.Classes()
	for i, lb := range labels {
		if int(lb) >= classes {
			return Evaluation{}, invalidf("nn: Evaluate: labels[%d] = %d, want one of the %d classes of a network with %d outputs", i, lb, classes, o)
		}
	}
	ev := Evaluation{Total: rows, Confusion: make([][]int, classes)}
	for i := range ev.Confusion {
		ev.Confusion[i] = make([]int, classes)
	}
	n.ensureBatch(min(rows, predictChunk))
	if n.panelsForPredict(x, rows) {
		defer n.layers[0].dropPanels()
	}
	for r0 := 0; r0 < rows; r0 += predictChunk {
		c := min(predictChunk, rows-r0)
		if bad := n.forwardBatch(x[r0*in:(r0+c)*in], c); bad >= 0 {
			return Evaluation{}, nonFiniteX("Evaluate", x, r0*in+bad, in)
		}
		pred := n.bw.act[len(n.layers)-1]
		for r := 0; r < c; r++ {
			p := predictedClass(pred[r*o : r*o+o])
			t := int(labels[r0+r])
			ev.Confusion[t][p]++
			if p == t {
				ev.Correct++
			}
		}
	}
	if rows > 0 {
		ev.Accuracy = float64(ev.Correct) / float64(rows)
	}
	return ev, nil
}

// argmax returns the index of v's largest element, the first on ties; NaNs
// never win.
func argmax(v []float32) int {
	best := 0
	for j := 1; j < len(v); j++ {
		if v[j] > v[best] || v[best] != v[best] {
			best = j
		}
	}
	return best
}

// OneHot returns len(labels)×classes targets with a 1 in column labels[i] of
// row i and 0 elsewhere. It panics if a label is not below classes.
func OneHot(labels []uint8, classes int) []float32 {
	t := make([]float32, len(labels)*classes)
	for i, lb := range labels {
		if int(lb) >= classes {
			panic(fmt.Sprintf("nn: OneHot: labels[%d] = %d, want < classes = %d", i, lb, classes))
		}
		t[i*classes+int(lb)] = 1
	}
	return t
}
