//go:build !purego

package kernels

// The amd64 sparse-row kernels (sparse_avx512_amd64.s, sparse_avx2_amd64.s)
// and their Go wrappers. The assembly checks every index against limit
// (unsigned, so negative ones fail too) before using it and returns the
// position of the first bad one, or −1; the rows listed before a bad index
// have been applied.

func init() {
	avx512Impl.gemvTRows = gemvTRowsAVX512
	avx512Impl.gemmSparseRows = gemmSparseRowsAVX512
	avx512Impl.outerUpdateRows = outerUpdateRowsAVX512
	avx2Impl.gemvTRows = gemvTRowsAVX2
	avx2Impl.gemmSparseRows = gemmSparseRowsAVX2
	avx2Impl.outerUpdateRows = outerUpdateRowsAVX2
	avx512Impl.nonZeros = nonZerosAVX512Asm
	avx2Impl.nonZeros = nonZerosAVX2Asm
}

// nonZerosAVX512Asm writes the positions of x's non-zero entries (NaNs
// included) to idx in ascending order, two 16-float vectors per step, and
// reports whether x is all finite. len(idx) ≥ len(x).
//
//go:noescape
func nonZerosAVX512Asm(idx []int32, x []float32) (count int, finite bool)

// nonZerosAVX2Asm is nonZerosAVX512Asm with one 8-float vector per step.
//
//go:noescape
func nonZerosAVX2Asm(idx []int32, x []float32) (count int, finite bool)

// gemvTRowsAVX512Asm computes, for each i in rows, in order,
//
//	y[j] += x[i] * a[i*lda+j]   (j < len(y), one fused multiply-add)
//
// for columns in strips of 128 (then 64, 32 and 16-wide pieces, the last
// masked) with the strip of y in registers while the rows stream past.
//
//go:noescape
func gemvTRowsAVX512Asm(y, a []float32, lda int, x []float32, rows []int32, limit int) int

// gemmSparseRowsPassAVX512Asm runs one pass of gemmSparseRowsInPasses on
// a strip of 128 columns of b (from b[0]) and c (from c[0]): for each
// row r in turn,
//
//	for cur[r] < len(rows[r]) && rows[r][cur[r]] < bound {
//		i := rows[r][cur[r]]
//		c[r*ldc+j] += x[r*ldx+i] * b[i*ldb+j] // j < 128, fused
//		cur[r]++
//	}
//
// stopping early, at a row to resume at (next), once budget entries are
// done. Row i of b is at b[(i-base)*ldb:]: base is 0 for b in place, or
// the first row of a block packed on its own, whose lists must then be
// ascending. An index not below limit ends it with bad set, at the row next
// whose cur names the index. Every row of x holds ldx floats.
//
//go:noescape
func gemmSparseRowsPassAVX512Asm(x []float32, ldx int, rows [][]int32, b []float32, ldb int, c []float32, ldc int, cur []int, bound, limit, budget, base int) (next int, bad bool)

// gemmSparseRowsPassAVX2Asm is gemmSparseRowsPassAVX512Asm on a strip of
// 64 columns.
//
//go:noescape
func gemmSparseRowsPassAVX2Asm(x []float32, ldx int, rows [][]int32, b []float32, ldb int, c []float32, ldc int, cur []int, bound, limit, budget, base int) (next int, bad bool)

type gemmSparseRowsPass func(x []float32, ldx int, rows [][]int32, b []float32, ldb int, c []float32, ldc int, cur []int, bound, limit, budget, base int) (next int, bad bool)

// sparseRowsBlockBytes is how much memory the rows of b that one pass of
// gemmSparseRowsInPasses reads may span: 32 KiB, the size of L1, so that
// the block's strips fall in different sets (a strip of 64 columns of
// rows 512 bytes apart used half of them, and the AVX2 passes gained
// nothing until the block was halved) and stay in L1 while every row of
// the batch takes its entries among them.
const sparseRowsBlockBytes = 32 << 10

// sparseRowsMinBlock is the fewest rows of b a pass must take in place
// for the passes to pay: with 512 columns (16 rows a block) they took
// 447–460 µs against 393–421 row by row (AVX-512; AVX2 585–699 against
// 453–515), with 256 (32 rows) 169–186 against 197–224 (AVX2 no
// different). A b too wide for that has each block's strip packed instead.
const sparseRowsMinBlock = 32

func gemmSparseRowsAVX512(n int, x []float32, ldx int, rows [][]int32, b []float32, ldb int, c []float32, ldc int, cur []int) (row, at int) {
	return gemmSparseRowsInPasses(gemmSparseRowsPassAVX512Asm, 128, n, x, ldx, rows, b, ldb, c, ldc, cur)
}

func gemmSparseRowsAVX2(n int, x []float32, ldx int, rows [][]int32, b []float32, ldb int, c []float32, ldc int, cur []int) (row, at int) {
	return gemmSparseRowsInPasses(gemmSparseRowsPassAVX2Asm, 64, n, x, ldx, rows, b, ldb, c, ldc, cur)
}

// gemmSparseRowsInPasses computes GemmSparseRows on strips of strip
// columns in passes over the rows of b, a block spanning
// sparseRowsBlockBytes at a time: each pass adds to every row of c the
// entries of its list that come before the first index past the block,
// and the next pass goes on from there. Each row's entries are still taken
// in list order, one fused multiply-add each, so the result is bit for bit
// GemvTRows's; only the order of the rows changes, and with sorted lists
// every pass reads a block of b that stays in L1. Row by row, each entry
// read its row of b from L2: a 128-row MNIST batch on the 784×128 first
// layer took 71–81 µs in passes against 95–106 (AVX-512; AVX2 91–95
// against 118–122; Zen 4, three alternating runs of
// BenchmarkSparseBatchMNIST).
//
// When b's rows are too far apart for a block of sparseRowsMinBlock rows
// in place (a strip of rows 2 KiB apart falls into a quarter of L1's
// sets), each block's strip is first copied out, rows one after the
// other, if every list is ascending, which keeps a pass's entries inside
// its block. For the 784×512 first layer of 784-512-256-10 that copies
// all of b once a call, where row by row read 2 KiB from L2 or L3 for
// every entry: 341–413 µs a 128-row MNIST batch against 396–452 (median
// 351 against 440; AVX-512, five alternating runs of
// BenchmarkSparseBatchMNIST/n=512; AVX2 475–553 against 488–577, faster
// in 6 of 8). At 256 columns, where blocks in place still pay, the
// copies gained nothing measurable. nn's mini-batch Fit avoids the copies
// by keeping such a layer in panels of 128 columns (nn/panels.go).
//
// The columns past the last strip, a last row of x shorter than ldx, and
// a b too wide for blocks in place with lists not all ascending go row by
// row.
func gemmSparseRowsInPasses(pass gemmSparseRowsPass, strip, n int, x []float32, ldx int, rows [][]int32, b []float32, ldb int, c []float32, ldc int, cur []int) (row, at int) {
	m := len(rows)
	whole := 0 // the rows whose row of x holds ldx floats
	if ldx > 0 {
		whole = min(m, len(x)/ldx)
	}
	strips := n / strip
	block := sparseRowsBlockBytes / (4 * max(ldb, strip))
	packed := block < sparseRowsMinBlock && whole > 0 && strips > 0 && ascending(rows[:whole])
	if packed {
		block = sparseRowsBlockBytes / (4 * strip)
	}
	if whole == 0 || block < sparseRowsMinBlock {
		strips = 0
	}
	limit := rowLimit(len(b), n, ldb, ldx)
	var pack *[]float32
	if packed && strips > 0 {
		pack = sparseTPacks.Get().(*[]float32)
		if cap(*pack) < block*strip {
			*pack = make([]float32, block*strip)
		}
		defer sparseTPacks.Put(pack)
	}
	for s := 0; s < strips; s++ {
		c0 := s * strip
		clear(cur[:whole])
		for bound := block; ; bound += block {
			blk, ldblk, base := b[c0:], ldb, 0
			if packed {
				base = bound - block
				last := min(bound, limit)
				blk, ldblk = (*pack)[:max(last-base, 0)*strip], strip
				packStrip(blk, strip, b, ldb, base, last, c0, strip)
			}
			for r := 0; r < whole; {
				next, bad := pass(x[r*ldx:], ldx, rows[r:whole], blk, ldblk, c[r*ldc+c0:], ldc, cur[r:whole], bound, limit, asmChunk/strip, base)
				r += next
				if bad {
					return r, cur[r]
				}
			}
			if bound >= limit {
				break
			}
		}
	}
	if c0 := strips * strip; c0 < n {
		if r, at := sparseRowsByRow(c0, n, x, ldx, rows, 0, whole, b, ldb, c, ldc); r >= 0 {
			return r, at
		}
	}
	return sparseRowsByRow(0, n, x, ldx, rows, whole, m, b, ldb, c, ldc)
}

// ascending reports whether every list is in ascending order (repeats
// allowed).
func ascending(rows [][]int32) bool {
	for _, l := range rows {
		for i := 1; i < len(l); i++ {
			if l[i] < l[i-1] {
				return false
			}
		}
	}
	return true
}

// outerUpdateRowsAVX512Asm computes, for each i in rows, from the last
// listed to the first,
//
//	a[i*lda+j] += (alpha*x[i]) * y[j]   (j < len(y))
//
// with alpha·x[i] rounded once per row, in the same strips as
// gemvTRowsAVX512Asm with the strip of y in registers.
//
//go:noescape
func outerUpdateRowsAVX512Asm(alpha float32, x []float32, rows []int32, y, a []float32, lda int, limit int) int

// gemvTRowsAVX2Asm is gemvTRowsAVX512Asm with 8-lane vectors: strips of 64
// columns (then 32 and 8-wide pieces, the last one VMASKMOVPS-masked).
//
//go:noescape
func gemvTRowsAVX2Asm(y, a []float32, lda int, x []float32, rows []int32, limit int) int

// outerUpdateRowsAVX2Asm is outerUpdateRowsAVX512Asm with 8-lane vectors,
// in the strips of gemvTRowsAVX2Asm.
//
//go:noescape
func outerUpdateRowsAVX2Asm(alpha float32, x []float32, rows []int32, y, a []float32, lda int, limit int) int

type gemvTRowsKernel func(y, a []float32, lda int, x []float32, rows []int32, limit int) int
type outerUpdateRowsKernel func(alpha float32, x []float32, rows []int32, y, a []float32, lda int, limit int) int

func gemvTRowsAVX512(y, a []float32, lda int, x []float32, rows []int32, limit int) int {
	return gemvTRowsInChunks(gemvTRowsAVX512Asm, y, a, lda, x, rows, limit)
}

// outerUpdateRowsAVX512 runs the 16-lane kernel at every size, unlike the
// dense writing kernels (see beyondL1): on the 784×128 MNIST first layer
// (392 KiB, in L2) of an Emerald Rapids core the 8-lane one is as fast
// alone (1.73 µs a sample) but 6% slower beside the forward pass that
// precedes it in training (2.57 µs against 2.41 for both; per-sample epoch
// 0.220 s against 0.207, best of four each), and on Zen 4 they tie.
func outerUpdateRowsAVX512(alpha float32, x []float32, rows []int32, y, a []float32, lda int, limit int) int {
	return outerUpdateRowsInChunks(outerUpdateRowsAVX512Asm, alpha, x, rows, y, a, lda, limit)
}

func gemvTRowsAVX2(y, a []float32, lda int, x []float32, rows []int32, limit int) int {
	return gemvTRowsInChunks(gemvTRowsAVX2Asm, y, a, lda, x, rows, limit)
}

func outerUpdateRowsAVX2(alpha float32, x []float32, rows []int32, y, a []float32, lda int, limit int) int {
	return outerUpdateRowsInChunks(outerUpdateRowsAVX2Asm, alpha, x, rows, y, a, lda, limit)
}

// sparseRowsPerCall is how many listed rows of n columns one assembly call
// takes: at most asmChunk elements, so a call stays short (see asmChunk).
func sparseRowsPerCall(n int) int { return max(1, asmChunk/n) }

func gemvTRowsInChunks(k gemvTRowsKernel, y, a []float32, lda int, x []float32, rows []int32, limit int) int {
	step := sparseRowsPerCall(len(y))
	for r := 0; r < len(rows); r += step {
		part := rows[r:min(r+step, len(rows))]
		if bad := k(y, a, lda, x, part, limit); bad >= 0 {
			return r + bad
		}
	}
	return -1
}

// outerUpdateRowsInChunks takes the chunks from the last, as the kernels
// take the rows of one.
func outerUpdateRowsInChunks(k outerUpdateRowsKernel, alpha float32, x []float32, rows []int32, y, a []float32, lda int, limit int) int {
	step := sparseRowsPerCall(len(y))
	for r := (len(rows) - 1) / step * step; r >= 0; r -= step {
		part := rows[r:min(r+step, len(rows))]
		if bad := k(alpha, x, part, y, a, lda, limit); bad >= 0 {
			return r + bad
		}
	}
	return -1
}
