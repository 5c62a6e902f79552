//go:build !purego

#include "textflag.h"
#include "gemvn_arm64.h"

// func gemvNRowsNEON(y, a []float32, lda int, x []float32, rows []int32)
//
// y[i] = a[i,:]·x for each i in rows, four listed rows at a time as in
// gemvNNEON: each load of x feeds four rows, two 4-lane partial sums per
// row, reduced by one pairwise tree that gives every row the same order,
// then the n mod 4 last columns gathered one lane per row. The last 1–3
// indices of the list make a group of four padded by repeating the group's
// last index, so every row goes through the same arithmetic wherever it
// comes in the list and bit for bit the same sum (a row listed alone is
// such a padded group). A padded lane stores into its y entry the value
// the real lane stores there, so all four lanes are stored without a
// branch. The Go wrapper (gemvn_rows_arm64.go) has checked every index
// and that n = len(x) ≥ 1.
//
// Registers:
//
//	R0        y
//	R1        a
//	R2        lda in bytes
//	R3        x
//	R4        n
//	R5        next index in rows
//	R6        indices left in rows
//	R7–R10    the group's four row indices
//	R11–R14   the group's four row pointers
//	R15       x pointer
//	R19       columns left
//	R20       y address of a result
//	V0, V1    x
//	V2–V9     the rows
//	V16–V23   partial sums, two per row (V16, V17 row 0 … V22, V23 row 3),
//	          then the four results in V16

// ROW sets p to the start of row i: a + i·lda.
#define ROW(i, p) MADD R2, R1, i, p

// PUT stores lane k of V16 to y[i].
#define PUT(k, i) \
	ADD  i<<2, R0, R20; \
	VST1 V16.S[k], (R20)

TEXT ·gemvNRowsNEON(SB), NOSPLIT, $0-104
	MOVD y_base+0(FP), R0
	MOVD a_base+24(FP), R1
	MOVD lda+48(FP), R2
	MOVD x_base+56(FP), R3
	MOVD x_len+64(FP), R4
	MOVD rows_base+80(FP), R5
	MOVD rows_len+88(FP), R6
	LSL  $2, R2, R2 // row stride in bytes
	CBZ  R6, done

group:
	CMP    $4, R6
	BLT    pad
	MOVW.P 4(R5), R7
	MOVW.P 4(R5), R8
	MOVW.P 4(R5), R9
	MOVW.P 4(R5), R10
	SUB    $4, R6
	B      rows4

pad:
	// 1–3 indices left: the missing ones repeat the last real one.
	MOVW (R5), R7
	MOVD R7, R8
	CMP  $2, R6
	BLT  pad2
	MOVW 4(R5), R8

pad2:
	MOVD R8, R9
	CMP  $3, R6
	BLT  pad3
	MOVW 8(R5), R9

pad3:
	MOVD R9, R10
	MOVD $0, R6

rows4:
	ROW(R7, R11)
	ROW(R8, R12)
	ROW(R9, R13)
	ROW(R10, R14)
	MOVD R3, R15
	MOVD R4, R19
	DOT4(R15, R11, R12, R13, R14, R19)

rows4store:
	// In list order, so that of a row listed twice in a group the later
	// lane is stored last (both hold the same bits anyway).
	PUT(0, R7)
	PUT(1, R8)
	PUT(2, R9)
	PUT(3, R10)
	CBNZ R6, group

done:
	RET
