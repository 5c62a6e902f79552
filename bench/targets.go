package bench

// targets are the goals for the AVX-512 kernels on the project's
// reference machine (a Sapphire-Rapids-class Xeon), in ns per call: about
// what OpenBLAS reaches there, or the L1/L2 roofline where it does not.
var targets = map[Shape]float64{
	{Kernel: Dot, N: 128}:                        7,
	{Kernel: Dot, N: 784}:                        25,
	{Kernel: Dot, N: 4096}:                       100,
	{Kernel: Axpy, N: 4096}:                      115,
	{Kernel: OuterUpdate, M: 784, N: 128}:        6000,
	{Kernel: Gemv, M: 784, N: 128}:               3000,
	{Kernel: Gemv, M: 784, N: 128, TransA: true}: 3000,
	{Kernel: Relu, N: 4096}:                      90,
}

// targetISA is the implementation the targets were set for.
const targetISA = "avx512"

// target returns the goal for isa running s, or 0 if there is none.
func target(isa string, s Shape) float64 {
	if isa != targetISA {
		return 0
	}
	return targets[s]
}
