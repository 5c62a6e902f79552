//go:build !purego

package bench

import "golang.org/x/sys/cpu"

// fmaLoopYMM runs iters iterations of twelve independent YMM chains
// acc = a·acc + b (each chain starts at b), 12·2·8 flops per iteration, and
// returns lane 0 of the sum of the chains:
//
//	acc := b
//	for range iters {
//		acc = a*acc + b
//	}
//	return 12 * acc
//
// It needs AVX2 and FMA.
//
//go:noescape
func fmaLoopYMM(iters int, a, b float32) float32

// fmaLoopZMM is fmaLoopYMM on ZMM registers: 12·2·16 flops per iteration.
// It needs AVX-512F.
//
//go:noescape
func fmaLoopZMM(iters int, a, b float32) float32

// dotLoopYMM reads x and y passes times, with two YMM loads per FMA, and
// returns the sum over all passes of x[i]·y[i]. len(x) must be a multiple of
// 64 and len(y) ≥ len(x). It needs AVX2 and FMA.
//
//go:noescape
func dotLoopYMM(x, y []float32, passes int) float32

// dotLoopZMM is dotLoopYMM on ZMM registers; len(x) must be a multiple of
// 128. It needs AVX-512F.
//
//go:noescape
func dotLoopZMM(x, y []float32, passes int) float32

// axpyLoopYMM runs y[i] += alpha·x[i] over all i, passes times, with YMM
// loads and stores. len(x) must be a multiple of 64 and len(y) ≥ len(x). It
// needs AVX2 and FMA.
//
//go:noescape
func axpyLoopYMM(alpha float32, x, y []float32, passes int)

// axpyLoopZMM is axpyLoopYMM on ZMM registers; len(x) must be a multiple of
// 128. It needs AVX-512F.
//
//go:noescape
func axpyLoopZMM(alpha float32, x, y []float32, passes int)

// asmProbes lists the register widths this CPU can run the assembly probes
// at, widest first. cpu.X86 includes the operating system's support for the
// YMM and ZMM state.
func asmProbes() []probe {
	var ps []probe
	if cpu.X86.HasAVX512F {
		ps = append(ps, probe{width: "zmm", lanes: 16, block: 128, fma: fmaLoopZMM, dot: dotLoopZMM, axpy: axpyLoopZMM})
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ps = append(ps, probe{width: "ymm", lanes: 8, block: 64, fma: fmaLoopYMM, dot: dotLoopYMM, axpy: axpyLoopYMM})
	}
	return ps
}
