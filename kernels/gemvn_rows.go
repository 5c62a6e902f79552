package kernels

import "fmt"

// GemvNRows sets the listed entries of y to the products of the matching
// rows of the matrix a (leading dimension lda) with x, and leaves the other
// entries of y alone:
//
//	for _, i := range rows {
//		y[i] = dot(a[int(i)*lda:int(i)*lda+len(x)], x)
//	}
//
// up to rounding: each implementation sums a row in an order of its own,
// the same wherever the row comes in the list. This is Gemv(false, …) with
// alpha = 1 and beta = 0 restricted to the listed rows: the delta δ·Wᵀ a
// layer hands down to a relu layer, whose units with a zero output get a
// zero delta whatever the product, so that only the units the forward pass
// listed as non-zero need it (per-sample training, where about half of a
// hidden layer is zero). A row listed twice is computed twice, the same.
// It panics if lda < len(x), or if an index is negative, not below len(y),
// or names a row that does not fit in a; other listed entries of y may
// have been set by then.
func GemvNRows(y, a []float32, lda int, x []float32, rows []int32) {
	n := len(x)
	if lda < n {
		panic(fmt.Sprintf("kernels: GemvNRows: lda = %d, want at least len(x) = %d", lda, n))
	}
	if len(rows) == 0 {
		return
	}
	if n == 0 {
		// Empty rows: every listed entry is the empty sum, a is not read.
		for k, i := range rows {
			if uint(i) >= uint(len(y)) {
				panic(badRowNRows(i, k, len(y), len(a), n, lda))
			}
			y[i] = 0
		}
		return
	}
	limit := rowLimit(len(a), n, lda, len(y))
	f := active.gemvNRows
	if f == nil {
		f = gemvNRowsGeneric
	}
	if bad := f(y, a, lda, x, rows, limit); bad >= 0 {
		panic(badRowNRows(rows[bad], bad, len(y), len(a), n, lda))
	}
}

// badRowNRows describes GemvNRows's bad index i at position at of rows: the
// bound is the length of y as well as the rows a holds.
func badRowNRows(i int32, at, lenY, lenA, n, lda int) string {
	held := lenY // the rows a holds, when n == 0 any number
	if n > 0 {
		held = rowLimit(lenA, n, lda, lenA)
	}
	return fmt.Sprintf("kernels: GemvNRows: rows[%d] = %d, want an index in [0, %d) (len(y) = %d; len(a) = %d holds %d rows of %d with lda = %d)",
		at, i, min(lenY, held), lenY, lenA, held, n, lda)
}

// gemvNRowsGeneric is GemvNRows on a list whose indices it checks against
// limit as it goes, returning the position of the first bad one, or −1.
// len(x) ≥ 1.
func gemvNRowsGeneric(y, a []float32, lda int, x []float32, rows []int32, limit int) int {
	for k, i := range rows {
		if uint(i) >= uint(limit) {
			return k
		}
		y[i] = dotGeneric(x, a[int(i)*lda:int(i)*lda+len(x)])
	}
	return -1
}
