//go:build !purego

#include "textflag.h"

// TRANSPOSE8x4 transposes the 8×4 slice of an 8×8 tile at byte offset off
// of its rows. The low lane of Yk is loaded from row k, the high one from
// row 4+k (AX, BX point at rows 0 and 4; R8 is the row stride, R9 three of
// them), so two rounds of in-lane unpacks leave column c of the slice, a
// dst row, in Y8+c.
#define TRANSPOSE8x4(off) \
	VMOVUPS     off(AX), X0; \
	VINSERTF128 $1, off(BX), Y0, Y0; \
	VMOVUPS     off(AX)(R8*1), X1; \
	VINSERTF128 $1, off(BX)(R8*1), Y1, Y1; \
	VMOVUPS     off(AX)(R8*2), X2; \
	VINSERTF128 $1, off(BX)(R8*2), Y2, Y2; \
	VMOVUPS     off(AX)(R9*1), X3; \
	VINSERTF128 $1, off(BX)(R9*1), Y3, Y3; \
	VUNPCKLPS   Y1, Y0, Y4; \
	VUNPCKHPS   Y1, Y0, Y5; \
	VUNPCKLPS   Y3, Y2, Y6; \
	VUNPCKHPS   Y3, Y2, Y7; \
	VUNPCKLPD   Y6, Y4, Y8; \
	VUNPCKHPD   Y6, Y4, Y9; \
	VUNPCKLPD   Y7, Y5, Y10; \
	VUNPCKHPD   Y7, Y5, Y11

// STORE8x4 writes Y8–Y11 to four dst rows at R14 (stride R10, three
// strides in R11) and moves R14 on by four dst rows.
#define STORE8x4 \
	VMOVUPS Y8, (R14); \
	VMOVUPS Y9, (R14)(R10*1); \
	VMOVUPS Y10, (R14)(R10*2); \
	VMOVUPS Y11, (R14)(R11*1); \
	LEAQ    (R14)(R10*4), R14

// STORE4x4 is STORE8x4 for a tile of only four rows: the low lanes.
#define STORE4x4 \
	VMOVUPS X8, (R14); \
	VMOVUPS X9, (R14)(R10*1); \
	VMOVUPS X10, (R14)(R10*2); \
	VMOVUPS X11, (R14)(R11*1); \
	LEAQ    (R14)(R10*4), R14

// func transpose8AVX2(rows, cols int, src []float32, lds int, dst []float32, ldd int)
//
// Column strips of 8 (SI: the strip's top in src, R13 counts them), each
// walked down in tiles of 8 rows (R12 counts them) and, when rows is an odd
// multiple of 4, a last tile of 4 rows whose high lanes load those rows
// again and are not stored. This order is chosen for the reasons given at
// transpose16AVX512: dst rows are written contiguously, and the other half
// of each src cache line is still in L1 when the next strip needs it. DI
// holds 8 dst rows less one tile's width in bytes, to step R14 back from
// the tile's last dst row to the next tile.
TEXT ·transpose8AVX2(SB), NOSPLIT, $0-80
	MOVQ cols+8(FP), R13
	MOVQ src_base+16(FP), SI
	MOVQ lds+40(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	MOVQ dst_base+48(FP), R14
	MOVQ ldd+72(FP), R10
	SHLQ $2, R10
	LEAQ (R10)(R10*2), R11
	MOVQ R10, DI
	SHLQ $3, DI
	SUBQ $32, DI
	SHRQ $3, R13
	JZ   done
	CMPQ rows+0(FP), $4
	JLT  done

strip:
	MOVQ SI, AX
	LEAQ (AX)(R8*4), BX
	MOVQ rows+0(FP), R12
	SHRQ $3, R12
	JZ   partial

tile:
	TRANSPOSE8x4(0)
	STORE8x4
	TRANSPOSE8x4(16)
	STORE8x4
	SUBQ DI, R14
	LEAQ (AX)(R8*8), AX
	LEAQ (AX)(R8*4), BX
	DECQ R12
	JNZ  tile

partial:
	TESTQ $4, rows+0(FP)
	JZ    stripdone
	MOVQ  AX, BX
	TRANSPOSE8x4(0)
	STORE4x4
	TRANSPOSE8x4(16)
	STORE4x4
	SUBQ  DI, R14

stripdone:
	// R14 is rows, rounded up to 8, floats into the strip's first dst
	// row: go back to its start and down 8 dst rows.
	MOVQ rows+0(FP), R12
	ADDQ $7, R12
	ANDQ $-8, R12
	SHLQ $2, R12
	SUBQ R12, R14
	LEAQ (R14)(R10*8), R14
	ADDQ $32, SI
	DECQ R13
	JNZ  strip

done:
	VZEROUPPER
	RET

// func transpose4AVX2(rows, cols int, src []float32, lds int, dst []float32, ldd int)
//
// transpose8AVX2 with 4×4 tiles in XMM registers (VEX-encoded), for the
// strips the wider tiles leave, such as the last 4 rows of a batch of 100.
// Column strips of 4 (SI, R13) walked down in tiles of 4 rows (AX, R12);
// R14 walks the strip's four dst rows.
TEXT ·transpose4AVX2(SB), NOSPLIT, $0-80
	MOVQ cols+8(FP), R13
	MOVQ src_base+16(FP), SI
	MOVQ lds+40(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	MOVQ dst_base+48(FP), R14
	MOVQ ldd+72(FP), R10
	SHLQ $2, R10
	LEAQ (R10)(R10*2), R11
	SHRQ $2, R13
	JZ   done
	CMPQ rows+0(FP), $4
	JLT  done

strip:
	MOVQ SI, AX
	MOVQ rows+0(FP), R12
	SHRQ $2, R12

tile:
	VMOVUPS   (AX), X0
	VMOVUPS   (AX)(R8*1), X1
	VMOVUPS   (AX)(R8*2), X2
	VMOVUPS   (AX)(R9*1), X3
	VUNPCKLPS X1, X0, X4
	VUNPCKHPS X1, X0, X5
	VUNPCKLPS X3, X2, X6
	VUNPCKHPS X3, X2, X7
	VUNPCKLPD X6, X4, X8
	VUNPCKHPD X6, X4, X9
	VUNPCKLPD X7, X5, X10
	VUNPCKHPD X7, X5, X11
	VMOVUPS   X8, (R14)
	VMOVUPS   X9, (R14)(R10*1)
	VMOVUPS   X10, (R14)(R10*2)
	VMOVUPS   X11, (R14)(R11*1)
	LEAQ      (AX)(R8*4), AX
	ADDQ      $16, R14
	DECQ      R12
	JNZ       tile

	// R14 is rows floats into the strip's first dst row: go back to its
	// start and down 4 dst rows.
	MOVQ rows+0(FP), R12
	SHLQ $2, R12
	SUBQ R12, R14
	LEAQ (R14)(R10*4), R14
	ADDQ $16, SI
	DECQ R13
	JNZ  strip

done:
	VZEROUPPER
	RET
