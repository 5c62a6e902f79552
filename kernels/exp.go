package kernels

import (
	"fmt"
	"math"
)

// Exp writes e^src[i] to dst[i], in float32:
//
//	for i, x := range src {
//		dst[i] = float32(math.Exp(float64(x)))
//	}
//
// within 2 units in the last place, except that results below float32's
// normal range are 0: x < ExpMin (−87.33654, where e^x falls below
// 2⁻¹²⁶) gives 0 rather than a subnormal, which later arithmetic on x86
// would slow down with microcode assists. x ≥ 88.72284 gives +Inf, as
// rounding does, −Inf gives 0 and NaN stays NaN. dst and src must be the
// same slice or not overlap. The use is the softmax of a batch's logits:
// the assembly takes a vector of 16 (8 with AVX2) in the time math.Exp
// takes one element. It panics unless len(dst) == len(src).
func Exp(dst, src []float32) {
	if len(dst) != len(src) {
		panic(fmt.Sprintf("kernels: Exp: len(dst) = %d, want len(src) = %d", len(dst), len(src)))
	}
	if kernel := active.exp; kernel != nil {
		kernel(dst, src)
		return
	}
	expGeneric(dst, src)
}

// ExpMin is the least x for which Exp gives a non-zero e^x: ln 2⁻¹²⁶
// rounded up to float32.
const ExpMin = -87.33654

func expGeneric(dst, src []float32) {
	for i, x := range src {
		if x < ExpMin {
			dst[i] = 0
			continue
		}
		dst[i] = float32(math.Exp(float64(x)))
	}
}
