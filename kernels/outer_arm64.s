//go:build !purego

#include "textflag.h"

// func outerUpdateNEON(alpha float32, x, y, a []float32, lda int)
//
// Row i of the len(x)×len(y) matrix a gets a[i,:] += (alpha·x[i])·y, an
// axpy whose coefficient is rounded once per row as in the generic code:
// 16 floats per iteration, then 4, then one at a time. The caller has
// checked that a holds the matrix and that len(x), len(y) ≥ 1.
TEXT ·outerUpdateNEON(SB), NOSPLIT, $0-88
	FMOVS alpha+0(FP), F30
	MOVD  x_base+8(FP), R3
	MOVD  x_len+16(FP), R4
	MOVD  y_base+32(FP), R5
	MOVD  y_len+40(FP), R6
	MOVD  a_base+56(FP), R7
	MOVD  lda+80(FP), R8
	LSL   $2, R8, R8    // row stride in bytes

row:
	FMOVS.P 4(R3), F31
	FMULS   F30, F31, F31 // s31 = alpha·x[i]
	VDUP    V31.S[0], V31.S4
	MOVD    R5, R0        // y
	MOVD    R7, R1        // a[i,:]
	MOVD    R6, R2        // columns left
	CMP     $16, R2
	BLT     by4

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
	CBZ R2, nextrow

tailloop:
	FMOVS.P 4(R0), F0
	FMOVS   (R1), F4
	FMADDS  F0, F4, F31, F4 // s4 += s31·s0
	FMOVS.P F4, 4(R1)
	SUB     $1, R2
	CBNZ    R2, tailloop

nextrow:
	ADD  R8, R7, R7
	SUB  $1, R4
	CBNZ R4, row
	RET
