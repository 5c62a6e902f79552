//go:build !purego

package kernels

// The NEON transpose kernel (transpose_arm64.s) transposes whole 4×4 tiles;
// transposeTiled hands the leftover strips to the generic code and keeps
// each call within neonChunk elements.

func init() {
	neonImpl.transpose = neonTranspose
}

// transpose4NEON computes, for rows and cols multiples of 4,
//
//	for i := 0; i < rows; i++ {
//		for j := 0; j < cols; j++ {
//			dst[j*ldd+i] = src[i*lds+j]
//		}
//	}
//
// one 4×4 tile at a time: four row loads, TRN1/TRN2 on 32-bit and then on
// 64-bit elements, four row stores.
//
//go:noescape
func transpose4NEON(rows, cols int, src []float32, lds int, dst []float32, ldd int)

var transposeTilesNEON = []transposeTile{{size: 4, rowAlign: 4, chunk: neonChunk, run: transpose4NEON}}

func neonTranspose(rows, cols int, src []float32, lds int, dst []float32, ldd int) {
	transposeTiled(transposeTilesNEON, rows, cols, src, lds, dst, ldd)
}
