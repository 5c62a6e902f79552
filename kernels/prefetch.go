package kernels

import "unsafe"

// Prefetch asks the CPU to start bringing x into its caches (the core's L2)
// without waiting for it, so that a later pass over x finds it there. It
// has no effect on any result; where there is no assembly (purego, other
// architectures) it does nothing.
func Prefetch(x []float32) {
	if len(x) > 0 {
		prefetch(x)
	}
}

// PrefetchInt32 is Prefetch for int32 data (index lists).
func PrefetchInt32(x []int32) {
	if len(x) > 0 {
		prefetch(unsafe.Slice((*float32)(unsafe.Pointer(&x[0])), len(x)))
	}
}
