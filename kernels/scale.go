package kernels

// Scale multiplies every element of x by alpha in place (BLAS sscal):
//
//	for i := range x {
//		x[i] *= alpha
//	}
//
// Each element is one float32 multiplication, rounded once, so every
// implementation gives the same bits up to the payload of a NaN. alpha = 0
// is an ordinary multiplication, as written above: NaN and ±Inf elements
// become NaN and negative ones −0. (Gemv and Gemm, like BLAS, instead treat
// beta = 0 as "overwrite".) The use is the momentum step v ← μ·v of a whole
// velocity matrix, where a NaN must survive for divergence to be seen.
func Scale(alpha float32, x []float32) {
	if kernel := active.scale; kernel != nil {
		kernel(alpha, x)
		return
	}
	scaleGeneric(alpha, x)
}

func scaleGeneric(alpha float32, x []float32) {
	for i := range x {
		x[i] *= alpha
	}
}
