package kernels

import "unsafe"

// Prefetch asks the CPU to start bringing x into its caches (the core's L2)
// without waiting for it, so that a later pass over x finds it there. It
// has no effect on any result; where there is no assembly (purego, other
// architectures) it does nothing.
func Prefetch[T any](x []T) {
	if n := uintptr(len(x)) * unsafe.Sizeof(*new(T)); n > 0 {
		prefetch(unsafe.Pointer(unsafe.SliceData(x)), n)
	}
}
