//go:build !purego

// AVX-512F vector kernels: dot, axpy, scale, relu, relu backward. Hand-written Go
// assembly (not c2goasm: that needs clang and yasm, and yasm cannot encode
// AVX-512). The Go declarations and reference loops are in stubs_amd64.go.
//
// Only AVX-512F instructions are used (no DQ/BW/VL): that is all the
// dispatcher checks for. Tails are one opmask-ed load or store, which never
// touches the masked-off elements, so there is no scalar loop.

#include "textflag.h"

// tailmask sets K1 to the low CX bits (CX in 0..15); clobbers AX.
#define TAILMASK \
	MOVL  $1, AX; \
	SHLL  CX, AX; \
	DECL  AX;     \
	KMOVW AX, K1

// func dotAVX512Asm(x, y []float32) float32
//
// Eight sums: the loop is bound by two loads per fused multiply-add, and
// eight independent additions keep it so despite the FMA latency.
TEXT ·dotAVX512Asm(SB), NOSPLIT, $0-52
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	MOVQ   y_base+24(FP), DI
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	CMPQ   CX, $128
	JB     dot_rest

dot_loop128:
	VMOVUPS     (SI), Z8
	VMOVUPS     64(SI), Z9
	VMOVUPS     128(SI), Z10
	VMOVUPS     192(SI), Z11
	VMOVUPS     256(SI), Z12
	VMOVUPS     320(SI), Z13
	VMOVUPS     384(SI), Z14
	VMOVUPS     448(SI), Z15
	VFMADD231PS (DI), Z8, Z0
	VFMADD231PS 64(DI), Z9, Z1
	VFMADD231PS 128(DI), Z10, Z2
	VFMADD231PS 192(DI), Z11, Z3
	VFMADD231PS 256(DI), Z12, Z4
	VFMADD231PS 320(DI), Z13, Z5
	VFMADD231PS 384(DI), Z14, Z6
	VFMADD231PS 448(DI), Z15, Z7
	ADDQ        $512, SI
	ADDQ        $512, DI
	SUBQ        $128, CX
	CMPQ        CX, $128
	JAE         dot_loop128

dot_rest:
	// 0..127 left: four vectors, then up to three, each into its own sum.
	CMPQ        CX, $64
	JB          dot_vectors
	VMOVUPS     (SI), Z8
	VMOVUPS     64(SI), Z9
	VMOVUPS     128(SI), Z10
	VMOVUPS     192(SI), Z11
	VFMADD231PS (DI), Z8, Z0
	VFMADD231PS 64(DI), Z9, Z1
	VFMADD231PS 128(DI), Z10, Z2
	VFMADD231PS 192(DI), Z11, Z3
	ADDQ        $256, SI
	ADDQ        $256, DI
	SUBQ        $64, CX

dot_vectors:
	CMPQ        CX, $16
	JB          dot_tail
	VMOVUPS     (SI), Z8
	VFMADD231PS (DI), Z8, Z4
	CMPQ        CX, $32
	JB          dot_tail1
	VMOVUPS     64(SI), Z9
	VFMADD231PS 64(DI), Z9, Z5
	CMPQ        CX, $48
	JB          dot_tail2
	VMOVUPS     128(SI), Z10
	VFMADD231PS 128(DI), Z10, Z6
	ADDQ        $192, SI
	ADDQ        $192, DI
	SUBQ        $48, CX
	JMP         dot_tail

dot_tail2:
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  dot_tail

dot_tail1:
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, CX

dot_tail:
	// 0..15 elements left.
	TESTQ       CX, CX
	JZ          dot_reduce
	TAILMASK
	VMOVUPS.Z   (SI), K1, Z8
	VMOVUPS.Z   (DI), K1, Z9
	VFMADD231PS Z9, Z8, Z7

dot_reduce:
	// Add the eight sums, then the 16 lanes.
	VADDPS        Z4, Z0, Z0
	VADDPS        Z5, Z1, Z1
	VADDPS        Z6, Z2, Z2
	VADDPS        Z7, Z3, Z3
	VADDPS        Z1, Z0, Z0
	VADDPS        Z3, Z2, Z2
	VADDPS        Z2, Z0, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VADDPS        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VADDPS        X1, X0, X0
	VMOVHLPS      X0, X0, X1
	VADDPS        X1, X0, X0
	VMOVSHDUP     X0, X1
	VADDSS        X1, X0, X0
	VMOVSS        X0, ret+48(FP)
	VZEROUPPER
	RET

// func axpyAVX512Asm(alpha float32, x, y []float32)
TEXT ·axpyAVX512Asm(SB), NOSPLIT, $0-56
	VBROADCASTSS alpha+0(FP), Z31
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX
	MOVQ         y_base+32(FP), DI
	CMPQ         CX, $64
	JB           axpy_vectors

axpy_loop64:
	VMOVUPS     (DI), Z0
	VMOVUPS     64(DI), Z1
	VMOVUPS     128(DI), Z2
	VMOVUPS     192(DI), Z3
	VFMADD231PS (SI), Z31, Z0
	VFMADD231PS 64(SI), Z31, Z1
	VFMADD231PS 128(SI), Z31, Z2
	VFMADD231PS 192(SI), Z31, Z3
	VMOVUPS     Z0, (DI)
	VMOVUPS     Z1, 64(DI)
	VMOVUPS     Z2, 128(DI)
	VMOVUPS     Z3, 192(DI)
	ADDQ        $256, SI
	ADDQ        $256, DI
	SUBQ        $64, CX
	CMPQ        CX, $64
	JAE         axpy_loop64

axpy_vectors:
	CMPQ        CX, $16
	JB          axpy_tail
	VMOVUPS     (DI), Z0
	VFMADD231PS (SI), Z31, Z0
	VMOVUPS     Z0, (DI)
	ADDQ        $64, SI
	ADDQ        $64, DI
	SUBQ        $16, CX
	JMP         axpy_vectors

axpy_tail:
	TESTQ       CX, CX
	JZ          axpy_done
	TAILMASK
	VMOVUPS.Z   (DI), K1, Z0
	VMOVUPS.Z   (SI), K1, Z1
	VFMADD231PS Z1, Z31, Z0
	VMOVUPS     Z0, K1, (DI)

axpy_done:
	VZEROUPPER
	RET

// func reluAVX512Asm(dst, src []float32)
TEXT ·reluAVX512Asm(SB), NOSPLIT, $0-48
	MOVQ   dst_base+0(FP), DI
	MOVQ   src_base+24(FP), SI
	MOVQ   src_len+32(FP), CX
	VPXORD Z31, Z31, Z31
	CMPQ   CX, $64
	JB     relu_vectors

relu_loop64:
	// MAXPS returns its second source unless the first is greater, so
	// max(src, +0) is src when src > 0 and +0 otherwise, NaN and −0
	// included (TestAsmReluSpecials checks it bit for bit).
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVUPS 128(SI), Z2
	VMOVUPS 192(SI), Z3
	VMAXPS  Z31, Z0, Z0
	VMAXPS  Z31, Z1, Z1
	VMAXPS  Z31, Z2, Z2
	VMAXPS  Z31, Z3, Z3
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	ADDQ    $256, SI
	ADDQ    $256, DI
	SUBQ    $64, CX
	CMPQ    CX, $64
	JAE     relu_loop64

relu_vectors:
	CMPQ    CX, $16
	JB      relu_tail
	VMOVUPS (SI), Z0
	VMAXPS  Z31, Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $16, CX
	JMP     relu_vectors

relu_tail:
	TESTQ     CX, CX
	JZ        relu_done
	TAILMASK
	VMOVUPS.Z (SI), K1, Z0
	VMAXPS    Z31, Z0, Z0
	VMOVUPS   Z0, K1, (DI)

relu_done:
	VZEROUPPER
	RET

// func reluBackwardAVX512Asm(delta, act []float32)
TEXT ·reluBackwardAVX512Asm(SB), NOSPLIT, $0-48
	MOVQ   delta_base+0(FP), DI
	MOVQ   delta_len+8(FP), CX
	MOVQ   act_base+24(FP), SI
	VPXORD Z31, Z31, Z31
	CMPQ   CX, $64
	JB     reluback_vectors

reluback_loop64:
	// K = !(0 < act) (unordered-true: NaN counts), and zeros are stored in
	// those lanes only; delta is never loaded.
	VCMPPS  $0x15, (SI), Z31, K2
	VCMPPS  $0x15, 64(SI), Z31, K3
	VCMPPS  $0x15, 128(SI), Z31, K4
	VCMPPS  $0x15, 192(SI), Z31, K5
	VMOVUPS Z31, K2, (DI)
	VMOVUPS Z31, K3, 64(DI)
	VMOVUPS Z31, K4, 128(DI)
	VMOVUPS Z31, K5, 192(DI)
	ADDQ    $256, SI
	ADDQ    $256, DI
	SUBQ    $64, CX
	CMPQ    CX, $64
	JAE     reluback_loop64

reluback_vectors:
	CMPQ    CX, $16
	JB      reluback_tail
	VCMPPS  $0x15, (SI), Z31, K2
	VMOVUPS Z31, K2, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $16, CX
	JMP     reluback_vectors

reluback_tail:
	TESTQ     CX, CX
	JZ        reluback_done
	TAILMASK
	VMOVUPS.Z (SI), K1, Z0
	VCMPPS    $0x15, Z0, Z31, K1, K2
	VMOVUPS   Z31, K2, (DI)

reluback_done:
	VZEROUPPER
	RET

// func scaleAVX512Asm(alpha float32, x []float32)
//
// Eight vectors (512 bytes) per iteration: one load-multiply and one store
// each, so the loop runs at the cache's load and store rate, not at the
// loop's own overhead.
TEXT ·scaleAVX512Asm(SB), NOSPLIT, $0-32
	VBROADCASTSS alpha+0(FP), Z31
	MOVQ         x_base+8(FP), DI
	MOVQ         x_len+16(FP), CX
	CMPQ         CX, $128
	JB           scale_vectors

scale_loop128:
	VMULPS  (DI), Z31, Z0
	VMULPS  64(DI), Z31, Z1
	VMULPS  128(DI), Z31, Z2
	VMULPS  192(DI), Z31, Z3
	VMULPS  256(DI), Z31, Z4
	VMULPS  320(DI), Z31, Z5
	VMULPS  384(DI), Z31, Z6
	VMULPS  448(DI), Z31, Z7
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	VMOVUPS Z4, 256(DI)
	VMOVUPS Z5, 320(DI)
	VMOVUPS Z6, 384(DI)
	VMOVUPS Z7, 448(DI)
	ADDQ    $512, DI
	SUBQ    $128, CX
	CMPQ    CX, $128
	JAE     scale_loop128

scale_vectors:
	// 0..127 left: whole vectors, then the tail.
	CMPQ    CX, $16
	JB      scale_tail
	VMULPS  (DI), Z31, Z0
	VMOVUPS Z0, (DI)
	ADDQ    $64, DI
	SUBQ    $16, CX
	JMP     scale_vectors

scale_tail:
	TESTQ     CX, CX
	JZ        scale_done
	TAILMASK
	VMOVUPS.Z (DI), K1, Z0
	VMULPS    Z0, Z31, Z0
	VMOVUPS   Z0, K1, (DI)

scale_done:
	VZEROUPPER
	RET
