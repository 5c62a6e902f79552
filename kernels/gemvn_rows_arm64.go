//go:build !purego

package kernels

// The NEON GemvNRows kernel (gemvn_rows_arm64.s). As for the other NEON
// sparse-row kernels, the wrapper checks every index before the assembly
// runs, so that a bad index panics with y untouched and the assembly can
// trust its list, and splits the work into calls of at most neonChunk
// elements.

func init() {
	neonImpl.gemvNRows = neonGemvNRows
}

// gemvNRowsNEON computes, for each i in rows, in order,
//
//	y[i] = dot(a[i*lda:i*lda+len(x)], x)
//
// four rows at a time sharing each load of x, every row summed in the same
// order wherever it comes in the list. len(x) ≥ 1, and every index is
// below len(y) and names a row of len(x) elements inside a.
//
//go:noescape
func gemvNRowsNEON(y, a []float32, lda int, x []float32, rows []int32)

func neonGemvNRows(y, a []float32, lda int, x []float32, rows []int32, limit int) int {
	if bad := firstBadRow(rows, limit); bad >= 0 {
		return bad
	}
	step := max(1, neonChunk/len(x))
	for r := 0; r < len(rows); r += step {
		gemvNRowsNEON(y, a, lda, x, rows[r:min(r+step, len(rows))])
	}
	return -1
}
