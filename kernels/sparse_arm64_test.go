//go:build !purego && linux

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"
)

// Tests of the NEON sparse-row kernels beyond the shared sweeps
// (sparse_test.go): reads and writes next to a fence on each side of every
// operand, the splitting of long work into calls, and the index check that
// runs before the assembly touches anything.

// sparseFencedLengths add, to the lengths around every vector loop, those
// around the 64-column strip and its tails.
var sparseFencedLengths = append(slices.Clone(fencedLengths[1:]), 65, 79, 80, 127, 128, 129, 131, 195)

func TestNEONSparseRowsFences(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 52))
	const m = 5
	// The first and the last row are listed, so the reads of a and x reach
	// both ends of their operands.
	rows := []int32{m - 1, 0, 2, m - 1}
	for _, n := range sparseFencedLengths {
		for _, pad := range []int{0, 3} {
			for _, atEnd := range []bool{false, true} {
				what := fmt.Sprintf("n=%d lda=%d atEnd=%v", n, n+pad, atEnd)
				lda := n + pad
				a0, x0, y0 := randomFloats(r, (m-1)*lda+n), randomFloats(r, m), randomFloats(r, n)
				a, x, y := fenced(t, a0, atEnd), fenced(t, x0, atEnd), fenced(t, y0, atEnd)
				limit := rowLimit(len(a), n, lda, len(x))

				want := slices.Clone(y0)
				gemvTRowsGeneric(want, a0, lda, x0, rows, limit)
				if bad := neonGemvTRows(y, a, lda, x, rows, limit); bad != -1 {
					t.Fatalf("%s: gemvTRows reports rows[%d] bad", what, bad)
				}
				for j := range y {
					if !agreeWithin(y[j], want[j], 1e-5) {
						t.Fatalf("%s: gemvTRows y[%d] = %v, generic %v", what, j, y[j], want[j])
					}
				}

				wantA := slices.Clone(a0)
				outerUpdateRowsGeneric(-0.5, x0, rows, y0, wantA, lda, limit)
				if bad := neonOuterUpdateRows(-0.5, x, rows, y0, a, lda, limit); bad != -1 {
					t.Fatalf("%s: outerUpdateRows reports rows[%d] bad", what, bad)
				}
				for i := range a {
					if !agreeWithin(a[i], wantA[i], 1e-5) {
						t.Fatalf("%s: outerUpdateRows a[%d] = %v, generic %v", what, i, a[i], wantA[i])
					}
				}
			}
		}
	}
}

func TestNEONSparseRowsChunks(t *testing.T) {
	r := rand.New(rand.NewPCG(53, 54))
	// A row longer than a chunk (column pieces), and more rows of 16 than
	// one call takes (row groups).
	for _, sh := range []struct{ m, n, listed int }{{3, neonChunk + 21, 4}, {50, 16, 3*neonChunk/16 + 5}} {
		lda := sh.n + 1
		a0, x := randomFloats(r, (sh.m-1)*lda+sh.n), randomFloats(r, sh.m)
		y0 := randomFloats(r, sh.n)
		rows := make([]int32, sh.listed)
		for k := range rows {
			rows[k] = int32(r.IntN(sh.m))
		}
		limit := rowLimit(len(a0), sh.n, lda, len(x))
		what := fmt.Sprintf("%d×%d, %d rows", sh.m, sh.n, sh.listed)

		want, got := slices.Clone(y0), slices.Clone(y0)
		gemvTRowsGeneric(want, a0, lda, x, rows, limit)
		neonGemvTRows(got, a0, lda, x, rows, limit)
		tol := float32(sh.listed) * 2e-6
		for j := range got {
			if !agreeWithin(got[j], want[j], tol) {
				t.Fatalf("%s: gemvTRows y[%d] = %v, generic %v", what, j, got[j], want[j])
			}
		}

		wantA, gotA := slices.Clone(a0), slices.Clone(a0)
		outerUpdateRowsGeneric(0.01, x, rows, y0, wantA, lda, limit)
		neonOuterUpdateRows(0.01, x, rows, y0, gotA, lda, limit)
		for i := range gotA {
			if !agreeWithin(gotA[i], wantA[i], tol) {
				t.Fatalf("%s: outerUpdateRows a[%d] = %v, generic %v", what, i, gotA[i], wantA[i])
			}
		}
	}
}

// TestNEONSparseRowsBadIndex checks that the wrappers find a bad index
// (past the limit, or negative) before the assembly runs, so y and a come
// back unchanged.
func TestNEONSparseRowsBadIndex(t *testing.T) {
	r := rand.New(rand.NewPCG(55, 56))
	const m, n = 6, 70
	a0, x, y0 := randomFloats(r, m*n), randomFloats(r, m), randomFloats(r, n)
	for _, c := range []struct {
		rows  []int32
		limit int
		bad   int
	}{
		{[]int32{0, 1, 6}, m, 2},
		{[]int32{3, -1, 2}, m, 1},
		{[]int32{5, 4}, 5, 0},
	} {
		y, a := slices.Clone(y0), slices.Clone(a0)
		if got := neonGemvTRows(y, a, n, x, c.rows, c.limit); got != c.bad {
			t.Errorf("gemvTRows with rows %v, limit %d: bad = %d, want %d", c.rows, c.limit, got, c.bad)
		}
		if got := neonOuterUpdateRows(1, x, c.rows, y, a, n, c.limit); got != c.bad {
			t.Errorf("outerUpdateRows with rows %v, limit %d: bad = %d, want %d", c.rows, c.limit, got, c.bad)
		}
		if !sameBits(y, y0) || !sameBits(a, a0) {
			t.Errorf("rows %v, limit %d: y or a changed before the bad index was reported", c.rows, c.limit)
		}
	}
}

// nonZerosInput returns n floats of which about density are non-zero, with
// −0 and +0 among the zeros and the non-zeros, specials included, spread
// over every lane position.
func nonZerosInput(r *rand.Rand, n int, density float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		switch {
		case r.Float64() < density:
			x[i] = math.Float32frombits(nonZeroSpecials[r.IntN(len(nonZeroSpecials))])
			if r.IntN(2) == 0 {
				x[i] = float32(r.Float64() - 0.5)
			}
		case r.IntN(2) == 0:
			x[i] = float32(math.Copysign(0, -1))
		}
	}
	return x
}

func TestNEONNonZerosFences(t *testing.T) {
	r := rand.New(rand.NewPCG(57, 58))
	for _, n := range sparseFencedLengths {
		for _, atEnd := range []bool{false, true} {
			x0 := nonZerosInput(r, n, []float64{0, 0.05, 0.3}[n%3])
			x := fenced(t, x0, atEnd)
			// The idx fence is an int32 buffer of the same length as x.
			idxMem := fenced(t, make([]float32, n), atEnd)
			idx := floatsToInt32s(idxMem)
			want := make([]int32, n)
			wantCount, wantFinite := nonZerosGeneric(want, x0)
			count, finite := neonNonZeros(idx, x)
			if count != wantCount || finite != wantFinite || !slices.Equal(idx[:count], want[:wantCount]) {
				t.Fatalf("n=%d atEnd=%v: got %d positions %v finite %v, generic %d %v %v",
					n, atEnd, count, idx[:count], finite, wantCount, want[:wantCount], wantFinite)
			}
		}
	}
}

// TestNEONNonZerosChunks checks the positions and the finiteness across the
// calls of at most neonChunk floats: the non-finite entry is in the last
// chunk only, and non-zeros sit right at the chunk boundaries.
func TestNEONNonZerosChunks(t *testing.T) {
	r := rand.New(rand.NewPCG(59, 60))
	n := 2*neonChunk + 37
	x := make([]float32, n)
	for i := range x {
		if r.Float64() < 0.1 {
			x[i] = float32(r.Float64() + 0.5)
		}
	}
	for _, i := range []int{neonChunk - 1, neonChunk, 2 * neonChunk, n - 1} {
		x[i] = -3
	}
	for _, plantInf := range []bool{false, true} {
		if plantInf {
			x[2*neonChunk+5] = float32(math.Inf(-1))
		}
		want, got := make([]int32, n), make([]int32, n)
		wantCount, wantFinite := nonZerosGeneric(want, x)
		count, finite := neonNonZeros(got, x)
		if count != wantCount || finite != wantFinite || !slices.Equal(got[:count], want[:wantCount]) {
			t.Fatalf("n=%d inf=%v: got %d positions, finite %v; generic %d, finite %v (equal prefix: %v)",
				n, plantInf, count, finite, wantCount, wantFinite, slices.Equal(got[:min(count, wantCount)], want[:min(count, wantCount)]))
		}
	}
}

// floatsToInt32s views fenced float memory as int32s (the same size).
func floatsToInt32s(f []float32) []int32 {
	if len(f) == 0 {
		return nil
	}
	return unsafe.Slice((*int32)(unsafe.Pointer(&f[0])), len(f))
}
