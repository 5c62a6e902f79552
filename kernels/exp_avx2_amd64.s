//go:build !purego

// AVX2+FMA Exp (exp.go), 8 lanes a vector, by the method of
// exp_avx512_amd64.s. Without VSCALEFPS, 2^n is built from its exponent
// bits as 2^h · 2^(n−h) with h = n/2 rounded down, so that both factors are
// normal floats over n in [−126, 128] and multiplying by them rounds once
// at most. The last 1..7 elements are a VMASKMOVPS load and store.
//
// Registers: DI dst, SI src, CX elements left, AX the constants (8-lane
// vectors, used as memory operands), Y0 x, Y1 n, Y2 r, Y3 the result, Y4
// and Y5 the halves of n, Y6 a lane mask, Y15 the tail's mask.

#include "textflag.h"

// EXPCONST fills the 8 lanes of vector i of expConsts8 with bits.
#define EXPCONST(i, bits) \
	DATA expConsts8<>+(i*32+0)(SB)/4, bits;  \
	DATA expConsts8<>+(i*32+4)(SB)/4, bits;  \
	DATA expConsts8<>+(i*32+8)(SB)/4, bits;  \
	DATA expConsts8<>+(i*32+12)(SB)/4, bits; \
	DATA expConsts8<>+(i*32+16)(SB)/4, bits; \
	DATA expConsts8<>+(i*32+20)(SB)/4, bits; \
	DATA expConsts8<>+(i*32+24)(SB)/4, bits; \
	DATA expConsts8<>+(i*32+28)(SB)/4, bits

#include "exp_consts.h"
GLOBL expConsts8<>(SB), RODATA|NOPTR, $448

// EXP8 sets Y3 to e^Y0, lane by lane; clobbers Y1, Y2, Y4, Y5 and Y6.
#define EXP8 \
	VMULPS       0(AX), Y0, Y1; \
	VROUNDPS     $0, Y1, Y1; \
	VMOVAPS      Y0, Y2; \
	VFNMADD231PS 32(AX), Y1, Y2; \
	VFNMADD231PS 64(AX), Y1, Y2; \
	VMOVAPS      96(AX), Y3; \
	VFMADD213PS  128(AX), Y2, Y3; \
	VFMADD213PS  160(AX), Y2, Y3; \
	VFMADD213PS  192(AX), Y2, Y3; \
	VFMADD213PS  224(AX), Y2, Y3; \
	VFMADD213PS  256(AX), Y2, Y3; \
	VFMADD213PS  288(AX), Y2, Y3; \
	VFMADD213PS  288(AX), Y2, Y3; \
	VCVTPS2DQ    Y1, Y4; \
	VPSRAD       $1, Y4, Y5; \
	VPSUBD       Y5, Y4, Y4; \
	VPADDD       416(AX), Y5, Y5; \
	VPADDD       416(AX), Y4, Y4; \
	VPSLLD       $23, Y5, Y5; \
	VPSLLD       $23, Y4, Y4; \
	VMULPS       Y5, Y3, Y3; \
	VMULPS       Y4, Y3, Y3; \
	VCMPPS       $1, 320(AX), Y0, Y6; \
	VANDNPS      Y3, Y6, Y3; \
	VCMPPS       $13, 352(AX), Y0, Y6; \
	VBLENDVPS    Y6, 384(AX), Y3, Y3

// func expAVX2Asm(dst, src []float32)
TEXT ·expAVX2Asm(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	LEAQ expConsts8<>(SB), AX

exp_vectors:
	CMPQ    CX, $8
	JB      exp_tail
	VMOVUPS (SI), Y0
	EXP8
	VMOVUPS Y3, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     exp_vectors

exp_tail:
	TESTQ      CX, CX
	JZ         exp_done
	MOVQ       $8, R8
	SUBQ       CX, R8
	LEAQ       ·avx2TailMask(SB), R9
	VMOVDQU    (R9)(R8*4), Y15
	VMASKMOVPS (SI), Y15, Y0
	EXP8
	VMASKMOVPS Y3, Y15, (DI)

exp_done:
	VZEROUPPER
	RET
