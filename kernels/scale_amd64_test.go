//go:build !purego

package kernels

import "testing"

// TestScaleAVX512Lanes16 runs the Scale tests on the 16-lane kernel at every
// length, including those where scaleAVX512 hands the work to the 8-lane
// one, registered for the duration as the only implementation (generic is
// already tested by TestScale).
func TestScaleAVX512Lanes16(t *testing.T) {
	lanes16 := &impl{
		name:   "avx512-16lane",
		usable: avx512Impl.usable,
		scale:  func(alpha float32, x []float32) { scaleInChunks(scaleAVX512Asm, alpha, x) },
	}
	if !lanes16.usable(cpuFeatures()) {
		t.Skip("this CPU has no AVX-512F")
	}
	saved, savedActive := impls, active
	impls = []*impl{lanes16}
	defer func() { impls, active = saved, savedActive }()
	t.Run("Scale", TestScale)
	t.Run("Empty", TestScaleEmpty)
}
