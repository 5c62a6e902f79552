//go:build !purego

#include "textflag.h"

// The AVX2 GEMM micro-kernel: a 6×16 tile of C in Y0–Y11 (row r in Y(2r),
// Y(2r+1)), updated per k step by two 8-lane loads of B (Y12, Y13) and one
// broadcast of A per row (Y14). B is always read for 16 columns (the driver
// pads a partial sliver); C and the bias are read and written through lane
// masks for the nr valid columns of a partial tile, and with plain moves for
// a whole one: AMD cores run a VMASKMOVPS store as microcode, and on Zen 4
// the masked epilogue made the 128×128×10 product (k = 10, the input delta
// of a 10-class output layer) 3× slower than OpenBLAS. See gemmKernel in
// gemm.go.
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

// A6x16STEPROW is one k step for a row-major A (k stride 4 bytes): the A
// elements are at displacement d from the row pointers, so those advance
// once per four steps, and B's row is at bsrc0, bsrc1.
#define A6x16STEPROW(d, bsrc0, bsrc1) \
	VMOVUPS bsrc0, Y12; \
	VMOVUPS bsrc1, Y13; \
	A6x16ROW(d(SI), Y0, Y1); \
	A6x16ROW(d(SI)(R10*1), Y2, Y3); \
	A6x16ROW(d(SI)(R10*2), Y4, Y5); \
	A6x16ROW(d(DI), Y6, Y7); \
	A6x16ROW(d(SI)(R10*4), Y8, Y9); \
	A6x16ROW(d(DI)(R10*2), Y10, Y11)

// A6x16STEPCOL0 and A6x16STEPCOL1 are two consecutive k steps for an A
// whose rows are adjacent floats (a transposed A or a packed sliver): the
// six elements are at displacements 0–20 from SI (plus the k stride R11
// for the second step), so one pointer serves all rows.
#define A6x16STEPCOL0 \
	VMOVUPS (BX), Y12; \
	VMOVUPS 32(BX), Y13; \
	A6x16ROW(0(SI), Y0, Y1); \
	A6x16ROW(4(SI), Y2, Y3); \
	A6x16ROW(8(SI), Y4, Y5); \
	A6x16ROW(12(SI), Y6, Y7); \
	A6x16ROW(16(SI), Y8, Y9); \
	A6x16ROW(20(SI), Y10, Y11)

#define A6x16STEPCOL1 \
	VMOVUPS (BX)(R12*1), Y12; \
	VMOVUPS 32(BX)(R12*1), Y13; \
	A6x16ROW(0(SI)(R11*1), Y0, Y1); \
	A6x16ROW(4(SI)(R11*1), Y2, Y3); \
	A6x16ROW(8(SI)(R11*1), Y4, Y5); \
	A6x16ROW(12(SI)(R11*1), Y6, Y7); \
	A6x16ROW(16(SI)(R11*1), Y8, Y9); \
	A6x16ROW(20(SI)(R11*1), Y10, Y11)

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

// A6x16FINISHFULL is A6x16FINISH for all 16 columns, without masks. The
// multiply-adds are those of A6x16FINISH, so the results are the same.
#define A6x16FINISHFULL(acc0, acc1) \
	VBROADCASTSS beta+132(FP), Y14; \
	VFMADD231PS  (R8), Y14, acc0; \
	VFMADD231PS  32(R8), Y14, acc1; \
	VADDPS       (AX), acc0, acc0; \
	VADDPS       32(AX), acc1, acc1; \
	ADDQ         R9, R8

// A6x16STOREFULL stores all 16 columns of one row to (DX).
#define A6x16STOREFULL(acc0, acc1) \
	VMOVUPS acc0, (DX); \
	VMOVUPS acc1, 32(DX); \
	ADDQ    R13, DX

// A6x16ROWOUTFULL finishes and stores one row of a whole tile.
#define A6x16ROWOUTFULL(acc0, acc1) \
	A6x16FINISHFULL(acc0, acc1); \
	A6x16STOREFULL(acc0, acc1)

// A6x16ROWRELUFULL is A6x16ROWRELU for a whole tile.
#define A6x16ROWRELUFULL(acc0, acc1) \
	A6x16FINISHFULL(acc0, acc1); \
	VXORPS Y15, Y15, Y15; \
	VMAXPS Y15, acc0, acc0; \
	VMAXPS Y15, acc1, acc1; \
	A6x16STOREFULL(acc0, acc1)

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

	// Quicker loops for a transposed A (two k steps per iteration) and a
	// row-major one (four); the odd steps run the general loop.
	MOVQ kc+0(FP), CX
	CMPQ R10, $4
	JEQ  colloop
	CMPQ R11, $4
	JNE  general
	SHRQ $2, CX
	JZ   general
	LEAQ (R12)(R12*2), R14

rowloop:
	A6x16STEPROW(0, (BX), 32(BX))
	A6x16STEPROW(4, (BX)(R12*1), 32(BX)(R12*1))
	A6x16STEPROW(8, (BX)(R12*2), 32(BX)(R12*2))
	A6x16STEPROW(12, (BX)(R14*1), 32(BX)(R14*1))
	ADDQ $16, SI
	ADDQ $16, DI
	LEAQ (BX)(R12*4), BX
	DECQ CX
	JNZ  rowloop
	MOVQ kc+0(FP), CX
	ANDQ $3, CX
	JZ   epilogue
	JMP  odd

colloop:
	SHRQ $1, CX
	JZ   tail

colpair:
	A6x16STEPCOL0
	A6x16STEPCOL1
	LEAQ (SI)(R11*2), SI
	LEAQ (BX)(R12*2), BX
	DECQ CX
	JNZ  colpair
	LEAQ (SI)(R10*2), DI
	ADDQ R10, DI
	JMP  tail

general:
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

odd:
	A6x16STEP
	DECQ CX
	JNZ  odd

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
	CMPQ  nr+120(FP), $16
	JEQ   whole
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
	JMP  done

whole:
	TESTQ $4, CX // gemmRelu
	JNZ   wholerelu
	A6x16ROWOUTFULL(Y0, Y1)
	DECQ BX
	JZ   done
	A6x16ROWOUTFULL(Y2, Y3)
	DECQ BX
	JZ   done
	A6x16ROWOUTFULL(Y4, Y5)
	DECQ BX
	JZ   done
	A6x16ROWOUTFULL(Y6, Y7)
	DECQ BX
	JZ   done
	A6x16ROWOUTFULL(Y8, Y9)
	DECQ BX
	JZ   done
	A6x16ROWOUTFULL(Y10, Y11)
	JMP  done

wholerelu:
	A6x16ROWRELUFULL(Y0, Y1)
	DECQ BX
	JZ   done
	A6x16ROWRELUFULL(Y2, Y3)
	DECQ BX
	JZ   done
	A6x16ROWRELUFULL(Y4, Y5)
	DECQ BX
	JZ   done
	A6x16ROWRELUFULL(Y6, Y7)
	DECQ BX
	JZ   done
	A6x16ROWRELUFULL(Y8, Y9)
	DECQ BX
	JZ   done
	A6x16ROWRELUFULL(Y10, Y11)

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

// func gemmPackBTHalfAVX2(dst []float32, kc, cols int, b []float32, ldb int)
//
// Packs one half (8 columns) of a 16-column sliver of op(B) = Bᵀ: for p in
// 0..kc-1, dst[p*16+jj] = b[jj*ldb+p] for jj < cols, else 0 (cols ≤ 8).
// With all eight columns, blocks of 8 k steps are transposed in registers:
// each 128-bit lane of a vector is loaded from one of two columns of op(B)
// (four consecutive floats of a row of B), leaving two rounds of in-lane
// shuffles. The other k steps, and partial halves, take one masked gather
// per k step.
//
// Registers: SI and R11 point at rows 0 and 4 of the eight (row stride R9,
// 3·R9 in R10); DI walks dst, CX counts.
TEXT ·gemmPackBTHalfAVX2(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ b_base+40(FP), SI
	MOVQ ldb+64(FP), R9
	SHLQ $2, R9
	LEAQ (R9)(R9*2), R10
	MOVQ kc+24(FP), DX
	MOVQ cols+32(FP), CX
	CMPQ CX, $8
	JNE  gather
	LEAQ (SI)(R9*4), R11
	MOVQ DX, CX
	SHRQ $3, CX
	JZ   tail

block:
	VMOVUPS     (SI), X0
	VINSERTF128 $1, (R11), Y0, Y0
	VMOVUPS     (SI)(R9*1), X1
	VINSERTF128 $1, (R11)(R9*1), Y1, Y1
	VMOVUPS     (SI)(R9*2), X2
	VINSERTF128 $1, (R11)(R9*2), Y2, Y2
	VMOVUPS     (SI)(R10*1), X3
	VINSERTF128 $1, (R11)(R10*1), Y3, Y3
	VUNPCKLPS   Y1, Y0, Y4
	VUNPCKHPS   Y1, Y0, Y5
	VUNPCKLPS   Y3, Y2, Y6
	VUNPCKHPS   Y3, Y2, Y7
	VUNPCKLPD   Y6, Y4, Y8
	VUNPCKHPD   Y6, Y4, Y9
	VUNPCKLPD   Y7, Y5, Y10
	VUNPCKHPD   Y7, Y5, Y11
	VMOVUPS     Y8, 0(DI)
	VMOVUPS     Y9, 64(DI)
	VMOVUPS     Y10, 128(DI)
	VMOVUPS     Y11, 192(DI)
	VMOVUPS     16(SI), X0
	VINSERTF128 $1, 16(R11), Y0, Y0
	VMOVUPS     16(SI)(R9*1), X1
	VINSERTF128 $1, 16(R11)(R9*1), Y1, Y1
	VMOVUPS     16(SI)(R9*2), X2
	VINSERTF128 $1, 16(R11)(R9*2), Y2, Y2
	VMOVUPS     16(SI)(R10*1), X3
	VINSERTF128 $1, 16(R11)(R10*1), Y3, Y3
	VUNPCKLPS   Y1, Y0, Y4
	VUNPCKHPS   Y1, Y0, Y5
	VUNPCKLPS   Y3, Y2, Y6
	VUNPCKHPS   Y3, Y2, Y7
	VUNPCKLPD   Y6, Y4, Y8
	VUNPCKHPD   Y6, Y4, Y9
	VUNPCKLPD   Y7, Y5, Y10
	VUNPCKHPD   Y7, Y5, Y11
	VMOVUPS     Y8, 256(DI)
	VMOVUPS     Y9, 320(DI)
	VMOVUPS     Y10, 384(DI)
	VMOVUPS     Y11, 448(DI)
	ADDQ $512, DI // 8 k steps of the sliver
	ADDQ $32, SI
	ADDQ $32, R11
	DECQ CX
	JNZ  block

tail:
	ANDQ $7, DX
	MOVQ $8, CX

gather:
	// Y15 = the lane mask of cols columns, Y14 = the lanes' offsets jj·ldb.
	TESTQ   DX, DX
	JZ      done
	LEAQ    gemmMaskAVX2<>(SB), AX
	SHLQ    $2, CX
	NEGQ    CX
	VMOVDQU 64(AX)(CX*1), Y15
	MOVQ    ldb+64(FP), CX
	VMOVQ   CX, X14 // not MOVQ: legacy SSE after the 256-bit code above stalls (2 µs per packing measured)
	VPBROADCASTD X14, Y14
	VPMULLD gemmIota8<>(SB), Y14, Y14

step:
	VMOVDQA    Y15, Y1
	VXORPS     Y0, Y0, Y0
	VGATHERDPS Y1, (SI)(Y14*4), Y0
	VMOVUPS    Y0, (DI)
	ADDQ       $64, DI
	ADDQ       $4, SI
	DECQ       DX
	JNZ        step

done:
	VZEROUPPER
	RET
