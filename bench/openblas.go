package bench

import (
	"runtime"
	"strings"

	"github.com/klauspost/cpuid/v2"
)

// openBLASGenericCore is the core a DYNAMIC_ARCH OpenBLAS falls back to on
// an x86-64 CPU model it does not know: Debian's 0.3.21 on Emerald Rapids
// takes its SSE3 kernels, 4–5× slower at sgemm than its AVX-512 ones.
const openBLASGenericCore = "Prescott"

// BetterOpenBLASCore returns the OPENBLAS_CORETYPE of OpenBLAS's fastest
// kernels this CPU can run, when OpenBLAS reported picking its generic
// core: a comparison with those would measure OpenBLAS's CPU table, not
// its kernels. ok is false when reported is any other core, or when no
// better one fits.
func BetterOpenBLASCore(reported string) (core string, ok bool) {
	if runtime.GOARCH != "amd64" || !strings.EqualFold(strings.TrimSpace(reported), openBLASGenericCore) {
		return "", false
	}
	switch {
	case cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512BW, cpuid.AVX512DQ, cpuid.AVX512VL):
		return "SkylakeX", true
	case cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3):
		return "Haswell", true
	}
	return "", false
}
