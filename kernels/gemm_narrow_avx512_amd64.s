//go:build !purego

#include "textflag.h"

// The AVX-512 GEMM micro-kernel for narrow products (n ≤ 16, such as a
// 10-class output layer): a 16×16 tile of C in Z0–Z15 (one register per
// row), updated per k step by one masked 16-lane load of B (Z16) and one
// FMA with an embedded broadcast of A per row. See gemmKernel in gemm.go.
//
// Registers: SI, DI, R9, R8 point at rows 0, 5, 9 and 14 of the A sliver;
// with the row stride R10 and 3·R10 in AX the sixteen rows are base +
// {0,1,2,4,8}·R10 or base + {1,2,4}·AX. R11 is the k stride of A; BX walks
// B with stride R12, DX walks C with stride R13, CX counts. K1 masks the nr
// valid columns.

#define A16x16STEP \
	VMOVUPS.Z        (BX), K1, Z16; \
	VFMADD231PS.BCST (SI), Z16, Z0; \
	VFMADD231PS.BCST (SI)(R10*1), Z16, Z1; \
	VFMADD231PS.BCST (SI)(R10*2), Z16, Z2; \
	VFMADD231PS.BCST (SI)(AX*1), Z16, Z3; \
	VFMADD231PS.BCST (SI)(R10*4), Z16, Z4; \
	VFMADD231PS.BCST (DI), Z16, Z5; \
	VFMADD231PS.BCST (SI)(AX*2), Z16, Z6; \
	VFMADD231PS.BCST (DI)(R10*2), Z16, Z7; \
	VFMADD231PS.BCST (SI)(R10*8), Z16, Z8; \
	VFMADD231PS.BCST (R9), Z16, Z9; \
	VFMADD231PS.BCST (R9)(R10*1), Z16, Z10; \
	VFMADD231PS.BCST (R9)(R10*2), Z16, Z11; \
	VFMADD231PS.BCST (SI)(AX*4), Z16, Z12; \
	VFMADD231PS.BCST (R9)(R10*4), Z16, Z13; \
	VFMADD231PS.BCST (R8), Z16, Z14; \
	VFMADD231PS.BCST (R9)(AX*2), Z16, Z15; \
	ADDQ             R11, SI; \
	ADDQ             R11, DI; \
	ADDQ             R11, R8; \
	ADDQ             R11, R9; \
	ADDQ             R12, BX

// A16x16STEPROW0 and A16x16STEPROW1 are two consecutive k steps for a
// row-major A (k stride 4 bytes): the second reads at displacement 4 and
// B one row further, so the pointers advance once per two steps.
#define A16x16STEPROW0 \
	VMOVUPS.Z        (BX), K1, Z16; \
	VFMADD231PS.BCST 0(SI), Z16, Z0; \
	VFMADD231PS.BCST 0(SI)(R10*1), Z16, Z1; \
	VFMADD231PS.BCST 0(SI)(R10*2), Z16, Z2; \
	VFMADD231PS.BCST 0(SI)(AX*1), Z16, Z3; \
	VFMADD231PS.BCST 0(SI)(R10*4), Z16, Z4; \
	VFMADD231PS.BCST 0(DI), Z16, Z5; \
	VFMADD231PS.BCST 0(SI)(AX*2), Z16, Z6; \
	VFMADD231PS.BCST 0(DI)(R10*2), Z16, Z7; \
	VFMADD231PS.BCST 0(SI)(R10*8), Z16, Z8; \
	VFMADD231PS.BCST 0(R9), Z16, Z9; \
	VFMADD231PS.BCST 0(R9)(R10*1), Z16, Z10; \
	VFMADD231PS.BCST 0(R9)(R10*2), Z16, Z11; \
	VFMADD231PS.BCST 0(SI)(AX*4), Z16, Z12; \
	VFMADD231PS.BCST 0(R9)(R10*4), Z16, Z13; \
	VFMADD231PS.BCST 0(R8), Z16, Z14; \
	VFMADD231PS.BCST 0(R9)(AX*2), Z16, Z15

#define A16x16STEPROW1 \
	VMOVUPS.Z        (BX)(R12*1), K1, Z16; \
	VFMADD231PS.BCST 4(SI), Z16, Z0; \
	VFMADD231PS.BCST 4(SI)(R10*1), Z16, Z1; \
	VFMADD231PS.BCST 4(SI)(R10*2), Z16, Z2; \
	VFMADD231PS.BCST 4(SI)(AX*1), Z16, Z3; \
	VFMADD231PS.BCST 4(SI)(R10*4), Z16, Z4; \
	VFMADD231PS.BCST 4(DI), Z16, Z5; \
	VFMADD231PS.BCST 4(SI)(AX*2), Z16, Z6; \
	VFMADD231PS.BCST 4(DI)(R10*2), Z16, Z7; \
	VFMADD231PS.BCST 4(SI)(R10*8), Z16, Z8; \
	VFMADD231PS.BCST 4(R9), Z16, Z9; \
	VFMADD231PS.BCST 4(R9)(R10*1), Z16, Z10; \
	VFMADD231PS.BCST 4(R9)(R10*2), Z16, Z11; \
	VFMADD231PS.BCST 4(SI)(AX*4), Z16, Z12; \
	VFMADD231PS.BCST 4(R9)(R10*4), Z16, Z13; \
	VFMADD231PS.BCST 4(R8), Z16, Z14; \
	VFMADD231PS.BCST 4(R9)(AX*2), Z16, Z15

// A16x16STEPCOL0 and A16x16STEPCOL1 are two consecutive k steps for an A
// whose rows are adjacent floats (a transposed A): the sixteen elements are
// at displacements 0–60 from SI, plus the k stride R11 for the second.
#define A16x16STEPCOL0 \
	VMOVUPS.Z        (BX), K1, Z16; \
	VFMADD231PS.BCST 0(SI), Z16, Z0; \
	VFMADD231PS.BCST 4(SI), Z16, Z1; \
	VFMADD231PS.BCST 8(SI), Z16, Z2; \
	VFMADD231PS.BCST 12(SI), Z16, Z3; \
	VFMADD231PS.BCST 16(SI), Z16, Z4; \
	VFMADD231PS.BCST 20(SI), Z16, Z5; \
	VFMADD231PS.BCST 24(SI), Z16, Z6; \
	VFMADD231PS.BCST 28(SI), Z16, Z7; \
	VFMADD231PS.BCST 32(SI), Z16, Z8; \
	VFMADD231PS.BCST 36(SI), Z16, Z9; \
	VFMADD231PS.BCST 40(SI), Z16, Z10; \
	VFMADD231PS.BCST 44(SI), Z16, Z11; \
	VFMADD231PS.BCST 48(SI), Z16, Z12; \
	VFMADD231PS.BCST 52(SI), Z16, Z13; \
	VFMADD231PS.BCST 56(SI), Z16, Z14; \
	VFMADD231PS.BCST 60(SI), Z16, Z15

#define A16x16STEPCOL1 \
	VMOVUPS.Z        (BX)(R12*1), K1, Z16; \
	VFMADD231PS.BCST 0(SI)(R11*1), Z16, Z0; \
	VFMADD231PS.BCST 4(SI)(R11*1), Z16, Z1; \
	VFMADD231PS.BCST 8(SI)(R11*1), Z16, Z2; \
	VFMADD231PS.BCST 12(SI)(R11*1), Z16, Z3; \
	VFMADD231PS.BCST 16(SI)(R11*1), Z16, Z4; \
	VFMADD231PS.BCST 20(SI)(R11*1), Z16, Z5; \
	VFMADD231PS.BCST 24(SI)(R11*1), Z16, Z6; \
	VFMADD231PS.BCST 28(SI)(R11*1), Z16, Z7; \
	VFMADD231PS.BCST 32(SI)(R11*1), Z16, Z8; \
	VFMADD231PS.BCST 36(SI)(R11*1), Z16, Z9; \
	VFMADD231PS.BCST 40(SI)(R11*1), Z16, Z10; \
	VFMADD231PS.BCST 44(SI)(R11*1), Z16, Z11; \
	VFMADD231PS.BCST 48(SI)(R11*1), Z16, Z12; \
	VFMADD231PS.BCST 52(SI)(R11*1), Z16, Z13; \
	VFMADD231PS.BCST 56(SI)(R11*1), Z16, Z14; \
	VFMADD231PS.BCST 60(SI)(R11*1), Z16, Z15

// A16x16STORE finishes one row as A12x32STORE does (beta·C, bias Z28,
// relu under K5) and stores its nr valid columns.
#define A16x16STORE(acc) \
	VMULPS      Z26, acc, acc; \
	VMOVUPS.Z   (DX), K1, Z31; \
	VFMADD231PS Z27, Z31, acc; \
	VADDPS      Z28, acc, acc; \
	VMAXPS      Z30, acc, K5, acc; \
	VMOVUPS     acc, K1, (DX); \
	ADDQ        R13, DX

// A16x16PUT finishes one row without reading C (alpha, bias, relu) and
// stores its nr columns, or all 16 lanes where the epilogue allows it: R14
// counts the tile's floats from this row on, R8 is the nr-column mask and
// R9 all lanes. Not touching C matters: even an empty-masked load of a line
// the previous row's store wrote waits for that store to complete.
#define A16x16PUT(acc) \
	VMULPS      Z26, acc, acc; \
	VADDPS      Z28, acc, acc; \
	VMAXPS      Z30, acc, K5, acc; \
	MOVQ        R8, AX; \
	CMPQ        R14, $16; \
	CMOVQGE     R9, AX; \
	KMOVW       AX, K6; \
	VMOVUPS     acc, K6, (DX); \
	SUBQ        R12, R14; \
	ADDQ        R13, DX

// func gemmKernel16x16AVX512(kc int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int, mr, nr int, alpha, beta float32, bias []float32, flags int)
TEXT ·gemmKernel16x16AVX512(SB), NOSPLIT, $0-168
	// K1 = (1<<nr)-1, nr ≤ 16.
	MOVQ  nr+120(FP), CX
	MOVQ  $1, DX
	SHLQ  CX, DX
	DECQ  DX
	KMOVW DX, K1

	MOVQ a_base+8(FP), SI
	MOVQ rsA+32(FP), R10
	SHLQ $2, R10
	MOVQ csA+40(FP), R11
	SHLQ $2, R11
	LEAQ (R10)(R10*2), AX
	LEAQ (SI)(R10*4), DI
	ADDQ R10, DI
	LEAQ (SI)(R10*8), R9
	ADDQ R10, R9
	LEAQ (R9)(R10*4), R8
	ADDQ R10, R8
	MOVQ b_base+48(FP), BX
	MOVQ ldb+72(FP), R12
	SHLQ $2, R12
	MOVQ c_base+80(FP), DX
	MOVQ ldc+104(FP), R13
	SHLQ $2, R13


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

	// Two k steps per iteration, then the odd one; quicker loops for a
	// row-major or transposed A.
	MOVQ kc+0(FP), CX
	SHRQ $1, CX
	JZ   tail
	CMPQ R10, $4
	JEQ  colloop
	CMPQ R11, $4
	JNE  loop

rowloop:
	A16x16STEPROW0
	A16x16STEPROW1
	ADDQ $8, SI
	ADDQ $8, DI
	ADDQ $8, R8
	ADDQ $8, R9
	LEAQ (BX)(R12*2), BX
	DECQ CX
	JNZ  rowloop
	JMP  tail

colloop:
	A16x16STEPCOL0
	A16x16STEPCOL1
	LEAQ (SI)(R11*2), SI
	LEAQ (BX)(R12*2), BX
	DECQ CX
	JNZ  colloop

	// The odd step, if any, needs the other row pointers again.
	LEAQ (SI)(R10*4), DI
	ADDQ R10, DI
	LEAQ (SI)(R10*8), R9
	ADDQ R10, R9
	LEAQ (R9)(R10*4), R8
	ADDQ R10, R8
	JMP  tail

loop:
	A16x16STEP
	A16x16STEP
	DECQ CX
	JNZ  loop

tail:
	MOVQ kc+0(FP), CX
	ANDQ $1, CX
	JZ   epilogue
	A16x16STEP

epilogue:
	VBROADCASTSS alpha+128(FP), Z26

	// Turn the flags into constants, so the rows need no branches.
	MOVQ   flags+160(FP), AX
	VBROADCASTSS beta+132(FP), Z27
	VPXORD Z28, Z28, Z28
	TESTQ  $2, AX // gemmAddBias
	JZ     nobias
	MOVQ   bias_base+136(FP), BX
	VMOVUPS.Z (BX), K1, Z28

nobias:
	KXORW  K5, K5, K5
	TESTQ  $4, AX // gemmRelu
	JZ     norelu
	KXNORW K5, K5, K5

norelu:
	VPXORD Z30, Z30, Z30
	MOVQ   mr+112(FP), CX
	TESTQ  $1, AX // gemmLoadC
	JZ     put
	A16x16STORE(Z0)
	DECQ   CX
	JZ     done
	A16x16STORE(Z1)
	DECQ   CX
	JZ     done
	A16x16STORE(Z2)
	DECQ   CX
	JZ     done
	A16x16STORE(Z3)
	DECQ   CX
	JZ     done
	A16x16STORE(Z4)
	DECQ   CX
	JZ     done
	A16x16STORE(Z5)
	DECQ   CX
	JZ     done
	A16x16STORE(Z6)
	DECQ   CX
	JZ     done
	A16x16STORE(Z7)
	DECQ   CX
	JZ     done
	A16x16STORE(Z8)
	DECQ   CX
	JZ     done
	A16x16STORE(Z9)
	DECQ   CX
	JZ     done
	A16x16STORE(Z10)
	DECQ   CX
	JZ     done
	A16x16STORE(Z11)
	DECQ   CX
	JZ     done
	A16x16STORE(Z12)
	DECQ   CX
	JZ     done
	A16x16STORE(Z13)
	DECQ   CX
	JZ     done
	A16x16STORE(Z14)
	DECQ   CX
	JZ     done
	A16x16STORE(Z15)

	JMP    done

put:
	// When the tile is one contiguous block of C (ldc = nr), a row may be
	// stored with all 16 lanes as long as they stay inside the tile: the
	// lanes past nr land on the next rows, which are stored after it.
	// Masked stores into rows that are not whole cache lines are slow.
	MOVQ  nr+120(FP), R12
	MOVQ  CX, R10
	MOVQ  R12, CX
	MOVQ  $1, R8
	SHLQ  CX, R8
	DECQ  R8
	MOVQ  R10, CX
	MOVQ  $0xffff, R9
	XORQ  R14, R14
	CMPQ  R12, ldc+104(FP)
	JNE   puts
	MOVQ  CX, R14
	IMULQ R12, R14

puts:
	A16x16PUT(Z0)
	DECQ   CX
	JZ     done
	A16x16PUT(Z1)
	DECQ   CX
	JZ     done
	A16x16PUT(Z2)
	DECQ   CX
	JZ     done
	A16x16PUT(Z3)
	DECQ   CX
	JZ     done
	A16x16PUT(Z4)
	DECQ   CX
	JZ     done
	A16x16PUT(Z5)
	DECQ   CX
	JZ     done
	A16x16PUT(Z6)
	DECQ   CX
	JZ     done
	A16x16PUT(Z7)
	DECQ   CX
	JZ     done
	A16x16PUT(Z8)
	DECQ   CX
	JZ     done
	A16x16PUT(Z9)
	DECQ   CX
	JZ     done
	A16x16PUT(Z10)
	DECQ   CX
	JZ     done
	A16x16PUT(Z11)
	DECQ   CX
	JZ     done
	A16x16PUT(Z12)
	DECQ   CX
	JZ     done
	A16x16PUT(Z13)
	DECQ   CX
	JZ     done
	A16x16PUT(Z14)
	DECQ   CX
	JZ     done
	A16x16PUT(Z15)

done:
	VZEROUPPER
	RET
