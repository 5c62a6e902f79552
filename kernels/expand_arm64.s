//go:build !purego

#include "textflag.h"

// func expandNonZerosNEON(x []float32, idx []int32, bits []uint16, vals []float32, base int, tab *expandTables) int
//
// ExpandNonZeros (expand.go) four entries at a time, NEON having no
// expand instruction. The group's nibble of the mask picks a 32-byte entry
// of tab (expand_arm64.go): the TBL byte indices that move the next
// popcount values, loaded as one vector, into the set lanes (the other
// lanes' index 0xff gives the zeros x needs), and the set lanes' numbers
// packed to the front, which plus the group's position go to idx as one
// vector. The value and idx pointers then advance by 4·popcount (tab's
// counts) in the post-indexed load and store, so a group has no branch. A
// word of zeros only stores zeros.
//
// A group reads four values whatever it needs, so while at least 16
// values are left (a word needs at most 16) words read vals itself; the
// last 1–15 are first copied into a zeroed 32-float buffer on the stack,
// which no later word's reads can leave, and from then on the pointer
// past the copied values after a word is the mask asking for more than
// vals holds: −1. The whole-vector idx stores stay inside idx because
// count ≤ the group's position and the group lies inside x; the last 1–3
// entries store only as many lanes of x and idx.
//
// Registers:
//
//	R0        x
//	R1        &idx[count]
//	R2        bits
//	R3        the next value (in vals or in the buffer)
//	R4        the end of the values
//	R5        the last R3 with 16 values left (all ones once buffered)
//	R6        the mask word
//	R7        the group's nibble
//	R8, R9    the group's table entry; 4·its popcount
//	R10, R11  tab, tab's counts
//	R12       full words left
//	R13       entries after them (0–15)
//	R14       idx
//	V0        the next four values
//	V1, V2    the entry: TBL indices; lane numbers, then positions
//	V3        the group's four entries of x
//	V4        the group's position in every lane
//	V5, V6    fours, sixteens
//	V28–V31   zeros

// GROUP expands the four entries of x at R0 whose mask bits are bits
// shift..shift+3 of R6.
#define GROUP(shift) \
	UBFX   $shift, R6, $4, R7; \
	ADD    R7<<5, R10, R8; \
	VLD1   (R8), [V1.B16, V2.B16]; \
	MOVBU  (R11)(R7), R9; \
	VLD1.P (R3)(R9), [V0.B16]; \
	VTBL   V1.B16, [V0.B16], V3.B16; \
	VST1.P [V3.S4], 16(R0); \
	VADD   V4.S4, V2.S4, V2.S4; \
	VST1.P [V2.S4], (R1)(R9); \
	VADD   V5.S4, V4.S4, V4.S4

TEXT ·expandNonZerosNEON(SB), NOSPLIT, $128-120
	MOVD x_base+0(FP), R0
	MOVD x_len+8(FP), R12
	MOVD idx_base+24(FP), R1
	MOVD bits_base+48(FP), R2
	MOVD vals_base+72(FP), R3
	MOVD vals_len+80(FP), R4
	MOVD base+96(FP), R7
	MOVD tab+104(FP), R10
	MOVD R1, R14
	ADD  $512, R10, R11
	AND  $15, R12, R13
	LSR  $4, R12, R12
	VDUP R7, V4.S4
	MOVW $4, R7
	VDUP R7, V5.S4
	MOVW $16, R7
	VDUP R7, V6.S4
	VEOR V28.B16, V28.B16, V28.B16
	VEOR V29.B16, V29.B16, V29.B16
	VEOR V30.B16, V30.B16, V30.B16
	VEOR V31.B16, V31.B16, V31.B16
	CMP  $16, R4
	ADD  R4<<2, R3, R4
	SUB  $64, R4, R5
	BLT  buffer                    // fewer than 16 values: R5 means nothing

next:
	CMP R5, R3                      // fewer than 16 values left?
	BHI buffer

word:
	CBZ     R12, tail
	MOVHU.P 2(R2), R6
	CBZ     R6, zeros
	GROUP(0)
	GROUP(4)
	GROUP(8)
	GROUP(12)
	SUB     $1, R12
	CMP     R4, R3
	BLS     next
	B       short

zeros:
	VST1.P [V28.S4, V29.S4, V30.S4, V31.S4], 64(R0)
	VADD   V6.S4, V4.S4, V4.S4
	SUB    $1, R12
	B      word                     // no value read: R3 is where it was

tail:
	// The last 1–15 entries: the word's bits past them dropped, whole
	// groups as above, then the last 1–3 entries.
	CBZ   R13, done
	MOVHU (R2), R6
	MOVD  $1, R7
	LSL   R13, R7, R7
	SUB   $1, R7
	AND   R7, R6, R6

tailgroup:
	CMP $4, R13
	BLT last
	GROUP(0)
	LSR $4, R6
	SUB $4, R13
	B   tailgroup

last:
	CBZ    R13, check
	ADD    R6<<5, R10, R8
	VLD1   (R8), [V1.B16, V2.B16]
	MOVBU  (R11)(R6), R9
	VLD1   (R3), [V0.B16]
	ADD    R9, R3
	VTBL   V1.B16, [V0.B16], V3.B16
	VADD   V4.S4, V2.S4, V2.S4
	MOVD   R1, R8
	ADD    R9, R1                    // R8 stores the lanes; R1 just counts
	TBZ    $1, R13, last1
	VST1.P [V3.S2], 8(R0)
	VST1.P [V2.S2], 8(R8)
	TBZ    $0, R13, check
	VST1   V3.S[2], (R0)
	VST1   V2.S[2], (R8)
	B      check

last1:
	VST1 V3.S[0], (R0)
	VST1 V2.S[0], (R8)

check:
	CMP R4, R3
	BHI short

done:
	SUB  R14, R1, R1
	LSR  $2, R1, R1
	MOVD R1, ret+112(FP)
	RET

short:
	MOVD $-1, R1
	MOVD R1, ret+112(FP)
	RET

buffer:
	// Fewer than 16 values left, at R3..R4: into the zeroed buffer, and
	// R5 set so that no later word comes back here.
	MOVD   $buf-128(SP), R8
	MOVD   R8, R9
	VST1.P [V28.S4, V29.S4, V30.S4, V31.S4], 64(R9)
	VST1   [V28.S4, V29.S4, V30.S4, V31.S4], (R9)
	MOVD   R8, R9

copy:
	CMP     R4, R3
	BHS     copied
	MOVWU.P 4(R3), R7
	MOVW.P  R7, 4(R9)
	B       copy

copied:
	MOVD R8, R3
	MOVD R9, R4
	MOVD $-1, R5
	B    word
