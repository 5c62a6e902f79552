//go:build !purego

#include "textflag.h"

// EXPAND8(b) spreads out the eight entries of x at DI from byte b of the
// mask at R9, and appends their positions to idx. The idx store is
// unmasked: the count so far is at most the number of entries before
// these eight, so all 8 lanes fall within len(x) ≤ len(idx).
#define EXPAND8(b) \
	MOVBLZX    b(R9), CX;             \
	POPCNTL    CX, DX;                \
	SUBQ       DX, R10;               \
	JCS        short;                 \
	VPMOVSXBD  (R12)(CX*8), Y6;       \
	VMASKMOVPS (SI), Y6, Y4;          \
	VPERMPS    Y4, Y6, Y0;            \
	VMOVUPS    Y0, (DI);              \
	VPMOVZXBD  2048(R12)(CX*8), Y1;   \
	VPADDD     Y2, Y1, Y1;            \
	VMOVDQU    Y1, (R8)(AX*4);        \
	ADDQ       DX, AX;                \
	LEAQ       (SI)(DX*4), SI;        \
	VPADDD     Y3, Y2, Y2;            \
	ADDQ       $32, DI

// func expandNonZerosAVX2Asm(x []float32, idx []int32, bits []uint16, vals []float32) int
//
// ExpandNonZeros (expand.go) eight entries at a time, from a byte of the
// mask (the words are little-endian, so byte k holds entries 8k..8k+7).
// AVX2 has no VEXPANDPS or VPCOMPRESSD, so the byte m picks their work
// from expandAVX2Table (expand_amd64.go): its first row, sign-extended,
// both masks the load of the next popcount(m) values (never past them;
// the other lanes read as zero) and, as VPERMPS indices, moves them to
// the set lanes, the clear ones taking lane 7, which is zero unless all
// eight are set; its second row holds the set lanes' numbers, packed, to
// which the position of the eight is added. Returns −1 if the mask asks
// for more values than vals holds. A branch that stored a word of zeros
// (an image's border) as zeros alone took 156–213 ns an MNIST row against
// 137–192 without it (Zen 4, all 60,000 rows in one process, the two in
// turn on the same rows, into a 128-row batch): it mispredicts on rows
// not seen before, as a shuffled epoch's are.
//
// Registers: DI x, BX entries of x left, R8 idx, R9 the mask (by bytes),
// SI vals, R10 values left, AX count, CX the mask byte, DX its popcount,
// R12 expandAVX2Table. Y2 the position of the current eight in every
// lane, Y3 eights; Y6 the table's first row, Y4 the
// values, Y0 them spread out, Y1 their positions.
TEXT ·expandNonZerosAVX2Asm(SB), NOSPLIT, $0-104
	MOVQ         x_base+0(FP), DI
	MOVQ         x_len+8(FP), BX
	MOVQ         idx_base+24(FP), R8
	MOVQ         bits_base+48(FP), R9
	MOVQ         vals_base+72(FP), SI
	MOVQ         vals_len+80(FP), R10
	XORQ         AX, AX
	LEAQ         ·expandAVX2Table(SB), R12
	VPXOR        Y2, Y2, Y2
	MOVL         $8, R11
	VMOVD        R11, X3
	VPBROADCASTD X3, Y3

vec16:
	// Two eights a round, the second from the mask's next byte.
	CMPQ BX, $16
	JB   vec8
	EXPAND8(0)
	EXPAND8(1)
	ADDQ $2, R9
	SUBQ $16, BX
	JMP  vec16

vec8:
	// At most one eight left before the tail.
	CMPQ BX, $8
	JB   tail
	EXPAND8(0)
	INCQ R9
	SUBQ $8, BX

tail:
	// The last 1..7 entries: the byte's bits past them are dropped, x is
	// stored through the mask of its first BX lanes, and idx through that
	// of the first popcount lanes, the sign bits of Y6.
	TESTQ      BX, BX
	JZ         done
	MOVQ       BX, CX
	MOVL       $1, R11
	SHLL       CX, R11
	DECL       R11
	MOVBLZX    (R9), CX
	ANDL       R11, CX
	POPCNTL    CX, DX
	SUBQ       DX, R10
	JCS        short
	VPMOVSXBD  (R12)(CX*8), Y6
	VMASKMOVPS (SI), Y6, Y4
	VPERMPS    Y4, Y6, Y0
	MOVQ       $8, R11
	SUBQ       BX, R11
	LEAQ       ·avx2TailMask(SB), R13
	VMOVDQU    (R13)(R11*4), Y5
	VMASKMOVPS Y0, Y5, (DI)
	VPMOVZXBD  2048(R12)(CX*8), Y1
	VPADDD     Y2, Y1, Y1
	VPMASKMOVD Y1, Y6, (R8)(AX*4)
	ADDQ       DX, AX

done:
	MOVQ AX, ret+96(FP)
	VZEROUPPER
	RET

short:
	MOVQ $-1, ret+96(FP)
	VZEROUPPER
	RET

// COMPRESS8(v, t, m) packs the set lanes of the eight values v by the
// mask byte m through VPERMPS (t the indices, then the packed values),
// stores all eight at vals+count (the caller knows they fit) and adds
// m's popcount (m is clobbered) to count.
#define COMPRESS8(v, t, m) \
	VPMOVZXBD 2048(R12)(m*8), t; \
	VPERMPS   v, t, t;           \
	VMOVUPS   t, (DI)(AX*4);     \
	POPCNTL   m, m;              \
	ADDQ      m, AX

// func compressNonZerosAVX2Asm(bits []uint16, vals, x []float32) (count int, finite bool)
//
// CompressNonZeros (expand.go) sixteen entries at a time, as two eights:
// the compare with zero (not equal or unordered, so NaN counts) and
// VMOVMSKPS give each eight's byte of the mask, the two make the word.
// AVX2 has no VCOMPRESSPS, so the byte m packs its eight's values through
// VPERMPS with the second row of expandAVX2Table (expand_amd64.go),
// widened: the k-th set lane's number for lane k. The eight values are
// stored whole at vals+count (count is at most the entries before these,
// so all 8 lanes fall within len(x) ≤ len(vals)); count grows by the
// popcount. x's finiteness is checked as in NonZeros: 0·x summed stays
// ±0 unless an entry is ±Inf or NaN, in two sums (Y5, Y6) so that their
// FMAs' latency does not pace the loop. A branch past the rest for a word
// of zeros (an image's border) took 159–198 ns an MNIST row against
// 106–152 without it (measured as in expandNonZerosAVX2Asm, on x in
// cache): it mispredicts on rows not seen before.
//
// Registers: R9 the mask, DI vals, SI x, BX entries of x left, AX count,
// CX and DX the two mask bytes, R10 the word, R12 expandAVX2Table, R13
// avx2TailMask. Y4 zero, Y5 and Y6 the 0·x sums, Y0 and Y1 the two eights,
// Y2 and Y3 their compares, then indices, then packed values; Y8 the
// tail's mask.
TEXT ·compressNonZerosAVX2Asm(SB), NOSPLIT, $0-81
	MOVQ   bits_base+0(FP), R9
	MOVQ   vals_base+24(FP), DI
	MOVQ   x_base+48(FP), SI
	MOVQ   x_len+56(FP), BX
	XORQ   AX, AX
	LEAQ   ·expandAVX2Table(SB), R12
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6

cvec16:
	CMPQ        BX, $16
	JB          ctail
	VMOVUPS     (SI), Y0
	VMOVUPS     32(SI), Y1
	VFMADD231PS Y0, Y4, Y5
	VFMADD231PS Y1, Y4, Y6
	VCMPPS      $4, Y4, Y0, Y2
	VCMPPS      $4, Y4, Y1, Y3
	VMOVMSKPS   Y2, CX
	VMOVMSKPS   Y3, DX
	MOVL        DX, R10
	SHLL        $8, R10
	ORL         CX, R10
	MOVW        R10, (R9)
	COMPRESS8(Y0, Y2, CX)
	COMPRESS8(Y1, Y3, DX)
	ADDQ        $64, SI
	ADDQ        $2, R9
	SUBQ        $16, BX
	JMP         cvec16

ctail:
	// The last 1..15 entries, one word: up to eight through the mask of
	// their first BX lanes, which also stores their values (count + BX ≤
	// len(x)); past eight, a whole eight and then the rest the same way.
	// Lanes past x load as 0 and set no bit, so the word is whole (up to
	// eight, its high byte is the zero-extended byte's).
	TESTQ       BX, BX
	JZ          cdone
	LEAQ        ·avx2TailMask(SB), R13
	CMPQ        BX, $8
	JA          ctail16
	MOVQ        $8, R11
	SUBQ        BX, R11
	VMOVDQU     (R13)(R11*4), Y8
	VMASKMOVPS  (SI), Y8, Y0
	VFMADD231PS Y0, Y4, Y5
	VCMPPS      $4, Y4, Y0, Y2
	VMOVMSKPS   Y2, CX
	MOVW        CX, (R9)
	VPMOVZXBD   2048(R12)(CX*8), Y2
	VPERMPS     Y0, Y2, Y2
	VMASKMOVPS  Y2, Y8, (DI)(AX*4)
	POPCNTL     CX, CX
	ADDQ        CX, AX
	JMP         cdone

ctail16:
	// 9..15 left: the first eight whole, as count ≤ len(x) − BX < len(x) − 8.
	MOVQ        $16, R11
	SUBQ        BX, R11
	VMOVDQU     (R13)(R11*4), Y8
	VMOVUPS     (SI), Y0
	VMASKMOVPS  32(SI), Y8, Y1
	VFMADD231PS Y0, Y4, Y5
	VFMADD231PS Y1, Y4, Y6
	VCMPPS      $4, Y4, Y0, Y2
	VCMPPS      $4, Y4, Y1, Y3
	VMOVMSKPS   Y2, CX
	VMOVMSKPS   Y3, DX
	MOVL        DX, R10
	SHLL        $8, R10
	ORL         CX, R10
	MOVW        R10, (R9)
	COMPRESS8(Y0, Y2, CX)
	VPMOVZXBD   2048(R12)(DX*8), Y3
	VPERMPS     Y1, Y3, Y3
	VMASKMOVPS  Y3, Y8, (DI)(AX*4)
	POPCNTL     DX, DX
	ADDQ        DX, AX

cdone:
	MOVQ      AX, count+72(FP)
	VADDPS    Y6, Y5, Y5
	VCMPPS    $3, Y5, Y5, Y1
	VMOVMSKPS Y1, CX
	TESTL     CX, CX
	SETEQ     finite+80(FP)
	VZEROUPPER
	RET
