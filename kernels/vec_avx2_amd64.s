//go:build !purego

// AVX2+FMA vector kernels: dot, axpy, scale, relu, relu backward. Hand-written Go
// assembly (not c2goasm: that needs clang and yasm and has mis-encoding
// traps, see the project notes). The Go declarations and reference loops
// are in stubs_amd64.go.
//
// VEX encodings only (Y0–Y15, no opmasks): this file must run on CPUs
// without AVX-512. The last 1..7 elements are read and written with
// VMASKMOVPS, which never touches the masked-off elements.

#include "textflag.h"

// TAILMASK loads into Y15 the VMASKMOVPS mask for the first CX (1..7)
// elements of a vector; clobbers AX and R8.
#define TAILMASK \
	MOVQ    $8, AX;                     \
	SUBQ    CX, AX;                     \
	LEAQ    ·avx2TailMask(SB), R8;      \
	VMOVDQU (R8)(AX*4), Y15

// func dotAVX2Asm(x, y []float32) float32
TEXT ·dotAVX2Asm(SB), NOSPLIT, $0-52
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	MOVQ   y_base+24(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	CMPQ   CX, $32
	JB     dot_vectors

dot_loop32:
	VMOVUPS     (SI), Y4
	VMOVUPS     32(SI), Y5
	VMOVUPS     64(SI), Y6
	VMOVUPS     96(SI), Y7
	VFMADD231PS (DI), Y4, Y0
	VFMADD231PS 32(DI), Y5, Y1
	VFMADD231PS 64(DI), Y6, Y2
	VFMADD231PS 96(DI), Y7, Y3
	ADDQ        $128, SI
	ADDQ        $128, DI
	SUBQ        $32, CX
	CMPQ        CX, $32
	JAE         dot_loop32

dot_vectors:
	// Up to three whole vectors, each into its own sum.
	CMPQ        CX, $8
	JB          dot_tail
	VMOVUPS     (SI), Y4
	VFMADD231PS (DI), Y4, Y0
	CMPQ        CX, $16
	JB          dot_tail1
	VMOVUPS     32(SI), Y5
	VFMADD231PS 32(DI), Y5, Y1
	CMPQ        CX, $24
	JB          dot_tail2
	VMOVUPS     64(SI), Y6
	VFMADD231PS 64(DI), Y6, Y2
	ADDQ        $96, SI
	ADDQ        $96, DI
	SUBQ        $24, CX
	JMP         dot_tail

dot_tail2:
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  dot_tail

dot_tail1:
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX

dot_tail:
	TESTQ       CX, CX
	JZ          dot_reduce
	TAILMASK
	VMASKMOVPS  (SI), Y15, Y4
	VMASKMOVPS  (DI), Y15, Y5
	VFMADD231PS Y5, Y4, Y3

dot_reduce:
	// Add the four sums, then the 8 lanes.
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VMOVHLPS     X0, X0, X1
	VADDPS       X1, X0, X0
	VMOVSHDUP    X0, X1
	VADDSS       X1, X0, X0
	VMOVSS       X0, ret+48(FP)
	VZEROUPPER
	RET

// func axpyAVX2Asm(alpha float32, x, y []float32)
TEXT ·axpyAVX2Asm(SB), NOSPLIT, $0-56
	VBROADCASTSS alpha+0(FP), Y14
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX
	MOVQ         y_base+32(FP), DI
	CMPQ         CX, $32
	JB           axpy_vectors

axpy_loop32:
	VMOVUPS     (DI), Y0
	VMOVUPS     32(DI), Y1
	VMOVUPS     64(DI), Y2
	VMOVUPS     96(DI), Y3
	VFMADD231PS (SI), Y14, Y0
	VFMADD231PS 32(SI), Y14, Y1
	VFMADD231PS 64(SI), Y14, Y2
	VFMADD231PS 96(SI), Y14, Y3
	VMOVUPS     Y0, (DI)
	VMOVUPS     Y1, 32(DI)
	VMOVUPS     Y2, 64(DI)
	VMOVUPS     Y3, 96(DI)
	ADDQ        $128, SI
	ADDQ        $128, DI
	SUBQ        $32, CX
	CMPQ        CX, $32
	JAE         axpy_loop32

axpy_vectors:
	CMPQ        CX, $8
	JB          axpy_tail
	VMOVUPS     (DI), Y0
	VFMADD231PS (SI), Y14, Y0
	VMOVUPS     Y0, (DI)
	ADDQ        $32, SI
	ADDQ        $32, DI
	SUBQ        $8, CX
	JMP         axpy_vectors

axpy_tail:
	TESTQ       CX, CX
	JZ          axpy_done
	TAILMASK
	VMASKMOVPS  (DI), Y15, Y0
	VMASKMOVPS  (SI), Y15, Y1
	VFMADD231PS Y1, Y14, Y0
	VMASKMOVPS  Y0, Y15, (DI)

axpy_done:
	VZEROUPPER
	RET

// func reluAVX2Asm(dst, src []float32)
TEXT ·reluAVX2Asm(SB), NOSPLIT, $0-48
	MOVQ   dst_base+0(FP), DI
	MOVQ   src_base+24(FP), SI
	MOVQ   src_len+32(FP), CX
	VXORPS Y14, Y14, Y14
	CMPQ   CX, $32
	JB     relu_vectors

relu_loop32:
	// MAXPS returns its second source unless the first is greater, so
	// max(src, +0) is src when src > 0 and +0 otherwise, NaN and −0
	// included (TestAsmReluSpecials checks it bit for bit).
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMAXPS  Y14, Y0, Y0
	VMAXPS  Y14, Y1, Y1
	VMAXPS  Y14, Y2, Y2
	VMAXPS  Y14, Y3, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ    $128, SI
	ADDQ    $128, DI
	SUBQ    $32, CX
	CMPQ    CX, $32
	JAE     relu_loop32

relu_vectors:
	CMPQ    CX, $8
	JB      relu_tail
	VMOVUPS (SI), Y0
	VMAXPS  Y14, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     relu_vectors

relu_tail:
	TESTQ      CX, CX
	JZ         relu_done
	TAILMASK
	VMASKMOVPS (SI), Y15, Y0
	VMAXPS     Y14, Y0, Y0
	VMASKMOVPS Y0, Y15, (DI)

relu_done:
	VZEROUPPER
	RET

// func reluBackwardAVX2Asm(delta, act []float32)
TEXT ·reluBackwardAVX2Asm(SB), NOSPLIT, $0-48
	MOVQ   delta_base+0(FP), DI
	MOVQ   delta_len+8(FP), CX
	MOVQ   act_base+24(FP), SI
	VXORPS Y14, Y14, Y14
	CMPQ   CX, $32
	JB     reluback_vectors

reluback_loop32:
	// mask = 0 < act (ordered: false for NaN); delta AND mask.
	VCMPPS  $0x11, (SI), Y14, Y0
	VCMPPS  $0x11, 32(SI), Y14, Y1
	VCMPPS  $0x11, 64(SI), Y14, Y2
	VCMPPS  $0x11, 96(SI), Y14, Y3
	VANDPS  (DI), Y0, Y0
	VANDPS  32(DI), Y1, Y1
	VANDPS  64(DI), Y2, Y2
	VANDPS  96(DI), Y3, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ    $128, SI
	ADDQ    $128, DI
	SUBQ    $32, CX
	CMPQ    CX, $32
	JAE     reluback_loop32

reluback_vectors:
	CMPQ    CX, $8
	JB      reluback_tail
	VCMPPS  $0x11, (SI), Y14, Y0
	VANDPS  (DI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     reluback_vectors

reluback_tail:
	TESTQ      CX, CX
	JZ         reluback_done
	TAILMASK
	VMASKMOVPS (SI), Y15, Y1
	VMASKMOVPS (DI), Y15, Y2
	VCMPPS     $0x11, Y1, Y14, Y0
	VANDPS     Y2, Y0, Y0
	VMASKMOVPS Y0, Y15, (DI)

reluback_done:
	VZEROUPPER
	RET

// func scaleAVX2Asm(alpha float32, x []float32)
//
// Eight vectors (256 bytes) per iteration: one load-multiply and one store
// each, so the loop runs at the cache's load and store rate, not at the
// loop's own overhead.
TEXT ·scaleAVX2Asm(SB), NOSPLIT, $0-32
	VBROADCASTSS alpha+0(FP), Y14
	MOVQ         x_base+8(FP), DI
	MOVQ         x_len+16(FP), CX
	CMPQ         CX, $64
	JB           scale_vectors

scale_loop64:
	VMULPS  (DI), Y14, Y0
	VMULPS  32(DI), Y14, Y1
	VMULPS  64(DI), Y14, Y2
	VMULPS  96(DI), Y14, Y3
	VMULPS  128(DI), Y14, Y4
	VMULPS  160(DI), Y14, Y5
	VMULPS  192(DI), Y14, Y6
	VMULPS  224(DI), Y14, Y7
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	VMOVUPS Y4, 128(DI)
	VMOVUPS Y5, 160(DI)
	VMOVUPS Y6, 192(DI)
	VMOVUPS Y7, 224(DI)
	ADDQ    $256, DI
	SUBQ    $64, CX
	CMPQ    CX, $64
	JAE     scale_loop64

scale_vectors:
	// 0..63 left: whole vectors, then the tail.
	CMPQ    CX, $8
	JB      scale_tail
	VMULPS  (DI), Y14, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     scale_vectors

scale_tail:
	TESTQ      CX, CX
	JZ         scale_done
	TAILMASK
	VMASKMOVPS (DI), Y15, Y0
	VMULPS     Y0, Y14, Y0
	VMASKMOVPS Y0, Y15, (DI)

scale_done:
	VZEROUPPER
	RET
