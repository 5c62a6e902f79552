//go:build !purego

#include "textflag.h"

// NEON OuterUpdateSparseT (sparse_t.go) on k rows of w and one strip of 32
// columns; the Go wrapper is in sparse_t_arm64.go.
//
// For each row p of xt, 16 values at a time are tested for non-zero bits
// other than the sign (CMTST with 0x7fffffff: NaN counts as non-zero, ±0
// as zero), and the 16 lane results narrowed (UZP1, UZP1, SHRN #4) to a
// 64-bit mask with 4 bits a row, of which the lowest is kept. Its set bits
// are taken lowest first (RBIT, CLZ: bit 4j for row j of the 16, which is
// also the byte offset of xt[p, r0+j]) and cleared (x &= x−1); each adds
// xt[p,r]·d[r,:] to one of two sets of gradient sums, V0–V7 and V8–V15,
// in turn. Which set takes the next term is kept in the code position:
// the loops marked A give it to V0–V7, those marked B to V8–V15. The last,
// partial 16 rows are tested one by one. At the end of the row, if it had
// any term, w[p,:] += alpha·(A + B).
//
// Registers: R0 m, R1 rows left, R2 row p of xt, R3 ldxt in bytes, R4 the
// strip of d, R5 ldd, R6 the strip of row p of w, R7 ldw in bytes, R8 the
// first row r0 of the 16 being looked at, R9 m rounded down to 16, R10 the
// bits left of the mask, R11 &xt[p, r0], R12–R15 scratch, R19 non-zero if
// the row has had a term, R20 &d[r0, 0], R21 16 rows of d in bytes. V16
// xt[p,r] broadcast, V17–V24 row r of the strip of d, V25–V28 16 values of
// xt, V29 alpha, V31 0x7fffffff in each lane.

// TERM adds the term of the lowest set bit of R10 to the gradient sums
// a0–a7 and clears the bit.
#define TERM(a0, a1, a2, a3, a4, a5, a6, a7) \
	RBIT   R10, R12; \
	CLZ    R12, R12; \
	ADD    R12, R11, R14; \
	VLD1R  (R14), [V16.S4]; \
	MUL    R5, R12, R13; \
	ADD    R20, R13, R13; \
	VLD1.P 64(R13), [V17.S4, V18.S4, V19.S4, V20.S4]; \
	VLD1   (R13), [V21.S4, V22.S4, V23.S4, V24.S4]; \
	VFMLA  V16.S4, V17.S4, a0; \
	VFMLA  V16.S4, V18.S4, a1; \
	VFMLA  V16.S4, V19.S4, a2; \
	VFMLA  V16.S4, V20.S4, a3; \
	VFMLA  V16.S4, V21.S4, a4; \
	VFMLA  V16.S4, V22.S4, a5; \
	VFMLA  V16.S4, V23.S4, a6; \
	VFMLA  V16.S4, V24.S4, a7; \
	SUB    $1, R10, R12; \
	AND    R12, R10, R10

// MASK16 leaves in V25 one byte for each of the 16 rows of xt at R11, all
// ones if the row has bits besides the sign; SHRN #4 then packs them into
// 4 bits a row (there is no Go mnemonic for it), MASKBITS moves those to
// R10 and keeps the lowest of each row's 4.
#define MASK16 \
	VLD1   (R11), [V25.S4, V26.S4, V27.S4, V28.S4]; \
	VCMTST V31.S4, V25.S4, V25.S4; \
	VCMTST V31.S4, V26.S4, V26.S4; \
	VCMTST V31.S4, V27.S4, V27.S4; \
	VCMTST V31.S4, V28.S4, V28.S4; \
	VUZP1  V26.H8, V25.H8, V25.H8; \
	VUZP1  V28.H8, V27.H8, V27.H8; \
	VUZP1  V27.B16, V25.B16, V25.B16

#define MASKBITS \
	FMOVD F25, R10; \
	AND   $0x1111111111111111, R10, R10

// MASKTAIL sets R10 to the mask of the m−r0 < 16 rows of xt at R11, one
// row at a time: bit 4j if row j has bits besides the sign.
#define MASKTAIL \
	MOVD $0, R10; \
	MOVD $1, R14; \
	MOVD R11, R15; \
	SUB  R8, R0, R12

// func outerUpdateSparseTNEON(m, k int, alpha float32, xt []float32, ldxt int, d []float32, ldd int, w []float32, ldw int)
TEXT ·outerUpdateSparseTNEON(SB), NOSPLIT, $0-120
	MOVD  m+0(FP), R0
	MOVD  k+8(FP), R1
	FMOVS alpha+16(FP), F29
	VDUP  V29.S[0], V29.S4
	MOVD  xt_base+24(FP), R2
	MOVD  ldxt+48(FP), R3
	LSL   $2, R3, R3
	MOVD  d_base+56(FP), R4
	MOVD  ldd+80(FP), R5
	LSL   $6, R5, R21
	MOVD  w_base+88(FP), R6
	MOVD  ldw+112(FP), R7
	LSL   $2, R7, R7
	AND   $~15, R0, R9
	MOVW  $0x7fffffff, R12
	VDUP  R12, V31.S4
	CBZ   R1, done

row:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V10.B16, V10.B16, V10.B16
	VEOR V11.B16, V11.B16, V11.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	VEOR V14.B16, V14.B16, V14.B16
	VEOR V15.B16, V15.B16, V15.B16
	MOVD $0, R8
	MOVD R2, R11
	MOVD R4, R20
	MOVD $0, R19

blockA:
	CMP R9, R8
	BHS tailA
	MASK16
	WORD $0x0f0c8739 // shrn v25.8b, v25.8h, #4
	MASKBITS

maskA:
	ORR  R10, R19, R19
	CBZ  R10, nextA

termA:
	TERM(V0.S4, V1.S4, V2.S4, V3.S4, V4.S4, V5.S4, V6.S4, V7.S4)
	CBZ R10, nextB
	TERM(V8.S4, V9.S4, V10.S4, V11.S4, V12.S4, V13.S4, V14.S4, V15.S4)
	CBNZ R10, termA

nextA:
	ADD $16, R8
	ADD $64, R11
	ADD R21, R20
	B   blockA

tailA:
	CMP R0, R8
	BHS finish
	MASKTAIL

tailbitA:
	MOVWU.P 4(R15), R13
	LSLW    $1, R13, R13
	CBZW    R13, tailskipA
	ORR     R14, R10, R10

tailskipA:
	LSL  $4, R14, R14
	SUB  $1, R12, R12
	CBNZ R12, tailbitA
	B    maskA

blockB:
	CMP R9, R8
	BHS tailB
	MASK16
	WORD $0x0f0c8739 // shrn v25.8b, v25.8h, #4
	MASKBITS

maskB:
	CBZ R10, nextB

termB:
	TERM(V8.S4, V9.S4, V10.S4, V11.S4, V12.S4, V13.S4, V14.S4, V15.S4)
	CBZ R10, nextA
	TERM(V0.S4, V1.S4, V2.S4, V3.S4, V4.S4, V5.S4, V6.S4, V7.S4)
	CBNZ R10, termB

nextB:
	ADD $16, R8
	ADD $64, R11
	ADD R21, R20
	B   blockB

tailB:
	CMP R0, R8
	BHS finish
	MASKTAIL

tailbitB:
	MOVWU.P 4(R15), R13
	LSLW    $1, R13, R13
	CBZW    R13, tailskipB
	ORR     R14, R10, R10

tailskipB:
	LSL  $4, R14, R14
	SUB  $1, R12, R12
	CBNZ R12, tailbitB
	B    maskB

finish:
	CBZ R19, nextrow
	WORD $0x4e28d400 // fadd v0.4s, v0.4s, v8.4s
	WORD $0x4e29d421 // fadd v1.4s, v1.4s, v9.4s
	WORD $0x4e2ad442 // fadd v2.4s, v2.4s, v10.4s
	WORD $0x4e2bd463 // fadd v3.4s, v3.4s, v11.4s
	WORD $0x4e2cd484 // fadd v4.4s, v4.4s, v12.4s
	WORD $0x4e2dd4a5 // fadd v5.4s, v5.4s, v13.4s
	WORD $0x4e2ed4c6 // fadd v6.4s, v6.4s, v14.4s
	WORD $0x4e2fd4e7 // fadd v7.4s, v7.4s, v15.4s
	ADD   $64, R6, R14
	VLD1  (R6), [V17.S4, V18.S4, V19.S4, V20.S4]
	VLD1  (R14), [V21.S4, V22.S4, V23.S4, V24.S4]
	VFMLA V29.S4, V0.S4, V17.S4
	VFMLA V29.S4, V1.S4, V18.S4
	VFMLA V29.S4, V2.S4, V19.S4
	VFMLA V29.S4, V3.S4, V20.S4
	VFMLA V29.S4, V4.S4, V21.S4
	VFMLA V29.S4, V5.S4, V22.S4
	VFMLA V29.S4, V6.S4, V23.S4
	VFMLA V29.S4, V7.S4, V24.S4
	VST1  [V17.S4, V18.S4, V19.S4, V20.S4], (R6)
	VST1  [V21.S4, V22.S4, V23.S4, V24.S4], (R14)

nextrow:
	ADD  R3, R2
	ADD  R7, R6
	SUB  $1, R1
	CBNZ R1, row

done:
	RET
