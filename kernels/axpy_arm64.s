//go:build !purego

#include "textflag.h"

// func axpyNEON(alpha float32, x, y []float32)
//
// 16 floats per iteration, then 4, then one at a time. Each y element gets
// one fused multiply-add. len(y) ≥ len(x) is the caller's promise.
TEXT ·axpyNEON(SB), NOSPLIT, $0-56
	FMOVS alpha+0(FP), F31
	MOVD  x_base+8(FP), R0
	MOVD  x_len+16(FP), R2
	MOVD  y_base+32(FP), R1
	VDUP  V31.S[0], V31.S4
	CMP   $16, R2
	BLT   by4

by16:
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1   (R1), [V4.S4, V5.S4, V6.S4, V7.S4]
	VFMLA  V31.S4, V0.S4, V4.S4
	VFMLA  V31.S4, V1.S4, V5.S4
	VFMLA  V31.S4, V2.S4, V6.S4
	VFMLA  V31.S4, V3.S4, V7.S4
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R1)
	SUB    $16, R2
	CMP    $16, R2
	BGE    by16

by4:
	CMP $4, R2
	BLT tail

by4loop:
	VLD1.P 16(R0), [V0.S4]
	VLD1   (R1), [V4.S4]
	VFMLA  V31.S4, V0.S4, V4.S4
	VST1.P [V4.S4], 16(R1)
	SUB    $4, R2
	CMP    $4, R2
	BGE    by4loop

tail:
	CBZ R2, done

tailloop:
	FMOVS.P 4(R0), F0
	FMOVS   (R1), F4
	FMADDS  F0, F4, F31, F4 // s4 += alpha·s0
	FMOVS.P F4, 4(R1)
	SUB     $1, R2
	CBNZ    R2, tailloop

done:
	RET
