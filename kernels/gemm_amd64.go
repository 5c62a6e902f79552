//go:build !purego

package kernels

// The amd64 GEMM micro-kernels, installed into the implementations here so
// that impl_amd64.go stays the level-1/2 kernels' file.
func init() {
	avx512Impl.gemm = gemmMicro{kernel: gemmKernel12x32AVX512, mr: 12, nr: 32, masksB: true, packBT: packBTransAVX512,
		narrow:       &gemmMicro{kernel: gemmKernel16x16AVX512, mr: 16, nr: 16, masksB: true, viaTile: true, storesWhole: true},
		narrowTransA: &gemmMicro{kernel: gemmKernelT16AVX512, mr: 16, nr: 16, masksB: true, viaTile: true, storesWhole: true, unitRowStride: true}}
	avx2Impl.gemm = gemmMicro{kernel: gemmKernel6x16AVX2, mr: 6, nr: 16, packBT: packBTransAVX2, packAT: packATransAVX2}
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
// them. B is read for nr columns only, C and the bias are masked to nr,
// except where whole-vector stores may run over (see gemmMicro.storesWhole).
//
//go:noescape
func gemmKernelT16AVX512(kc int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int, mr, nr int, alpha, beta float32, bias []float32, flags int)

// gemmKernel6x16AVX2 is gemmKernel for a 6×16 tile with AVX2 and FMA: the
// accumulators fill 12 YMM registers; B is read for all 16 columns, C and the
// bias for nr only, through lane masks.
//
//go:noescape
func gemmKernel6x16AVX2(kc int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int, mr, nr int, alpha, beta float32, bias []float32, flags int)

// packBTransAVX512 is packBTransGeneric for 32-column slivers: 16×16 blocks
// transposed in registers, gathers for the rest.
func packBTransAVX512(dst []float32, kc, nc, nr int, b []float32, ldb int) {
	if nr != 32 || !packBTransFits(dst, kc, nc, nr, b, ldb) {
		packBTransGeneric(dst, kc, nc, nr, b, ldb)
		return
	}
	if kc < 16 {
		gemmPackBT32AVX512(dst, kc, nc, b, ldb)
		return
	}
	// Half slivers: the full ones go through the in-register transpose,
	// 1.7 times as fast as gathering (dX 64×784×128: 15 → 9 µs of packing).
	for s := 0; s*32 < nc; s++ {
		for q := 0; q < 2; q++ {
			j := s*32 + q*16
			cols := min(max(nc-j, 0), 16)
			var col []float32
			if cols > 0 {
				col = b[j*ldb:]
			}
			gemmPackBTHalfAVX512(dst[s*kc*32+q*16:], kc, cols, col, ldb)
		}
	}
}

// packBTransAVX2 is packBTransGeneric for 16-column slivers: 8×8 blocks
// transposed in registers, gathers for the rest.
func packBTransAVX2(dst []float32, kc, nc, nr int, b []float32, ldb int) {
	if nr != 16 || !packBTransFits(dst, kc, nc, nr, b, ldb) {
		packBTransGeneric(dst, kc, nc, nr, b, ldb)
		return
	}
	if kc < 8 {
		gemmPackBT16AVX2(dst, kc, nc, b, ldb)
		return
	}
	// Half slivers: the full ones go through the in-register transpose,
	// 1.3 times as fast as gathering (dX 64×784×128: 12.8 → 10 µs).
	for s := 0; s*16 < nc; s++ {
		for q := 0; q < 2; q++ {
			j := s*16 + q*8
			cols := min(max(nc-j, 0), 8)
			var col []float32
			if cols > 0 {
				col = b[j*ldb:]
			}
			gemmPackBTHalfAVX2(dst[s*kc*16+q*8:], kc, cols, col, ldb)
		}
	}
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

// gemmPackBTHalfAVX512 packs columns 0..cols-1 (cols ≤ 16) of a kc×16 block
// of op(B) = Bᵀ into one half of a 32-column sliver, zero-filling the other
// columns:
//
//	for p := 0; p < kc; p++ {
//		for jj := 0; jj < 16; jj++ {
//			v := float32(0)
//			if jj < cols {
//				v = b[jj*ldb+p]
//			}
//			dst[p*32+jj] = v
//		}
//	}
//
//go:noescape
func gemmPackBTHalfAVX512(dst []float32, kc, cols int, b []float32, ldb int)

// gemmPackBTHalfAVX2 packs columns 0..cols-1 (cols ≤ 8) of a kc×8 block of
// op(B) = Bᵀ into one half of a 16-column sliver, zero-filling the other
// columns, as gemmPackBTHalfAVX512 does for 32-column slivers:
//
//	for p := 0; p < kc; p++ {
//		for jj := 0; jj < 8; jj++ {
//			v := float32(0)
//			if jj < cols {
//				v = b[jj*ldb+p]
//			}
//			dst[p*16+jj] = v
//		}
//	}
//
//go:noescape
func gemmPackBTHalfAVX2(dst []float32, kc, cols int, b []float32, ldb int)

// packATransAVX2 is packATransGeneric for 6-row slivers.
func packATransAVX2(dst []float32, kc, slivers, mr int, a []float32, lda int) {
	if mr != 6 || len(dst) < slivers*kc*mr || len(a) < (kc-1)*lda+slivers*mr {
		packATransGeneric(dst, kc, slivers, mr, a, lda)
		return
	}
	gemmPackAT6AVX2(dst, kc, slivers, a, lda)
}

// gemmPackAT6AVX2 packs slivers·6 rows of a transposed A, k steps 0..kc-1,
// as packATransGeneric does with mr = 6.
//
//go:noescape
func gemmPackAT6AVX2(dst []float32, kc, slivers int, a []float32, lda int)
