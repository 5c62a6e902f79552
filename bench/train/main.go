// Command train is nnsimd's side-by-side training benchmark: the same model
// with the same hyper-parameters trained on full MNIST by nnsimd, nnsimd
// through its Python package, PyTorch, numpy and gonum, one run at a time,
// printed as one table per suite with the targets met or missed.
//
//	go run ./bench/train [-suite persample|minibatch|deep|shallow|all] [-epochs N]
//	    [-peers torch,numpy,gonum,python] [-threads 1,2] [-reps N]
//	    [-json out.jsonl] [-data DIR] [-python /usr/bin/python3]
//	    [-nnsimd-python python] [-lib build/libnnsimd.so] [-timeout 15m]
//
// The suites (Suites): persample is the book's per-sample SGD 784-128-10;
// minibatch is 784-128-10 softmax cross-entropy, batch 128, lr 0.1; deep is
// the time to 98% test accuracy of 784-512-256-10, batch 128, lr 0.05,
// momentum 0.9; shallow the same of 784-256-10, batch 128, lr 0.1,
// momentum 0.9, the model nnsimd gets to 98% fastest. nnsimd and gonum run
// in this process; the PyTorch and numpy peers are the Python scripts in
// peers/, run with -python (Debian's python3-torch and python3-numpy).
// PyTorch runs at every -threads count and the faster counts; numpy runs
// with one OpenBLAS thread.
//
// The python peer ("python nnsimd" rows, peers/nnsimd_fit.py) is the
// issue's Python front door: the same network and training as the nnsimd
// rows, done by one nnsimd.Network.fit call of the package in
// -nnsimd-python over the library -lib (`make lib` builds it; `make
// bench-train` does first), both relative to the working directory. It
// runs at every -threads count, and its target is its s/epoch within 5% of
// Go nnsimd's at the same count (the worst count is judged). It times the
// whole fit call, so its per-epoch figures are the call's mean and its test
// accuracy is measured once, after training; for that reason it sits out
// the deep suite, whose time to 98% needs the accuracy after every epoch.
//
// A Python peer at n threads runs with OPENBLAS_NUM_THREADS, OMP_NUM_THREADS
// and torch.set_num_threads all n, as a PyTorch user asking for n threads
// gets; OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE pass through as they are and
// are printed in the header, except that with OPENBLAS_CORETYPE unset on a
// CPU model OpenBLAS does not know (it then takes its generic SSE3 core)
// the peers get its best kernels for the CPU, as the header says. Every row gives wall and CPU time per epoch
// (the process's, all threads): on a shared machine wall ≫ CPU means the
// run was crowded out, CPU ≫ wall·threads that it spun.
//
// Every peer starts from nnsimd's initial weights and takes its
// mini-batches in nnsimd's order (written to files for the Python ones,
// --init-weights and --order), so that accuracies and times to an accuracy
// compare arithmetic rather than draws of the weights and shuffles; only
// rounding differs, which can still move the epoch a time-to-accuracy run
// first reaches its target. What differs between peers, on purpose:
// nnsimd's first epoch includes Fit's setup (for mini-batches, the check
// of the inputs and the lists of their non-zeros; per-sample training
// checks each row as it reaches it) and nnsimd computes every sample's
// loss, which the hand-written peers skip (numpy's per-sample code also
// leaves out the book's progress bookkeeping); PyTorch computes the loss
// for autograd.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nnsimd/nnsimd/bench"
	"github.com/nnsimd/nnsimd/kernels"
	"github.com/nnsimd/nnsimd/nn/mnist"
)

// options are the command's flags, parsed.
type options struct {
	suites  []string
	epochs  int
	peers   []string
	threads []int
	reps    int
	json    string
	data    string
	python  string
	// nnsimdPython is the folder holding the nnsimd Python package and lib
	// the library it loads, both absolute.
	nnsimdPython string
	lib          string
	timeout      time.Duration
}

func main() {
	opt, err := parseOptions(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(2)
	}
	if err := run(os.Stdout, os.Stderr, opt); err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
}

func parseOptions(args []string) (options, error) {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	suite := fs.String("suite", "all", "persample, minibatch, deep, shallow or all (comma-separated list allowed)")
	epochs := fs.Int("epochs", 0, "epochs per suite, the most for deep and shallow (default: persample 1, minibatch 3, deep 10, shallow 15)")
	peers := fs.String("peers", strings.Join(peerNames, ","), "peers beside nnsimd: any of torch, numpy, gonum, python, or none")
	threads := fs.String("threads", "1,2", "thread counts for nnsimd (in Go and through Python), PyTorch and gonum's GEMM")
	reps := fs.Int("reps", 1, "repetitions of every run; the fastest counts")
	jsonOut := fs.String("json", "", "also append one JSON line per run to this file")
	data := fs.String("data", "", "MNIST IDX folder (default: mnist.Locate, i.e. $NNSIMD_DATA or the GoMNIST module)")
	python := fs.String("python", "/usr/bin/python3", "interpreter with numpy and torch for the Python peers")
	nnsimdPython := fs.String("nnsimd-python", "python", "folder holding the nnsimd Python package, for the python peer")
	lib := fs.String("lib", "build/libnnsimd.so", "the nnsimd C library the python peer loads (`make lib` builds it)")
	timeout := fs.Duration("timeout", 15*time.Minute, "longest a Python peer may run")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	opt := options{epochs: *epochs, reps: *reps, json: *jsonOut, data: *data, python: *python, timeout: *timeout}
	// Absolute, because the child runs its script from a temporary folder.
	for _, p := range []struct {
		flag string
		from string
		to   *string
	}{{"-nnsimd-python", *nnsimdPython, &opt.nnsimdPython}, {"-lib", *lib, &opt.lib}} {
		if p.from == "" {
			return opt, fmt.Errorf("%s: want a path", p.flag)
		}
		abs, err := filepath.Abs(p.from)
		if err != nil {
			return opt, fmt.Errorf("%s %s: %w", p.flag, p.from, err)
		}
		*p.to = abs
	}
	all := []string{"persample", "minibatch", "deep", "shallow"}
	for _, s := range strings.Split(*suite, ",") {
		switch {
		case s == "all":
			opt.suites = append(opt.suites, all...)
		case slices.Contains(all, s):
			opt.suites = append(opt.suites, s)
		default:
			return opt, fmt.Errorf("-suite %q: want persample, minibatch, deep, shallow or all", s)
		}
	}
	if *peers != "none" && *peers != "" {
		for _, p := range strings.Split(*peers, ",") {
			if !slices.Contains(peerNames, p) {
				return opt, fmt.Errorf("-peers: unknown peer %q, want torch, numpy, gonum, python or none", p)
			}
			opt.peers = append(opt.peers, p)
		}
	}
	for _, t := range strings.Split(*threads, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(t))
		if err != nil || n < 1 {
			return opt, fmt.Errorf("-threads: %q is not a thread count ≥ 1", t)
		}
		opt.threads = append(opt.threads, n)
	}
	switch {
	case opt.epochs < 0:
		return opt, fmt.Errorf("-epochs %d: want ≥ 1 (or 0 for the suites' defaults)", opt.epochs)
	case opt.reps < 1:
		return opt, fmt.Errorf("-reps %d: want ≥ 1", opt.reps)
	case opt.timeout <= 0:
		return opt, fmt.Errorf("-timeout %v: want > 0", opt.timeout)
	}
	return opt, nil
}

func run(stdout, stderr io.Writer, opt options) error {
	dir := opt.data
	if dir == "" {
		var err error
		if dir, err = mnist.Locate(); err != nil {
			return err
		}
	}
	train, err := mnist.Load(dir, "train")
	if err != nil {
		return err
	}
	test, err := mnist.Load(dir, "test")
	if err != nil {
		return err
	}
	d := Data{Train: train, Test: test, Dir: dir}
	var py *pythonRunner
	if slices.ContainsFunc(opt.peers, usesPython) {
		var cleanup func()
		if py, cleanup, err = newPythonRunner(opt.python, opt.timeout); err != nil {
			return err
		}
		defer cleanup()
	}
	var jsonFile *os.File
	if opt.json != "" {
		if jsonFile, err = os.OpenFile(opt.json, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err != nil {
			return fmt.Errorf("-json: %w", err)
		}
		defer jsonFile.Close()
	}
	core := "" // the OpenBLAS core the Python peers get; none without them
	if py != nil {
		core = py.chooseCore()
	}
	printHeader(stdout, d, opt, core)
	for _, c := range Suites(opt.epochs) {
		if !slices.Contains(opt.suites, c.Suite) {
			continue
		}
		rs := RunSuite(c, d, opt, py, stderr)
		PrintSuite(stdout, c, rs)
		if jsonFile != nil {
			if err := WriteJSONL(jsonFile, c, rs); err != nil {
				return fmt.Errorf("-json: %w", err)
			}
		}
	}
	fmt.Fprintf(stdout, "\nload afterwards: %s\n", loadAverage())
	return nil
}

// printHeader says what was measured where: the machine, its load, the
// kernels, and the OpenBLAS settings the Python peers inherit (core is
// pythonRunner.chooseCore's account, empty when no Python peer runs).
func printHeader(w io.Writer, d Data, opt options, core string) {
	fmt.Fprintf(w, "# nnsimd training benchmark, %s\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(w, "# %s/%s, %d CPUs, GOMAXPROCS %d, %s; nnsimd kernels %s\n",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), kernels.ISA())
	fmt.Fprintf(w, "# load average before: %s\n", loadAverage())
	env := func(k string) string {
		if v, ok := os.LookupEnv(k); ok {
			return v
		}
		return "unset"
	}
	if core == "" {
		fmt.Fprintf(w, "# no Python peers\n")
	} else {
		fmt.Fprintf(w, "# %s; OPENBLAS_L2_SIZE=%s (passed on unchanged); python %s\n",
			core, env("OPENBLAS_L2_SIZE"), opt.python)
	}
	if slices.Contains(opt.peers, "python") {
		fmt.Fprintf(w, "# python nnsimd: package %s, library %s\n", opt.nnsimdPython, opt.lib)
	}
	fmt.Fprintf(w, "# data %s: %d training, %d test images; runs one at a time, best of %d\n",
		d.Dir, d.Train.N, d.Test.N, opt.reps)
}

// usesPython reports whether peer runs a script under -python.
func usesPython(peer string) bool {
	return peer == "torch" || peer == "numpy" || peer == "python"
}

// loadAverage is the first three fields of /proc/loadavg, or "unknown".
func loadAverage() string {
	f, err := os.Open("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	fields := strings.Fields(line)
	if len(fields) < 3 {
		return "unknown"
	}
	return strings.Join(fields[:3], " ")
}

// cheapest keeps the cheapest of a peer's repetitions of case c, or the
// first failure, after which no more are run.
type cheapest struct {
	c    Case
	runs int
	r    Result
	err  error
}

// offer takes a repetition's outcome and reports whether more may run.
func (b *cheapest) offer(r Result, err error) bool {
	failed := err != nil || r.Error != ""
	if failed || b.runs == 0 || r.cost(b.c) < b.r.cost(b.c) {
		b.r, b.err = r, err
	}
	b.runs++
	return !failed
}

// RunSuite runs c for nnsimd and every peer that applies, one run at a
// time, each the best of opt.reps (nnsimd's Go and Python repetitions
// alternate). py may be nil when no Python peer is asked for. Progress
// goes to log.
func RunSuite(c Case, d Data, opt options, py *pythonRunner, log io.Writer) []Result {
	var rs []Result
	add := func(r Result, err error) {
		if err != nil {
			r.Error = err.Error()
		}
		if r.Error != "" {
			fmt.Fprintf(log, "%s %s %d thread(s): failed: %s\n", c.Suite, r.Peer, r.Threads, r.Error)
		} else {
			fmt.Fprintf(log, "%s %s %d thread(s): %.3f s/epoch over %d epoch(s), test acc %.2f%%\n",
				c.Suite, r.Peer, r.Threads, r.SecondsPerEpoch(), len(r.EpochSeconds), 100*r.TestAcc())
		}
		rs = append(rs, r)
	}
	// bestOf repeats an in-process run and keeps the cheapest.
	bestOf := func(once func() (Result, error)) (Result, error) {
		b := cheapest{c: c}
		for i := 0; i < opt.reps && b.offer(withSteal(once)); i++ {
		}
		return b.r, b.err
	}
	has := func(p string) bool { return slices.Contains(opt.peers, p) && peerApplies(p, c.Suite) }
	// nnsimd from Go and through its Python package take turns, one
	// repetition each and each Python one in a process of its own, so that
	// both sides start every run as a fresh process would (see runNNSIMD)
	// and a busy spell of the machine falls on both sides of the front-door
	// ratio rather than on one side's repetitions. The python rows come
	// right below the Go rows, at the same counts.
	withPython := has("python") && py != nil
	var env []string
	var envErr error
	if withPython {
		env, envErr = nnsimdPythonEnv(opt.nnsimdPython, opt.lib)
	}
	var pyRows []cheapest
	for _, t := range opt.threads {
		goBest, pyBest := cheapest{c: c}, cheapest{c: c}
		goOn, pyOn := true, withPython
		for i := 0; i < opt.reps; i++ {
			if goOn {
				goOn = goBest.offer(withSteal(func() (Result, error) { return runNNSIMD(c, d, t) }))
			}
			if pyOn && envErr != nil {
				pyOn = pyBest.offer(Result{Suite: c.Suite, Peer: pythonPeer, Threads: t}, envErr)
			} else if pyOn {
				pyOn = pyBest.offer(withSteal(func() (Result, error) {
					return py.run(c.Suite, pythonPeer, nnsimdFitScript, caseArgs(c, d, 1), t, env...)
				}))
			}
		}
		add(goBest.r, goBest.err)
		if withPython {
			pyRows = append(pyRows, pyBest)
		}
	}
	for _, b := range pyRows {
		add(b.r, b.err)
	}
	if has("gonum") {
		// Per-sample gonum is Gemv and Ger, which never use more than one
		// goroutine: one row says it all.
		threads := opt.threads
		if c.PerSample {
			threads = threads[:1]
		}
		for _, t := range threads {
			add(bestOf(func() (Result, error) { return runGonum(c, d, t) }))
		}
	}
	if py == nil {
		return rs
	}
	if !has("numpy") && !has("torch") {
		return rs
	}
	// The Python peers start where nnsimd does and take their mini-batches
	// in its order, so that accuracies (the per-sample target compares
	// float64 numpy with nnsimd) and times to an accuracy compare
	// arithmetic rather than draws: one epoch's accuracy moves by tenths
	// of a point from draw to draw of the weights, and the epoch a run
	// first reaches 98% by one or two from shuffle to shuffle.
	args, cleanup, err := peerFiles(c, d)
	if err != nil {
		if has("numpy") {
			add(Result{Suite: c.Suite, Peer: "numpy", Threads: 1}, err)
		}
		if has("torch") {
			add(Result{Suite: c.Suite, Peer: "pytorch", Threads: 1}, err)
		}
		return rs
	}
	defer cleanup()
	args = append(caseArgs(c, d, opt.reps), args...)
	if has("numpy") {
		if c.PerSample {
			for _, dtype := range []string{"float64", "float32"} {
				add(withSteal(func() (Result, error) {
					return py.run(c.Suite, "numpy "+dtype, "book_numpy.py", append(slices.Clone(args), "--dtype", dtype), 1)
				}))
			}
		} else {
			add(withSteal(func() (Result, error) { return py.run(c.Suite, "numpy float32", "batch_numpy.py", args, 1) }))
		}
	}
	if has("torch") {
		script := "batch_torch.py"
		if c.PerSample {
			script = "book_torch.py"
		}
		for _, t := range opt.threads {
			add(withSteal(func() (Result, error) { return py.run(c.Suite, "pytorch", script, args, t) }))
		}
	}
	return rs
}

// withSteal runs a peer and notes in its result how much of the machine's
// CPU time the hypervisor took meanwhile. A Python peer's repetitions run
// in one process, so its figure covers all of them, not just the fastest.
func withSteal(run func() (Result, error)) (Result, error) {
	before, ok := bench.ReadCPUTimes()
	r, err := run()
	if after, ok2 := bench.ReadCPUTimes(); ok && ok2 {
		if p, ok := bench.StealPercent(before, after); ok {
			r.StealPercent = &p
		}
	}
	return r, err
}

// peerFiles writes the files the Python peers read to start where nnsimd
// does (initialWeightsFile) and, in mini-batch cases, to take its batches
// (epochOrdersFile), and returns the flags that name them and a func that
// removes them.
func peerFiles(c Case, d Data) (args []string, cleanup func(), err error) {
	weights, err := initialWeightsFile(c)
	if err != nil {
		return nil, nil, err
	}
	if c.PerSample {
		return []string{"--init-weights", weights}, func() { os.Remove(weights) }, nil
	}
	order, err := epochOrdersFile(c, d.Train.N)
	if err != nil {
		os.Remove(weights)
		return nil, nil, err
	}
	return []string{"--init-weights", weights, "--order", order}, func() { os.Remove(weights); os.Remove(order) }, nil
}
