//go:build !purego

package kernels

// prefetch issues a PRFM PLDL2KEEP for each 64-byte line that x touches;
// len(x) ≥ 1. Hints never fault, so no bounds are needed.
//
//go:noescape
func prefetch(x []float32)
