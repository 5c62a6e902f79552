//go:build !purego

#include "textflag.h"

// gemmIota16 is 0, 1, …, 15 as int32: the lanes' column numbers.
DATA gemmIota16<>+0(SB)/8, $0x0000000100000000
DATA gemmIota16<>+8(SB)/8, $0x0000000300000002
DATA gemmIota16<>+16(SB)/8, $0x0000000500000004
DATA gemmIota16<>+24(SB)/8, $0x0000000700000006
DATA gemmIota16<>+32(SB)/8, $0x0000000900000008
DATA gemmIota16<>+40(SB)/8, $0x0000000b0000000a
DATA gemmIota16<>+48(SB)/8, $0x0000000d0000000c
DATA gemmIota16<>+56(SB)/8, $0x0000000f0000000e
GLOBL gemmIota16<>(SB), RODATA|NOPTR, $64

// func gemmPackBT32AVX512(dst []float32, kc, nc int, b []float32, ldb int)
//
// Per 32-column sliver and k step, two gathers fetch the 32 elements
// b[j*ldb+p] (j in the sliver; lanes past nc masked off and left zero) and
// two stores write them contiguously. Z31 holds the lane offsets j·ldb.
TEXT ·gemmPackBT32AVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ b_base+40(FP), SI
	MOVQ ldb+64(FP), AX
	VPBROADCASTD AX, Z30
	VPMULLD gemmIota16<>(SB), Z30, Z31
	SHLQ $6, AX // 16 rows of B, in bytes
	MOVQ nc+32(FP), DX

sliver:
	// Masks of the sliver's columns: the low and high 16 bits of
	// (1<<min(nc, 32))-1.
	MOVQ DX, CX
	CMPQ CX, $32
	JLE  masks
	MOVQ $32, CX

masks:
	MOVQ $1, R10
	SHLQ CX, R10
	DECQ R10
	MOVQ R10, R11
	SHRQ $16, R11
	MOVQ SI, R8
	LEAQ (SI)(AX*1), R9
	MOVQ kc+24(FP), CX

step:
	KMOVW      R10, K1
	KMOVW      R11, K2
	VPXORD     Z0, Z0, Z0
	VPXORD     Z1, Z1, Z1
	VGATHERDPS (R8)(Z31*4), K1, Z0
	VGATHERDPS (R9)(Z31*4), K2, Z1
	VMOVUPS    Z0, (DI)
	VMOVUPS    Z1, 64(DI)
	ADDQ       $128, DI
	ADDQ       $4, R8
	ADDQ       $4, R9
	DECQ       CX
	JNZ        step

	LEAQ (SI)(AX*2), SI // next 32 rows of B
	SUBQ $32, DX
	JG   sliver
	VZEROUPPER
	RET
