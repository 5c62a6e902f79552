//go:build !purego

// AVX2+FMA OuterUpdateSparseT: sparse_t_avx512_amd64.s with 8-lane vectors
// on packed strips of exactly 32 columns (the Go wrapper, in
// sparse_t_amd64.go, leaves a narrower last strip to the generic code),
// 64 rows of xt to a mask (eight VMOVMSKPS), then 8. The last, partial 8
// rows of xt are loaded with VMASKMOVPS, which leaves the lanes past m
// unread and zero.
//
// Registers: SI row p of xt, DI the packed strip of d (32 floats a row),
// R10 the strip of row p of w, BX rows left, R9 the first row r of the
// mask being walked, R8 and DX m rounded down to 64 and to 8, R11 m, R13
// non-zero if the row has had a term, AX the bits left of the mask, CX the
// row of a term (index, then byte offset into d), R12 AX−1. Y0–Y3 and
// Y4–Y7 the two sets of gradient sums, Y8 xt[p,r] broadcast, Y9 alpha,
// Y10 zero, Y11 the compare, Y12 the lanes of the last 8 rows of xt.

#include "textflag.h"

// Eight all-ones lanes then eight zero ones: the 8 lanes from byte
// 32 − 4t are the mask of the first t.
DATA sparseTTailAVX2<>+0(SB)/8, $0xffffffffffffffff
DATA sparseTTailAVX2<>+8(SB)/8, $0xffffffffffffffff
DATA sparseTTailAVX2<>+16(SB)/8, $0xffffffffffffffff
DATA sparseTTailAVX2<>+24(SB)/8, $0xffffffffffffffff
DATA sparseTTailAVX2<>+32(SB)/8, $0
DATA sparseTTailAVX2<>+40(SB)/8, $0
DATA sparseTTailAVX2<>+48(SB)/8, $0
DATA sparseTTailAVX2<>+56(SB)/8, $0
GLOBL sparseTTailAVX2<>(SB), RODATA|NOPTR, $64

// TERM adds the term of the lowest set bit of AX to the gradient sums
// a0–a3 and clears the bit (x &= x−1); ZF is set when no bit is left. As
// in the AVX-512 kernel: LEA and AND rather than BLSR, and a shift into
// the packed strip (128 bytes a row) rather than IMUL.
#define TERM(a0, a1, a2, a3) \
	TZCNTQ       AX, CX; \
	LEAQ         -1(AX), R12; \
	ADDQ         R9, CX; \
	VBROADCASTSS (SI)(CX*4), Y8; \
	SHLQ         $7, CX; \
	VFMADD231PS  (DI)(CX*1), Y8, a0; \
	VFMADD231PS  32(DI)(CX*1), Y8, a1; \
	VFMADD231PS  64(DI)(CX*1), Y8, a2; \
	VFMADD231PS  96(DI)(CX*1), Y8, a3; \
	ANDQ         R12, AX

// GROUPMASK sets AX to the mask of the 64 rows of xt from R9.
#define GROUPMASK \
	VCMPPS    $4, (SI)(R9*4), Y10, Y11; \
	VMOVMSKPS Y11, AX; \
	VCMPPS    $4, 32(SI)(R9*4), Y10, Y11; \
	VMOVMSKPS Y11, CX; \
	SHLQ      $8, CX; \
	ORQ       CX, AX; \
	VCMPPS    $4, 64(SI)(R9*4), Y10, Y11; \
	VMOVMSKPS Y11, CX; \
	SHLQ      $16, CX; \
	ORQ       CX, AX; \
	VCMPPS    $4, 96(SI)(R9*4), Y10, Y11; \
	VMOVMSKPS Y11, CX; \
	SHLQ      $24, CX; \
	ORQ       CX, AX; \
	VCMPPS    $4, 128(SI)(R9*4), Y10, Y11; \
	VMOVMSKPS Y11, CX; \
	SHLQ      $32, CX; \
	ORQ       CX, AX; \
	VCMPPS    $4, 160(SI)(R9*4), Y10, Y11; \
	VMOVMSKPS Y11, CX; \
	SHLQ      $40, CX; \
	ORQ       CX, AX; \
	VCMPPS    $4, 192(SI)(R9*4), Y10, Y11; \
	VMOVMSKPS Y11, CX; \
	SHLQ      $48, CX; \
	ORQ       CX, AX; \
	VCMPPS    $4, 224(SI)(R9*4), Y10, Y11; \
	VMOVMSKPS Y11, CX; \
	SHLQ      $56, CX; \
	ORQ       CX, AX

// UPDATE adds alpha·(a + b) to the 8 columns of row p of w at byte offset
// off.
#define UPDATE(off, a, b) \
	VADDPS      b, a, a; \
	VMOVUPS     off(R10), Y13; \
	VFMADD231PS a, Y9, Y13; \
	VMOVUPS     Y13, off(R10)

// func outerUpdateSparseTAVX2Asm(m, k int, alpha float32, xt []float32, ldxt int, d []float32, w []float32, ldw int)
TEXT ·outerUpdateSparseTAVX2Asm(SB), NOSPLIT, $0-112
	MOVQ         m+0(FP), R11
	MOVQ         k+8(FP), BX
	VBROADCASTSS alpha+16(FP), Y9
	MOVQ         xt_base+24(FP), SI
	MOVQ         d_base+56(FP), DI
	MOVQ         w_base+80(FP), R10
	VXORPS       Y10, Y10, Y10

	// Y12 = the mask of the first m%8 lanes; R8, DX = m rounded down to
	// 64, 8.
	MOVQ    R11, CX
	ANDQ    $7, CX
	NEGQ    CX
	LEAQ    sparseTTailAVX2<>+32(SB), AX
	VMOVUPS (AX)(CX*4), Y12
	MOVQ    R11, R8
	ANDQ    $-64, R8
	MOVQ    R11, DX
	ANDQ    $-8, DX

	TESTQ BX, BX
	JZ    done

row:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	XORQ   R9, R9
	XORQ   R13, R13

groupA:
	CMPQ  R9, R8
	JAE   blockA
	GROUPMASK
	ORQ   AX, R13
	TESTQ AX, AX
	JZ    nextgroupA

gtermA:
	TERM(Y0, Y1, Y2, Y3)
	JZ nextgroupB
	TERM(Y4, Y5, Y6, Y7)
	JNZ gtermA

nextgroupA:
	ADDQ $64, R9
	JMP  groupA

groupB:
	CMPQ  R9, R8
	JAE   blockB
	GROUPMASK
	TESTQ AX, AX
	JZ    nextgroupB

gtermB:
	TERM(Y4, Y5, Y6, Y7)
	JZ nextgroupA
	TERM(Y0, Y1, Y2, Y3)
	JNZ gtermB

nextgroupB:
	ADDQ $64, R9
	JMP  groupB

blockA:
	CMPQ   R9, DX
	JAE    tailA
	VCMPPS $4, (SI)(R9*4), Y10, Y11

maskA:
	VMOVMSKPS Y11, AX
	ORQ       AX, R13
	TESTQ     AX, AX
	JZ        nextA

termA:
	TERM(Y0, Y1, Y2, Y3)
	JZ nextB
	TERM(Y4, Y5, Y6, Y7)
	JNZ termA

nextA:
	ADDQ $8, R9
	JMP  blockA

tailA:
	CMPQ       R9, R11
	JAE        finish
	VMASKMOVPS (SI)(R9*4), Y12, Y11
	VCMPPS     $4, Y11, Y10, Y11
	JMP        maskA

blockB:
	CMPQ   R9, DX
	JAE    tailB
	VCMPPS $4, (SI)(R9*4), Y10, Y11

maskB:
	VMOVMSKPS Y11, AX
	TESTQ     AX, AX
	JZ        nextB

termB:
	TERM(Y4, Y5, Y6, Y7)
	JZ nextA
	TERM(Y0, Y1, Y2, Y3)
	JNZ termB

nextB:
	ADDQ $8, R9
	JMP  blockB

tailB:
	CMPQ       R9, R11
	JAE        finish
	VMASKMOVPS (SI)(R9*4), Y12, Y11
	VCMPPS     $4, Y11, Y10, Y11
	JMP        maskB

finish:
	TESTQ R13, R13
	JZ    nextrow
	UPDATE(0, Y0, Y4)
	UPDATE(32, Y1, Y5)
	UPDATE(64, Y2, Y6)
	UPDATE(96, Y3, Y7)

nextrow:
	MOVQ ldxt+48(FP), CX
	LEAQ (SI)(CX*4), SI
	MOVQ ldw+104(FP), CX
	LEAQ (R10)(CX*4), R10
	DECQ BX
	JNZ  row

done:
	VZEROUPPER
	RET
