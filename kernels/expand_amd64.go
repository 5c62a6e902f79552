//go:build !purego

package kernels

func init() {
	avx512Impl.expandNonZeros = expandNonZerosAVX512Asm
	avx512Impl.compressNonZeros = compressNonZerosAVX512Asm
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
