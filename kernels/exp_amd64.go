//go:build !purego

package kernels

// The amd64 Exp kernels (exp_avx512_amd64.s, exp_avx2_amd64.s), cut into
// calls of at most asmChunk elements as the other wrappers do.

func init() {
	avx512Impl.exp = func(dst, src []float32) { expInChunks(expAVX512Asm, dst, src) }
	avx2Impl.exp = func(dst, src []float32) { expInChunks(expAVX2Asm, dst, src) }
}

// expAVX512Asm computes dst[i] = e^src[i] for i < len(src) (see Exp), 16
// lanes at a time. len(dst) = len(src).
//
//go:noescape
func expAVX512Asm(dst, src []float32)

// expAVX2Asm is expAVX512Asm with 8 lanes.
//
//go:noescape
func expAVX2Asm(dst, src []float32)

func expInChunks(kernel func(dst, src []float32), dst, src []float32) {
	for len(src) > asmChunk {
		kernel(dst[:asmChunk], src[:asmChunk])
		dst, src = dst[asmChunk:], src[asmChunk:]
	}
	kernel(dst, src)
}
