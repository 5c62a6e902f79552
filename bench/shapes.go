package bench

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/nnsimd/nnsimd/kernels"
)

// The kernel names Options.Kernels takes, as the kernels package spells its
// functions.
const (
	Dot          = "Dot"
	Axpy         = "Axpy"
	OuterUpdate  = "OuterUpdate"
	Relu         = "Relu"
	ReluBackward = "ReluBackward"
	Gemv         = "Gemv"
	Gemm         = "Gemm"
	Exp          = "Exp"
	// The sparse first layer's kernels: per sample, and for a batch.
	GemvTRows          = "GemvTRows"
	OuterUpdateRows    = "OuterUpdateRows"
	GemmSparseRows     = "GemmSparseRows"
	OuterUpdateSparseT = "OuterUpdateSparseT"
	// The delta handed down to a relu layer, for its non-zero units only.
	GemvNRows = "GemvNRows"
	// A training set's rows packed as masks and values, and a batch's rows
	// spread out again.
	CompressNonZeros = "CompressNonZeros"
	ExpandNonZeros   = "ExpandNonZeros"
)

// KernelNames lists every kernel the bench measures, in table order.
var KernelNames = []string{Dot, Axpy, OuterUpdate, Relu, ReluBackward, Gemv, Gemm, Exp,
	GemvTRows, OuterUpdateRows, GemmSparseRows, OuterUpdateSparseT, GemvNRows,
	CompressNonZeros, ExpandNonZeros}

// Shape is one benchmarked call: a kernel and its sizes.
//
//   - Dot, Axpy, Relu, ReluBackward, Exp: vectors of length N.
//   - OuterUpdate: x of length M, y of length N, a M×N matrix.
//   - Gemv: a M×N matrix; TransA computes aᵀ·x.
//   - Gemm: C is M×N, the inner dimension K, TransA and TransB as in
//     kernels.Gemm.
//   - GemvTRows, OuterUpdateRows: NZ listed rows of a M×N matrix (the
//     non-zero inputs of a sample into a layer of M inputs and N outputs).
//   - GemmSparseRows: C (M×N) += X·B for X M×K, each row of it NZ
//     non-zeros, and B K×N (a batch of M samples into a layer of K inputs).
//   - OuterUpdateSparseT: W (M×N) += alpha·Xᵀ·D for X K×M, each row of it
//     NZ non-zeros, given transposed, and D K×N (the update of a layer of
//     M inputs from a batch of K samples).
//   - GemvNRows: NZ listed rows of a M×N matrix times x of length N (the
//     delta a layer of N outputs hands down to NZ non-zero relu units of M).
//   - CompressNonZeros, ExpandNonZeros: a row of N inputs, NZ of them
//     non-zero (an MNIST image as mini-batch Fit lists and gathers it).
//
// The sparse kernels' non-zeros sit at positions drawn uniformly (per
// sample, without repeats). Matrices are dense (leading dimension = row
// length).
type Shape struct {
	Kernel         string
	M, N, K        int
	TransA, TransB bool
	NZ             int
}

// String is the shape as the table and the benchmark names print it:
// "n=784", "784x128", "T 784x128", "NN 128x128x784", "784x128 nz=150",
// "128x128x784 nz=150".
func (s Shape) String() string {
	switch s.Kernel {
	case OuterUpdate:
		return fmt.Sprintf("%dx%d", s.M, s.N)
	case GemvTRows, OuterUpdateRows, GemvNRows:
		return fmt.Sprintf("%dx%d nz=%d", s.M, s.N, s.NZ)
	case GemmSparseRows, OuterUpdateSparseT:
		return fmt.Sprintf("%dx%dx%d nz=%d", s.M, s.N, s.K, s.NZ)
	case CompressNonZeros, ExpandNonZeros:
		return fmt.Sprintf("n=%d nz=%d", s.N, s.NZ)
	case Gemv:
		return fmt.Sprintf("%s %dx%d", letter(s.TransA), s.M, s.N)
	case Gemm:
		return fmt.Sprintf("%s%s %dx%dx%d", letter(s.TransA), letter(s.TransB), s.M, s.N, s.K)
	}
	return fmt.Sprintf("n=%d", s.N)
}

func letter(trans bool) string {
	if trans {
		return "T"
	}
	return "N"
}

// Flops is the arithmetic of one call: 2 per multiply-add, none for relu
// and e^x (whose cost is not a count of multiply-adds).
func (s Shape) Flops() float64 {
	switch s.Kernel {
	case Dot, Axpy:
		return 2 * float64(s.N)
	case OuterUpdate, Gemv:
		return 2 * float64(s.M) * float64(s.N)
	case Gemm:
		return 2 * float64(s.M) * float64(s.N) * float64(s.K)
	case GemvTRows, OuterUpdateRows, GemvNRows:
		return 2 * float64(s.NZ) * float64(s.N)
	case GemmSparseRows:
		return 2 * float64(s.M) * float64(s.NZ) * float64(s.N)
	case OuterUpdateSparseT:
		return 2 * float64(s.K) * float64(s.NZ) * float64(s.N)
	}
	return 0
}

// Bytes is the memory traffic of one call, counting every input read and
// every output written once: axpy is 12 bytes per element (x and y read, y
// written); gemv and gemm with beta = 0 do not read their output, nor does
// ReluBackward read delta, which it only zeroes (act read, delta written).
// The sparse kernels read each listed position and its value (8 bytes an
// entry) and add to their output (read and written). GemmSparseRows is
// counted as reading all of B, which a batch of uniform non-zeros about
// does, and OuterUpdateSparseT as reading all of Xᵀ, which it scans.
// GemvNRows reads its listed rows, x and the list, and writes one output
// per listed position. CompressNonZeros reads the row and writes its mask
// (a bit an input) and values; ExpandNonZeros reads those and writes the
// row and the positions (4 bytes each).
func (s Shape) Bytes() float64 {
	m, n, k, nz := float64(s.M), float64(s.N), float64(s.K), float64(s.NZ)
	switch s.Kernel {
	case Dot, Relu, ReluBackward, Exp:
		return 8 * n
	case Axpy:
		return 12 * n
	case OuterUpdate:
		return 8*m*n + 4*(m+n)
	case Gemv:
		return 4*m*n + 4*(m+n)
	case Gemm:
		return 4 * (m*k + k*n + m*n)
	case GemvTRows:
		return 4*nz*n + 8*nz + 8*n
	case OuterUpdateRows:
		return 8*nz*n + 8*nz + 4*n
	case GemvNRows:
		return 4*nz*n + 8*nz + 4*n
	case GemmSparseRows:
		return 4*k*n + 8*m*nz + 8*m*n
	case OuterUpdateSparseT:
		return 4*m*k + 4*k*n + 8*m*n
	case CompressNonZeros:
		return 4*n + n/8 + 4*nz
	case ExpandNonZeros:
		return n/8 + 8*nz + 4*n
	}
	return 0
}

// writes reports whether the call rewrites a working set as large as the
// one it reads, so that its bandwidth ceiling is the read+write one.
func (s Shape) writes() bool {
	switch s.Kernel {
	case Axpy, OuterUpdate, Relu, ReluBackward, Exp, OuterUpdateRows, OuterUpdateSparseT, ExpandNonZeros:
		return true
	}
	return false
}

// parallel reports whether the kernel shares one call out among
// Options.Threads goroutines.
func (s Shape) parallel() bool {
	switch s.Kernel {
	case Gemm, GemmSparseRows, OuterUpdateSparseT:
		return true
	}
	return false
}

// Shapes lists the benchmarked shapes, kernel by kernel: the sizes of the
// MNIST 784-128-10 network's training (per-sample and mini-batch 64/128)
// and vector lengths from one cache line to past L1. Quick keeps the shapes
// that have targets, two GEMMs and SparseShapes.
func Shapes(quick bool) []Shape {
	if quick {
		return append([]Shape{
			{Kernel: Dot, N: 128}, {Kernel: Dot, N: 784}, {Kernel: Dot, N: 4096},
			{Kernel: Axpy, N: 4096},
			{Kernel: OuterUpdate, M: 784, N: 128},
			{Kernel: Relu, N: 4096},
			{Kernel: ReluBackward, N: 4096},
			{Kernel: Gemv, M: 784, N: 128}, {Kernel: Gemv, M: 784, N: 128, TransA: true},
			{Kernel: Gemm, M: 128, N: 10, K: 128}, {Kernel: Gemm, M: 64, N: 128, K: 784},
			{Kernel: Exp, N: 1280},
		}, SparseShapes...)
	}
	var ss []Shape
	for _, k := range []string{Dot, Axpy} {
		for _, n := range vectorLengths {
			ss = append(ss, Shape{Kernel: k, N: n})
		}
	}
	ss = append(ss, Shape{Kernel: OuterUpdate, M: 784, N: 128}, Shape{Kernel: OuterUpdate, M: 128, N: 10})
	for _, k := range []string{Relu, ReluBackward} {
		for _, n := range vectorLengths {
			ss = append(ss, Shape{Kernel: k, N: n})
		}
	}
	for _, mn := range [][2]int{{784, 128}, {128, 10}} {
		for _, trans := range []bool{false, true} {
			ss = append(ss, Shape{Kernel: Gemv, M: mn[0], N: mn[1], TransA: trans})
		}
	}
	ss = append(ss, GemmShapes...)
	// A 128-row batch's softmax logits (10 classes), then the vector lengths.
	for _, n := range append([]int{1280}, vectorLengths...) {
		ss = append(ss, Shape{Kernel: Exp, N: n})
	}
	return append(ss, SparseShapes...)
}

// SparseShapes are the sparse first layer of 784-128-10 on MNIST (150
// non-zero pixels of 784 a sample on average): per sample its forward
// product and update, and for a batch of 128 the forward X·W₁ and the
// update W₁ += α·Xᵀ·δ.
var SparseShapes = []Shape{
	{Kernel: GemvTRows, M: 784, N: 128, NZ: 150},
	{Kernel: OuterUpdateRows, M: 784, N: 128, NZ: 150},
	{Kernel: GemmSparseRows, M: 128, N: 128, K: 784, NZ: 150},
	{Kernel: OuterUpdateSparseT, M: 784, N: 128, K: 128, NZ: 150},
	{Kernel: GemvNRows, M: 128, N: 10, NZ: 64},
	{Kernel: CompressNonZeros, N: 784, NZ: 150},
	{Kernel: ExpandNonZeros, N: 784, NZ: 150},
}

var vectorLengths = []int{128, 784, 4096, 1 << 16}

// GemmShapes are the GEMMs of mini-batch training of 784-128-10: the
// forward X·W₁ (batch 128 and 64), the weight gradient Xᵀ·δ, the input delta
// δ·W₁ᵀ, and the 128→10 layer forward and backward.
var GemmShapes = []Shape{
	{Kernel: Gemm, M: 128, N: 128, K: 784},
	{Kernel: Gemm, M: 64, N: 128, K: 784},
	{Kernel: Gemm, M: 784, N: 128, K: 128, TransA: true},
	{Kernel: Gemm, M: 64, N: 784, K: 128, TransB: true},
	{Kernel: Gemm, M: 128, N: 10, K: 128},
	{Kernel: Gemm, M: 128, N: 128, K: 10, TransB: true},
}

// loop allocates the operands of s (random values, 64-byte aligned) and
// returns a function that calls the kernel iters times on them. The
// updating kernels use a tiny alpha, so repeated calls keep the values in
// range (no overflow, no denormals).
func (s Shape) loop() (func(iters int), error) {
	r := rand.New(rand.NewPCG(1, uint64(s.M*1_000_003+s.N*1009+s.K)))
	vec := func(n int) []float32 {
		v := Aligned(n)
		for i := range v {
			v[i] = 2*r.Float32() - 1
		}
		return v
	}
	const tiny = 1e-7
	m, n, k := s.M, s.N, s.K
	switch s.Kernel {
	case Dot:
		x, y := vec(n), vec(n)
		return func(iters int) {
			var acc float32
			for range iters {
				acc += kernels.Dot(x, y)
			}
			sink += acc
		}, nil
	case Axpy:
		x, y := vec(n), vec(n)
		return func(iters int) {
			for range iters {
				kernels.Axpy(tiny, x, y)
			}
		}, nil
	case OuterUpdate:
		x, y, a := vec(m), vec(n), vec(m*n)
		return func(iters int) {
			for range iters {
				kernels.OuterUpdate(tiny, x, y, a, n)
			}
		}, nil
	case Relu:
		src, dst := vec(n), vec(n)
		return func(iters int) {
			for range iters {
				kernels.Relu(dst, src)
			}
		}, nil
	case ReluBackward:
		// In place, delta keeps the zeros of the first call; the work per
		// call is the same for branch-free code.
		delta, act := vec(n), vec(n)
		return func(iters int) {
			for range iters {
				kernels.ReluBackward(delta, act)
			}
		}, nil
	case Exp:
		// Softmax-like arguments (≤ 0): the values stay put in place.
		src, dst := vec(n), vec(n)
		for i := range src {
			src[i] = -10 * (src[i] + 1)
		}
		return func(iters int) {
			for range iters {
				kernels.Exp(dst, src)
			}
		}, nil
	case Gemv:
		xn, yn := n, m
		if s.TransA {
			xn, yn = m, n
		}
		a, x, y := vec(m*n), vec(xn), vec(yn)
		return func(iters int) {
			for range iters {
				kernels.Gemv(s.TransA, m, n, 1, a, n, x, 0, y)
			}
		}, nil
	case Gemm:
		lda, ldb := k, n
		if s.TransA {
			lda = m
		}
		if s.TransB {
			ldb = k
		}
		a, b, c := vec(m*k), vec(k*n), vec(m*n)
		return func(iters int) {
			for range iters {
				kernels.Gemm(s.TransA, s.TransB, m, n, k, 1, a, lda, b, ldb, 0, c, n)
			}
		}, nil
	case GemvTRows:
		a, x, y := vec(m*n), vec(m), vec(n)
		rows := positions(r, m, s.NZ)
		return func(iters int) {
			for range iters {
				kernels.GemvTRows(y, a, n, x, rows)
			}
		}, nil
	case OuterUpdateRows:
		a, x, y := vec(m*n), vec(m), vec(n)
		rows := positions(r, m, s.NZ)
		return func(iters int) {
			for range iters {
				kernels.OuterUpdateRows(tiny, x, rows, y, a, n)
			}
		}, nil
	case GemmSparseRows:
		// X dense with its rows' lists, as the batch gather leaves it.
		x, b, c := Aligned(m*k), vec(k*n), vec(m*n)
		rows := make([][]int32, m)
		for i := range rows {
			rows[i] = positions(r, k, s.NZ)
			for _, p := range rows[i] {
				x[i*k+int(p)] = 2*r.Float32() - 1
			}
		}
		return func(iters int) {
			for range iters {
				kernels.GemmSparseRows(m, n, x, k, rows, b, n, c, n)
			}
		}, nil
	case GemvNRows:
		a, x, y := vec(m*n), vec(n), vec(m)
		rows := positions(r, m, s.NZ)
		return func(iters int) {
			for range iters {
				kernels.GemvNRows(y, a, n, x, rows)
			}
		}, nil
	case OuterUpdateSparseT:
		// Xᵀ is M×K: sample i's non-zeros down its column i.
		xt, d, w := Aligned(m*k), vec(k*n), vec(m*n)
		for i := 0; i < k; i++ {
			for _, p := range positions(r, m, s.NZ) {
				xt[int(p)*k+i] = 2*r.Float32() - 1
			}
		}
		return func(iters int) {
			for range iters {
				kernels.OuterUpdateSparseT(k, n, m, tiny, xt, k, d, n, w, n)
			}
		}, nil
	case CompressNonZeros, ExpandNonZeros:
		x := vec(n)
		clear(x)
		for _, p := range positions(r, n, s.NZ) {
			x[p] = 2*r.Float32() - 1
		}
		mask, vals, idx := make([]uint16, (n+15)/16), vec(n), make([]int32, n)
		kernels.CompressNonZeros(mask, vals, x)
		if s.Kernel == CompressNonZeros {
			return func(iters int) {
				for range iters {
					kernels.CompressNonZeros(mask, vals, x)
				}
			}, nil
		}
		vals = vals[:s.NZ]
		return func(iters int) {
			for range iters {
				kernels.ExpandNonZeros(x, idx, mask, vals)
			}
		}, nil
	}
	return nil, fmt.Errorf("bench: unknown kernel %q (known: %v)", s.Kernel, KernelNames)
}

// positions draws nz distinct positions below n, in ascending order (as
// kernels.NonZeros lists them).
func positions(r *rand.Rand, n, nz int) []int32 {
	ps := make([]int32, nz)
	for i, p := range r.Perm(n)[:nz] {
		ps[i] = int32(p)
	}
	slices.Sort(ps)
	return ps
}

// workingSet is the number of distinct bytes one call touches, which decides
// the cache level it runs from when called repeatedly.
func (s Shape) workingSet() int {
	m, n, k := s.M, s.N, s.K
	switch s.Kernel {
	case Dot, Axpy, Relu, ReluBackward, Exp:
		return 8 * n
	case OuterUpdate, Gemv:
		return 4*m*n + 4*(m+n)
	case Gemm, GemmSparseRows, OuterUpdateSparseT:
		return 4 * (m*k + k*n + m*n)
	case GemvTRows, OuterUpdateRows, GemvNRows:
		return 4*s.NZ*n + 4*(m+n)
	case CompressNonZeros, ExpandNonZeros:
		return 4*n + n/8 + 4*s.NZ
	}
	return 0
}
