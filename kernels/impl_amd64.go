//go:build !purego

package kernels

// The amd64 implementations. Each kernel field names the assembly routine
// (or its Go wrapper) for that instruction set.

var avx2Impl = &impl{
	name:         "avx2",
	usable:       func(f features) bool { return f.avx2FMA },
	dot:          dotGeneric,
	axpy:         axpyGeneric,
	outerUpdate:  outerUpdateGeneric,
	relu:         reluGeneric,
	reluBackward: reluBackwardGeneric,
	gemvN:        gemvNGeneric,
	gemvT:        gemvTGeneric,
}

var avx512Impl = &impl{
	name:         "avx512",
	usable:       func(f features) bool { return f.avx512F && f.avx2FMA },
	dot:          dotGeneric,
	axpy:         axpyGeneric,
	outerUpdate:  outerUpdateGeneric,
	relu:         reluGeneric,
	reluBackward: reluBackwardGeneric,
	gemvN:        gemvNGeneric,
	gemvT:        gemvTGeneric,
}
