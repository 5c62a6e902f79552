//go:build !purego

package kernels

import "math/bits"

func init() {
	avx512Impl.expandNonZeros = expandNonZerosAVX512Asm
	avx512Impl.compressNonZeros = compressNonZerosAVX512Asm
	avx2Impl.expandNonZeros = expandNonZerosAVX2Asm
	avx2Impl.compressNonZeros = compressNonZerosAVX2Asm
}

// expandNonZerosAVX512Asm is expandNonZerosGeneric in AVX-512F (with
// POPCNT, which every AVX-512 CPU has).
//
//go:noescape
func expandNonZerosAVX512Asm(x []float32, idx []int32, bits []uint16, vals []float32) int

// compressNonZerosAVX512Asm is compressNonZerosGeneric in AVX-512F (with
// POPCNT).
//
//go:noescape
func compressNonZerosAVX512Asm(bits []uint16, vals, x []float32) (count int, finite bool)

// expandNonZerosAVX2Asm is expandNonZerosGeneric in AVX2 (with POPCNT),
// eight entries at a time through expandAVX2Table.
//
//go:noescape
func expandNonZerosAVX2Asm(x []float32, idx []int32, bits []uint16, vals []float32) int

// compressNonZerosAVX2Asm is compressNonZerosGeneric in AVX2+FMA (with
// POPCNT), eight entries at a time, packed through expandAVX2Table.
//
//go:noescape
func compressNonZerosAVX2Asm(bits []uint16, vals, x []float32) (count int, finite bool)

// expandAVX2Table stands in for AVX-512's VEXPANDPS and VPCOMPRESSD: for
// each byte m of a mask (eight entries), expandAVX2Table[0][m][j] is the
// lane of the packed values that goes to lane j (7, a lane the masked
// load left zero, where bit j is clear), with its sign bit set for the
// first popcount(m) lanes: sign-extended, one vector is both the
// VMASKMOVPS mask that loads those values and the VPERMPS indices
// (only the low three bits count) that spread them out.
// expandAVX2Table[1][m][k] is the position of the k-th set bit of m
// (0 past the last): as VPERMPS indices, it packs the set lanes, as
// compressNonZerosAVX2Asm does. Bytes rather than dwords keep both
// tables in 4 KB.
var expandAVX2Table = func() (t [2][256][8]uint8) {
	for m := range 256 {
		n := bits.OnesCount8(uint8(m))
		k := 0
		for j := range 8 {
			t[0][m][j] = 7
			if m>>j&1 == 1 {
				t[0][m][j] = uint8(k)
				t[1][m][k] = uint8(j)
				k++
			}
			if j < n {
				t[0][m][j] |= 0x80
			}
		}
	}
	return t
}()
