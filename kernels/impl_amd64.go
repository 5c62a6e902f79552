//go:build !purego

package kernels

// The amd64 implementations. Each kernel field names the assembly routine's
// Go wrapper for that instruction set (stubs_amd64.go).

var avx2Impl = &impl{
	name:         "avx2",
	usable:       func(f features) bool { return f.avx2FMA },
	dot:          dotAVX2,
	axpy:         axpyAVX2,
	outerUpdate:  outerUpdateAVX2,
	relu:         reluAVX2,
	reluBackward: reluBackwardAVX2,
	gemvN:        gemvNAVX2,
	gemvT:        gemvTAVX2,
}

var avx512Impl = &impl{
	name:         "avx512",
	usable:       func(f features) bool { return f.avx512F && f.avx2FMA },
	dot:          dotAVX512,
	axpy:         axpyAVX512,
	outerUpdate:  outerUpdateAVX512,
	relu:         reluAVX512,
	reluBackward: reluBackwardAVX512,
	gemvN:        gemvNAVX512,
	gemvT:        gemvTAVX512,
}
