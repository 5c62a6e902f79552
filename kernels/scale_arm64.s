//go:build !purego

#include "textflag.h"

// func scaleNEON(alpha float32, x []float32)
//
// 32 floats per iteration, then 4, then one at a time, each multiplied once
// by alpha. The Go assembler has no vector FMUL: it is spelled as a raw
// instruction. Loads go through R0 and stores through R1, both walking x.
TEXT ·scaleNEON(SB), NOSPLIT, $0-32
	FMOVS alpha+0(FP), F31
	MOVD  x_base+8(FP), R0
	MOVD  x_len+16(FP), R2
	MOVD  R0, R1
	VDUP  V31.S[0], V31.S4
	CMP   $32, R2
	BLT   by4

by32:
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD   $0x6e3fdc00                          // fmul v0.4s, v0.4s, v31.4s
	WORD   $0x6e3fdc21                          // fmul v1.4s, v1.4s, v31.4s
	WORD   $0x6e3fdc42                          // fmul v2.4s, v2.4s, v31.4s
	WORD   $0x6e3fdc63                          // fmul v3.4s, v3.4s, v31.4s
	WORD   $0x6e3fdc84                          // fmul v4.4s, v4.4s, v31.4s
	WORD   $0x6e3fdca5                          // fmul v5.4s, v5.4s, v31.4s
	WORD   $0x6e3fdcc6                          // fmul v6.4s, v6.4s, v31.4s
	WORD   $0x6e3fdce7                          // fmul v7.4s, v7.4s, v31.4s
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R1)
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R1)
	SUB    $32, R2
	CMP    $32, R2
	BGE    by32

by4:
	CMP $4, R2
	BLT tail

by4loop:
	VLD1.P 16(R0), [V0.S4]
	WORD   $0x6e3fdc00     // fmul v0.4s, v0.4s, v31.4s
	VST1.P [V0.S4], 16(R1)
	SUB    $4, R2
	CMP    $4, R2
	BGE    by4loop

tail:
	CBZ R2, done

tailloop:
	FMOVS.P 4(R0), F0
	FMULS   F31, F0, F0
	FMOVS.P F0, 4(R1)
	SUB     $1, R2
	CBNZ    R2, tailloop

done:
	RET
