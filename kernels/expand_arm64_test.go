//go:build !purego

package kernels

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"
)

// TestExpandTablesLayout: the assembly addresses expandTables's fields at
// fixed offsets.
func TestExpandTablesLayout(t *testing.T) {
	var tab expandTables
	for _, f := range []struct {
		name      string
		got, want uintptr
	}{
		{"count4", unsafe.Offsetof(tab.count4), 512},
		{"compress", unsafe.Offsetof(tab.compress), 528},
		{"laneBits", unsafe.Offsetof(tab.laneBits), 784},
	} {
		if f.got != f.want {
			t.Errorf("expandTables.%s at byte %d, the assembly reads it at %d", f.name, f.got, f.want)
		}
	}
}

// TestNEONCompressNonZerosChunks runs a row longer than two neonChunks,
// which the wrapper compresses in three calls, against the generic code,
// with a non-finite entry in each call's piece in turn: the wrapper must
// combine every call's answer.
func TestNEONCompressNonZerosChunks(t *testing.T) {
	r := rand.New(rand.NewPCG(71, 72))
	n := 2*neonChunk + 37
	x := make([]float32, n)
	for i := range x {
		if r.Float64() < 0.1 {
			x[i] = float32(r.Float64() + 0.5)
		}
	}
	for _, bad := range []int{-1, 5, neonChunk + 7, n - 1} {
		y := slices.Clone(x)
		if bad >= 0 {
			y[bad] = float32(math.Inf(1))
		}
		words := (n + 15) / 16
		wantMask, gotMask := make([]uint16, words), make([]uint16, words)
		wantVals, gotVals := make([]float32, n), make([]float32, n)
		wantCount, wantFinite := compressNonZerosGeneric(wantMask, wantVals, y)
		count, finite := neonCompressNonZeros(gotMask, gotVals, y)
		if count != wantCount || finite != wantFinite || !slices.Equal(gotMask, wantMask) || !slices.Equal(gotVals[:count], wantVals[:wantCount]) {
			t.Fatalf("inf at %d: got %d values, finite %v; generic %d, finite %v (masks equal: %v)",
				bad, count, finite, wantCount, wantFinite, slices.Equal(gotMask, wantMask))
		}
	}
}
