//go:build !purego

#include "textflag.h"

// func transpose4NEON(rows, cols int, src []float32, lds int, dst []float32, ldd int)
//
// Column strips of 4 (R2: the strip's top in src, R4: the strip's first dst
// row, R1 counts them), each walked down in tiles of 4 rows (R11 counts
// them), so each dst row is written contiguously and a src cache line is
// still in L1 when the next strip reads its next 16 bytes. R6–R9 walk the
// tile's four src rows, R10 and R13–R15 its four dst rows. With rows a, b,
// c, d of a tile in V0–V3, TRN1/TRN2 on words give V4 = a0 b0 a2 b2,
// V5 = a1 b1 a3 b3, V6 = c0 d0 c2 d2, V7 = c1 d1 c3 d3, and TRN1/TRN2 on
// doublewords pair their halves into the columns a0 b0 c0 d0 … a3 b3 c3 d3
// (V16–V19).
TEXT ·transpose4NEON(SB), NOSPLIT, $0-80
	MOVD rows+0(FP), R0
	MOVD cols+8(FP), R1
	MOVD src_base+16(FP), R2
	MOVD lds+40(FP), R3
	LSL  $2, R3, R3           // src row stride in bytes
	LSL  $2, R3, R12          // four src rows
	MOVD dst_base+48(FP), R4
	MOVD ldd+72(FP), R5
	LSL  $2, R5, R5           // dst row stride in bytes
	LSR  $2, R0, R0
	LSR  $2, R1, R1
	CBZ  R0, done
	CBZ  R1, done

strip:
	MOVD R2, R6
	ADD  R3, R6, R7
	ADD  R3, R7, R8
	ADD  R3, R8, R9
	MOVD R4, R10
	ADD  R5, R10, R13
	ADD  R5, R13, R14
	ADD  R5, R14, R15
	MOVD R0, R11

tile:
	VLD1.P (R6)(R12), [V0.S4]
	VLD1.P (R7)(R12), [V1.S4]
	VLD1.P (R8)(R12), [V2.S4]
	VLD1.P (R9)(R12), [V3.S4]
	VTRN1  V1.S4, V0.S4, V4.S4
	VTRN2  V1.S4, V0.S4, V5.S4
	VTRN1  V3.S4, V2.S4, V6.S4
	VTRN2  V3.S4, V2.S4, V7.S4
	VTRN1  V6.D2, V4.D2, V16.D2
	VTRN1  V7.D2, V5.D2, V17.D2
	VTRN2  V6.D2, V4.D2, V18.D2
	VTRN2  V7.D2, V5.D2, V19.D2
	VST1.P [V16.S4], 16(R10)
	VST1.P [V17.S4], 16(R13)
	VST1.P [V18.S4], 16(R14)
	VST1.P [V19.S4], 16(R15)
	SUB    $1, R11
	CBNZ   R11, tile

	ADD  $16, R2              // next four columns
	ADD  R5<<2, R4, R4        // next four dst rows
	SUB  $1, R1
	CBNZ R1, strip

done:
	RET
