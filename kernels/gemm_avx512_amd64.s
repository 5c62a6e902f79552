//go:build !purego

#include "textflag.h"

// The AVX-512 GEMM micro-kernel: a 12×32 tile of C in Z0–Z23 (row r in
// Z(2r), Z(2r+1)), updated per k step by two 16-lane loads of B (Z24, Z25)
// and one broadcast of A per row (Z26). See gemmKernel in gemm.go for the
// contract.
//
// Registers: SI, DI, R8, R9 point at rows 0, 3, 6, 9 of the A sliver, R10 is
// the A row stride and R11 its k stride (bytes); the twelve rows are reached
// as base + {0,1,2,4,8}·R10. BX walks B with stride R12, DX walks the rows of
// C with stride R13, CX counts. K1/K2 mask the nr valid columns of B and C.

// A12x32ROW adds the outer product of one A element (at addr) and the B row
// in Z24:Z25 to one row of accumulators.
#define A12x32ROW(addr, acc0, acc1) \
	VBROADCASTSS addr, Z26; \
	VFMADD231PS  Z26, Z24, acc0; \
	VFMADD231PS  Z26, Z25, acc1

// A12x32STEP is one k step: the 12×32 rank-1 update, then advance A and B.
#define A12x32STEP \
	VMOVUPS.Z (BX), K1, Z24; \
	VMOVUPS.Z 64(BX), K2, Z25; \
	A12x32ROW((SI), Z0, Z1); \
	A12x32ROW((SI)(R10*1), Z2, Z3); \
	A12x32ROW((SI)(R10*2), Z4, Z5); \
	A12x32ROW((DI), Z6, Z7); \
	A12x32ROW((SI)(R10*4), Z8, Z9); \
	A12x32ROW((DI)(R10*2), Z10, Z11); \
	A12x32ROW((R8), Z12, Z13); \
	A12x32ROW((DI)(R10*4), Z14, Z15); \
	A12x32ROW((SI)(R10*8), Z16, Z17); \
	A12x32ROW((R9), Z18, Z19); \
	A12x32ROW((R8)(R10*4), Z20, Z21); \
	A12x32ROW((DI)(R10*8), Z22, Z23); \
	ADDQ R11, SI; \
	ADDQ R11, DI; \
	ADDQ R11, R8; \
	ADDQ R11, R9; \
	ADDQ R12, BX

// A12x32STEPROW is one k step for a row-major A (k stride 4 bytes) and a
// full 32-column B: the A elements are at displacement d from the row
// pointers, so those advance once per two steps, and B is loaded unmasked
// from bsrc0, bsrc1. Per step this saves the loop four of its five pointer
// updates, about 7% at the kernel.
#define A12x32STEPROW(d, bsrc0, bsrc1) \
	VMOVUPS bsrc0, Z24; \
	VMOVUPS bsrc1, Z25; \
	A12x32ROW(d(SI), Z0, Z1); \
	A12x32ROW(d(SI)(R10*1), Z2, Z3); \
	A12x32ROW(d(SI)(R10*2), Z4, Z5); \
	A12x32ROW(d(DI), Z6, Z7); \
	A12x32ROW(d(SI)(R10*4), Z8, Z9); \
	A12x32ROW(d(DI)(R10*2), Z10, Z11); \
	A12x32ROW(d(R8), Z12, Z13); \
	A12x32ROW(d(DI)(R10*4), Z14, Z15); \
	A12x32ROW(d(SI)(R10*8), Z16, Z17); \
	A12x32ROW(d(R9), Z18, Z19); \
	A12x32ROW(d(R8)(R10*4), Z20, Z21); \
	A12x32ROW(d(DI)(R10*8), Z22, Z23)

// A12x32STEPCOL0 and A12x32STEPCOL1 are two consecutive k steps for an A
// whose rows are adjacent floats (a transposed A; row stride 4 bytes) and a
// full 32-column B: the twelve elements are at displacements 0–44 from SI
// (plus R11, the k stride, for the second step), so one pointer serves all
// rows, and B is loaded unmasked.
#define A12x32STEPCOL0 \
	VMOVUPS (BX), Z24; \
	VMOVUPS 64(BX), Z25; \
	A12x32ROW(0(SI), Z0, Z1); \
	A12x32ROW(4(SI), Z2, Z3); \
	A12x32ROW(8(SI), Z4, Z5); \
	A12x32ROW(12(SI), Z6, Z7); \
	A12x32ROW(16(SI), Z8, Z9); \
	A12x32ROW(20(SI), Z10, Z11); \
	A12x32ROW(24(SI), Z12, Z13); \
	A12x32ROW(28(SI), Z14, Z15); \
	A12x32ROW(32(SI), Z16, Z17); \
	A12x32ROW(36(SI), Z18, Z19); \
	A12x32ROW(40(SI), Z20, Z21); \
	A12x32ROW(44(SI), Z22, Z23)

#define A12x32STEPCOL1 \
	VMOVUPS (BX)(R12*1), Z24; \
	VMOVUPS 64(BX)(R12*1), Z25; \
	A12x32ROW(0(SI)(R11*1), Z0, Z1); \
	A12x32ROW(4(SI)(R11*1), Z2, Z3); \
	A12x32ROW(8(SI)(R11*1), Z4, Z5); \
	A12x32ROW(12(SI)(R11*1), Z6, Z7); \
	A12x32ROW(16(SI)(R11*1), Z8, Z9); \
	A12x32ROW(20(SI)(R11*1), Z10, Z11); \
	A12x32ROW(24(SI)(R11*1), Z12, Z13); \
	A12x32ROW(28(SI)(R11*1), Z14, Z15); \
	A12x32ROW(32(SI)(R11*1), Z16, Z17); \
	A12x32ROW(36(SI)(R11*1), Z18, Z19); \
	A12x32ROW(40(SI)(R11*1), Z20, Z21); \
	A12x32ROW(44(SI)(R11*1), Z22, Z23)

// A12x32SCALE multiplies one row of accumulators by alpha (Z26).
#define A12x32SCALE(acc0, acc1) \
	VMULPS Z26, acc0, acc0; \
	VMULPS Z26, acc1, acc1

// A12x32STORE finishes one row and stores it to (DX): add beta·C (K3/K4 are
// K1/K2 when C is read, else empty, and Z27 is beta or 0), the bias (Z28,
// Z29, or zeros), clamp to max(v, 0) where K5 is set (relu) and store the
// nr valid columns.
#define A12x32STORE(acc0, acc1) \
	VMOVUPS.Z   (DX), K3, Z31; \
	VFMADD231PS Z27, Z31, acc0; \
	VMOVUPS.Z   64(DX), K4, Z31; \
	VFMADD231PS Z27, Z31, acc1; \
	VADDPS      Z28, acc0, acc0; \
	VADDPS      Z29, acc1, acc1; \
	VMAXPS      Z30, acc0, K5, acc0; \
	VMAXPS      Z30, acc1, K5, acc1; \
	VMOVUPS     acc0, K1, (DX); \
	VMOVUPS     acc1, K2, 64(DX); \
	ADDQ        R13, DX

// A12x32PUT stores one row's nr valid columns as they are.
#define A12x32PUT(acc0, acc1) \
	VMOVUPS acc0, K1, (DX); \
	VMOVUPS acc1, K2, 64(DX); \
	ADDQ    R13, DX

// func gemmKernel12x32AVX512(kc int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int, mr, nr int, alpha, beta float32, bias []float32, flags int)
TEXT ·gemmKernel12x32AVX512(SB), NOSPLIT, $0-168
	MOVQ a_base+8(FP), SI
	MOVQ rsA+32(FP), R10
	SHLQ $2, R10
	MOVQ csA+40(FP), R11
	SHLQ $2, R11
	LEAQ (SI)(R10*2), DI
	ADDQ R10, DI
	LEAQ (DI)(R10*2), R8
	ADDQ R10, R8
	LEAQ (R8)(R10*2), R9
	ADDQ R10, R9
	MOVQ b_base+48(FP), BX
	MOVQ ldb+72(FP), R12
	SHLQ $2, R12
	MOVQ c_base+80(FP), DX
	MOVQ ldc+104(FP), R13
	SHLQ $2, R13

	// K1, K2 = the low and high 16 bits of (1<<nr)-1, nr ≤ 32.
	MOVQ  nr+120(FP), CX
	MOVQ  $1, AX
	SHLQ  CX, AX
	DECQ  AX
	KMOVW AX, K1
	SHRQ  $16, AX
	KMOVW AX, K2

	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23

	// All 32 columns and A row-major or transposed: the quicker loops.
	CMPQ nr+120(FP), $32
	JNE  general
	MOVQ kc+0(FP), CX
	SHRQ $1, CX
	JZ   tail
	CMPQ R10, $4
	JEQ  colloop
	CMPQ R11, $4
	JNE  general

rowloop:
	A12x32STEPROW(0, (BX), 64(BX))
	A12x32STEPROW(4, (BX)(R12*1), 64(BX)(R12*1))
	ADDQ $8, SI
	ADDQ $8, DI
	ADDQ $8, R8
	ADDQ $8, R9
	LEAQ (BX)(R12*2), BX
	DECQ CX
	JNZ  rowloop
	JMP  tail

colloop:
	A12x32STEPCOL0
	A12x32STEPCOL1
	LEAQ (SI)(R11*2), SI
	LEAQ (BX)(R12*2), BX
	DECQ CX
	JNZ  colloop

	// The odd step, if any, needs the other row pointers again.
	LEAQ (SI)(R10*2), DI
	ADDQ R10, DI
	LEAQ (DI)(R10*2), R8
	ADDQ R10, R8
	LEAQ (R8)(R10*2), R9
	ADDQ R10, R9
	JMP  tail

general:
	// Two k steps per iteration, then the odd one.
	MOVQ kc+0(FP), CX
	SHRQ $1, CX
	JZ   tail

loop:
	A12x32STEP
	A12x32STEP
	DECQ CX
	JNZ  loop

tail:
	MOVQ kc+0(FP), CX
	ANDQ $1, CX
	JZ   epilogue
	A12x32STEP

epilogue:
	// C = the sums, as in most forward products and every small-k one
	// (where the epilogue is a large part of the time): plain stores.
	CMPQ flags+160(FP), $0
	JNE  scale
	CMPL alpha+128(FP), $0x3f800000 // 1.0
	JNE  scale
	MOVQ mr+112(FP), CX
	A12x32PUT(Z0, Z1)
	DECQ CX
	JZ   done
	A12x32PUT(Z2, Z3)
	DECQ CX
	JZ   done
	A12x32PUT(Z4, Z5)
	DECQ CX
	JZ   done
	A12x32PUT(Z6, Z7)
	DECQ CX
	JZ   done
	A12x32PUT(Z8, Z9)
	DECQ CX
	JZ   done
	A12x32PUT(Z10, Z11)
	DECQ CX
	JZ   done
	A12x32PUT(Z12, Z13)
	DECQ CX
	JZ   done
	A12x32PUT(Z14, Z15)
	DECQ CX
	JZ   done
	A12x32PUT(Z16, Z17)
	DECQ CX
	JZ   done
	A12x32PUT(Z18, Z19)
	DECQ CX
	JZ   done
	A12x32PUT(Z20, Z21)
	DECQ CX
	JZ   done
	A12x32PUT(Z22, Z23)
	JMP  done

scale:
	VBROADCASTSS alpha+128(FP), Z26
	A12x32SCALE(Z0, Z1)
	A12x32SCALE(Z2, Z3)
	A12x32SCALE(Z4, Z5)
	A12x32SCALE(Z6, Z7)
	A12x32SCALE(Z8, Z9)
	A12x32SCALE(Z10, Z11)
	A12x32SCALE(Z12, Z13)
	A12x32SCALE(Z14, Z15)
	A12x32SCALE(Z16, Z17)
	A12x32SCALE(Z18, Z19)
	A12x32SCALE(Z20, Z21)
	A12x32SCALE(Z22, Z23)

	// Turn the flags into masks and constants, so the rows need no branches.
	MOVQ   flags+160(FP), AX
	KXORW  K3, K3, K3
	KXORW  K4, K4, K4
	VPXORD Z27, Z27, Z27
	TESTQ  $1, AX // gemmLoadC
	JZ     nobeta
	KMOVW  K1, K3
	KMOVW  K2, K4
	VBROADCASTSS beta+132(FP), Z27

nobeta:
	VPXORD Z28, Z28, Z28
	VPXORD Z29, Z29, Z29
	TESTQ  $2, AX // gemmAddBias
	JZ     nobias
	MOVQ   bias_base+136(FP), BX
	VMOVUPS.Z (BX), K1, Z28
	VMOVUPS.Z 64(BX), K2, Z29

nobias:
	KXORW  K5, K5, K5
	TESTQ  $4, AX // gemmRelu
	JZ     norelu
	KXNORW K5, K5, K5

norelu:
	VPXORD Z30, Z30, Z30
	MOVQ   mr+112(FP), CX
	A12x32STORE(Z0, Z1)
	DECQ   CX
	JZ     done
	A12x32STORE(Z2, Z3)
	DECQ   CX
	JZ     done
	A12x32STORE(Z4, Z5)
	DECQ   CX
	JZ     done
	A12x32STORE(Z6, Z7)
	DECQ   CX
	JZ     done
	A12x32STORE(Z8, Z9)
	DECQ   CX
	JZ     done
	A12x32STORE(Z10, Z11)
	DECQ   CX
	JZ     done
	A12x32STORE(Z12, Z13)
	DECQ   CX
	JZ     done
	A12x32STORE(Z14, Z15)
	DECQ   CX
	JZ     done
	A12x32STORE(Z16, Z17)
	DECQ   CX
	JZ     done
	A12x32STORE(Z18, Z19)
	DECQ   CX
	JZ     done
	A12x32STORE(Z20, Z21)
	DECQ   CX
	JZ     done
	A12x32STORE(Z22, Z23)

done:
	VZEROUPPER
	RET
