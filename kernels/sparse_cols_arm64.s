//go:build !purego

#include "textflag.h"

// Both kernels walk the columns p of X and, within one, its entries e in
// [colStart[p], colStart[p+1]): the sample index is checked (unsigned, so
// a negative one fails too) before its row is touched, and the entry of
// the first bad one is returned. The Go wrappers (sparse_cols_arm64.go)
// have checked colStart and the shapes.

// func gemmSparseColsNEON(m, k int, colStart, sample []int32, val, b []float32, ldb int, c []float32, ldc int) int
//
// Row p of the strip of b sits in V0–V7 while the column's entries pass:
// each adds val[e]·b[p,:] to row sample[e] of c, loaded, updated and
// stored 16 floats at a time.
TEXT ·gemmSparseColsNEON(SB), NOSPLIT, $0-160
	MOVD  m+0(FP), R0
	MOVD  k+8(FP), R1
	MOVD  colStart_base+16(FP), R2
	MOVD  sample_base+40(FP), R3
	MOVD  val_base+64(FP), R4
	MOVD  b_base+88(FP), R5        // row p of b
	MOVD  ldb+112(FP), R6
	LSL   $2, R6, R6               // row stride of b in bytes
	MOVD  c_base+120(FP), R7
	MOVD  ldc+144(FP), R8
	LSL   $2, R8, R8               // row stride of c in bytes
	CBZ   R1, finished
	MOVWU (R2), R9                 // the next entry e

column:
	MOVWU.W 4(R2), R10             // the end of column p
	CMP     R10, R9
	BGE     nextcolumn
	ADD     $64, R5, R11
	VLD1    (R5), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1    (R11), [V4.S4, V5.S4, V6.S4, V7.S4]

entry:
	ADD    R9<<2, R3, R11
	MOVW   (R11), R12                                // i = sample[e]
	CMP    R0, R12
	BHS    bad
	ADD    R9<<2, R4, R11
	FMOVS  (R11), F28
	VDUP   V28.S[0], V28.S4
	MUL    R8, R12, R13
	ADD    R7, R13, R13
	VLD1   (R13), [V16.S4, V17.S4, V18.S4, V19.S4]
	VFMLA  V28.S4, V0.S4, V16.S4
	VFMLA  V28.S4, V1.S4, V17.S4
	VFMLA  V28.S4, V2.S4, V18.S4
	VFMLA  V28.S4, V3.S4, V19.S4
	VST1.P [V16.S4, V17.S4, V18.S4, V19.S4], 64(R13)
	VLD1   (R13), [V20.S4, V21.S4, V22.S4, V23.S4]
	VFMLA  V28.S4, V4.S4, V20.S4
	VFMLA  V28.S4, V5.S4, V21.S4
	VFMLA  V28.S4, V6.S4, V22.S4
	VFMLA  V28.S4, V7.S4, V23.S4
	VST1   [V20.S4, V21.S4, V22.S4, V23.S4], (R13)
	ADD    $1, R9
	CMP    R10, R9
	BLT    entry

nextcolumn:
	ADD  R6, R5, R5
	SUB  $1, R1
	CBNZ R1, column

finished:
	MOVD $-1, R9
	MOVD R9, ret+152(FP)
	RET

bad:
	MOVD R9, ret+152(FP)
	RET

// func outerUpdateSparseColsNEON(m, k int, alpha float32, colStart, sample []int32, val, d []float32, ldd int, b []float32, ldb int) int
//
// The gradient row g of column p is summed in V0–V7 over the column's
// entries, g += val[e]·d[sample[e],:], then added to row p of b as
// b[p,:] += alpha·g. An empty column leaves its row of b alone.
TEXT ·outerUpdateSparseColsNEON(SB), NOSPLIT, $0-168
	MOVD  m+0(FP), R0
	MOVD  k+8(FP), R1
	FMOVS alpha+16(FP), F29
	VDUP  V29.S[0], V29.S4
	MOVD  colStart_base+24(FP), R2
	MOVD  sample_base+48(FP), R3
	MOVD  val_base+72(FP), R4
	MOVD  d_base+96(FP), R7
	MOVD  ldd+120(FP), R8
	LSL   $2, R8, R8               // row stride of d in bytes
	MOVD  b_base+128(FP), R5       // row p of b
	MOVD  ldb+152(FP), R6
	LSL   $2, R6, R6               // row stride of b in bytes
	CBZ   R1, finished
	MOVWU (R2), R9                 // the next entry e

column:
	MOVWU.W 4(R2), R10             // the end of column p
	CMP     R10, R9
	BGE     nextcolumn
	VEOR    V0.B16, V0.B16, V0.B16
	VEOR    V1.B16, V1.B16, V1.B16
	VEOR    V2.B16, V2.B16, V2.B16
	VEOR    V3.B16, V3.B16, V3.B16
	VEOR    V4.B16, V4.B16, V4.B16
	VEOR    V5.B16, V5.B16, V5.B16
	VEOR    V6.B16, V6.B16, V6.B16
	VEOR    V7.B16, V7.B16, V7.B16

entry:
	ADD    R9<<2, R3, R11
	MOVW   (R11), R12                                 // i = sample[e]
	CMP    R0, R12
	BHS    bad
	ADD    R9<<2, R4, R11
	FMOVS  (R11), F28
	VDUP   V28.S[0], V28.S4
	MUL    R8, R12, R13
	ADD    R7, R13, R13
	VLD1.P 64(R13), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1   (R13), [V20.S4, V21.S4, V22.S4, V23.S4]
	VFMLA  V28.S4, V16.S4, V0.S4
	VFMLA  V28.S4, V17.S4, V1.S4
	VFMLA  V28.S4, V18.S4, V2.S4
	VFMLA  V28.S4, V19.S4, V3.S4
	VFMLA  V28.S4, V20.S4, V4.S4
	VFMLA  V28.S4, V21.S4, V5.S4
	VFMLA  V28.S4, V22.S4, V6.S4
	VFMLA  V28.S4, V23.S4, V7.S4
	ADD    $1, R9
	CMP    R10, R9
	BLT    entry

	ADD   $64, R5, R11
	VLD1  (R5), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1  (R11), [V20.S4, V21.S4, V22.S4, V23.S4]
	VFMLA V29.S4, V0.S4, V16.S4
	VFMLA V29.S4, V1.S4, V17.S4
	VFMLA V29.S4, V2.S4, V18.S4
	VFMLA V29.S4, V3.S4, V19.S4
	VFMLA V29.S4, V4.S4, V20.S4
	VFMLA V29.S4, V5.S4, V21.S4
	VFMLA V29.S4, V6.S4, V22.S4
	VFMLA V29.S4, V7.S4, V23.S4
	VST1  [V16.S4, V17.S4, V18.S4, V19.S4], (R5)
	VST1  [V20.S4, V21.S4, V22.S4, V23.S4], (R11)

nextcolumn:
	ADD  R6, R5, R5
	SUB  $1, R1
	CBNZ R1, column

finished:
	MOVD $-1, R9
	MOVD R9, ret+160(FP)
	RET

bad:
	MOVD R9, ret+160(FP)
	RET
