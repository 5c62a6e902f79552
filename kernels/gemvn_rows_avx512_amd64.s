//go:build !purego

// AVX-512F GemvNRows (gemvn_rows.go): y[i] = a[i,:]·x for each listed i.
// Go declaration in gemvn_rows_amd64.go.
//
// Rows of up to 16 floats go sixteen listed rows at a time: each row is one
// multiply by x under the mask of its n lanes (the lanes past n are not
// read), and the sixteen products are summed lane-wise in one tree: block
// shuffles add each row's 128-bit blocks 0+2 and 1+3, then its two halves,
// two in-lane shuffles its four partial sums, and a permutation puts row r's
// sum in lane r, which a scatter stores at y[rows[r]]. Summed alone, each row
// would end in a horizontal sum of its own (four shuffles and adds); the
// tree shares them. Every row takes the same path of additions, whatever
// its place among the sixteen, and the rows missing from a last partial
// block are zero vectors. Longer rows go one at a time: two 16-lane sums
// over pairs of vectors, a masked tail, then the horizontal sum.
//
// The indices of a block (or the one of a long row) are compared with limit
// (unsigned) before any of its rows is read; the position of the first bad
// one is returned, the blocks before it stored.

#include "textflag.h"
#include "gemvn_avx512_amd64.h"

// NROW multiplies listed row r of the block into zr (its lanes past n
// zero), unless the block has no row r (R8 ≤ r): then the tree starts.
#define NROW(r, zr) \
	CMPQ     R8, $r;             \
	JBE      rows_tree;          \
	MOVL     (r*4)(BX), AX;      \
	IMULQ    R9, AX;             \
	VMULPS.Z (DX)(AX*1), Z31, K1, zr

// NPAIR16 adds the 128-bit blocks of za and zb pairwise, 0+2 and 1+3, into
// za: za's two sums in its low half, zb's in its high half.
#define NPAIR16(za, zb) \
	VSHUFF32X4 $0x44, zb, za, Z16; \
	VSHUFF32X4 $0xEE, zb, za, Z17; \
	VADDPS     Z17, Z16, za

// NPAIR8 adds the two blocks each row has after NPAIR16: za's block k
// then holds four partial sums of row k of the four rows za and zb held.
#define NPAIR8(za, zb) \
	VSHUFF32X4 $0x88, zb, za, Z16; \
	VSHUFF32X4 $0xDD, zb, za, Z17; \
	VADDPS     Z17, Z16, za

// func gemvNRowsAVX512Asm(y, a []float32, lda int, x []float32, rows []int32, limit int) int
//
// Registers: SI y, DX a, R9 lda in bytes, DI x, CX n, BX the block's (or
// row's) place in rows, R8 rows left, R14 its position, AX a row's offset;
// K1 the lanes of a row of up to 16 (or of the tail of a long row), K2 the
// rows of a block, K3 the bad ones, K4 the scatter's; Z31 x, Z28 the
// tree's lane order, Z27 limit, Z26 the block's indices, Z0–Z15 the rows'
// products, Z16–Z17 shuffles.
TEXT ·gemvNRowsAVX512Asm(SB), NOSPLIT, $0-120
	MOVQ         y_base+0(FP), SI
	MOVQ         a_base+24(FP), DX
	MOVQ         lda+48(FP), R9
	SHLQ         $2, R9
	MOVQ         x_base+56(FP), DI
	MOVQ         x_len+64(FP), CX
	MOVQ         rows_base+80(FP), BX
	MOVQ         rows_len+88(FP), R8
	XORQ         R14, R14
	MOVQ         $-1, ret+112(FP)
	TESTQ        R8, R8
	JZ           rows_done
	CMPQ         CX, $16
	JA           rows_long

	// K1 = the low n bits.
	MOVL         $1, AX
	SHLL         CX, AX
	DECL         AX
	KMOVW        AX, K1
	VMOVUPS.Z    (DI), K1, Z31
	VMOVUPS      rowsTreeOrder<>(SB), Z28
	VPBROADCASTD limit+104(FP), Z27

rows_block:
	// K2 = the rows of this block: all 16, or the last few.
	MOVL        $0xffff, AX
	CMPQ        R8, $16
	JAE         rows_mask
	MOVQ        R8, CX
	MOVL        $1, AX
	SHLL        CX, AX
	DECL        AX

rows_mask:
	KMOVW       AX, K2
	VMOVDQU32.Z (BX), K2, Z26
	VPCMPUD     $5, Z27, Z26, K2, K3
	KMOVW       K3, AX
	TESTL       AX, AX
	JNZ         rows_bad
	VPXORD      Z0, Z0, Z0
	VPXORD      Z1, Z1, Z1
	VPXORD      Z2, Z2, Z2
	VPXORD      Z3, Z3, Z3
	VPXORD      Z4, Z4, Z4
	VPXORD      Z5, Z5, Z5
	VPXORD      Z6, Z6, Z6
	VPXORD      Z7, Z7, Z7
	VPXORD      Z8, Z8, Z8
	VPXORD      Z9, Z9, Z9
	VPXORD      Z10, Z10, Z10
	VPXORD      Z11, Z11, Z11
	VPXORD      Z12, Z12, Z12
	VPXORD      Z13, Z13, Z13
	VPXORD      Z14, Z14, Z14
	VPXORD      Z15, Z15, Z15
	NROW(0, Z0)
	NROW(1, Z1)
	NROW(2, Z2)
	NROW(3, Z3)
	NROW(4, Z4)
	NROW(5, Z5)
	NROW(6, Z6)
	NROW(7, Z7)
	NROW(8, Z8)
	NROW(9, Z9)
	NROW(10, Z10)
	NROW(11, Z11)
	NROW(12, Z12)
	NROW(13, Z13)
	NROW(14, Z14)
	NROW(15, Z15)

rows_tree:
	NPAIR16(Z0, Z1)
	NPAIR16(Z2, Z3)
	NPAIR16(Z4, Z5)
	NPAIR16(Z6, Z7)
	NPAIR16(Z8, Z9)
	NPAIR16(Z10, Z11)
	NPAIR16(Z12, Z13)
	NPAIR16(Z14, Z15)
	NPAIR8(Z0, Z2)
	NPAIR8(Z4, Z6)
	NPAIR8(Z8, Z10)
	NPAIR8(Z12, Z14)
	// Z0, Z4, Z8, Z12: block k holds four partial sums of row k (+4, +8,
	// +12). Two in-lane rounds bring each row's four together.
	VSHUFPS     $0x44, Z4, Z0, Z16
	VSHUFPS     $0xEE, Z4, Z0, Z17
	VADDPS      Z17, Z16, Z0
	VSHUFPS     $0x44, Z12, Z8, Z16
	VSHUFPS     $0xEE, Z12, Z8, Z17
	VADDPS      Z17, Z16, Z8
	VSHUFPS     $0x88, Z8, Z0, Z16
	VSHUFPS     $0xDD, Z8, Z0, Z17
	VADDPS      Z17, Z16, Z0
	// Lane 4k+t holds row k+4t's sum.
	VPERMPS     Z0, Z28, Z0
	KMOVW       K2, K4
	VSCATTERDPS Z0, K4, (SI)(Z26*4)
	ADDQ        $64, BX
	ADDQ        $16, R14
	SUBQ        $16, R8
	JA          rows_block
	JMP         rows_done

rows_bad:
	TZCNTL AX, AX
	ADDQ   R14, AX
	MOVQ   AX, ret+112(FP)
	JMP    rows_done

rows_long:
	// K1 = the lanes of the last partial vector (none if n%16 == 0); R10
	// the bytes of x in whole pairs of vectors.
	MOVQ  CX, R10
	ANDQ  $15, CX
	MOVL  $1, AX
	SHLL  CX, AX
	DECL  AX
	KMOVW AX, K1
	MOVQ  R10, CX
	ANDQ  $-32, R10
	SHLQ  $2, R10
	MOVQ  limit+104(FP), R12

rows_row:
	MOVL   (BX), AX
	CMPQ   AX, R12
	JAE    rows_badrow
	IMULQ  R9, AX
	LEAQ   (DX)(AX*1), R11
	ROWDOT16(R11, R10, CX)
	MOVL          (BX), AX
	VMOVSS        X0, (SI)(AX*4)
	ADDQ          $4, BX
	INCQ          R14
	DECQ          R8
	JNZ           rows_row
	JMP           rows_done

rows_badrow:
	MOVQ R14, ret+112(FP)

rows_done:
	VZEROUPPER
	RET

// rowsTreeOrder is the permutation from the tree's lanes to the rows'.
DATA rowsTreeOrder<>+0(SB)/4, $0
DATA rowsTreeOrder<>+4(SB)/4, $4
DATA rowsTreeOrder<>+8(SB)/4, $8
DATA rowsTreeOrder<>+12(SB)/4, $12
DATA rowsTreeOrder<>+16(SB)/4, $1
DATA rowsTreeOrder<>+20(SB)/4, $5
DATA rowsTreeOrder<>+24(SB)/4, $9
DATA rowsTreeOrder<>+28(SB)/4, $13
DATA rowsTreeOrder<>+32(SB)/4, $2
DATA rowsTreeOrder<>+36(SB)/4, $6
DATA rowsTreeOrder<>+40(SB)/4, $10
DATA rowsTreeOrder<>+44(SB)/4, $14
DATA rowsTreeOrder<>+48(SB)/4, $3
DATA rowsTreeOrder<>+52(SB)/4, $7
DATA rowsTreeOrder<>+56(SB)/4, $11
DATA rowsTreeOrder<>+60(SB)/4, $15
GLOBL rowsTreeOrder<>(SB), RODATA|NOPTR, $64
