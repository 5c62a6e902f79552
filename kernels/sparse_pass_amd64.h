// The pass kernel of GemmSparseRows on amd64, included by
// sparse_avx512_amd64.s and sparse_avx2_amd64.s, which define PASS_FUNC
// (its name), PASS_LOAD and PASS_STORE (the strip of c at DI to and from
// eight vector registers), PASS_BROADCAST (x[R10] into a ninth) and
// PASS_FMA (the strip of the row of b at R10 times it, added). Go
// declarations are in sparse_amd64.go.

// PASSSTORE stores the strip of row r of c and saves the row's entry in
// cur.
#define PASSSTORE \
	PASS_STORE;              \
	MOVQ    cur-48(SP), R10; \
	MOVQ    R12, (R10)(CX*8)

// func PASS_FUNC(x []float32, ldx int, rows [][]int32, b []float32, ldb int, c []float32, ldc int, cur []int, bound, limit, budget, base int) (next int, bad bool)
//
// One pass of the blocked GemmSparseRows on a strip of columns (see
// gemmSparseRowsInPasses in sparse_amd64.go): for each row r in turn, the
// entries of rows[r] from cur[r] on are added to the strip of c's row r,
// held in eight vector registers, while they are below bound; cur[r] then
// marks the first entry left. After budget entries it stops (at the end
// of that entry, cur saved) and returns the row to resume at; after the
// last row it returns len(rows). An index not below limit ends the pass
// with bad set, at the row whose cur names it (the entries before it
// applied).
//
// Row i of b is at b[(i-base)*ldb]: base is 0 for b in place, and the
// first row of the block for a block packed on its own (every index the
// pass reaches is then at least base, as the lists are ascending).
//
// Registers: AX &rows[r][0], BX bound, CX r, DX the address of row 0 of b
// (before the packed block, if base > 0), SI row r of x, DI the
// strip of row r of c, R8 rows (the slice headers), R9 ldb in bytes, R10
// the index (then the address of its row of b), R11 len(rows[r]), R12 the
// entry, R13 limit, R14 the budget left. The frame holds len(rows), x, ldx
// and ldc in bytes, c and cur.
TEXT PASS_FUNC(SB), NOSPLIT, $48-185
	MOVQ  rows_len+40(FP), AX
	MOVQ  AX, m-8(SP)
	MOVQ  x_base+0(FP), AX
	MOVQ  AX, x-16(SP)
	MOVQ  ldx+24(FP), AX
	SHLQ  $2, AX
	MOVQ  AX, ldxBytes-24(SP)
	MOVQ  c_base+88(FP), AX
	MOVQ  AX, c-32(SP)
	MOVQ  ldc+112(FP), AX
	SHLQ  $2, AX
	MOVQ  AX, ldcBytes-40(SP)
	MOVQ  cur_base+120(FP), AX
	MOVQ  AX, cur-48(SP)
	MOVQ  rows_base+32(FP), R8
	MOVQ  b_base+56(FP), DX
	MOVQ  ldb+80(FP), R9
	SHLQ  $2, R9
	MOVQ  base+168(FP), AX
	IMULQ R9, AX
	SUBQ  AX, DX
	MOVQ  bound+144(FP), BX
	MOVQ  limit+152(FP), R13
	MOVQ  budget+160(FP), R14
	MOVB  $0, bad+184(FP)
	XORQ  CX, CX

passrow:
	CMPQ    CX, m-8(SP)
	JAE     passdone
	LEAQ    (CX)(CX*2), R10
	MOVQ    (R8)(R10*8), AX
	MOVQ    8(R8)(R10*8), R11
	MOVQ    cur-48(SP), R10
	MOVQ    (R10)(CX*8), R12
	CMPQ    R12, R11
	JAE     passnext
	MOVLQSX (AX)(R12*4), R10
	CMPQ    R10, R13
	JAE     passbad
	CMPQ    R10, BX
	JAE     passnext
	MOVQ    CX, SI
	IMULQ   ldxBytes-24(SP), SI
	ADDQ    x-16(SP), SI
	MOVQ    CX, DI
	IMULQ   ldcBytes-40(SP), DI
	ADDQ    c-32(SP), DI
	PASS_LOAD

passentry:
	PASS_BROADCAST
	IMULQ        R9, R10
	ADDQ         DX, R10
	PASS_FMA
	INCQ         R12
	DECQ         R14
	JZ           passout
	CMPQ         R12, R11
	JAE          passseg
	MOVLQSX      (AX)(R12*4), R10
	CMPQ         R10, R13
	JAE          passbadmid
	CMPQ         R10, BX
	JB           passentry

passseg:
	PASSSTORE

passnext:
	INCQ CX
	JMP  passrow

passdone:
	MOVQ CX, next+176(FP)
	VZEROUPPER
	RET

passout:
	// The budget is spent: resume at this row, whose cur is saved.
	PASSSTORE
	MOVQ CX, next+176(FP)
	VZEROUPPER
	RET

passbadmid:
	PASSSTORE

passbad:
	MOVQ CX, next+176(FP)
	MOVB $1, bad+184(FP)
	VZEROUPPER
	RET
