package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/nnsimd/nnsimd/kernels"
)

// mnistLike makes rows synthetic 784-pixel images with about 19% non-zero
// pixels (MNIST's density) and one-hot targets for 10 classes.
func mnistLike(rows int) (x, y []float32) {
	rng := rand.New(rand.NewPCG(1, 2))
	x = sparseInputs(rng, rows, 784, 0.19)
	return x, randomClasses(rng, rows)
}

// BenchmarkTrainStep measures one training step of a 784-128-10 network on
// one thread, and reports the time a 60,000-sample MNIST epoch would take.
// Its names, like BenchmarkMNISTEpoch's, all have three levels.
//
//	go test -run '^$' -bench TrainStep -benchtime 200ms ./nn/
func BenchmarkTrainStep(b *testing.B) {
	defer kernels.SetThreads(kernels.Threads())
	kernels.SetThreads(1)
	const pool = 1024
	x, y := mnistLike(pool)
	b.Run("per-sample/relu-mse/sparse", func(b *testing.B) {
		n, _ := New(Config{Sizes: []int{784, 128, 10}, Seed: 1})
		b.ReportAllocs()
		cpu0 := cpuSeconds()
		for i := 0; b.Loop(); i++ {
			r := i % pool
			xr := x[r*784 : r*784+784]
			nz, _ := n.nonZeroRows(xr) // as Fit lists them
			n.trainSample(xr, y[r*10:r*10+10], nz, 0.005)
		}
		reportEpoch(b, cpu0, 60000)
	})
	index := nonZeroLists(x, pool, 784)
	for _, c := range []struct {
		mu     float32
		sparse bool
	}{{0, false}, {0, true}, {0.9, false}, {0.9, true}} {
		mu := c.mu
		name := "batch128/cross-entropy"
		if mu != 0 {
			name += "-momentum"
		}
		if c.sparse {
			name += "/sparse"
		} else {
			name += "/dense"
		}
		nz := make([][]int32, pool)
		for r := range nz {
			if c.sparse {
				nz[r] = index[r]
			}
		}
		b.Run(name, func(b *testing.B) {
			n, _ := New(Config{Sizes: []int{784, 128, 10}, Loss: CrossEntropy, Bias: true, Init: He, Seed: 1})
			n.ensureBatch(128)
			if mu != 0 {
				n.resetVelocity()
			}
			b.ReportAllocs()
			cpu0 := cpuSeconds()
			for i := 0; b.Loop(); i++ {
				r := i % (pool / 128) * 128
				var rowsNZ [][]int32
				if c.sparse {
					rowsNZ = nz[r : r+128]
				}
				n.trainBatch(x[r*784:(r+128)*784], y[r*10:(r+128)*10], 128, rowsNZ, 0.1, mu)
			}
			reportEpoch(b, cpu0, 60000/128.0)
		})
	}
}

// BenchmarkFitEpoch runs Fit for one epoch over 6,000 synthetic MNIST-like
// samples, everything included (validation, the non-zero index, progress
// checks), and reports the time scaled to MNIST's 60,000.
//
//	go test -run '^$' -bench FitEpoch -benchtime 3x ./nn/
func BenchmarkFitEpoch(b *testing.B) {
	const rows = 6000
	x, y := mnistLike(rows)
	for _, c := range []struct {
		name string
		cfg  Config
		tc   TrainConfig
	}{
		{"per-sample/relu-mse/1-thread", Config{Sizes: []int{784, 128, 10}, Seed: 1}, TrainConfig{Epochs: 1, LR: 0.005, Threads: 1}},
		{"batch128/cross-entropy/1-thread", Config{Sizes: []int{784, 128, 10}, Loss: CrossEntropy, Bias: true, Init: He, Seed: 1}, TrainConfig{Epochs: 1, LR: 0.1, BatchSize: 128, Threads: 1}},
		{"batch128/cross-entropy/2-threads", Config{Sizes: []int{784, 128, 10}, Loss: CrossEntropy, Bias: true, Init: He, Seed: 1}, TrainConfig{Epochs: 1, LR: 0.1, BatchSize: 128, Threads: 2}},
	} {
		b.Run(c.name, func(b *testing.B) {
			n, _ := New(c.cfg)
			cpu0 := cpuSeconds()
			for b.Loop() {
				if _, err := n.Fit(x, y, rows, c.tc); err != nil {
					b.Fatal(err)
				}
			}
			reportEpoch(b, cpu0, 60000/rows)
		})
	}
}

// reportEpoch reports the wall-clock and CPU time of steps steps (an MNIST
// epoch), extrapolated from the b.N steps run since cpu0.
func reportEpoch(b *testing.B, cpu0, steps float64) {
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)*steps, "s/epoch")
	b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N)*steps, "cpu-s/epoch")
}

// BenchmarkPredict measures inference of 10,000 MNIST-like samples (19%
// non-zero), on one thread and on two, and of the same with every input
// non-zero.
func BenchmarkPredict(b *testing.B) {
	defer kernels.SetThreads(kernels.Threads())
	x, _ := mnistLike(10000)
	dense := make([]float32, len(x))
	for i := range dense {
		dense[i] = float32(i%255+1) / 255
	}
	for _, sizes := range [][]int{{784, 128, 10}, {784, 512, 256, 10}} {
		n, _ := New(Config{Sizes: sizes, Seed: 1})
		out := make([]float32, 10000*10)
		for _, in := range []struct {
			name string
			x    []float32
		}{{"mnist-like", x}, {"dense", dense}} {
			for _, threads := range []int{1, 2} {
				kernels.SetThreads(threads)
				b.Run(fmt.Sprintf("%v/%s/threads=%d", sizes, in.name, threads), func(b *testing.B) {
					for b.Loop() {
						n.Predict(in.x, 10000, out)
					}
				})
			}
		}
	}
}
