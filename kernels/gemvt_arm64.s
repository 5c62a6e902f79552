//go:build !purego

#include "textflag.h"

// func gemvTNEON(m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32)
//
// y = alpha·aᵀ·x + beta·y for the m×n matrix a. First y = beta·y (beta = 0
// stores zeros without reading y, beta = 1 leaves y alone). Then four rows
// at a time, y += c0·a[i,:] + c1·a[i+1,:] + c2·a[i+2,:] + c3·a[i+3,:] with
// ck = alpha·x[i+k] rounded once, 16 columns per iteration, then 4, then
// one; each y element sees the four products in row order, as in the
// generic code. Leftover rows (m mod 4) go through a one-row loop. The
// caller has checked the shapes and that m, n ≥ 1.
TEXT ·gemvTNEON(SB), NOSPLIT, $0-112
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
	MOVD  R3, R10
	MOVD  R5, R11
	FCMPS $(0.0), F29
	BEQ   zeroy
	FMOVS $(1.0), F28
	FCMPS F28, F29
	BEQ   rows
	VDUP  V29.S[0], V29.S4
	CMP   $16, R11
	BLT   scaleby4

scaleby16:
	VLD1   (R10), [V0.S4, V1.S4, V2.S4, V3.S4]
	WORD   $0x6e3ddc00                           // fmul v0.4s, v0.4s, v29.4s
	WORD   $0x6e3ddc21                           // fmul v1.4s, v1.4s, v29.4s
	WORD   $0x6e3ddc42                           // fmul v2.4s, v2.4s, v29.4s
	WORD   $0x6e3ddc63                           // fmul v3.4s, v3.4s, v29.4s
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R10)
	SUB    $16, R11
	CMP    $16, R11
	BGE    scaleby16

scaleby4:
	CMP $4, R11
	BLT scaletail

scaleby4loop:
	VLD1   (R10), [V0.S4]
	WORD   $0x6e3ddc00     // fmul v0.4s, v0.4s, v29.4s
	VST1.P [V0.S4], 16(R10)
	SUB    $4, R11
	CMP    $4, R11
	BGE    scaleby4loop

scaletail:
	CBZ R11, rows

scaletailloop:
	FMOVS   (R10), F0
	FMULS   F29, F0, F0
	FMOVS.P F0, 4(R10)
	SUB     $1, R11
	CBNZ    R11, scaletailloop
	B       rows

zeroy:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	CMP  $16, R11
	BLT  zeroby4

zeroby16:
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R10)
	SUB    $16, R11
	CMP    $16, R11
	BGE    zeroby16

zeroby4:
	CMP $4, R11
	BLT zerotail

zeroby4loop:
	VST1.P [V0.S4], 16(R10)
	SUB    $4, R11
	CMP    $4, R11
	BGE    zeroby4loop

zerotail:
	CBZ R11, rows

zerotailloop:
	MOVW.P ZR, 4(R10)
	SUB    $1, R11
	CBNZ   R11, zerotailloop

rows:
	VDUP V30.S[0], V30.S4
	CMP  $4, R4
	BLT  onerow

rows4:
	VLD1.P 16(R2), [V20.S4]
	WORD   $0x6e3ede94      // fmul v20.4s, v20.4s, v30.4s
	VDUP   V20.S[0], V24.S4
	VDUP   V20.S[1], V25.S4
	VDUP   V20.S[2], V26.S4
	VDUP   V20.S[3], V27.S4
	MOVD   R0, R6
	ADD    R1, R6, R7
	ADD    R1, R7, R8
	ADD    R1, R8, R9
	MOVD   R3, R10
	MOVD   R5, R11
	CMP    $16, R11
	BLT    rows4by4

rows4by16:
	VLD1   (R10), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R6), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P 64(R7), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1.P 64(R8), [V12.S4, V13.S4, V14.S4, V15.S4]
	VLD1.P 64(R9), [V16.S4, V17.S4, V18.S4, V19.S4]
	VFMLA  V24.S4, V4.S4, V0.S4
	VFMLA  V24.S4, V5.S4, V1.S4
	VFMLA  V24.S4, V6.S4, V2.S4
	VFMLA  V24.S4, V7.S4, V3.S4
	VFMLA  V25.S4, V8.S4, V0.S4
	VFMLA  V25.S4, V9.S4, V1.S4
	VFMLA  V25.S4, V10.S4, V2.S4
	VFMLA  V25.S4, V11.S4, V3.S4
	VFMLA  V26.S4, V12.S4, V0.S4
	VFMLA  V26.S4, V13.S4, V1.S4
	VFMLA  V26.S4, V14.S4, V2.S4
	VFMLA  V26.S4, V15.S4, V3.S4
	VFMLA  V27.S4, V16.S4, V0.S4
	VFMLA  V27.S4, V17.S4, V1.S4
	VFMLA  V27.S4, V18.S4, V2.S4
	VFMLA  V27.S4, V19.S4, V3.S4
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R10)
	SUB    $16, R11
	CMP    $16, R11
	BGE    rows4by16

rows4by4:
	CMP $4, R11
	BLT rows4tail

rows4by4loop:
	VLD1   (R10), [V0.S4]
	VLD1.P 16(R6), [V4.S4]
	VLD1.P 16(R7), [V8.S4]
	VLD1.P 16(R8), [V12.S4]
	VLD1.P 16(R9), [V16.S4]
	VFMLA  V24.S4, V4.S4, V0.S4
	VFMLA  V25.S4, V8.S4, V0.S4
	VFMLA  V26.S4, V12.S4, V0.S4
	VFMLA  V27.S4, V16.S4, V0.S4
	VST1.P [V0.S4], 16(R10)
	SUB    $4, R11
	CMP    $4, R11
	BGE    rows4by4loop

rows4tail:
	CBZ R11, rows4next

rows4tailloop:
	FMOVS   (R10), F0
	FMOVS.P 4(R6), F4
	FMOVS.P 4(R7), F8
	FMOVS.P 4(R8), F12
	FMOVS.P 4(R9), F16
	FMADDS  F4, F0, F24, F0   // y += c0·a[i,j]
	FMADDS  F8, F0, F25, F0   // y += c1·a[i+1,j]
	FMADDS  F12, F0, F26, F0  // y += c2·a[i+2,j]
	FMADDS  F16, F0, F27, F0  // y += c3·a[i+3,j]
	FMOVS.P F0, 4(R10)
	SUB     $1, R11
	CBNZ    R11, rows4tailloop

rows4next:
	ADD R13, R0, R0
	SUB $4, R4
	CMP $4, R4
	BGE rows4

onerow:
	CBZ R4, done

onerowloop:
	FMOVS.P 4(R2), F24
	FMULS   F30, F24, F24  // c = alpha·x[i]
	VDUP    V24.S[0], V24.S4
	MOVD    R0, R6
	MOVD    R3, R10
	MOVD    R5, R11
	CMP     $16, R11
	BLT     onerowby4

onerowby16:
	VLD1   (R10), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R6), [V4.S4, V5.S4, V6.S4, V7.S4]
	VFMLA  V24.S4, V4.S4, V0.S4
	VFMLA  V24.S4, V5.S4, V1.S4
	VFMLA  V24.S4, V6.S4, V2.S4
	VFMLA  V24.S4, V7.S4, V3.S4
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R10)
	SUB    $16, R11
	CMP    $16, R11
	BGE    onerowby16

onerowby4:
	CMP $4, R11
	BLT onerowtail

onerowby4loop:
	VLD1   (R10), [V0.S4]
	VLD1.P 16(R6), [V4.S4]
	VFMLA  V24.S4, V4.S4, V0.S4
	VST1.P [V0.S4], 16(R10)
	SUB    $4, R11
	CMP    $4, R11
	BGE    onerowby4loop

onerowtail:
	CBZ R11, onerownext

onerowtailloop:
	FMOVS   (R10), F0
	FMOVS.P 4(R6), F4
	FMADDS  F4, F0, F24, F0 // y += c·a[i,j]
	FMOVS.P F0, 4(R10)
	SUB     $1, R11
	CBNZ    R11, onerowtailloop

onerownext:
	ADD  R1, R0, R0
	SUB  $1, R4
	CBNZ R4, onerowloop

done:
	RET
