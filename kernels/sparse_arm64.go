//go:build !purego

package kernels

// The NEON sparse-row kernels (sparse_arm64.s) and their Go wrappers. The
// wrappers check every index against limit before the assembly runs, so a
// bad index panics (in sparse.go) with the matrix untouched and the
// assembly can trust its row list; they also split long work into calls of
// at most neonChunk elements, as the other NEON wrappers do.

func init() {
	neonImpl.gemvTRows = neonGemvTRows
	neonImpl.outerUpdateRows = neonOuterUpdateRows
	neonImpl.nonZeros = neonNonZeros
}

// gemvTRowsNEON computes, for each i in rows, in order,
//
//	for j := range y {
//		y[j] += x[i] * a[i*lda+j] // one fused multiply-add
//	}
//
// in column strips of 64 (then 16, 4 and 1) with the strip of y in
// registers while the rows stream past. Every index must be below len(x)
// and name a row of len(y) elements inside a; len(y) may be 0.
//
//go:noescape
func gemvTRowsNEON(y, a []float32, lda int, x []float32, rows []int32)

// outerUpdateRowsNEON computes, for each i in rows, from the last listed to
// the first,
//
//	s := alpha * x[i] // rounded once
//	for j := range y {
//		a[i*lda+j] += s * y[j] // one fused multiply-add
//	}
//
// in the strips of gemvTRowsNEON with the strip of y in registers, under
// the same promises about the indices.
//
//go:noescape
func outerUpdateRowsNEON(alpha float32, x []float32, rows []int32, y, a []float32, lda int)

// nonZerosNEON writes base+i for every i with x[i] non-zero (NaN included,
// ±0 not) to the front of idx, in ascending order, and returns how many it
// wrote and whether every entry of x is finite:
//
//	for i, v := range x {
//		if v != 0 || v != v {
//			idx[count] = int32(base + i)
//			count++
//		}
//	}
//
// It skips all-zero blocks of 16 with one vector test and packs the
// positions of the other blocks four at a time (a lane mask and a TBL
// shuffle); entries of idx past count, up to len(x), may be overwritten.
// len(idx) ≥ len(x) and base+len(x) ≤ MaxInt32.
//
//go:noescape
func nonZerosNEON(idx []int32, x []float32, base int) (count int, finite bool)

// firstBadRow returns the position in rows of the first index that is
// negative or not below limit, or −1.
func firstBadRow(rows []int32, limit int) int {
	for k, i := range rows {
		if uint(i) >= uint(limit) {
			return k
		}
	}
	return -1
}

// sparseRowPieces splits the work of len(rows) rows of n columns into
// column pieces of at most neonChunk and, within one, row groups of at most
// neonChunk elements.
func sparseRowPieces(n int) (cols, rowsPerCall int) {
	cols = min(n, neonChunk)
	return cols, max(1, neonChunk/cols)
}

func neonGemvTRows(y, a []float32, lda int, x []float32, rows []int32, limit int) int {
	if bad := firstBadRow(rows, limit); bad >= 0 {
		return bad
	}
	n := len(y)
	cols, step := sparseRowPieces(n)
	for j0 := 0; j0 < n; j0 += cols {
		j1 := min(j0+cols, n)
		for r := 0; r < len(rows); r += step {
			gemvTRowsNEON(y[j0:j1], a[j0:], lda, x, rows[r:min(r+step, len(rows))])
		}
	}
	return -1
}

func neonOuterUpdateRows(alpha float32, x []float32, rows []int32, y, a []float32, lda int, limit int) int {
	if bad := firstBadRow(rows, limit); bad >= 0 {
		return bad
	}
	n := len(y)
	cols, step := sparseRowPieces(n)
	for j0 := 0; j0 < n; j0 += cols {
		j1 := min(j0+cols, n)
		for r := (len(rows) - 1) / step * step; r >= 0; r -= step {
			outerUpdateRowsNEON(alpha, x, rows[r:min(r+step, len(rows))], y[j0:j1], a[j0:], lda)
		}
	}
	return -1
}

func neonNonZeros(idx []int32, x []float32) (count int, finite bool) {
	finite = true
	for start := 0; start < len(x); start += neonChunk {
		part := x[start:min(start+neonChunk, len(x))]
		// count ≤ start, so this piece of idx lies inside idx[:len(x)].
		c, f := nonZerosNEON(idx[count:count+len(part)], part, start)
		count += c
		finite = finite && f
	}
	return count, finite
}
