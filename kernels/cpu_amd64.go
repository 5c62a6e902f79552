//go:build !purego

package kernels

import "github.com/klauspost/cpuid/v2"

// cpuFeatures reads the CPU's features once per call; cpuid has probed them
// (including the operating system's support for YMM/ZMM state) at start-up.
func cpuFeatures() features {
	return features{
		avx2FMA: cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3),
		avx512F: cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX2, cpuid.FMA3),
	}
}

func archImpls() []*impl { return []*impl{avx512Impl, avx2Impl} }
