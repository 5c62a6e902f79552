package kernels

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestPrefetch: Prefetch changes nothing and does not fault, whatever the
// element size, the length and the alignment, up to the last element of a
// slice at the end of its array.
func TestPrefetch(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 62))
	for n := 0; n <= 300; n++ {
		for off := 0; off < 16; off++ {
			floats := at(r, off+n, 0)
			want := slices.Clone(floats)
			Prefetch(floats[off:])
			ints := make([]int, off+n)
			Prefetch(ints[off:])
			bytes := make([]byte, off+n)
			Prefetch(bytes[off:])
			if !slices.Equal(floats, want) || slices.ContainsFunc(ints, func(v int) bool { return v != 0 }) ||
				slices.ContainsFunc(bytes, func(v byte) bool { return v != 0 }) {
				t.Fatalf("n=%d off=%d: Prefetch changed its slice", n, off)
			}
		}
	}
	Prefetch([]float32(nil))
	Prefetch([]struct{}{{}, {}}) // zero bytes
}
