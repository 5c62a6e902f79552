//go:build !purego

#include "textflag.h"

// The ceiling probes. Each runs entirely in registers or over caller-sized
// buffers so the bench can tell what the core sustains, independent of the
// kernels under test. Declarations and contracts: ceiling_amd64.go.

// func fmaLoopYMM(iters int, a, b float32) float32
TEXT ·fmaLoopYMM(SB), NOSPLIT, $0-20
	MOVQ         iters+0(FP), CX
	VBROADCASTSS a+8(FP), Y12
	VBROADCASTSS b+12(FP), Y13

	// Twelve independent chains: the FMA latency (4 cycles) times two
	// ports needs at least eight in flight, and the chains start at b.
	VMOVAPS Y13, Y0
	VMOVAPS Y13, Y1
	VMOVAPS Y13, Y2
	VMOVAPS Y13, Y3
	VMOVAPS Y13, Y4
	VMOVAPS Y13, Y5
	VMOVAPS Y13, Y6
	VMOVAPS Y13, Y7
	VMOVAPS Y13, Y8
	VMOVAPS Y13, Y9
	VMOVAPS Y13, Y10
	VMOVAPS Y13, Y11
	TESTQ   CX, CX
	JLE     ymmSum

ymmLoop:
	// acc = a·acc + b
	VFMADD213PS Y13, Y12, Y0
	VFMADD213PS Y13, Y12, Y1
	VFMADD213PS Y13, Y12, Y2
	VFMADD213PS Y13, Y12, Y3
	VFMADD213PS Y13, Y12, Y4
	VFMADD213PS Y13, Y12, Y5
	VFMADD213PS Y13, Y12, Y6
	VFMADD213PS Y13, Y12, Y7
	VFMADD213PS Y13, Y12, Y8
	VFMADD213PS Y13, Y12, Y9
	VFMADD213PS Y13, Y12, Y10
	VFMADD213PS Y13, Y12, Y11
	DECQ        CX
	JNZ         ymmLoop

ymmSum:
	// Lane 0 of the sum of the chains, so a test can check the count.
	VADDPS     Y1, Y0, Y0
	VADDPS     Y3, Y2, Y2
	VADDPS     Y5, Y4, Y4
	VADDPS     Y7, Y6, Y6
	VADDPS     Y9, Y8, Y8
	VADDPS     Y11, Y10, Y10
	VADDPS     Y2, Y0, Y0
	VADDPS     Y6, Y4, Y4
	VADDPS     Y10, Y8, Y8
	VADDPS     Y4, Y0, Y0
	VADDPS     Y8, Y0, Y0
	VZEROUPPER
	MOVSS      X0, ret+16(FP)
	RET

// func fmaLoopZMM(iters int, a, b float32) float32
TEXT ·fmaLoopZMM(SB), NOSPLIT, $0-20
	MOVQ         iters+0(FP), CX
	VBROADCASTSS a+8(FP), Z12
	VBROADCASTSS b+12(FP), Z13
	VMOVAPS      Z13, Z0
	VMOVAPS      Z13, Z1
	VMOVAPS      Z13, Z2
	VMOVAPS      Z13, Z3
	VMOVAPS      Z13, Z4
	VMOVAPS      Z13, Z5
	VMOVAPS      Z13, Z6
	VMOVAPS      Z13, Z7
	VMOVAPS      Z13, Z8
	VMOVAPS      Z13, Z9
	VMOVAPS      Z13, Z10
	VMOVAPS      Z13, Z11
	TESTQ        CX, CX
	JLE          zmmSum

zmmLoop:
	VFMADD213PS Z13, Z12, Z0
	VFMADD213PS Z13, Z12, Z1
	VFMADD213PS Z13, Z12, Z2
	VFMADD213PS Z13, Z12, Z3
	VFMADD213PS Z13, Z12, Z4
	VFMADD213PS Z13, Z12, Z5
	VFMADD213PS Z13, Z12, Z6
	VFMADD213PS Z13, Z12, Z7
	VFMADD213PS Z13, Z12, Z8
	VFMADD213PS Z13, Z12, Z9
	VFMADD213PS Z13, Z12, Z10
	VFMADD213PS Z13, Z12, Z11
	DECQ        CX
	JNZ         zmmLoop

zmmSum:
	VADDPS     Z1, Z0, Z0
	VADDPS     Z3, Z2, Z2
	VADDPS     Z5, Z4, Z4
	VADDPS     Z7, Z6, Z6
	VADDPS     Z9, Z8, Z8
	VADDPS     Z11, Z10, Z10
	VADDPS     Z2, Z0, Z0
	VADDPS     Z6, Z4, Z4
	VADDPS     Z10, Z8, Z8
	VADDPS     Z4, Z0, Z0
	VADDPS     Z8, Z0, Z0
	VZEROUPPER
	MOVSS      X0, ret+16(FP)
	RET

// func dotLoopYMM(x, y []float32, passes int) float32
TEXT ·dotLoopYMM(SB), NOSPLIT, $0-60
	MOVQ   x_base+0(FP), SI
	MOVQ   y_base+24(FP), DI
	MOVQ   x_len+8(FP), BX
	SHLQ   $2, BX                // bytes per pass
	MOVQ   passes+48(FP), DX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	TESTQ  BX, BX
	JZ     dotYSum
	TESTQ  DX, DX
	JLE    dotYSum

dotYPass:
	XORQ AX, AX

dotYLoop:
	// 64 floats of each stream per iteration: two loads per FMA, which is
	// what the two load ports sustain.
	VMOVUPS     (SI)(AX*1), Y8
	VFMADD231PS (DI)(AX*1), Y8, Y0
	VMOVUPS     32(SI)(AX*1), Y9
	VFMADD231PS 32(DI)(AX*1), Y9, Y1
	VMOVUPS     64(SI)(AX*1), Y10
	VFMADD231PS 64(DI)(AX*1), Y10, Y2
	VMOVUPS     96(SI)(AX*1), Y11
	VFMADD231PS 96(DI)(AX*1), Y11, Y3
	VMOVUPS     128(SI)(AX*1), Y12
	VFMADD231PS 128(DI)(AX*1), Y12, Y4
	VMOVUPS     160(SI)(AX*1), Y13
	VFMADD231PS 160(DI)(AX*1), Y13, Y5
	VMOVUPS     192(SI)(AX*1), Y14
	VFMADD231PS 192(DI)(AX*1), Y14, Y6
	VMOVUPS     224(SI)(AX*1), Y15
	VFMADD231PS 224(DI)(AX*1), Y15, Y7
	ADDQ        $256, AX
	CMPQ        AX, BX
	JB          dotYLoop
	DECQ        DX
	JNZ         dotYPass

dotYSum:
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y5, Y4, Y4
	VADDPS       Y7, Y6, Y6
	VADDPS       Y2, Y0, Y0
	VADDPS       Y6, Y4, Y4
	VADDPS       Y4, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0
	VZEROUPPER
	MOVSS        X0, ret+56(FP)
	RET

// func dotLoopZMM(x, y []float32, passes int) float32
TEXT ·dotLoopZMM(SB), NOSPLIT, $0-60
	MOVQ  x_base+0(FP), SI
	MOVQ  y_base+24(FP), DI
	MOVQ  x_len+8(FP), BX
	SHLQ  $2, BX
	MOVQ  passes+48(FP), DX
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	TESTQ BX, BX
	JZ    dotZSum
	TESTQ DX, DX
	JLE   dotZSum

dotZPass:
	XORQ AX, AX

dotZLoop:
	VMOVUPS     (SI)(AX*1), Z8
	VFMADD231PS (DI)(AX*1), Z8, Z0
	VMOVUPS     64(SI)(AX*1), Z9
	VFMADD231PS 64(DI)(AX*1), Z9, Z1
	VMOVUPS     128(SI)(AX*1), Z10
	VFMADD231PS 128(DI)(AX*1), Z10, Z2
	VMOVUPS     192(SI)(AX*1), Z11
	VFMADD231PS 192(DI)(AX*1), Z11, Z3
	VMOVUPS     256(SI)(AX*1), Z12
	VFMADD231PS 256(DI)(AX*1), Z12, Z4
	VMOVUPS     320(SI)(AX*1), Z13
	VFMADD231PS 320(DI)(AX*1), Z13, Z5
	VMOVUPS     384(SI)(AX*1), Z14
	VFMADD231PS 384(DI)(AX*1), Z14, Z6
	VMOVUPS     448(SI)(AX*1), Z15
	VFMADD231PS 448(DI)(AX*1), Z15, Z7
	ADDQ        $512, AX
	CMPQ        AX, BX
	JB          dotZLoop
	DECQ        DX
	JNZ         dotZPass

dotZSum:
	VADDPS        Z1, Z0, Z0
	VADDPS        Z3, Z2, Z2
	VADDPS        Z5, Z4, Z4
	VADDPS        Z7, Z6, Z6
	VADDPS        Z2, Z0, Z0
	VADDPS        Z6, Z4, Z4
	VADDPS        Z4, Z0, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VADDPS        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VADDPS        X1, X0, X0
	VHADDPS       X0, X0, X0
	VHADDPS       X0, X0, X0
	VZEROUPPER
	MOVSS         X0, ret+56(FP)
	RET

// func axpyLoopYMM(alpha float32, x, y []float32, passes int)
TEXT ·axpyLoopYMM(SB), NOSPLIT, $0-64
	VBROADCASTSS alpha+0(FP), Y15
	MOVQ         x_base+8(FP), SI
	MOVQ         y_base+32(FP), DI
	MOVQ         x_len+16(FP), BX
	SHLQ         $2, BX
	MOVQ         passes+56(FP), DX
	TESTQ        BX, BX
	JZ           axpyYDone
	TESTQ        DX, DX
	JLE          axpyYDone

axpyYPass:
	XORQ AX, AX

axpyYLoop:
	// y += alpha·x, 64 floats per iteration: two loads and one store per
	// vector.
	VMOVUPS     (DI)(AX*1), Y0
	VMOVUPS     32(DI)(AX*1), Y1
	VMOVUPS     64(DI)(AX*1), Y2
	VMOVUPS     96(DI)(AX*1), Y3
	VMOVUPS     128(DI)(AX*1), Y4
	VMOVUPS     160(DI)(AX*1), Y5
	VMOVUPS     192(DI)(AX*1), Y6
	VMOVUPS     224(DI)(AX*1), Y7
	VFMADD231PS (SI)(AX*1), Y15, Y0
	VFMADD231PS 32(SI)(AX*1), Y15, Y1
	VFMADD231PS 64(SI)(AX*1), Y15, Y2
	VFMADD231PS 96(SI)(AX*1), Y15, Y3
	VFMADD231PS 128(SI)(AX*1), Y15, Y4
	VFMADD231PS 160(SI)(AX*1), Y15, Y5
	VFMADD231PS 192(SI)(AX*1), Y15, Y6
	VFMADD231PS 224(SI)(AX*1), Y15, Y7
	VMOVUPS     Y0, (DI)(AX*1)
	VMOVUPS     Y1, 32(DI)(AX*1)
	VMOVUPS     Y2, 64(DI)(AX*1)
	VMOVUPS     Y3, 96(DI)(AX*1)
	VMOVUPS     Y4, 128(DI)(AX*1)
	VMOVUPS     Y5, 160(DI)(AX*1)
	VMOVUPS     Y6, 192(DI)(AX*1)
	VMOVUPS     Y7, 224(DI)(AX*1)
	ADDQ        $256, AX
	CMPQ        AX, BX
	JB          axpyYLoop
	DECQ        DX
	JNZ         axpyYPass

axpyYDone:
	VZEROUPPER
	RET

// func axpyLoopZMM(alpha float32, x, y []float32, passes int)
TEXT ·axpyLoopZMM(SB), NOSPLIT, $0-64
	VBROADCASTSS alpha+0(FP), Z15
	MOVQ         x_base+8(FP), SI
	MOVQ         y_base+32(FP), DI
	MOVQ         x_len+16(FP), BX
	SHLQ         $2, BX
	MOVQ         passes+56(FP), DX
	TESTQ        BX, BX
	JZ           axpyZDone
	TESTQ        DX, DX
	JLE          axpyZDone

axpyZPass:
	XORQ AX, AX

axpyZLoop:
	VMOVUPS     (DI)(AX*1), Z0
	VMOVUPS     64(DI)(AX*1), Z1
	VMOVUPS     128(DI)(AX*1), Z2
	VMOVUPS     192(DI)(AX*1), Z3
	VMOVUPS     256(DI)(AX*1), Z4
	VMOVUPS     320(DI)(AX*1), Z5
	VMOVUPS     384(DI)(AX*1), Z6
	VMOVUPS     448(DI)(AX*1), Z7
	VFMADD231PS (SI)(AX*1), Z15, Z0
	VFMADD231PS 64(SI)(AX*1), Z15, Z1
	VFMADD231PS 128(SI)(AX*1), Z15, Z2
	VFMADD231PS 192(SI)(AX*1), Z15, Z3
	VFMADD231PS 256(SI)(AX*1), Z15, Z4
	VFMADD231PS 320(SI)(AX*1), Z15, Z5
	VFMADD231PS 384(SI)(AX*1), Z15, Z6
	VFMADD231PS 448(SI)(AX*1), Z15, Z7
	VMOVUPS     Z0, (DI)(AX*1)
	VMOVUPS     Z1, 64(DI)(AX*1)
	VMOVUPS     Z2, 128(DI)(AX*1)
	VMOVUPS     Z3, 192(DI)(AX*1)
	VMOVUPS     Z4, 256(DI)(AX*1)
	VMOVUPS     Z5, 320(DI)(AX*1)
	VMOVUPS     Z6, 384(DI)(AX*1)
	VMOVUPS     Z7, 448(DI)(AX*1)
	ADDQ        $512, AX
	CMPQ        AX, BX
	JB          axpyZLoop
	DECQ        DX
	JNZ         axpyZPass

axpyZDone:
	VZEROUPPER
	RET
