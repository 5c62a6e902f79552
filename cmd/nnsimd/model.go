package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/nnsimd/nnsimd/bench"
	"github.com/nnsimd/nnsimd/kernels"
	"github.com/nnsimd/nnsimd/nn"
	"github.com/nnsimd/nnsimd/nn/mnist"
)

func runEval(e *env, args []string) error {
	fs := newFlags(e, "eval", "eval -model FILE [-data DIR]",
		"Evaluate a saved model on the test split: accuracy and the confusion matrix.")
	model := fs.String("model", "", "model file written by `nnsimd train -save` (required)")
	data := fs.String("data", "", "folder of MNIST IDX files (default: $NNSIMD_DATA, else MNIST fetched by the go command)")
	split := fs.String("split", "test", "which split to evaluate on: test or train")
	isa := fs.String("isa", "", "kernel implementation (default: the best this CPU has)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *model == "" {
		return usagef("eval: -model is required")
	}
	if *split != "test" && *split != "train" {
		return usagef("-split %q: want test or train", *split)
	}
	if err := useISA(*isa); err != nil {
		return err
	}
	net, err := nn.Load(*model)
	if err != nil {
		return err
	}
	dir := *data
	if dir == "" {
		if dir, err = mnist.Locate(); err != nil {
			return err
		}
	}
	ds, err := mnist.Load(dir, *split)
	if err != nil {
		return err
	}
	if net.Inputs() != ds.Features {
		return fmt.Errorf("%s has %d inputs, the images of %s have %d×%d = %d pixels",
			*model, net.Inputs(), dir, ds.Rows, ds.Cols, ds.Features)
	}
	for i, l := range ds.Labels {
		if int(l) >= net.Outputs() {
			return fmt.Errorf("%s has %d outputs, but %s label %d is %d", *model, net.Outputs(), *split, i, l)
		}
	}
	ev, err := net.Evaluate(ds.X, ds.N, ds.Labels)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s accuracy %.2f%% (%d/%d) of %s on %s, isa %s\n\n",
		*split, 100*ev.Accuracy, ev.Correct, ev.Total, *model, dir, kernels.ISA())
	printConfusion(e.stdout, ev.Confusion)
	return nil
}

// printConfusion writes the matrix with true classes as rows, predictions as
// columns, and each class's recall at the end of its row.
func printConfusion(w io.Writer, m [][]int) {
	width := 4
	for _, row := range m {
		for _, v := range row {
			width = max(width, len(fmt.Sprint(v))+1)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-*s", 10, "true\\pred")
	for j := range m {
		fmt.Fprintf(&b, "%*d", width, j)
	}
	b.WriteString("  recall\n")
	for i, row := range m {
		total := 0
		for _, v := range row {
			total += v
		}
		fmt.Fprintf(&b, "%-*d", 10, i)
		for _, v := range row {
			fmt.Fprintf(&b, "%*d", width, v)
		}
		if total > 0 {
			fmt.Fprintf(&b, "  %5.1f%%\n", 100*float64(row[i])/float64(total))
		} else {
			b.WriteString("      -\n")
		}
	}
	io.WriteString(w, b.String())
}

func runViz(e *env, args []string) error {
	fs := newFlags(e, "viz", "viz -model FILE -out weights.png [-layer 0]",
		"Draw one layer's weights as a grid of images, one per output unit (blue negative, red\n"+
			"positive); 784 inputs are drawn as 28×28 tiles.")
	model := fs.String("model", "", "model file written by `nnsimd train -save` (required)")
	out := fs.String("out", "weights.png", "PNG file to write")
	layer := fs.Int("layer", 0, "weight layer to draw, 0 = the first")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *model == "" {
		return usagef("viz: -model is required")
	}
	if err := checkWritable(*out); err != nil {
		return fmt.Errorf("-out: %w", err)
	}
	net, err := nn.Load(*model)
	if err != nil {
		return err
	}
	if *layer < 0 || *layer >= net.NumLayers() {
		return usagef("-layer %d: %s has weight layers 0..%d", *layer, *model, net.NumLayers()-1)
	}
	if err := writeWeightsPNG(*out, net, *layer, 0, 0); err != nil {
		return fmt.Errorf("-out: %w", err)
	}
	sizes := net.Config().Sizes
	rows, cols := tileShape(sizes[*layer])
	fmt.Fprintf(e.stdout, "wrote %s: layer %d, %d tiles of %d×%d\n", *out, *layer, sizes[*layer+1], rows, cols)
	return nil
}

func runBench(e *env, args []string) error {
	fs := newFlags(e, "bench", "bench [-quick] [-runs N] [-isa X[,Y]] [-kernels K[,L]] [-threads N]",
		"Measure the kernels: time per call, GFLOP/s, GB/s and the share of this machine's\n"+
			"measured ceiling, for every implementation this CPU can run.")
	quick := fs.Bool("quick", false, "fewer sizes, shorter runs (about a second per ISA)")
	isas := fs.String("isa", "", "implementations to measure, comma-separated (default: all available: "+strings.Join(kernels.Available(), ",")+")")
	names := fs.String("kernels", "", "kernels to measure, comma-separated (default: all: "+strings.Join(bench.KernelNames, ",")+")")
	runs := fs.Int("runs", 0, "timed runs of each measurement, the fastest kept (default 15, or 4 with -quick); more see further through a busy machine")
	threads := fs.Int("threads", 1, "threads one Gemm, GemmSparseRows or OuterUpdateSparseT call may use (the other kernels run on one); their FMA ceiling is scaled to match")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *runs < 0 {
		return usagef("-runs %d, want ≥ 0", *runs)
	}
	if *threads < 1 {
		return usagef("-threads %d, want ≥ 1", *threads)
	}
	opt := bench.Options{Quick: *quick, ISAs: splitList(*isas), Kernels: splitList(*names), Runs: *runs, Threads: *threads}
	for _, isa := range opt.ISAs {
		if err := oneOf("-isa", isa, kernels.Available()...); err != nil {
			return err
		}
	}
	for _, k := range opt.Kernels {
		if !containsFold(bench.KernelNames, k) {
			return usagef("-kernels: unknown kernel %q, want one of %s", k, strings.Join(bench.KernelNames, ", "))
		}
	}
	return bench.RunKernels(e.stdout, opt)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
