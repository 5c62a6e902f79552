//go:build !purego

// AVX2+FMA GemvNRows (gemvn_rows.go): y[i] = a[i,:]·x for each listed i.
// Go declaration in gemvn_rows_amd64.go.
//
// gemvNAVX2Asm's four-row path (mat_avx2_amd64.s) on listed rows: four rows
// at a time share each load of x, two 8-lane sums per row over pairs of
// vectors, one more vector into the first sum, the last partial vector
// (VMASKMOVPS) into the second, then one VHADDPS tree for the four rows
// whose result lanes are stored to y[i0..i3]. The pieces of x past the pairs
// are loaded once per call, not per group.
//
// Every row takes the same arithmetic whatever its place in the list (the
// promise of GemvNRows, tested by TestGemvNRowsPlaceFree): the tree treats
// the four rows alike, and the last 1–3 rows of a list go as a group of four
// padded with the group's last index, only the real ones stored. (Finishing
// them one at a time would sum them in another order.)
//
// A group's indices are compared with limit (unsigned: each is loaded as 32
// bits zero-extended, limit ≤ 2³¹) before any of its rows is read; the
// position of the first bad one is returned, the groups before it stored.

#include "textflag.h"

// TAILMASK(r) loads into Y15 the VMASKMOVPS mask for the first CX (0..7)
// elements of a vector (none for 0); clobbers AX and r.
#define TAILMASK(r) \
	MOVQ    $8, AX;               \
	SUBQ    CX, AX;               \
	LEAQ    ·avx2TailMask(SB), r; \
	VMOVDQU (r)(AX*4), Y15

// ROWADDR leaves for rows_bad unless the index in r is below limit, then
// turns it into the address of its row.
#define ROWADDR(r) \
	CMPQ  r, R14;      \
	JAE   rows_bad;    \
	IMULQ R9, r;       \
	ADDQ  DX, r

// FMA4 adds the vector of x in xv times the vector at column AX+off of each
// of the four rows to the rows' sums s0–s3.
#define FMA4(off, xv, s0, s1, s2, s3) \
	VFMADD231PS off(R10)(AX*1), xv, s0; \
	VFMADD231PS off(R11)(AX*1), xv, s1; \
	VFMADD231PS off(R12)(AX*1), xv, s2; \
	VFMADD231PS off(R13)(AX*1), xv, s3

// YSTORE stores lane k of X0 to y[rows[k]] of the group, unless the group
// has no row k (R8 ≤ k: a padded last group): then the stores are done.
#define YSTORE(k) \
	CMPQ       R8, $k;              \
	JBE        rows_next;           \
	MOVL       (k*4)(BX), AX;       \
	VEXTRACTPS $k, X0, (SI)(AX*4)

// func gemvNRowsAVX2Asm(y, a []float32, lda int, x []float32, rows []int32, limit int) int
//
// Registers: SI y, DX a, R9 lda in bytes, DI x, CX the bytes of x in whole
// pairs of vectors, BX the group's place in rows, R8 rows left, R14 limit,
// R10–R13 the group's indices, then its rows' addresses, AX the column in
// bytes (and scratch); Y0–Y3 the four rows' first sums, Y4–Y7 their second,
// Y8–Y9 x (a pair), then the rows' tails, Y12 x's last whole vector past the
// pairs (when n&8), Y13 x's tail, Y15 the tail's mask.
TEXT ·gemvNRowsAVX2Asm(SB), NOSPLIT, $0-120
	MOVQ       y_base+0(FP), SI
	MOVQ       a_base+24(FP), DX
	MOVQ       lda+48(FP), R9
	SHLQ       $2, R9
	MOVQ       x_base+56(FP), DI
	MOVQ       rows_base+80(FP), BX
	MOVQ       rows_len+88(FP), R8
	MOVQ       limit+104(FP), R14
	MOVQ       $-1, ret+112(FP)
	TESTQ      R8, R8
	JZ         rows_done
	MOVQ       x_len+64(FP), CX
	ANDQ       $7, CX
	TAILMASK(R10)
	MOVQ       x_len+64(FP), CX
	MOVQ       CX, AX
	ANDQ       $-8, AX
	SHLQ       $2, AX
	VMASKMOVPS (DI)(AX*1), Y15, Y13
	ANDQ       $-16, CX
	SHLQ       $2, CX
	TESTQ      $8, x_len+64(FP)
	JZ         rows_group
	VMOVUPS    (DI)(CX*1), Y12

rows_group:
	CMPQ R8, $4
	JB   rows_pad
	MOVL (BX), R10
	MOVL 4(BX), R11
	MOVL 8(BX), R12
	MOVL 12(BX), R13

rows_check:
	ROWADDR(R10)
	ROWADDR(R11)
	ROWADDR(R12)
	ROWADDR(R13)
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	XORL   AX, AX
	TESTQ  CX, CX
	JZ     rows_single

rows_pairs:
	// Two vectors of x, each shared by the four rows; two sums per row.
	VMOVUPS (DI)(AX*1), Y8
	VMOVUPS 32(DI)(AX*1), Y9
	FMA4(0, Y8, Y0, Y1, Y2, Y3)
	FMA4(32, Y9, Y4, Y5, Y6, Y7)
	ADDQ    $64, AX
	CMPQ    AX, CX
	JB      rows_pairs

rows_single:
	TESTQ $8, x_len+64(FP)
	JZ    rows_tail
	FMA4(0, Y12, Y0, Y1, Y2, Y3)
	ADDQ  $32, AX

rows_tail:
	// The rows' last partial vectors are loaded under the mask: a whole
	// vector could reach past the end of a.
	TESTQ       $7, x_len+64(FP)
	JZ          rows_reduce
	VMASKMOVPS  (R10)(AX*1), Y15, Y8
	VMASKMOVPS  (R11)(AX*1), Y15, Y9
	VMASKMOVPS  (R12)(AX*1), Y15, Y10
	VMASKMOVPS  (R13)(AX*1), Y15, Y11
	VFMADD231PS Y8, Y13, Y4
	VFMADD231PS Y9, Y13, Y5
	VFMADD231PS Y10, Y13, Y6
	VFMADD231PS Y11, Y13, Y7

rows_reduce:
	// Four 8-lane sums to the four dot products in X0, the same additions
	// for each lane.
	VADDPS       Y4, Y0, Y0
	VADDPS       Y5, Y1, Y1
	VADDPS       Y6, Y2, Y2
	VADDPS       Y7, Y3, Y3
	VHADDPS      Y1, Y0, Y0
	VHADDPS      Y3, Y2, Y2
	VHADDPS      Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	MOVL         (BX), AX
	VMOVSS       X0, (SI)(AX*4)
	YSTORE(1)
	YSTORE(2)
	YSTORE(3)

rows_next:
	ADDQ $16, BX
	SUBQ $4, R8
	JA   rows_group
	JMP  rows_done

rows_pad:
	// The last 1–3 rows, as a group padded with its last index.
	MOVL -4(BX)(R8*4), R13
	MOVQ R13, R12
	MOVQ R13, R11
	MOVL (BX), R10
	CMPQ R8, $2
	JB   rows_check
	MOVL 4(BX), R11
	JMP  rows_check

rows_bad:
	// Some index of the group is bad (a padded one repeats a real one):
	// the first of them gives the position.
	MOVL (BX), AX
	CMPQ AX, R14
	JAE  rows_found
	ADDQ $4, BX
	JMP  rows_bad

rows_found:
	SUBQ rows_base+80(FP), BX
	SHRQ $2, BX
	MOVQ BX, ret+112(FP)

rows_done:
	VZEROUPPER
	RET
