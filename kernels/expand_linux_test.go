package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"
)

// fencedSlice returns n elements of T placed against an inaccessible page: at
// the start of pageFencedFloats's memory, or with atEnd at its end.
func fencedSlice[T any](t *testing.T, n int, atEnd bool) []T {
	var zero T
	size := int(unsafe.Sizeof(zero))
	f := pageFencedFloats(t, (n*size+3)/4)
	all := unsafe.Slice((*T)(unsafe.Pointer(&f[0])), 4*len(f)/size)
	if atEnd {
		return all[len(all)-n:]
	}
	return all[:n]
}

// TestNonZerosMasksPageFences runs CompressNonZeros and ExpandNonZeros on
// every implementation with each operand against an inaccessible page, at
// its start and at its end, with vals exactly as long as needed: the
// guards of expand_test.go catch stray writes; only this catches stray
// reads (of vals, above all, whose last values the kernels must not load
// a whole vector of).
func TestNonZerosMasksPageFences(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(69, 70))
		lengths := []int{1000, 4099}
		for n := 0; n <= 300; n++ {
			lengths = append(lengths, n)
		}
		for ci, n := range lengths {
			for _, density := range []float64{0, 0.05, 0.19, 0.6, 1} {
				for _, atEnd := range []bool{false, true} {
					what := fmt.Sprintf("n=%d density=%.2f atEnd=%v", n, density, atEnd)
					mask, vals, want, wantIdx := expandCase(r, n, density, 0, ci%2 == 0)
					fm, fv := fencedSlice[uint16](t, len(mask), atEnd), fencedSlice[float32](t, len(vals), atEnd)
					fx, fi := fencedSlice[float32](t, n, atEnd), fencedSlice[int32](t, n, atEnd)
					copy(fm, mask)
					copy(fv, vals)
					if c := ExpandNonZeros(fx, fi, fm, fv); c != len(wantIdx) || !slices.Equal(fi[:c], wantIdx) || !slices.Equal(fx, want) {
						t.Fatalf("ExpandNonZeros %s: wrong result", what)
					}
					fv2 := fencedSlice[float32](t, n, atEnd)
					c, finite := CompressNonZeros(fm, fv2, fx)
					if c != len(vals) || !finite || !slices.EqualFunc(fv2[:c], vals, func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }) {
						t.Fatalf("CompressNonZeros %s: wrong result", what)
					}
				}
			}
		}
	})
}
