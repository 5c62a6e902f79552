//go:build !purego

// AVX-512F OuterUpdateSparseT (sparse_t.go) on k rows of w and one strip of
// columns, packed from d by the Go wrapper (sparse_t_amd64.go): up to 64
// columns, masked, or exactly 128 (the "wide" kernel).
//
// For each row p of xt, 64 values at a time (then 16 at a time, the last
// ones masked) are compared with zero (not equal or unordered, so NaN
// counts as non-zero) into a bit mask whose set bits are taken lowest
// first with TZCNT and cleared; each adds xt[p,r]·d[r,:] to one of two
// sets of gradient sums in turn. Which set takes the next term is kept in
// the code position: the loops marked A give it to the first set, those
// marked B to the second. At the end of the row, if it had any term,
// w[p,:] += alpha·(A + B). The long masks matter: the exit of a loop over
// a mask's bits is mispredicted about once a mask, and with 16 rows to a
// mask the MNIST batch took a fifth longer.
//
// Registers: SI row p of xt, DI the packed strip of d, R10 the strip of
// row p of w, BX rows left, R9 &xt[p,r0] and R13 &d[r0,0] for the first
// row r0 of the mask being walked, R8, DX and R11 &xt[p,·] at m rounded
// down to 64, to 16, and at m, AX the bits left of the mask, CX the row of
// a term (r−r0, then its byte offset from R13), R12 AX−1. K1 the lanes of
// the last, partial 16 rows of xt; K6, K7 compare results. Z8 xt[p,r]
// broadcast, Z9 alpha, Z31 zero. The frame holds (m rounded down to 64),
// (m rounded down to 16) and m in bytes of xt, and whether the row has
// had a term.

#include "textflag.h"

// TERM adds the term of the lowest set bit of AX to the gradient sums
// a0–a3 and clears the bit (x &= x−1); ZF is set when no bit is left.
// The bit is cleared with LEA and AND, which need no BMI1 (BLSR measured
// no faster), and the row of d found with a shift (the strip is packed,
// 256 bytes a row) rather than IMUL. Without the multiply-adds the loops
// take half the time of the whole: mostly the mispredicted exit of each
// mask's loop, which is why the masks are long.
#define TERM(a0, a1, a2, a3) \
	TZCNTQ       AX, CX; \
	LEAQ         -1(AX), R12; \
	VBROADCASTSS (R9)(CX*4), Z8; \
	SHLQ         $8, CX; \
	VFMADD231PS  (R13)(CX*1), Z8, K2, a0; \
	VFMADD231PS  64(R13)(CX*1), Z8, K3, a1; \
	VFMADD231PS  128(R13)(CX*1), Z8, K4, a2; \
	VFMADD231PS  192(R13)(CX*1), Z8, K5, a3; \
	ANDQ         R12, AX

// TERMW is TERM on a strip of 128 columns, 512 bytes a row, unmasked.
#define TERMW(a0, a1, a2, a3, a4, a5, a6, a7) \
	TZCNTQ       AX, CX; \
	LEAQ         -1(AX), R12; \
	VBROADCASTSS (R9)(CX*4), Z8; \
	SHLQ         $9, CX; \
	VFMADD231PS  (R13)(CX*1), Z8, a0; \
	VFMADD231PS  64(R13)(CX*1), Z8, a1; \
	VFMADD231PS  128(R13)(CX*1), Z8, a2; \
	VFMADD231PS  192(R13)(CX*1), Z8, a3; \
	VFMADD231PS  256(R13)(CX*1), Z8, a4; \
	VFMADD231PS  320(R13)(CX*1), Z8, a5; \
	VFMADD231PS  384(R13)(CX*1), Z8, a6; \
	VFMADD231PS  448(R13)(CX*1), Z8, a7; \
	ANDQ         R12, AX

// GROUPMASK sets AX to the mask of the 64 rows of xt at R9.
#define GROUPMASK \
	VCMPPS $4, (R9), Z31, K6; \
	VCMPPS $4, 64(R9), Z31, K7; \
	KMOVW  K6, AX; \
	KMOVW  K7, CX; \
	SHLQ   $16, CX; \
	ORQ    CX, AX; \
	VCMPPS $4, 128(R9), Z31, K6; \
	VCMPPS $4, 192(R9), Z31, K7; \
	KMOVW  K6, CX; \
	SHLQ   $32, CX; \
	ORQ    CX, AX; \
	KMOVW  K7, CX; \
	SHLQ   $48, CX; \
	ORQ    CX, AX

// UPDATE adds alpha·(a + b) to the 16 columns of row p of w at byte
// offset off, under the mask km.
#define UPDATE(off, a, b, km) \
	VADDPS      b, a, a; \
	VMOVUPS.Z   off(R10), km, Z16; \
	VFMADD231PS a, Z9, Z16; \
	VMOVUPS     Z16, km, off(R10)

// UPDATEW is UPDATE unmasked.
#define UPDATEW(off, a, b) \
	VADDPS      b, a, a; \
	VMOVUPS     off(R10), Z18; \
	VFMADD231PS a, Z9, Z18; \
	VMOVUPS     Z18, off(R10)

// PROLOGUE loads the registers and frame slots both kernels share, m in
// R11 first.
#define PROLOGUE \
	VPXORD Z31, Z31, Z31; \
	MOVQ   R11, CX; \
	ANDQ   $15, CX; \
	MOVQ   $1, AX; \
	SHLQ   CX, AX; \
	DECQ   AX; \
	KMOVW  AX, K1; \
	SHLQ   $2, R11; \
	MOVQ   R11, mBytes-8(SP); \
	MOVQ   R11, AX; \
	ANDQ   $-256, AX; \
	MOVQ   AX, groupBytes-16(SP); \
	MOVQ   R11, AX; \
	ANDQ   $-64, AX; \
	MOVQ   AX, blockBytes-24(SP)

// ROWSTART points the registers at the first mask of row p.
#define ROWSTART \
	MOVQ SI, R9; \
	MOVQ DI, R13; \
	MOVQ SI, R8; \
	ADDQ groupBytes-16(SP), R8; \
	MOVQ SI, DX; \
	ADDQ blockBytes-24(SP), DX; \
	MOVQ SI, R11; \
	ADDQ mBytes-8(SP), R11; \
	MOVQ $0, any-32(SP)

// func outerUpdateSparseTAVX512Asm(m, k, width int, alpha float32, xt []float32, ldxt int, d []float32, w []float32, ldw int)
//
// Z0–Z3 and Z4–Z7 the two sets of gradient sums; K2–K5 the columns of the
// strip (width of 64) in each of its four vectors.
TEXT ·outerUpdateSparseTAVX512Asm(SB), NOSPLIT, $32-120
	MOVQ         m+0(FP), R11
	MOVQ         k+8(FP), BX
	VBROADCASTSS alpha+24(FP), Z9
	MOVQ         xt_base+32(FP), SI
	MOVQ         d_base+64(FP), DI
	MOVQ         w_base+88(FP), R10
	PROLOGUE

	// K2–K5 = the 16-bit pieces of the low width bits of 64.
	MOVQ  $64, CX
	SUBQ  width+16(FP), CX
	MOVQ  $-1, AX
	SHRQ  CX, AX
	KMOVW AX, K2
	SHRQ  $16, AX
	KMOVW AX, K3
	SHRQ  $16, AX
	KMOVW AX, K4
	SHRQ  $16, AX
	KMOVW AX, K5

	TESTQ BX, BX
	JZ    done

row:
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	ROWSTART

groupA:
	CMPQ  R9, R8
	JAE   blockA
	GROUPMASK
	ORQ   AX, any-32(SP)
	TESTQ AX, AX
	JZ    nextgroupA

gtermA:
	TERM(Z0, Z1, Z2, Z3)
	JZ nextgroupB
	TERM(Z4, Z5, Z6, Z7)
	JNZ gtermA

nextgroupA:
	ADDQ $256, R9
	ADDQ $16384, R13
	JMP  groupA

groupB:
	CMPQ  R9, R8
	JAE   blockB
	GROUPMASK
	TESTQ AX, AX
	JZ    nextgroupB

gtermB:
	TERM(Z4, Z5, Z6, Z7)
	JZ nextgroupA
	TERM(Z0, Z1, Z2, Z3)
	JNZ gtermB

nextgroupB:
	ADDQ $256, R9
	ADDQ $16384, R13
	JMP  groupB

blockA:
	CMPQ   R9, DX
	JAE    tailA
	VCMPPS $4, (R9), Z31, K6

maskA:
	KMOVW K6, AX
	ORQ   AX, any-32(SP)
	TESTQ AX, AX
	JZ    nextA

termA:
	TERM(Z0, Z1, Z2, Z3)
	JZ nextB
	TERM(Z4, Z5, Z6, Z7)
	JNZ termA

nextA:
	ADDQ $64, R9
	ADDQ $4096, R13
	JMP  blockA

tailA:
	CMPQ      R9, R11
	JAE       finish
	VMOVUPS.Z (R9), K1, Z19
	VCMPPS    $4, Z19, Z31, K6
	JMP       maskA

blockB:
	CMPQ   R9, DX
	JAE    tailB
	VCMPPS $4, (R9), Z31, K6

maskB:
	KMOVW K6, AX
	TESTQ AX, AX
	JZ    nextB

termB:
	TERM(Z4, Z5, Z6, Z7)
	JZ nextA
	TERM(Z0, Z1, Z2, Z3)
	JNZ termB

nextB:
	ADDQ $64, R9
	ADDQ $4096, R13
	JMP  blockB

tailB:
	CMPQ      R9, R11
	JAE       finish
	VMOVUPS.Z (R9), K1, Z19
	VCMPPS    $4, Z19, Z31, K6
	JMP       maskB

finish:
	CMPQ any-32(SP), $0
	JE   nextrow
	UPDATE(0, Z0, Z4, K2)
	UPDATE(64, Z1, Z5, K3)
	UPDATE(128, Z2, Z6, K4)
	UPDATE(192, Z3, Z7, K5)

nextrow:
	MOVQ ldxt+56(FP), CX
	LEAQ (SI)(CX*4), SI
	MOVQ ldw+112(FP), CX
	LEAQ (R10)(CX*4), R10
	DECQ BX
	JNZ  row

done:
	VZEROUPPER
	RET

// func outerUpdateSparseTWideAVX512Asm(m, k int, alpha float32, xt []float32, ldxt int, d []float32, w []float32, ldw int)
//
// outerUpdateSparseTAVX512Asm on a strip of exactly 128 columns: Z0–Z7
// and Z10–Z17 the two sets of gradient sums.
TEXT ·outerUpdateSparseTWideAVX512Asm(SB), NOSPLIT, $32-112
	MOVQ         m+0(FP), R11
	MOVQ         k+8(FP), BX
	VBROADCASTSS alpha+16(FP), Z9
	MOVQ         xt_base+24(FP), SI
	MOVQ         d_base+56(FP), DI
	MOVQ         w_base+80(FP), R10
	PROLOGUE
	TESTQ        BX, BX
	JZ           doneW

rowW:
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	ROWSTART

groupAW:
	CMPQ  R9, R8
	JAE   blockAW
	GROUPMASK
	ORQ   AX, any-32(SP)
	TESTQ AX, AX
	JZ    nextgroupAW

gtermAW:
	TERMW(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	JZ nextgroupBW
	TERMW(Z10, Z11, Z12, Z13, Z14, Z15, Z16, Z17)
	JNZ gtermAW

nextgroupAW:
	ADDQ $256, R9
	ADDQ $32768, R13
	JMP  groupAW

groupBW:
	CMPQ  R9, R8
	JAE   blockBW
	GROUPMASK
	TESTQ AX, AX
	JZ    nextgroupBW

gtermBW:
	TERMW(Z10, Z11, Z12, Z13, Z14, Z15, Z16, Z17)
	JZ nextgroupAW
	TERMW(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	JNZ gtermBW

nextgroupBW:
	ADDQ $256, R9
	ADDQ $32768, R13
	JMP  groupBW

blockAW:
	CMPQ   R9, DX
	JAE    tailAW
	VCMPPS $4, (R9), Z31, K6

maskAW:
	KMOVW K6, AX
	ORQ   AX, any-32(SP)
	TESTQ AX, AX
	JZ    nextAW

termAW:
	TERMW(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	JZ nextBW
	TERMW(Z10, Z11, Z12, Z13, Z14, Z15, Z16, Z17)
	JNZ termAW

nextAW:
	ADDQ $64, R9
	ADDQ $8192, R13
	JMP  blockAW

tailAW:
	CMPQ      R9, R11
	JAE       finishW
	VMOVUPS.Z (R9), K1, Z19
	VCMPPS    $4, Z19, Z31, K6
	JMP       maskAW

blockBW:
	CMPQ   R9, DX
	JAE    tailBW
	VCMPPS $4, (R9), Z31, K6

maskBW:
	KMOVW K6, AX
	TESTQ AX, AX
	JZ    nextBW

termBW:
	TERMW(Z10, Z11, Z12, Z13, Z14, Z15, Z16, Z17)
	JZ nextAW
	TERMW(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	JNZ termBW

nextBW:
	ADDQ $64, R9
	ADDQ $8192, R13
	JMP  blockBW

tailBW:
	CMPQ      R9, R11
	JAE       finishW
	VMOVUPS.Z (R9), K1, Z19
	VCMPPS    $4, Z19, Z31, K6
	JMP       maskBW

finishW:
	CMPQ any-32(SP), $0
	JE   nextrowW
	UPDATEW(0, Z0, Z10)
	UPDATEW(64, Z1, Z11)
	UPDATEW(128, Z2, Z12)
	UPDATEW(192, Z3, Z13)
	UPDATEW(256, Z4, Z14)
	UPDATEW(320, Z5, Z15)
	UPDATEW(384, Z6, Z16)
	UPDATEW(448, Z7, Z17)

nextrowW:
	MOVQ ldxt+48(FP), CX
	LEAQ (SI)(CX*4), SI
	MOVQ ldw+104(FP), CX
	LEAQ (R10)(CX*4), R10
	DECQ BX
	JNZ  rowW

doneW:
	VZEROUPPER
	RET
