package bench

import (
	"bytes"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/klauspost/cpuid/v2"

	"github.com/nnsimd/nnsimd/kernels"
)

// One quick run: a row per kernel × available ISA, every figure positive and
// finite, each in the printed table, and the active ISA left as it was.
func TestRunKernelsQuick(t *testing.T) {
	before := kernels.ISA()
	r, err := Measure(Options{Quick: true, Runs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if r.Timer.Runs != 2 {
		t.Errorf("Measure with Runs 2 timed %d runs", r.Timer.Runs)
	}
	if after := kernels.ISA(); after != before {
		t.Errorf("Measure left ISA %q active, want %q", after, before)
	}
	var buf bytes.Buffer
	if err := r.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	table := buf.String()
	t.Log("\n" + table)

	finite := func(v float64) bool { return v > 0 && !math.IsInf(v, 0) && !math.IsNaN(v) }
	seen := map[[2]string]bool{}
	for _, row := range r.Rows {
		seen[[2]string{row.Shape.Kernel, row.ISA}] = true
		if !finite(row.NsPerOp) || !finite(row.GBs) || row.Shape.Flops() > 0 && !finite(row.GFlops) {
			t.Errorf("%s %s %s: implausible figures %+v", row.Shape.Kernel, row.ISA, row.Shape, row)
		}
		if row.Bound == "" {
			t.Errorf("%s %s %s: no bound", row.Shape.Kernel, row.ISA, row.Shape)
		}
		if row.OfCeiling < 0 || math.IsInf(row.OfCeiling, 0) || math.IsNaN(row.OfCeiling) {
			t.Errorf("%s %s %s: fraction of ceiling %v", row.Shape.Kernel, row.ISA, row.Shape, row.OfCeiling)
		}
		line := row.Shape.Kernel + " "
		if !strings.Contains(table, line) || !strings.Contains(table, " "+row.Shape.String()+" ") {
			t.Errorf("table lacks a line for %s %s", row.Shape.Kernel, row.Shape)
		}
	}
	for _, k := range KernelNames {
		for _, isa := range kernels.Available() {
			if !seen[[2]string{k, isa}] {
				t.Errorf("no row for %s on %s", k, isa)
			}
		}
	}
	if len(r.Ceilings) == 0 || !strings.Contains(table, "# "+r.Ceilings[0].Width) {
		t.Errorf("table lacks the ceilings %+v", r.Ceilings)
	}
}

func TestOptionsErrors(t *testing.T) {
	for _, tc := range []struct {
		opt  Options
		want string
	}{
		{Options{Kernels: []string{"dot", "Sgemm"}}, `unknown kernel "Sgemm"`},
		{Options{ISAs: []string{"sse9"}}, `unknown ISA "sse9"`},
		{Options{Threads: -1}, "Options.Threads is -1"},
		{Options{Runs: -3}, "Options.Runs is -3"},
	} {
		var buf bytes.Buffer
		err := RunKernels(&buf, tc.opt)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("RunKernels(%+v) = %v, want an error containing %q", tc.opt, err, tc.want)
		}
		if buf.Len() != 0 {
			t.Errorf("RunKernels(%+v) wrote %q before failing", tc.opt, buf.String())
		}
	}
}

// Kernel names are matched in any case, and only the named ones run.
func TestSelectKernels(t *testing.T) {
	set, err := selectKernels([]string{"gemv", "RELUBACKWARD"})
	if err != nil {
		t.Fatal(err)
	}
	if len(set) != 2 || !set[Gemv] || !set[ReluBackward] {
		t.Errorf("selectKernels = %v, want Gemv and ReluBackward", set)
	}
}

// The roofline: the longer of compute and memory time, at the bandwidth of
// the level the working set fits in.
func TestNewRow(t *testing.T) {
	c := Ceiling{Width: "zmm", FMA: 200, L1Read: 400, L2Read: 100, L1ReadWrite: 300, L2ReadWrite: 50}
	for _, tc := range []struct {
		s         Shape
		ns        float64
		bound     string
		ofCeiling float64
	}{
		// 8·784 bytes in L1 at 400 GB/s = 15.68 ns; 2·784 flops take 7.84.
		{Shape{Kernel: Dot, N: 784}, 31.36, "L1", 0.5},
		// 64 KiB + 64 KiB: past L1, 524288 bytes at 100 GB/s.
		{Shape{Kernel: Dot, N: 1 << 16}, 5242.88, "L2", 1},
		// Axpy rewrites y: 12·4096 bytes at 300 GB/s = 163.84 ns.
		{Shape{Kernel: Axpy, N: 4096}, 327.68, "L1 rw", 0.5},
		{Shape{Kernel: Relu, N: 4096}, 8 * 4096 / 300.0, "L1 rw", 1},
		// 2·128·128·784 flops at 200 GFLOP/s = 128450.56 ns.
		{Shape{Kernel: Gemm, M: 128, N: 128, K: 784}, 4 * 128450.56, "FMA", 0.25},
	} {
		row := newRow("avx512", tc.s, tc.ns, c)
		if row.Bound != tc.bound || math.Abs(row.OfCeiling-tc.ofCeiling) > 1e-9 {
			t.Errorf("%s %s at %v ns: bound %q, %.4f of ceiling; want %q, %.4f", tc.s.Kernel, tc.s, tc.ns, row.Bound, row.OfCeiling, tc.bound, tc.ofCeiling)
		}
	}
	// With no FMA probe a GEMM's ceiling is unknown, not its memory bound.
	row := newRow("neon", Shape{Kernel: Gemm, M: 128, N: 128, K: 784}, 1e6, Ceiling{L1Read: 1, L2Read: 1, L1ReadWrite: 1, L2ReadWrite: 1})
	if row.OfCeiling != 0 {
		t.Errorf("GEMM without an FMA probe: %.3f of ceiling, want 0 (unknown)", row.OfCeiling)
	}
	row = newRow("neon", Shape{Kernel: Dot, N: 784}, 6272, Ceiling{L1Read: 2, L2Read: 1, L1ReadWrite: 1, L2ReadWrite: 1})
	if row.Bound != "L1" || row.OfCeiling != 0.5 {
		t.Errorf("Dot without an FMA probe: bound %q, %.3f of ceiling; want L1, 0.5", row.Bound, row.OfCeiling)
	}
	if row := newRow("avx512", Shape{Kernel: Dot, N: 128}, 10, c); row.Target != 7 {
		t.Errorf("Dot n=128 on avx512: target %v, want 7", row.Target)
	}
	if row := newRow("avx2", Shape{Kernel: Dot, N: 128}, 10, c); row.Target != 0 {
		t.Errorf("Dot n=128 on avx2: target %v, want none (targets are for avx512)", row.Target)
	}
}

func TestShapeCounts(t *testing.T) {
	for _, tc := range []struct {
		s            Shape
		name         string
		flops, bytes float64
	}{
		{Shape{Kernel: Axpy, N: 4096}, "n=4096", 8192, 12 * 4096},
		{Shape{Kernel: OuterUpdate, M: 784, N: 128}, "784x128", 2 * 784 * 128, 8*784*128 + 4*(784+128)},
		{Shape{Kernel: Gemv, M: 784, N: 128, TransA: true}, "T 784x128", 2 * 784 * 128, 4*784*128 + 4*(784+128)},
		{Shape{Kernel: Gemm, M: 64, N: 784, K: 128, TransB: true}, "NT 64x784x128", 2 * 64 * 784 * 128, 4 * (64*128 + 128*784 + 64*784)},
		{Shape{Kernel: ReluBackward, N: 10}, "n=10", 0, 80},
		{Shape{Kernel: GemvTRows, M: 784, N: 128, NZ: 150}, "784x128 nz=150", 2 * 150 * 128, 4*150*128 + 8*150 + 8*128},
		{Shape{Kernel: OuterUpdateRows, M: 784, N: 128, NZ: 150}, "784x128 nz=150", 2 * 150 * 128, 8*150*128 + 8*150 + 4*128},
		{Shape{Kernel: GemmSparseRows, M: 128, N: 128, K: 784, NZ: 150}, "128x128x784 nz=150", 2 * 128 * 150 * 128, 4*784*128 + 8*128*150 + 8*128*128},
		{Shape{Kernel: OuterUpdateSparseT, M: 784, N: 128, K: 128, NZ: 150}, "784x128x128 nz=150", 2 * 128 * 150 * 128, 4*784*128 + 4*128*128 + 8*784*128},
		{Shape{Kernel: GemvNRows, M: 128, N: 10, NZ: 64}, "128x10 nz=64", 2 * 64 * 10, 4*64*10 + 8*64 + 4*10},
		{Shape{Kernel: CompressNonZeros, N: 784, NZ: 150}, "n=784 nz=150", 0, 4*784 + 98 + 4*150},
		{Shape{Kernel: ExpandNonZeros, N: 784, NZ: 150}, "n=784 nz=150", 0, 98 + 8*150 + 4*784},
	} {
		if got := tc.s.String(); got != tc.name {
			t.Errorf("%+v: String() = %q, want %q", tc.s, got, tc.name)
		}
		if got := tc.s.Flops(); got != tc.flops {
			t.Errorf("%s %s: Flops() = %v, want %v", tc.s.Kernel, tc.s, got, tc.flops)
		}
		if got := tc.s.Bytes(); got != tc.bytes {
			t.Errorf("%s %s: Bytes() = %v, want %v", tc.s.Kernel, tc.s, got, tc.bytes)
		}
	}
}

// Every shape can be set up and run once (through whatever ISA is active);
// a wrong leading dimension or operand length would panic here.
func TestShapeLoops(t *testing.T) {
	for _, s := range Shapes(false) {
		loop, err := s.loop()
		if err != nil {
			t.Fatal(err)
		}
		loop(1)
	}
	if _, err := (Shape{Kernel: "Conv"}).loop(); err == nil {
		t.Error(`Shape{Kernel: "Conv"}.loop() succeeded, want an error`)
	}
}

// positions gives the sparse shapes exactly their non-zeros: distinct,
// ascending and in range, so that their flop counts hold.
func TestPositions(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, c := range [][2]int{{784, 150}, {10, 10}, {10, 0}, {1, 1}} {
		n, nz := c[0], c[1]
		ps := positions(r, n, nz)
		if len(ps) != nz {
			t.Fatalf("positions(%d, %d): %d of them", n, nz, len(ps))
		}
		for i, p := range ps {
			if p < 0 || int(p) >= n || i > 0 && p <= ps[i-1] {
				t.Fatalf("positions(%d, %d) = %v: not distinct, ascending and below %d", n, nz, ps, n)
			}
		}
	}
}

// BetterOpenBLASCore replaces only OpenBLAS's generic core, and only with
// kernels this CPU has.
func TestBetterOpenBLASCore(t *testing.T) {
	for _, reported := range []string{"SkylakeX", "Haswell", "Zen", "Cooperlake", "", "neoversen1"} {
		if core, ok := BetterOpenBLASCore(reported); ok {
			t.Errorf("BetterOpenBLASCore(%q) = %q, true; want no replacement", reported, core)
		}
	}
	core, ok := BetterOpenBLASCore("Prescott")
	want := ""
	switch {
	case runtime.GOARCH != "amd64":
	case cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512BW, cpuid.AVX512DQ, cpuid.AVX512VL):
		want = "SkylakeX"
	case cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3):
		want = "Haswell"
	}
	if core != want || ok != (want != "") {
		t.Errorf("BetterOpenBLASCore(Prescott) = %q, %v on this CPU; want %q", core, ok, want)
	}
}
