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

// func gemmPackBTHalfAVX512(dst []float32, kc, cols int, b []float32, ldb int)
//
// Packs one half (16 columns) of a 32-column sliver of op(B) = Bᵀ: for p in
// 0..kc-1, dst[p*32+jj] = b[jj*ldb+p] for jj < cols, else 0 (cols ≤ 16).
// With all sixteen columns, blocks of 16 k steps are transposed in
// registers: each 128-bit lane of a vector is loaded from one of four
// columns of op(B) (four consecutive floats of a row of B), so only two
// rounds of in-lane shuffles remain, and the inserts may run on either
// vector port where a full transpose would queue four rounds on one. The
// other k steps, and partial halves, take one masked gather per k step.
//
// Registers: SI, R11, R12, R13 point at rows 0, 4, 8, 12 of the sixteen
// (row stride R9, 3·R9 in R10); DI walks dst, CX counts.
TEXT ·gemmPackBTHalfAVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ b_base+40(FP), SI
	MOVQ ldb+64(FP), R9
	SHLQ $2, R9
	LEAQ (R9)(R9*2), R10
	MOVQ kc+24(FP), DX
	MOVQ cols+32(FP), CX
	CMPQ CX, $16
	JNE  gather
	LEAQ (SI)(R9*4), R11
	LEAQ (R11)(R9*4), R12
	LEAQ (R12)(R9*4), R13
	MOVQ DX, CX
	SHRQ $4, CX
	JZ   tail

block:
	VMOVUPS      (SI), X0
	VINSERTF32X4 $1, (R11), Z0, Z0
	VINSERTF32X4 $2, (R12), Z0, Z0
	VINSERTF32X4 $3, (R13), Z0, Z0
	VMOVUPS      (SI)(R9*1), X1
	VINSERTF32X4 $1, (R11)(R9*1), Z1, Z1
	VINSERTF32X4 $2, (R12)(R9*1), Z1, Z1
	VINSERTF32X4 $3, (R13)(R9*1), Z1, Z1
	VMOVUPS      (SI)(R9*2), X2
	VINSERTF32X4 $1, (R11)(R9*2), Z2, Z2
	VINSERTF32X4 $2, (R12)(R9*2), Z2, Z2
	VINSERTF32X4 $3, (R13)(R9*2), Z2, Z2
	VMOVUPS      (SI)(R10*1), X3
	VINSERTF32X4 $1, (R11)(R10*1), Z3, Z3
	VINSERTF32X4 $2, (R12)(R10*1), Z3, Z3
	VINSERTF32X4 $3, (R13)(R10*1), Z3, Z3
	VUNPCKLPS    Z1, Z0, Z4
	VUNPCKHPS    Z1, Z0, Z5
	VUNPCKLPS    Z3, Z2, Z6
	VUNPCKHPS    Z3, Z2, Z7
	VUNPCKLPD    Z6, Z4, Z8
	VUNPCKHPD    Z6, Z4, Z9
	VUNPCKLPD    Z7, Z5, Z10
	VUNPCKHPD    Z7, Z5, Z11
	VMOVUPS      Z8, 0(DI)
	VMOVUPS      Z9, 128(DI)
	VMOVUPS      Z10, 256(DI)
	VMOVUPS      Z11, 384(DI)
	VMOVUPS      16(SI), X0
	VINSERTF32X4 $1, 16(R11), Z0, Z0
	VINSERTF32X4 $2, 16(R12), Z0, Z0
	VINSERTF32X4 $3, 16(R13), Z0, Z0
	VMOVUPS      16(SI)(R9*1), X1
	VINSERTF32X4 $1, 16(R11)(R9*1), Z1, Z1
	VINSERTF32X4 $2, 16(R12)(R9*1), Z1, Z1
	VINSERTF32X4 $3, 16(R13)(R9*1), Z1, Z1
	VMOVUPS      16(SI)(R9*2), X2
	VINSERTF32X4 $1, 16(R11)(R9*2), Z2, Z2
	VINSERTF32X4 $2, 16(R12)(R9*2), Z2, Z2
	VINSERTF32X4 $3, 16(R13)(R9*2), Z2, Z2
	VMOVUPS      16(SI)(R10*1), X3
	VINSERTF32X4 $1, 16(R11)(R10*1), Z3, Z3
	VINSERTF32X4 $2, 16(R12)(R10*1), Z3, Z3
	VINSERTF32X4 $3, 16(R13)(R10*1), Z3, Z3
	VUNPCKLPS    Z1, Z0, Z4
	VUNPCKHPS    Z1, Z0, Z5
	VUNPCKLPS    Z3, Z2, Z6
	VUNPCKHPS    Z3, Z2, Z7
	VUNPCKLPD    Z6, Z4, Z8
	VUNPCKHPD    Z6, Z4, Z9
	VUNPCKLPD    Z7, Z5, Z10
	VUNPCKHPD    Z7, Z5, Z11
	VMOVUPS      Z8, 512(DI)
	VMOVUPS      Z9, 640(DI)
	VMOVUPS      Z10, 768(DI)
	VMOVUPS      Z11, 896(DI)
	VMOVUPS      32(SI), X0
	VINSERTF32X4 $1, 32(R11), Z0, Z0
	VINSERTF32X4 $2, 32(R12), Z0, Z0
	VINSERTF32X4 $3, 32(R13), Z0, Z0
	VMOVUPS      32(SI)(R9*1), X1
	VINSERTF32X4 $1, 32(R11)(R9*1), Z1, Z1
	VINSERTF32X4 $2, 32(R12)(R9*1), Z1, Z1
	VINSERTF32X4 $3, 32(R13)(R9*1), Z1, Z1
	VMOVUPS      32(SI)(R9*2), X2
	VINSERTF32X4 $1, 32(R11)(R9*2), Z2, Z2
	VINSERTF32X4 $2, 32(R12)(R9*2), Z2, Z2
	VINSERTF32X4 $3, 32(R13)(R9*2), Z2, Z2
	VMOVUPS      32(SI)(R10*1), X3
	VINSERTF32X4 $1, 32(R11)(R10*1), Z3, Z3
	VINSERTF32X4 $2, 32(R12)(R10*1), Z3, Z3
	VINSERTF32X4 $3, 32(R13)(R10*1), Z3, Z3
	VUNPCKLPS    Z1, Z0, Z4
	VUNPCKHPS    Z1, Z0, Z5
	VUNPCKLPS    Z3, Z2, Z6
	VUNPCKHPS    Z3, Z2, Z7
	VUNPCKLPD    Z6, Z4, Z8
	VUNPCKHPD    Z6, Z4, Z9
	VUNPCKLPD    Z7, Z5, Z10
	VUNPCKHPD    Z7, Z5, Z11
	VMOVUPS      Z8, 1024(DI)
	VMOVUPS      Z9, 1152(DI)
	VMOVUPS      Z10, 1280(DI)
	VMOVUPS      Z11, 1408(DI)
	VMOVUPS      48(SI), X0
	VINSERTF32X4 $1, 48(R11), Z0, Z0
	VINSERTF32X4 $2, 48(R12), Z0, Z0
	VINSERTF32X4 $3, 48(R13), Z0, Z0
	VMOVUPS      48(SI)(R9*1), X1
	VINSERTF32X4 $1, 48(R11)(R9*1), Z1, Z1
	VINSERTF32X4 $2, 48(R12)(R9*1), Z1, Z1
	VINSERTF32X4 $3, 48(R13)(R9*1), Z1, Z1
	VMOVUPS      48(SI)(R9*2), X2
	VINSERTF32X4 $1, 48(R11)(R9*2), Z2, Z2
	VINSERTF32X4 $2, 48(R12)(R9*2), Z2, Z2
	VINSERTF32X4 $3, 48(R13)(R9*2), Z2, Z2
	VMOVUPS      48(SI)(R10*1), X3
	VINSERTF32X4 $1, 48(R11)(R10*1), Z3, Z3
	VINSERTF32X4 $2, 48(R12)(R10*1), Z3, Z3
	VINSERTF32X4 $3, 48(R13)(R10*1), Z3, Z3
	VUNPCKLPS    Z1, Z0, Z4
	VUNPCKHPS    Z1, Z0, Z5
	VUNPCKLPS    Z3, Z2, Z6
	VUNPCKHPS    Z3, Z2, Z7
	VUNPCKLPD    Z6, Z4, Z8
	VUNPCKHPD    Z6, Z4, Z9
	VUNPCKLPD    Z7, Z5, Z10
	VUNPCKHPD    Z7, Z5, Z11
	VMOVUPS      Z8, 1536(DI)
	VMOVUPS      Z9, 1664(DI)
	VMOVUPS      Z10, 1792(DI)
	VMOVUPS      Z11, 1920(DI)
	ADDQ $2048, DI // 16 k steps of the sliver
	ADDQ $64, SI
	ADDQ $64, R11
	ADDQ $64, R12
	ADDQ $64, R13
	DECQ CX
	JNZ  block

tail:
	ANDQ $15, DX
	MOVQ $16, CX

gather:
	// K1 = (1<<cols)-1 for every k step left; Z31 = the lanes' offsets jj·ldb.
	TESTQ DX, DX
	JZ    done
	MOVQ  $1, AX
	SHLQ  CX, AX
	DECQ  AX
	MOVQ  ldb+64(FP), CX
	VPBROADCASTD CX, Z30
	VPMULLD gemmIota16<>(SB), Z30, Z31

step:
	KMOVW      AX, K1
	VPXORD     Z0, Z0, Z0
	VGATHERDPS (SI)(Z31*4), K1, Z0
	VMOVUPS    Z0, (DI)
	ADDQ       $128, DI
	ADDQ       $4, SI
	DECQ       DX
	JNZ        step

done:
	VZEROUPPER
	RET

// gemmMask6AVX2 is the lane mask of six floats.
DATA gemmMask6AVX2<>+0(SB)/8, $0xffffffffffffffff
DATA gemmMask6AVX2<>+8(SB)/8, $0xffffffffffffffff
DATA gemmMask6AVX2<>+16(SB)/8, $0xffffffffffffffff
DATA gemmMask6AVX2<>+24(SB)/8, $0
GLOBL gemmMask6AVX2<>(SB), RODATA|NOPTR, $32

// func gemmPackAT6AVX2(dst []float32, kc, slivers int, a []float32, lda int)
//
// Per sliver and k step, one masked load fetches the six adjacent floats of
// a transposed A and one whole-vector store writes them; its two extra
// lanes land on the sliver's next k step, stored later. The last k step of
// a sliver stores through the mask, as the next sliver may be in place.
TEXT ·gemmPackAT6AVX2(SB), NOSPLIT, $0-72
	MOVQ    dst_base+0(FP), DI
	MOVQ    a_base+40(FP), SI
	MOVQ    lda+64(FP), R8
	SHLQ    $2, R8
	MOVQ    slivers+32(FP), DX
	VMOVDQU gemmMask6AVX2<>(SB), Y1
	TESTQ   DX, DX
	JZ      done

sliver:
	MOVQ SI, R9
	MOVQ kc+24(FP), CX
	DECQ CX
	JZ   last

step:
	VMASKMOVPS (R9), Y1, Y0
	VMOVUPS    Y0, (DI)
	ADDQ       $24, DI
	ADDQ       R8, R9
	DECQ       CX
	JNZ        step

last:
	VMASKMOVPS (R9), Y1, Y0
	VMASKMOVPS Y0, Y1, (DI)
	ADDQ       $24, DI
	ADDQ       $24, SI // the next six rows
	DECQ       DX
	JNZ        sliver

done:
	VZEROUPPER
	RET
