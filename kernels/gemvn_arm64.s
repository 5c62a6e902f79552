//go:build !purego

#include "textflag.h"
#include "gemvn_arm64.h"

// func gemvNNEON(m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32)
//
// y[i] = alpha·(a[i,:]·x) + beta·y[i] for the m×n matrix a, four rows at a
// time: each load of x feeds four rows, two 4-lane partial sums per row.
// The n mod 4 last columns of a row group are gathered one lane per row and
// added as one vector. Leftover rows (m mod 4) go through a one-row loop.
// With beta = 0, y is written without being read. The caller has checked
// the shapes and that m, n ≥ 1.
TEXT ·gemvNNEON(SB), NOSPLIT, $0-112
	MOVD  m+0(FP), R4
	MOVD  n+8(FP), R5
	FMOVS alpha+16(FP), F30
	MOVD  a_base+24(FP), R0
	MOVD  lda+48(FP), R1
	MOVD  x_base+56(FP), R2
	FMOVS beta+80(FP), F29
	MOVD  y_base+88(FP), R3
	LSL   $2, R1, R1        // row stride in bytes
	LSL   $2, R1, R13       // four rows in bytes
	FCMPS $(0.0), F29
	CSET  EQ, R12           // R12 = 1: beta is 0, do not read y
	VDUP  V30.S[0], V30.S4
	VDUP  V29.S[0], V29.S4
	CMP   $4, R4
	BLT   onerow

rows4:
	MOVD R0, R6
	ADD  R1, R6, R7
	ADD  R1, R7, R8
	ADD  R1, R8, R9
	MOVD R2, R10
	MOVD R5, R11
	DOT4(R10, R6, R7, R8, R9, R11)

rows4store:
	WORD $0x6e3ede10 // fmul v16.4s, v16.4s, v30.4s
	CBNZ R12, rows4put
	VLD1 (R3), [V1.S4]
	VFMLA V29.S4, V1.S4, V16.S4

rows4put:
	VST1.P [V16.S4], 16(R3)
	ADD    R13, R0, R0
	SUB    $4, R4
	CMP    $4, R4
	BGE    rows4

onerow:
	CBZ R4, done

onerowloop:
	MOVD R0, R6
	MOVD R2, R10
	MOVD R5, R11
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	CMP  $8, R11
	BLT  onerowby4

onerowby8:
	VLD1.P 32(R10), [V0.S4, V1.S4]
	VLD1.P 32(R6), [V2.S4, V3.S4]
	VFMLA  V0.S4, V2.S4, V16.S4
	VFMLA  V1.S4, V3.S4, V17.S4
	SUB    $8, R11
	CMP    $8, R11
	BGE    onerowby8

onerowby4:
	CMP    $4, R11
	BLT    onerowreduce
	VLD1.P 16(R10), [V0.S4]
	VLD1.P 16(R6), [V2.S4]
	VFMLA  V0.S4, V2.S4, V16.S4
	SUB    $4, R11

onerowreduce:
	WORD $0x4e31d610 // fadd v16.4s, v16.4s, v17.4s
	WORD $0x6e30d610 // faddp v16.4s, v16.4s, v16.4s
	WORD $0x7e30da10 // faddp s16, v16.2s
	CBZ  R11, onerowstore

onerowtail:
	FMOVS.P 4(R10), F0
	FMOVS.P 4(R6), F2
	FMADDS  F0, F16, F2, F16 // s16 += s2·s0
	SUB     $1, R11
	CBNZ    R11, onerowtail

onerowstore:
	FMULS F30, F16, F16 // alpha·sum
	CBNZ  R12, onerowput
	FMOVS (R3), F1
	FMADDS F1, F16, F29, F16 // s16 += beta·y[i]

onerowput:
	FMOVS.P F16, 4(R3)
	ADD     R1, R0, R0
	SUB     $1, R4
	CBNZ    R4, onerowloop

done:
	RET
