//go:build !purego

// NEON Exp (exp.go), by the method of exp_avx2_amd64.s: e^x = 2^n · e^r
// with n = round(x·log₂e) and r = x − n·ln2, ln2 in two parts so that r is
// nearly exact, and e^r the Taylor polynomial of degree 7, by Horner with
// fused multiply-adds. NEON has no VSCALEFPS either, so 2^n is built from
// exponent bits as 2^h · 2^(n−h) with h = n>>1: both factors are normal
// over n in [−126, 128], and the multiplications by them round once at
// most. Lanes with x < ExpMin are cleared and those with x ≥ 88.72284 set
// to +Inf; a NaN runs through the arithmetic (FCVTNS makes its n 0) and
// stays NaN. FMLA adds into its destination, so each Horner step copies the
// next coefficient into a register and accumulates the previous step into
// it, two registers taking turns.
//
// The main loop takes two vectors (8 floats) at once, interleaved, so that
// one vector's dependent FMLAs fill the other's latency on in-order cores.
// Then one vector at a time, and the last 1..3 elements are gathered lane
// by lane into one vector that runs through the same code, so the tail
// computes the same function; its other lanes hold stale values whose
// results are not stored (floating-point exceptions do not trap).
//
// The Go assembler has no vector FMUL, FRINTN, FCVTNS, SSHR, FCMGT, FCMGE
// or BIC: they are spelled as raw instructions.
//
// Registers: R0 dst, R1 src, R2 elements left, R3 the constants, R5 the
// lanes of the one-vector step (4, or 1..3 in the tail). V16 log₂e, V17
// and V18 the two parts of ln2, V19–V24 the coefficients 1/7! … 1/2!, V25
// 1, V26 ExpMin, V27 88.72284, V28 +Inf, V29 the exponent bias 127. Per
// vector (the second vector's in brackets): V0 [V1] x, V2 [V3] n then the
// bits of 2^h, V4 [V5] r then a lane mask, V6 [V7] and V8 [V9] the Horner
// steps, V6 [V7] the result, V10 [V11] n as an integer then the bits of
// 2^(n−h).

#include "textflag.h"

// EXPCONST fills the 4 lanes of vector i of expConsts4 with bits.
#define EXPCONST(i, bits) \
	DATA expConsts4<>+(i*16+0)(SB)/4, bits; \
	DATA expConsts4<>+(i*16+4)(SB)/4, bits; \
	DATA expConsts4<>+(i*16+8)(SB)/4, bits; \
	DATA expConsts4<>+(i*16+12)(SB)/4, bits

#include "exp_consts.h"
GLOBL expConsts4<>(SB), RODATA|NOPTR, $224

// func expNEON(dst, src []float32)
//
// len(dst) ≥ len(src) is the caller's promise; dst may be src.
TEXT ·expNEON(SB), NOSPLIT, $0-48
	MOVD   dst_base+0(FP), R0
	MOVD   src_base+24(FP), R1
	MOVD   src_len+32(FP), R2
	MOVD   $expConsts4<>(SB), R3
	VLD1.P 64(R3), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1.P 64(R3), [V20.S4, V21.S4, V22.S4, V23.S4]
	VLD1.P 64(R3), [V24.S4, V25.S4, V26.S4, V27.S4]
	VLD1   (R3), [V28.S4, V29.S4]
	CMP    $8, R2
	BLT    by4

by8:
	VLD1.P 32(R1), [V0.S4, V1.S4]
	WORD   $0x6e30dc02             // fmul v2.4s, v0.4s, v16.4s
	WORD   $0x6e30dc23             // fmul v3.4s, v1.4s, v16.4s
	WORD   $0x4e21a84a             // fcvtns v10.4s, v2.4s
	WORD   $0x4e21a86b             // fcvtns v11.4s, v3.4s
	WORD   $0x4e218842             // frintn v2.4s, v2.4s
	WORD   $0x4e218863             // frintn v3.4s, v3.4s
	VMOV   V0.B16, V4.B16
	VMOV   V1.B16, V5.B16
	VFMLS  V2.S4, V17.S4, V4.S4
	VFMLS  V3.S4, V17.S4, V5.S4
	VFMLS  V2.S4, V18.S4, V4.S4
	VFMLS  V3.S4, V18.S4, V5.S4
	VMOV   V20.B16, V6.B16
	VMOV   V20.B16, V7.B16
	VFMLA  V19.S4, V4.S4, V6.S4
	VFMLA  V19.S4, V5.S4, V7.S4
	VMOV   V21.B16, V8.B16
	VMOV   V21.B16, V9.B16
	VFMLA  V6.S4, V4.S4, V8.S4
	VFMLA  V7.S4, V5.S4, V9.S4
	VMOV   V22.B16, V6.B16
	VMOV   V22.B16, V7.B16
	VFMLA  V8.S4, V4.S4, V6.S4
	VFMLA  V9.S4, V5.S4, V7.S4
	VMOV   V23.B16, V8.B16
	VMOV   V23.B16, V9.B16
	VFMLA  V6.S4, V4.S4, V8.S4
	VFMLA  V7.S4, V5.S4, V9.S4
	VMOV   V24.B16, V6.B16
	VMOV   V24.B16, V7.B16
	VFMLA  V8.S4, V4.S4, V6.S4
	VFMLA  V9.S4, V5.S4, V7.S4
	VMOV   V25.B16, V8.B16
	VMOV   V25.B16, V9.B16
	VFMLA  V6.S4, V4.S4, V8.S4
	VFMLA  V7.S4, V5.S4, V9.S4
	VMOV   V25.B16, V6.B16
	VMOV   V25.B16, V7.B16
	VFMLA  V8.S4, V4.S4, V6.S4
	VFMLA  V9.S4, V5.S4, V7.S4
	WORD   $0x4f3f0542             // sshr v2.4s, v10.4s, #1
	WORD   $0x4f3f0563             // sshr v3.4s, v11.4s, #1
	VSUB   V2.S4, V10.S4, V10.S4
	VSUB   V3.S4, V11.S4, V11.S4
	VADD   V29.S4, V2.S4, V2.S4
	VADD   V29.S4, V3.S4, V3.S4
	VADD   V29.S4, V10.S4, V10.S4
	VADD   V29.S4, V11.S4, V11.S4
	VSHL   $23, V2.S4, V2.S4
	VSHL   $23, V3.S4, V3.S4
	VSHL   $23, V10.S4, V10.S4
	VSHL   $23, V11.S4, V11.S4
	WORD   $0x6e22dcc6             // fmul v6.4s, v6.4s, v2.4s
	WORD   $0x6e23dce7             // fmul v7.4s, v7.4s, v3.4s
	WORD   $0x6e2adcc6             // fmul v6.4s, v6.4s, v10.4s
	WORD   $0x6e2bdce7             // fmul v7.4s, v7.4s, v11.4s
	WORD   $0x6ea0e744             // fcmgt v4.4s, v26.4s, v0.4s
	WORD   $0x6ea1e745             // fcmgt v5.4s, v26.4s, v1.4s
	WORD   $0x4e641cc6             // bic v6.16b, v6.16b, v4.16b
	WORD   $0x4e651ce7             // bic v7.16b, v7.16b, v5.16b
	WORD   $0x6e3be404             // fcmge v4.4s, v0.4s, v27.4s
	WORD   $0x6e3be425             // fcmge v5.4s, v1.4s, v27.4s
	VBIT   V4.B16, V28.B16, V6.B16
	VBIT   V5.B16, V28.B16, V7.B16
	VST1.P [V6.S4, V7.S4], 32(R0)
	SUB    $8, R2
	CMP    $8, R2
	BGE    by8

by4:
	CMP    $4, R2
	BLT    tail
	VLD1.P 16(R1), [V0.S4]
	MOVD   $4, R5
	SUB    $4, R2
	B      exp4

tail:
	CBZ    R2, done
	MOVD   R2, R5
	VLD1.P 4(R1), V0.S[0]
	CMP    $2, R5
	BLT    exp4
	VLD1.P 4(R1), V0.S[1]
	CMP    $3, R5
	BLT    exp4
	VLD1.P 4(R1), V0.S[2]

exp4:
	// The first vector's half of by8.
	WORD   $0x6e30dc02             // fmul v2.4s, v0.4s, v16.4s
	WORD   $0x4e21a84a             // fcvtns v10.4s, v2.4s
	WORD   $0x4e218842             // frintn v2.4s, v2.4s
	VMOV   V0.B16, V4.B16
	VFMLS  V2.S4, V17.S4, V4.S4
	VFMLS  V2.S4, V18.S4, V4.S4
	VMOV   V20.B16, V6.B16
	VFMLA  V19.S4, V4.S4, V6.S4
	VMOV   V21.B16, V8.B16
	VFMLA  V6.S4, V4.S4, V8.S4
	VMOV   V22.B16, V6.B16
	VFMLA  V8.S4, V4.S4, V6.S4
	VMOV   V23.B16, V8.B16
	VFMLA  V6.S4, V4.S4, V8.S4
	VMOV   V24.B16, V6.B16
	VFMLA  V8.S4, V4.S4, V6.S4
	VMOV   V25.B16, V8.B16
	VFMLA  V6.S4, V4.S4, V8.S4
	VMOV   V25.B16, V6.B16
	VFMLA  V8.S4, V4.S4, V6.S4
	WORD   $0x4f3f0542             // sshr v2.4s, v10.4s, #1
	VSUB   V2.S4, V10.S4, V10.S4
	VADD   V29.S4, V2.S4, V2.S4
	VADD   V29.S4, V10.S4, V10.S4
	VSHL   $23, V2.S4, V2.S4
	VSHL   $23, V10.S4, V10.S4
	WORD   $0x6e22dcc6             // fmul v6.4s, v6.4s, v2.4s
	WORD   $0x6e2adcc6             // fmul v6.4s, v6.4s, v10.4s
	WORD   $0x6ea0e744             // fcmgt v4.4s, v26.4s, v0.4s
	WORD   $0x4e641cc6             // bic v6.16b, v6.16b, v4.16b
	WORD   $0x6e3be404             // fcmge v4.4s, v0.4s, v27.4s
	VBIT   V4.B16, V28.B16, V6.B16
	CMP    $4, R5
	BLT    storetail
	VST1.P [V6.S4], 16(R0)
	B      by4

storetail:
	VST1.P V6.S[0], 4(R0)
	CMP    $2, R5
	BLT    done
	VST1.P V6.S[1], 4(R0)
	CMP    $3, R5
	BLT    done
	VST1.P V6.S[2], 4(R0)

done:
	RET
