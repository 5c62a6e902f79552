//go:build !purego

package kernels

import "unsafe"

// prefetch issues a PRFM PLDL2KEEP for each 64-byte line of the n ≥ 1
// bytes at p. Hints never fault, so no bounds are needed.
//
//go:noescape
func prefetch(p unsafe.Pointer, n uintptr)
