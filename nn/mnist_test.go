package nn_test

import (
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/nnsimd/nnsimd/nn"
	"github.com/nnsimd/nnsimd/nn/mnist"
)

// TestMNIST trains on the real MNIST for one epoch in both modes and checks
// the test-set accuracy. It needs the data ($NNSIMD_DATA or the Go module
// cache, see mnist.Locate) and is skipped with -short or when the data is
// not there.
func TestMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("MNIST training skipped with -short")
	}
	train, err := mnist.Load("", "train")
	if errors.Is(err, mnist.ErrNotFound) {
		t.Skipf("no MNIST data: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	test, err := mnist.Load("", "test")
	if err != nil {
		t.Fatal(err)
	}
	y := nn.OneHot(train.Labels, 10)
	for _, c := range []struct {
		name string
		cfg  nn.Config
		tc   nn.TrainConfig
	}{
		{"per-sample relu/mse lr 0.005", nn.Config{Sizes: []int{784, 128, 10}, Seed: 1},
			nn.TrainConfig{Epochs: 1, LR: 0.005, Threads: 1}},
		{"batch 128 cross-entropy lr 0.1 momentum 0.9", nn.Config{Sizes: []int{784, 128, 10}, Loss: nn.CrossEntropy, Bias: true, Init: nn.He, Seed: 1},
			nn.TrainConfig{Epochs: 1, LR: 0.1, BatchSize: 128, Momentum: 0.9, Shuffle: true, Seed: 1, Threads: 1}},
	} {
		n, err := nn.New(c.cfg)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		h, err := n.Fit(train.X, y, train.N, c.tc)
		elapsed := time.Since(start)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		ev, err := n.Evaluate(test.X, test.N, test.Labels)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: epoch loss %.4f, test accuracy %.4f, Fit took %v (wall clock, one thread)", c.name, h.Loss[0], ev.Accuracy, elapsed)
		if ev.Accuracy < 0.9 {
			t.Errorf("%s: test accuracy %.4f after one epoch, want > 0.9", c.name, ev.Accuracy)
		}
	}
}

// BenchmarkMNISTEpoch times one Fit epoch over the real MNIST training set
// (on one thread unless the name says otherwise), reporting wall-clock and
// CPU seconds per epoch. Each Fit includes indexing the inputs' non-zeros.
// Every name has three levels: with b.Loop, a shorter name that a pattern
// matches only as far as it goes runs in full, unreported.
//
//	go test -run '^$' -bench MNISTEpoch -benchtime 1x ./nn/
func BenchmarkMNISTEpoch(b *testing.B) {
	train, err := mnist.Load("", "train")
	if err != nil {
		b.Skipf("no MNIST data: %v", err)
	}
	y := nn.OneHot(train.Labels, 10)
	for _, c := range []struct {
		name   string
		cfg    nn.Config
		tc     nn.TrainConfig
		locked bool // Fit called from a goroutine locked to its thread, as from C
	}{
		{"per-sample/relu-mse/1-epoch", nn.Config{Sizes: []int{784, 128, 10}, Seed: 1}, nn.TrainConfig{Epochs: 1, LR: 0.005, Threads: 1}, false},
		{"batch128/cross-entropy/1-epoch", nn.Config{Sizes: []int{784, 128, 10}, Loss: nn.CrossEntropy, Bias: true, Init: nn.He, Seed: 1}, nn.TrainConfig{Epochs: 1, LR: 0.1, BatchSize: 128, Threads: 1}, false},
		{"batch128/cross-entropy/2-threads", nn.Config{Sizes: []int{784, 128, 10}, Loss: nn.CrossEntropy, Bias: true, Init: nn.He, Seed: 1}, nn.TrainConfig{Epochs: 1, LR: 0.1, BatchSize: 128, Threads: 2}, false},
		{"batch128/cross-entropy/2-threads-locked", nn.Config{Sizes: []int{784, 128, 10}, Loss: nn.CrossEntropy, Bias: true, Init: nn.He, Seed: 1}, nn.TrainConfig{Epochs: 1, LR: 0.1, BatchSize: 128, Threads: 2}, true},
		{"batch128/cross-entropy/auto-threads", nn.Config{Sizes: []int{784, 128, 10}, Loss: nn.CrossEntropy, Bias: true, Init: nn.He, Seed: 1}, nn.TrainConfig{Epochs: 3, LR: 0.1, BatchSize: 128}, false},
		{"batch128/cross-entropy/3-epochs-2-threads", nn.Config{Sizes: []int{784, 128, 10}, Loss: nn.CrossEntropy, Bias: true, Init: nn.He, Seed: 1}, nn.TrainConfig{Epochs: 3, LR: 0.1, BatchSize: 128, Threads: 2}, false},
		{"batch128/cross-entropy/3-epochs", nn.Config{Sizes: []int{784, 128, 10}, Loss: nn.CrossEntropy, Bias: true, Init: nn.He, Seed: 1}, nn.TrainConfig{Epochs: 3, LR: 0.1, BatchSize: 128, Threads: 1}, false},
		{"per-sample/relu-mse/3-epochs", nn.Config{Sizes: []int{784, 128, 10}, Seed: 1}, nn.TrainConfig{Epochs: 3, LR: 0.005, Threads: 1}, false},
		{"deep/784-512-256-10/batch128-momentum/2-threads", nn.Config{Sizes: []int{784, 512, 256, 10}, Loss: nn.CrossEntropy, Bias: true, Init: nn.Xavier, Seed: 1}, nn.TrainConfig{Epochs: 1, LR: 0.05, BatchSize: 128, Momentum: 0.9, Shuffle: true, Threads: 2}, false},
		{"deep/784-512-256-10/batch128-momentum/1-thread", nn.Config{Sizes: []int{784, 512, 256, 10}, Loss: nn.CrossEntropy, Bias: true, Init: nn.Xavier, Seed: 1}, nn.TrainConfig{Epochs: 1, LR: 0.05, BatchSize: 128, Momentum: 0.9, Shuffle: true, Threads: 1}, false},
		{"shallow/784-256-10/batch128-momentum/2-threads", nn.Config{Sizes: []int{784, 256, 10}, Loss: nn.CrossEntropy, Bias: true, Init: nn.Xavier, Seed: 1}, nn.TrainConfig{Epochs: 1, LR: 0.1, BatchSize: 128, Momentum: 0.9, Shuffle: true, Threads: 2}, false},
		{"batch128/cross-entropy-momentum/1-epoch", nn.Config{Sizes: []int{784, 128, 10}, Loss: nn.CrossEntropy, Bias: true, Init: nn.He, Seed: 1}, nn.TrainConfig{Epochs: 1, LR: 0.1, BatchSize: 128, Momentum: 0.9, Threads: 1}, false},
	} {
		b.Run(c.name, func(b *testing.B) {
			if c.locked {
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
			}
			n, _ := nn.New(c.cfg)
			cpu0 := nn.CPUSeconds()
			for b.Loop() {
				if _, err := n.Fit(train.X, y, train.N, c.tc); err != nil {
					b.Fatal(err)
				}
			}
			epochs := float64(b.N * c.tc.Epochs)
			b.ReportMetric(b.Elapsed().Seconds()/epochs, "s/epoch")
			b.ReportMetric((nn.CPUSeconds()-cpu0)/epochs, "cpu-s/epoch")
		})
	}
}
