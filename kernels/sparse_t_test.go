package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

type sparseTCase struct {
	m, n, k, pad, off int
	density           float64
}

func sparseTCases() []sparseTCase {
	densities := []float64{0, 0.05, 0.19, 0.5, 1}
	var cs []sparseTCase
	for n := 0; n <= 300; n++ {
		cs = append(cs, sparseTCase{m: 1 + n*7%20, n: n, k: 5 + n%4, pad: n % 3 * 5, off: n % 16, density: densities[n%len(densities)]})
	}
	// Around the 16 (AVX-512) and 8 (AVX2) rows of xt to a mask and the
	// 16 of a NEON one, and the strip widths.
	i := 0
	for _, m := range []int{0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 127, 128, 129} {
		for _, n := range []int{1, 16, 32, 64, 70, 128} {
			cs = append(cs, sparseTCase{m: m, n: n, k: 9, pad: i % 4 * 3, off: i % 16, density: densities[i%len(densities)]})
			i++
		}
	}
	for _, k := range []int{0, 1, 2, 3, 7, 8, 33} {
		cs = append(cs, sparseTCase{m: 40, n: 96, k: k, pad: 1, off: k % 16, density: 0.3})
	}
	// Large enough to be shared out among threads (see OuterUpdateSparseT),
	// and one with more rows of xt than an assembly call takes at once.
	return append(cs,
		sparseTCase{m: 128, n: 128, k: 784, density: 0.19},
		sparseTCase{m: 65, n: 70, k: 300, pad: 3, off: 5, density: 0.5},
		sparseTCase{m: 129, n: 257, k: 100, pad: 1, off: 9, density: 1},
		sparseTCase{m: 1100, n: 64, k: 5, off: 2, density: 0.3})
}

// newSparseT returns a k×m matrix xt (leading dimension m+pad, at offset
// off, guards in the padding) with about density of its entries non-zero,
// some zeros negative, and every fourth row (p%4 == 1) all zero.
func newSparseT(r *rand.Rand, m, k, pad, off int, density float64) matrix {
	xt := newMatrix(r, k, m, m+pad, off)
	for p := 0; p < k; p++ {
		for i := 0; i < m; i++ {
			if p%4 == 1 || r.Float64() >= density {
				xt.s[p*xt.ld+i] = 0
				if r.IntN(4) == 0 {
					xt.s[p*xt.ld+i] = float32(math.Copysign(0, -1))
				}
			}
		}
	}
	return xt
}

// untouched is the value written into a row of w whose row of xt is all
// zero: the kernel must leave it alone. It is a signalling NaN, which any
// arithmetic, even w += alpha·0, would turn quiet.
var untouched = math.Float32frombits(0x7fa0beef)

// checkSparseT compares w (after the update; before it, w0) with a float64
// reference: a row of w whose row of xt is all zero must keep its bits.
func checkSparseT(t *testing.T, what string, m, n, k int, alpha float32, xt, d, w matrix, w0 []float32) {
	t.Helper()
	for p := 0; p < k; p++ {
		terms := 0
		for i := 0; i < m; i++ {
			if xt.s[p*xt.ld+i] != 0 {
				terms++
			}
		}
		for j := 0; j < n; j++ {
			got, was := w.s[p*w.ld+j], w0[p*w.ld+j]
			if terms == 0 {
				if math.Float32bits(got) != math.Float32bits(was) {
					t.Fatalf("%s: w[%d][%d] of an all-zero row of xt changed from %v (%#x) to %v (%#x)", what, p, j, was, math.Float32bits(was), got, math.Float32bits(got))
				}
				continue
			}
			var g, mag float64
			for i := 0; i < m; i++ {
				if v := xt.s[p*xt.ld+i]; v != 0 {
					pr := float64(v) * d.at(i, j)
					g += pr
					mag += math.Abs(pr)
				}
			}
			want := float64(was) + float64(alpha)*g
			tol := float64(terms+2) * eps32 * (math.Abs(float64(was)) + math.Abs(float64(alpha))*mag)
			if !closeTo(got, want, tol) {
				t.Fatalf("%s: w[%d][%d] = %v, want %v ± %v", what, p, j, got, want, tol)
			}
		}
	}
}

func TestOuterUpdateSparseT(t *testing.T) {
	defer SetThreads(Threads())
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(81, 82))
		for ci, c := range sparseTCases() {
			xt := newSparseT(r, c.m, c.k, c.pad, c.off, c.density)
			d := newMatrix(r, c.m, c.n, c.n+c.pad, (c.off+7)%16)
			w0 := newMatrix(r, c.k, c.n, c.n+c.pad, 0).s
			for p := 1; p < c.k && c.n > 0; p += 4 {
				w0[p*(c.n+c.pad)] = untouched
			}
			alpha := float32(-0.3)
			var results [][]float32
			for _, threads := range []int{1, 2, 3} {
				SetThreads(threads)
				w := newMatrix(r, c.k, c.n, c.n+c.pad, (c.off+ci)%16)
				for p := 0; p < c.k && c.n > 0; p++ {
					copy(w.s[p*w.ld:p*w.ld+c.n], w0[p*w.ld:])
				}
				OuterUpdateSparseT(c.m, c.n, c.k, alpha, xt.s, xt.ld, d.s, d.ld, w.s, w.ld)
				what := fmt.Sprintf("OuterUpdateSparseT m=%d n=%d k=%d density=%v pad=%d threads=%d", c.m, c.n, c.k, c.density, c.pad, threads)
				w.check(t, what)
				xt.check(t, what)
				d.check(t, what)
				checkSparseT(t, what, c.m, c.n, c.k, alpha, xt, d, w, w0)
				results = append(results, w.s)
			}
			for ti, res := range results[1:] {
				for e := range res {
					if math.Float32bits(res[e]) != math.Float32bits(results[0][e]) {
						t.Fatalf("OuterUpdateSparseT m=%d n=%d k=%d: element %d is %v with 1 thread, %v with %d", c.m, c.n, c.k, e, results[0][e], res[e], ti+2)
					}
				}
			}
		}
	})
}

// TestOuterUpdateSparseTSpecials puts NaN and ±Inf in xt, where they count
// as non-zero, and in d, where they reach w only through a non-zero of xt;
// a −0 of xt is a zero and skipped, so the NaN in d at its row is not used.
func TestOuterUpdateSparseTSpecials(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(83, 84))
		const m, k = 37, 8
		for _, n := range []int{5, 16, 32, 64, 70, 100} {
			xt := newSparseT(r, m, k, 3, n%16, 0.3)
			d := newMatrix(r, m, n, n, 1)
			xt.s[0*xt.ld+3] = nan
			xt.s[2*xt.ld+36] = inf // the last row, in AVX-512's masked tail
			xt.s[3*xt.ld+20] = -inf
			xt.s[3*xt.ld+21] = inf // +Inf and −Inf in one sum: NaN where d ≠ 0
			for p := 4; p < k; p++ {
				xt.s[p*xt.ld+10] = float32(math.Copysign(0, -1))
				xt.s[p*xt.ld+11] = 0.5
			}
			d.s[10*d.ld+n-1] = nan // only −0 and 0 of xt meet row 10
			d.s[11*d.ld+n/2] = -inf
			d.s[30*d.ld] = nan
			xt.s[6*xt.ld+30] = 0.25
			xt.s[7*xt.ld+30] = 0
			w0 := newMatrix(r, k, n, n, 0).s
			w := newMatrix(r, k, n, n, 3)
			copy(w.s, w0)
			OuterUpdateSparseT(m, n, k, 0.5, xt.s, xt.ld, d.s, d.ld, w.s, w.ld)
			what := fmt.Sprintf("OuterUpdateSparseT specials n=%d", n)
			w.check(t, what)
			checkSparseT(t, what, m, n, k, 0.5, xt, d, w, w0)
			if got := w.s[4*w.ld+n-1]; math.IsNaN(float64(got)) {
				t.Fatalf("%s: the NaN of d behind a −0 of xt reached w[4][%d]", what, n-1)
			}
			if got := w.s[6*w.ld]; !math.IsNaN(float64(got)) {
				t.Fatalf("%s: w[6][0] = %v, want the NaN of d[30][0] (xt[6][30] = 0.25)", what, got)
			}
		}
	})
}

func TestOuterUpdateSparseTPanics(t *testing.T) {
	const m, n, k = 3, 5, 4
	xt, d, w := make([]float32, k*m), make([]float32, m*n), make([]float32, k*n)
	for _, tc := range []struct {
		call func()
		want string
	}{
		{func() { OuterUpdateSparseT(-1, n, k, 1, xt, m, d, n, w, n) }, "m = -1, n = 5, k = 4, dimensions must not be negative"},
		{func() { OuterUpdateSparseT(m, -2, k, 1, xt, m, d, n, w, n) }, "dimensions must not be negative"},
		{func() { OuterUpdateSparseT(m, n, -3, 1, xt, m, d, n, w, n) }, "dimensions must not be negative"},
		{func() { OuterUpdateSparseT(m, n, k, 1, xt[:k*m-1], m, d, n, w, n) }, "len(xt) = 11, want at least 12 for 4×3"},
		{func() { OuterUpdateSparseT(m, n, k, 1, xt, m-1, d, n, w, n) }, "leading dimension of xt is 2, want at least 3"},
		{func() { OuterUpdateSparseT(m, n, k, 1, xt, m, d[:m*n-1], n, w, n) }, "len(d) = 14, want at least 15 for 3×5"},
		{func() { OuterUpdateSparseT(m, n, k, 1, xt, m, d, n-1, w, n) }, "leading dimension of d is 4, want at least 5"},
		{func() { OuterUpdateSparseT(m, n, k, 1, xt, m, d, n, w[:k*n-1], n) }, "len(w) = 19, want at least 20 for 4×5"},
		{func() { OuterUpdateSparseT(m, n, k, 1, xt, m, d, n, w, n+1) }, "len(w) = 20, want at least 23 for 4×5 with leading dimension 6"},
		{func() { OuterUpdateSparseT(m, n, k, 1, xt, m, d, n, w, 0) }, "leading dimension of w is 0, want at least 5"},
	} {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if !strings.Contains(msg, tc.want) || !strings.Contains(msg, "OuterUpdateSparseT") {
					t.Errorf("panic %q, want one naming OuterUpdateSparseT and containing %q", msg, tc.want)
				}
			}()
			tc.call()
		}()
	}
	// Empty shapes are no-ops, whatever the slices.
	OuterUpdateSparseT(0, n, k, 1, nil, 0, nil, n, w, n)
	OuterUpdateSparseT(m, 0, k, 1, xt, m, nil, 0, nil, 0)
	OuterUpdateSparseT(m, n, 0, 1, nil, m, d, n, nil, n)
}

func TestOuterUpdateSparseTNoAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items")
	}
	defer SetThreads(Threads())
	r := rand.New(rand.NewPCG(85, 86))
	const m, n, k = 128, 128, 784
	xt := newSparseT(r, m, k, 0, 0, 0.19)
	d, w := at(r, m*n, 0), at(r, k*n, 0)
	eachImpl(t, func(t *testing.T) {
		for _, threads := range []int{1, 2} {
			SetThreads(threads)
			OuterUpdateSparseT(m, n, k, -1e-9, xt.s, m, d, n, w, n) // start the workers
			if a := testing.AllocsPerRun(5, func() { OuterUpdateSparseT(m, n, k, -1e-9, xt.s, m, d, n, w, n) }); a != 0 {
				t.Errorf("threads=%d: %v allocations per call, want 0", threads, a)
			}
		}
	})
}

// BenchmarkOuterUpdateSparseTMNIST times the weight update of the first
// layer of a mini-batch step of a 784-128-10 network on 128 MNIST-like
// images (19% non-zero, all in the central 20×20 pixels), per ISA, on one
// thread and on two.
//
//	go test -run '^$' -bench OuterUpdateSparseTMNIST -benchtime 200ms ./kernels/
func BenchmarkOuterUpdateSparseTMNIST(b *testing.B) {
	defer SetThreads(Threads())
	saved := active
	defer func() { active = saved }()
	const m, k, n = 128, 784, 128
	r := rand.New(rand.NewPCG(53, 54))
	w := at(r, k*n, 0)
	d := at(r, m*n, 0)
	x, _ := mnistLikeBatch(r, m, k)
	xt := make([]float32, k*m)
	Transpose(m, k, x, k, xt, m)
	for _, name := range Available() {
		if err := Use(name); err != nil {
			b.Fatal(err)
		}
		for _, threads := range []int{1, 2} {
			SetThreads(threads)
			b.Run(fmt.Sprintf("%s/threads=%d", name, threads), func(b *testing.B) {
				for b.Loop() {
					OuterUpdateSparseT(m, n, k, -1e-9, xt, m, d, n, w, n)
				}
			})
		}
	}
}
