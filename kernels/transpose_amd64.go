//go:build !purego

package kernels

import "unsafe"

// The amd64 transpose kernels (transpose_avx512_amd64.s,
// transpose_avx2_amd64.s) transpose whole tiles; transposeTiled hands the
// leftover strips to the next smaller tile and finally to the generic code.

func init() {
	avx512Impl.transpose = transposeAVX512
	avx2Impl.transpose = transposeAVX2
}

// transpose16AVX512 computes, for cols a multiple of 16 and rows one of 4,
//
//	for i := 0; i < rows; i++ {
//		for j := 0; j < cols; j++ {
//			dst[j*ldd+i] = src[i*lds+j]
//		}
//	}
//
// one 16×16 tile at a time, in registers: each 128-bit lane of a vector is
// loaded from a different row of the tile, so that two rounds of in-lane
// unpacks finish a 16×4 slice (as in gemmPackBTHalfAVX512). The last tile
// of a column strip may have 4, 8 or 12 rows; masked stores keep the
// missing rows' lanes out of dst.
//
//go:noescape
func transpose16AVX512(rows, cols int, src []float32, lds int, dst []float32, ldd int)

// transpose8AVX2 is transpose16AVX512 with 8×8 tiles in YMM registers, for
// cols a multiple of 8 and rows one of 4; a last tile of 4 rows stores only
// the low 128-bit lanes.
//
//go:noescape
func transpose8AVX2(rows, cols int, src []float32, lds int, dst []float32, ldd int)

// transpose4AVX2 is transpose8AVX2 with 4×4 tiles in XMM registers, for
// rows and cols multiples of 4: the strips the wider tiles leave, such as
// the last 4 rows of a batch of 100, would otherwise go to the generic code.
//
//go:noescape
func transpose4AVX2(rows, cols int, src []float32, lds int, dst []float32, ldd int)

var (
	transposeTiles512 = []transposeTile{
		{size: 16, rowAlign: 4, chunk: asmChunk, run: transpose16AVX512},
		{size: 8, rowAlign: 4, chunk: asmChunk, run: transpose8AVX2},
		{size: 4, rowAlign: 4, chunk: asmChunk, run: transpose4AVX2},
	}
	transposeTiles256 = []transposeTile{
		{size: 8, rowAlign: 4, chunk: asmChunk, run: transpose8AVX2},
		{size: 4, rowAlign: 4, chunk: asmChunk, run: transpose4AVX2},
	}
)

// transposeAVX512 runs the 16×16 tiles only where every dst row segment
// they store can start on a 64-byte line, since 16-lane stores that
// straddle two lines cost more than they gain: on 128×784 with dst 8 floats
// off a line the 16×16 tiles took 22.7 µs without the peeling of
// transposeAligned and 13.3 µs with it, and with ldd = 100 (100×784) they
// took 16.5 µs against 12.8 µs for the 8×8 tiles.
func transposeAVX512(rows, cols int, src []float32, lds int, dst []float32, ldd int) {
	if ldd%16 != 0 {
		transposeAligned(transposeTiles256, 8, rows, cols, src, lds, dst, ldd)
		return
	}
	transposeAligned(transposeTiles512, 16, rows, cols, src, lds, dst, ldd)
}

func transposeAVX2(rows, cols int, src []float32, lds int, dst []float32, ldd int) {
	transposeAligned(transposeTiles256, 8, rows, cols, src, lds, dst, ldd)
}

// transposeAligned transposes with tiles after peeling off, with the 8×8
// and 4×4 tiles, the leading rows that put dst's first column off a
// boundary of lanes floats. When ldd is a multiple of lanes, every dst row
// then starts on that boundary at the same column, so the vector stores of
// the remaining rows never straddle two cache lines. It peels only a
// multiple of 4 rows, which the narrow tiles take whole.
func transposeAligned(tiles []transposeTile, lanes, rows, cols int, src []float32, lds int, dst []float32, ldd int) {
	if ldd%lanes == 0 {
		off := int(uintptr(unsafe.Pointer(unsafe.SliceData(dst)))/4) % lanes
		if p := (lanes - off) % lanes; p%4 == 0 && p > 0 && p < rows {
			transposeTiled(transposeTiles256, p, cols, src, lds, dst, ldd)
			rows, src, dst = rows-p, src[p*lds:], dst[p:]
		}
	}
	transposeTiled(tiles, rows, cols, src, lds, dst, ldd)
}
