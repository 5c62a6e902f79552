//go:build !purego

// AVX2+FMA column-wise sparse kernels: sparse_cols_avx512_amd64.s with
// 8-lane vectors on strips of 32 columns.
//
// Registers of both: R8 colStart (at column p), BX columns left, AX the
// entry, CX the end of the column's entries, R9 sample, R10 val, R13 m, SI
// the sample of an entry (index, then row address), DX the strip of
// row p of b, R11 ldb in bytes, DI the strip of the dense batch matrix (c
// or d), R12 its leading dimension in bytes.

#include "textflag.h"

// func gemmSparseColsAVX2Asm(m, k int, colStart, sample []int32, val, b []float32, ldb int, c []float32, ldc int) int
TEXT ·gemmSparseColsAVX2Asm(SB), NOSPLIT, $0-160
	MOVQ    m+0(FP), R13
	MOVQ    k+8(FP), BX
	MOVQ    colStart_base+16(FP), R8
	MOVQ    sample_base+40(FP), R9
	MOVQ    val_base+64(FP), R10
	MOVQ    b_base+88(FP), DX
	MOVQ    ldb+112(FP), R11
	SHLQ    $2, R11
	MOVQ    c_base+120(FP), DI
	MOVQ    ldc+144(FP), R12
	SHLQ    $2, R12
	MOVQ    $-1, ret+152(FP)
	MOVLQSX (R8), AX

col:
	TESTQ   BX, BX
	JZ      done
	MOVLQSX 4(R8), CX
	CMPQ    AX, CX
	JGE     nextcol
	VMOVUPS 0(DX), Y4
	VMOVUPS 32(DX), Y5
	VMOVUPS 64(DX), Y6
	VMOVUPS 96(DX), Y7

entry:
	MOVLQSX      (R9)(AX*4), SI
	CMPQ         SI, R13
	JAE          bad
	VBROADCASTSS (R10)(AX*4), Y8
	IMULQ        R12, SI
	ADDQ         DI, SI
	VMOVUPS      0(SI), Y0
	VMOVUPS      32(SI), Y1
	VMOVUPS      64(SI), Y2
	VMOVUPS      96(SI), Y3
	VFMADD231PS  Y4, Y8, Y0
	VFMADD231PS  Y5, Y8, Y1
	VFMADD231PS  Y6, Y8, Y2
	VFMADD231PS  Y7, Y8, Y3
	VMOVUPS      Y0, 0(SI)
	VMOVUPS      Y1, 32(SI)
	VMOVUPS      Y2, 64(SI)
	VMOVUPS      Y3, 96(SI)
	INCQ         AX
	CMPQ         AX, CX
	JL           entry

nextcol:
	MOVQ CX, AX
	ADDQ $4, R8
	ADDQ R11, DX
	DECQ BX
	JMP  col

done:
	VZEROUPPER
	RET

bad:
	MOVQ AX, ret+152(FP)
	VZEROUPPER
	RET

// func outerUpdateSparseColsAVX2Asm(m, k int, alpha float32, colStart, sample []int32, val, d []float32, ldd int, b []float32, ldb int) int
//
// Y9 alpha, Y0–Y3 the gradient strip, Y4–Y7 the strip of row p of b.
TEXT ·outerUpdateSparseColsAVX2Asm(SB), NOSPLIT, $0-168
	MOVQ         m+0(FP), R13
	MOVQ         k+8(FP), BX
	VBROADCASTSS alpha+16(FP), Y9
	MOVQ         colStart_base+24(FP), R8
	MOVQ         sample_base+48(FP), R9
	MOVQ         val_base+72(FP), R10
	MOVQ         d_base+96(FP), DI
	MOVQ         ldd+120(FP), R12
	SHLQ         $2, R12
	MOVQ         b_base+128(FP), DX
	MOVQ         ldb+152(FP), R11
	SHLQ         $2, R11
	MOVQ         $-1, ret+160(FP)
	MOVLQSX      (R8), AX

col:
	TESTQ   BX, BX
	JZ      done
	MOVLQSX 4(R8), CX
	CMPQ    AX, CX
	JGE     nextcol
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

entry:
	MOVLQSX      (R9)(AX*4), SI
	CMPQ         SI, R13
	JAE          bad
	VBROADCASTSS (R10)(AX*4), Y8
	IMULQ        R12, SI
	ADDQ         DI, SI
	VFMADD231PS  0(SI), Y8, Y0
	VFMADD231PS  32(SI), Y8, Y1
	VFMADD231PS  64(SI), Y8, Y2
	VFMADD231PS  96(SI), Y8, Y3
	INCQ         AX
	CMPQ         AX, CX
	JL           entry
	VMOVUPS      0(DX), Y4
	VMOVUPS      32(DX), Y5
	VMOVUPS      64(DX), Y6
	VMOVUPS      96(DX), Y7
	VFMADD231PS  Y0, Y9, Y4
	VFMADD231PS  Y1, Y9, Y5
	VFMADD231PS  Y2, Y9, Y6
	VFMADD231PS  Y3, Y9, Y7
	VMOVUPS      Y4, 0(DX)
	VMOVUPS      Y5, 32(DX)
	VMOVUPS      Y6, 64(DX)
	VMOVUPS      Y7, 96(DX)

nextcol:
	MOVQ CX, AX
	ADDQ $4, R8
	ADDQ R11, DX
	DECQ BX
	JMP  col

done:
	VZEROUPPER
	RET

bad:
	MOVQ AX, ret+160(FP)
	VZEROUPPER
	RET
