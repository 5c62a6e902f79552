//go:build !purego

package kernels

// prefetch issues a PREFETCHT1 (to L2 and beyond) for each 64-byte line
// that x touches; len(x) ≥ 1. Hints never fault, so no bounds are needed.
//
//go:noescape
func prefetch(x []float32)
