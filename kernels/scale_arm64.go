//go:build !purego

package kernels

// The NEON Scale kernel (scale_arm64.s). The wrapper splits long vectors
// into calls of at most neonChunk elements, as stubs_arm64.go does, so the
// goroutine can be preempted in between.

func init() {
	neonImpl.scale = neonScale
}

// scaleNEON computes
//
//	for i := range x {
//		x[i] *= alpha
//	}
//
// with one float32 multiplication per element.
//
//go:noescape
func scaleNEON(alpha float32, x []float32)

func neonScale(alpha float32, x []float32) {
	for len(x) > neonChunk {
		scaleNEON(alpha, x[:neonChunk])
		x = x[neonChunk:]
	}
	scaleNEON(alpha, x)
}
