//go:build openblas && cgo

// Command compare times nnsimd, OpenBLAS and gonum side by side in one run,
// one core each, at the shapes of bench.Shapes, and prints the ratios of
// their times to OpenBLAS's:
//
//	OPENBLAS_NUM_THREADS=1 go run -tags openblas ./bench/compare [-quick] [-isa avx2]
//
// It needs cgo and OpenBLAS (Debian: libopenblas-dev). OpenBLAS is timed by
// a C loop around the calls, so its figures hold no cgo call; the cost of
// one cgo call is measured and printed for whoever calls OpenBLAS from Go.
// Each library's result is checked against OpenBLAS's before timing, so the
// three compute the same thing. Relu has no BLAS counterpart and is left out.
//
// When OPENBLAS_CORETYPE is unset and OpenBLAS took its generic core (it
// does on CPU models newer than its table), compare runs itself again with
// OPENBLAS_CORETYPE naming OpenBLAS's best kernels for this CPU (see
// bench.BetterOpenBLASCore) and says so in the header: OpenBLAS reads the
// variable only as it loads.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/nnsimd/nnsimd/bench"
	"github.com/nnsimd/nnsimd/kernels"
)

func main() {
	quick := flag.Bool("quick", false, "fewer shapes and shorter runs")
	isa := flag.String("isa", "", "nnsimd implementation to measure (default: the best this CPU has)")
	runs := flag.Int("runs", 0, "timed runs of each operation, the fastest kept (default 15, or 4 with -quick); more see further through a busy machine")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "compare: unexpected argument %q\n", flag.Arg(0))
		flag.Usage()
		os.Exit(2)
	}
	if *runs < 0 {
		fmt.Fprintf(os.Stderr, "compare: -runs %d, want ≥ 0\n", *runs)
		os.Exit(2)
	}
	if err := reexecWithBetterCore(); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
	if err := run(os.Stdout, bench.NewTimer(*quick, *runs), *quick, *isa); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

// coreSetBy marks a run that reexecWithBetterCore started, naming the core
// OpenBLAS had picked by itself.
const coreSetBy = "NNSIMD_COMPARE_OPENBLAS_PICKED"

// reexecWithBetterCore runs this program again, in place, with
// OPENBLAS_CORETYPE set, when it is unset and OpenBLAS took its generic
// core although better kernels fit this CPU. It returns only if it does
// not, or if the exec failed.
func reexecWithBetterCore() error {
	if _, set := os.LookupEnv("OPENBLAS_CORETYPE"); set {
		return nil
	}
	picked, _ := openblasSetup()
	core, ok := bench.BetterOpenBLASCore(picked)
	if !ok {
		return nil
	}
	exe, err := os.Executable()
	if err == nil {
		err = syscall.Exec(exe, os.Args, append(os.Environ(), "OPENBLAS_CORETYPE="+core, coreSetBy+"="+picked))
	}
	return fmt.Errorf("OpenBLAS picked its %s core; running again with OPENBLAS_CORETYPE=%s: %w", picked, core, err)
}

func run(w io.Writer, t bench.Timer, quick bool, isa string) error {
	if isa != "" {
		if err := kernels.Use(isa); err != nil {
			return fmt.Errorf("-isa: %w", err)
		}
	}
	// One core for every library: gonum's GEMM spreads over GOMAXPROCS,
	// nnsimd's over kernels.Threads, OpenBLAS over its own threads.
	runtime.GOMAXPROCS(1)
	kernels.SetThreads(1)
	corename, config := openblasSetup()

	cgoNs := cgoCallNs(t)
	fmt.Fprintf(w, "# nnsimd (%s) vs OpenBLAS (%s core) vs gonum, one core each; best of %d runs of %v\n",
		kernels.ISA(), corename, t.Runs, t.RunTime)
	fmt.Fprintf(w, "# %s\n", strings.TrimSpace(config))
	if picked := os.Getenv(coreSetBy); picked != "" {
		fmt.Fprintf(w, "# OPENBLAS_CORETYPE=%s set by compare: by itself OpenBLAS picked its generic %s core on this CPU\n",
			os.Getenv("OPENBLAS_CORETYPE"), picked)
	}
	fmt.Fprintf(w, "# OpenBLAS is timed by a loop in C, so its column holds no cgo call; one cgo call costs %.1f ns\n", cgoNs)
	fmt.Fprintf(w, "# here, which a Go program calling OpenBLAS pays on every call (column \"+cgo\").\n")
	fmt.Fprintf(w, "# nnsimd× and gonum× are time / OpenBLAS time: below 1 is faster than OpenBLAS.\n")
	fmt.Fprintf(w, "%-12s %-15s %10s %10s %10s %10s %8s %8s %9s\n",
		"kernel", "shape", "nnsimd ns", "OpenBLAS", "+cgo", "gonum", "nnsimd×", "gonum×", "nnsimd GFLOP/s")
	for _, s := range bench.Shapes(quick) {
		if _, ok := openblasOp[s.Kernel]; !ok {
			continue
		}
		c := newCase(s)
		if err := c.check(); err != nil {
			return err
		}
		// Alternating runs, so that the ratios survive a busy machine.
		times := t.NsPerOpEach(
			bench.Elapsed(func(iters int) {
				for range iters {
					c.nnsimd()
				}
			}),
			func(iters int) time.Duration { d, _ := c.openblas().run(iters); return d },
			bench.Elapsed(func(iters int) {
				for range iters {
					c.gonum()
				}
			}),
		)
		nnsimdNs, openblasNs, gonumNs := times[0], times[1], times[2]
		gflops := "-"
		if s.Flops() > 0 {
			gflops = fmt.Sprintf("%.1f", s.Flops()/nnsimdNs)
		}
		fmt.Fprintf(w, "%-12s %-15s %10s %10s %10s %10s %8.2f %8.2f %9s\n", s.Kernel, s, ns(nnsimdNs), ns(openblasNs),
			ns(openblasNs+cgoNs), ns(gonumNs), nnsimdNs/openblasNs, gonumNs/openblasNs, gflops)
	}
	return nil
}

// ns prints a time in ns with three significant digits.
func ns(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}
