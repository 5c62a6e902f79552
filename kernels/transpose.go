package kernels

// Transpose writes the transpose of the rows×cols matrix src (leading
// dimension lds ≥ cols) into dst (cols×rows, leading dimension ldd ≥ rows):
//
//	for i := 0; i < rows; i++ {
//		for j := 0; j < cols; j++ {
//			dst[j*ldd+i] = src[i*lds+j]
//		}
//	}
//
// Elements of dst outside the cols×rows block are untouched, and values are
// copied bit for bit (NaN payloads included). Mini-batch training uses it to
// turn the batch input X (batch×inputs) into Xᵀ, so that each input's batch
// values are contiguous. src and dst must not overlap. It panics on a
// negative dimension, a leading dimension below the row length, or a slice
// too short for its matrix; rows == 0 or cols == 0 does nothing.
func Transpose(rows, cols int, src []float32, lds int, dst []float32, ldd int) {
	checkMatrix("Transpose", "src", rows, cols, src, lds)
	checkMatrix("Transpose", "dst", cols, rows, dst, ldd)
	if rows == 0 || cols == 0 {
		return
	}
	if f := active.transpose; f != nil {
		f(rows, cols, src, lds, dst, ldd)
		return
	}
	transposeGeneric(rows, cols, src, lds, dst, ldd)
}

// transposeGenericTile is the side of the square blocks transposeGeneric
// visits: 16×16 floats of src and of dst, 2 KiB together, stay in L1 while
// the strided writes of one block go out.
const transposeGenericTile = 16

func transposeGeneric(rows, cols int, src []float32, lds int, dst []float32, ldd int) {
	for i0 := 0; i0 < rows; i0 += transposeGenericTile {
		i1 := min(i0+transposeGenericTile, rows)
		for j0 := 0; j0 < cols; j0 += transposeGenericTile {
			j1 := min(j0+transposeGenericTile, cols)
			for i := i0; i < i1; i++ {
				for k, v := range src[i*lds+j0 : i*lds+j1] {
					dst[(j0+k)*ldd+i] = v
				}
			}
		}
	}
}

// transposeBandRows bounds the rows one assembly call covers. The kernels
// walk down each strip of tile-wide columns before the next, so the strip's
// src cache lines (whose other parts the next strip reads) and the dst row
// segments must stay in L1: 64 rows keep 4 KiB of src lines and write dst
// segments of 256 bytes. On 128×784 and 784×128, 64 rows measured as fast
// as 32 and faster than 16, 128, 256 or whole matrices per call.
const transposeBandRows = 64

// transposeTile is an assembly routine that transposes (as Transpose, with
// rows, cols ≥ 0) matrices of size×size tiles: cols must be a multiple of
// size and rows one of rowAlign, which divides size; the last tile of a
// column strip may be rowAlign rows short of size. transposeTiled calls it
// on at most chunk elements at a time.
type transposeTile struct {
	size, rowAlign int
	chunk          int
	run            func(rows, cols int, src []float32, lds int, dst []float32, ldd int)
}

// transposeTiled transposes the largest block tiles[0] takes (its columns
// a multiple of size, its rows one of rowAlign), then the right strip (the
// leftover columns, all rows) and the bottom strip (the leftover rows under
// the block) with the remaining routines in the same way, and what no
// routine takes with the generic code. The block goes in calls of at most transposeBandRows rows
// and chunk elements, each with its arguments resliced to exactly the
// elements it may touch, so the assembly can neither overrun a slice nor
// hold off preemption for long.
func transposeTiled(tiles []transposeTile, rows, cols int, src []float32, lds int, dst []float32, ldd int) {
	if rows == 0 || cols == 0 {
		return
	}
	if len(tiles) == 0 {
		transposeGeneric(rows, cols, src, lds, dst, ldd)
		return
	}
	t := tiles[0]
	rb, cb := rows-rows%t.rowAlign, cols-cols%t.size
	if rb > 0 && cb > 0 {
		colStep := min(cb, max(t.size, t.chunk/t.size/t.size*t.size))
		rowStep := max(t.size, min(transposeBandRows, t.chunk/colStep)/t.size*t.size)
		for j := 0; j < cb; j += colStep {
			w := min(colStep, cb-j)
			for i := 0; i < rb; i += rowStep {
				h := min(rowStep, rb-i)
				s, d := i*lds+j, j*ldd+i
				t.run(h, w, src[s:s+(h-1)*lds+w], lds, dst[d:d+(w-1)*ldd+h], ldd)
			}
		}
	}
	if cb < cols {
		transposeTiled(tiles[1:], rows, cols-cb, src[cb:], lds, dst[cb*ldd:], ldd)
	}
	if rb < rows {
		transposeTiled(tiles[1:], rows-rb, cb, src[rb*lds:], lds, dst[rb:], ldd)
	}
}
