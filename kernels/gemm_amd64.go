//go:build !purego

package kernels

// The amd64 GEMM micro-kernels, installed into the implementations here so
// that impl_amd64.go stays the level-1/2 kernels' file.
func init() {
	avx512Impl.gemm = gemmMicro{kernel: gemmKernel12x32AVX512, mr: 12, nr: 32, masksB: true, packBT: packBTransAVX512,
		narrow:       &gemmMicro{kernel: gemmKernel16x16AVX512, mr: 16, nr: 16, masksB: true, viaTile: true},
		narrowTransA: &gemmMicro{kernel: gemmKernelT16AVX512, mr: 16, nr: 16, masksB: true, viaTile: true, unitRowStride: true}}
	avx2Impl.gemm = gemmMicro{kernel: gemmKernel6x16AVX2, mr: 6, nr: 16, packBT: packBTransAVX2}
}

// gemmKernel12x32AVX512 is gemmKernel for a 12×32 tile with AVX-512F: the
// accumulators fill 24 ZMM registers, B and C columns beyond nr are masked
// off (B is read for nr columns only), and the epilogue (alpha, beta, bias,
// relu) runs on the registers before the single store of each row.
//
//go:noescape
func gemmKernel12x32AVX512(kc int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int, mr, nr int, alpha, beta float32, bias []float32, flags int)

// gemmKernel16x16AVX512 is gemmKernel for a 16×16 tile with AVX-512F, for
// products with n ≤ 16: one ZMM accumulator per row, B and C masked to nr
// columns, the epilogue on the registers.
//
//go:noescape
func gemmKernel16x16AVX512(kc int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int, mr, nr int, alpha, beta float32, bias []float32, flags int)

// gemmKernelT16AVX512 is gemmKernel for a 16×16 tile with AVX-512F and
// rsA = 1, for products with n ≤ 16 and a transposed A: the rows run along
// the lanes (one ZMM accumulator per column), so a narrow nr wastes none of
// them. B is read for nr columns only, C and the bias are masked to nr.
//
//go:noescape
func gemmKernelT16AVX512(kc int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int, mr, nr int, alpha, beta float32, bias []float32, flags int)

// gemmKernel6x16AVX2 is gemmKernel for a 6×16 tile with AVX2 and FMA: the
// accumulators fill 12 YMM registers; B is read for all 16 columns, C and the
// bias for nr only, through lane masks.
//
//go:noescape
func gemmKernel6x16AVX2(kc int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int, mr, nr int, alpha, beta float32, bias []float32, flags int)

// packBTransAVX512 is packBTransGeneric for 32-column slivers, with gathers.
func packBTransAVX512(dst []float32, kc, nc, nr int, b []float32, ldb int) {
	if nr != 32 || !packBTransFits(dst, kc, nc, nr, b, ldb) {
		packBTransGeneric(dst, kc, nc, nr, b, ldb)
		return
	}
	gemmPackBT32AVX512(dst, kc, nc, b, ldb)
}

// packBTransAVX2 is packBTransGeneric for 16-column slivers, with gathers.
func packBTransAVX2(dst []float32, kc, nc, nr int, b []float32, ldb int) {
	if nr != 16 || !packBTransFits(dst, kc, nc, nr, b, ldb) {
		packBTransGeneric(dst, kc, nc, nr, b, ldb)
		return
	}
	gemmPackBT16AVX2(dst, kc, nc, b, ldb)
}

// packBTransFits reports whether the gathering packers may run: the gather
// offsets j·ldb of a sliver must fit in int32, and the slices must hold
// what the assembly touches (the Go packer would panic otherwise).
func packBTransFits(dst []float32, kc, nc, nr int, b []float32, ldb int) bool {
	return ldb < 1<<26 && len(b) >= (nc-1)*ldb+kc && len(dst) >= (nc+nr-1)/nr*nr*kc
}

// gemmPackBT32AVX512 packs a kc×nc block of op(B) = Bᵀ into 32-column
// slivers, as packBTransGeneric does with nr = 32:
//
//	for j := 0; j < (nc+31)/32*32; j++ {
//		for p := 0; p < kc; p++ {
//			v := float32(0)
//			if j < nc {
//				v = b[j*ldb+p]
//			}
//			dst[(j/32)*kc*32+p*32+j%32] = v
//		}
//	}
//
//go:noescape
func gemmPackBT32AVX512(dst []float32, kc, nc int, b []float32, ldb int)

// gemmPackBT16AVX2 packs a kc×nc block of op(B) = Bᵀ into 16-column slivers,
// as packBTransGeneric does with nr = 16 (see gemmPackBT32AVX512).
//
//go:noescape
func gemmPackBT16AVX2(dst []float32, kc, nc int, b []float32, ldb int)
