package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nnsimd/nnsimd/bench"
	"github.com/nnsimd/nnsimd/nn"
	"github.com/nnsimd/nnsimd/nn/mnist"
)

// synthetic returns n images of side×side pixels in classes classes that a
// small network learns in an epoch: class k inks a block of its own pixels
// more than the rest, with noise, and leaves about 60% of the pixels zero
// like MNIST.
func synthetic(n, side, classes int, seed uint64) *mnist.Dataset {
	rng := rand.New(rand.NewPCG(seed, 7))
	f := side * side
	d := &mnist.Dataset{N: n, Features: f, Rows: side, Cols: side, X: make([]float32, n*f), Labels: make([]uint8, n)}
	block := f / classes
	for r := 0; r < n; r++ {
		k := rng.IntN(classes)
		d.Labels[r] = uint8(k)
		for i := 0; i < f; i++ {
			v := 0.0
			if i/block == k {
				v = 0.6 + 0.4*rng.Float64()
			} else if rng.Float64() < 0.3 {
				v = 0.5 * rng.Float64()
			}
			d.X[r*f+i] = float32(v)
		}
	}
	return d
}

func syntheticCases() []Case {
	return []Case{
		{Suite: "persample", Sizes: []int{16, 12, 4}, PerSample: true, LR: 0.01, InitScale: 0.1, Epochs: 2, Seed: 3},
		{Suite: "minibatch", Sizes: []int{16, 12, 4}, Batch: 32, LR: 0.2, Epochs: 2, Seed: 3},
		{Suite: "deep", Sizes: []int{16, 24, 12, 4}, Batch: 32, LR: 0.05, Momentum: 0.9, Epochs: 5, TargetAcc: 0.9, Seed: 3},
	}
}

// TestSuiteTable runs every suite's table on synthetic data with the
// in-process peers: a row per peer and thread count, sensible figures, and
// the targets listed.
func TestSuiteTable(t *testing.T) {
	d := Data{Train: synthetic(2000, 4, 4, 1), Test: synthetic(500, 4, 4, 2)}
	opt := options{peers: []string{"gonum"}, threads: []int{1, 2}, reps: 2}
	for _, c := range syntheticCases() {
		var log bytes.Buffer
		rs := RunSuite(c, d, opt, nil, &log)
		want := map[string]int{"nnsimd": 2, "gonum": 2}
		if c.PerSample {
			want["gonum"] = 1
		}
		if c.Suite == "deep" {
			want["gonum"] = 0
		}
		got := map[string]int{}
		for _, r := range rs {
			got[r.Peer]++
			if r.Error != "" {
				t.Errorf("%s %s %d threads: %s", c.Suite, r.Peer, r.Threads, r.Error)
				continue
			}
			if r.Samples != d.Train.N || len(r.EpochSeconds) == 0 || len(r.EpochSeconds) != len(r.EpochAcc) {
				t.Errorf("%s %s: %d samples, %d epoch times, %d accuracies", c.Suite, r.Peer, r.Samples, len(r.EpochSeconds), len(r.EpochAcc))
				continue
			}
			if s := r.SecondsPerEpoch(); !(s > 0) || math.IsInf(s, 0) {
				t.Errorf("%s %s: %v s/epoch", c.Suite, r.Peer, s)
			}
			if len(r.EpochCPU) != len(r.EpochSeconds) || !(r.CPUPerEpoch() >= 0) {
				t.Errorf("%s %s: CPU times %v for %d epochs", c.Suite, r.Peer, r.EpochCPU, len(r.EpochSeconds))
			}
			if p := r.StealPercent; p != nil && !(*p >= 0 && *p <= 100) {
				t.Errorf("%s %s %d threads: steal %v%%", c.Suite, r.Peer, r.Threads, *p)
			}
			if acc := r.TestAcc(); acc < 0.8 {
				t.Errorf("%s %s %d threads: test accuracy %.3f after %d epochs, want ≥ 0.8 on this easy data",
					c.Suite, r.Peer, r.Threads, acc, len(r.EpochAcc))
			}
			if c.TargetAcc > 0 && (r.ReachedEpoch != len(r.EpochAcc) || r.EpochAcc[len(r.EpochAcc)-1] < c.TargetAcc) {
				t.Errorf("%s %s: reached epoch %d, accuracies %v; want training to stop at the first ≥ %g",
					c.Suite, r.Peer, r.ReachedEpoch, r.EpochAcc, c.TargetAcc)
			}
		}
		for p, n := range want {
			if got[p] != n {
				t.Errorf("%s: %d %s rows, want %d", c.Suite, got[p], p, n)
			}
		}
		var out bytes.Buffer
		PrintSuite(&out, c, rs)
		table := out.String()
		for _, s := range []string{"## " + c.Suite + ":", "s/epoch", "steal", "targets (issue 5)", Targets[c.Suite][0].What} {
			if !strings.Contains(table, s) {
				t.Errorf("%s table lacks %q:\n%s", c.Suite, s, table)
			}
		}
		rows := 0
		for _, line := range strings.Split(table, "\n") {
			f := strings.Fields(line)
			if len(f) < 8 || (f[0] != "nnsimd" && f[0] != "gonum") {
				continue
			}
			_, threadsErr := strconv.Atoi(f[1])
			_, epochsErr := strconv.Atoi(f[2])
			if threadsErr == nil && epochsErr == nil && strings.HasSuffix(f[6], "%") {
				rows++
			}
		}
		if rows != want["nnsimd"]+want["gonum"] {
			t.Errorf("%s table has %d nnsimd/gonum rows, want %d:\n%s", c.Suite, rows, want["nnsimd"]+want["gonum"], table)
		}
		var js bytes.Buffer
		if err := WriteJSONL(&js, c, rs); err != nil || strings.Count(js.String(), "\n") != len(rs) {
			t.Errorf("%s: WriteJSONL wrote %d lines for %d results, err %v", c.Suite, strings.Count(js.String(), "\n"), len(rs), err)
		}
	}
}

// TestWithSteal checks that a run long enough for the kernel's ticks gets
// a steal figure where /proc/stat has one, and keeps the run's outcome.
func TestWithSteal(t *testing.T) {
	_, ok := bench.ReadCPUTimes()
	failure := errors.New("the run's own error")
	r, err := withSteal(func() (Result, error) {
		time.Sleep(time.Second) // idle ticks count: 100 a second per CPU
		return Result{Peer: "p", Threads: 3}, failure
	})
	if err != failure || r.Peer != "p" || r.Threads != 3 {
		t.Errorf("withSteal changed the outcome: %+v, %v", r, err)
	}
	switch p := r.StealPercent; {
	case !ok && p != nil:
		t.Errorf("no /proc/stat, yet steal %v%%", *p)
	case ok && p == nil:
		t.Error("a one-second run got no steal figure")
	case ok && !(*p >= 0 && *p <= 100):
		t.Errorf("steal %v%%", *p)
	}
	var out bytes.Buffer
	c := syntheticCases()[1]
	PrintSuite(&out, c, []Result{{Suite: c.Suite, Peer: "nnsimd", Threads: 1, Samples: 10, EpochSeconds: []float64{1}, EpochAcc: []float64{0.5}, EpochCPU: []float64{1}, StealPercent: new(12.4)}})
	if !strings.Contains(out.String(), " 12%") {
		t.Errorf("the table does not show a run's 12.4%% steal:\n%s", out.String())
	}
}

// TestGonumComputesNNSIMDsAlgorithm trains the gonum peer, which starts
// from nnsimd's initial weights and takes its mini-batches in nnsimd's
// order, and nnsimd for two epochs, and compares the weights: the peer
// must run the same algorithm, not just a similar one, from the same start
// on the same batches.
func TestGonumComputesNNSIMDsAlgorithm(t *testing.T) {
	d := Data{Train: synthetic(300, 4, 4, 5), Test: synthetic(50, 4, 4, 6)}
	for _, c := range syntheticCases() {
		c.Epochs, c.TargetAcc = 2, 0
		net, err := nn.New(c.netConfig())
		if err != nil {
			t.Fatal(err)
		}
		g, err := newGonumNet(c)
		if err != nil {
			t.Fatal(err)
		}
		// Mini-batches shuffled, in nnsimd's order.
		if _, err := net.Fit(d.Train.X, nn.OneHot(d.Train.Labels, 4), d.Train.N, c.trainConfig(1)); err != nil {
			t.Fatal(err)
		}
		var res Result
		trainGonum(g, c, d, true, &res)
		for l := range g.w {
			want := net.Weights(l)
			var worst, scale float64
			for i, w := range g.w[l] {
				worst = max(worst, math.Abs(float64(w-want[i])))
				scale = max(scale, math.Abs(float64(want[i])))
			}
			if worst > 1e-4*max(scale, 1) {
				t.Errorf("%s layer %d: gonum's weights differ from nnsimd's by up to %g (largest weight %g)", c.Suite, l, worst, scale)
			}
			if b := net.Biases(l); b != nil {
				for i, v := range g.b[l] {
					if math.Abs(float64(v-b[i])) > 1e-4 {
						t.Errorf("%s layer %d: gonum's bias %d = %g, nnsimd's %g", c.Suite, l, i, v, b[i])
						break
					}
				}
			}
		}
	}
}

const python = "/usr/bin/python3"

func needPython(t *testing.T, modules ...string) {
	t.Helper()
	if _, err := os.Stat(python); err != nil {
		t.Skipf("%s missing: %v", python, err)
	}
	for _, m := range modules {
		if err := exec.Command(python, "-c", "import "+m).Run(); err != nil {
			t.Skipf("%s cannot import %s: %v", python, m, err)
		}
	}
}

// TestPeerScriptsCompile byte-compiles every embedded peer script.
func TestPeerScriptsCompile(t *testing.T) {
	needPython(t)
	names, err := fs.Glob(peerScripts, "peers/*.py")
	if err != nil || len(names) < 6 {
		t.Fatalf("embedded peer scripts %v (err %v), want the six of peers/", names, err)
	}
	dir := t.TempDir()
	for _, name := range names {
		src, _ := peerScripts.ReadFile(name)
		path := filepath.Join(dir, filepath.Base(name))
		if err := os.WriteFile(path, src, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(python, "-c", "import py_compile, sys; py_compile.compile(sys.argv[1], doraise=True)", path)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s does not compile: %v\n%s", name, err, out)
		}
	}
}

// writeIDX writes d as the four gzip-compressed MNIST files into dir
// (train and test the same images, which is all the script test needs).
func writeIDX(t *testing.T, dir string, d *mnist.Dataset) {
	t.Helper()
	pixels := make([]byte, len(d.X))
	for i, v := range d.X {
		pixels[i] = byte(math.Round(float64(v) * 255))
	}
	write := func(name string, dims []uint32, body []byte) {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write([]byte{0, 0, 8, byte(len(dims))})
		binary.Write(zw, binary.BigEndian, dims)
		zw.Write(body)
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".gz"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, prefix := range []string{"train", "t10k"} {
		write(prefix+"-images-idx3-ubyte", []uint32{uint32(d.N), uint32(d.Rows), uint32(d.Cols)}, pixels)
		write(prefix+"-labels-idx1-ubyte", []uint32{uint32(d.N)}, d.Labels)
	}
}

// numpyPeerSetup skips the test in -short mode or without numpy, and
// otherwise returns a runner for the peer scripts and 400 synthetic
// samples (seed seed), both training and test set, in an IDX folder.
func numpyPeerSetup(t *testing.T, seed uint64) (*pythonRunner, Data) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts Python")
	}
	needPython(t, "numpy")
	dir := t.TempDir()
	ds := synthetic(400, 4, 4, seed)
	writeIDX(t, dir, ds)
	py, cleanup, err := newPythonRunner(python, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cleanup)
	return py, Data{Train: ds, Test: ds, Dir: dir}
}

// TestNumpyPeersRun runs the numpy peers through the Go runner on a tiny
// IDX folder: the flags fit, the result line parses, and they learn.
func TestNumpyPeersRun(t *testing.T) {
	py, d := numpyPeerSetup(t, 8)
	ds := d.Train
	cases := syntheticCases()
	for _, run := range []struct {
		c      Case
		script string
		extra  []string
	}{
		{cases[0], "book_numpy.py", []string{"--dtype", "float32"}},
		{cases[1], "batch_numpy.py", nil},
		{cases[2], "batch_numpy.py", nil},
	} {
		args := append(caseArgs(run.c, d, 1), run.extra...)
		r, err := py.run(run.c.Suite, "numpy", run.script, args, 1)
		if err != nil {
			t.Errorf("%s on %s: %v", run.script, run.c.Suite, err)
			continue
		}
		if r.Samples != ds.N || r.TestAcc() < 0.8 {
			t.Errorf("%s on %s: %d samples, test accuracy %.3f; want %d and ≥ 0.8", run.script, run.c.Suite, r.Samples, r.TestAcc(), ds.N)
		}
		if run.c.TargetAcc > 0 && r.ReachedEpoch == 0 {
			t.Errorf("%s on %s: accuracies %v never reached %g", run.script, run.c.Suite, r.EpochAcc, run.c.TargetAcc)
		}
	}
}

// TestPeersStartFromNNSIMD gives each Python peer nnsimd's initial weights
// and no learning rate: its test accuracy must then be that of nnsimd's
// untrained network (float32 against float32; a sample whose outputs tie
// may go either way). It fails if a peer ignores the weights file.
func TestPeersStartFromNNSIMD(t *testing.T) {
	py, d := numpyPeerSetup(t, 9)
	ds := d.Train
	cases := syntheticCases()
	for _, run := range []struct {
		c      Case
		script string
		extra  []string
		module string
	}{
		{cases[0], "book_numpy.py", []string{"--dtype", "float32"}, "numpy"},
		{cases[1], "batch_numpy.py", nil, "numpy"},
		{cases[0], "book_torch.py", nil, "torch"},
		{cases[2], "batch_torch.py", nil, "torch"},
	} {
		t.Run(run.script+"/"+run.c.Suite, func(t *testing.T) {
			needPython(t, run.module)
			c := run.c
			c.LR, c.Epochs, c.TargetAcc = 0, 1, 0
			weights, err := initialWeightsFile(c)
			if err != nil {
				t.Fatal(err)
			}
			defer os.Remove(weights)
			args := append(append(caseArgs(c, d, 1), "--init-weights", weights), run.extra...)
			r, err := py.run(c.Suite, run.script, run.script, args, 1)
			if err != nil {
				t.Fatal(err)
			}
			net, _ := nn.New(c.netConfig())
			evalNet, _ := nn.New(c.netConfig())
			want, err := evaluateCopy(net, evalNet, ds)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(r.TestAcc()-want) > 1.5/float64(ds.N) {
				t.Errorf("%s from nnsimd's weights, no learning: test accuracy %.4f, nnsimd's untrained network %.4f", run.script, r.TestAcc(), want)
			}
		})
	}
}

// TestPeersTakeNNSIMDsOrder trains each mini-batch Python peer for two
// epochs from nnsimd's initial weights in nnsimd's batch order: its trained
// weights must be nnsimd's up to float32 rounding. Without the order file
// they must not be, which shows that the order decides the comparison and
// that the test can fail.
func TestPeersTakeNNSIMDsOrder(t *testing.T) {
	py, d := numpyPeerSetup(t, 11)
	// nnsimd trains on the pixels as the peers read them: bytes / 255.
	ds, err := mnist.Load(d.Dir, "train")
	if err != nil {
		t.Fatal(err)
	}
	cases := syntheticCases()
	for _, run := range []struct {
		c      Case
		script string
		module string
	}{
		{cases[1], "batch_numpy.py", "numpy"},
		{cases[2], "batch_numpy.py", "numpy"}, // momentum
		{cases[1], "batch_torch.py", "torch"},
		{cases[2], "batch_torch.py", "torch"},
	} {
		t.Run(run.script+"/"+run.c.Suite, func(t *testing.T) {
			needPython(t, run.module)
			c := run.c
			c.Epochs, c.TargetAcc = 2, 0
			net, _ := nn.New(c.netConfig())
			if _, err := net.Fit(ds.X, nn.OneHot(ds.Labels, c.Sizes[len(c.Sizes)-1]), ds.N, c.trainConfig(1)); err != nil {
				t.Fatal(err)
			}
			files, cleanup, err := peerFiles(c, d)
			if err != nil {
				t.Fatal(err)
			}
			defer cleanup()
			if len(files) != 4 || files[2] != "--order" {
				t.Fatalf("peerFiles gave %v, want --init-weights and --order", files)
			}
			// worst is the largest difference between the peer's trained
			// weights and nnsimd's, relative to nnsimd's largest.
			worst := func(files []string) float64 {
				out := filepath.Join(t.TempDir(), "trained.f32")
				args := append(append(caseArgs(c, d, 1), files...), "--save-weights", out)
				if _, err := py.run(c.Suite, run.script, run.script, args, 1); err != nil {
					t.Fatal(err)
				}
				raw, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				var got []float32
				for i := 0; i+4 <= len(raw); i += 4 {
					got = append(got, math.Float32frombits(binary.LittleEndian.Uint32(raw[i:])))
				}
				var want []float32
				for l := 0; l < net.NumLayers(); l++ {
					want = append(want, net.Weights(l)...)
				}
				if len(got) != len(want) {
					t.Fatalf("%d trained weights, want %d", len(got), len(want))
				}
				var diff, scale float64
				for i, w := range want {
					diff = max(diff, math.Abs(float64(got[i]-w)))
					scale = max(scale, math.Abs(float64(w)))
				}
				return diff / scale
			}
			same, own := worst(files), worst(files[:2])
			t.Logf("largest difference from nnsimd's weights: %.3g in its order, %.3g in the peer's own", same, own)
			if same > 1e-5 {
				t.Errorf("in nnsimd's order, the trained weights differ from nnsimd's by up to %.3g of the largest", same)
			}
			if own < 1e-3 {
				t.Errorf("in the peer's own order, the trained weights differ from nnsimd's by only %.3g of the largest", own)
			}
		})
	}
}

// A weights file for other layer sizes stops a peer with an error rather
// than training from a misread start.
func TestPeerRefusesWrongWeights(t *testing.T) {
	py, d := numpyPeerSetup(t, 10)
	cases := syntheticCases()
	other := cases[2] // 16-24-12-4 weights for a 16-12-4 network
	weights, err := initialWeightsFile(other)
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(weights)
	c := cases[1]
	args := append(caseArgs(c, d, 1), "--init-weights", weights)
	if _, err := py.run(c.Suite, "numpy", "batch_numpy.py", args, 1); err == nil || !strings.Contains(err.Error(), "weights") {
		t.Errorf("batch_numpy.py with %v weights for %v: err = %v, want one about the weights", other.Sizes, c.Sizes, err)
	}
}

// An order file for another number of epochs or samples, or one whose
// epoch is not a permutation, stops a mini-batch peer with an error about
// the order rather than training on misread batches.
func TestPeerRefusesWrongOrder(t *testing.T) {
	py, d := numpyPeerSetup(t, 12)
	c := syntheticCases()[1]
	wrongEpochs := c
	wrongEpochs.Epochs++
	files, cleanup, err := peerFiles(wrongEpochs, d)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	// One epoch of sample 0 twice, the right size.
	twice := filepath.Join(t.TempDir(), "twice.i32")
	raw := make([]byte, 4*c.Epochs*d.Train.N)
	for e := 0; e < c.Epochs; e++ {
		for k := 0; k < d.Train.N; k++ {
			binary.LittleEndian.PutUint32(raw[4*(e*d.Train.N+k):], uint32(max(k, 1)))
		}
	}
	if err := os.WriteFile(twice, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct{ name, file, want string }{
		{"one epoch too many", files[3], "indices"},
		{"not a permutation", twice, "not an order"},
	} {
		args := append(caseArgs(c, d, 1), "--init-weights", files[1], "--order", bad.file)
		if _, err := py.run(c.Suite, "numpy", "batch_numpy.py", args, 1); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("batch_numpy.py with an order file of %s: err = %v, want one saying %q", bad.name, err, bad.want)
		}
	}
}

// When the weights file cannot be written, the Python peers' rows carry
// the error and nnsimd's rows still run.
func TestPeerWeightsFileError(t *testing.T) {
	d := Data{Train: synthetic(300, 4, 4, 1), Test: synthetic(100, 4, 4, 2), Dir: t.TempDir()}
	py, cleanup, err := newPythonRunner(python, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	opt := options{peers: []string{"numpy", "torch"}, threads: []int{1}, reps: 1}
	c := syntheticCases()[1]
	var log bytes.Buffer
	var got []string
	for _, r := range RunSuite(c, d, opt, py, &log) {
		switch {
		case r.Peer == "nnsimd" && r.Error != "":
			t.Errorf("nnsimd row failed: %s", r.Error)
		case r.Peer != "nnsimd" && !strings.Contains(r.Error, "initial weights for the Python peers"):
			t.Errorf("%s row: error %q, want the weights file's", r.Peer, r.Error)
		}
		got = append(got, r.Peer)
	}
	if want := []string{"nnsimd", "numpy", "pytorch"}; !slices.Equal(got, want) {
		t.Errorf("rows %q, want %q\n%s", got, want, log.String())
	}
}

func TestParseOptions(t *testing.T) {
	opt, err := parseOptions([]string{"-suite", "persample,deep", "-peers", "gonum", "-threads", "2"})
	if err != nil || len(opt.suites) != 2 || len(opt.peers) != 1 || len(opt.threads) != 1 || opt.threads[0] != 2 {
		t.Errorf("parseOptions = %+v, %v", opt, err)
	}
	all, err := parseOptions([]string{"-suite", "all"})
	if want := []string{"persample", "minibatch", "deep", "shallow"}; err != nil || !slices.Equal(all.suites, want) {
		t.Errorf("-suite all gives %v, %v; want %v", all.suites, err, want)
	}
	for _, s := range all.suites {
		if !slices.ContainsFunc(Suites(0), func(c Case) bool { return c.Suite == s }) || len(Targets[s]) == 0 {
			t.Errorf("suite %s has no case or no targets", s)
		}
	}
	for _, bad := range [][]string{{"-suite", "fast"}, {"-peers", "jax"}, {"-threads", "0"}, {"-reps", "0"}, {"extra"}} {
		if _, err := parseOptions(bad); err == nil {
			t.Errorf("parseOptions(%q) accepted", bad)
		}
	}
}

func TestParseOptionsPython(t *testing.T) {
	def, err := parseOptions(nil)
	if err != nil || !slices.Contains(def.peers, "python") {
		t.Errorf("default peers %v (err %v), want python among them", def.peers, err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(wd, "python"); def.nnsimdPython != want {
		t.Errorf("default -nnsimd-python %q, want %q", def.nnsimdPython, want)
	}
	if want := filepath.Join(wd, "build", "libnnsimd.so"); def.lib != want {
		t.Errorf("default -lib %q, want %q", def.lib, want)
	}
	opt, err := parseOptions([]string{"-peers", "torch,numpy,gonum,python", "-nnsimd-python", "../../python", "-lib", "/opt/lib.so"})
	if err != nil || len(opt.peers) != 4 {
		t.Fatalf("parseOptions with -peers python = %+v, %v", opt, err)
	}
	if want := filepath.Join(filepath.Dir(filepath.Dir(wd)), "python"); opt.nnsimdPython != want || opt.lib != "/opt/lib.so" {
		t.Errorf("-nnsimd-python %q, -lib %q; want %q and /opt/lib.so", opt.nnsimdPython, opt.lib, want)
	}
	for _, bad := range [][]string{{"-lib", ""}, {"-nnsimd-python", ""}, {"-peers", "pythons"}} {
		if _, err := parseOptions(bad); err == nil {
			t.Errorf("parseOptions(%q) accepted", bad)
		}
	}
}

func TestPeerApplies(t *testing.T) {
	for _, tc := range []struct {
		peer, suite string
		want        bool
	}{
		{"python", "persample", true}, {"python", "minibatch", true}, {"python", "deep", false},
		{"torch", "deep", true}, {"numpy", "deep", false}, {"gonum", "deep", false}, {"gonum", "minibatch", true},
		{"torch", "shallow", true}, {"numpy", "shallow", false}, {"gonum", "shallow", false}, {"python", "shallow", false},
	} {
		if got := peerApplies(tc.peer, tc.suite); got != tc.want {
			t.Errorf("peerApplies(%q, %q) = %v, want %v", tc.peer, tc.suite, got, tc.want)
		}
	}
	for suite, ts := range Targets {
		has := slices.ContainsFunc(ts, func(t Target) bool { return strings.HasPrefix(t.What, pythonPeer+" ÷") })
		if has != peerApplies("python", suite) {
			t.Errorf("suite %s: python target listed %v, peer applies %v", suite, has, peerApplies("python", suite))
		}
	}
}

// fakeRun is a successful run of epochs epochs of s seconds (cpu seconds
// of CPU time) each.
func fakeRun(suite, peer string, threads, epochs int, s, cpu float64) Result {
	r := Result{Suite: suite, Peer: peer, Threads: threads, Samples: 1000}
	for range epochs {
		r.EpochSeconds = append(r.EpochSeconds, s)
		r.EpochCPU = append(r.EpochCPU, cpu)
		r.EpochAcc = append(r.EpochAcc, 0.9)
	}
	return r
}

// targetLine is the line of table that states the python target.
func targetLine(t *testing.T, table string) string {
	t.Helper()
	for _, line := range strings.Split(table, "\n") {
		if strings.Contains(line, "python nnsimd ÷ Go nnsimd (same threads) ≤ 1.05×") {
			return line
		}
	}
	t.Fatalf("no python target line in:\n%s", table)
	return ""
}

// TestPythonTarget checks the python front-door target on made-up runs: it
// compares each thread count with Go's at the same count and judges the
// worst, and says so.
func TestPythonTarget(t *testing.T) {
	for _, c := range Suites(0)[:2] {
		for _, tc := range []struct {
			name   string
			rs     []Result
			value  string // the figure printed, "" for not measured
			met    bool
			detail string
		}{
			{"within 5% at both counts", []Result{
				fakeRun(c.Suite, "nnsimd", 1, 2, 1.0, 1.0), fakeRun(c.Suite, "nnsimd", 2, 2, 0.5, 1.0),
				fakeRun(c.Suite, pythonPeer, 1, 2, 1.02, 1.0), fakeRun(c.Suite, pythonPeer, 2, 2, 0.52, 1.1),
			}, "1.04×", true, "worst of 1 thread 1.02×, 2 threads 1.04×"},
			// Python's best is within 5% of Go's best, but only the same
			// count counts.
			{"slow at 1 thread", []Result{
				fakeRun(c.Suite, "nnsimd", 1, 2, 1.0, 1.0), fakeRun(c.Suite, "nnsimd", 2, 2, 0.5, 1.0),
				fakeRun(c.Suite, pythonPeer, 1, 2, 1.2, 1.0), fakeRun(c.Suite, pythonPeer, 2, 2, 0.51, 1.0),
			}, "1.2×", false, "worst of 1 thread 1.2×, 2 threads 1.02×"},
			{"slow at 2 threads", []Result{
				fakeRun(c.Suite, "nnsimd", 1, 2, 1.0, 1.0), fakeRun(c.Suite, "nnsimd", 2, 2, 0.5, 1.0),
				fakeRun(c.Suite, pythonPeer, 1, 2, 0.99, 1.0), fakeRun(c.Suite, pythonPeer, 2, 2, 0.6, 1.2),
			}, "1.2×", false, "worst of 1 thread 0.99×, 2 threads 1.2×"},
			{"one count failed", []Result{
				fakeRun(c.Suite, "nnsimd", 1, 2, 1.0, 1.0), fakeRun(c.Suite, "nnsimd", 2, 2, 0.5, 1.0),
				fakeRun(c.Suite, pythonPeer, 1, 2, 1.01, 1.0), {Suite: c.Suite, Peer: pythonPeer, Threads: 2, Error: "library missing"},
			}, "1.01×", true, "worst of 1 thread 1.01×"},
			{"no python rows", []Result{fakeRun(c.Suite, "nnsimd", 1, 2, 1.0, 1.0)}, "", false, ""},
			{"no Go row at python's count", []Result{
				fakeRun(c.Suite, "nnsimd", 1, 2, 1.0, 1.0), fakeRun(c.Suite, pythonPeer, 2, 2, 0.5, 1.0),
			}, "", false, ""},
		} {
			var out bytes.Buffer
			PrintSuite(&out, c, tc.rs)
			line := targetLine(t, out.String())
			f := strings.Fields(strings.SplitN(line, "≤ 1.05×", 2)[1])
			switch {
			case tc.value == "":
				if !strings.Contains(line, "not measured") {
					t.Errorf("%s, %s: %q, want not measured", c.Suite, tc.name, line)
				}
			case len(f) < 2 || f[0] != tc.value || (f[1] == "met") != tc.met || (f[1] != "met" && f[1] != "missed"):
				t.Errorf("%s, %s: %q, want %s and met %v", c.Suite, tc.name, line, tc.value, tc.met)
			case !strings.HasSuffix(strings.TrimSpace(line), tc.detail):
				t.Errorf("%s, %s: %q, want it to end %q", c.Suite, tc.name, line, tc.detail)
			}
		}
	}
	// By CPU time the same pairs are compared: 1.1/1.0 at 2 threads.
	c := Suites(0)[1]
	v, ok := pythonFrontDoor.Value(c, []Result{
		fakeRun(c.Suite, "nnsimd", 2, 2, 0.5, 1.0), fakeRun(c.Suite, pythonPeer, 2, 2, 0.52, 1.1),
		fakeRun(c.Suite, "nnsimd", 1, 2, 1.0, 1.0), fakeRun(c.Suite, pythonPeer, 1, 2, 1.0, 1.0),
	}, Result.cpuCost)
	if !ok || math.Abs(v-1.1) > 1e-12 {
		t.Errorf("python target by CPU time = %v, %v; want 1.1", v, ok)
	}
}

// TestNNSIMDPythonEnv: the python peer's environment, and the errors that
// say what is missing.
func TestNNSIMDPythonEnv(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "libnnsimd.so")
	pkg := filepath.Join(dir, "py")
	if _, err := nnsimdPythonEnv(pkg, lib); err == nil || !strings.Contains(err.Error(), "make lib") {
		t.Errorf("missing library: err %v, want one saying to run make lib", err)
	}
	if err := os.WriteFile(lib, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := nnsimdPythonEnv(pkg, lib); err == nil || !strings.Contains(err.Error(), "-nnsimd-python") {
		t.Errorf("missing package: err %v, want one naming -nnsimd-python", err)
	}
	if err := os.MkdirAll(filepath.Join(pkg, "nnsimd"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pkg, "nnsimd", "__init__.py"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PYTHONPATH", "/elsewhere")
	env, err := nnsimdPythonEnv(pkg, lib)
	want := []string{"PYTHONPATH=" + pkg + string(os.PathListSeparator) + "/elsewhere", "NNSIMD_LIB=" + lib}
	if err != nil || !slices.Equal(env, want) {
		t.Errorf("nnsimdPythonEnv = %q, %v; want %q", env, err, want)
	}
}

// TestPythonPeerWithoutLibrary: a missing library fails the python rows
// with a clear error, at every thread count, and the other rows still run.
func TestPythonPeerWithoutLibrary(t *testing.T) {
	d := Data{Train: synthetic(300, 4, 4, 1), Test: synthetic(100, 4, 4, 2)}
	py, cleanup, err := newPythonRunner(python, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	dir := t.TempDir()
	opt := options{peers: []string{"python", "gonum"}, threads: []int{1, 2}, reps: 1,
		nnsimdPython: dir, lib: filepath.Join(dir, "libnnsimd.so")}
	for _, c := range syntheticCases() {
		var log bytes.Buffer
		rs := RunSuite(c, d, opt, py, &log)
		var pyRows, failed, others int
		for _, r := range rs {
			switch {
			case r.Peer == pythonPeer:
				pyRows++
				if strings.Contains(r.Error, "make lib") {
					failed++
				}
			case r.Error == "":
				others++
			}
		}
		wantPy := 2
		if !peerApplies("python", c.Suite) {
			wantPy = 0
		}
		if pyRows != wantPy || failed != wantPy || others < 2 {
			t.Errorf("%s: %d python rows (%d failed saying make lib), %d others fine; want %d, %d, ≥ 2\n%s",
				c.Suite, pyRows, failed, others, wantPy, wantPy, log.String())
		}
	}
}

// TestNNSIMDFitPeerRuns runs peers/nnsimd_fit.py over the real library on
// a tiny IDX folder. It trains with nnsimd's code, so given the Go row's
// network and training it must end with exactly the weights the Go code
// reaches: a hyper-parameter that differs would show.
func TestNNSIMDFitPeerRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Python")
	}
	needPython(t, "numpy")
	lib, err := filepath.Abs(filepath.Join("..", "..", "build", "libnnsimd.so"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(lib); err != nil {
		t.Skipf("%s missing (make lib): %v", lib, err)
	}
	pkg, err := filepath.Abs(filepath.Join("..", "..", "python"))
	if err != nil {
		t.Fatal(err)
	}
	env, err := nnsimdPythonEnv(pkg, lib)
	if err != nil {
		t.Fatal(err)
	}
	ds := synthetic(400, 4, 4, 8)
	// As the IDX files hold it, so the Go run sees the script's pixels.
	for i, v := range ds.X {
		ds.X[i] = float32(math.Round(float64(v)*255)) / 255
	}
	dir := t.TempDir()
	writeIDX(t, dir, ds)
	py, cleanup, err := newPythonRunner(python, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	d := Data{Train: ds, Test: ds, Dir: dir}
	for _, c := range syntheticCases()[:2] {
		c.Momentum = 0.5 // so a momentum left out would show
		saved := filepath.Join(dir, c.Suite+".nnsm")
		r, err := py.run(c.Suite, pythonPeer, nnsimdFitScript, append(caseArgs(c, d, 2), "--save", saved), 1, env...)
		if err != nil {
			t.Errorf("%s: %v", c.Suite, err)
			continue
		}
		if r.Samples != ds.N || len(r.EpochSeconds) != c.Epochs || !(r.TestAcc() >= 0.8) {
			t.Errorf("%s: %d samples, %d epochs, test accuracy %v; want %d, %d and ≥ 0.8",
				c.Suite, r.Samples, len(r.EpochSeconds), r.TestAcc(), ds.N, c.Epochs)
		}
		got, err := nn.Load(saved)
		if err != nil {
			t.Fatalf("%s: the script's network: %v", c.Suite, err)
		}
		want, err := nn.New(c.netConfig())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := want.Fit(ds.X, nn.OneHot(ds.Labels, c.Sizes[len(c.Sizes)-1]), ds.N, c.trainConfig(1)); err != nil {
			t.Fatal(err)
		}
		if g, w := got.Config(), want.Config(); !slices.Equal(g.Sizes, w.Sizes) || g.Hidden != w.Hidden ||
			g.Output != w.Output || g.Loss != w.Loss || g.Bias != w.Bias {
			t.Errorf("%s: the script's network is %+v, Go's %+v", c.Suite, g, w)
			continue
		}
		for l := 0; l < want.NumLayers(); l++ {
			if !slices.Equal(got.Weights(l), want.Weights(l)) || !slices.Equal(got.Biases(l), want.Biases(l)) {
				t.Errorf("%s layer %d: the script's trained weights or biases differ from Go's", c.Suite, l)
			}
		}
	}
	// RunSuite alternates the Go and Python repetitions and still gives
	// one row per side and thread count, the Go rows first.
	opt := options{peers: []string{"python"}, threads: []int{1, 2}, reps: 2, nnsimdPython: pkg, lib: lib}
	c := syntheticCases()[1]
	var log bytes.Buffer
	rs := RunSuite(c, d, opt, py, &log)
	var got []string
	for _, r := range rs {
		if r.Error != "" {
			t.Errorf("%s %s %d threads: %s", c.Suite, r.Peer, r.Threads, r.Error)
		}
		got = append(got, fmt.Sprintf("%s/%d", r.Peer, r.Threads))
	}
	if want := []string{"nnsimd/1", "nnsimd/2", pythonPeer + "/1", pythonPeer + "/2"}; !slices.Equal(got, want) {
		t.Errorf("%s: RunSuite rows %q, want %q\n%s", c.Suite, got, want, log.String())
	}
}

// chooseCore replaces OpenBLAS's core for the peers only when OpenBLAS
// reports its generic one and OPENBLAS_CORETYPE is unset, and says what it
// did; a stand-in interpreter plays OpenBLAS's answer.
func TestChooseCore(t *testing.T) {
	fake := func(t *testing.T, script string) *pythonRunner {
		path := filepath.Join(t.TempDir(), "python")
		if err := os.WriteFile(path, []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		return &pythonRunner{python: path}
	}
	better, ok := bench.BetterOpenBLASCore("Prescott")
	for _, c := range []struct {
		name, script, env string
		wantSay           string
	}{
		{"generic core", "echo Prescott", "", "Prescott"},
		{"known core", "echo SkylakeX", "", "picks its SkylakeX core"},
		{"set by the user", "echo Prescott", "Haswell", "OPENBLAS_CORETYPE=Haswell (passed on unchanged)"},
		{"no OpenBLAS", "echo 'no OpenBLAS library found' >&2; exit 1", "", "OpenBLAS's core not known"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.env != "" {
				t.Setenv("OPENBLAS_CORETYPE", c.env)
			} else {
				// Unset for the run, restored after it.
				t.Setenv("OPENBLAS_CORETYPE", "")
				os.Unsetenv("OPENBLAS_CORETYPE")
			}
			var want []string // only the generic core on a CPU with better kernels is replaced
			if c.name == "generic core" && ok {
				want = []string{"OPENBLAS_CORETYPE=" + better}
			}
			p := fake(t, c.script)
			say := p.chooseCore()
			if !slices.Equal(p.coreEnv, want) || !strings.Contains(say, c.wantSay) {
				t.Errorf("chooseCore() = %q with env %q, want env %q and a line containing %q", say, p.coreEnv, want, c.wantSay)
			}
		})
	}
}

// cheapest keeps the fastest repetition and stops at the first failure,
// which it keeps.
func TestCheapest(t *testing.T) {
	c := syntheticCases()[0]
	run := func(s float64) Result { return Result{EpochSeconds: []float64{s}} }
	b := cheapest{c: c}
	for _, s := range []float64{0.3, 0.1, 0.2} {
		if !b.offer(run(s), nil) {
			t.Fatalf("offer(%v s) asked to stop", s)
		}
	}
	if got := b.r.SecondsPerEpoch(); got != 0.1 || b.err != nil {
		t.Errorf("kept %v s, %v; want 0.1 s, no error", got, b.err)
	}
	if b.offer(Result{Error: "script failed"}, nil) || b.r.Error != "script failed" {
		t.Errorf("a failed repetition did not stop the runs or was not kept: %+v", b.r)
	}
	b = cheapest{c: c}
	if b.offer(run(0.5), errors.New("boom")) || b.err == nil {
		t.Errorf("an error did not stop the runs or was not kept")
	}
}
