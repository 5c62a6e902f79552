package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// rowList returns indices below m: each row with probability density, in
// ascending order or shuffled, with some rows repeated if dups.
func rowList(r *rand.Rand, m int, density float64, shuffled, dups bool) []int32 {
	var rows []int32
	for i := 0; i < m; i++ {
		if r.Float64() < density {
			rows = append(rows, int32(i))
			if dups && r.IntN(4) == 0 {
				rows = append(rows, int32(i))
			}
		}
	}
	if shuffled {
		r.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	}
	return rows
}

type rowCase struct {
	m, n, pad, off int
	density        float64
	shuffled, dups bool
}

func rowCases() []rowCase {
	var cs []rowCase
	densities := []float64{0, 0.05, 0.19, 0.5, 1}
	for n := 0; n <= 300; n++ {
		d := densities[n%len(densities)]
		cs = append(cs, rowCase{m: 9, n: n, pad: n % 3 * 5, off: n % 16, density: d, shuffled: n%2 == 1, dups: n%3 == 0})
	}
	for _, n := range tileSizes {
		for _, d := range densities {
			cs = append(cs, rowCase{m: 40, n: n, pad: 7, off: 3, density: d, shuffled: true, dups: true})
		}
	}
	return append(cs,
		rowCase{m: 784, n: 128, density: 0.19},
		rowCase{m: 784, n: 784, pad: 1, off: 5, density: 0.19, dups: true},
		rowCase{m: 300, n: 10, off: 1, density: 0.5, shuffled: true})
}

func TestGemvTRows(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(21, 22))
		for ci, c := range rowCases() {
			a := newMatrix(r, c.m, c.n, c.n+c.pad, c.off)
			x := at(r, c.m, (c.off+5)%16)
			y, checkY := guarded(c.n, (c.off+ci)%16)
			randFill(r, y)
			rows := rowList(r, c.m, c.density, c.shuffled, c.dups)
			want, mag := make([]float64, c.n), make([]float64, c.n)
			for j := range y {
				want[j], mag[j] = float64(y[j]), math.Abs(float64(y[j]))
				for _, i := range rows {
					p := float64(x[i]) * a.at(int(i), j)
					want[j] += p
					mag[j] += math.Abs(p)
				}
			}
			GemvTRows(y, a.s, a.ld, x, rows)
			what := fmt.Sprintf("GemvTRows %d×%d lda=%d, %d rows", c.m, c.n, a.ld, len(rows))
			checkY(t, what)
			a.check(t, what)
			for j := range y {
				if !closeTo(y[j], want[j], float64(len(rows)+2)*eps32*mag[j]) {
					t.Fatalf("%s: y[%d] = %v, want %v", what, j, y[j], want[j])
				}
			}
		}
	})
}

func TestOuterUpdateRows(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(23, 24))
		for ci, c := range rowCases() {
			a := newMatrix(r, c.m, c.n, c.n+c.pad, c.off)
			x := at(r, c.m, (c.off+5)%16)
			y := at(r, c.n, (c.off+ci)%16)
			alpha := float32(r.Float64()*2 - 1)
			rows := rowList(r, c.m, c.density, c.shuffled, c.dups)
			want, mag := make([]float64, len(a.s)), make([]float64, len(a.s))
			for i := 0; i < c.m; i++ {
				for j := 0; j < c.n; j++ {
					want[i*a.ld+j], mag[i*a.ld+j] = a.at(i, j), math.Abs(a.at(i, j))
				}
			}
			for _, i := range rows {
				s := float64(alpha * x[i])
				for j := 0; j < c.n; j++ {
					want[int(i)*a.ld+j] += s * float64(y[j])
					mag[int(i)*a.ld+j] += math.Abs(s * float64(y[j]))
				}
			}
			OuterUpdateRows(alpha, x, rows, y, a.s, a.ld)
			what := fmt.Sprintf("OuterUpdateRows %d×%d lda=%d, %d rows", c.m, c.n, a.ld, len(rows))
			a.check(t, what)
			for i := 0; i < c.m; i++ {
				listed := slices.Contains(rows, int32(i))
				for j := 0; j < c.n; j++ {
					got, w := a.s[i*a.ld+j], want[i*a.ld+j]
					if !listed && float64(got) != w {
						t.Fatalf("%s: unlisted row %d changed: a[%d,%d] = %v, was %v", what, i, i, j, got, w)
					}
					if !closeTo(got, w, 4*eps32*(mag[i*a.ld+j]+1)) {
						t.Fatalf("%s: a[%d,%d] = %v, want %v", what, i, j, got, w)
					}
				}
			}
		}
	})
}

// TestSparseRowsMatchDense checks that listing every non-zero row gives the
// dense kernels' results: bit for bit for the update (the same fused
// multiply-add per element), within rounding for the product.
func TestSparseRowsMatchDense(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(25, 26))
		const m, n = 784, 128
		x := make([]float32, m)
		var rows []int32
		for i := range x {
			if r.Float64() < 0.19 {
				x[i] = float32(r.Float64())
				rows = append(rows, int32(i))
			}
		}
		w := at(r, m*n, 0)
		delta := at(r, n, 0)
		dense, sparse := slices.Clone(w), slices.Clone(w)
		OuterUpdate(-0.01, x, delta, dense, n)
		OuterUpdateRows(-0.01, x, rows, delta, sparse, n)
		for i := range dense {
			if dense[i] != sparse[i] {
				t.Fatalf("update: W[%d,%d] = %v sparse, %v dense", i/n, i%n, sparse[i], dense[i])
			}
		}
		yd, ys := make([]float32, n), make([]float32, n)
		Gemv(true, m, n, 1, w, n, x, 0, yd)
		GemvTRows(ys, w, n, x, rows)
		for j := range yd {
			if !closeTo(ys[j], float64(yd[j]), 1e-5) {
				t.Fatalf("forward: y[%d] = %v sparse, %v dense", j, ys[j], yd[j])
			}
		}
	})
}

func TestSparseRowsPanics(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		a := make([]float32, 5*8) // 5 rows of 6 with lda 8 fit, plus a partial sixth
		x := make([]float32, 5)
		y := make([]float32, 6)
		for _, c := range []struct {
			rows []int32
			lda  int
			x    []float32
			want string
		}{
			{[]int32{0, 5}, 8, x, "rows[1] = 5, want an index in [0, 5)"},
			{[]int32{-1}, 8, x, "rows[0] = -1"},
			{[]int32{1, 2, 4}, 8, x[:4], "rows[2] = 4, want an index in [0, 4)"},
			{[]int32{2}, 5, x, "lda = 5, want at least len(y) = 6"},
		} {
			for _, fn := range []struct {
				name string
				call func()
			}{
				{"GemvTRows", func() { GemvTRows(y, a, c.lda, c.x, c.rows) }},
				{"OuterUpdateRows", func() { OuterUpdateRows(1, c.x, c.rows, y, a, c.lda) }},
			} {
				msg := func() (msg string) {
					defer func() { msg = fmt.Sprint(recover()) }()
					fn.call()
					return ""
				}()
				if !strings.Contains(msg, fn.name) || !strings.Contains(msg, c.want) {
					t.Errorf("%s with rows %v, lda %d: panic %q, want one naming %q", fn.name, c.rows, c.lda, msg, c.want)
				}
			}
		}
	})
}

// sparseBatch returns an m×k matrix of which about density of the entries
// are non-zero, stored densely with leading dimension ldx, and the lists of
// each row's non-zero columns.
func sparseBatch(r *rand.Rand, m, k, ldx int, density float64) ([]float32, [][]int32) {
	x := make([]float32, m*ldx)
	rows := make([][]int32, m)
	for i := 0; i < m; i++ {
		for p := 0; p < k; p++ {
			if r.Float64() < density {
				x[i*ldx+p] = float32(r.Float64())
				rows[i] = append(rows[i], int32(p))
			}
		}
	}
	return x, rows
}

// gemmSparseCase is a GemmSparseRows test: an m×k batch at density, its
// lists sorted (as NonZeros makes them) or shuffled, with rows listed
// twice if dups, and a last row of x only k long if short.
type gemmSparseCase struct {
	m, n, k        int
	density        float64
	shuffled, dups bool
	short          bool
}

func gemmSparseCases() []gemmSparseCase {
	cs := []gemmSparseCase{{m: 1, n: 1, k: 1, density: 1}, {m: 3, n: 17, k: 20, density: 0.3}, {m: 64, n: 130, k: 300, density: 0.3}, {m: 128, n: 128, k: 784, density: 0.19}}
	// Around the strips (AVX-512 128 columns, AVX2 64) and blocks (64 and
	// 128 rows of b) of the amd64 passes, and lists longer than one
	// assembly call takes (512 or 1024 entries).
	i := 0
	for _, n := range []int{63, 64, 65, 127, 128, 129, 256, 300} {
		for _, k := range []int{1, 63, 64, 65, 128, 129, 200} {
			cs = append(cs, gemmSparseCase{m: 1 + i%3*9, n: n, k: k, density: []float64{0, 0.05, 0.3, 1}[i%4], shuffled: i%3 == 1, dups: i%2 == 1, short: i%4 == 2})
			i++
		}
	}
	return append(cs,
		gemmSparseCase{m: 40, n: 128, k: 784, density: 1, dups: true},
		gemmSparseCase{m: 33, n: 256, k: 600, density: 0.9, shuffled: true, dups: true, short: true},
		gemmSparseCase{m: 128, n: 144, k: 784, density: 0.19, short: true},
		// b's rows too far apart for blocks in place: packed blocks when
		// the lists are ascending (784-512-256-10's first layer), row by
		// row when not.
		gemmSparseCase{m: 128, n: 512, k: 784, density: 0.19},
		gemmSparseCase{m: 20, n: 300, k: 784, density: 0.3, dups: true, short: true},
		gemmSparseCase{m: 20, n: 300, k: 784, density: 0.3, shuffled: true})
}

func TestGemmSparseRows(t *testing.T) {
	defer SetThreads(Threads())
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(27, 28))
		for _, sh := range gemmSparseCases() {
			ldx, ldb, ldc := sh.k+3, sh.n+1, sh.n+2
			x, rows := sparseBatch(r, sh.m, sh.k, ldx, sh.density)
			for i, l := range rows {
				var more []int32
				for _, p := range l {
					more = append(more, p)
					if sh.dups && r.IntN(3) == 0 {
						more = append(more, p)
					}
				}
				if sh.shuffled {
					r.Shuffle(len(more), func(a, b int) { more[a], more[b] = more[b], more[a] })
				}
				rows[i] = more
			}
			if sh.short {
				x = x[:(sh.m-1)*ldx+sh.k]
			}
			b := newMatrix(r, sh.k, sh.n, ldb, 1)
			c0 := newMatrix(r, sh.m, sh.n, ldc, 2)
			what := fmt.Sprintf("GemmSparseRows %d×%d×%d density %v shuffled %v dups %v short %v", sh.m, sh.n, sh.k, sh.density, sh.shuffled, sh.dups, sh.short)
			// Row by row with GemvTRows: the same multiply-adds in the
			// same order, so the same bits.
			byRow := slices.Clone(c0.s)
			for i := 0; i < sh.m; i++ {
				GemvTRows(byRow[i*ldc:i*ldc+sh.n], b.s, ldb, x[i*ldx:min(i*ldx+ldx, len(x))], rows[i])
			}
			for _, threads := range []int{1, 2, 3} {
				SetThreads(threads)
				c := slices.Clone(c0.s)
				GemmSparseRows(sh.m, sh.n, x, ldx, rows, b.s, ldb, c, ldc)
				if !sameBits(c, byRow) {
					for e := range c {
						if math.Float32bits(c[e]) != math.Float32bits(byRow[e]) {
							t.Fatalf("%s, %d threads: c[%d,%d] = %v, GemvTRows row by row gives %v", what, threads, e/ldc, e%ldc, c[e], byRow[e])
						}
					}
				}
			}
			for i := 0; i < sh.m; i++ {
				for j := 0; j < ldc && i*ldc+j < len(byRow); j++ {
					if j >= sh.n {
						if math.Float32bits(byRow[i*ldc+j]) != math.Float32bits(c0.s[i*ldc+j]) {
							t.Fatalf("%s: padding c[%d,%d] overwritten", what, i, j)
						}
						continue
					}
					want, mag := c0.at(i, j), math.Abs(c0.at(i, j))
					for _, p := range rows[i] {
						v := float64(x[i*ldx+int(p)]) * b.at(int(p), j)
						want += v
						mag += math.Abs(v)
					}
					if !closeTo(byRow[i*ldc+j], want, float64(len(rows[i])+2)*eps32*mag) {
						t.Fatalf("%s: c[%d,%d] = %v, want %v", what, i, j, byRow[i*ldc+j], want)
					}
				}
			}
		}
	})
}

// TestGemmSparseRowsPanics gives GemmSparseRows a bad index in one row,
// after good ones and in rows that the other rows' passes come to first.
func TestGemmSparseRowsPanics(t *testing.T) {
	defer SetThreads(Threads())
	eachImpl(t, func(t *testing.T) {
		const m, k = 5, 100
		r := rand.New(rand.NewPCG(29, 30))
		x, _ := sparseBatch(r, m, k, k, 0.5)
		for _, c := range []struct {
			rows [][]int32
			x    []float32
			want string
		}{
			{[][]int32{{1}, {2, 99}, {3, 100}, {}, {4}}, x, "GemmSparseRows: rows[2][1] = 100, want an index in [0, 100)"},
			{[][]int32{{1}, {}, {}, {}, {-1}}, x, "GemmSparseRows: rows[4][0] = -1"},
			{[][]int32{{1}, {}, {}, {}, {0, 60}}, x[:4*k+50], "GemmSparseRows: rows[4][1] = 60, want an index in [0, 50)"},
		} {
			// 128 columns are whole strips; 130 leave two to go row by
			// row; 300 take packed blocks of b.
			for _, n := range []int{128, 130, 300} {
				b := newMatrix(r, k, n, n, 0)
				for _, threads := range []int{1, 2} {
					SetThreads(threads)
					cm := make([]float32, m*n)
					msg := func() (msg string) {
						defer func() { msg = fmt.Sprint(recover()) }()
						GemmSparseRows(m, n, c.x, k, c.rows, b.s, n, cm, n)
						return ""
					}()
					if !strings.Contains(msg, c.want) {
						t.Errorf("n %d, rows %v, len(x) %d, %d threads: panic %q, want one naming %q", n, c.rows, len(c.x), threads, msg, c.want)
					}
				}
			}
		}
		// A batch large enough to be shared out: the bad index, in the
		// last share, is found on a worker's goroutine when there is one,
		// and must still reach this one as a panic.
		const bm, bk = 128, 784
		bx, rows := sparseBatch(r, bm, bk, bk, 0.2)
		rows[bm-1] = append(rows[bm-1], bk)
		want := fmt.Sprintf("GemmSparseRows: rows[%d][%d] = %d, want an index in [0, %d)", bm-1, len(rows[bm-1])-1, bk, bk)
		for _, n := range []int{128, 512} {
			b := newMatrix(r, bk, n, n, 0)
			cm := make([]float32, bm*n)
			for _, threads := range []int{1, 2} {
				SetThreads(threads)
				msg := func() (msg string) {
					defer func() { msg = fmt.Sprint(recover()) }()
					GemmSparseRows(bm, n, bx, bk, rows, b.s, n, cm, n)
					return ""
				}()
				if !strings.Contains(msg, want) {
					t.Errorf("%d×%d×%d batch, %d threads: panic %q, want one naming %q", bm, n, bk, threads, msg, want)
				}
			}
		}
	})
}

func sameBits(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(u, v float32) bool { return math.Float32bits(u) == math.Float32bits(v) })
}

// BenchmarkSparseRows times one per-sample step of a 784×128 first layer
// (forward product and update) with the sparse-row kernels against the
// dense ones, at several input densities: where sparse stops winning is
// the threshold nn uses.
//
//	go test -run '^$' -bench SparseRows -benchtime 200ms ./kernels/
func BenchmarkSparseRows(b *testing.B) {
	const m, n = 784, 128
	r := rand.New(rand.NewPCG(31, 32))
	w := at(r, m*n, 0)
	delta := at(r, n, 0)
	y := make([]float32, n)
	for _, density := range []float64{0.05, 0.19, 0.3, 0.5, 0.7, 0.9} {
		x := make([]float32, m)
		var rows []int32
		for i := range x {
			if r.Float64() < density {
				x[i] = float32(r.Float64())
				rows = append(rows, int32(i))
			}
		}
		b.Run(fmt.Sprintf("density=%.2f/sparse", density), func(b *testing.B) {
			for b.Loop() {
				GemvTRows(y, w, n, x, rows)
				OuterUpdateRows(-1e-6, x, rows, delta, w, n)
			}
		})
		b.Run(fmt.Sprintf("density=%.2f/dense", density), func(b *testing.B) {
			for b.Loop() {
				Gemv(true, m, n, 1, w, n, x, 1, y)
				OuterUpdate(-1e-6, x, delta, w, n)
			}
		})
	}
}

// nonZeroSpecials are values whose zero-ness or finiteness a compare could
// get wrong: ±0, NaNs of both signs, ±Inf, subnormals, the largest finite.
var nonZeroSpecials = []uint32{0x80000000, 0x7fc00000, 0xffc00001, 0x7f800001, 0x7f800000, 0xff800000, 0x00000001, 0x807fffff, 0x7f7fffff}

// eachNonZeroRow calls f with rows x of every length in extra and 0..300,
// at densities 0, 0.19, 0.6 and 1 (MNIST-like all-zero stretches come
// from 0.19 and 0), each off floats past an aligned start; ci numbers the
// length. Every third case plants one special value of nonZeroSpecials
// (−0 among them, which is zero).
func eachNonZeroRow(r *rand.Rand, extra []int, f func(ci int, density float64, off int, x []float32)) {
	lengths := slices.Clip(extra)
	for n := 0; n <= 300; n++ {
		lengths = append(lengths, n)
	}
	for ci, n := range lengths {
		for _, density := range []float64{0, 0.19, 0.6, 1} {
			off := (ci + int(density*10)) % 16
			x := make([]float32, off+n)[off:]
			for i := range x {
				if r.Float64() < density {
					x[i] = float32(r.Float64() + 0.5)
				}
			}
			if ci%3 == 0 && n > 0 {
				x[r.IntN(n)] = math.Float32frombits(nonZeroSpecials[ci/3%len(nonZeroSpecials)])
			}
			f(ci, density, off, x)
		}
	}
}

// nonZeroPositions is the reference of NonZeros: the positions of x's
// entries that are not ±0 (NaN included), and whether all are finite.
func nonZeroPositions(x []float32) (pos []int32, finite bool) {
	finite = true
	for i, v := range x {
		if v != 0 || v != v {
			pos = append(pos, int32(i))
		}
		finite = finite && !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0)
	}
	return pos, finite
}

func TestNonZeros(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		eachNonZeroRow(rand.New(rand.NewPCG(41, 42)), []int{1000, 4099}, func(ci int, density float64, off int, x []float32) {
			n := len(x)
			want, wantFinite := nonZeroPositions(x)
			// Entries of idx past the count are free to change, those
			// outside idx are not.
			idx, checkIdx := guardedInt32(n, (ci*5)%16)
			count, finite := NonZeros(idx, x)
			what := fmt.Sprintf("NonZeros n=%d density=%.2f off=%d", n, density, off)
			checkIdx(t, what)
			if count != len(want) || !slices.Equal(idx[:count], want) {
				t.Fatalf("%s: got %d positions %v, want %d %v", what, count, idx[:count], len(want), want)
			}
			if finite != wantFinite {
				t.Fatalf("%s: finite = %v, want %v", what, finite, wantFinite)
			}
		})
	})
}

func TestNonZerosShortIdx(t *testing.T) {
	defer func() {
		msg, _ := recover().(string)
		if !strings.Contains(msg, "len(idx) = 3, want at least len(x) = 4") {
			t.Errorf("NonZeros with a short idx panicked with %q", msg)
		}
	}()
	NonZeros(make([]int32, 3), make([]float32, 4))
}

// BenchmarkNonZeros indexes 1,000 real-looking 784-pixel images: an empty
// border and a 19%-dense centre.
func BenchmarkNonZeros(b *testing.B) {
	r := rand.New(rand.NewPCG(43, 44))
	const rows, width = 1000, 784
	x := make([]float32, rows*width)
	for i := range x {
		p := i % width
		row, col := p/28, p%28
		if row >= 4 && row < 24 && col >= 4 && col < 24 && r.Float64() < 0.37 {
			x[i] = float32(r.Float64())
		}
	}
	idx := make([]int32, width)
	for b.Loop() {
		for i := 0; i < rows; i++ {
			NonZeros(idx, x[i*width:i*width+width])
		}
	}
}

// mnistLikeBatch makes images rows of k = 784 inputs like MNIST's digits,
// for the benchmarks: an empty border and a 37%-dense centre of 20×20
// pixels (19% overall), with each row's ascending list of non-zeros.
func mnistLikeBatch(r *rand.Rand, images, k int) (x []float32, rows [][]int32) {
	x = make([]float32, images*k)
	rows = make([][]int32, images)
	for i := range rows {
		rows[i] = []int32{}
		for p := 0; p < k; p++ {
			row, col := p/28, p%28
			if row >= 4 && row < 24 && col >= 4 && col < 24 && r.Float64() < 0.37 {
				x[i*k+p] = float32(r.Float64())
				rows[i] = append(rows[i], int32(p))
			}
		}
	}
	return x, rows
}
