package kernels

// The generic implementation: plain Go, the reference for the assembly and
// the fallback on CPUs (or builds) without it. The loops keep four partial
// sums so the compiler can overlap the additions.

var genericImpl = &impl{
	name:         "generic",
	usable:       func(features) bool { return true },
	dot:          dotGeneric,
	axpy:         axpyGeneric,
	outerUpdate:  outerUpdateGeneric,
	relu:         reluGeneric,
	reluBackward: reluBackwardGeneric,
	gemvN:        gemvNGeneric,
	gemvT:        gemvTGeneric,
	gemm:         gemmMicro{kernel: gemmKernelGeneric, mr: 4, nr: 4, masksB: true},
}

func dotGeneric(x, y []float32) float32 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func axpyGeneric(alpha float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

func outerUpdateGeneric(alpha float32, x, y []float32, a []float32, lda int) {
	for i, xi := range x {
		axpyGeneric(alpha*xi, y, a[i*lda:i*lda+len(y)])
	}
}

func reluGeneric(dst, src []float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		if v > 0 {
			dst[i] = v
		} else {
			dst[i] = 0
		}
	}
}

func reluBackwardGeneric(delta, act []float32) {
	act = act[:len(delta)]
	for i, v := range act {
		if !(v > 0) {
			delta[i] = 0
		}
	}
}

func gemvNGeneric(m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32) {
	for i := 0; i < m; i++ {
		s := alpha * dotGeneric(a[i*lda:i*lda+n], x)
		if beta != 0 {
			s += beta * y[i]
		}
		y[i] = s
	}
}

func gemvTGeneric(m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32) {
	scale(beta, y)
	for i := 0; i < m; i++ {
		axpyGeneric(alpha*x[i], a[i*lda:i*lda+n], y)
	}
}
