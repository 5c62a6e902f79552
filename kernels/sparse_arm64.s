//go:build !purego

#include "textflag.h"

// The sparse-row kernels run strip by strip over the columns: a strip of y
// (64 floats in V0–V15, then 16, 4 and single columns) stays in registers
// while the listed rows stream past, one broadcast of the row's coefficient
// in V28 and one fused multiply-add per vector. The Go wrappers
// (sparse_arm64.go) have checked every index, so a row named in the list
// holds len(y) elements inside a and its x entry exists.

// func gemvTRowsNEON(y, a []float32, lda int, x []float32, rows []int32)
TEXT ·gemvTRowsNEON(SB), NOSPLIT, $0-104
	MOVD y_base+0(FP), R0
	MOVD y_len+8(FP), R1    // columns left
	MOVD a_base+24(FP), R2  // column j of row 0
	MOVD lda+48(FP), R3
	LSL  $2, R3, R3         // row stride in bytes
	MOVD x_base+56(FP), R4
	MOVD rows_base+80(FP), R5
	MOVD rows_len+88(FP), R6
	CBZ  R6, done
	CMP  $64, R1
	BLT  strip16

strip64:
	MOVD   R0, R7
	VLD1.P 64(R7), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R7), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P 64(R7), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1   (R7), [V12.S4, V13.S4, V14.S4, V15.S4]
	MOVD   R5, R7
	MOVD   R6, R8

row64:
	MOVW.P 4(R7), R9
	ADD    R9<<2, R4, R10
	FMOVS  (R10), F28
	VDUP   V28.S[0], V28.S4
	MUL    R3, R9, R10
	ADD    R2, R10, R10
	VLD1.P 64(R10), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1.P 64(R10), [V20.S4, V21.S4, V22.S4, V23.S4]
	VFMLA  V28.S4, V16.S4, V0.S4
	VFMLA  V28.S4, V17.S4, V1.S4
	VFMLA  V28.S4, V18.S4, V2.S4
	VFMLA  V28.S4, V19.S4, V3.S4
	VLD1.P 64(R10), [V24.S4, V25.S4, V26.S4, V27.S4]
	VFMLA  V28.S4, V20.S4, V4.S4
	VFMLA  V28.S4, V21.S4, V5.S4
	VFMLA  V28.S4, V22.S4, V6.S4
	VFMLA  V28.S4, V23.S4, V7.S4
	VLD1   (R10), [V16.S4, V17.S4, V18.S4, V19.S4]
	VFMLA  V28.S4, V24.S4, V8.S4
	VFMLA  V28.S4, V25.S4, V9.S4
	VFMLA  V28.S4, V26.S4, V10.S4
	VFMLA  V28.S4, V27.S4, V11.S4
	VFMLA  V28.S4, V16.S4, V12.S4
	VFMLA  V28.S4, V17.S4, V13.S4
	VFMLA  V28.S4, V18.S4, V14.S4
	VFMLA  V28.S4, V19.S4, V15.S4
	SUB    $1, R8
	CBNZ   R8, row64
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0)
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R0)
	VST1.P [V8.S4, V9.S4, V10.S4, V11.S4], 64(R0)
	VST1.P [V12.S4, V13.S4, V14.S4, V15.S4], 64(R0)
	ADD    $256, R2
	SUB    $64, R1
	CMP    $64, R1
	BGE    strip64

strip16:
	CMP $16, R1
	BLT strip4

strip16loop:
	VLD1 (R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	MOVD R5, R7
	MOVD R6, R8

row16:
	MOVW.P 4(R7), R9
	ADD    R9<<2, R4, R10
	FMOVS  (R10), F28
	VDUP   V28.S[0], V28.S4
	MUL    R3, R9, R10
	ADD    R2, R10, R10
	VLD1   (R10), [V16.S4, V17.S4, V18.S4, V19.S4]
	VFMLA  V28.S4, V16.S4, V0.S4
	VFMLA  V28.S4, V17.S4, V1.S4
	VFMLA  V28.S4, V18.S4, V2.S4
	VFMLA  V28.S4, V19.S4, V3.S4
	SUB    $1, R8
	CBNZ   R8, row16
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0)
	ADD    $64, R2
	SUB    $16, R1
	CMP    $16, R1
	BGE    strip16loop

strip4:
	CMP $4, R1
	BLT strip1

strip4loop:
	VLD1 (R0), [V0.S4]
	MOVD R5, R7
	MOVD R6, R8

row4:
	MOVW.P 4(R7), R9
	ADD    R9<<2, R4, R10
	FMOVS  (R10), F28
	VDUP   V28.S[0], V28.S4
	MUL    R3, R9, R10
	ADD    R2, R10, R10
	VLD1   (R10), [V16.S4]
	VFMLA  V28.S4, V16.S4, V0.S4
	SUB    $1, R8
	CBNZ   R8, row4
	VST1.P [V0.S4], 16(R0)
	ADD    $16, R2
	SUB    $4, R1
	CMP    $4, R1
	BGE    strip4loop

strip1:
	CBZ R1, done

strip1loop:
	FMOVS (R0), F0
	MOVD  R5, R7
	MOVD  R6, R8

row1:
	MOVW.P  4(R7), R9
	ADD     R9<<2, R4, R10
	FMOVS   (R10), F28
	MUL     R3, R9, R10
	FMOVS   (R2)(R10), F16
	FMADDS  F16, F0, F28, F0 // s0 += s28·s16
	SUB     $1, R8
	CBNZ    R8, row1
	FMOVS.P F0, 4(R0)
	ADD     $4, R2
	SUB     $1, R1
	CBNZ    R1, strip1loop

done:
	RET

// func outerUpdateRowsNEON(alpha float32, x []float32, rows []int32, y, a []float32, lda int)
//
// Each listed row, from the last to the first, gets a[i,:] +=
// (alpha·x[i])·y with the coefficient rounded once, the strip of y in
// V0–V15 and the strip of the row loaded, updated and stored back four
// vectors at a time.
TEXT ·outerUpdateRowsNEON(SB), NOSPLIT, $0-112
	FMOVS alpha+0(FP), F29
	MOVD  x_base+8(FP), R4
	MOVD  rows_base+32(FP), R5
	MOVD  rows_len+40(FP), R6
	MOVD  y_base+56(FP), R0
	MOVD  y_len+64(FP), R1    // columns left
	MOVD  a_base+80(FP), R2   // column j of row 0
	MOVD  lda+104(FP), R3
	LSL   $2, R3, R3          // row stride in bytes
	CBZ   R6, done
	ADD   R6<<2, R5, R5
	SUB   $4, R5              // the last listed row: the list is walked backwards
	CMP   $64, R1
	BLT   strip16

strip64:
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P 64(R0), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1.P 64(R0), [V12.S4, V13.S4, V14.S4, V15.S4]
	MOVD   R5, R7
	MOVD   R6, R8

row64:
	MOVW.P -4(R7), R9
	ADD    R9<<2, R4, R10
	FMOVS  (R10), F28
	FMULS  F29, F28, F28                             // s28 = alpha·x[i]
	VDUP   V28.S[0], V28.S4
	MUL    R3, R9, R10
	ADD    R2, R10, R10
	VLD1   (R10), [V16.S4, V17.S4, V18.S4, V19.S4]
	VFMLA  V28.S4, V0.S4, V16.S4
	VFMLA  V28.S4, V1.S4, V17.S4
	VFMLA  V28.S4, V2.S4, V18.S4
	VFMLA  V28.S4, V3.S4, V19.S4
	VST1.P [V16.S4, V17.S4, V18.S4, V19.S4], 64(R10)
	VLD1   (R10), [V20.S4, V21.S4, V22.S4, V23.S4]
	VFMLA  V28.S4, V4.S4, V20.S4
	VFMLA  V28.S4, V5.S4, V21.S4
	VFMLA  V28.S4, V6.S4, V22.S4
	VFMLA  V28.S4, V7.S4, V23.S4
	VST1.P [V20.S4, V21.S4, V22.S4, V23.S4], 64(R10)
	VLD1   (R10), [V24.S4, V25.S4, V26.S4, V27.S4]
	VFMLA  V28.S4, V8.S4, V24.S4
	VFMLA  V28.S4, V9.S4, V25.S4
	VFMLA  V28.S4, V10.S4, V26.S4
	VFMLA  V28.S4, V11.S4, V27.S4
	VST1.P [V24.S4, V25.S4, V26.S4, V27.S4], 64(R10)
	VLD1   (R10), [V16.S4, V17.S4, V18.S4, V19.S4]
	VFMLA  V28.S4, V12.S4, V16.S4
	VFMLA  V28.S4, V13.S4, V17.S4
	VFMLA  V28.S4, V14.S4, V18.S4
	VFMLA  V28.S4, V15.S4, V19.S4
	VST1   [V16.S4, V17.S4, V18.S4, V19.S4], (R10)
	SUB    $1, R8
	CBNZ   R8, row64
	ADD    $256, R2
	SUB    $64, R1
	CMP    $64, R1
	BGE    strip64

strip16:
	CMP $16, R1
	BLT strip4

strip16loop:
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	MOVD   R5, R7
	MOVD   R6, R8

row16:
	MOVW.P -4(R7), R9
	ADD    R9<<2, R4, R10
	FMOVS  (R10), F28
	FMULS  F29, F28, F28                          // s28 = alpha·x[i]
	VDUP   V28.S[0], V28.S4
	MUL    R3, R9, R10
	ADD    R2, R10, R10
	VLD1   (R10), [V16.S4, V17.S4, V18.S4, V19.S4]
	VFMLA  V28.S4, V0.S4, V16.S4
	VFMLA  V28.S4, V1.S4, V17.S4
	VFMLA  V28.S4, V2.S4, V18.S4
	VFMLA  V28.S4, V3.S4, V19.S4
	VST1   [V16.S4, V17.S4, V18.S4, V19.S4], (R10)
	SUB    $1, R8
	CBNZ   R8, row16
	ADD    $64, R2
	SUB    $16, R1
	CMP    $16, R1
	BGE    strip16loop

strip4:
	CMP $4, R1
	BLT strip1

strip4loop:
	VLD1.P 16(R0), [V0.S4]
	MOVD   R5, R7
	MOVD   R6, R8

row4:
	MOVW.P -4(R7), R9
	ADD    R9<<2, R4, R10
	FMOVS  (R10), F28
	FMULS  F29, F28, F28          // s28 = alpha·x[i]
	VDUP   V28.S[0], V28.S4
	MUL    R3, R9, R10
	ADD    R2, R10, R10
	VLD1   (R10), [V16.S4]
	VFMLA  V28.S4, V0.S4, V16.S4
	VST1   [V16.S4], (R10)
	SUB    $1, R8
	CBNZ   R8, row4
	ADD    $16, R2
	SUB    $4, R1
	CMP    $4, R1
	BGE    strip4loop

strip1:
	CBZ R1, done

strip1loop:
	FMOVS.P 4(R0), F0
	MOVD    R5, R7
	MOVD    R6, R8

row1:
	MOVW.P -4(R7), R9
	ADD    R9<<2, R4, R10
	FMOVS  (R10), F28
	FMULS  F29, F28, F28     // s28 = alpha·x[i]
	MUL    R3, R9, R10
	ADD    R2, R10, R10
	FMOVS  (R10), F16
	FMADDS F0, F16, F28, F16 // s16 += s28·s0
	FMOVS  F16, (R10)
	SUB    $1, R8
	CBNZ   R8, row1
	ADD    $4, R2
	SUB    $1, R1
	CBNZ   R1, strip1loop

done:
	RET

// func nonZerosNEON(idx []int32, x []float32, base int) (count int, finite bool)
//
// A block of 16 floats whose bits, sign aside, OR to zero is all ±0 and is
// skipped. Any other block goes four floats at a time: the lanes whose
// bits shifted left by one (dropping the sign) are not zero make a 4-bit
// mask, which picks from nonZerosShuffle the TBL indices that pack those
// lanes' positions to the front; all four positions are stored at the
// write pointer, which then advances past the listed ones only. A float is
// not finite when its exponent bits are all ones: V28 keeps the largest
// shifted bits seen, R5 ORs |v| bits + 0x00800000 over the scalar tail, and
// either reaches bit 31 (after the shift back, for V28) exactly when some
// float was not finite. Skipped floats are zeros and cannot be.
TEXT ·nonZerosNEON(SB), NOSPLIT, $0-65
	MOVD idx_base+0(FP), R0
	MOVD x_base+24(FP), R1
	MOVD x_len+32(FP), R2               // floats left
	MOVD base+48(FP), R3                // position of the next float
	MOVD R0, R4                         // &idx[count]
	MOVD ZR, R5
	MOVD $·nonZerosShuffle(SB), R10
	MOVD $·nonZerosConsts(SB), R11
	VLD1 (R11), [V26.S4, V27.S4]        // lane numbers 0–3, lane bits 1, 2, 4, 8
	ADD  $32, R11, R11                  // the population counts of the masks
	VEOR V28.B16, V28.B16, V28.B16
	CMP  $16, R2
	BLT  by4

block:
	VLD1 (R1), [V0.S4, V1.S4, V2.S4, V3.S4]
	VORR V0.B16, V1.B16, V4.B16
	VORR V2.B16, V3.B16, V5.B16
	VORR V4.B16, V5.B16, V4.B16
	VMOV V4.D[0], R6
	VMOV V4.D[1], R7
	ORR  R6, R7, R6
	AND  $0x7fffffff7fffffff, R6, R6
	CBNZ R6, scan16
	ADD  $64, R1
	ADD  $16, R3
	SUB  $16, R2
	CMP  $16, R2
	BGE  block
	B    by4

scan16:
	ADD $64, R1
	VSHL   $1, V0.S4, V4.S4          // |v| bits, shifted up
	VUMAX  V4.S4, V28.S4, V28.S4
	VCMTST V4.S4, V4.S4, V5.S4        // all ones in the non-zero lanes
	VAND   V27.B16, V5.B16, V5.B16
	VADDV  V5.S4, V5                  // the lane mask
	VMOV   V5.S[0], R6
	VDUP   R3, V6.S4
	VADD   V26.S4, V6.S4, V6.S4       // the four positions
	ADD    R6<<4, R10, R7
	VLD1   (R7), [V7.B16]
	VTBL   V7.B16, [V6.B16], V8.B16   // the listed ones, packed to the front
	VST1   [V8.B16], (R4)
	MOVBU  (R11)(R6), R7              // how many were listed
	ADD    R7<<2, R4, R4
	ADD    $4, R3
	VSHL   $1, V1.S4, V4.S4          // |v| bits, shifted up
	VUMAX  V4.S4, V28.S4, V28.S4
	VCMTST V4.S4, V4.S4, V5.S4        // all ones in the non-zero lanes
	VAND   V27.B16, V5.B16, V5.B16
	VADDV  V5.S4, V5                  // the lane mask
	VMOV   V5.S[0], R6
	VDUP   R3, V6.S4
	VADD   V26.S4, V6.S4, V6.S4       // the four positions
	ADD    R6<<4, R10, R7
	VLD1   (R7), [V7.B16]
	VTBL   V7.B16, [V6.B16], V8.B16   // the listed ones, packed to the front
	VST1   [V8.B16], (R4)
	MOVBU  (R11)(R6), R7              // how many were listed
	ADD    R7<<2, R4, R4
	ADD    $4, R3
	VSHL   $1, V2.S4, V4.S4          // |v| bits, shifted up
	VUMAX  V4.S4, V28.S4, V28.S4
	VCMTST V4.S4, V4.S4, V5.S4        // all ones in the non-zero lanes
	VAND   V27.B16, V5.B16, V5.B16
	VADDV  V5.S4, V5                  // the lane mask
	VMOV   V5.S[0], R6
	VDUP   R3, V6.S4
	VADD   V26.S4, V6.S4, V6.S4       // the four positions
	ADD    R6<<4, R10, R7
	VLD1   (R7), [V7.B16]
	VTBL   V7.B16, [V6.B16], V8.B16   // the listed ones, packed to the front
	VST1   [V8.B16], (R4)
	MOVBU  (R11)(R6), R7              // how many were listed
	ADD    R7<<2, R4, R4
	ADD    $4, R3
	VSHL   $1, V3.S4, V4.S4          // |v| bits, shifted up
	VUMAX  V4.S4, V28.S4, V28.S4
	VCMTST V4.S4, V4.S4, V5.S4        // all ones in the non-zero lanes
	VAND   V27.B16, V5.B16, V5.B16
	VADDV  V5.S4, V5                  // the lane mask
	VMOV   V5.S[0], R6
	VDUP   R3, V6.S4
	VADD   V26.S4, V6.S4, V6.S4       // the four positions
	ADD    R6<<4, R10, R7
	VLD1   (R7), [V7.B16]
	VTBL   V7.B16, [V6.B16], V8.B16   // the listed ones, packed to the front
	VST1   [V8.B16], (R4)
	MOVBU  (R11)(R6), R7              // how many were listed
	ADD    R7<<2, R4, R4
	ADD    $4, R3
	SUB $16, R2
	CMP $16, R2
	BGE block

by4:
	CMP $4, R2
	BLT tail

by4loop:
	VLD1.P 16(R1), [V0.S4]
	VSHL   $1, V0.S4, V4.S4          // |v| bits, shifted up
	VUMAX  V4.S4, V28.S4, V28.S4
	VCMTST V4.S4, V4.S4, V5.S4        // all ones in the non-zero lanes
	VAND   V27.B16, V5.B16, V5.B16
	VADDV  V5.S4, V5                  // the lane mask
	VMOV   V5.S[0], R6
	VDUP   R3, V6.S4
	VADD   V26.S4, V6.S4, V6.S4       // the four positions
	ADD    R6<<4, R10, R7
	VLD1   (R7), [V7.B16]
	VTBL   V7.B16, [V6.B16], V8.B16   // the listed ones, packed to the front
	VST1   [V8.B16], (R4)
	MOVBU  (R11)(R6), R7              // how many were listed
	ADD    R7<<2, R4, R4
	ADD    $4, R3
	SUB    $4, R2
	CMP    $4, R2
	BGE    by4loop

tail:
	CBZ R2, done

tailloop:
	MOVWU.P 4(R1), R6
	AND     $0x7fffffff, R6, R6
	MOVW    R3, (R4)
	CMP     $0, R6
	CSET    NE, R7
	ADD     R7<<2, R4, R4
	ADD     $0x00800000, R6, R6
	ORR     R6, R5, R5
	ADD     $1, R3
	SUB     $1, R2
	CBNZ    R2, tailloop

done:
	SUB  R0, R4, R4
	LSR  $2, R4, R4
	MOVD R4, count+56(FP)
	VUSHR $1, V28.S4, V28.S4            // the largest |v| bits
	MOVW  $0x00800000, R6
	VDUP  R6, V25.S4
	VADD  V25.S4, V28.S4, V28.S4
	VMOV  V28.D[0], R6
	VMOV  V28.D[1], R7
	ORR   R6, R7, R6
	ORR   R6, R5, R5
	ORR   R6>>32, R5, R5
	UBFX  $31, R5, $1, R5
	EOR   $1, R5, R5
	MOVB  R5, finite+64(FP)
	RET

// nonZerosShuffle[m] holds the TBL byte indices that move the lanes set in
// the 4-bit mask m, in ascending order, to the front of a vector.
DATA ·nonZerosShuffle+0(SB)/8, $0x0000000000000000
DATA ·nonZerosShuffle+8(SB)/8, $0x0000000000000000
DATA ·nonZerosShuffle+16(SB)/8, $0x0000000003020100
DATA ·nonZerosShuffle+24(SB)/8, $0x0000000000000000
DATA ·nonZerosShuffle+32(SB)/8, $0x0000000007060504
DATA ·nonZerosShuffle+40(SB)/8, $0x0000000000000000
DATA ·nonZerosShuffle+48(SB)/8, $0x0706050403020100
DATA ·nonZerosShuffle+56(SB)/8, $0x0000000000000000
DATA ·nonZerosShuffle+64(SB)/8, $0x000000000b0a0908
DATA ·nonZerosShuffle+72(SB)/8, $0x0000000000000000
DATA ·nonZerosShuffle+80(SB)/8, $0x0b0a090803020100
DATA ·nonZerosShuffle+88(SB)/8, $0x0000000000000000
DATA ·nonZerosShuffle+96(SB)/8, $0x0b0a090807060504
DATA ·nonZerosShuffle+104(SB)/8, $0x0000000000000000
DATA ·nonZerosShuffle+112(SB)/8, $0x0706050403020100
DATA ·nonZerosShuffle+120(SB)/8, $0x000000000b0a0908
DATA ·nonZerosShuffle+128(SB)/8, $0x000000000f0e0d0c
DATA ·nonZerosShuffle+136(SB)/8, $0x0000000000000000
DATA ·nonZerosShuffle+144(SB)/8, $0x0f0e0d0c03020100
DATA ·nonZerosShuffle+152(SB)/8, $0x0000000000000000
DATA ·nonZerosShuffle+160(SB)/8, $0x0f0e0d0c07060504
DATA ·nonZerosShuffle+168(SB)/8, $0x0000000000000000
DATA ·nonZerosShuffle+176(SB)/8, $0x0706050403020100
DATA ·nonZerosShuffle+184(SB)/8, $0x000000000f0e0d0c
DATA ·nonZerosShuffle+192(SB)/8, $0x0f0e0d0c0b0a0908
DATA ·nonZerosShuffle+200(SB)/8, $0x0000000000000000
DATA ·nonZerosShuffle+208(SB)/8, $0x0b0a090803020100
DATA ·nonZerosShuffle+216(SB)/8, $0x000000000f0e0d0c
DATA ·nonZerosShuffle+224(SB)/8, $0x0b0a090807060504
DATA ·nonZerosShuffle+232(SB)/8, $0x000000000f0e0d0c
DATA ·nonZerosShuffle+240(SB)/8, $0x0706050403020100
DATA ·nonZerosShuffle+248(SB)/8, $0x0f0e0d0c0b0a0908
GLOBL ·nonZerosShuffle(SB), RODATA|NOPTR, $256

// nonZerosConsts holds the lane numbers 0–3, the lane bits 1, 2, 4, 8 and
// the population counts of the 16 masks.
DATA ·nonZerosConsts+0(SB)/8, $0x0000000100000000
DATA ·nonZerosConsts+8(SB)/8, $0x0000000300000002
DATA ·nonZerosConsts+16(SB)/8, $0x0000000200000001
DATA ·nonZerosConsts+24(SB)/8, $0x0000000800000004
DATA ·nonZerosConsts+32(SB)/8, $0x0302020102010100
DATA ·nonZerosConsts+40(SB)/8, $0x0403030203020201
GLOBL ·nonZerosConsts(SB), RODATA|NOPTR, $48
