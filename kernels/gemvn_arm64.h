// DOT4 sums the dot products of four rows (pointers r0–r3) with x (xp),
// cnt ≥ 1 columns, into the four lanes of V16: gemvNNEON's and
// gemvNRowsNEON's four-row body. Each load of x feeds the four rows, two
// 4-lane partial sums per row over blocks of 8 columns, then a block of 4,
// then one pairwise tree (fadd v16+v17, v18+v19, …; faddp twice) that
// gives every row the same order; the cnt mod 4 last columns are gathered
// one lane per row and added as one vector. (The encoded words are NEON
// instructions the Go assembler lacks, named in their comments.) It
// advances xp, r0–r3 and counts cnt down to 0; clobbers V0–V9 and
// V17–V23. Its labels take the dot4_ prefix.
#define DOT4(xp, r0, r1, r2, r3, cnt) \
	VEOR    V16.B16, V16.B16, V16.B16; \
	VEOR    V17.B16, V17.B16, V17.B16; \
	VEOR    V18.B16, V18.B16, V18.B16; \
	VEOR    V19.B16, V19.B16, V19.B16; \
	VEOR    V20.B16, V20.B16, V20.B16; \
	VEOR    V21.B16, V21.B16, V21.B16; \
	VEOR    V22.B16, V22.B16, V22.B16; \
	VEOR    V23.B16, V23.B16, V23.B16; \
	CMP     $8, cnt; \
	BLT     dot4_by4; \
dot4_by8: \
	VLD1.P  32(xp), [V0.S4, V1.S4]; \
	VLD1.P  32(r0), [V2.S4, V3.S4]; \
	VLD1.P  32(r1), [V4.S4, V5.S4]; \
	VLD1.P  32(r2), [V6.S4, V7.S4]; \
	VLD1.P  32(r3), [V8.S4, V9.S4]; \
	VFMLA   V0.S4, V2.S4, V16.S4; \
	VFMLA   V1.S4, V3.S4, V17.S4; \
	VFMLA   V0.S4, V4.S4, V18.S4; \
	VFMLA   V1.S4, V5.S4, V19.S4; \
	VFMLA   V0.S4, V6.S4, V20.S4; \
	VFMLA   V1.S4, V7.S4, V21.S4; \
	VFMLA   V0.S4, V8.S4, V22.S4; \
	VFMLA   V1.S4, V9.S4, V23.S4; \
	SUB     $8, cnt; \
	CMP     $8, cnt; \
	BGE     dot4_by8; \
dot4_by4: \
	CMP     $4, cnt; \
	BLT     dot4_reduce; \
	VLD1.P  16(xp), [V0.S4]; \
	VLD1.P  16(r0), [V2.S4]; \
	VLD1.P  16(r1), [V4.S4]; \
	VLD1.P  16(r2), [V6.S4]; \
	VLD1.P  16(r3), [V8.S4]; \
	VFMLA   V0.S4, V2.S4, V16.S4; \
	VFMLA   V0.S4, V4.S4, V18.S4; \
	VFMLA   V0.S4, V6.S4, V20.S4; \
	VFMLA   V0.S4, V8.S4, V22.S4; \
	SUB     $4, cnt; \
dot4_reduce: \
	WORD    $0x4e31d610; /* fadd v16.4s, v16.4s, v17.4s */ \
	WORD    $0x4e33d652; /* fadd v18.4s, v18.4s, v19.4s */ \
	WORD    $0x4e35d694; /* fadd v20.4s, v20.4s, v21.4s */ \
	WORD    $0x4e37d6d6; /* fadd v22.4s, v22.4s, v23.4s */ \
	WORD    $0x6e32d610; /* faddp v16.4s, v16.4s, v18.4s */ \
	WORD    $0x6e36d694; /* faddp v20.4s, v20.4s, v22.4s */ \
	WORD    $0x6e34d610; /* faddp v16.4s, v16.4s, v20.4s */ \
	CBZ     cnt, dot4_done; \
dot4_tail: \
	VLD1R.P 4(xp), [V0.S4]; \
	VLD1.P  4(r0), V1.S[0]; \
	VLD1.P  4(r1), V1.S[1]; \
	VLD1.P  4(r2), V1.S[2]; \
	VLD1.P  4(r3), V1.S[3]; \
	VFMLA   V0.S4, V1.S4, V16.S4; \
	SUB     $1, cnt; \
	CBNZ    cnt, dot4_tail; \
dot4_done:
