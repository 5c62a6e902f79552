//go:build !purego

// AVX-512F matrix kernels: outer update (rank-1), gemv in both orientations.
// Hand-written Go assembly (not c2goasm: that needs clang and yasm, and yasm
// cannot encode AVX-512). Go declarations and reference loops are in
// stubs_amd64.go. Only AVX-512F instructions are used. The gemv kernels
// read partial vectors with opmask-ed loads; the outer update writes its
// row tails as exact-width pieces instead (see outer_rest).

#include "textflag.h"
#include "gemvn_avx512_amd64.h"

// TAILMASK sets K1 to the low CX bits (CX in 0..15); clobbers AX.
#define TAILMASK \
	MOVL  $1, AX; \
	SHLL  CX, AX; \
	DECL  AX;     \
	KMOVW AX, K1

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

// func outerUpdateAVX512Asm(alpha float32, x, y []float32, a []float32, lda int)
//
// Registers: SI x, R8 rows, DI y (current strip), CX columns left, DX a
// (current strip of row 0), R9 lda in bytes; per strip R10 the row, R11
// x[i], R12 rows left; X15 alpha, Z24 (and Y13, X14) alpha·x[i];
// Z16–Z23 the strip of y.
TEXT ·outerUpdateAVX512Asm(SB), NOSPLIT, $0-88
	VMOVSS alpha+0(FP), X15
	MOVQ   x_base+8(FP), SI
	MOVQ   x_len+16(FP), R8
	MOVQ   y_base+32(FP), DI
	MOVQ   y_len+40(FP), CX
	MOVQ   a_base+56(FP), DX
	MOVQ   lda+80(FP), R9
	SHLQ   $2, R9

outer_strip128:
	CMPQ    CX, $128
	JB      outer_rest
	VMOVUPS (DI), Z16
	VMOVUPS 64(DI), Z17
	VMOVUPS 128(DI), Z18
	VMOVUPS 192(DI), Z19
	VMOVUPS 256(DI), Z20
	VMOVUPS 320(DI), Z21
	VMOVUPS 384(DI), Z22
	VMOVUPS 448(DI), Z23
	MOVQ    DX, R10
	MOVQ    SI, R11
	MOVQ    R8, R12

outer_rows128:
	VMULSS       (R11), X15, X14
	VBROADCASTSS X14, Z24
	VMOVUPS      (R10), Z0
	VMOVUPS      64(R10), Z1
	VMOVUPS      128(R10), Z2
	VMOVUPS      192(R10), Z3
	VMOVUPS      256(R10), Z4
	VMOVUPS      320(R10), Z5
	VMOVUPS      384(R10), Z6
	VMOVUPS      448(R10), Z7
	VFMADD231PS  Z16, Z24, Z0
	VFMADD231PS  Z17, Z24, Z1
	VFMADD231PS  Z18, Z24, Z2
	VFMADD231PS  Z19, Z24, Z3
	VFMADD231PS  Z20, Z24, Z4
	VFMADD231PS  Z21, Z24, Z5
	VFMADD231PS  Z22, Z24, Z6
	VFMADD231PS  Z23, Z24, Z7
	VMOVUPS      Z0, (R10)
	VMOVUPS      Z1, 64(R10)
	VMOVUPS      Z2, 128(R10)
	VMOVUPS      Z3, 192(R10)
	VMOVUPS      Z4, 256(R10)
	VMOVUPS      Z5, 320(R10)
	VMOVUPS      Z6, 384(R10)
	VMOVUPS      Z7, 448(R10)
	ADDQ         $4, R11
	ADDQ         R9, R10
	DECQ         R12
	JNZ          outer_rows128
	ADDQ         $512, DI
	ADDQ         $512, DX
	SUBQ         $128, CX
	JMP          outer_strip128

outer_rest:
	// The last 1..127 columns in one pass over the rows, so that a matrix
	// too big for L1 is streamed once: BX bytes of whole vectors (y read
	// from memory, where it stays in L1), then the last CX < 16 columns in
	// pieces of 8, 4, 2 and 1, loaded and stored at their exact width. (An
	// opmask-ed 16-lane store of a short row would span the start of the
	// next row, whose load then waits for it.)
	TESTQ   CX, CX
	JZ      outer_done
	MOVQ    CX, BX
	ANDQ    $-16, BX
	SHLQ    $2, BX
	ANDQ    $15, CX
	LEAQ    (DI)(BX*1), AX
	TESTQ   $8, CX
	JZ      outer_y4
	VMOVUPS (AX), Y8
	ADDQ    $32, AX

outer_y4:
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
	VMULSS       (R11), X15, X14
	VBROADCASTSS X14, Y13
	TESTQ        BX, BX
	JZ           outer_pieces
	VBROADCASTSS X14, Z24
	XORL         AX, AX

outer_vectors:
	VMOVUPS     (R10)(AX*1), Z0
	VFMADD231PS (DI)(AX*1), Z24, Z0
	VMOVUPS     Z0, (R10)(AX*1)
	ADDQ        $64, AX
	CMPQ        AX, BX
	JB          outer_vectors

outer_pieces:
	LEAQ        (R10)(BX*1), AX
	TESTQ       $8, CX
	JZ          outer_t4
	VMOVUPS     (AX), Y0
	VFMADD231PS Y8, Y13, Y0
	VMOVUPS     Y0, (AX)
	ADDQ        $32, AX

outer_t4:
	TESTQ       $4, CX
	JZ          outer_t2
	VMOVUPS     (AX), X0
	VFMADD231PS X9, X13, X0
	VMOVUPS     X0, (AX)
	ADDQ        $16, AX

outer_t2:
	TESTQ       $2, CX
	JZ          outer_t1
	VMOVSD      (AX), X0
	VFMADD231PS X10, X13, X0
	VMOVSD      X0, (AX)
	ADDQ        $8, AX

outer_t1:
	TESTQ       $1, CX
	JZ          outer_tnext
	VMOVSS      (AX), X0
	VFMADD231SS X11, X14, X0
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
// columns at off(DI): y = alpha·acc (Z30) + beta·y (Z29), by beta mode.
#define YOUT0(off, acc) \
	VMULPS  Z30, acc, acc; \
	VMOVUPS acc, off(DI)

#define YOUT1(off, acc) \
	VFMADD213PS off(DI), Z30, acc; \
	VMOVUPS acc, off(DI)

#define YOUT2(off, acc) \
	VMULPS      Z30, acc, acc;      \
	VFMADD231PS off(DI), Z29, acc;  \
	VMOVUPS acc, off(DI)

// func gemvTAVX512Asm(m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32)
//
// Registers: R8 rows, DX a (current strip of row 0), R9 lda in bytes, SI x,
// DI y (current strip), CX columns left, BX beta mode; per strip R10 the
// row, R11 x[i], R12 rows left, R13 3·lda; Z30 alpha, Z29 beta.
TEXT ·gemvTAVX512Asm(SB), NOSPLIT, $0-112
	MOVQ         m+0(FP), R8
	MOVQ         n+8(FP), CX
	VBROADCASTSS alpha+16(FP), Z30
	MOVQ         a_base+24(FP), DX
	MOVQ         lda+48(FP), R9
	SHLQ         $2, R9
	LEAQ         (R9)(R9*2), R13
	MOVQ         x_base+56(FP), SI
	VMOVSS       beta+80(FP), X12
	BETAMODE
	VBROADCASTSS X12, Z29
	MOVQ         y_base+88(FP), DI

gemvt_strip128:
	CMPQ   CX, $128
	JB     gemvt_strip64
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	MOVQ   DX, R10
	MOVQ   SI, R11
	MOVQ   R8, R12

gemvt_rows128:
	VBROADCASTSS (R11), Z24
	VFMADD231PS  (R10), Z24, Z0
	VFMADD231PS  64(R10), Z24, Z1
	VFMADD231PS  128(R10), Z24, Z2
	VFMADD231PS  192(R10), Z24, Z3
	VFMADD231PS  256(R10), Z24, Z4
	VFMADD231PS  320(R10), Z24, Z5
	VFMADD231PS  384(R10), Z24, Z6
	VFMADD231PS  448(R10), Z24, Z7
	ADDQ         $4, R11
	ADDQ         R9, R10
	DECQ         R12
	JNZ          gemvt_rows128

	CMPQ       BX, $1
	JE         gemvt_add128
	JA         gemvt_scale128
	YOUT0(0,   Z0)
	YOUT0(64,  Z1)
	YOUT0(128, Z2)
	YOUT0(192, Z3)
	YOUT0(256, Z4)
	YOUT0(320, Z5)
	YOUT0(384, Z6)
	YOUT0(448, Z7)
	JMP        gemvt_next128

gemvt_add128:
	YOUT1(0,   Z0)
	YOUT1(64,  Z1)
	YOUT1(128, Z2)
	YOUT1(192, Z3)
	YOUT1(256, Z4)
	YOUT1(320, Z5)
	YOUT1(384, Z6)
	YOUT1(448, Z7)
	JMP        gemvt_next128

gemvt_scale128:
	YOUT2(0,   Z0)
	YOUT2(64,  Z1)
	YOUT2(128, Z2)
	YOUT2(192, Z3)
	YOUT2(256, Z4)
	YOUT2(320, Z5)
	YOUT2(384, Z6)
	YOUT2(448, Z7)

gemvt_next128:
	ADDQ $512, DI
	ADDQ $512, DX
	SUBQ $128, CX
	JMP  gemvt_strip128

gemvt_strip64:
	// One strip of 64 columns when 64..127 are left, two rows at a time
	// into two sets of four sums.
	CMPQ   CX, $64
	JB     gemvt_strip16
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	MOVQ   DX, R10
	MOVQ   SI, R11
	MOVQ   R8, R12
	CMPQ   R12, $2
	JB     gemvt_rows64_one

gemvt_rows64_two:
	VBROADCASTSS (R11), Z24
	VBROADCASTSS 4(R11), Z25
	VFMADD231PS  (R10), Z24, Z0
	VFMADD231PS  64(R10), Z24, Z1
	VFMADD231PS  128(R10), Z24, Z2
	VFMADD231PS  192(R10), Z24, Z3
	VFMADD231PS  (R10)(R9*1), Z25, Z4
	VFMADD231PS  64(R10)(R9*1), Z25, Z5
	VFMADD231PS  128(R10)(R9*1), Z25, Z6
	VFMADD231PS  192(R10)(R9*1), Z25, Z7
	ADDQ         $8, R11
	LEAQ         (R10)(R9*2), R10
	SUBQ         $2, R12
	CMPQ         R12, $2
	JAE          gemvt_rows64_two

gemvt_rows64_one:
	TESTQ        R12, R12
	JZ           gemvt_sum64
	VBROADCASTSS (R11), Z24
	VFMADD231PS  (R10), Z24, Z0
	VFMADD231PS  64(R10), Z24, Z1
	VFMADD231PS  128(R10), Z24, Z2
	VFMADD231PS  192(R10), Z24, Z3

gemvt_sum64:
	VADDPS     Z4, Z0, Z0
	VADDPS     Z5, Z1, Z1
	VADDPS     Z6, Z2, Z2
	VADDPS     Z7, Z3, Z3
	CMPQ       BX, $1
	JE         gemvt_add64
	JA         gemvt_scale64
	YOUT0(0,   Z0)
	YOUT0(64,  Z1)
	YOUT0(128, Z2)
	YOUT0(192, Z3)
	JMP        gemvt_next64

gemvt_add64:
	YOUT1(0,   Z0)
	YOUT1(64,  Z1)
	YOUT1(128, Z2)
	YOUT1(192, Z3)
	JMP        gemvt_next64

gemvt_scale64:
	YOUT2(0,   Z0)
	YOUT2(64,  Z1)
	YOUT2(128, Z2)
	YOUT2(192, Z3)

gemvt_next64:
	ADDQ $256, DI
	ADDQ $256, DX
	SUBQ $64, CX

gemvt_strip16:
	// Strips of 16 columns, the last one masked; four rows at a time into
	// four sums, so the additions do not wait on each other.
	TESTQ CX, CX
	JZ    gemvt_done
	MOVL  $0xffff, AX
	CMPQ  CX, $16
	JAE   gemvt_mask16
	MOVL  $1, AX
	SHLL  CX, AX
	DECL  AX

gemvt_mask16:
	KMOVW  AX, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	MOVQ   DX, R10
	MOVQ   SI, R11
	MOVQ   R8, R12
	CMPQ   R12, $4
	JB     gemvt_rows16_one

gemvt_rows16_four:
	VBROADCASTSS (R11), Z24
	VBROADCASTSS 4(R11), Z25
	VBROADCASTSS 8(R11), Z26
	VBROADCASTSS 12(R11), Z27
	VMOVUPS.Z    (R10), K1, Z8
	VMOVUPS.Z    (R10)(R9*1), K1, Z9
	VMOVUPS.Z    (R10)(R9*2), K1, Z10
	VMOVUPS.Z    (R10)(R13*1), K1, Z11
	VFMADD231PS  Z8, Z24, Z0
	VFMADD231PS  Z9, Z25, Z1
	VFMADD231PS  Z10, Z26, Z2
	VFMADD231PS  Z11, Z27, Z3
	ADDQ         $16, R11
	LEAQ         (R10)(R9*4), R10
	SUBQ         $4, R12
	CMPQ         R12, $4
	JAE          gemvt_rows16_four

gemvt_rows16_one:
	TESTQ        R12, R12
	JZ           gemvt_sum16
	VBROADCASTSS (R11), Z24
	VMOVUPS.Z    (R10), K1, Z8
	VFMADD231PS  Z8, Z24, Z0
	ADDQ         $4, R11
	ADDQ         R9, R10
	DECQ         R12
	JMP          gemvt_rows16_one

gemvt_sum16:
	VADDPS    Z1, Z0, Z0
	VADDPS    Z3, Z2, Z2
	VADDPS    Z2, Z0, Z0
	VMULPS    Z30, Z0, Z0
	CMPQ      BX, $1
	JB        gemvt_store16
	VMOVUPS.Z (DI), K1, Z8
	JA        gemvt_scale16
	VADDPS    Z8, Z0, Z0
	JMP       gemvt_store16

gemvt_scale16:
	VFMADD231PS Z8, Z29, Z0

gemvt_store16:
	VMOVUPS Z0, K1, (DI)
	ADDQ    $64, DI
	ADDQ    $64, DX
	SUBQ    $16, CX
	JGT     gemvt_strip16

gemvt_done:
	VZEROUPPER
	RET

// func gemvNAVX512Asm(m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32)
//
// Registers: R8 rows left, DX a (current row), R9 lda in bytes, DI x, SI y,
// CX the bytes of x in whole pairs of vectors, AX the column in bytes,
// BX beta mode, K1 the mask of the last partial vector (0 if none);
// R10–R13 four rows; X13 alpha, X12 beta.
TEXT ·gemvNAVX512Asm(SB), NOSPLIT, $0-112
	MOVQ         m+0(FP), R8
	MOVQ         n+8(FP), CX
	VBROADCASTSS alpha+16(FP), X13
	MOVQ         a_base+24(FP), DX
	MOVQ         lda+48(FP), R9
	SHLQ         $2, R9
	MOVQ         x_base+56(FP), DI
	VBROADCASTSS beta+80(FP), X12
	BETAMODE
	MOVQ         y_base+88(FP), SI
	MOVQ         CX, R10
	ANDQ         $15, CX
	TAILMASK
	MOVQ         R10, CX
	ANDQ         $-32, CX
	SHLQ         $2, CX

gemvn_rows4:
	CMPQ   R8, $4
	JB     gemvn_rows1
	MOVQ   DX, R10
	LEAQ   (DX)(R9*1), R11
	LEAQ   (DX)(R9*2), R12
	LEAQ   (R11)(R9*2), R13
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	XORL   AX, AX
	TESTQ  CX, CX
	JZ     gemvn_single4

gemvn_pairs4:
	// Two vectors of x, each shared by four rows; two sums per row.
	VMOVUPS     (DI)(AX*1), Z8
	VMOVUPS     64(DI)(AX*1), Z9
	VFMADD231PS (R10)(AX*1), Z8, Z0
	VFMADD231PS (R11)(AX*1), Z8, Z1
	VFMADD231PS (R12)(AX*1), Z8, Z2
	VFMADD231PS (R13)(AX*1), Z8, Z3
	VFMADD231PS 64(R10)(AX*1), Z9, Z4
	VFMADD231PS 64(R11)(AX*1), Z9, Z5
	VFMADD231PS 64(R12)(AX*1), Z9, Z6
	VFMADD231PS 64(R13)(AX*1), Z9, Z7
	ADDQ        $128, AX
	CMPQ        AX, CX
	JB          gemvn_pairs4

gemvn_single4:
	TESTQ       $16, n+8(FP)
	JZ          gemvn_tail4
	VMOVUPS     (DI)(AX*1), Z8
	VFMADD231PS (R10)(AX*1), Z8, Z0
	VFMADD231PS (R11)(AX*1), Z8, Z1
	VFMADD231PS (R12)(AX*1), Z8, Z2
	VFMADD231PS (R13)(AX*1), Z8, Z3
	ADDQ        $64, AX

gemvn_tail4:
	KORTESTW    K1, K1
	JZ          gemvn_reduce4
	VMOVUPS.Z   (DI)(AX*1), K1, Z8
	VMOVUPS.Z   (R10)(AX*1), K1, Z9
	VMOVUPS.Z   (R11)(AX*1), K1, Z10
	VMOVUPS.Z   (R12)(AX*1), K1, Z11
	VMOVUPS.Z   (R13)(AX*1), K1, Z14
	VFMADD231PS Z9, Z8, Z4
	VFMADD231PS Z10, Z8, Z5
	VFMADD231PS Z11, Z8, Z6
	VFMADD231PS Z14, Z8, Z7

gemvn_reduce4:
	// Four 16-lane sums to the four dot products in X0.
	VADDPS        Z4, Z0, Z0
	VADDPS        Z5, Z1, Z1
	VADDPS        Z6, Z2, Z2
	VADDPS        Z7, Z3, Z3
	VEXTRACTF64X4 $1, Z0, Y4
	VEXTRACTF64X4 $1, Z1, Y5
	VEXTRACTF64X4 $1, Z2, Y6
	VEXTRACTF64X4 $1, Z3, Y7
	VADDPS        Y4, Y0, Y0
	VADDPS        Y5, Y1, Y1
	VADDPS        Y6, Y2, Y2
	VADDPS        Y7, Y3, Y3
	VHADDPS       Y1, Y0, Y0
	VHADDPS       Y3, Y2, Y2
	VHADDPS       Y2, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VADDPS        X1, X0, X0
	CMPQ          BX, $1
	JE            gemvn_add4
	JA            gemvn_scale4
	VMULPS        X13, X0, X0
	JMP           gemvn_store4

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
	ROWDOT16(R10, CX, n+8(FP))
	CMPQ          BX, $1
	JE            gemvn_add1
	JA            gemvn_scale1
	VMULSS        X13, X0, X0
	JMP           gemvn_store1

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
