package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nnsimd/nnsimd"
	"github.com/nnsimd/nnsimd/kernels"
	"github.com/nnsimd/nnsimd/nn"
)

// result is what one command line did.
type result struct {
	status         int
	stdout, stderr string
}

func runArgs(t *testing.T, args ...string) result {
	t.Helper()
	return runWith(t, nil, args...)
}

func runWith(t *testing.T, interrupt <-chan struct{}, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	e := &env{stdout: &stdout, stderr: &stderr}
	if interrupt != nil {
		e.catchInterrupt = func() (<-chan struct{}, func()) { return interrupt, func() {} }
	}
	status := run(e, args)
	return result{status, stdout.String(), stderr.String()}
}

// failsWith checks a failure: the status, and exactly one "nnsimd: " line on
// stderr containing want.
func (r result) failsWith(t *testing.T, status int, want string) {
	t.Helper()
	if r.status != status {
		t.Errorf("exit status %d, want %d (stderr %q)", r.status, status, r.stderr)
	}
	if !strings.HasPrefix(r.stderr, "nnsimd: ") || strings.Count(r.stderr, "\n") != 1 || !strings.HasSuffix(r.stderr, "\n") {
		t.Errorf("stderr %q, want one line starting with \"nnsimd: \"", r.stderr)
	}
	if !strings.Contains(r.stderr, want) {
		t.Errorf("stderr %q does not mention %q", r.stderr, want)
	}
}

// writeIDX writes an IDX file (gzipped if the name ends in .gz).
func writeIDX(t *testing.T, path string, magic uint32, dims []int, data []byte) {
	t.Helper()
	b := binary.BigEndian.AppendUint32(nil, magic)
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, uint32(d))
	}
	b = append(b, data...)
	if strings.HasSuffix(path, ".gz") {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(b)
		zw.Close()
		b = z.Bytes()
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// syntheticData writes a small, easily learned MNIST look-alike: 8×8
// images in which class k lights up the 2×2 block k of a 4×3 grid, over
// faint noise. Training files are gzipped, test files raw, like a user's
// mixed folder might be.
func syntheticData(t *testing.T, trainN, testN int) string {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(7, 7))
	generate := func(n int) (pixels, labels []byte) {
		for i := 0; i < n; i++ {
			k := i % 10
			img := [64]byte{}
			for p := range img {
				img[p] = byte(rng.IntN(60))
			}
			for r := 0; r < 2; r++ {
				for c := 0; c < 2; c++ {
					img[(2*(k/4)+r)*8+2*(k%4)+c] = byte(200 + rng.IntN(56))
				}
			}
			pixels = append(pixels, img[:]...)
			labels = append(labels, byte(k))
		}
		return pixels, labels
	}
	px, lb := generate(trainN)
	writeIDX(t, filepath.Join(dir, "train-images-idx3-ubyte.gz"), 0x803, []int{trainN, 8, 8}, px)
	writeIDX(t, filepath.Join(dir, "train-labels-idx1-ubyte.gz"), 0x801, []int{trainN}, lb)
	px, lb = generate(testN)
	writeIDX(t, filepath.Join(dir, "t10k-images-idx3-ubyte"), 0x803, []int{testN, 8, 8}, px)
	writeIDX(t, filepath.Join(dir, "t10k-labels-idx1-ubyte"), 0x801, []int{testN}, lb)
	return dir
}

var accuracyRE = regexp.MustCompile(`accuracy ([0-9.]+)%`)

// accuracy reads the last "accuracy NN.NN%" in out.
func accuracy(t *testing.T, out string) float64 {
	t.Helper()
	m := accuracyRE.FindAllStringSubmatch(out, -1)
	if m == nil {
		t.Fatalf("no accuracy in output:\n%s", out)
	}
	a, err := strconv.ParseFloat(m[len(m)-1][1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestTrainEvalViz(t *testing.T) {
	data := syntheticData(t, 500, 200)
	out := t.TempDir()
	model := filepath.Join(out, "model.nnsm")
	weights := filepath.Join(out, "weights.png")
	r := runArgs(t, "train", "-data", data, "-layers", "64,16,10", "-epochs", "2", "-batch", "10",
		"-lr", "0.1", "-save", model, "-png", weights)
	if r.status != 0 {
		t.Fatalf("train: status %d, stderr %q", r.status, r.stderr)
	}
	if r.stderr != "" {
		t.Errorf("train wrote to stderr: %q", r.stderr)
	}
	for _, want := range []string{"500 training, 200 test images of 8×8", "64-16-10", "epoch 1/2: loss", "epoch 2/2: loss",
		"final test accuracy", "isa " + kernels.ISA(), "saved model to " + model, "saved first-layer weights to " + weights} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("train output lacks %q:\n%s", want, r.stdout)
		}
	}
	threads := "1 thread"
	if kernels.Threads() > 1 {
		threads = fmt.Sprintf("up to %d threads, tuned as it trains", kernels.Threads())
	}
	if !strings.Contains(r.stdout, ", "+threads+"\n") {
		t.Errorf("train output with the default -threads lacks %q:\n%s", threads, r.stdout)
	}
	// Not a terminal: one line per epoch, no carriage-return redraws.
	if strings.Contains(r.stdout, "\r") || strings.Count(r.stdout, "\n") != 8 {
		t.Errorf("train output to a pipe should be 8 plain lines:\n%q", r.stdout)
	}
	trained := accuracy(t, r.stdout)
	if trained < 90 {
		t.Errorf("test accuracy %.2f%% on an easy synthetic task, want ≥ 90%%", trained)
	}

	// eval reads the saved model back and gets the same accuracy.
	r = runArgs(t, "eval", "-model", model, "-data", data)
	if r.status != 0 {
		t.Fatalf("eval: status %d, stderr %q", r.status, r.stderr)
	}
	if got := accuracy(t, r.stdout); got != trained {
		t.Errorf("eval accuracy %.2f%%, train reported %.2f%%", got, trained)
	}
	if !strings.Contains(r.stdout, "true\\pred") || !strings.Contains(r.stdout, "recall") {
		t.Errorf("eval prints no confusion matrix:\n%s", r.stdout)
	}

	// The picture from train and from viz: a PNG with 16 tiles of 8×8.
	for _, path := range []string{weights, filepath.Join(out, "viz.png")} {
		if filepath.Base(path) == "viz.png" {
			if r := runArgs(t, "viz", "-model", model, "-out", path); r.status != 0 || !strings.Contains(r.stdout, "16 tiles of 8×8") {
				t.Fatalf("viz: status %d, stdout %q, stderr %q", r.status, r.stdout, r.stderr)
			}
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if b := img.Bounds(); b.Dx() < 4*8*4 || b.Dy() < 2*8*4 {
			t.Errorf("%s is only %v", path, b)
		}
	}
	if r := runArgs(t, "viz", "-model", model, "-out", filepath.Join(out, "l1.png"), "-layer", "1"); r.status != 0 || !strings.Contains(r.stdout, "10 tiles of 4×4") {
		t.Errorf("viz -layer 1: status %d, stdout %q, stderr %q", r.status, r.stdout, r.stderr)
	}
	runArgs(t, "viz", "-model", model, "-layer", "2", "-out", filepath.Join(out, "x.png")).failsWith(t, 2, "-layer 2")
	// No temporary files are left next to the outputs.
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left behind %s", e.Name())
		}
	}
}

func TestTrainPerSampleMSE(t *testing.T) {
	// The book's setting: per-sample SGD, mse, identity output, no bias,
	// uniform init, file order.
	data := syntheticData(t, 300, 100)
	r := runArgs(t, "train", "-data", data, "-layers", "64,10", "-loss", "mse", "-batch", "1", "-momentum", "0",
		"-lr", "0.01", "-epochs", "3", "-init", "uniform", "-bias=false", "-shuffle=false")
	if r.status != 0 {
		t.Fatalf("status %d, stderr %q", r.status, r.stderr)
	}
	if !strings.Contains(r.stdout, "identity output, mse loss, bias false, uniform init") || !strings.Contains(r.stdout, "batch 1,") {
		t.Errorf("configuration not as asked:\n%s", r.stdout)
	}
	if a := accuracy(t, r.stdout); a < 80 {
		t.Errorf("accuracy %.2f%%", a)
	}
}

func TestUsageErrors(t *testing.T) {
	data := syntheticData(t, 20, 10)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"train", "-nope"}, "flag provided but not defined: -nope"},
		{[]string{"train", "-epochs", "x"}, `invalid value "x" for flag -epochs`},
		{[]string{"train", "extra"}, `unexpected argument "extra"`},
		{[]string{"train", "-epochs", "0"}, "-epochs 0: want ≥ 1"},
		{[]string{"train", "-lr", "0"}, "-lr 0: want a finite value > 0"},
		{[]string{"train", "-lr", "NaN"}, "-lr NaN"},
		{[]string{"train", "-momentum", "1"}, "-momentum 1: want a value in [0, 1)"},
		{[]string{"train", "-batch", "0"}, "-batch 0"},
		{[]string{"train", "-threads", "-1"}, "-threads -1"},
		{[]string{"train", "-layers", "784"}, "at least two"},
		{[]string{"train", "-layers", "784,0,10"}, `width 2 is "0"`},
		{[]string{"train", "-hidden", "gelu"}, `-hidden "gelu": want one of relu, sigmoid, tanh, step, identity`},
		{[]string{"train", "-loss", "hinge"}, `-loss "hinge"`},
		{[]string{"train", "-init", "zeros"}, `-init "zeros"`},
		{[]string{"train", "-output", "sigmoid"}, "cross_entropy loss needs a softmax output"},
		{[]string{"train", "-isa", "sse9"}, `unknown ISA "sse9"`},
		{[]string{"train", "-data", data, "-layers", "100,10"}, "the input width is 100, the images of"},
		{[]string{"train", "-data", data, "-layers", "64,5"}, "5 outputs, but training label 5 is 5"},
		{[]string{"eval"}, "-model is required"},
		{[]string{"eval", "-model", "m", "-split", "dev"}, `-split "dev"`},
		{[]string{"viz"}, "-model is required"},
		{[]string{"bench", "-isa", "sse9"}, `-isa "sse9"`},
		{[]string{"bench", "-kernels", "Conv"}, `unknown kernel "Conv"`},
		{[]string{"bench", "-runs", "-2"}, "-runs -2, want ≥ 0"},
		{[]string{"bench", "-threads", "0"}, "-threads 0, want ≥ 1"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"help", "frobnicate"}, `no help for "frobnicate"`},
		{nil, "no command given"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			runArgs(t, c.args...).failsWith(t, exitUsage, c.want)
		})
	}
}

// The real binary: exit statuses through os.Exit, and a bad NNSIMD_ISA,
// which the kernels read once at start-up.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	bin := filepath.Join(t.TempDir(), "nnsimd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	exe := func(env string, args ...string) result {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), env)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		status := 0
		if exit, ok := err.(*exec.ExitError); ok {
			status = exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return result{status, stdout.String(), stderr.String()}
	}
	exe("NNSIMD_ISA=", "train", "-nope").failsWith(t, exitUsage, "-nope")
	exe("NNSIMD_ISA=", "eval", "-model", filepath.Join(t.TempDir(), "none")).failsWith(t, exitFailure, "no such file")
	exe("NNSIMD_ISA=bogus", "train").failsWith(t, exitUsage, `NNSIMD_ISA: kernels: unknown ISA "bogus"`)
	r := exe("NNSIMD_ISA=bogus", "isa")
	r.failsWith(t, exitFailure, "NNSIMD_ISA")
	if !strings.Contains(r.stdout, "in use:") {
		t.Errorf("isa with a bad NNSIMD_ISA prints no report: %q", r.stdout)
	}
	// -isa overrides a bad environment.
	if r := exe("NNSIMD_ISA=bogus", "train", "-isa", "generic", "-h"); r.status != 0 {
		t.Errorf("train -h: status %d, stderr %q", r.status, r.stderr)
	}
	if r := exe("NNSIMD_ISA=generic", "isa"); r.status != 0 || !strings.Contains(r.stdout, "in use:    generic") {
		t.Errorf("NNSIMD_ISA=generic isa: status %d, %q", r.status, r.stdout)
	}
}

func TestFailures(t *testing.T) {
	dir := t.TempDir()
	data := syntheticData(t, 20, 10)
	garbage := filepath.Join(dir, "garbage.nnsm")
	os.WriteFile(garbage, []byte("this is not a model file at all"), 0o644)

	// A real model, then cut short.
	model := filepath.Join(dir, "m.nnsm")
	net, err := nn.New(nn.Config{Sizes: []int{64, 10}})
	if err != nil {
		t.Fatal(err)
	}
	if err := net.Save(model); err != nil {
		t.Fatal(err)
	}
	whole, _ := os.ReadFile(model)
	truncated := filepath.Join(dir, "cut.nnsm")
	os.WriteFile(truncated, whole[:len(whole)/2], 0o644)
	wrongShape := filepath.Join(dir, "wide.nnsm")
	wide, _ := nn.New(nn.Config{Sizes: []int{784, 10}})
	wide.Save(wrongShape)

	runArgs(t, "train", "-data", filepath.Join(dir, "nonexistent")).failsWith(t, exitFailure, "not a folder")
	runArgs(t, "train", "-data", dir).failsWith(t, exitFailure, "train-images-idx3-ubyte")
	runArgs(t, "eval", "-model", garbage, "-data", data).failsWith(t, exitFailure, "not an nnsimd model file")
	runArgs(t, "eval", "-model", truncated, "-data", data).failsWith(t, exitFailure, "truncated")
	runArgs(t, "eval", "-model", filepath.Join(dir, "none.nnsm"), "-data", data).failsWith(t, exitFailure, "no such file")
	runArgs(t, "eval", "-model", wrongShape, "-data", data).failsWith(t, exitFailure, "784 inputs")
	runArgs(t, "viz", "-model", truncated, "-out", filepath.Join(dir, "w.png")).failsWith(t, exitFailure, "truncated")
	runArgs(t, "viz", "-model", model, "-out", filepath.Join(dir, "no", "w.png")).failsWith(t, exitFailure, "-out")

	// Divergence: the book's alpha lesson, with the squared error exploding.
	r := runArgs(t, "train", "-data", data, "-layers", "64,10", "-loss", "mse", "-lr", "1e30", "-momentum", "0", "-save", filepath.Join(dir, "d.nnsm"))
	r.failsWith(t, exitFailure, "training diverged")
	if !strings.Contains(r.stderr, "try a smaller") || !strings.Contains(r.stderr, "(-lr 1e+30)") {
		t.Errorf("divergence message gives no advice: %q", r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "d.nnsm")); err == nil {
		t.Error("a diverged model was saved")
	}

	// Empty splits.
	empty := t.TempDir()
	writeIDX(t, filepath.Join(empty, "train-images-idx3-ubyte"), 0x803, []int{0, 8, 8}, nil)
	writeIDX(t, filepath.Join(empty, "train-labels-idx1-ubyte"), 0x801, []int{0}, nil)
	writeIDX(t, filepath.Join(empty, "t10k-images-idx3-ubyte"), 0x803, []int{0, 8, 8}, nil)
	writeIDX(t, filepath.Join(empty, "t10k-labels-idx1-ubyte"), 0x801, []int{0}, nil)
	runArgs(t, "train", "-data", empty, "-layers", "64,10").failsWith(t, exitFailure, "0 training and 0 test images")

	// A bad corrupt IDX file in the data folder.
	bad := t.TempDir()
	for _, name := range []string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"} {
		os.WriteFile(filepath.Join(bad, name), []byte{0, 0, 8, 3, 0, 0, 0, 9}, 0o644)
	}
	runArgs(t, "train", "-data", bad, "-layers", "64,10").failsWith(t, exitFailure, "IDX file truncated")
}

// An unwritable -save fails before any data is read or training starts.
func TestSavePathCheckedFirst(t *testing.T) {
	data := syntheticData(t, 2000, 10)
	start := time.Now()
	r := runArgs(t, "train", "-data", data, "-layers", "64,10", "-save", filepath.Join(t.TempDir(), "missing", "m.nnsm"))
	r.failsWith(t, exitFailure, "-save: cannot write")
	if r.stdout != "" {
		t.Errorf("output before failing: %q", r.stdout)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v to refuse the path", d)
	}
	runArgs(t, "train", "-data", data, "-layers", "64,10", "-png", t.TempDir()).failsWith(t, exitFailure, "is a directory")
}

func TestInterruptStopsTraining(t *testing.T) {
	data := syntheticData(t, 300, 10)
	stop := make(chan struct{})
	close(stop)
	model := filepath.Join(t.TempDir(), "m.nnsm")
	r := runWith(t, stop, "train", "-data", data, "-layers", "64,10", "-epochs", "50", "-save", model)
	r.failsWith(t, exitFailure, "interrupted; nothing saved")
	if _, err := os.Stat(model); err == nil {
		t.Error("a model was saved after the interrupt")
	}
}

func TestHelpAndInfo(t *testing.T) {
	r := runArgs(t, "help")
	if r.status != 0 || !strings.Contains(r.stdout, "train") || !strings.Contains(r.stdout, "bench") {
		t.Errorf("help: %d %q", r.status, r.stdout)
	}
	for _, args := range [][]string{{"train", "-h"}, {"help", "train"}, {"-h"}} {
		r := runArgs(t, args...)
		if r.status != 0 || r.stderr != "" {
			t.Errorf("%v: status %d, stderr %q", args, r.status, r.stderr)
		}
		if args[0] == "train" || len(args) > 1 {
			for _, want := range []string{"usage: nnsimd train", "-layers", "(default \"" + defaultLayers + "\")", "-isa"} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("%v: help lacks %q:\n%s", args, want, r.stdout)
				}
			}
		}
	}
	if r := runArgs(t, "version"); r.status != 0 || !strings.HasPrefix(r.stdout, "nnsimd "+nnsimd.Version+" (go") {
		t.Errorf("version: %d %q", r.status, r.stdout)
	}
	if kernels.EnvError() == nil {
		r := runArgs(t, "isa")
		if r.status != 0 || !strings.Contains(r.stdout, "in use:    "+kernels.ISA()) || !strings.Contains(r.stdout, strings.Join(kernels.Available(), ", ")) {
			t.Errorf("isa: %d %q", r.status, r.stdout)
		}
	}
}

func TestBench(t *testing.T) {
	if testing.Short() {
		t.Skip("measures kernels for about a second")
	}
	r := runArgs(t, "bench", "-quick", "-isa", "generic", "-kernels", "dot")
	if r.status != 0 || !strings.Contains(r.stdout, "generic") || !strings.Contains(r.stdout, "Dot") {
		t.Errorf("bench: status %d, stderr %q, stdout:\n%s", r.status, r.stderr, r.stdout)
	}
	r = runArgs(t, "bench", "-quick", "-kernels", "GemmSparseRows", "-threads", "2")
	if r.status != 0 || !strings.Contains(r.stdout, "GemmSparseRows") || !strings.Contains(r.stdout, "on 2 goroutine(s)") {
		t.Errorf("bench -threads 2: status %d, stderr %q, stdout:\n%s", r.status, r.stderr, r.stdout)
	}
}

func TestPanicBecomesOneLine(t *testing.T) {
	commands["explode"] = command{"test only", func(*env, []string) error { panic("boom\nwith a second line") }}
	defer delete(commands, "explode")
	runArgs(t, "explode").failsWith(t, exitFailure, "internal error (please report): boom with a second line")
}

func TestStatusLine(t *testing.T) {
	p := nn.Progress{Epoch: 2, Epochs: 3, Done: 30000, Total: 60000, Loss: 0.12345, SamplesPerSec: 10000}
	got := statusLine(p)
	// 1.5 epochs of 60000 left at 10000/s = 9 s.
	for _, want := range []string{"epoch 2/3", " 50%", "10000 samples/s", "loss 0.1235", "ETA 9s", "[============            ]"} {
		if !strings.Contains(got, want) {
			t.Errorf("statusLine = %q, lacks %q", got, want)
		}
	}
	for d, want := range map[time.Duration]string{0: "0s", 59 * time.Second: "59s", 185 * time.Second: "3m05s", 3720 * time.Second: "1h02m"} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
	// Not a terminal: the bar draws nothing.
	var buf bytes.Buffer
	bar := newProgressBar(&buf)
	bar.update(p)
	bar.clear()
	if buf.Len() != 0 {
		t.Errorf("progress bar wrote %q to a non-terminal", buf.String())
	}
	// A terminal: each update redraws the line in place, clear erases it,
	// and a second clear writes nothing.
	live := &progressBar{w: &buf, live: true}
	live.update(p)
	live.update(p)
	live.clear()
	live.clear()
	want := "\r" + got + "\x1b[K" + "\r" + got + "\x1b[K" + "\r\x1b[K"
	if buf.String() != want {
		t.Errorf("terminal output %q, want %q", buf.String(), want)
	}
}

func TestTileShape(t *testing.T) {
	for n, want := range map[int][2]int{784: {28, 28}, 256: {16, 16}, 128: {8, 16}, 10: {2, 5}, 7: {1, 7}, 1: {1, 1}} {
		if r, c := tileShape(n); r != want[0] || c != want[1] {
			t.Errorf("tileShape(%d) = %d×%d, want %d×%d", n, r, c, want[0], want[1])
		}
	}
}

func TestThreadsText(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	for _, c := range []struct {
		cpus, flag int
		want       string
	}{
		{2, 0, "up to 2 threads, tuned as it trains"},
		{1, 0, "1 thread"},
		{2, 1, "1 thread"},
		{2, 3, "3 threads"},
	} {
		kernels.SetThreads(c.cpus)
		if got := threadsText(c.flag); got != c.want {
			t.Errorf("%d CPUs, -threads %d: %q, want %q", c.cpus, c.flag, got, c.want)
		}
	}
}
