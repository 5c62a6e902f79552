//go:build !purego

// AVX2+FMA matrix kernels: outer update (rank-1), gemv in both
// orientations. Hand-written Go assembly (not c2goasm: that needs clang and
// yasm and has mis-encoding traps, see the project notes). Go declarations
// and reference loops are in stubs_amd64.go.
//
// VEX encodings only (Y0–Y15, no opmasks): this file must run on CPUs
// without AVX-512. The gemv kernels read (and write) partial vectors with
// VMASKMOVPS, which never touches the masked-off elements; the outer update
// uses exact-width pieces instead (see outer_rest).

#include "textflag.h"

// TAILMASK(r) loads into Y15 the VMASKMOVPS mask for the first CX (1..7)
// elements of a vector; clobbers AX and r.
#define TAILMASK(r) \
	MOVQ    $8, AX;                \
	SUBQ    CX, AX;                \
	LEAQ    ·avx2TailMask(SB), r;  \
	VMOVDQU (r)(AX*4), Y15

// BETAMODE sets BX to how y enters the result, from beta in the low lane
// of X12: 0 when beta == 0 (y is not read), 1 when beta == 1 (y is added
// unscaled), 2 otherwise, a NaN beta included (y is scaled). It compares
// ordered-equal with 0 and with 1 and subtracts the masks' low bits, so no
// branch is needed. Clobbers AX, X10, X11.
#define BETAMODE \
	MOVL   $2, BX;            \
	VXORPS X11, X11, X11;     \
	VCMPSS $0, X11, X12, X10; \
	VMOVD  X10, AX;           \
	ANDL   $2, AX;            \
	SUBL   AX, BX;            \
	MOVL   $0x3f800000, AX;   \
	VMOVD  AX, X11;           \
	VCMPSS $0, X11, X12, X10; \
	VMOVD  X10, AX;           \
	ANDL   $1, AX;            \
	SUBL AX, BX

// ROWFMA updates one vector of a row at off(R10) by Y7 times the y vector
// in register yv.
#define ROWFMA(off, yv) \
	VMOVUPS     off(R10), Y0; \
	VFMADD231PS yv, Y7, Y0;   \
	VMOVUPS Y0, off(R10)

// func outerUpdateAVX2Asm(alpha float32, x, y []float32, a []float32, lda int)
//
// Registers: SI x, R8 rows, DI y (current strip), CX columns left, DX a
// (current strip of row 0), R9 lda in bytes; per strip R10 the row, R11
// x[i], R12 rows left, BX the bytes of whole vectors in the last pass;
// X6 alpha, Y7 (and X5) alpha·x[i]; Y8–Y15 the strip of y.
TEXT ·outerUpdateAVX2Asm(SB), NOSPLIT, $0-88
	VMOVSS alpha+0(FP), X6
	MOVQ   x_base+8(FP), SI
	MOVQ   x_len+16(FP), R8
	MOVQ   y_base+32(FP), DI
	MOVQ   y_len+40(FP), CX
	MOVQ   a_base+56(FP), DX
	MOVQ   lda+80(FP), R9
	SHLQ   $2, R9

outer_strip64:
	CMPQ    CX, $64
	JB      outer_rest
	VMOVUPS (DI), Y8
	VMOVUPS 32(DI), Y9
	VMOVUPS 64(DI), Y10
	VMOVUPS 96(DI), Y11
	VMOVUPS 128(DI), Y12
	VMOVUPS 160(DI), Y13
	VMOVUPS 192(DI), Y14
	VMOVUPS 224(DI), Y15
	MOVQ    DX, R10
	MOVQ    SI, R11
	MOVQ    R8, R12

outer_rows64:
	VMULSS       (R11), X6, X5
	VBROADCASTSS X5, Y7
	ROWFMA(0,    Y8)
	ROWFMA(32,   Y9)
	ROWFMA(64,   Y10)
	ROWFMA(96,   Y11)
	ROWFMA(128,  Y12)
	ROWFMA(160,  Y13)
	ROWFMA(192,  Y14)
	ROWFMA(224,  Y15)
	ADDQ         $4, R11
	ADDQ         R9, R10
	DECQ         R12
	JNZ          outer_rows64
	ADDQ         $256, DI
	ADDQ         $256, DX
	SUBQ         $64, CX
	JMP          outer_strip64

outer_rest:
	// The last 1..63 columns in one pass over the rows, so that a matrix
	// too big for L1 is streamed once: BX bytes of whole vectors (y read
	// from memory, where it stays in L1), then the last CX < 8 columns in
	// pieces of 4, 2 and 1, loaded and stored at their exact width. (A
	// VMASKMOVPS store of a short row would span the start of the next row,
	// whose load then waits for it.)
	TESTQ   CX, CX
	JZ      outer_done
	MOVQ    CX, BX
	ANDQ    $-8, BX
	SHLQ    $2, BX
	ANDQ    $7, CX
	LEAQ    (DI)(BX*1), AX
	TESTQ   $4, CX
	JZ      outer_y2
	VMOVUPS (AX), X9
	ADDQ    $16, AX

outer_y2:
	TESTQ  $2, CX
	JZ     outer_y1
	VMOVSD (AX), X10
	ADDQ   $8, AX

outer_y1:
	TESTQ  $1, CX
	JZ     outer_ydone
	VMOVSS (AX), X11

outer_ydone:
	MOVQ DX, R10
	MOVQ SI, R11
	MOVQ R8, R12

outer_rows_rest:
	VMULSS       (R11), X6, X5
	VBROADCASTSS X5, Y7
	XORL         AX, AX
	TESTQ        BX, BX
	JZ           outer_pieces

outer_vectors:
	VMOVUPS     (R10)(AX*1), Y0
	VFMADD231PS (DI)(AX*1), Y7, Y0
	VMOVUPS     Y0, (R10)(AX*1)
	ADDQ        $32, AX
	CMPQ        AX, BX
	JB          outer_vectors

outer_pieces:
	LEAQ        (R10)(BX*1), AX
	TESTQ       $4, CX
	JZ          outer_t2
	VMOVUPS     (AX), X0
	VFMADD231PS X9, X7, X0
	VMOVUPS     X0, (AX)
	ADDQ        $16, AX

outer_t2:
	TESTQ       $2, CX
	JZ          outer_t1
	VMOVSD      (AX), X0
	VFMADD231PS X10, X7, X0
	VMOVSD      X0, (AX)
	ADDQ        $8, AX

outer_t1:
	TESTQ       $1, CX
	JZ          outer_tnext
	VMOVSS      (AX), X0
	VFMADD231SS X11, X5, X0
	VMOVSS      X0, (AX)

outer_tnext:
	ADDQ $4, R11
	ADDQ R9, R10
	DECQ R12
	JNZ  outer_rows_rest

outer_done:
	VZEROUPPER
	RET

// YOUT* finish one vector of the gemvT result, acc = Σ x[i]·a[i,:] for the
// columns at off(DI): y = alpha·acc (Y13) + beta·y (Y12), by beta mode.
#define YOUT0(off, acc) \
	VMULPS  Y13, acc, acc; \
	VMOVUPS acc, off(DI)

#define YOUT1(off, acc) \
	VFMADD213PS off(DI), Y13, acc; \
	VMOVUPS acc, off(DI)

#define YOUT2(off, acc) \
	VMULPS      Y13, acc, acc;     \
	VFMADD231PS off(DI), Y12, acc; \
	VMOVUPS acc, off(DI)

// func gemvTAVX2Asm(m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32)
//
// Registers: R8 rows, DX a (current strip of row 0), R9 lda in bytes, SI x,
// DI y (current strip), CX columns left, BX beta mode; per strip R10 the
// row, R11 x[i], R12 rows left, R13 3·lda; Y13 alpha, Y12 beta, Y15 the
// column mask of an 8-column strip.
TEXT ·gemvTAVX2Asm(SB), NOSPLIT, $0-112
	MOVQ         m+0(FP), R8
	MOVQ         n+8(FP), CX
	VBROADCASTSS alpha+16(FP), Y13
	MOVQ         a_base+24(FP), DX
	MOVQ         lda+48(FP), R9
	SHLQ         $2, R9
	LEAQ         (R9)(R9*2), R13
	MOVQ         x_base+56(FP), SI
	VMOVSS       beta+80(FP), X12
	BETAMODE
	VBROADCASTSS X12, Y12
	MOVQ         y_base+88(FP), DI

gemvt_strip64:
	CMPQ   CX, $64
	JB     gemvt_strip8
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	MOVQ   DX, R10
	MOVQ   SI, R11
	MOVQ   R8, R12

gemvt_rows64:
	VBROADCASTSS (R11), Y8
	VFMADD231PS  (R10), Y8, Y0
	VFMADD231PS  32(R10), Y8, Y1
	VFMADD231PS  64(R10), Y8, Y2
	VFMADD231PS  96(R10), Y8, Y3
	VFMADD231PS  128(R10), Y8, Y4
	VFMADD231PS  160(R10), Y8, Y5
	VFMADD231PS  192(R10), Y8, Y6
	VFMADD231PS  224(R10), Y8, Y7
	ADDQ         $4, R11
	ADDQ         R9, R10
	DECQ         R12
	JNZ          gemvt_rows64

	CMPQ       BX, $1
	JE         gemvt_add64
	JA         gemvt_scale64
	YOUT0(0,   Y0)
	YOUT0(32,  Y1)
	YOUT0(64,  Y2)
	YOUT0(96,  Y3)
	YOUT0(128, Y4)
	YOUT0(160, Y5)
	YOUT0(192, Y6)
	YOUT0(224, Y7)
	JMP        gemvt_next64

gemvt_add64:
	YOUT1(0,   Y0)
	YOUT1(32,  Y1)
	YOUT1(64,  Y2)
	YOUT1(96,  Y3)
	YOUT1(128, Y4)
	YOUT1(160, Y5)
	YOUT1(192, Y6)
	YOUT1(224, Y7)
	JMP        gemvt_next64

gemvt_scale64:
	YOUT2(0,   Y0)
	YOUT2(32,  Y1)
	YOUT2(64,  Y2)
	YOUT2(96,  Y3)
	YOUT2(128, Y4)
	YOUT2(160, Y5)
	YOUT2(192, Y6)
	YOUT2(224, Y7)

gemvt_next64:
	ADDQ $256, DI
	ADDQ $256, DX
	SUBQ $64, CX
	JMP  gemvt_strip64

gemvt_strip8:
	// Strips of 8 columns, the last one masked; four rows at a time into
	// four sums, so the additions do not wait on each other.
	TESTQ         CX, CX
	JZ            gemvt_done
	VPCMPEQD      Y15, Y15, Y15
	CMPQ          CX, $8
	JAE           gemvt_mask8
	TAILMASK(R12)

gemvt_mask8:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	MOVQ   DX, R10
	MOVQ   SI, R11
	MOVQ   R8, R12
	CMPQ   R12, $4
	JB     gemvt_rows8_one

gemvt_rows8_four:
	VBROADCASTSS (R11), Y8
	VBROADCASTSS 4(R11), Y9
	VBROADCASTSS 8(R11), Y10
	VBROADCASTSS 12(R11), Y11
	VMASKMOVPS   (R10), Y15, Y4
	VMASKMOVPS   (R10)(R9*1), Y15, Y5
	VMASKMOVPS   (R10)(R9*2), Y15, Y6
	VMASKMOVPS   (R10)(R13*1), Y15, Y7
	VFMADD231PS  Y4, Y8, Y0
	VFMADD231PS  Y5, Y9, Y1
	VFMADD231PS  Y6, Y10, Y2
	VFMADD231PS  Y7, Y11, Y3
	ADDQ         $16, R11
	LEAQ         (R10)(R9*4), R10
	SUBQ         $4, R12
	CMPQ         R12, $4
	JAE          gemvt_rows8_four

gemvt_rows8_one:
	TESTQ        R12, R12
	JZ           gemvt_sum8
	VBROADCASTSS (R11), Y8
	VMASKMOVPS   (R10), Y15, Y4
	VFMADD231PS  Y4, Y8, Y0
	ADDQ         $4, R11
	ADDQ         R9, R10
	DECQ         R12
	JMP          gemvt_rows8_one

gemvt_sum8:
	VADDPS     Y1, Y0, Y0
	VADDPS     Y3, Y2, Y2
	VADDPS     Y2, Y0, Y0
	VMULPS     Y13, Y0, Y0
	CMPQ       BX, $1
	JB         gemvt_store8
	VMASKMOVPS (DI), Y15, Y4
	JA         gemvt_scale8
	VADDPS     Y4, Y0, Y0
	JMP        gemvt_store8

gemvt_scale8:
	VFMADD231PS Y4, Y12, Y0

gemvt_store8:
	VMASKMOVPS Y0, Y15, (DI)
	ADDQ       $32, DI
	ADDQ       $32, DX
	SUBQ       $8, CX
	JGT        gemvt_strip8

gemvt_done:
	VZEROUPPER
	RET

// func gemvNAVX2Asm(m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32)
//
// Registers: R8 rows left, DX a (current row), R9 lda in bytes, DI x, SI y,
// CX the bytes of x in whole pairs of vectors, AX the column in bytes,
// BX beta mode, Y15 the mask of the last partial vector; R10–R13 four rows;
// X13 alpha, X12 beta.
TEXT ·gemvNAVX2Asm(SB), NOSPLIT, $0-112
	MOVQ          m+0(FP), R8
	MOVQ          n+8(FP), CX
	VBROADCASTSS  alpha+16(FP), X13
	MOVQ          a_base+24(FP), DX
	MOVQ          lda+48(FP), R9
	SHLQ          $2, R9
	MOVQ          x_base+56(FP), DI
	VBROADCASTSS  beta+80(FP), X12
	BETAMODE
	MOVQ          y_base+88(FP), SI
	MOVQ          CX, R11
	ANDQ          $7, CX
	TAILMASK(R10)
	MOVQ          R11, CX
	ANDQ          $-16, CX
	SHLQ          $2, CX

gemvn_rows4:
	CMPQ   R8, $4
	JB     gemvn_rows1
	MOVQ   DX, R10
	LEAQ   (DX)(R9*1), R11
	LEAQ   (DX)(R9*2), R12
	LEAQ   (R11)(R9*2), R13
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	XORL   AX, AX
	TESTQ  CX, CX
	JZ     gemvn_single4

gemvn_pairs4:
	// Two vectors of x, each shared by four rows; two sums per row.
	VMOVUPS     (DI)(AX*1), Y8
	VMOVUPS     32(DI)(AX*1), Y9
	VFMADD231PS (R10)(AX*1), Y8, Y0
	VFMADD231PS (R11)(AX*1), Y8, Y1
	VFMADD231PS (R12)(AX*1), Y8, Y2
	VFMADD231PS (R13)(AX*1), Y8, Y3
	VFMADD231PS 32(R10)(AX*1), Y9, Y4
	VFMADD231PS 32(R11)(AX*1), Y9, Y5
	VFMADD231PS 32(R12)(AX*1), Y9, Y6
	VFMADD231PS 32(R13)(AX*1), Y9, Y7
	ADDQ        $64, AX
	CMPQ        AX, CX
	JB          gemvn_pairs4

gemvn_single4:
	TESTQ       $8, n+8(FP)
	JZ          gemvn_tail4
	VMOVUPS     (DI)(AX*1), Y8
	VFMADD231PS (R10)(AX*1), Y8, Y0
	VFMADD231PS (R11)(AX*1), Y8, Y1
	VFMADD231PS (R12)(AX*1), Y8, Y2
	VFMADD231PS (R13)(AX*1), Y8, Y3
	ADDQ        $32, AX

gemvn_tail4:
	TESTQ       $7, n+8(FP)
	JZ          gemvn_reduce4
	VMASKMOVPS  (DI)(AX*1), Y15, Y8
	VMASKMOVPS  (R10)(AX*1), Y15, Y9
	VMASKMOVPS  (R11)(AX*1), Y15, Y10
	VMASKMOVPS  (R12)(AX*1), Y15, Y11
	VMASKMOVPS  (R13)(AX*1), Y15, Y14
	VFMADD231PS Y9, Y8, Y4
	VFMADD231PS Y10, Y8, Y5
	VFMADD231PS Y11, Y8, Y6
	VFMADD231PS Y14, Y8, Y7

gemvn_reduce4:
	// Four 8-lane sums to the four dot products in X0.
	VADDPS       Y4, Y0, Y0
	VADDPS       Y5, Y1, Y1
	VADDPS       Y6, Y2, Y2
	VADDPS       Y7, Y3, Y3
	VHADDPS      Y1, Y0, Y0
	VHADDPS      Y3, Y2, Y2
	VHADDPS      Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	CMPQ         BX, $1
	JE           gemvn_add4
	JA           gemvn_scale4
	VMULPS       X13, X0, X0
	JMP          gemvn_store4

gemvn_add4:
	VFMADD213PS (SI), X13, X0
	JMP         gemvn_store4

gemvn_scale4:
	VMULPS      X13, X0, X0
	VFMADD231PS (SI), X12, X0

gemvn_store4:
	VMOVUPS X0, (SI)
	ADDQ    $16, SI
	LEAQ    (DX)(R9*4), DX
	SUBQ    $4, R8
	JMP     gemvn_rows4

gemvn_rows1:
	// The last 0..3 rows, one at a time.
	TESTQ  R8, R8
	JZ     gemvn_done
	MOVQ   DX, R10
	VXORPS Y0, Y0, Y0
	VXORPS Y4, Y4, Y4
	XORL   AX, AX
	TESTQ  CX, CX
	JZ     gemvn_single1

gemvn_pairs1:
	VMOVUPS     (DI)(AX*1), Y8
	VMOVUPS     32(DI)(AX*1), Y9
	VFMADD231PS (R10)(AX*1), Y8, Y0
	VFMADD231PS 32(R10)(AX*1), Y9, Y4
	ADDQ        $64, AX
	CMPQ        AX, CX
	JB          gemvn_pairs1

gemvn_single1:
	TESTQ       $8, n+8(FP)
	JZ          gemvn_tail1
	VMOVUPS     (DI)(AX*1), Y8
	VFMADD231PS (R10)(AX*1), Y8, Y0
	ADDQ        $32, AX

gemvn_tail1:
	TESTQ       $7, n+8(FP)
	JZ          gemvn_reduce1
	VMASKMOVPS  (DI)(AX*1), Y15, Y8
	VMASKMOVPS  (R10)(AX*1), Y15, Y9
	VFMADD231PS Y9, Y8, Y4

gemvn_reduce1:
	VADDPS       Y4, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VMOVHLPS     X0, X0, X1
	VADDPS       X1, X0, X0
	VMOVSHDUP    X0, X1
	VADDSS       X1, X0, X0
	CMPQ         BX, $1
	JE           gemvn_add1
	JA           gemvn_scale1
	VMULSS       X13, X0, X0
	JMP          gemvn_store1

gemvn_add1:
	VFMADD213SS (SI), X13, X0
	JMP         gemvn_store1

gemvn_scale1:
	VMULSS      X13, X0, X0
	VFMADD231SS (SI), X12, X0

gemvn_store1:
	VMOVSS X0, (SI)
	ADDQ   $4, SI
	ADDQ   R9, DX
	DECQ   R8
	JMP    gemvn_rows1

gemvn_done:
	VZEROUPPER
	RET
