//go:build !purego

// AVX-512F column-wise sparse kernels (sparse_cols.go) on one strip of 64
// columns: gemmSparseCols (c[i,:] += val·b[p,:] for the entries of each
// column p, the strip of b's row p in Z4–Z7) and outerUpdateSparseCols
// (the strip of the gradient row of column p summed in Z0–Z3, then
// b[p,:] += alpha·g). Go declarations are in sparse_cols_amd64.go.
//
// Registers of both: R8 colStart (at column p), BX columns left, AX the
// entry, CX the end of the column's entries, R9 sample, R10 val, R13 m, SI
// the sample of an entry (index, then row address), DX the strip of
// row p of b, R11 ldb in bytes, DI the strip of the dense batch matrix (c
// or d), R12 its leading dimension in bytes.

#include "textflag.h"

// func gemmSparseColsAVX512Asm(m, k int, colStart, sample []int32, val, b []float32, ldb int, c []float32, ldc int) int
TEXT ·gemmSparseColsAVX512Asm(SB), NOSPLIT, $0-160
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
	VMOVUPS 0(DX), Z4
	VMOVUPS 64(DX), Z5
	VMOVUPS 128(DX), Z6
	VMOVUPS 192(DX), Z7

entry:
	MOVLQSX      (R9)(AX*4), SI
	CMPQ         SI, R13
	JAE          bad
	VBROADCASTSS (R10)(AX*4), Z8
	IMULQ        R12, SI
	ADDQ         DI, SI
	VMOVUPS      0(SI), Z0
	VMOVUPS      64(SI), Z1
	VMOVUPS      128(SI), Z2
	VMOVUPS      192(SI), Z3
	VFMADD231PS  Z4, Z8, Z0
	VFMADD231PS  Z5, Z8, Z1
	VFMADD231PS  Z6, Z8, Z2
	VFMADD231PS  Z7, Z8, Z3
	VMOVUPS      Z0, 0(SI)
	VMOVUPS      Z1, 64(SI)
	VMOVUPS      Z2, 128(SI)
	VMOVUPS      Z3, 192(SI)
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

// func outerUpdateSparseColsAVX512Asm(m, k int, alpha float32, colStart, sample []int32, val, d []float32, ldd int, b []float32, ldb int) int
//
// Z9 alpha, Z0–Z3 the gradient strip, Z4–Z7 the strip of row p of b.
TEXT ·outerUpdateSparseColsAVX512Asm(SB), NOSPLIT, $0-168
	MOVQ         m+0(FP), R13
	MOVQ         k+8(FP), BX
	VBROADCASTSS alpha+16(FP), Z9
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
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3

entry:
	MOVLQSX      (R9)(AX*4), SI
	CMPQ         SI, R13
	JAE          bad
	VBROADCASTSS (R10)(AX*4), Z8
	IMULQ        R12, SI
	ADDQ         DI, SI
	VFMADD231PS  0(SI), Z8, Z0
	VFMADD231PS  64(SI), Z8, Z1
	VFMADD231PS  128(SI), Z8, Z2
	VFMADD231PS  192(SI), Z8, Z3
	INCQ         AX
	CMPQ         AX, CX
	JL           entry
	VMOVUPS      0(DX), Z4
	VMOVUPS      64(DX), Z5
	VMOVUPS      128(DX), Z6
	VMOVUPS      192(DX), Z7
	VFMADD231PS  Z0, Z9, Z4
	VFMADD231PS  Z1, Z9, Z5
	VFMADD231PS  Z2, Z9, Z6
	VFMADD231PS  Z3, Z9, Z7
	VMOVUPS      Z4, 0(DX)
	VMOVUPS      Z5, 64(DX)
	VMOVUPS      Z6, 128(DX)
	VMOVUPS      Z7, 192(DX)

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
