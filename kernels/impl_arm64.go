//go:build !purego

package kernels

// The arm64 implementation. Each kernel field names the Go wrapper of its
// assembly routine (stubs_arm64.go); the GEMM micro-kernel has an 8×8 tile.

var neonImpl = &impl{
	name:         "neon",
	usable:       func(f features) bool { return f.asimd },
	dot:          neonDot,
	axpy:         neonAxpy,
	outerUpdate:  neonOuterUpdate,
	relu:         neonRelu,
	reluBackward: neonReluBackward,
	gemvN:        neonGemvN,
	gemvT:        neonGemvT,
	gemm:         gemmMicro{kernel: gemmKernel8x8NEON, mr: 8, nr: 8},
}
