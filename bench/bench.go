// Package bench measures nnsimd's kernels on this machine: for every kernel,
// implementation (ISA) and size, the time per call, GFLOP/s, GB/s and the
// fraction of this machine's own ceiling, which the bench probes at start:
// the peak FMA rate of one core at each register width and the L1 and L2
// bandwidths (ProbeCeilings).
//
// A kernel's ceiling is its roofline: the longer of its flops at the FMA
// peak and its bytes at the bandwidth of the cache level its working set
// fits in (read-only, or read+write for the kernels that rewrite their
// operand). Rows of an ISA are compared with the probe at that ISA's
// register width; the generic code with the widest, the machine's limit.
//
// RunKernels prints the table; `go run ./bench/kernels` and `nnsimd bench`
// call it. Everything runs on one goroutine locked to its thread, and the
// GEMM on one goroutine unless Options.Threads says otherwise, so the
// figures are one core's. Pin the process (taskset -c 1) for steadier
// numbers.
//
// The command bench/compare, built with the tag openblas (cgo, and
// libopenblas-dev), times OpenBLAS and gonum beside nnsimd at the same
// shapes: `make bench-compare`. The go test benchmarks of the kernels
// package (BenchmarkDot/isa=avx512/n=784, …) give the same measurements in
// benchstat's format: `make bench-go`.
package bench

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/klauspost/cpuid/v2"
	"github.com/nnsimd/nnsimd/kernels"
)

// Options selects what RunKernels and Measure measure. The zero value
// measures every kernel on every ISA this CPU has at full length.
type Options struct {
	// Kernels names the kernels to measure (those of KernelNames; case
	// does not matter); empty means all.
	Kernels []string
	// ISAs names the implementations to measure, as kernels.Use takes them;
	// empty means kernels.Available(). One the CPU lacks is an error.
	ISAs []string
	// Quick measures fewer shapes (those with targets, two GEMMs and the
	// sparse ones) with shorter runs: about a second per ISA instead of
	// ten.
	Quick bool
	// Runs is how many timed runs each measurement takes, the fastest
	// kept; 0 means NewTimer's (15, or 4 when Quick). More runs see
	// further through a busy machine.
	Runs int
	// Threads is how many goroutines one GEMM, GemmSparseRows or
	// OuterUpdateSparseT call may use (kernels.SetThreads; see
	// Shape.parallel); 0 means 1, one core, which is what the ceilings
	// describe. With more, their FMA ceiling is multiplied by
	// min(Threads, runtime.NumCPU()).
	Threads int
}

// Row is one measured kernel × ISA × shape.
type Row struct {
	ISA   string
	Shape Shape
	// NsPerOp is the best time per call over the timed runs.
	NsPerOp float64
	// GFlops and GBs are the rates at NsPerOp (Shape.Flops, Shape.Bytes).
	GFlops, GBs float64
	// Bound names the ceiling the row is compared with: "FMA", "L1", "L2",
	// "L1 rw" or "L2 rw".
	Bound string
	// OfCeiling is the roofline time over NsPerOp: 1 runs at the machine's
	// limit. 0 when the ceiling is unknown (no FMA probe on this machine).
	OfCeiling float64
	// Target is the goal in ns per call for this ISA and shape, or 0.
	Target float64
}

// Report is the outcome of Measure.
type Report struct {
	CPU      string // brand string, "" if unknown
	GOARCH   string
	Threads  int // goroutines a GEMM could use
	Timer    Timer
	Ceilings []Ceiling
	Rows     []Row
}

// RunKernels probes the ceilings, measures the kernels opt selects and
// writes the table to w. The active ISA is restored afterwards. Errors name
// a bad option or report a failed write; the measurements themselves cannot
// fail. Front ends (bench/kernels, `nnsimd bench`) depend on this signature.
func RunKernels(w io.Writer, opt Options) error {
	r, err := Measure(opt)
	if err != nil {
		return err
	}
	return r.WriteTable(w)
}

// Measure probes the ceilings (before and after the kernels, keeping the
// better figures) and times the kernels opt selects, leaving the active ISA
// and thread count as it found them.
func Measure(opt Options) (*Report, error) {
	kernelSet, err := selectKernels(opt.Kernels)
	if err != nil {
		return nil, err
	}
	if opt.Threads < 0 {
		return nil, fmt.Errorf("bench: Options.Threads is %d, want ≥ 0", opt.Threads)
	}
	if opt.Runs < 0 {
		return nil, fmt.Errorf("bench: Options.Runs is %d, want ≥ 0", opt.Runs)
	}
	isas := opt.ISAs
	if len(isas) == 0 {
		isas = kernels.Available()
	}
	saved := kernels.ISA()
	defer kernels.Use(saved)
	for _, isa := range isas {
		if err := kernels.Use(isa); err != nil {
			return nil, fmt.Errorf("bench: Options.ISAs: %w", err)
		}
	}
	if err := kernels.Use(saved); err != nil {
		return nil, err
	}
	threads := max(opt.Threads, 1)
	override := kernels.OverrideThreads(threads)
	defer override.End()

	t := NewTimer(opt.Quick, opt.Runs)
	ceilings, err := ProbeCeilings(t)
	if err != nil {
		return nil, err
	}
	var shapes []Shape
	for _, s := range Shapes(opt.Quick) {
		if kernelSet[s.Kernel] {
			shapes = append(shapes, s)
		}
	}
	loops := make([]func(int), len(shapes))
	for i, s := range shapes {
		if loops[i], err = s.loop(); err != nil {
			return nil, err
		}
	}
	times := make([][]float64, len(shapes))
	for i := range shapes {
		// The ISAs of one shape are timed in alternation, so their ratios
		// hold even when the machine is busy.
		timed := make([]func(int) time.Duration, len(isas))
		for j, isa := range isas {
			run := Elapsed(loops[i])
			timed[j] = func(iters int) time.Duration {
				if err := kernels.Use(isa); err != nil {
					panic(err) // validated above
				}
				return run(iters)
			}
		}
		times[i] = t.NsPerOpEach(timed...)
	}
	// Probed again at the end, keeping the better figure: a busy spell at
	// the start would otherwise lower every ceiling.
	again, err := ProbeCeilings(t)
	if err != nil {
		return nil, err
	}
	for i := range ceilings {
		ceilings[i] = ceilings[i].best(again[i])
	}

	r := &Report{CPU: strings.TrimSpace(cpuid.CPU.BrandName), GOARCH: runtime.GOARCH, Threads: threads, Timer: t, Ceilings: ceilings}
	// Shape-major, so one shape's ISAs sit together in the table.
	for i, s := range shapes {
		for j, ns := range times[i] {
			c := ceilingFor(ceilings, isas[j])
			if s.parallel() {
				c.FMA *= float64(min(threads, runtime.NumCPU()))
			}
			r.Rows = append(r.Rows, newRow(isas[j], s, ns, c))
		}
	}
	return r, nil
}

// selectKernels maps the requested names (any case) to the canonical ones.
func selectKernels(names []string) (map[string]bool, error) {
	set := map[string]bool{}
	if len(names) == 0 {
		for _, k := range KernelNames {
			set[k] = true
		}
		return set, nil
	}
	for _, name := range names {
		i := slices.IndexFunc(KernelNames, func(k string) bool { return strings.EqualFold(k, name) })
		if i < 0 {
			return nil, fmt.Errorf("bench: Options.Kernels: unknown kernel %q (known: %s)", name, strings.Join(KernelNames, ", "))
		}
		set[KernelNames[i]] = true
	}
	return set, nil
}

// newRow derives the rates and the roofline comparison from one timing.
func newRow(isa string, s Shape, ns float64, c Ceiling) Row {
	row := Row{ISA: isa, Shape: s, NsPerOp: ns, GFlops: s.Flops() / ns, GBs: s.Bytes() / ns, Target: target(isa, s)}
	level, read, readWrite := "L1", c.L1Read, c.L1ReadWrite
	if s.workingSet() > L1Limit {
		level, read, readWrite = "L2", c.L2Read, c.L2ReadWrite
	}
	bw := read
	if s.writes() {
		level, bw = level+" rw", readWrite
	}
	memNs := s.Bytes() / bw
	switch {
	case c.FMA > 0 && s.Flops()/c.FMA > memNs:
		row.Bound, row.OfCeiling = "FMA", s.Flops()/c.FMA/ns
	case c.FMA == 0 && s.parallel():
		// Without an FMA probe the roofline of a GEMM (or of the sparse
		// batch kernels, which also use each value loaded many times) is
		// unknown; the memory bound alone would overstate the fraction.
		row.Bound = "FMA"
	default:
		// The level-1 and level-2 kernels do at most one FMA per element
		// loaded, so memory bounds them wherever the peak is unknown.
		row.Bound, row.OfCeiling = level, memNs/ns
	}
	return row
}

// WriteTable writes the report as an aligned text table, after a header
// describing the machine, its ceilings and the timing.
func (r *Report) WriteTable(w io.Writer) error {
	var b strings.Builder
	cpu := r.CPU
	if cpu == "" {
		cpu = "unknown CPU"
	}
	fmt.Fprintf(&b, "# nnsimd kernels on %s (%s); best of %d runs of %v each; Gemm, GemmSparseRows and OuterUpdateSparseT on %d goroutine(s), the rest on one\n",
		cpu, r.GOARCH, r.Timer.Runs, r.Timer.RunTime, r.Threads)
	fmt.Fprintf(&b, "# ceilings of one core, probed now (GB/s):\n")
	fmt.Fprintf(&b, "# %-12s %11s %8s %8s %8s %8s\n", "probe", "FMA GFLOP/s", "L1 read", "L2 read", "L1 r+w", "L2 r+w")
	for _, c := range r.Ceilings {
		fma := "n/a"
		if c.FMA > 0 {
			fma = fmt.Sprintf("%.1f", c.FMA)
		}
		fmt.Fprintf(&b, "# %-12s %11s %8.1f %8.1f %8.1f %8.1f\n", c.Width, fma, c.L1Read, c.L2Read, c.L1ReadWrite, c.L2ReadWrite)
	}
	fmt.Fprintf(&b, "%-18s %-7s %-18s %9s %8s %7s %-5s %7s  %s\n", "kernel", "isa", "shape", "ns/op", "GFLOP/s", "GB/s", "bound", "of ceil", "target (ns)")
	for _, row := range r.Rows {
		gflops := "-"
		if row.Shape.Flops() > 0 {
			gflops = fmt.Sprintf("%.1f", row.GFlops)
		}
		of := "n/a"
		if row.OfCeiling > 0 {
			of = fmt.Sprintf("%.0f%%", 100*row.OfCeiling)
		}
		tgt := ""
		if row.Target > 0 {
			verdict := "met"
			if row.NsPerOp > row.Target {
				verdict = fmt.Sprintf("missed by %.0f%%", 100*(row.NsPerOp/row.Target-1))
			}
			tgt = fmt.Sprintf("≤ %g %s", row.Target, verdict)
		}
		line := fmt.Sprintf("%-18s %-7s %-18s %9s %8s %7.1f %-5s %7s  %s",
			row.Shape.Kernel, row.ISA, row.Shape, formatNs(row.NsPerOp), gflops, row.GBs, row.Bound, of, tgt)
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// formatNs prints a duration in ns with three significant digits.
func formatNs(ns float64) string {
	switch {
	case ns >= 100:
		return fmt.Sprintf("%.0f", ns)
	case ns >= 10:
		return fmt.Sprintf("%.1f", ns)
	}
	return fmt.Sprintf("%.2f", ns)
}
