package main

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/nnsimd/nnsimd/kernels"
	"github.com/nnsimd/nnsimd/nn"
	"github.com/nnsimd/nnsimd/nn/mnist"
	"github.com/nnsimd/nnsimd/nn/viz"
)

// The defaults are the `make run` configuration: full MNIST to ≥ 97.5% test
// accuracy in a few seconds per epoch on two cores.
const (
	defaultLayers   = "784,256,10"
	defaultHidden   = nn.ReLU
	defaultLoss     = nn.CrossEntropy
	defaultBatch    = 64
	defaultLR       = 0.05
	defaultMomentum = 0.9
	defaultEpochs   = 6
	defaultInit     = nn.He
)

type trainFlags struct {
	data, layers, hidden, output, loss string
	batch, epochs, threads             int
	lr, momentum, initScale            float64
	seed                               uint64
	shuffle, bias                      bool
	isa, init, save, png               string
}

func runTrain(e *env, args []string) error {
	fs := newFlags(e, "train", "train [flags]",
		"Train a dense network on the training split of an MNIST-style IDX folder, reporting the\n"+
			"loss and the test-set accuracy after every epoch.")
	cmdStart := time.Now()
	var f trainFlags
	fs.StringVar(&f.data, "data", "", "folder of MNIST IDX files (default: $NNSIMD_DATA, else MNIST fetched by the go command)")
	fs.StringVar(&f.layers, "layers", defaultLayers, "layer widths, input first, comma-separated")
	fs.StringVar(&f.hidden, "hidden", string(defaultHidden), "hidden activation: relu, sigmoid, tanh, step, identity")
	fs.StringVar(&f.output, "output", "", "output activation: identity, sigmoid, softmax (default: softmax for cross_entropy, identity for mse)")
	fs.StringVar(&f.loss, "loss", string(defaultLoss), "loss: cross_entropy (softmax output) or mse (the book's squared error)")
	fs.IntVar(&f.batch, "batch", defaultBatch, "mini-batch size; 1 = per-sample SGD in the book's order")
	fs.Float64Var(&f.lr, "lr", defaultLR, "learning rate")
	fs.Float64Var(&f.momentum, "momentum", defaultMomentum, "momentum in [0, 1); 0 = plain SGD")
	fs.IntVar(&f.epochs, "epochs", defaultEpochs, "passes over the training set")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the weight initialisation and the shuffling")
	fs.BoolVar(&f.shuffle, "shuffle", true, "visit the training set in a fresh random order each epoch (-shuffle=false: file order)")
	fs.IntVar(&f.threads, "threads", 0, "threads for the kernels (default 0: up to all CPUs, fewer while fewer are faster); results do not depend on it")
	fs.StringVar(&f.isa, "isa", "", "kernel implementation, e.g. avx2 or generic (default: the best this CPU has)")
	fs.StringVar(&f.init, "init", string(defaultInit), "weight initialisation: he, xavier, uniform")
	fs.Float64Var(&f.initScale, "init-scale", 0.1, "half-width of the uniform initialisation")
	fs.BoolVar(&f.bias, "bias", true, "give every layer a bias vector")
	fs.StringVar(&f.save, "save", "", "write the trained model to this file (.nnsm)")
	fs.StringVar(&f.png, "png", "", "write a picture of the first layer's weights to this PNG file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}

	// Everything that can be checked without the data is checked first, so
	// a mistake costs a second, not a training run.
	cfg, tc, err := f.configs()
	if err != nil {
		return err
	}
	if err := useISA(f.isa); err != nil {
		return err
	}
	for _, out := range []struct{ flag, path string }{{"-save", f.save}, {"-png", f.png}} {
		if err := checkWritable(out.path); err != nil {
			return fmt.Errorf("%s: %w", out.flag, err)
		}
	}
	net, err := nn.New(cfg)
	if err != nil {
		return usageError{err}
	}

	bar := newProgressBar(e.stdout)
	bar.message("loading the data…")
	train, test, dir, err := loadSplits(f.data)
	bar.clear()
	if err != nil {
		return err
	}
	if err := checkData(cfg.Sizes, train, test, dir); err != nil {
		return err
	}
	full := net.Config()
	fmt.Fprintf(e.stdout, "data:    %s (%d training, %d test images of %d×%d)\n", dir, train.N, test.N, train.Rows, train.Cols)
	fmt.Fprintf(e.stdout, "network: %s, %s hidden, %s output, %s loss, bias %v, %s init, seed %d\n",
		joinInts(full.Sizes, "-"), full.Hidden, full.Output, full.Loss, full.Bias, full.Init, full.Seed)
	fmt.Fprintf(e.stdout, "train:   %d epochs, batch %d, lr %g, momentum %g, shuffle %v, isa %s, %s\n",
		tc.Epochs, max(tc.BatchSize, 1), tc.LR, tc.Momentum, tc.Shuffle, kernels.ISA(), threadsText(tc.Threads))

	// Each epoch's test accuracy is measured on a copy of the weights taken
	// in the end-of-epoch progress call, so Fit runs all epochs in one call
	// (momentum and the shuffle sequence carry over) and the evaluation does
	// not share the training network's workspaces.
	evalNet, err := nn.New(full)
	if err != nil {
		return err
	}
	targets := nn.OneHot(train.Labels, full.Sizes[len(full.Sizes)-1])
	var last nn.Evaluation
	var evalErr error
	var trainTime, testTime time.Duration
	epochStart := time.Now()
	interrupted := false
	// Ctrl-C stops training between batches; before and after, it keeps its
	// default effect.
	var interrupt <-chan struct{} // nil: never ready
	stopCatching := func() {}
	if e.catchInterrupt != nil {
		interrupt, stopCatching = e.catchInterrupt()
		defer stopCatching()
	}
	tc.Progress = func(p nn.Progress) bool {
		select {
		case <-interrupt:
			interrupted = true
			return false
		default:
		}
		if p.Done < p.Total {
			bar.update(p)
			return true
		}
		seconds := time.Since(epochStart)
		trainTime += seconds
		testStart := time.Now()
		if last, evalErr = evaluateCopy(net, evalNet, test); evalErr != nil {
			return false
		}
		testTime += time.Since(testStart)
		bar.clear()
		fmt.Fprintf(e.stdout, "epoch %d/%d: loss %.4f, test accuracy %.2f%%, %.3g s (%.0f samples/s)\n",
			p.Epoch, p.Epochs, p.Loss, 100*last.Accuracy, seconds.Seconds(), float64(p.Total)/seconds.Seconds())
		epochStart = time.Now()
		return true
	}
	tc.ProgressEvery = 100 * time.Millisecond // a terminal redraw at most 10× a second
	_, err = net.Fit(train.X, targets, train.N, tc)
	stopCatching()
	bar.clear()
	switch {
	case evalErr != nil:
		return evalErr
	case errors.Is(err, nn.ErrCanceled) && interrupted:
		return errors.New("train: interrupted; nothing saved")
	case errors.Is(err, nn.ErrDiverged):
		return fmt.Errorf("train: %w (-lr %g)", err, tc.LR)
	case err != nil:
		return fmt.Errorf("train: %w", err)
	}
	fmt.Fprintf(e.stdout, "final test accuracy %.2f%% (%d/%d); training %.3g s + testing %.3g s, total %.3g s with loading; isa %s\n",
		100*last.Accuracy, last.Correct, last.Total, trainTime.Seconds(), testTime.Seconds(), time.Since(cmdStart).Seconds(), kernels.ISA())

	if f.save != "" {
		if err := net.Save(f.save); err != nil {
			return fmt.Errorf("-save: %w", err)
		}
		fmt.Fprintf(e.stdout, "saved model to %s\n", f.save)
	}
	if f.png != "" {
		if err := writeWeightsPNG(f.png, net, 0, train.Rows, train.Cols); err != nil {
			return fmt.Errorf("-png: %w", err)
		}
		fmt.Fprintf(e.stdout, "saved first-layer weights to %s\n", f.png)
	}
	return nil
}

// configs turns the flags into the network's and the training's
// configuration, naming the flag in every error.
func (f *trainFlags) configs() (nn.Config, nn.TrainConfig, error) {
	sizes, err := parseLayers(f.layers)
	if err != nil {
		return nn.Config{}, nn.TrainConfig{}, err
	}
	fail := func(format string, args ...any) (nn.Config, nn.TrainConfig, error) {
		return nn.Config{}, nn.TrainConfig{}, usagef(format, args...)
	}
	switch {
	case f.epochs < 1:
		return fail("-epochs %d: want ≥ 1", f.epochs)
	case f.batch < 1:
		return fail("-batch %d: want ≥ 1", f.batch)
	case !(f.lr > 0) || math.IsInf(f.lr, 0):
		return fail("-lr %g: want a finite value > 0", f.lr)
	case !(f.momentum >= 0 && f.momentum < 1):
		return fail("-momentum %g: want a value in [0, 1)", f.momentum)
	case f.threads < 0:
		return fail("-threads %d: want ≥ 0 (0 = all CPUs)", f.threads)
	case !(f.initScale > 0) || math.IsInf(f.initScale, 0):
		return fail("-init-scale %g: want a finite value > 0", f.initScale)
	}
	if err := oneOf("-hidden", f.hidden, nn.ReLU, nn.Sigmoid, nn.Tanh, nn.Step, nn.Identity); err != nil {
		return nn.Config{}, nn.TrainConfig{}, err
	}
	if f.output != "" {
		if err := oneOf("-output", f.output, nn.Identity, nn.Sigmoid, nn.Softmax, nn.ReLU, nn.Tanh, nn.Step); err != nil {
			return nn.Config{}, nn.TrainConfig{}, err
		}
	}
	if err := oneOf("-loss", f.loss, nn.CrossEntropy, nn.MSE); err != nil {
		return nn.Config{}, nn.TrainConfig{}, err
	}
	if err := oneOf("-init", f.init, nn.He, nn.Xavier, nn.Uniform); err != nil {
		return nn.Config{}, nn.TrainConfig{}, err
	}
	if nn.Loss(f.loss) == nn.CrossEntropy && f.output != "" && nn.Activation(f.output) != nn.Softmax {
		return fail("-output %s: the cross_entropy loss needs a softmax output", f.output)
	}
	cfg := nn.Config{
		Sizes:     sizes,
		Hidden:    nn.Activation(f.hidden),
		Output:    nn.Activation(f.output),
		Loss:      nn.Loss(f.loss),
		Bias:      f.bias,
		Init:      nn.Init(f.init),
		InitScale: float32(f.initScale),
		Seed:      f.seed,
	}
	tc := nn.TrainConfig{
		Epochs:    f.epochs,
		LR:        float32(f.lr),
		BatchSize: f.batch,
		Momentum:  float32(f.momentum),
		Shuffle:   f.shuffle,
		Seed:      f.seed,
		Threads:   f.threads,
	}
	return cfg, tc, nil
}

// oneOf checks that a flag's value is one of the allowed names.
func oneOf[T ~string](flagName, value string, allowed ...T) error {
	names := make([]string, len(allowed))
	for i, a := range allowed {
		if string(a) == value {
			return nil
		}
		names[i] = string(a)
	}
	return usagef("%s %q: want one of %s", flagName, value, strings.Join(names, ", "))
}

// parseLayers reads "784,128,10".
func parseLayers(s string) ([]int, error) {
	parts := strings.Split(s, ",")
	if len(parts) < 2 {
		return nil, usagef("-layers %q: want at least two comma-separated widths, input first, e.g. %s", s, defaultLayers)
	}
	sizes := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 1 {
			return nil, usagef("-layers %q: width %d is %q, want an integer ≥ 1", s, i+1, p)
		}
		sizes[i] = n
	}
	return sizes, nil
}

func joinInts(v []int, sep string) string {
	parts := make([]string, len(v))
	for i, n := range v {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, sep)
}

// threadsText says how many threads -threads asks for: with 0, up to
// all of them, the count tuned as training goes (nn.TrainConfig.Threads).
func threadsText(flagValue int) string {
	switch n := kernels.Threads(); {
	case flagValue == 1 || flagValue == 0 && n == 1:
		return "1 thread"
	case flagValue > 1:
		return fmt.Sprintf("%d threads", flagValue)
	default:
		return fmt.Sprintf("up to %d threads, tuned as it trains", n)
	}
}

// checkWritable makes sure a file can be created at path (by creating and
// removing a temporary file next to it), so a typo in -save fails before
// training rather than after. An empty path is not asked for and passes.
func checkWritable(path string) error {
	if path == "" {
		return nil
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("%s is a directory", path)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".nnsimd-check-*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, errors.Unwrap(err))
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// loadSplits reads the training and test splits, at the same time (decoding
// the gzip files is most of the time and each is one core's work).
func loadSplits(dir string) (train, test *mnist.Dataset, where string, err error) {
	if dir == "" {
		if dir, err = mnist.Locate(); err != nil {
			return nil, nil, "", err
		}
	} else if st, statErr := os.Stat(dir); statErr != nil || !st.IsDir() {
		return nil, nil, "", fmt.Errorf("-data %s: not a folder", dir)
	}
	testDone := make(chan error, 1)
	go func() {
		var err error
		test, err = mnist.Load(dir, "test")
		testDone <- err
	}()
	train, err = mnist.Load(dir, "train")
	if testErr := <-testDone; err == nil {
		err = testErr
	}
	return train, test, dir, err
}

// checkData compares the data with the network: input width and classes.
func checkData(sizes []int, train, test *mnist.Dataset, dir string) error {
	if train.N == 0 || test.N == 0 {
		return fmt.Errorf("%s: %d training and %d test images, want at least one of each", dir, train.N, test.N)
	}
	if train.Features != test.Features {
		return fmt.Errorf("%s: training images have %d pixels, test images %d", dir, train.Features, test.Features)
	}
	if sizes[0] != train.Features {
		return usagef("-layers %s: the input width is %d, the images of %s have %d×%d = %d pixels",
			joinInts(sizes, ","), sizes[0], dir, train.Rows, train.Cols, train.Features)
	}
	classes := sizes[len(sizes)-1]
	for _, ds := range []struct {
		name   string
		labels []uint8
	}{{"training", train.Labels}, {"test", test.Labels}} {
		for i, l := range ds.labels {
			if int(l) >= classes {
				return usagef("-layers %s: %d outputs, but %s label %d is %d", joinInts(sizes, ","), classes, ds.name, i, l)
			}
		}
	}
	return nil
}

// evaluateCopy copies net's weights into evalNet and evaluates that on the
// test set.
func evaluateCopy(net, evalNet *nn.Network, test *mnist.Dataset) (nn.Evaluation, error) {
	for l := 0; l < net.NumLayers(); l++ {
		if err := evalNet.SetWeights(l, net.Weights(l)); err != nil {
			return nn.Evaluation{}, err
		}
		if b := net.Biases(l); b != nil {
			if err := evalNet.SetBiases(l, b); err != nil {
				return nn.Evaluation{}, err
			}
		}
	}
	return evalNet.Evaluate(test.X, test.N, test.Labels)
}

// writeWeightsPNG draws layer l's weights, one tile per output, each tile
// the layer's inputs as a rows×cols image (for the first layer, the data's
// image shape; otherwise as square as the input width allows).
func writeWeightsPNG(path string, net *nn.Network, l, rows, cols int) error {
	sizes := net.Config().Sizes
	inputs, outputs := sizes[l], sizes[l+1]
	if rows*cols != inputs {
		rows, cols = tileShape(inputs)
	}
	return writeFileAtomic(path, func(f *os.File) error {
		return viz.WeightsPNG(f, net.Weights(l), inputs, outputs, rows, cols)
	})
}

// tileShape factors n pixels into the most nearly square rows×cols (784 →
// 28×28, 128 → 8×16, a prime → 1×n).
func tileShape(n int) (rows, cols int) {
	rows = int(math.Sqrt(float64(n)))
	for rows > 1 && n%rows != 0 {
		rows--
	}
	return rows, n / rows
}

// writeFileAtomic writes a file through a temporary one in the same folder,
// renamed into place only when complete.
func writeFileAtomic(path string, write func(f *os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = write(f)
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
