// Command kernels prints nnsimd's kernel throughput table for this machine:
// every kernel × ISA × size with ns/op, GFLOP/s, GB/s and the fraction of
// the machine's own probed ceiling.
//
//	go run ./bench/kernels [-quick] [-isa avx2,avx512] [-kernel dot,gemm] [-threads 2] [-json]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/nnsimd/nnsimd/bench"
)

func main() {
	quick := flag.Bool("quick", false, "fewer shapes and shorter runs (about a second per ISA)")
	isas := flag.String("isa", "", "comma-separated ISAs to measure (default: every one this CPU has)")
	kernelNames := flag.String("kernel", "", "comma-separated kernels to measure: "+strings.Join(bench.KernelNames, ", ")+" (default: all)")
	asJSON := flag.Bool("json", false, "print the report (ceilings and rows) as JSON instead of the table")
	threads := flag.Int("threads", 0, "goroutines one Gemm, GemmSparseRows or OuterUpdateSparseT call may use (default 1: one core, as the ceilings)")
	runs := flag.Int("runs", 0, "timed runs of each measurement, the fastest kept (default 15, or 4 with -quick); more see further through a busy machine")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "kernels: unexpected argument %q\n", flag.Arg(0))
		flag.Usage()
		os.Exit(2)
	}
	opt := bench.Options{Quick: *quick, ISAs: split(*isas), Kernels: split(*kernelNames), Threads: *threads, Runs: *runs}
	if err := run(opt, *asJSON); err != nil {
		fmt.Fprintln(os.Stderr, "kernels:", err)
		os.Exit(1)
	}
}

func run(opt bench.Options, asJSON bool) error {
	if !asJSON {
		return bench.RunKernels(os.Stdout, opt)
	}
	r, err := bench.Measure(opt)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// split turns "a, b" into [a b]; "" into nil.
func split(list string) []string {
	var out []string
	for _, s := range strings.Split(list, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
