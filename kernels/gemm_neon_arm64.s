//go:build !purego

#include "textflag.h"

// func gemm8x8NEON(kc int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32, bias []float32, flags int)
//
// One full 8×8 tile of C, as gemmKernel describes it (gemm.go), for
// mr = nr = 8. The accumulators fill V16–V31, two registers per row of C;
// each step p loads row p of B (8 floats) and adds a[i*rsA+p*csA] times it
// to row i. How the eight A elements of a step reach the FMLAs depends on
// A's layout:
//
//   - rsA = 1 (a transposed A or a packed sliver): they are contiguous, two
//     vector loads, and FMLA by element picks each lane.
//   - csA = 1 (a row-major A): four steps at a time, one vector load per row
//     brings a[i, p..p+3], and FMLA by element picks the lane of each step;
//     B's four rows fill V0–V1 and V10–V15. The kc mod 4 last steps go
//     through the general loop.
//   - otherwise: LD1R broadcasts each element, with a pointer per row
//     stepping by csA.
//
// The epilogue scales by alpha, adds beta·C (gemmLoadC), the bias row
// (gemmAddBias) and clamps with an FCMGT mask (gemmRelu: NaN and −0 become
// +0), then stores each row once. C is read only with gemmLoadC.
TEXT ·gemm8x8NEON(SB), NOSPLIT, $0-152
	MOVD kc+0(FP), R0
	MOVD a_base+8(FP), R1
	MOVD rsA+32(FP), R9
	MOVD csA+40(FP), R10
	MOVD b_base+48(FP), R11
	MOVD ldb+72(FP), R12
	LSL  $2, R9, R9     // row stride of A in bytes
	LSL  $2, R10, R10   // k stride of A in bytes
	LSL  $2, R12, R12   // row stride of B in bytes
	ADD  R9, R1, R2     // R1–R8 point at a[i*rsA], i = 0..7
	ADD  R9, R2, R3
	ADD  R9, R3, R4
	ADD  R9, R4, R5
	ADD  R9, R5, R6
	ADD  R9, R6, R7
	ADD  R9, R7, R8
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	VEOR V20.B16, V20.B16, V20.B16
	VEOR V21.B16, V21.B16, V21.B16
	VEOR V22.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16
	VEOR V24.B16, V24.B16, V24.B16
	VEOR V25.B16, V25.B16, V25.B16
	VEOR V26.B16, V26.B16, V26.B16
	VEOR V27.B16, V27.B16, V27.B16
	VEOR V28.B16, V28.B16, V28.B16
	VEOR V29.B16, V29.B16, V29.B16
	VEOR V30.B16, V30.B16, V30.B16
	VEOR V31.B16, V31.B16, V31.B16
	CBZ  R0, epilogue
	CMP  $4, R9
	BEQ  columns
	CMP  $4, R10
	BNE  kloop
	CMP  $4, R0
	BLT  kloop

rows4k:
	VLD1.P (R11)(R12), [V0.S4, V1.S4]
	VLD1.P (R11)(R12), [V10.S4, V11.S4]
	VLD1.P (R11)(R12), [V12.S4, V13.S4]
	VLD1.P (R11)(R12), [V14.S4, V15.S4]
	VLD1.P 16(R1), [V2.S4]
	VLD1.P 16(R2), [V3.S4]
	VLD1.P 16(R3), [V4.S4]
	VLD1.P 16(R4), [V5.S4]
	VLD1.P 16(R5), [V6.S4]
	VLD1.P 16(R6), [V7.S4]
	VLD1.P 16(R7), [V8.S4]
	VLD1.P 16(R8), [V9.S4]
	WORD $0x4f821010 // fmla v16.4s, v0.4s, v2.s[0]
	WORD $0x4f821031 // fmla v17.4s, v1.4s, v2.s[0]
	WORD $0x4f831012 // fmla v18.4s, v0.4s, v3.s[0]
	WORD $0x4f831033 // fmla v19.4s, v1.4s, v3.s[0]
	WORD $0x4f841014 // fmla v20.4s, v0.4s, v4.s[0]
	WORD $0x4f841035 // fmla v21.4s, v1.4s, v4.s[0]
	WORD $0x4f851016 // fmla v22.4s, v0.4s, v5.s[0]
	WORD $0x4f851037 // fmla v23.4s, v1.4s, v5.s[0]
	WORD $0x4f861018 // fmla v24.4s, v0.4s, v6.s[0]
	WORD $0x4f861039 // fmla v25.4s, v1.4s, v6.s[0]
	WORD $0x4f87101a // fmla v26.4s, v0.4s, v7.s[0]
	WORD $0x4f87103b // fmla v27.4s, v1.4s, v7.s[0]
	WORD $0x4f88101c // fmla v28.4s, v0.4s, v8.s[0]
	WORD $0x4f88103d // fmla v29.4s, v1.4s, v8.s[0]
	WORD $0x4f89101e // fmla v30.4s, v0.4s, v9.s[0]
	WORD $0x4f89103f // fmla v31.4s, v1.4s, v9.s[0]
	WORD $0x4fa21150 // fmla v16.4s, v10.4s, v2.s[1]
	WORD $0x4fa21171 // fmla v17.4s, v11.4s, v2.s[1]
	WORD $0x4fa31152 // fmla v18.4s, v10.4s, v3.s[1]
	WORD $0x4fa31173 // fmla v19.4s, v11.4s, v3.s[1]
	WORD $0x4fa41154 // fmla v20.4s, v10.4s, v4.s[1]
	WORD $0x4fa41175 // fmla v21.4s, v11.4s, v4.s[1]
	WORD $0x4fa51156 // fmla v22.4s, v10.4s, v5.s[1]
	WORD $0x4fa51177 // fmla v23.4s, v11.4s, v5.s[1]
	WORD $0x4fa61158 // fmla v24.4s, v10.4s, v6.s[1]
	WORD $0x4fa61179 // fmla v25.4s, v11.4s, v6.s[1]
	WORD $0x4fa7115a // fmla v26.4s, v10.4s, v7.s[1]
	WORD $0x4fa7117b // fmla v27.4s, v11.4s, v7.s[1]
	WORD $0x4fa8115c // fmla v28.4s, v10.4s, v8.s[1]
	WORD $0x4fa8117d // fmla v29.4s, v11.4s, v8.s[1]
	WORD $0x4fa9115e // fmla v30.4s, v10.4s, v9.s[1]
	WORD $0x4fa9117f // fmla v31.4s, v11.4s, v9.s[1]
	WORD $0x4f821990 // fmla v16.4s, v12.4s, v2.s[2]
	WORD $0x4f8219b1 // fmla v17.4s, v13.4s, v2.s[2]
	WORD $0x4f831992 // fmla v18.4s, v12.4s, v3.s[2]
	WORD $0x4f8319b3 // fmla v19.4s, v13.4s, v3.s[2]
	WORD $0x4f841994 // fmla v20.4s, v12.4s, v4.s[2]
	WORD $0x4f8419b5 // fmla v21.4s, v13.4s, v4.s[2]
	WORD $0x4f851996 // fmla v22.4s, v12.4s, v5.s[2]
	WORD $0x4f8519b7 // fmla v23.4s, v13.4s, v5.s[2]
	WORD $0x4f861998 // fmla v24.4s, v12.4s, v6.s[2]
	WORD $0x4f8619b9 // fmla v25.4s, v13.4s, v6.s[2]
	WORD $0x4f87199a // fmla v26.4s, v12.4s, v7.s[2]
	WORD $0x4f8719bb // fmla v27.4s, v13.4s, v7.s[2]
	WORD $0x4f88199c // fmla v28.4s, v12.4s, v8.s[2]
	WORD $0x4f8819bd // fmla v29.4s, v13.4s, v8.s[2]
	WORD $0x4f89199e // fmla v30.4s, v12.4s, v9.s[2]
	WORD $0x4f8919bf // fmla v31.4s, v13.4s, v9.s[2]
	WORD $0x4fa219d0 // fmla v16.4s, v14.4s, v2.s[3]
	WORD $0x4fa219f1 // fmla v17.4s, v15.4s, v2.s[3]
	WORD $0x4fa319d2 // fmla v18.4s, v14.4s, v3.s[3]
	WORD $0x4fa319f3 // fmla v19.4s, v15.4s, v3.s[3]
	WORD $0x4fa419d4 // fmla v20.4s, v14.4s, v4.s[3]
	WORD $0x4fa419f5 // fmla v21.4s, v15.4s, v4.s[3]
	WORD $0x4fa519d6 // fmla v22.4s, v14.4s, v5.s[3]
	WORD $0x4fa519f7 // fmla v23.4s, v15.4s, v5.s[3]
	WORD $0x4fa619d8 // fmla v24.4s, v14.4s, v6.s[3]
	WORD $0x4fa619f9 // fmla v25.4s, v15.4s, v6.s[3]
	WORD $0x4fa719da // fmla v26.4s, v14.4s, v7.s[3]
	WORD $0x4fa719fb // fmla v27.4s, v15.4s, v7.s[3]
	WORD $0x4fa819dc // fmla v28.4s, v14.4s, v8.s[3]
	WORD $0x4fa819fd // fmla v29.4s, v15.4s, v8.s[3]
	WORD $0x4fa919de // fmla v30.4s, v14.4s, v9.s[3]
	WORD $0x4fa919ff // fmla v31.4s, v15.4s, v9.s[3]
	SUB    $4, R0
	CMP    $4, R0
	BGE    rows4k
	CBZ    R0, epilogue

kloop:
	VLD1.P  (R11)(R12), [V0.S4, V1.S4]
	VLD1R.P (R1)(R10), [V2.S4]
	VLD1R.P (R2)(R10), [V3.S4]
	VLD1R.P (R3)(R10), [V4.S4]
	VLD1R.P (R4)(R10), [V5.S4]
	VLD1R.P (R5)(R10), [V6.S4]
	VLD1R.P (R6)(R10), [V7.S4]
	VLD1R.P (R7)(R10), [V8.S4]
	VLD1R.P (R8)(R10), [V9.S4]
	VFMLA   V2.S4, V0.S4, V16.S4
	VFMLA   V2.S4, V1.S4, V17.S4
	VFMLA   V3.S4, V0.S4, V18.S4
	VFMLA   V3.S4, V1.S4, V19.S4
	VFMLA   V4.S4, V0.S4, V20.S4
	VFMLA   V4.S4, V1.S4, V21.S4
	VFMLA   V5.S4, V0.S4, V22.S4
	VFMLA   V5.S4, V1.S4, V23.S4
	VFMLA   V6.S4, V0.S4, V24.S4
	VFMLA   V6.S4, V1.S4, V25.S4
	VFMLA   V7.S4, V0.S4, V26.S4
	VFMLA   V7.S4, V1.S4, V27.S4
	VFMLA   V8.S4, V0.S4, V28.S4
	VFMLA   V8.S4, V1.S4, V29.S4
	VFMLA   V9.S4, V0.S4, V30.S4
	VFMLA   V9.S4, V1.S4, V31.S4
	SUB     $1, R0
	CBNZ    R0, kloop
	B       epilogue

columns:
	VLD1.P (R11)(R12), [V0.S4, V1.S4]
	VLD1.P (R1)(R10), [V2.S4, V3.S4]
	WORD $0x4f821010 // fmla v16.4s, v0.4s, v2.s[0]
	WORD $0x4f821031 // fmla v17.4s, v1.4s, v2.s[0]
	WORD $0x4fa21012 // fmla v18.4s, v0.4s, v2.s[1]
	WORD $0x4fa21033 // fmla v19.4s, v1.4s, v2.s[1]
	WORD $0x4f821814 // fmla v20.4s, v0.4s, v2.s[2]
	WORD $0x4f821835 // fmla v21.4s, v1.4s, v2.s[2]
	WORD $0x4fa21816 // fmla v22.4s, v0.4s, v2.s[3]
	WORD $0x4fa21837 // fmla v23.4s, v1.4s, v2.s[3]
	WORD $0x4f831018 // fmla v24.4s, v0.4s, v3.s[0]
	WORD $0x4f831039 // fmla v25.4s, v1.4s, v3.s[0]
	WORD $0x4fa3101a // fmla v26.4s, v0.4s, v3.s[1]
	WORD $0x4fa3103b // fmla v27.4s, v1.4s, v3.s[1]
	WORD $0x4f83181c // fmla v28.4s, v0.4s, v3.s[2]
	WORD $0x4f83183d // fmla v29.4s, v1.4s, v3.s[2]
	WORD $0x4fa3181e // fmla v30.4s, v0.4s, v3.s[3]
	WORD $0x4fa3183f // fmla v31.4s, v1.4s, v3.s[3]
	SUB    $1, R0
	CBNZ   R0, columns

epilogue:
	MOVD  c_base+80(FP), R1
	MOVD  ldc+104(FP), R2
	LSL   $2, R2, R2        // row stride of C in bytes
	FMOVS alpha+112(FP), F0
	FMOVS beta+116(FP), F1
	MOVD  bias_base+120(FP), R3
	MOVD  flags+144(FP), R4
	VDUP  V0.S[0], V0.S4
	VDUP  V1.S[0], V1.S4
	WORD $0x6e20de10 // fmul v16.4s, v16.4s, v0.4s
	WORD $0x6e20de31 // fmul v17.4s, v17.4s, v0.4s
	WORD $0x6e20de52 // fmul v18.4s, v18.4s, v0.4s
	WORD $0x6e20de73 // fmul v19.4s, v19.4s, v0.4s
	WORD $0x6e20de94 // fmul v20.4s, v20.4s, v0.4s
	WORD $0x6e20deb5 // fmul v21.4s, v21.4s, v0.4s
	WORD $0x6e20ded6 // fmul v22.4s, v22.4s, v0.4s
	WORD $0x6e20def7 // fmul v23.4s, v23.4s, v0.4s
	WORD $0x6e20df18 // fmul v24.4s, v24.4s, v0.4s
	WORD $0x6e20df39 // fmul v25.4s, v25.4s, v0.4s
	WORD $0x6e20df5a // fmul v26.4s, v26.4s, v0.4s
	WORD $0x6e20df7b // fmul v27.4s, v27.4s, v0.4s
	WORD $0x6e20df9c // fmul v28.4s, v28.4s, v0.4s
	WORD $0x6e20dfbd // fmul v29.4s, v29.4s, v0.4s
	WORD $0x6e20dfde // fmul v30.4s, v30.4s, v0.4s
	WORD $0x6e20dfff // fmul v31.4s, v31.4s, v0.4s
	TBZ   $0, R4, nobeta    // gemmLoadC
	MOVD  R1, R5
	VLD1.P (R5)(R2), [V2.S4, V3.S4]
	VLD1.P (R5)(R2), [V4.S4, V5.S4]
	VLD1.P (R5)(R2), [V6.S4, V7.S4]
	VLD1.P (R5)(R2), [V8.S4, V9.S4]
	VFMLA  V1.S4, V2.S4, V16.S4
	VFMLA  V1.S4, V3.S4, V17.S4
	VFMLA  V1.S4, V4.S4, V18.S4
	VFMLA  V1.S4, V5.S4, V19.S4
	VFMLA  V1.S4, V6.S4, V20.S4
	VFMLA  V1.S4, V7.S4, V21.S4
	VFMLA  V1.S4, V8.S4, V22.S4
	VFMLA  V1.S4, V9.S4, V23.S4
	VLD1.P (R5)(R2), [V2.S4, V3.S4]
	VLD1.P (R5)(R2), [V4.S4, V5.S4]
	VLD1.P (R5)(R2), [V6.S4, V7.S4]
	VLD1.P (R5)(R2), [V8.S4, V9.S4]
	VFMLA  V1.S4, V2.S4, V24.S4
	VFMLA  V1.S4, V3.S4, V25.S4
	VFMLA  V1.S4, V4.S4, V26.S4
	VFMLA  V1.S4, V5.S4, V27.S4
	VFMLA  V1.S4, V6.S4, V28.S4
	VFMLA  V1.S4, V7.S4, V29.S4
	VFMLA  V1.S4, V8.S4, V30.S4
	VFMLA  V1.S4, V9.S4, V31.S4

nobeta:
	TBZ  $1, R4, nobias      // gemmAddBias
	VLD1 (R3), [V2.S4, V3.S4]
	WORD $0x4e22d610 // fadd v16.4s, v16.4s, v2.4s
	WORD $0x4e23d631 // fadd v17.4s, v17.4s, v3.4s
	WORD $0x4e22d652 // fadd v18.4s, v18.4s, v2.4s
	WORD $0x4e23d673 // fadd v19.4s, v19.4s, v3.4s
	WORD $0x4e22d694 // fadd v20.4s, v20.4s, v2.4s
	WORD $0x4e23d6b5 // fadd v21.4s, v21.4s, v3.4s
	WORD $0x4e22d6d6 // fadd v22.4s, v22.4s, v2.4s
	WORD $0x4e23d6f7 // fadd v23.4s, v23.4s, v3.4s
	WORD $0x4e22d718 // fadd v24.4s, v24.4s, v2.4s
	WORD $0x4e23d739 // fadd v25.4s, v25.4s, v3.4s
	WORD $0x4e22d75a // fadd v26.4s, v26.4s, v2.4s
	WORD $0x4e23d77b // fadd v27.4s, v27.4s, v3.4s
	WORD $0x4e22d79c // fadd v28.4s, v28.4s, v2.4s
	WORD $0x4e23d7bd // fadd v29.4s, v29.4s, v3.4s
	WORD $0x4e22d7de // fadd v30.4s, v30.4s, v2.4s
	WORD $0x4e23d7ff // fadd v31.4s, v31.4s, v3.4s

nobias:
	TBZ $2, R4, store        // gemmRelu
	WORD $0x4ea0ca02 // fcmgt v2.4s, v16.4s, #0.0
	WORD $0x4ea0ca23 // fcmgt v3.4s, v17.4s, #0.0
	WORD $0x4ea0ca44 // fcmgt v4.4s, v18.4s, #0.0
	WORD $0x4ea0ca65 // fcmgt v5.4s, v19.4s, #0.0
	WORD $0x4ea0ca86 // fcmgt v6.4s, v20.4s, #0.0
	WORD $0x4ea0caa7 // fcmgt v7.4s, v21.4s, #0.0
	WORD $0x4ea0cac8 // fcmgt v8.4s, v22.4s, #0.0
	WORD $0x4ea0cae9 // fcmgt v9.4s, v23.4s, #0.0
	WORD $0x4ea0cb0a // fcmgt v10.4s, v24.4s, #0.0
	WORD $0x4ea0cb2b // fcmgt v11.4s, v25.4s, #0.0
	WORD $0x4ea0cb4c // fcmgt v12.4s, v26.4s, #0.0
	WORD $0x4ea0cb6d // fcmgt v13.4s, v27.4s, #0.0
	WORD $0x4ea0cb8e // fcmgt v14.4s, v28.4s, #0.0
	WORD $0x4ea0cbaf // fcmgt v15.4s, v29.4s, #0.0
	WORD $0x4ea0cbc0 // fcmgt v0.4s, v30.4s, #0.0
	WORD $0x4ea0cbe1 // fcmgt v1.4s, v31.4s, #0.0
	VAND V2.B16, V16.B16, V16.B16
	VAND V3.B16, V17.B16, V17.B16
	VAND V4.B16, V18.B16, V18.B16
	VAND V5.B16, V19.B16, V19.B16
	VAND V6.B16, V20.B16, V20.B16
	VAND V7.B16, V21.B16, V21.B16
	VAND V8.B16, V22.B16, V22.B16
	VAND V9.B16, V23.B16, V23.B16
	VAND V10.B16, V24.B16, V24.B16
	VAND V11.B16, V25.B16, V25.B16
	VAND V12.B16, V26.B16, V26.B16
	VAND V13.B16, V27.B16, V27.B16
	VAND V14.B16, V28.B16, V28.B16
	VAND V15.B16, V29.B16, V29.B16
	VAND V0.B16, V30.B16, V30.B16
	VAND V1.B16, V31.B16, V31.B16

store:
	VST1.P [V16.S4, V17.S4], (R1)(R2)
	VST1.P [V18.S4, V19.S4], (R1)(R2)
	VST1.P [V20.S4, V21.S4], (R1)(R2)
	VST1.P [V22.S4, V23.S4], (R1)(R2)
	VST1.P [V24.S4, V25.S4], (R1)(R2)
	VST1.P [V26.S4, V27.S4], (R1)(R2)
	VST1.P [V28.S4, V29.S4], (R1)(R2)
	VST1.P [V30.S4, V31.S4], (R1)(R2)
	RET
