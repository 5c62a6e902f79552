package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/nnsimd/nnsimd/kernels"
)

// TestSparseData checks the lists newSparseData builds against the
// inputs, its refusal of data too dense for them, and the first NaN or
// ±Inf it reports, wherever that lies, in one chunk and in several.
func TestSparseData(t *testing.T) {
	defer func(saved, threads int) { sparseDataMinChunk = saved; kernels.SetThreads(threads) }(sparseDataMinChunk, kernels.Threads())
	for _, c := range []struct{ threads, minChunk int }{{1, 4096}, {2, 64}, {3, 64}, {8, 64}} {
		kernels.SetThreads(c.threads)
		sparseDataMinChunk = c.minChunk
		t.Run(fmt.Sprintf("threads=%d", c.threads), testSparseData)
	}
}

// TestSparseDataWidest: the lists' 16-bit positions reach the last input
// of the widest input they take, and a wider one is left to be gathered
// from x (no lists) while still being checked.
func TestSparseDataWidest(t *testing.T) {
	const rows = 3
	for _, in := range []int{sparseMaxInputs, sparseMaxInputs + 1} {
		x := make([]float32, rows*in)
		for r := 0; r < rows; r++ {
			x[r*in+r] = 1
			x[r*in+in-1] = float32(r + 2)
		}
		sd, bad := newSparseData(x, rows, in, nil)
		if in <= sparseMaxInputs {
			if bad != -1 {
				t.Fatalf("in = %d: bad = %d, want -1", in, bad)
			}
			checkSparseData(t, fmt.Sprintf("in = %d", in), sd, x, rows, in)
			continue
		}
		if sd != nil || bad != -1 {
			t.Errorf("in = %d: sd = %v, bad = %d, want no lists and -1", in, sd, bad)
		}
		x[in+5] = float32(math.NaN())
		if _, bad := newSparseData(x, rows, in, nil); bad != in+5 {
			t.Errorf("in = %d with a NaN at %d: bad = %d", in, in+5, bad)
		}
	}
}

func testSparseData(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	const rows, in = 600, 50 // more rows than the probe
	x := sparseInputs(rng, rows, in, 0.2)
	sd, bad := newSparseData(x, rows, in, nil)
	if sd == nil || bad != -1 {
		t.Fatalf("20%% dense: sd = %v, bad = %d, want lists and -1", sd, bad)
	}
	checkSparseData(t, "20% dense", sd, x, rows, in)
	// Into the memory of earlier lists: of more entries, then of fewer
	// (and other chunks).
	more := sparseInputs(rng, rows, in, 0.3)
	sd, _ = newSparseData(more, rows, in, sd)
	checkSparseData(t, "30% dense, reusing", sd, more, rows, in)
	longer := sparseInputs(rng, 3*rows, in, 0.1)
	sd, _ = newSparseData(longer, 3*rows, in, sd)
	checkSparseData(t, "three times the rows at 10%, reusing", sd, longer, 3*rows, in)
	sd, _ = newSparseData(x, rows, in, sd)
	checkSparseData(t, "20% dense again, reusing", sd, x, rows, in)
	if sd, bad := newSparseData(sparseInputs(rng, rows, in, 0.6), rows, in, nil); sd != nil || bad != -1 {
		t.Errorf("60%% dense: sd = %v, bad = %d, want nil and -1", sd, bad)
	}
	// Sparse at first, dense after the probe: refused on the way.
	late := sparseInputs(rng, rows, in, 0.1)
	copy(late[400*in:], sparseInputs(rng, rows-400, in, 0.9))
	if sd, bad := newSparseData(late, rows, in, nil); sd != nil || bad != -1 {
		t.Errorf("dense after row 400: sd = %v, bad = %d, want nil and -1", sd, bad)
	}
	for _, c := range []struct {
		name string
		x    []float32
		at   int
	}{
		{"sparse, NaN", x, 123*in + 7},
		{"sparse, -Inf in the last row", x, (rows-1)*in + 49},
		{"dense, +Inf", sparseInputs(rng, rows, in, 0.6), 77*in + 3},
		{"refused on the way, NaN after", late, 590*in + 1},
		{"refused on the way, NaN before", late, 450*in + 2},
	} {
		xx := slices.Clone(c.x)
		xx[c.at] = float32(math.NaN())
		if c.name == "dense, +Inf" {
			xx[c.at] = float32(math.Inf(1))
		}
		if c.name == "sparse, -Inf in the last row" {
			xx[c.at] = float32(math.Inf(-1))
		}
		if _, bad := newSparseData(xx, rows, in, nil); bad != c.at {
			t.Errorf("%s: bad = %d, want %d", c.name, bad, c.at)
		}
	}
}

// TestPrepareBatchFromLists: a batch spread out of the lists is the batch
// gathered from the dense inputs, bit for bit, with the same lists, in
// data order and shuffled, for each number of threads.
func TestPrepareBatchFromLists(t *testing.T) {
	defer func(saved, threads int) { sparseDataMinChunk = saved; kernels.SetThreads(threads) }(sparseDataMinChunk, kernels.Threads())
	rng := rand.New(rand.NewPCG(33, 34))
	const rows, in, out, batch = 300, 784, 10, 128
	x := sparseInputs(rng, rows, in, 0.19)
	y := sparseInputs(rng, rows, out, 0.5)
	// Lists in four chunks of 75 rows (two a thread), so that batches span
	// chunks.
	kernels.SetThreads(2)
	sparseDataMinChunk = 64
	sd, _ := newSparseData(x, rows, in, nil)
	if sd == nil {
		t.Fatal("newSparseData: no lists")
	}
	if len(sd.chunks) != 4 || sd.chunkRows != 75 {
		t.Fatalf("newSparseData: %d chunks of %d rows, want 4 of 75", len(sd.chunks), sd.chunkRows)
	}
	order := make([]int32, rows)
	for i, p := range rng.Perm(rows) {
		order[i] = int32(p)
	}
	for _, threads := range []int{1, 2, 3} {
		kernels.SetThreads(threads)
		for _, ord := range [][]int32{nil, order} {
			for k := 0; k < rows; k += batch {
				b := min(batch, rows-k)
				n, _ := New(Config{Sizes: []int{in, 8, out}, Seed: 1})
				n.ensureBatch(batch)
				n.bw.prep.ensureParts(threads)
				xb, yb, nz := n.bw.prepareBatch(x, y, nil, ord, k, b, in, out)
				xb, yb = slices.Clone(xb), slices.Clone(yb)
				nz = slices.Clone(nz)
				for r := range nz {
					nz[r] = slices.Clone(nz[r])
				}
				sx, sy, snz := n.bw.prepareBatch(x, y, sd, ord, k, b, in, out)
				if !slices.Equal(sx, xb) || !slices.Equal(sy, yb) {
					t.Fatalf("threads %d, shuffled %v, batch at %d: the inputs or targets differ", threads, ord != nil, k)
				}
				if len(snz) != len(nz) || nz == nil {
					t.Fatalf("threads %d, shuffled %v, batch at %d: %d lists from sd, %d gathered", threads, ord != nil, k, len(snz), len(nz))
				}
				for r := range nz {
					if !slices.Equal(snz[r], nz[r]) {
						t.Fatalf("threads %d, shuffled %v, batch at %d, row %d: list %v, want %v", threads, ord != nil, k, r, snz[r], nz[r])
					}
				}
			}
		}
	}
}

// TestPrepareBatchTurns: consecutive batches go to the two buffers in turn,
// and each is the rows of x it names, whatever the buffer held from the
// batch before last; a batch too large for a second buffer gets one.
func TestPrepareBatchTurns(t *testing.T) {
	rng := rand.New(rand.NewPCG(35, 36))
	const rows, in, out = 200, 784, 10
	x := sparseInputs(rng, rows, in, 0.19)
	y := sparseInputs(rng, rows, out, 0.5)
	sd, _ := newSparseData(x, rows, in, nil)
	if sd == nil {
		t.Fatal("no lists")
	}
	for _, batch := range []int{32, 50} {
		n, _ := New(Config{Sizes: []int{in, 8, out}, Seed: 1})
		n.ensureBatch(batch)
		n.bw.prep.ensureParts(kernels.Threads())
		var last *float32
		for epoch := range 3 {
			order := EpochOrders(rows, epoch+1, 7)[epoch]
			for k := 0; k+batch <= rows; k += batch {
				xb, _, _ := n.bw.prepareBatch(x, y, sd, order, k, batch, in, out)
				for r := range batch {
					src := int(order[k+r])
					if !slices.Equal(xb[r*in:r*in+in], x[src*in:src*in+in]) {
						t.Fatalf("batch %d, epoch %d, at %d, row %d: not row %d of x", batch, epoch, k, r, src)
					}
				}
				if &xb[0] == last {
					t.Fatalf("batch %d, epoch %d, at %d: gathered into the buffer of the batch before", batch, epoch, k)
				}
				last = &xb[0]
			}
		}
	}
	big := xbSecondMaxBytes/(4*in) + 1
	n, _ := New(Config{Sizes: []int{in, 8, out}, Seed: 1})
	n.ensureBatch(big)
	if n.bw.xb[1] != nil {
		t.Errorf("a batch of %d rows (%d bytes) got a second buffer", big, 4*big*in)
	}
	n2, _ := New(Config{Sizes: []int{in, 8, out}, Seed: 1})
	n2.ensureBatch(big - 1)
	if n2.bw.xb[1] == nil {
		t.Errorf("a batch of %d rows (%d bytes) got no second buffer", big-1, 4*(big-1)*in)
	}
}

// checkSparseData checks sd's lists against the rows×in inputs x.
func checkSparseData(t *testing.T, what string, sd *sparseData, x []float32, rows, in int) {
	t.Helper()
	if sd == nil {
		t.Fatalf("%s: no lists", what)
	}
	list := make([]int32, in)
	for r := 0; r < rows; r++ {
		mask, val := sd.row(r)
		k, _ := kernels.NonZeros(list, x[r*in:r*in+in])
		var idx []int32
		for p := range in {
			if mask[p/16]>>(p%16)&1 == 1 {
				idx = append(idx, int32(p))
			}
		}
		if len(mask) != (in+15)/16 || !slices.Equal(idx, list[:k]) {
			t.Fatalf("%s: row %d: %d mask words setting %v, want %d setting %v", what, r, len(mask), idx, (in+15)/16, list[:k])
		}
		for e, c := range idx {
			if len(val) != k || val[e] != x[r*in+int(c)] {
				t.Fatalf("%s: row %d: %d values, %v at %d, want %d, %v", what, r, len(val), val[e], c, k, x[r*in+int(c)])
			}
		}
	}
}

// TestFitReusesLists runs two mini-batch Fits on one network, the second
// listing its inputs into the first one's memory, against the second Fit
// on a fresh network with the same weights: the weights must end the same.
func TestFitReusesLists(t *testing.T) {
	rng := rand.New(rand.NewPCG(37, 38))
	const rows, in, out = 400, 60, 4
	x1, x2 := sparseInputs(rng, rows, in, 0.3), sparseInputs(rng, rows, in, 0.15)
	labels := make([]uint8, rows)
	for i := range labels {
		labels[i] = uint8(rng.IntN(out))
	}
	y := OneHot(labels, out)
	cfg := Config{Sizes: []int{in, 16, out}, Loss: CrossEntropy, Bias: true, Seed: 5}
	tc := TrainConfig{Epochs: 2, LR: 0.05, BatchSize: 32, Shuffle: true, Seed: 9}
	reusing, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reusing.Fit(x1, y, rows, tc); err != nil {
		t.Fatal(err)
	}
	if reusing.lists.Value() == nil {
		t.Fatal("no lists kept after a sparse mini-batch Fit")
	}
	fresh, _ := New(cfg)
	for l := 0; l < reusing.NumLayers(); l++ {
		if err := fresh.SetWeights(l, reusing.Weights(l)); err != nil {
			t.Fatal(err)
		}
		if err := fresh.SetBiases(l, reusing.Biases(l)); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []*Network{reusing, fresh} {
		if _, err := n.Fit(x2, y, rows, tc); err != nil {
			t.Fatal(err)
		}
	}
	for l := 0; l < reusing.NumLayers(); l++ {
		if !slices.Equal(reusing.Weights(l), fresh.Weights(l)) || !slices.Equal(reusing.Biases(l), fresh.Biases(l)) {
			t.Fatalf("layer %d: the weights after a Fit into reused lists differ from a fresh network's", l)
		}
	}
}

// BenchmarkNewSparseData lists the non-zeros of MNIST-like inputs (60,000
// rows of 784 at 19% density) on one thread and on two.
//
//	go test -run '^$' -bench NewSparseData ./nn
func BenchmarkNewSparseData(b *testing.B) {
	defer kernels.SetThreads(kernels.Threads())
	const rows, in = 60000, 784
	x := sparseInputs(rand.New(rand.NewPCG(35, 36)), rows, in, 0.19)
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			kernels.SetThreads(threads)
			for b.Loop() {
				if sd, _ := newSparseData(x, rows, in, nil); sd == nil {
					b.Fatal("refused")
				}
			}
		})
	}
}

// BenchmarkPrepareBatch gathers 128-row batches of MNIST-like inputs
// (60,000 rows of 784 at 19% density) from their lists in a shuffled
// order, batch after batch through the epoch, on one thread and on two:
// the part of a mini-batch step that waits on memory for scattered rows.
// Back to back, no step's kernels compete with the gathers for the caches,
// so this is a lower bound of that cost in training.
//
//	go test -run '^$' -bench PrepareBatch ./nn
func BenchmarkPrepareBatch(b *testing.B) {
	defer kernels.SetThreads(kernels.Threads())
	const rows, in, out, batch = 60000, 784, 10, 128
	x, y := mnistLike(rows)
	sd, bad := newSparseData(x, rows, in, nil)
	if sd == nil || bad >= 0 {
		b.Fatal("mnistLike inputs refused as lists")
	}
	order := make([]int32, rows)
	for i := range order {
		order[i] = int32(i)
	}
	shuffle(rand.New(rand.NewPCG(37, 38)), order)
	n, _ := New(Config{Sizes: []int{in, 128, out}, Seed: 1})
	n.ensureBatch(batch)
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			kernels.SetThreads(threads)
			n.bw.prep.ensureParts(threads)
			k := 0
			for b.Loop() {
				if k+batch > rows {
					k = 0
				}
				if _, _, nz := n.bw.prepareBatch(x, y, sd, order, k, batch, in, out); nz == nil {
					b.Fatal("the batch was not given its lists")
				}
				k += batch
			}
		})
	}
}
