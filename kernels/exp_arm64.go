//go:build !purego

package kernels

// The NEON Exp kernel (exp_arm64.s). The wrapper splits long vectors into
// calls of at most neonChunk elements, as stubs_arm64.go does, so the
// goroutine can be preempted in between.

func init() {
	neonImpl.exp = neonExp
}

// expNEON computes
//
//	for i, x := range src {
//		dst[i] = e^x
//	}
//
// as Exp documents it: within 2 units in the last place, 0 for x < ExpMin,
// +Inf for x ≥ 88.72284, NaN for NaN. len(dst) must be at least len(src);
// dst and src must be the same slice or not overlap.
//
//go:noescape
func expNEON(dst, src []float32)

func neonExp(dst, src []float32) {
	for len(src) > neonChunk {
		expNEON(dst[:neonChunk], src[:neonChunk])
		dst, src = dst[neonChunk:], src[neonChunk:]
	}
	expNEON(dst[:len(src)], src)
}
