//go:build !purego

// AVX-512F Exp (exp.go), 16 lanes a vector. e^x = 2^n · e^r with
// n = round(x·log₂e) and r = x − n·ln2 (ln2 in two parts, so r is nearly
// exact) in [−ln2/2, ln2/2], where the Taylor polynomial of e^r to degree
// 7 is within 3e-9 relative; VSCALEFPS multiplies by 2^n with one rounding.
// Lanes with x < ExpMin are set to 0 and those with x ≥ 88.72284 to +Inf;
// a NaN runs through the arithmetic and stays NaN. The last 1..15
// elements are an opmask-ed load and store.
//
// Registers: DI dst, SI src, CX elements left, Z16 log₂e, Z17 and Z18 the
// two parts of ln2, Z19–Z24 the coefficients 1/7! … 1/2!, Z25 1, Z26
// ExpMin, Z27 88.72284, Z28 +Inf, Z31 zero.

#include "textflag.h"

// EXPCONST sets scalar i of expConsts to bits (broadcast when loaded; the
// exponent bias, entry 13, goes unused: VSCALEFPS takes n itself).
#define EXPCONST(i, bits) DATA expConsts<>+(i*4)(SB)/4, bits

#include "exp_consts.h"
GLOBL expConsts<>(SB), RODATA|NOPTR, $56

// EXP16 sets Z3 to e^Z0, lane by lane; clobbers Z1, Z2, K1 and K2.
#define EXP16 \
	VMULPS       Z16, Z0, Z1; \
	VRNDSCALEPS  $0, Z1, Z1; \
	VMOVAPS      Z0, Z2; \
	VFNMADD231PS Z17, Z1, Z2; \
	VFNMADD231PS Z18, Z1, Z2; \
	VMOVAPS      Z19, Z3; \
	VFMADD213PS  Z20, Z2, Z3; \
	VFMADD213PS  Z21, Z2, Z3; \
	VFMADD213PS  Z22, Z2, Z3; \
	VFMADD213PS  Z23, Z2, Z3; \
	VFMADD213PS  Z24, Z2, Z3; \
	VFMADD213PS  Z25, Z2, Z3; \
	VFMADD213PS  Z25, Z2, Z3; \
	VSCALEFPS    Z1, Z3, Z3; \
	VCMPPS       $1, Z26, Z0, K1; \
	VCMPPS       $13, Z27, Z0, K2; \
	VMOVAPS      Z31, K1, Z3; \
	VMOVAPS      Z28, K2, Z3

// func expAVX512Asm(dst, src []float32)
TEXT ·expAVX512Asm(SB), NOSPLIT, $0-48
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	LEAQ         expConsts<>(SB), AX
	VBROADCASTSS 0(AX), Z16
	VBROADCASTSS 4(AX), Z17
	VBROADCASTSS 8(AX), Z18
	VBROADCASTSS 12(AX), Z19
	VBROADCASTSS 16(AX), Z20
	VBROADCASTSS 20(AX), Z21
	VBROADCASTSS 24(AX), Z22
	VBROADCASTSS 28(AX), Z23
	VBROADCASTSS 32(AX), Z24
	VBROADCASTSS 36(AX), Z25
	VBROADCASTSS 40(AX), Z26
	VBROADCASTSS 44(AX), Z27
	VBROADCASTSS 48(AX), Z28
	VPXORD       Z31, Z31, Z31

exp_vectors:
	CMPQ    CX, $16
	JB      exp_tail
	VMOVUPS (SI), Z0
	EXP16
	VMOVUPS Z3, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $16, CX
	JMP     exp_vectors

exp_tail:
	TESTQ     CX, CX
	JZ        exp_done
	MOVL      $1, AX
	SHLL      CX, AX
	DECL      AX
	KMOVW     AX, K3
	VMOVUPS.Z (SI), K3, Z0
	EXP16
	VMOVUPS   Z3, K3, (DI)

exp_done:
	VZEROUPPER
	RET
