package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// gemvNRowsCases are rowCases with m the rows of a (and of y) and n the
// length of x, plus every number of rows up to 300 at the row lengths
// around the 16-lane tree (1, 10, 16, 17), so that the kernels' groups of
// rows (4 or 16) end at every place.
func gemvNRowsCases() []rowCase {
	cs := rowCases()
	for m := 0; m <= 300; m++ {
		for i, n := range []int{1, 10, 16, 17} {
			cs = append(cs, rowCase{m: m, n: n, pad: (m + i) % 3 * 3, off: (m + i) % 16, density: 0.6,
				shuffled: m%2 == 0, dups: m%5 == 0})
		}
	}
	return cs
}

func TestGemvNRows(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(61, 62))
		for ci, c := range gemvNRowsCases() {
			a := newMatrix(r, c.m, c.n, c.n+c.pad, c.off)
			x := at(r, c.n, (c.off+5)%16)
			y, checkY := guarded(c.m, (c.off+ci)%16)
			randFill(r, y)
			before := slices.Clone(y)
			rows := rowList(r, c.m, c.density, c.shuffled, c.dups)
			GemvNRows(y, a.s, a.ld, x, rows)
			what := fmt.Sprintf("GemvNRows %d×%d lda=%d, %d rows", c.m, c.n, a.ld, len(rows))
			checkY(t, what)
			a.check(t, what)
			for i := range y {
				if !slices.Contains(rows, int32(i)) {
					if math.Float32bits(y[i]) != math.Float32bits(before[i]) {
						t.Fatalf("%s: unlisted y[%d] changed from %v to %v", what, i, before[i], y[i])
					}
					continue
				}
				var want, mag float64
				for j := 0; j < c.n; j++ {
					p := a.at(i, j) * float64(x[j])
					want += p
					mag += math.Abs(p)
				}
				if !closeTo(y[i], want, float64(c.n+2)*eps32*mag) {
					t.Fatalf("%s: y[%d] = %v, want %v", what, i, y[i], want)
				}
			}
		}
	})
}

// TestGemvNRowsPlaceFree checks the promise that a row's result does not
// depend on where it comes in the list: each row listed alone gives the
// same bits as in a long shuffled list (where it falls anywhere in the
// kernels' groups of rows).
func TestGemvNRowsPlaceFree(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(63, 64))
		for _, n := range []int{1, 7, 10, 16, 17, 40, 129} {
			const m = 53
			a := newMatrix(r, m, n, n+1, 3)
			x := at(r, n, 1)
			rows := rowList(r, m, 1, true, true)
			all := make([]float32, m)
			GemvNRows(all, a.s, a.ld, x, rows)
			for i := 0; i < m; i++ {
				one := make([]float32, m)
				GemvNRows(one, a.s, a.ld, x, []int32{int32(i)})
				if math.Float32bits(one[i]) != math.Float32bits(all[i]) {
					t.Fatalf("n=%d: row %d alone gives %v, in the list %v", n, i, one[i], all[i])
				}
			}
		}
	})
}

// TestGemvNRowsSpecials checks that NaN and ±Inf in a row or in x reach the
// listed results as a dot product would carry them.
func TestGemvNRowsSpecials(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		inf := float32(math.Inf(1))
		nan := float32(math.NaN())
		for _, n := range []int{3, 16, 20} {
			a := make([]float32, 4*n)
			x := make([]float32, n)
			for j := range x {
				x[j] = 1
			}
			a[0*n+1] = inf
			a[1*n+n-1] = nan
			a[2*n] = inf
			a[2*n+1] = -inf
			y := make([]float32, 4)
			GemvNRows(y, a, n, x, []int32{3, 2, 1, 0})
			if !math.IsInf(float64(y[0]), 1) || !math.IsNaN(float64(y[1])) || !math.IsNaN(float64(y[2])) || y[3] != 0 {
				t.Fatalf("n=%d: got %v, want [+Inf NaN NaN 0]", n, y)
			}
		}
	})
}

func TestGemvNRowsPanics(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		a := make([]float32, 5*8) // 5 rows of 6 with lda 8 fit, plus a partial sixth
		x := make([]float32, 6)
		y := make([]float32, 5)
		for _, c := range []struct {
			rows []int32
			lda  int
			x, y []float32
			want string
		}{
			{[]int32{0, 5}, 8, x, y, "rows[1] = 5, want an index in [0, 5)"},
			{[]int32{-1}, 8, x, y, "rows[0] = -1"},
			{[]int32{1, 2, 4}, 8, x, y[:4], "rows[2] = 4, want an index in [0, 4)"},
			{[]int32{2}, 5, x, y, "lda = 5, want at least len(x) = 6"},
			{[]int32{0, 1, 2, 3, 4, 3, 2, 1, 0, 1, 2, 3, 4, 3, 2, 1, 0, 9}, 8, x, y, "rows[17] = 9"},
			{[]int32{0, 5}, 8, x[:0], y, "rows[1] = 5, want an index in [0, 5)"},
		} {
			msg := func() (msg string) {
				defer func() { msg = fmt.Sprint(recover()) }()
				GemvNRows(c.y, a, c.lda, c.x, c.rows)
				return ""
			}()
			if !strings.Contains(msg, "GemvNRows") || !strings.Contains(msg, c.want) {
				t.Errorf("rows %v, lda %d, len(x) %d: panic %q, want one naming %q", c.rows, c.lda, len(c.x), msg, c.want)
			}
		}
	})
}

// TestGemvNRowsEmpty: empty rows (len(x) = 0) set the listed entries to 0
// without reading a, and an empty list does nothing.
func TestGemvNRowsEmpty(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		y := []float32{1, 2, 3}
		GemvNRows(y, nil, 0, nil, []int32{2, 0})
		if y[0] != 0 || y[1] != 2 || y[2] != 0 {
			t.Fatalf("len(x) = 0: y = %v, want [0 2 0]", y)
		}
		GemvNRows(y, nil, 4, make([]float32, 4), nil)
	})
}

// BenchmarkGemvNRows times the delta a 10-wide output layer hands down to a
// relu layer of 128 (per-sample MNIST training), half of its units listed,
// beside the dense Gemv it replaces.
//
//	go test -run '^$' -bench GemvNRows -benchtime 200ms ./kernels/
func BenchmarkGemvNRows(b *testing.B) {
	r := rand.New(rand.NewPCG(65, 66))
	for _, s := range []struct{ m, n int }{{128, 10}, {512, 256}} {
		a := at(r, s.m*s.n, 0)
		x := at(r, s.n, 0)
		y := make([]float32, s.m)
		rows := rowList(r, s.m, 0.5, false, false)
		b.Run(fmt.Sprintf("%dx%d/rows=half", s.m, s.n), func(b *testing.B) {
			for b.Loop() {
				GemvNRows(y, a, s.n, x, rows)
			}
		})
		b.Run(fmt.Sprintf("%dx%d/dense", s.m, s.n), func(b *testing.B) {
			for b.Loop() {
				Gemv(false, s.m, s.n, 1, a, s.n, x, 0, y)
			}
		})
	}
}
