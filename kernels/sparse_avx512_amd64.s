//go:build !purego

// AVX-512F sparse-row kernels: gemvTRows (y += Σ x[i]·a[i,:] over the listed
// rows) and outerUpdateRows (a[i,:] += (alpha·x[i])·y over the listed rows).
// Go declarations are in sparse_amd64.go, reference loops in sparse.go.
// A strip of up to 128 columns of y lives in registers while the listed
// rows stream past: per row one broadcast and one fused multiply-add per
// vector; outerUpdateRows takes them from the last listed to the first
// (see OuterUpdateRows in sparse.go). Every index is checked, unsigned
// against limit, before it is used; a bad one ends the call with its
// position in rows.
//
// Registers of both: DI y (current strip), CX columns left, DX a (current
// strip of row 0), R9 lda in bytes, SI x, R8 rows, BX len(rows), R13
// limit, R12 the position in rows, R10 the row (index, then address).

#include "textflag.h"
#include "nonzero_avx512_amd64.h"

// ROWINDEX loads rows[R12] into R10 and leaves for badrow unless it is below
// limit; ROWADDR then turns the index into the address of that row in the
// strip; NEXTROW moves on to the next listed row, PREVROW (outerUpdateRows
// walks the list from its end) to the one before.
#define ROWINDEX \
	MOVLQSX (R8)(R12*4), R10; \
	CMPQ    R10, R13;         \
	JAE     badrow

#define ROWADDR \
	IMULQ R9, R10; \
	ADDQ  DX, R10

#define NEXTROW(loop) \
	INCQ R12;     \
	CMPQ R12, BX; \
	JB   loop

#define PREVROW(loop) \
	DECQ R12; \
	JGE  loop

// LOAD128 and STORE128 move a strip of 128 columns of y (or c) at DI to
// and from Z0–Z7; ROWFMA128 adds the strip of the row at R10 times Z8.
#define LOAD128 \
	VMOVUPS 0(DI), Z0;   \
	VMOVUPS 64(DI), Z1;  \
	VMOVUPS 128(DI), Z2; \
	VMOVUPS 192(DI), Z3; \
	VMOVUPS 256(DI), Z4; \
	VMOVUPS 320(DI), Z5; \
	VMOVUPS 384(DI), Z6; \
	VMOVUPS 448(DI), Z7

#define STORE128 \
	VMOVUPS Z0, 0(DI);   \
	VMOVUPS Z1, 64(DI);  \
	VMOVUPS Z2, 128(DI); \
	VMOVUPS Z3, 192(DI); \
	VMOVUPS Z4, 256(DI); \
	VMOVUPS Z5, 320(DI); \
	VMOVUPS Z6, 384(DI); \
	VMOVUPS Z7, 448(DI)

#define ROWFMA128 \
	VFMADD231PS 0(R10), Z8, Z0;   \
	VFMADD231PS 64(R10), Z8, Z1;  \
	VFMADD231PS 128(R10), Z8, Z2; \
	VFMADD231PS 192(R10), Z8, Z3; \
	VFMADD231PS 256(R10), Z8, Z4; \
	VFMADD231PS 320(R10), Z8, Z5; \
	VFMADD231PS 384(R10), Z8, Z6; \
	VFMADD231PS 448(R10), Z8, Z7

// func gemvTRowsAVX512Asm(y, a []float32, lda int, x []float32, rows []int32, limit int) int
TEXT ·gemvTRowsAVX512Asm(SB), NOSPLIT, $0-120
	MOVQ  y_base+0(FP), DI
	MOVQ  y_len+8(FP), CX
	MOVQ  a_base+24(FP), DX
	MOVQ  lda+48(FP), R9
	SHLQ  $2, R9
	MOVQ  x_base+56(FP), SI
	MOVQ  rows_base+80(FP), R8
	MOVQ  rows_len+88(FP), BX
	MOVQ  limit+104(FP), R13
	MOVQ  $-1, ret+112(FP)
	TESTQ BX, BX
	JZ    done

strip128:
	CMPQ CX, $128
	JB   strip64
	LOAD128
	XORQ R12, R12

strip128_rows:
	ROWINDEX
	VBROADCASTSS (SI)(R10*4), Z8
	ROWADDR
	ROWFMA128
	NEXTROW(strip128_rows)
	STORE128
	ADDQ $512, DI
	ADDQ $512, DX
	SUBQ $128, CX
	JMP  strip128

strip64:
	CMPQ CX, $64
	JB   strip32
	VMOVUPS 0(DI), Z0
	VMOVUPS 64(DI), Z1
	VMOVUPS 128(DI), Z2
	VMOVUPS 192(DI), Z3
	XORQ R12, R12

strip64_rows:
	ROWINDEX
	VBROADCASTSS (SI)(R10*4), Z8
	ROWADDR
	VFMADD231PS  0(R10), Z8, Z0
	VFMADD231PS  64(R10), Z8, Z1
	VFMADD231PS  128(R10), Z8, Z2
	VFMADD231PS  192(R10), Z8, Z3
	NEXTROW(strip64_rows)
	VMOVUPS Z0, 0(DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	ADDQ $256, DI
	ADDQ $256, DX
	SUBQ $64, CX

strip32:
	CMPQ CX, $32
	JB   strip16
	VMOVUPS 0(DI), Z0
	VMOVUPS 64(DI), Z1
	XORQ R12, R12

strip32_rows:
	ROWINDEX
	VBROADCASTSS (SI)(R10*4), Z8
	ROWADDR
	VFMADD231PS  0(R10), Z8, Z0
	VFMADD231PS  64(R10), Z8, Z1
	NEXTROW(strip32_rows)
	VMOVUPS Z0, 0(DI)
	VMOVUPS Z1, 64(DI)
	ADDQ $128, DI
	ADDQ $128, DX
	SUBQ $32, CX

strip16:
	// Pieces of 16 columns, the last one masked.
	TESTQ CX, CX
	JLE   done
	MOVL  $0xffff, AX
	CMPQ  CX, $16
	JAE   strip16_mask
	MOVL  $1, AX
	SHLL  CX, AX
	DECL  AX

strip16_mask:
	KMOVW     AX, K1
	VMOVUPS.Z (DI), K1, Z0
	XORQ      R12, R12

strip16_rows:
	ROWINDEX
	VBROADCASTSS (SI)(R10*4), Z8
	ROWADDR
	VMOVUPS.Z    (R10), K1, Z9
	VFMADD231PS  Z9, Z8, Z0
	NEXTROW(strip16_rows)
	VMOVUPS      Z0, K1, (DI)
	ADDQ         $64, DI
	ADDQ         $64, DX
	SUBQ         $16, CX
	JMP          strip16

done:
	VZEROUPPER
	RET

badrow:
	MOVQ R12, ret+112(FP)
	VZEROUPPER
	RET

// func outerUpdateRowsAVX512Asm(alpha float32, x []float32, rows []int32, y, a []float32, lda int, limit int) int
//
// X15 alpha, Z8 (and X14) alpha·x[i], Z16–Z23 the strip of y.
TEXT ·outerUpdateRowsAVX512Asm(SB), NOSPLIT, $0-128
	VMOVSS alpha+0(FP), X15
	MOVQ   x_base+8(FP), SI
	MOVQ   rows_base+32(FP), R8
	MOVQ   rows_len+40(FP), BX
	MOVQ   y_base+56(FP), DI
	MOVQ   y_len+64(FP), CX
	MOVQ   a_base+80(FP), DX
	MOVQ   lda+104(FP), R9
	SHLQ   $2, R9
	MOVQ   limit+112(FP), R13
	MOVQ   $-1, ret+120(FP)
	TESTQ  BX, BX
	JZ     done

strip128:
	CMPQ CX, $128
	JB   strip64
	VMOVUPS 0(DI), Z16
	VMOVUPS 64(DI), Z17
	VMOVUPS 128(DI), Z18
	VMOVUPS 192(DI), Z19
	VMOVUPS 256(DI), Z20
	VMOVUPS 320(DI), Z21
	VMOVUPS 384(DI), Z22
	VMOVUPS 448(DI), Z23
	LEAQ -1(BX), R12

strip128_rows:
	ROWINDEX
	VMULSS       (SI)(R10*4), X15, X14
	VBROADCASTSS X14, Z8
	ROWADDR
	VMOVUPS      0(R10), Z0
	VMOVUPS      64(R10), Z1
	VMOVUPS      128(R10), Z2
	VMOVUPS      192(R10), Z3
	VMOVUPS      256(R10), Z4
	VMOVUPS      320(R10), Z5
	VMOVUPS      384(R10), Z6
	VMOVUPS      448(R10), Z7
	VFMADD231PS  Z16, Z8, Z0
	VFMADD231PS  Z17, Z8, Z1
	VFMADD231PS  Z18, Z8, Z2
	VFMADD231PS  Z19, Z8, Z3
	VFMADD231PS  Z20, Z8, Z4
	VFMADD231PS  Z21, Z8, Z5
	VFMADD231PS  Z22, Z8, Z6
	VFMADD231PS  Z23, Z8, Z7
	VMOVUPS      Z0, 0(R10)
	VMOVUPS      Z1, 64(R10)
	VMOVUPS      Z2, 128(R10)
	VMOVUPS      Z3, 192(R10)
	VMOVUPS      Z4, 256(R10)
	VMOVUPS      Z5, 320(R10)
	VMOVUPS      Z6, 384(R10)
	VMOVUPS      Z7, 448(R10)
	PREVROW(strip128_rows)
	ADDQ $512, DI
	ADDQ $512, DX
	SUBQ $128, CX
	JMP  strip128

strip64:
	CMPQ CX, $64
	JB   strip32
	VMOVUPS 0(DI), Z16
	VMOVUPS 64(DI), Z17
	VMOVUPS 128(DI), Z18
	VMOVUPS 192(DI), Z19
	LEAQ -1(BX), R12

strip64_rows:
	ROWINDEX
	VMULSS       (SI)(R10*4), X15, X14
	VBROADCASTSS X14, Z8
	ROWADDR
	VMOVUPS      0(R10), Z0
	VMOVUPS      64(R10), Z1
	VMOVUPS      128(R10), Z2
	VMOVUPS      192(R10), Z3
	VFMADD231PS  Z16, Z8, Z0
	VFMADD231PS  Z17, Z8, Z1
	VFMADD231PS  Z18, Z8, Z2
	VFMADD231PS  Z19, Z8, Z3
	VMOVUPS      Z0, 0(R10)
	VMOVUPS      Z1, 64(R10)
	VMOVUPS      Z2, 128(R10)
	VMOVUPS      Z3, 192(R10)
	PREVROW(strip64_rows)
	ADDQ $256, DI
	ADDQ $256, DX
	SUBQ $64, CX

strip32:
	CMPQ CX, $32
	JB   strip16
	VMOVUPS 0(DI), Z16
	VMOVUPS 64(DI), Z17
	LEAQ -1(BX), R12

strip32_rows:
	ROWINDEX
	VMULSS       (SI)(R10*4), X15, X14
	VBROADCASTSS X14, Z8
	ROWADDR
	VMOVUPS      0(R10), Z0
	VMOVUPS      64(R10), Z1
	VFMADD231PS  Z16, Z8, Z0
	VFMADD231PS  Z17, Z8, Z1
	VMOVUPS      Z0, 0(R10)
	VMOVUPS      Z1, 64(R10)
	PREVROW(strip32_rows)
	ADDQ $128, DI
	ADDQ $128, DX
	SUBQ $32, CX

strip16:
	TESTQ CX, CX
	JLE   done
	MOVL  $0xffff, AX
	CMPQ  CX, $16
	JAE   strip16_mask
	MOVL  $1, AX
	SHLL  CX, AX
	DECL  AX

strip16_mask:
	KMOVW     AX, K1
	VMOVUPS.Z (DI), K1, Z16
	LEAQ      -1(BX), R12

strip16_rows:
	ROWINDEX
	VMULSS       (SI)(R10*4), X15, X14
	VBROADCASTSS X14, Z8
	ROWADDR
	VMOVUPS.Z    (R10), K1, Z0
	VFMADD231PS  Z16, Z8, Z0
	VMOVUPS      Z0, K1, (R10)
	PREVROW(strip16_rows)
	ADDQ         $64, DI
	ADDQ         $64, DX
	SUBQ         $16, CX
	JMP          strip16

done:
	VZEROUPPER
	RET

badrow:
	MOVQ R12, ret+120(FP)
	VZEROUPPER
	RET

// nonZeroIota holds the lane numbers 0..15, the positions of one vector.
DATA nonZeroIota<>+0(SB)/4, $0
DATA nonZeroIota<>+4(SB)/4, $1
DATA nonZeroIota<>+8(SB)/4, $2
DATA nonZeroIota<>+12(SB)/4, $3
DATA nonZeroIota<>+16(SB)/4, $4
DATA nonZeroIota<>+20(SB)/4, $5
DATA nonZeroIota<>+24(SB)/4, $6
DATA nonZeroIota<>+28(SB)/4, $7
DATA nonZeroIota<>+32(SB)/4, $8
DATA nonZeroIota<>+36(SB)/4, $9
DATA nonZeroIota<>+40(SB)/4, $10
DATA nonZeroIota<>+44(SB)/4, $11
DATA nonZeroIota<>+48(SB)/4, $12
DATA nonZeroIota<>+52(SB)/4, $13
DATA nonZeroIota<>+56(SB)/4, $14
DATA nonZeroIota<>+60(SB)/4, $15
GLOBL nonZeroIota<>(SB), RODATA|NOPTR, $64

// func nonZerosAVX512Asm(idx []int32, x []float32) (count int, finite bool)
//
// Per 16 floats: VCMPPS (≠ 0, unordered true, so NaNs count) gives a mask,
// VPCOMPRESSD packs the positions of its set lanes, and a store appends
// them at idx[AX]; a popcount of the mask moves AX on. The stores of whole
// vectors are not masked: a vector at position i stores at AX ≤ i, so
// within len(idx) ≥ len(x), and lanes past the count are overwritten by
// the next store or left, as NonZeros allows. The floats go two vectors at
// a time. Z5 and Z14 accumulate x·0, which is NaN from any ±Inf or NaN and
// ±0 otherwise; two sums, so that the pairs do not wait on one chain of
// multiply-adds. MNIST rows in L2 took 90–130 ns each against 104–141 one
// vector at a time with masked stores (in one process, the two in turn on
// the same rows, all 60,000). Skipping a pair with no non-zero (an
// image's border) was no faster: the branch mispredicts on rows not seen
// before.
//
// Registers: DI idx, SI x, BX floats left, AX count, CX and DX popcounts
// (CX also the shift count of the tail's mask), Z2 and Z6 the positions of
// the current pair's vectors, Z3 sixteen and Z7 thirty-two in every lane,
// Z4 zero, Z5 and Z14 the x·0 sums.
TEXT ·nonZerosAVX512Asm(SB), NOSPLIT, $0-57
	MOVQ         idx_base+0(FP), DI
	MOVQ         x_base+24(FP), SI
	MOVQ         x_len+32(FP), BX
	XORQ         AX, AX
	VMOVDQU32    nonZeroIota<>(SB), Z2
	MOVL         $16, R8
	VPBROADCASTD R8, Z3
	VPADDD       Z3, Z3, Z7
	VPADDD       Z3, Z2, Z6
	VPXORD       Z4, Z4, Z4
	VPXORD       Z5, Z5, Z5
	VPXORD       Z14, Z14, Z14

vec32:
	CMPQ        BX, $32
	JB          vec16
	NZTEST2
	KMOVW       K1, R9
	KMOVW       K2, R10
	VPCOMPRESSD Z2, K1, Z1
	VPCOMPRESSD Z6, K2, Z9
	POPCNTL     R9, CX
	POPCNTL     R10, DX
	VMOVDQU32   Z1, (DI)(AX*4)
	ADDQ        CX, AX
	VMOVDQU32   Z9, (DI)(AX*4)
	ADDQ        DX, AX
	VPADDD      Z7, Z2, Z2
	VPADDD      Z7, Z6, Z6
	ADDQ        $128, SI
	SUBQ        $32, BX
	JMP         vec32

vec16:
	CMPQ        BX, $16
	JB          tail
	NZTEST1
	KMOVW       K1, R9
	VPCOMPRESSD Z2, K1, Z1
	POPCNTL     R9, CX
	VMOVDQU32   Z1, (DI)(AX*4)
	ADDQ        CX, AX
	VPADDD      Z3, Z2, Z2
	ADDQ        $64, SI
	SUBQ        $16, BX

tail:
	// The last 1..15 floats, loaded zero-masked: the lanes past the end
	// read as 0 and list nothing.
	MOVQ        BX, CX
	TESTQ       CX, CX
	JZ          done
	MOVL        $1, R11
	SHLL        CX, R11
	DECL        R11
	KMOVW       R11, K3
	VMOVUPS.Z   (SI), K3, Z0
	VFMADD231PS Z0, Z4, Z5
	VCMPPS      $4, Z4, Z0, K1
	KMOVW       K1, R9
	VPCOMPRESSD Z2, K1, Z1
	POPCNTL     R9, CX
	MOVL        $1, R11
	SHLL        CX, R11
	DECL        R11
	KMOVW       R11, K2
	VMOVDQU32   Z1, K2, (DI)(AX*4)
	ADDQ        CX, AX

done:
	MOVQ    AX, count+48(FP)
	NZFINITE(finite+56(FP))
	VZEROUPPER
	RET

// The blocked GemmSparseRows pass on strips of 128 columns.
#define PASS_FUNC ·gemmSparseRowsPassAVX512Asm
#define PASS_LOAD LOAD128
#define PASS_STORE STORE128
#define PASS_BROADCAST VBROADCASTSS (SI)(R10*4), Z8
#define PASS_FMA ROWFMA128
#include "sparse_pass_amd64.h"
