//go:build !purego

#include "textflag.h"

// EXPAND8(b) spreads out the eight entries of x at DI from byte b of the
// mask at R9, and appends their positions to idx. The idx store is
// unmasked: the count so far is at most the number of entries before
// these eight, so all 8 lanes fall within len(x) ≤ len(idx).
#define EXPAND8(b) \
	MOVBLZX    b(R9), CX;             \
	POPCNTL    CX, DX;                \
	SUBQ       DX, R10;               \
	JCS        short;                 \
	VPMOVSXBD  (R12)(CX*8), Y6;       \
	VMASKMOVPS (SI), Y6, Y4;          \
	VPERMPS    Y4, Y6, Y0;            \
	VMOVUPS    Y0, (DI);              \
	VPMOVZXBD  2048(R12)(CX*8), Y1;   \
	VPADDD     Y2, Y1, Y1;            \
	VMOVDQU    Y1, (R8)(AX*4);        \
	ADDQ       DX, AX;                \
	LEAQ       (SI)(DX*4), SI;        \
	VPADDD     Y3, Y2, Y2;            \
	ADDQ       $32, DI

// func expandNonZerosAVX2Asm(x []float32, idx []int32, bits []uint16, vals []float32) int
//
// ExpandNonZeros (expand.go) eight entries at a time, from a byte of the
// mask (the words are little-endian, so byte k holds entries 8k..8k+7).
// AVX2 has no VEXPANDPS or VPCOMPRESSD, so the byte m picks their work
// from expandAVX2Table (expand_amd64.go): its first row, sign-extended,
// both masks the load of the next popcount(m) values (never past them;
// the other lanes read as zero) and, as VPERMPS indices, moves them to
// the set lanes, the clear ones taking lane 7, which is zero unless all
// eight are set; its second row holds the set lanes' numbers, packed, to
// which the position of the eight is added. A word of zeros (much of an
// image's border) is just stored as zeros: some 5–10% off the MNIST-like
// benchmark on Zen 4. Returns −1 if the mask asks for more values than
// vals holds.
//
// Registers: DI x, BX entries of x left, R8 idx, R9 the mask (by bytes),
// SI vals, R10 values left, AX count, CX the mask byte, DX its popcount,
// R12 expandAVX2Table. Y2 the position of the current eight in every
// lane, Y3 eights, Y8 sixteens, Y7 zero; Y6 the table's first row, Y4 the
// values, Y0 them spread out, Y1 their positions.
TEXT ·expandNonZerosAVX2Asm(SB), NOSPLIT, $0-104
	MOVQ         x_base+0(FP), DI
	MOVQ         x_len+8(FP), BX
	MOVQ         idx_base+24(FP), R8
	MOVQ         bits_base+48(FP), R9
	MOVQ         vals_base+72(FP), SI
	MOVQ         vals_len+80(FP), R10
	XORQ         AX, AX
	LEAQ         ·expandAVX2Table(SB), R12
	VPXOR        Y2, Y2, Y2
	VPXOR        Y7, Y7, Y7
	MOVL         $8, R11
	VMOVD        R11, X3
	VPBROADCASTD X3, Y3
	VPADDD       Y3, Y3, Y8

vec16:
	// Two eights a round, the second from the mask's next byte.
	CMPQ BX, $16
	JB   vec8
	CMPW (R9), $0
	JEQ  zero16
	EXPAND8(0)
	EXPAND8(1)
	ADDQ $2, R9
	SUBQ $16, BX
	JMP  vec16

zero16:
	// No values and no positions; the count stays.
	VMOVUPS Y7, (DI)
	VMOVUPS Y7, 32(DI)
	VPADDD  Y8, Y2, Y2
	ADDQ    $64, DI
	ADDQ    $2, R9
	SUBQ    $16, BX
	JMP     vec16

vec8:
	// At most one eight left before the tail.
	CMPQ BX, $8
	JB   tail
	EXPAND8(0)
	INCQ R9
	SUBQ $8, BX

tail:
	// The last 1..7 entries: the byte's bits past them are dropped, x is
	// stored through the mask of its first BX lanes, and idx through that
	// of the first popcount lanes, the sign bits of Y6.
	TESTQ      BX, BX
	JZ         done
	MOVQ       BX, CX
	MOVL       $1, R11
	SHLL       CX, R11
	DECL       R11
	MOVBLZX    (R9), CX
	ANDL       R11, CX
	POPCNTL    CX, DX
	SUBQ       DX, R10
	JCS        short
	VPMOVSXBD  (R12)(CX*8), Y6
	VMASKMOVPS (SI), Y6, Y4
	VPERMPS    Y4, Y6, Y0
	MOVQ       $8, R11
	SUBQ       BX, R11
	LEAQ       ·avx2TailMask(SB), R13
	VMOVDQU    (R13)(R11*4), Y5
	VMASKMOVPS Y0, Y5, (DI)
	VPMOVZXBD  2048(R12)(CX*8), Y1
	VPADDD     Y2, Y1, Y1
	VPMASKMOVD Y1, Y6, (R8)(AX*4)
	ADDQ       DX, AX

done:
	MOVQ AX, ret+96(FP)
	VZEROUPPER
	RET

short:
	MOVQ $-1, ret+96(FP)
	VZEROUPPER
	RET
