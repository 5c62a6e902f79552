//go:build !purego

package kernels

// The NEON OuterUpdateSparseT (sparse_t_arm64.s) works on strips of 32
// columns: two sets of gradient sums take 16 of the 32 vector registers,
// and the strip of d (128 rows of 128 bytes) stays in a 32 KiB L1 cache.
// A width left over after the last whole strip runs the generic code
// (sparse_t.go).

const neonSparseTStrip = 32

func init() {
	neonImpl.outerUpdateSparseT = neonOuterUpdateSparseT
}

// outerUpdateSparseTNEON is OuterUpdateSparseT on k rows of w and one strip
// of 32 columns (d and w start at the strip):
//
//	for p := 0; p < k; p++ {
//		var even, odd [32]float32 // V0–V7, V8–V15
//		t := 0
//		for r := 0; r < m; r++ {
//			if v := xt[p*ldxt+r]; v != 0 { // NaN is used
//				acc := &even
//				if t%2 == 1 {
//					acc = &odd
//				}
//				for j := range acc {
//					acc[j] += v * d[r*ldd+j] // one fused multiply-add
//				}
//				t++
//			}
//		}
//		if t > 0 {
//			for j := 0; j < 32; j++ {
//				w[p*ldw+j] += alpha * (even[j] + odd[j]) // one fused multiply-add
//			}
//		}
//	}
//
// m ≥ 1; xt must hold k rows of m, d m rows and w k rows of 32 columns.
//
//go:noescape
func outerUpdateSparseTNEON(m, k int, alpha float32, xt []float32, ldxt int, d []float32, ldd int, w []float32, ldw int)

// neonOuterUpdateSparseT runs the strips of k rows of w in calls that take
// as many rows as keep their work, were xt dense, within neonChunk
// multiply-adds. The bounds checks stop, in Go, a strip the assembly would
// overrun.
func neonOuterUpdateSparseT(m, n, k int, alpha float32, xt []float32, ldxt int, d []float32, ldd int, w []float32, ldw int) {
	_ = xt[(k-1)*ldxt+m-1]
	rowsPerCall := max(1, neonChunk/(m*neonSparseTStrip))
	c0 := 0
	for ; c0+neonSparseTStrip <= n; c0 += neonSparseTStrip {
		_ = d[(m-1)*ldd+c0+neonSparseTStrip-1]
		_ = w[(k-1)*ldw+c0+neonSparseTStrip-1]
		for p0 := 0; p0 < k; p0 += rowsPerCall {
			rows := min(rowsPerCall, k-p0)
			outerUpdateSparseTNEON(m, rows, alpha, xt[p0*ldxt:], ldxt, d[c0:], ldd, w[p0*ldw+c0:], ldw)
		}
	}
	if c0 < n {
		outerUpdateSparseTGeneric(m, n-c0, k, alpha, xt, ldxt, d[c0:], ldd, w[c0:], ldw)
	}
}
