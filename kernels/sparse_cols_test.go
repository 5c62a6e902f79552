package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// colBatch is a sparse m×k matrix both ways: dense rows x (ldx = k)
// with ascending row lists, and compressed columns.
type colBatch struct {
	x                []float32
	rows             [][]int32
	colStart, sample []int32
	val              []float32
}

func newColBatch(r *rand.Rand, m, k int, density float64) colBatch {
	s := colBatch{x: make([]float32, m*k), rows: make([][]int32, m), colStart: make([]int32, k+1)}
	for i := 0; i < m; i++ {
		s.rows[i] = []int32{}
		for p := 0; p < k; p++ {
			if r.Float64() < density {
				s.x[i*k+p] = float32(2*r.Float64() - 1)
				s.rows[i] = append(s.rows[i], int32(p))
			}
		}
	}
	for p := 0; p < k; p++ {
		for i := 0; i < m; i++ {
			if v := s.x[i*k+p]; v != 0 {
				s.sample = append(s.sample, int32(i))
				s.val = append(s.val, v)
			}
		}
		s.colStart[p+1] = int32(len(s.sample))
	}
	return s
}

type colCase struct {
	m, n, k, pad, off int
	density           float64
}

func colCases() []colCase {
	var cs []colCase
	densities := []float64{0, 0.05, 0.19, 0.5, 1}
	for n := 0; n <= 300; n++ {
		cs = append(cs, colCase{m: 1 + n%7, n: n, k: 11, pad: n % 3 * 5, off: n % 16, density: densities[n%len(densities)]})
	}
	for _, n := range tileSizes {
		cs = append(cs, colCase{m: 20, n: n, k: 40, pad: 7, off: 3, density: 0.3})
	}
	return append(cs, colCase{m: 128, n: 128, k: 784, density: 0.19}, colCase{m: 0, n: 5, k: 3}, colCase{m: 4, n: 5, k: 0})
}

func TestGemmSparseCols(t *testing.T) {
	defer SetThreads(Threads())
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(71, 72))
		for ci, c := range colCases() {
			s := newColBatch(r, c.m, c.k, c.density)
			b := newMatrix(r, c.k, c.n, c.n+c.pad, c.off)
			init := make([]float32, c.m*(c.n+c.pad))
			randFill(r, init)
			var results [][]float32
			for _, threads := range []int{1, 2} {
				SetThreads(threads)
				cm := newMatrix(r, c.m, c.n, c.n+c.pad, (c.off+ci)%16)
				for i := 0; i < c.m && c.n > 0; i++ {
					copy(cm.s[i*cm.ld:i*cm.ld+c.n], init[i*cm.ld:])
				}
				GemmSparseCols(c.m, c.n, c.k, s.colStart, s.sample, s.val, b.s, b.ld, cm.s, cm.ld)
				what := fmt.Sprintf("GemmSparseCols %d×%d×%d threads=%d", c.m, c.n, c.k, threads)
				cm.check(t, what)
				b.check(t, what)
				for i := 0; i < c.m; i++ {
					for j := 0; j < c.n; j++ {
						want, mag := float64(init[i*cm.ld+j]), math.Abs(float64(init[i*cm.ld+j]))
						for _, p := range s.rows[i] {
							pr := float64(s.x[i*c.k+int(p)]) * b.at(int(p), j)
							want += pr
							mag += math.Abs(pr)
						}
						if got := cm.s[i*cm.ld+j]; !closeTo(got, want, float64(len(s.rows[i])+2)*eps32*mag) {
							t.Fatalf("%s: c[%d][%d] = %v, want %v", what, i, j, got, want)
						}
					}
				}
				results = append(results, cm.s)
				// The row-wise kernel does the same operations in the same
				// order, where both run vector code or both generic code.
				strip := active.sparseColStrip
				if threads == 1 && c.m > 0 && (strip == 0 && active.gemvTRows == nil || strip > 0 && c.n%strip == 0) {
					rowsC := append([]float32(nil), cm.s...)
					for i := 0; i < c.m && c.n > 0; i++ {
						copy(rowsC[i*cm.ld:i*cm.ld+c.n], init[i*cm.ld:])
					}
					GemmSparseRows(c.m, c.n, s.x, c.k, s.rows, b.s, b.ld, rowsC, cm.ld)
					for e, v := range rowsC {
						if math.Float32bits(v) != math.Float32bits(cm.s[e]) {
							t.Fatalf("%s: element %d = %v, GemmSparseRows gives %v", what, e, cm.s[e], v)
						}
					}
				}
			}
			for e := range results[0] {
				if math.Float32bits(results[0][e]) != math.Float32bits(results[1][e]) {
					t.Fatalf("GemmSparseCols %d×%d×%d: element %d differs between 1 and 2 threads", c.m, c.n, c.k, e)
				}
			}
		}
	})
}

func TestOuterUpdateSparseCols(t *testing.T) {
	defer SetThreads(Threads())
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(73, 74))
		for ci, c := range colCases() {
			s := newColBatch(r, c.m, c.k, c.density)
			d := newMatrix(r, c.m, c.n, c.n+c.pad, c.off)
			init := make([]float32, c.k*(c.n+c.pad))
			randFill(r, init)
			alpha := float32(-0.3)
			var results [][]float32
			for _, threads := range []int{1, 2} {
				SetThreads(threads)
				bm := newMatrix(r, c.k, c.n, c.n+c.pad, (c.off+ci)%16)
				for p := 0; p < c.k && c.n > 0; p++ {
					copy(bm.s[p*bm.ld:p*bm.ld+c.n], init[p*bm.ld:])
				}
				OuterUpdateSparseCols(c.m, c.n, c.k, alpha, s.colStart, s.sample, s.val, d.s, d.ld, bm.s, bm.ld)
				what := fmt.Sprintf("OuterUpdateSparseCols %d×%d×%d threads=%d", c.m, c.n, c.k, threads)
				bm.check(t, what)
				d.check(t, what)
				for p := 0; p < c.k; p++ {
					empty := s.colStart[p] == s.colStart[p+1]
					for j := 0; j < c.n; j++ {
						got, was := bm.s[p*bm.ld+j], init[p*bm.ld+j]
						if empty {
							if math.Float32bits(got) != math.Float32bits(was) {
								t.Fatalf("%s: b[%d][%d] of an empty column changed from %v to %v", what, p, j, was, got)
							}
							continue
						}
						var g, mag float64
						for e := s.colStart[p]; e < s.colStart[p+1]; e++ {
							pr := float64(s.val[e]) * d.at(int(s.sample[e]), j)
							g += pr
							mag += math.Abs(pr)
						}
						want := float64(was) + float64(alpha)*g
						tol := float64(s.colStart[p+1]-s.colStart[p]+2) * eps32 * (math.Abs(float64(was)) + math.Abs(float64(alpha))*mag)
						if !closeTo(got, want, tol) {
							t.Fatalf("%s: b[%d][%d] = %v, want %v", what, p, j, got, want)
						}
					}
				}
				results = append(results, bm.s)
			}
			for e := range results[0] {
				if math.Float32bits(results[0][e]) != math.Float32bits(results[1][e]) {
					t.Fatalf("OuterUpdateSparseCols %d×%d×%d: element %d differs between 1 and 2 threads", c.m, c.n, c.k, e)
				}
			}
		}
	})
}

func TestSparseColsPanics(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		// n = 64 is whole strips on every ISA, so the assembly's own
		// index check must catch the bad sample; n = 70 adds a remainder.
		const m, k = 3, 4
		for _, n := range []int{64, 70} {
			b, c := make([]float32, k*n), make([]float32, m*n)
			for _, tc := range []struct {
				colStart, sample []int32
				want             string
			}{
				{[]int32{0, 1, 2, 3}, []int32{0, 1, 2, 0}, "len(colStart) = 4, want k+1 = 5"},
				{[]int32{0, 2, 1, 3, 4}, []int32{0, 1, 2, 0}, "colStart[2] = 1, want a value in [2, 4]"},
				{[]int32{0, 1, 2, 3, 5}, []int32{0, 1, 2, 0}, "colStart[4] = 5, want a value in [3, 4]"},
				{[]int32{0, 1, 2, 3, 4}, []int32{0, 1, 3, 0}, "sample[2] = 3, want an index in [0, 3)"},
				{[]int32{0, 1, 2, 3, 4}, []int32{0, -1, 2, 0}, "sample[1] = -1, want an index in [0, 3)"},
			} {
				val := make([]float32, len(tc.sample))
				for name, call := range map[string]func(){
					"GemmSparseCols":        func() { GemmSparseCols(m, n, k, tc.colStart, tc.sample, val, b, n, c, n) },
					"OuterUpdateSparseCols": func() { OuterUpdateSparseCols(m, n, k, 1, tc.colStart, tc.sample, val, c, n, b, n) },
				} {
					func() {
						defer func() {
							msg, _ := recover().(string)
							if !strings.Contains(msg, tc.want) {
								t.Errorf("%s(colStart %v, sample %v): panic %q, want one containing %q", name, tc.colStart, tc.sample, msg, tc.want)
							}
						}()
						call()
					}()
				}
			}
		}
	})
}
