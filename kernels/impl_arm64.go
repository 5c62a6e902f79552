//go:build !purego

package kernels

// The arm64 implementation. Each kernel field names the assembly routine
// (or its Go wrapper).

var neonImpl = &impl{
	name:         "neon",
	usable:       func(f features) bool { return f.asimd },
	dot:          dotGeneric,
	axpy:         axpyGeneric,
	outerUpdate:  outerUpdateGeneric,
	relu:         reluGeneric,
	reluBackward: reluBackwardGeneric,
	gemvN:        gemvNGeneric,
	gemvT:        gemvTGeneric,
}
