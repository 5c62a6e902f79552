package nn

import (
	"math"

	"github.com/nnsimd/nnsimd/kernels"
)

// sparseData is a training set's inputs as lists of each row's non-zero
// entries (ascending positions and their values), which mini-batch Fit
// builds once and then reads its batches from. A shuffled batch's rows are
// scattered over a data set far larger than the caches, and reading them
// is bound by memory bandwidth (about 7 GB/s on one core here): an MNIST
// row is 3,136 bytes dense against 1,200 as 150 entries, and gathering a
// 128-row batch took 100 µs of a 380 µs step (784-128-10, one thread).
type sparseData struct {
	start []int // row r's entries are idx and val[start[r]:start[r+1]]
	idx   []int32
	val   []float32
}

// sparseDataProbe is how many leading rows newSparseData counts first, to
// size its arrays for the whole set.
const sparseDataProbe = 256

// newSparseData lists the non-zeros of the rows×in inputs x. It returns nil
// when x is too dense for the sparse first layer to pay (see
// sparseBatchWorthIt), and in any case the index of x's first NaN or ±Inf,
// or −1, so that it also serves as Fit's check of x.
func newSparseData(x []float32, rows, in int) (sd *sparseData, bad int) {
	list := make([]int32, in)
	probe := min(rows, sparseDataProbe)
	counted := 0
	for r := 0; r < probe; r++ {
		k, _ := kernels.NonZeros(list, x[r*in:r*in+in])
		counted += k
	}
	if !sparseBatchWorthIt(counted, probe*in) {
		return nil, firstNonFinite(x)
	}
	// Room for the probe's density and a tenth more; append grows it
	// beyond that.
	capacity := counted*rows/probe + counted*rows/probe/10 + in
	sd = &sparseData{start: make([]int, rows+1), idx: make([]int32, 0, capacity), val: make([]float32, 0, capacity)}
	most := rows * in * sparseBatchMaxNum / sparseBatchMaxDen
	for r := 0; r < rows; r++ {
		xr := x[r*in : r*in+in]
		k, finite := kernels.NonZeros(list, xr)
		if !finite {
			for j, v := range xr {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					return nil, r*in + j
				}
			}
		}
		sd.idx = append(sd.idx, list[:k]...)
		for _, p := range list[:k] {
			sd.val = append(sd.val, xr[p])
		}
		sd.start[r+1] = len(sd.idx)
		if len(sd.idx) > most {
			// Denser than the sparse path pays for: the rest only
			// needs its check.
			if bad := firstNonFinite(x[(r+1)*in:]); bad >= 0 {
				return nil, (r+1)*in + bad
			}
			return nil, -1
		}
	}
	return sd, -1
}

// row returns row r's entries.
func (sd *sparseData) row(r int) (idx []int32, val []float32) {
	s, e := sd.start[r], sd.start[r+1]
	return sd.idx[s:e:e], sd.val[s:e:e]
}
