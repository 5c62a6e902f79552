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

// func compressNonZerosNEON(bits []uint16, vals, x []float32, tab *expandTables) (count int, finite bool)
//
// CompressNonZeros (expand.go) a mask word, sixteen entries, at a time,
// NEON having no compress instruction. A lane is non-zero when its bits,
// sign aside, are not all zero (CMTST with 0x7fffffff: NaN counts, ±0
// does not); the four groups' lane masks ANDed with their bits of the word
// (tab's lane bits) and summed across are the word, so it takes one ADDV
// and one move where a nibble a group would take four. Each group's
// nibble then picks from tab the TBL indices that pack its set lanes to
// the front, stored whole at &vals[count], and the pointer advances by
// 4·popcount (tab's counts) in the post-indexed store, so a group has no
// branch; a word of zeros stores only itself. The whole-vector stores stay
// inside vals because count ≤ the group's position, the group lies inside
// x and len(x) ≤ len(vals).
//
// Finiteness as in the AVX-512 kernel: 0·v, summed by FMLA into V28–V31,
// stays ±0 unless some v is ±Inf or NaN, one instruction a vector where
// NonZeros's shift and maximum take two (the compare reads the bits
// through a mask, so it needs no shifted copy).
//
// The last 1–15 entries go a group at a time, the word assembled nibble by
// nibble; the last 1–3 are loaded lane by lane into a zeroed vector (the
// lanes past x set no bit and are finite) and only the packed values are
// stored.
//
// Registers:
//
//	R0        &bits[word]
//	R1        x
//	R2        &vals[count]
//	R3        vals
//	R4, R5    tab's compress shuffles, its counts
//	R6        the mask word
//	R7        the group's nibble
//	R8        scratch; the last values' store pointer
//	R9        4·the group's popcount
//	R10, R14  the tail's nibble shifted into place; its shift
//	R12       full words left
//	R13       entries after them (0–15)
//	V0–V3     sixteen entries
//	V4–V7     their lane masks, then their bits of the word
//	V8, V9    a group's TBL indices; its packed values
//	V20–V23   the lane bits of groups 0–3
//	V24       0x7fffffff in every lane
//	V25       zeros
//	V28–V31   the sums of 0·v

// LANES puts in m the bits of the word that the non-zero lanes of v set
// (bits holding their lane bits) and adds 0·v to acc.
#define LANES(v, bits, m, acc) \
	VCMTST V24.S4, v.S4, m.S4; \
	VAND   bits.B16, m.B16, m.B16; \
	VFMLA  V25.S4, v.S4, acc.S4

// PACK stores the lanes of v set in the nibble R7 at R2, packed, and
// advances R2 past them.
#define PACK(v) \
	WORD   $0x3ce77888; /* ldr q8, [x4, x7, lsl #4] */ \
	MOVBU  (R5)(R7), R9; \
	VTBL   V8.B16, [v.B16], V9.B16; \
	VST1.P [V9.B16], (R2)(R9)

TEXT ·compressNonZerosNEON(SB), NOSPLIT, $0-89
	MOVD bits_base+0(FP), R0
	MOVD vals_base+24(FP), R2
	MOVD x_base+48(FP), R1
	MOVD x_len+56(FP), R12
	MOVD tab+72(FP), R4
	MOVD R2, R3
	ADD  $512, R4, R5
	ADD  $784, R4, R8
	VLD1 (R8), [V20.S4, V21.S4, V22.S4, V23.S4]
	ADD  $528, R4
	MOVW $0x7fffffff, R8
	VDUP R8, V24.S4
	VEOR V25.B16, V25.B16, V25.B16
	VEOR V28.B16, V28.B16, V28.B16
	VEOR V29.B16, V29.B16, V29.B16
	VEOR V30.B16, V30.B16, V30.B16
	VEOR V31.B16, V31.B16, V31.B16
	AND  $15, R12, R13
	LSR  $4, R12, R12
	CBZ  R12, tail

word:
	VLD1.P  64(R1), [V0.S4, V1.S4, V2.S4, V3.S4]
	LANES(V0, V20, V4, V28)
	LANES(V1, V21, V5, V29)
	LANES(V2, V22, V6, V30)
	LANES(V3, V23, V7, V31)
	VORR    V4.B16, V5.B16, V4.B16
	VORR    V6.B16, V7.B16, V6.B16
	VORR    V4.B16, V6.B16, V4.B16
	VADDV   V4.S4, V4
	VMOV    V4.S[0], R6
	MOVH.P  R6, 2(R0)
	CBZ     R6, nextword
	AND     $15, R6, R7
	PACK(V0)
	UBFX    $4, R6, $4, R7
	PACK(V1)
	UBFX    $8, R6, $4, R7
	PACK(V2)
	LSR     $12, R6, R7
	PACK(V3)

nextword:
	SUB  $1, R12
	CBNZ R12, word

tail:
	CBZ  R13, done
	MOVD ZR, R6
	MOVD ZR, R14

tailgroup:
	CMP    $4, R13
	BLT    last
	VLD1.P 16(R1), [V0.S4]
	LANES(V0, V20, V4, V28)
	VADDV  V4.S4, V4
	VMOV   V4.S[0], R7
	LSL    R14, R7, R10
	ORR    R10, R6
	ADD    $4, R14
	PACK(V0)
	SUB    $4, R13
	B      tailgroup

last:
	CBZ    R13, tailword
	VEOR   V0.B16, V0.B16, V0.B16
	TBZ    $1, R13, load1
	VLD1.P 8(R1), [V0.S2]
	TBZ    $0, R13, loaded
	VLD1   (R1), V0.S[2]
	B      loaded

load1:
	VLD1 (R1), V0.S[0]

loaded:
	LANES(V0, V20, V4, V28)
	VADDV  V4.S4, V4
	VMOV   V4.S[0], R7
	LSL    R14, R7, R10
	ORR    R10, R6
	WORD   $0x3ce77888                // ldr q8, [x4, x7, lsl #4]
	MOVBU  (R5)(R7), R9
	VTBL   V8.B16, [V0.B16], V9.B16
	MOVD   R2, R8
	ADD    R9, R2                     // R8 stores the values; R2 just counts
	TBZ    $3, R9, store1
	VST1.P [V9.S2], 8(R8)
	TBZ    $2, R9, tailword
	VST1   V9.S[2], (R8)
	B      tailword

store1:
	TBZ  $2, R9, tailword
	VST1 V9.S[0], (R8)

tailword:
	MOVH R6, (R0)

done:
	SUB   R3, R2, R2
	LSR   $2, R2, R2
	MOVD  R2, count+80(FP)
	VORR  V28.B16, V29.B16, V28.B16
	VORR  V30.B16, V31.B16, V30.B16
	VORR  V28.B16, V30.B16, V28.B16
	VMOV  V28.D[0], R6
	VMOV  V28.D[1], R7
	ORR   R7, R6, R6
	AND   $0x7fffffff7fffffff, R6, R6 // ±0 sums, or some NaN
	CMP   $0, R6
	CSET  EQ, R6
	MOVB  R6, finite+88(FP)
	RET
