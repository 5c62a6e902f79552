//go:build !purego

// AVX2+FMA sparse-row kernels: gemvTRows and outerUpdateRows as in
// sparse_avx512_amd64.s, with 8-lane vectors: strips of 64 columns (eight
// YMM registers; 128 would need all sixteen), then 32, then pieces of 8
// whose last one, if partial, is read and written with VMASKMOVPS;
// outerUpdateRows walks the list from its end, as there. Go declarations are in sparse_amd64.go,
// reference loops in sparse.go.
//
// Registers of both: DI y (current strip), CX columns left, DX a (current
// strip of row 0), R9 lda in bytes, SI x, R8 rows, BX len(rows), R13
// limit, R12 the position in rows, R10 the row (index, then address).

#include "textflag.h"

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

// PIECEMASK sets Y15 to a VMASKMOVPS mask of the first min(CX, 8) lanes;
// clobbers AX and R11. Only the last, partial piece of a row takes masks:
// AMD cores run a VMASKMOVPS store as microcode (the 128→10 layer of
// per-sample training stored every row of its update through one).
#define PIECEMASK \
	MOVQ    $8, AX;               \
	CMPQ    CX, $8;               \
	CMOVQLT CX, AX;               \
	NEGQ    AX;                   \
	ADDQ    $8, AX;               \
	LEAQ    ·avx2TailMask(SB), R11; \
	VMOVDQU (R11)(AX*4), Y15

// LOAD64 and STORE64 move a strip of 64 columns of y (or c) at DI to and
// from Y0–Y7; ROWFMA64 adds the strip of the row at R10 times Y8.
#define LOAD64 \
	VMOVUPS 0(DI), Y0;   \
	VMOVUPS 32(DI), Y1;  \
	VMOVUPS 64(DI), Y2;  \
	VMOVUPS 96(DI), Y3;  \
	VMOVUPS 128(DI), Y4; \
	VMOVUPS 160(DI), Y5; \
	VMOVUPS 192(DI), Y6; \
	VMOVUPS 224(DI), Y7

#define STORE64 \
	VMOVUPS Y0, 0(DI);   \
	VMOVUPS Y1, 32(DI);  \
	VMOVUPS Y2, 64(DI);  \
	VMOVUPS Y3, 96(DI);  \
	VMOVUPS Y4, 128(DI); \
	VMOVUPS Y5, 160(DI); \
	VMOVUPS Y6, 192(DI); \
	VMOVUPS Y7, 224(DI)

#define ROWFMA64 \
	VFMADD231PS 0(R10), Y8, Y0;   \
	VFMADD231PS 32(R10), Y8, Y1;  \
	VFMADD231PS 64(R10), Y8, Y2;  \
	VFMADD231PS 96(R10), Y8, Y3;  \
	VFMADD231PS 128(R10), Y8, Y4; \
	VFMADD231PS 160(R10), Y8, Y5; \
	VFMADD231PS 192(R10), Y8, Y6; \
	VFMADD231PS 224(R10), Y8, Y7

// func gemvTRowsAVX2Asm(y, a []float32, lda int, x []float32, rows []int32, limit int) int
TEXT ·gemvTRowsAVX2Asm(SB), NOSPLIT, $0-120
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

strip64:
	CMPQ CX, $64
	JB   strip32
	LOAD64
	XORQ R12, R12

strip64_rows:
	ROWINDEX
	VBROADCASTSS (SI)(R10*4), Y8
	ROWADDR
	ROWFMA64
	NEXTROW(strip64_rows)
	STORE64
	ADDQ $256, DI
	ADDQ $256, DX
	SUBQ $64, CX
	JMP  strip64

strip32:
	CMPQ CX, $32
	JB   strip8
	VMOVUPS 0(DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), Y2
	VMOVUPS 96(DI), Y3
	XORQ R12, R12

strip32_rows:
	ROWINDEX
	VBROADCASTSS (SI)(R10*4), Y8
	ROWADDR
	VFMADD231PS  0(R10), Y8, Y0
	VFMADD231PS  32(R10), Y8, Y1
	VFMADD231PS  64(R10), Y8, Y2
	VFMADD231PS  96(R10), Y8, Y3
	NEXTROW(strip32_rows)
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, DI
	ADDQ $128, DX
	SUBQ $32, CX

strip8:
	// Whole pieces of 8 columns, then the last 1..7 masked.
	CMPQ    CX, $8
	JB      strip_tail
	VMOVUPS (DI), Y0
	XORQ    R12, R12

strip8_rows:
	ROWINDEX
	VBROADCASTSS (SI)(R10*4), Y8
	ROWADDR
	VFMADD231PS  (R10), Y8, Y0
	NEXTROW(strip8_rows)
	VMOVUPS      Y0, (DI)
	ADDQ         $32, DI
	ADDQ         $32, DX
	SUBQ         $8, CX
	JMP          strip8

strip_tail:
	TESTQ      CX, CX
	JLE        done
	PIECEMASK
	VMASKMOVPS (DI), Y15, Y0
	XORQ       R12, R12

tail_rows:
	ROWINDEX
	VBROADCASTSS (SI)(R10*4), Y8
	ROWADDR
	VMASKMOVPS   (R10), Y15, Y9
	VFMADD231PS  Y9, Y8, Y0
	NEXTROW(tail_rows)
	VMASKMOVPS   Y0, Y15, (DI)

done:
	VZEROUPPER
	RET

badrow:
	MOVQ R12, ret+112(FP)
	VZEROUPPER
	RET

// func outerUpdateRowsAVX2Asm(alpha float32, x []float32, rows []int32, y, a []float32, lda int, limit int) int
//
// X15 alpha, Y14 (and X14) alpha·x[i], Y0–Y7 the strip of y, Y8–Y11 rows
// of a; Y15 the mask of the last piece.
TEXT ·outerUpdateRowsAVX2Asm(SB), NOSPLIT, $0-128
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

strip64:
	CMPQ CX, $64
	JB   strip32
	LOAD64
	LEAQ -1(BX), R12

strip64_rows:
	ROWINDEX
	VMULSS       (SI)(R10*4), X15, X14
	VBROADCASTSS X14, Y14
	ROWADDR
	VMOVUPS      0(R10), Y8
	VMOVUPS      32(R10), Y9
	VMOVUPS      64(R10), Y10
	VMOVUPS      96(R10), Y11
	VFMADD231PS  Y0, Y14, Y8
	VFMADD231PS  Y1, Y14, Y9
	VFMADD231PS  Y2, Y14, Y10
	VFMADD231PS  Y3, Y14, Y11
	VMOVUPS      Y8, 0(R10)
	VMOVUPS      Y9, 32(R10)
	VMOVUPS      Y10, 64(R10)
	VMOVUPS      Y11, 96(R10)
	VMOVUPS      128(R10), Y8
	VMOVUPS      160(R10), Y9
	VMOVUPS      192(R10), Y10
	VMOVUPS      224(R10), Y11
	VFMADD231PS  Y4, Y14, Y8
	VFMADD231PS  Y5, Y14, Y9
	VFMADD231PS  Y6, Y14, Y10
	VFMADD231PS  Y7, Y14, Y11
	VMOVUPS      Y8, 128(R10)
	VMOVUPS      Y9, 160(R10)
	VMOVUPS      Y10, 192(R10)
	VMOVUPS      Y11, 224(R10)
	PREVROW(strip64_rows)
	ADDQ $256, DI
	ADDQ $256, DX
	SUBQ $64, CX
	JMP  strip64

strip32:
	CMPQ CX, $32
	JB   strip8
	VMOVUPS 0(DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), Y2
	VMOVUPS 96(DI), Y3
	LEAQ -1(BX), R12

strip32_rows:
	ROWINDEX
	VMULSS       (SI)(R10*4), X15, X14
	VBROADCASTSS X14, Y14
	ROWADDR
	VMOVUPS      0(R10), Y8
	VMOVUPS      32(R10), Y9
	VMOVUPS      64(R10), Y10
	VMOVUPS      96(R10), Y11
	VFMADD231PS  Y0, Y14, Y8
	VFMADD231PS  Y1, Y14, Y9
	VFMADD231PS  Y2, Y14, Y10
	VFMADD231PS  Y3, Y14, Y11
	VMOVUPS      Y8, 0(R10)
	VMOVUPS      Y9, 32(R10)
	VMOVUPS      Y10, 64(R10)
	VMOVUPS      Y11, 96(R10)
	PREVROW(strip32_rows)
	ADDQ $128, DI
	ADDQ $128, DX
	SUBQ $32, CX

strip8:
	// Whole pieces of 8 columns, then the last 1..7 masked.
	CMPQ    CX, $8
	JB      strip_tail
	VMOVUPS (DI), Y0
	LEAQ    -1(BX), R12

strip8_rows:
	ROWINDEX
	VMULSS       (SI)(R10*4), X15, X14
	VBROADCASTSS X14, Y14
	ROWADDR
	VMOVUPS      (R10), Y8
	VFMADD231PS  Y0, Y14, Y8
	VMOVUPS      Y8, (R10)
	PREVROW(strip8_rows)
	ADDQ         $32, DI
	ADDQ         $32, DX
	SUBQ         $8, CX
	JMP          strip8

strip_tail:
	TESTQ      CX, CX
	JLE        done
	MOVQ       $8, AX
	SUBQ       CX, AX
	LEAQ       ·avx2TailMask(SB), R11
	VMOVDQU    (R11)(AX*4), Y13
	VMASKMOVPS (DI), Y13, Y0
	LEAQ       -1(BX), R12

tail_rows:
	ROWINDEX
	VMULSS       (SI)(R10*4), X15, X14
	VBROADCASTSS X14, Y14
	ROWADDR
	VMASKMOVPS   (R10), Y13, Y8
	VFMADD231PS  Y0, Y14, Y8
	VMASKMOVPS   Y8, Y13, (R10)
	PREVROW(tail_rows)

done:
	VZEROUPPER
	RET

badrow:
	MOVQ R12, ret+120(FP)
	VZEROUPPER
	RET

// NZLANE(j) appends the position DX+j to idx when bit j of R9 is set,
// without a branch: the position is always written at idx[AX] (never past
// the lanes seen so far) and AX advances by the bit.
#define NZLANE(j) \
	LEAL j(DX), R10;          \
	MOVL R10, (DI)(AX*4);     \
	BTL  $j, R9;              \
	ADCQ $0, AX

// func nonZerosAVX2Asm(idx []int32, x []float32) (count int, finite bool)
//
// Per 8 floats: VCMPPS (≠ 0, unordered true, so NaNs count) and
// VMOVMSKPS give the byte m of non-zero lanes. AVX2 has no VPCOMPRESSD,
// so the second row of expandAVX2Table (expand_amd64.go), the k-th set
// lane of m for lane k, widened and added to the position of the first
// float, is the eight's positions packed; they are stored whole at
// idx[AX] (AX is at most that position, so within len(idx) ≥ len(x)) and
// AX grows by the popcount. Y5 accumulates x·0, which is NaN from any
// ±Inf or NaN and ±0 otherwise.
//
// On MNIST rows (all 60,000 in one process, the variants in turn on the
// same rows, in cache) this took 105–120 ns a row against 260–311 for a
// branch-free append a lane at a time, and the table with a branch past
// the all-zero eights 187–212: the branch mispredicts on rows not seen
// before.
//
// Registers: DI idx, SI x, CX floats left, AX count, Y7 the position of
// the current eight in every lane (DX that of the tail's float), R9 the
// mask, R12 expandAVX2Table, Y8 eight in every lane, Y4 zero, Y5 the x·0
// sum (X6 that of the tail, kept apart because a scalar VEX operation
// clears the upper half of its YMM).
TEXT ·nonZerosAVX2Asm(SB), NOSPLIT, $0-57
	MOVQ         idx_base+0(FP), DI
	MOVQ         x_base+24(FP), SI
	MOVQ         x_len+32(FP), CX
	XORQ         AX, AX
	LEAQ         ·expandAVX2Table(SB), R12
	VXORPS       Y4, Y4, Y4
	VXORPS       Y5, Y5, Y5
	VXORPS       Y6, Y6, Y6
	VPXOR        Y7, Y7, Y7
	MOVL         $8, R9
	VMOVD        R9, X8
	VPBROADCASTD X8, Y8

vec8:
	CMPQ        CX, $8
	JB          tail
	VMOVUPS     (SI), Y0
	VFMADD231PS Y0, Y4, Y5
	VCMPPS      $4, Y4, Y0, Y1
	VMOVMSKPS   Y1, R9
	VPMOVZXBD   2048(R12)(R9*8), Y2
	VPADDD      Y7, Y2, Y2
	VMOVDQU     Y2, (DI)(AX*4)
	POPCNTL     R9, R9
	ADDQ        R9, AX
	VPADDD      Y8, Y7, Y7
	ADDQ        $32, SI
	SUBQ        $8, CX
	JMP         vec8

tail:
	// The last 1..7 floats one at a time, from position DX = len(x) − CX.
	TESTQ CX, CX
	JZ    done
	MOVQ  x_len+32(FP), DX
	SUBQ  CX, DX

tail1:
	VMOVSS      (SI), X0
	VFMADD231SS X0, X4, X6
	VCMPPS      $4, X4, X0, X1
	VMOVMSKPS   X1, R9
	NZLANE(0)
	INCQ        DX
	ADDQ        $4, SI
	DECQ        CX
	JNZ         tail1

done:
	MOVQ      AX, count+48(FP)
	VADDPS    Y6, Y5, Y5
	VCMPPS    $3, Y5, Y5, Y1
	VMOVMSKPS Y1, R9
	TESTL     R9, R9
	SETEQ     finite+56(FP)
	VZEROUPPER
	RET

// The blocked GemmSparseRows pass on strips of 64 columns.
#define PASS_FUNC ·gemmSparseRowsPassAVX2Asm
#define PASS_LOAD LOAD64
#define PASS_STORE STORE64
#define PASS_BROADCAST VBROADCASTSS (SI)(R10*4), Y8
#define PASS_FMA ROWFMA64
#include "sparse_pass_amd64.h"
