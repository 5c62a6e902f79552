//go:build !purego

#include "textflag.h"
#include "nonzero_avx512_amd64.h"

// LOWBITS sets the CX lowest bits of the mask register k (CX ≤ 16), and
// leaves them in the general register reg too.
#define LOWBITS(reg, k) \
	MOVL  $1, reg; \
	SHLL  CX, reg; \
	DECL  reg;     \
	KMOVW reg, k

// func expandNonZerosAVX512Asm(x []float32, idx []int32, bits []uint16, vals []float32) int
//
// ExpandNonZeros (expand.go) sixteen entries at a time, two words a
// step: the word of the mask becomes K1, the next popcount values are
// loaded zero-masked (never past them) and VEXPANDPS puts them in the
// lanes of the set bits, and VPCOMPRESSD packs those lanes' positions.
// Returns −1 if the mask asks for more values than vals holds.
//
// Measured on Zen 4 (MNIST rows, all 60,000 in one process, the variants
// in turn on the same rows): two words a step took 83–94 ns a row against
// 91–105 for one, into a 128-row batch. Expanding straight from memory
// took half as long again, and a branch past the words with no set bit
// (an image's border) a quarter longer, 114–124 ns against 85–100 a word
// at a time with the output in L1: it mispredicts on rows the predictor
// has not seen, as a shuffled epoch's are.
//
// Registers: DI x, BX entries of x left, R8 idx, R9 the mask, SI vals,
// R10 values left, AX count, CX the word, DX its popcount; in a pair R12
// the second word, R13 its popcount and R14 both popcounts. Z2 (and Z6)
// the positions of the current 16 entries (and the next 16), Z3 sixteens,
// Z7 thirty-twos.
TEXT ·expandNonZerosAVX512Asm(SB), NOSPLIT, $0-104
	MOVQ         x_base+0(FP), DI
	MOVQ         x_len+8(FP), BX
	MOVQ         idx_base+24(FP), R8
	MOVQ         bits_base+48(FP), R9
	MOVQ         vals_base+72(FP), SI
	MOVQ         vals_len+80(FP), R10
	XORQ         AX, AX
	VMOVDQU32    expandIota<>(SB), Z2
	MOVL         $16, R11
	VPBROADCASTD R11, Z3
	VPADDD       Z3, Z3, Z7
	VPADDD       Z3, Z2, Z6

pair32:
	CMPQ        BX, $32
	JB          word16
	MOVWLZX     (R9), CX
	MOVWLZX     2(R9), R12
	KMOVW       CX, K1
	KMOVW       R12, K3
	POPCNTL     CX, DX
	POPCNTL     R12, R13
	LEAQ        (DX)(R13*1), R14
	CMPQ        R14, R10
	JA          short
	MOVL        DX, CX
	LOWBITS(R11, K2)
	MOVL        R13, CX
	LOWBITS(R12, K4)
	VMOVUPS.Z   (SI), K2, Z4
	VMOVUPS.Z   (SI)(DX*4), K4, Z10
	VEXPANDPS.Z Z4, K1, Z0
	VEXPANDPS.Z Z10, K3, Z8
	VMOVUPS     Z0, (DI)
	VMOVUPS     Z8, 64(DI)
	VPCOMPRESSD Z2, K1, Z1
	VPCOMPRESSD Z6, K3, Z9

	// Unmasked, as below.
	VMOVDQU32 Z1, (R8)(AX*4)
	ADDQ      DX, AX
	VMOVDQU32 Z9, (R8)(AX*4)
	ADDQ      R13, AX
	LEAQ      (SI)(R14*4), SI
	SUBQ      R14, R10
	VPADDD    Z7, Z2, Z2
	VPADDD    Z7, Z6, Z6
	ADDQ      $128, DI
	ADDQ      $4, R9
	SUBQ      $32, BX
	JMP       pair32

word16:
	CMPQ        BX, $16
	JB          tail
	MOVWLZX     (R9), CX
	KMOVW       CX, K1
	POPCNTL     CX, DX
	CMPQ        DX, R10
	JA          short
	MOVL        DX, CX
	LOWBITS(R11, K2)
	VMOVUPS.Z   (SI), K2, Z4
	VEXPANDPS.Z Z4, K1, Z0
	VMOVUPS     Z0, (DI)
	VPCOMPRESSD Z2, K1, Z1

	// Unmasked: the count so far is at most 16 per word before this one,
	// so all 16 lanes fall within len(x) ≤ len(idx).
	VMOVDQU32 Z1, (R8)(AX*4)
	ADDQ      DX, AX
	LEAQ      (SI)(DX*4), SI
	SUBQ      DX, R10
	VPADDD    Z3, Z2, Z2
	ADDQ      $64, DI
	ADDQ      $2, R9
	SUBQ      $16, BX
	JMP       word16

tail:
	// The last 1..15 entries: the word's bits past them are dropped, and
	// both stores masked.
	TESTQ       BX, BX
	JZ          done
	MOVQ        BX, CX
	LOWBITS(R11, K3)
	MOVWLZX     (R9), CX
	ANDL        R11, CX
	KMOVW       CX, K1
	POPCNTL     CX, DX
	CMPQ        DX, R10
	JA          short
	MOVL        DX, CX
	LOWBITS(R11, K2)
	VMOVUPS.Z   (SI), K2, Z4
	VEXPANDPS.Z Z4, K1, Z0
	VMOVUPS     Z0, K3, (DI)
	VPCOMPRESSD Z2, K1, Z1
	VMOVDQU32   Z1, K2, (R8)(AX*4)
	ADDQ        DX, AX

done:
	MOVQ AX, ret+96(FP)
	VZEROUPPER
	RET

short:
	MOVQ $-1, ret+96(FP)
	VZEROUPPER
	RET

// func compressNonZerosAVX512Asm(bits []uint16, vals, x []float32) (count int, finite bool)
//
// CompressNonZeros (expand.go) sixteen entries at a time, two words a
// step: the compare with zero (not equal or unordered, so NaN counts) is
// the mask's word, and VCOMPRESSPS packs its lanes' values. x's finiteness
// is checked as in NonZeros: 0·x summed into Z5 and Z14 (two chains, one a
// word of the pair) stays 0 unless an entry is ±Inf or NaN. MNIST rows in
// L2 took 79–93 ns each against 120–149 a word at a time with one sum (in
// one process, the two in turn on the same rows, all 60,000).
//
// Registers: R9 the mask, DI vals, SI x, BX entries of x left, AX count,
// CX and DX the words, then their popcounts. Z4 zero.
TEXT ·compressNonZerosAVX512Asm(SB), NOSPLIT, $0-81
	MOVQ   bits_base+0(FP), R9
	MOVQ   vals_base+24(FP), DI
	MOVQ   x_base+48(FP), SI
	MOVQ   x_len+56(FP), BX
	XORQ   AX, AX
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z14, Z14, Z14

cword32:
	CMPQ        BX, $32
	JB          cword16
	NZTEST2
	KMOVW       K1, CX
	KMOVW       K2, DX
	MOVW        CX, (R9)
	MOVW        DX, 2(R9)
	VCOMPRESSPS Z0, K1, Z1
	VCOMPRESSPS Z8, K2, Z9
	POPCNTL     CX, CX
	POPCNTL     DX, DX

	// Unmasked, as in expandNonZerosAVX512Asm: len(x) ≤ len(vals).
	VMOVUPS Z1, (DI)(AX*4)
	ADDQ    CX, AX
	VMOVUPS Z9, (DI)(AX*4)
	ADDQ    DX, AX
	ADDQ    $128, SI
	ADDQ    $4, R9
	SUBQ    $32, BX
	JMP     cword32

cword16:
	CMPQ        BX, $16
	JB          ctail
	NZTEST1
	KMOVW       K1, CX
	MOVW        CX, (R9)
	VCOMPRESSPS Z0, K1, Z1
	VMOVUPS     Z1, (DI)(AX*4)
	POPCNTL     CX, DX
	ADDQ        DX, AX
	ADDQ        $64, SI
	ADDQ        $2, R9
	SUBQ        $16, BX

ctail:
	// The last 1..15 entries, loaded zero-masked: the lanes past the end
	// read as 0 and set no bit.
	TESTQ       BX, BX
	JZ          cdone
	MOVQ        BX, CX
	LOWBITS(R11, K3)
	VMOVUPS.Z   (SI), K3, Z0
	VFMADD231PS Z0, Z4, Z5
	VCMPPS      $4, Z4, Z0, K1
	KMOVW       K1, CX
	MOVW        CX, (R9)
	VCOMPRESSPS Z0, K1, Z1
	POPCNTL     CX, DX
	MOVL        DX, CX
	LOWBITS(R11, K2)
	VMOVUPS     Z1, K2, (DI)(AX*4)
	ADDQ        DX, AX

cdone:
	MOVQ     AX, count+72(FP)
	NZFINITE(finite+80(FP))
	VZEROUPPER
	RET

// expandIota holds the lane numbers 0..15, the positions of one vector.
DATA expandIota<>+0(SB)/4, $0
DATA expandIota<>+4(SB)/4, $1
DATA expandIota<>+8(SB)/4, $2
DATA expandIota<>+12(SB)/4, $3
DATA expandIota<>+16(SB)/4, $4
DATA expandIota<>+20(SB)/4, $5
DATA expandIota<>+24(SB)/4, $6
DATA expandIota<>+28(SB)/4, $7
DATA expandIota<>+32(SB)/4, $8
DATA expandIota<>+36(SB)/4, $9
DATA expandIota<>+40(SB)/4, $10
DATA expandIota<>+44(SB)/4, $11
DATA expandIota<>+48(SB)/4, $12
DATA expandIota<>+52(SB)/4, $13
DATA expandIota<>+56(SB)/4, $14
DATA expandIota<>+60(SB)/4, $15
GLOBL expandIota<>(SB), RODATA|NOPTR, $64
