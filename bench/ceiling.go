package bench

import (
	"time"

	"github.com/nnsimd/nnsimd/kernels"
)

// Ceiling is what one core of this machine sustains at one register width,
// probed by the bench itself at start-up.
type Ceiling struct {
	// Width names the probe: "zmm" or "ymm" for the amd64 assembly loops,
	// or "kernels/<isa>" where no assembly probe exists (arm64, purego) and
	// the bandwidths were measured with kernels.Dot and kernels.Axpy under
	// the best ISA.
	Width string
	// FMA is the peak rate of fused multiply-adds in GFLOP/s (one FMA is two
	// flops), from twelve independent accumulator chains; 0 when unknown.
	FMA float64
	// L1Read and L2Read are dot-style read bandwidths in GB/s: two streams
	// read together, over L1Set and L2Set bytes in all.
	L1Read, L2Read float64
	// L1ReadWrite and L2ReadWrite are axpy-style bandwidths in GB/s
	// (y += a·x: x and y read, y written, 12 bytes per element).
	L1ReadWrite, L2ReadWrite float64
}

// The working sets of the bandwidth probes, and the largest kernel working
// set still compared with the L1 figures. The L1 data caches of the CPUs we
// target hold 32–64 KiB, so 16 KiB stays in L1 with room for the stack, and
// kernels touching up to 32 KiB run mostly from L1; 1 MiB is past L1 and
// within L2 (2 MiB per core on the Sapphire Rapids the targets were set on,
// 1 MiB on Skylake-SP).
const (
	L1Set   = 16 << 10
	L2Set   = 1 << 20
	L1Limit = 32 << 10
)

// probe is one way of measuring the ceilings: the amd64 assembly loops at
// one register width, or the kernels themselves.
type probe struct {
	width string
	lanes int // float32 lanes per register; 0 if fma is nil
	block int // dot and axpy lengths must be multiples of this
	// fma runs iters iterations of 12 independent chains acc = a·acc + b.
	fma  func(iters int, a, b float32) float32
	dot  func(x, y []float32, passes int) float32
	axpy func(alpha float32, x, y []float32, passes int)
}

// kernelsProbe measures bandwidth through the exported kernels under
// whatever ISA is active; it knows no FMA peak.
var kernelsProbe = probe{
	block: 1,
	dot: func(x, y []float32, passes int) float32 {
		var s float32
		for range passes {
			s += kernels.Dot(x, y)
		}
		return s
	},
	axpy: func(alpha float32, x, y []float32, passes int) {
		for range passes {
			kernels.Axpy(alpha, x, y)
		}
	},
}

// sink keeps the probes' and kernels' results alive.
var sink float32

// ProbeCeilings measures this machine's ceilings for every register width
// the bench has a probe for, widest first. The figures are the denominators
// of every fraction, and a busy machine only ever makes them too low, so
// each takes the best of at least 30 runs no longer than 500 µs (or t's,
// if more or shorter). Where there is no assembly probe it returns one
// Ceiling measured through the kernels under the best available ISA, with
// FMA 0.
func ProbeCeilings(t Timer) ([]Ceiling, error) {
	probes := asmProbes()
	if len(probes) == 0 {
		best := kernels.Available()[0]
		saved := kernels.ISA()
		if err := kernels.Use(best); err != nil {
			return nil, err
		}
		defer kernels.Use(saved)
		p := kernelsProbe
		p.width = "kernels/" + best
		probes = []probe{p}
	}
	t.Runs = max(t.Runs, 30)
	t.RunTime = min(t.RunTime, 500*time.Microsecond)
	var cs []Ceiling
	for _, p := range probes {
		cs = append(cs, p.measure(t))
	}
	return cs, nil
}

func (p probe) measure(t Timer) Ceiling {
	c := Ceiling{Width: p.width}
	if p.fma != nil {
		// Converges to b/(1−a) = 1: no overflow, no denormals.
		ns := t.NsPerOp(Elapsed(func(iters int) { sink += p.fma(iters, 0.9999999, 1e-7) }))
		c.FMA = float64(12*2*p.lanes) / ns
	}
	c.L1Read, c.L1ReadWrite = p.bandwidth(t, L1Set)
	c.L2Read, c.L2ReadWrite = p.bandwidth(t, L2Set)
	return c
}

// bandwidth returns the read and read+write figures (GB/s) over working
// sets of set bytes: x and y of set/8 floats each.
func (p probe) bandwidth(t Timer, set int) (read, readWrite float64) {
	n := set / 8 / p.block * p.block
	x, y := Aligned(n), Aligned(n)
	for i := range x {
		x[i] = 1 + float32(i%7)*1e-3
		y[i] = 1 - float32(i%5)*1e-3
	}
	ns := t.NsPerOp(Elapsed(func(iters int) { sink += p.dot(x, y, iters) }))
	read = float64(8*n) / ns
	// A tiny alpha keeps y near 1 however many passes run.
	ns = t.NsPerOp(Elapsed(func(iters int) { p.axpy(1e-7, x, y, iters) }))
	readWrite = float64(12*n) / ns
	return read, readWrite
}

// ceilingFor picks the ceiling an ISA's rows are compared with: the probe at
// the ISA's register width, else the first (widest) one, which is the
// machine's limit for the generic code too.
func ceilingFor(cs []Ceiling, isa string) Ceiling {
	width := map[string]string{"avx512": "zmm", "avx2": "ymm"}[isa]
	for _, c := range cs {
		if c.Width == width {
			return c
		}
	}
	if len(cs) == 0 {
		return Ceiling{}
	}
	return cs[0]
}

// best combines two probes of the same width figure by figure: interference
// only ever lowers a figure, so the higher one is nearer the truth.
func (c Ceiling) best(d Ceiling) Ceiling {
	return Ceiling{
		Width:       c.Width,
		FMA:         max(c.FMA, d.FMA),
		L1Read:      max(c.L1Read, d.L1Read),
		L2Read:      max(c.L2Read, d.L2Read),
		L1ReadWrite: max(c.L1ReadWrite, d.L1ReadWrite),
		L2ReadWrite: max(c.L2ReadWrite, d.L2ReadWrite),
	}
}
