package kernels

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestPrefetch: Prefetch and PrefetchInt32 change nothing and do not
// fault, whatever the length and the alignment, up to the last element of
// a slice at the end of its array.
func TestPrefetch(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 62))
	for n := 0; n <= 300; n++ {
		for off := 0; off < 16; off++ {
			buf := at(r, off+n, 0)
			want := slices.Clone(buf)
			Prefetch(buf[off:])
			idx := make([]int32, off+n)
			PrefetchInt32(idx[off:])
			if !slices.Equal(buf, want) || slices.ContainsFunc(idx, func(v int32) bool { return v != 0 }) {
				t.Fatalf("n=%d off=%d: Prefetch changed its slice", n, off)
			}
		}
	}
	Prefetch(nil)
	PrefetchInt32(nil)
}
