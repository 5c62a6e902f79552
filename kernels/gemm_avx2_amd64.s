//go:build !purego

#include "textflag.h"

// The AVX2 GEMM micro-kernel: a 6×16 tile of C in Y0–Y11 (row r in Y(2r),
// Y(2r+1)), updated per k step by two 8-lane loads of B (Y12, Y13) and one
// broadcast of A per row (Y14). B is always read for 16 columns (the driver
// pads a partial sliver); C and the bias are read and written through lane
// masks for the nr valid columns. See gemmKernel in gemm.go.
//
// Registers: SI and DI point at rows 0 and 3 of the A sliver, R10 is the A
// row stride, R11 its k stride; BX walks B with stride R12; DX walks C with
// stride R13, R8 reads C with stride R9 (or reads zeros with stride 0 when
// C must not be read); AX points at the bias, or zeros.

// gemmMaskAVX2 is 16 lanes of all-ones then 16 of zeros: the 8 lanes at
// element 16-nr are the mask of columns 0–7 of an nr-column tile, those at
// 24-nr of columns 8–15. The zero half doubles as 16 float zeros.
DATA gemmMaskAVX2<>+0(SB)/8, $0xffffffffffffffff
DATA gemmMaskAVX2<>+8(SB)/8, $0xffffffffffffffff
DATA gemmMaskAVX2<>+16(SB)/8, $0xffffffffffffffff
DATA gemmMaskAVX2<>+24(SB)/8, $0xffffffffffffffff
DATA gemmMaskAVX2<>+32(SB)/8, $0xffffffffffffffff
DATA gemmMaskAVX2<>+40(SB)/8, $0xffffffffffffffff
DATA gemmMaskAVX2<>+48(SB)/8, $0xffffffffffffffff
DATA gemmMaskAVX2<>+56(SB)/8, $0xffffffffffffffff
DATA gemmMaskAVX2<>+64(SB)/8, $0
DATA gemmMaskAVX2<>+72(SB)/8, $0
DATA gemmMaskAVX2<>+80(SB)/8, $0
DATA gemmMaskAVX2<>+88(SB)/8, $0
DATA gemmMaskAVX2<>+96(SB)/8, $0
DATA gemmMaskAVX2<>+104(SB)/8, $0
DATA gemmMaskAVX2<>+112(SB)/8, $0
DATA gemmMaskAVX2<>+120(SB)/8, $0
GLOBL gemmMaskAVX2<>(SB), RODATA|NOPTR, $128

// A6x16ROW adds the outer product of one A element (at addr) and the B row
// in Y12:Y13 to one row of accumulators.
#define A6x16ROW(addr, acc0, acc1) \
	VBROADCASTSS addr, Y14; \
	VFMADD231PS  Y14, Y12, acc0; \
	VFMADD231PS  Y14, Y13, acc1

// A6x16STEP is one k step: the 6×16 rank-1 update, then advance A and B.
#define A6x16STEP \
	VMOVUPS (BX), Y12; \
	VMOVUPS 32(BX), Y13; \
	A6x16ROW((SI), Y0, Y1); \
	A6x16ROW((SI)(R10*1), Y2, Y3); \
	A6x16ROW((SI)(R10*2), Y4, Y5); \
	A6x16ROW((DI), Y6, Y7); \
	A6x16ROW((SI)(R10*4), Y8, Y9); \
	A6x16ROW((DI)(R10*2), Y10, Y11); \
	ADDQ R11, SI; \
	ADDQ R11, DI; \
	ADDQ R12, BX

// A6x16SCALE multiplies one row of accumulators by alpha (Y14).
#define A6x16SCALE(acc0, acc1) \
	VMULPS Y14, acc0, acc0; \
	VMULPS Y14, acc1, acc1

// A6x16FINISH adds beta·C (read at R8, zeros when C is not read) and the
// bias (at AX) to one row, under the column masks Y12:Y13.
#define A6x16FINISH(acc0, acc1) \
	VBROADCASTSS beta+132(FP), Y14; \
	VMASKMOVPS   (R8), Y12, Y15; \
	VFMADD231PS  Y14, Y15, acc0; \
	VMASKMOVPS   32(R8), Y13, Y15; \
	VFMADD231PS  Y14, Y15, acc1; \
	VMASKMOVPS   (AX), Y12, Y15; \
	VADDPS       Y15, acc0, acc0; \
	VMASKMOVPS   32(AX), Y13, Y15; \
	VADDPS       Y15, acc1, acc1; \
	ADDQ         R9, R8

// A6x16STORE stores one row's nr valid columns to (DX).
#define A6x16STORE(acc0, acc1) \
	VMASKMOVPS acc0, Y12, (DX); \
	VMASKMOVPS acc1, Y13, 32(DX); \
	ADDQ       R13, DX

// A6x16ROWOUT finishes and stores one row.
#define A6x16ROWOUT(acc0, acc1) \
	A6x16FINISH(acc0, acc1); \
	A6x16STORE(acc0, acc1)

// A6x16ROWRELU finishes one row, clamps it to max(v, 0) (NaN to 0: VMAXPS
// returns its second source, zero, when the first is NaN) and stores it.
#define A6x16ROWRELU(acc0, acc1) \
	A6x16FINISH(acc0, acc1); \
	VXORPS Y15, Y15, Y15; \
	VMAXPS Y15, acc0, acc0; \
	VMAXPS Y15, acc1, acc1; \
	A6x16STORE(acc0, acc1)

// func gemmKernel6x16AVX2(kc int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int, mr, nr int, alpha, beta float32, bias []float32, flags int)
TEXT ·gemmKernel6x16AVX2(SB), NOSPLIT, $0-168
	MOVQ a_base+8(FP), SI
	MOVQ rsA+32(FP), R10
	SHLQ $2, R10
	MOVQ csA+40(FP), R11
	SHLQ $2, R11
	LEAQ (SI)(R10*2), DI
	ADDQ R10, DI
	MOVQ b_base+48(FP), BX
	MOVQ ldb+72(FP), R12
	SHLQ $2, R12

	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11

	// Two k steps per iteration, then the odd one.
	MOVQ kc+0(FP), CX
	SHRQ $1, CX
	JZ   tail

loop:
	A6x16STEP
	A6x16STEP
	DECQ CX
	JNZ  loop

tail:
	MOVQ kc+0(FP), CX
	ANDQ $1, CX
	JZ   epilogue
	A6x16STEP

epilogue:
	VBROADCASTSS alpha+128(FP), Y14
	A6x16SCALE(Y0, Y1)
	A6x16SCALE(Y2, Y3)
	A6x16SCALE(Y4, Y5)
	A6x16SCALE(Y6, Y7)
	A6x16SCALE(Y8, Y9)
	A6x16SCALE(Y10, Y11)

	// Column masks for nr.
	LEAQ    gemmMaskAVX2<>(SB), BX
	MOVQ    nr+120(FP), CX
	SHLQ    $2, CX
	NEGQ    CX
	VMOVDQU 64(BX)(CX*1), Y12
	VMOVDQU 96(BX)(CX*1), Y13

	// Sources of C and bias: the real ones, or the zeros.
	MOVQ  c_base+80(FP), DX
	MOVQ  ldc+104(FP), R13
	SHLQ  $2, R13
	MOVQ  flags+160(FP), CX
	LEAQ  64(BX), R8
	XORQ  R9, R9
	TESTQ $1, CX // gemmLoadC
	JZ    nobeta
	MOVQ  DX, R8
	MOVQ  R13, R9

nobeta:
	LEAQ  64(BX), AX
	TESTQ $2, CX // gemmAddBias
	JZ    nobias
	MOVQ  bias_base+136(FP), AX

nobias:
	MOVQ  mr+112(FP), BX
	TESTQ $4, CX // gemmRelu
	JNZ   relu

	A6x16ROWOUT(Y0, Y1)
	DECQ BX
	JZ   done
	A6x16ROWOUT(Y2, Y3)
	DECQ BX
	JZ   done
	A6x16ROWOUT(Y4, Y5)
	DECQ BX
	JZ   done
	A6x16ROWOUT(Y6, Y7)
	DECQ BX
	JZ   done
	A6x16ROWOUT(Y8, Y9)
	DECQ BX
	JZ   done
	A6x16ROWOUT(Y10, Y11)
	JMP  done

relu:
	A6x16ROWRELU(Y0, Y1)
	DECQ BX
	JZ   done
	A6x16ROWRELU(Y2, Y3)
	DECQ BX
	JZ   done
	A6x16ROWRELU(Y4, Y5)
	DECQ BX
	JZ   done
	A6x16ROWRELU(Y6, Y7)
	DECQ BX
	JZ   done
	A6x16ROWRELU(Y8, Y9)
	DECQ BX
	JZ   done
	A6x16ROWRELU(Y10, Y11)

done:
	VZEROUPPER
	RET

// func gemmPackBT16AVX2(dst []float32, kc, nc int, b []float32, ldb int)
//
// Per 16-column sliver and k step, two gathers fetch the 16 elements
// b[j*ldb+p] (j in the sliver; lanes past nc masked off and left zero) and
// two stores write them contiguously. Y15 holds the lane offsets j·ldb,
// Y13:Y14 the column masks (a gather clears its mask, so it works on a copy).
TEXT ·gemmPackBT16AVX2(SB), NOSPLIT, $0-72
	MOVQ         dst_base+0(FP), DI
	MOVQ         b_base+40(FP), SI
	MOVQ         ldb+64(FP), AX
	MOVQ         AX, X12
	VPBROADCASTD X12, Y12
	VPMULLD      gemmIota8<>(SB), Y12, Y15
	SHLQ         $5, AX // 8 rows of B, in bytes
	MOVQ         nc+32(FP), DX
	LEAQ         gemmMaskAVX2<>(SB), BX

sliver:
	// Column masks for min(nc, 16) columns, as in the kernel.
	MOVQ    DX, CX
	CMPQ    CX, $16
	JLE     masks
	MOVQ    $16, CX

masks:
	SHLQ    $2, CX
	NEGQ    CX
	VMOVDQU 64(BX)(CX*1), Y13
	VMOVDQU 96(BX)(CX*1), Y14
	MOVQ    SI, R8
	LEAQ    (SI)(AX*1), R9
	MOVQ    kc+24(FP), CX

step:
	VMOVDQU    Y13, Y10
	VMOVDQU    Y14, Y11
	VXORPS     Y0, Y0, Y0
	VXORPS     Y1, Y1, Y1
	VGATHERDPS Y10, (R8)(Y15*4), Y0
	VGATHERDPS Y11, (R9)(Y15*4), Y1
	VMOVUPS    Y0, (DI)
	VMOVUPS    Y1, 32(DI)
	ADDQ       $64, DI
	ADDQ       $4, R8
	ADDQ       $4, R9
	DECQ       CX
	JNZ        step

	LEAQ (SI)(AX*2), SI // next 16 rows of B
	SUBQ $16, DX
	JG   sliver
	VZEROUPPER
	RET

// gemmIota8 is 0, 1, …, 7 as int32: the lanes' column numbers.
DATA gemmIota8<>+0(SB)/8, $0x0000000100000000
DATA gemmIota8<>+8(SB)/8, $0x0000000300000002
DATA gemmIota8<>+16(SB)/8, $0x0000000500000004
DATA gemmIota8<>+24(SB)/8, $0x0000000700000006
GLOBL gemmIota8<>(SB), RODATA|NOPTR, $32
