//go:build !purego

#include "textflag.h"

// TRANSPOSE16x4 transposes the 16×4 slice of a 16×16 tile at byte offset
// off of its rows into four dst rows. Lane L of Zk is loaded from row 4L+k
// (AX, BX, CX, DX point at rows 0, 4, 8, 12; R8 is the row stride, R9
// three of them), so each lane holds a 4×4 block, which two rounds of
// unpacks transpose in place: lane L of Z8+c is then rows 4L..4L+3 of
// column c, a quarter of dst row c. The four rows go to R14 with stride
// R10 (three strides in R11), only the elements K1 selects, and R14 moves
// on by four dst rows.
#define TRANSPOSE16x4(off) \
	VMOVUPS      off(AX), X0; \
	VINSERTF32X4 $1, off(BX), Z0, Z0; \
	VINSERTF32X4 $2, off(CX), Z0, Z0; \
	VINSERTF32X4 $3, off(DX), Z0, Z0; \
	VMOVUPS      off(AX)(R8*1), X1; \
	VINSERTF32X4 $1, off(BX)(R8*1), Z1, Z1; \
	VINSERTF32X4 $2, off(CX)(R8*1), Z1, Z1; \
	VINSERTF32X4 $3, off(DX)(R8*1), Z1, Z1; \
	VMOVUPS      off(AX)(R8*2), X2; \
	VINSERTF32X4 $1, off(BX)(R8*2), Z2, Z2; \
	VINSERTF32X4 $2, off(CX)(R8*2), Z2, Z2; \
	VINSERTF32X4 $3, off(DX)(R8*2), Z2, Z2; \
	VMOVUPS      off(AX)(R9*1), X3; \
	VINSERTF32X4 $1, off(BX)(R9*1), Z3, Z3; \
	VINSERTF32X4 $2, off(CX)(R9*1), Z3, Z3; \
	VINSERTF32X4 $3, off(DX)(R9*1), Z3, Z3; \
	VUNPCKLPS    Z1, Z0, Z4; \
	VUNPCKHPS    Z1, Z0, Z5; \
	VUNPCKLPS    Z3, Z2, Z6; \
	VUNPCKHPS    Z3, Z2, Z7; \
	VUNPCKLPD    Z6, Z4, Z8; \
	VUNPCKHPD    Z6, Z4, Z9; \
	VUNPCKLPD    Z7, Z5, Z10; \
	VUNPCKHPD    Z7, Z5, Z11; \
	VMOVUPS      Z8, K1, (R14); \
	VMOVUPS      Z9, K1, (R14)(R10*1); \
	VMOVUPS      Z10, K1, (R14)(R10*2); \
	VMOVUPS      Z11, K1, (R14)(R11*1); \
	LEAQ         (R14)(R10*4), R14

// func transpose16AVX512(rows, cols int, src []float32, lds int, dst []float32, ldd int)
//
// Column strips of 16 (SI: the strip's top in src, R13 counts them), each
// walked down in tiles of 16 rows (R12 counts them) and a last tile of the
// remaining 4, 8 or 12 rows: its missing groups of four rows are loaded
// again from the tile's first row, and the K1 mask keeps their lanes out of
// dst. Going down a strip writes each dst row contiguously and uses up a
// src cache line (or its part in the strip) before the next strip starts,
// also when the rows do not start on a cache line. DI holds 16 dst rows
// less one tile's width in bytes, to step R14 back from the tile's last
// dst row to the next tile. K2 selects all 16 lanes.
TEXT ·transpose16AVX512(SB), NOSPLIT, $0-80
	MOVQ  cols+8(FP), R13
	MOVQ  src_base+16(FP), SI
	MOVQ  lds+40(FP), R8
	SHLQ  $2, R8
	LEAQ  (R8)(R8*2), R9
	MOVQ  dst_base+48(FP), R14
	MOVQ  ldd+72(FP), R10
	SHLQ  $2, R10
	LEAQ  (R10)(R10*2), R11
	MOVQ  R10, DI
	SHLQ  $4, DI
	SUBQ  $64, DI
	MOVL  $0xffff, AX
	KMOVW AX, K2
	SHRQ  $4, R13
	JZ    done
	CMPQ  rows+0(FP), $4
	JLT   done

strip:
	KMOVW K2, K1
	MOVQ  SI, AX
	LEAQ  (AX)(R8*4), BX
	LEAQ  (BX)(R8*4), CX
	LEAQ  (CX)(R8*4), DX
	MOVQ  rows+0(FP), R12
	SHRQ  $4, R12
	JZ    partial

tile:
	TRANSPOSE16x4(0)
	TRANSPOSE16x4(16)
	TRANSPOSE16x4(32)
	TRANSPOSE16x4(48)
	SUBQ DI, R14
	LEAQ (AX)(R8*8), AX
	LEAQ (AX)(R8*8), AX
	LEAQ (AX)(R8*4), BX
	LEAQ (BX)(R8*4), CX
	LEAQ (CX)(R8*4), DX
	DECQ R12
	JNZ  tile

partial:
	MOVQ  rows+0(FP), CX
	ANDQ  $15, CX
	JZ    stripdone
	MOVL  $1, BX
	SHLL  CX, BX
	DECL  BX
	KMOVW BX, K1
	MOVQ  AX, BX
	MOVQ  AX, DX
	CMPQ  CX, $4
	JLE   partialbases
	LEAQ  (AX)(R8*4), BX
	CMPQ  CX, $8
	JLE   partialaxcx
	LEAQ  (BX)(R8*4), CX
	JMP   partialtile

partialbases:
	MOVQ AX, CX
	JMP  partialtile

partialaxcx:
	MOVQ AX, CX

partialtile:
	TRANSPOSE16x4(0)
	TRANSPOSE16x4(16)
	TRANSPOSE16x4(32)
	TRANSPOSE16x4(48)
	SUBQ DI, R14

stripdone:
	// R14 is rows, rounded up to 16, floats into the strip's first dst
	// row: go back to its start and down 16 dst rows.
	MOVQ rows+0(FP), R12
	ADDQ $15, R12
	ANDQ $-16, R12
	SHLQ $2, R12
	SUBQ R12, R14
	LEAQ (R14)(R10*8), R14
	LEAQ (R14)(R10*8), R14
	ADDQ $64, SI
	DECQ R13
	JNZ  strip

done:
	VZEROUPPER
	RET
