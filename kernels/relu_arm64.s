//go:build !purego

#include "textflag.h"

// Both kernels build the mask src > 0 with FCMGT against zero, which is
// false for NaN and for −0, and AND it with the value kept: Relu(NaN) and
// Relu(−0) are +0 bit for bit, as in the generic code.

// func reluNEON(dst, src []float32)
//
// len(dst) ≥ len(src) is the caller's promise; dst may be src.
TEXT ·reluNEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R0
	MOVD src_base+24(FP), R1
	MOVD src_len+32(FP), R2
	CMP  $16, R2
	BLT  by4

by16:
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4]
	WORD   $0x4ea0c804                          // fcmgt v4.4s, v0.4s, #0.0
	WORD   $0x4ea0c825                          // fcmgt v5.4s, v1.4s, #0.0
	WORD   $0x4ea0c846                          // fcmgt v6.4s, v2.4s, #0.0
	WORD   $0x4ea0c867                          // fcmgt v7.4s, v3.4s, #0.0
	VAND   V0.B16, V4.B16, V4.B16
	VAND   V1.B16, V5.B16, V5.B16
	VAND   V2.B16, V6.B16, V6.B16
	VAND   V3.B16, V7.B16, V7.B16
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R0)
	SUB    $16, R2
	CMP    $16, R2
	BGE    by16

by4:
	CMP $4, R2
	BLT tail

by4loop:
	VLD1.P 16(R1), [V0.S4]
	WORD   $0x4ea0c804     // fcmgt v4.4s, v0.4s, #0.0
	VAND   V0.B16, V4.B16, V4.B16
	VST1.P [V4.S4], 16(R0)
	SUB    $4, R2
	CMP    $4, R2
	BGE    by4loop

tail:
	CBZ R2, done

tailloop:
	// One lane at a time; the other lanes hold stale values and are not stored.
	VLD1.P 4(R1), V0.S[0]
	WORD   $0x4ea0c804    // fcmgt v4.4s, v0.4s, #0.0
	VAND   V0.B16, V4.B16, V4.B16
	VST1.P V4.S[0], 4(R0)
	SUB    $1, R2
	CBNZ   R2, tailloop

done:
	RET

// func reluBackwardNEON(delta, act []float32)
//
// len(act) ≥ len(delta) is the caller's promise.
TEXT ·reluBackwardNEON(SB), NOSPLIT, $0-48
	MOVD delta_base+0(FP), R0
	MOVD delta_len+8(FP), R2
	MOVD act_base+24(FP), R1
	CMP  $16, R2
	BLT  by4

by16:
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1   (R0), [V8.S4, V9.S4, V10.S4, V11.S4]
	WORD   $0x4ea0c804                             // fcmgt v4.4s, v0.4s, #0.0
	WORD   $0x4ea0c825                             // fcmgt v5.4s, v1.4s, #0.0
	WORD   $0x4ea0c846                             // fcmgt v6.4s, v2.4s, #0.0
	WORD   $0x4ea0c867                             // fcmgt v7.4s, v3.4s, #0.0
	VAND   V4.B16, V8.B16, V8.B16
	VAND   V5.B16, V9.B16, V9.B16
	VAND   V6.B16, V10.B16, V10.B16
	VAND   V7.B16, V11.B16, V11.B16
	VST1.P [V8.S4, V9.S4, V10.S4, V11.S4], 64(R0)
	SUB    $16, R2
	CMP    $16, R2
	BGE    by16

by4:
	CMP $4, R2
	BLT tail

by4loop:
	VLD1.P 16(R1), [V0.S4]
	VLD1   (R0), [V8.S4]
	WORD   $0x4ea0c804     // fcmgt v4.4s, v0.4s, #0.0
	VAND   V4.B16, V8.B16, V8.B16
	VST1.P [V8.S4], 16(R0)
	SUB    $4, R2
	CMP    $4, R2
	BGE    by4loop

tail:
	CBZ R2, done

tailloop:
	VLD1.P 4(R1), V0.S[0]
	VLD1   (R0), V8.S[0]
	WORD   $0x4ea0c804    // fcmgt v4.4s, v0.4s, #0.0
	VAND   V4.B16, V8.B16, V8.B16
	VST1.P V8.S[0], 4(R0)
	SUB    $1, R2
	CBNZ   R2, tailloop

done:
	RET
