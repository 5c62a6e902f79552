package kernels

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"syscall"
	"testing"
	"time"
)

// threadCPU is the CPU time of the calling thread (Linux's RUSAGE_THREAD):
// on a loaded machine it leaves out the time other processes take.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuLoop runs f b.N times on one locked thread and reports its CPU time
// per call beside the wall-clock time.
func cpuLoop(b *testing.B, f func(i int)) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	t0 := threadCPU()
	i := 0
	for b.Loop() {
		f(i)
		i++
	}
	b.ReportMetric(float64(threadCPU()-t0)/float64(b.N), "cpu-ns/op")
}

// BenchmarkSparseRowsMNIST times the per-sample first layer of a
// 784-128-10 network on MNIST-like images (an empty border, a 37%-dense
// centre: 19% overall), forward and update apart, cycling through 256
// images so that the rows listed change from call to call as in training.
//
//	go test -run '^$' -bench SparseRowsMNIST -benchtime 200ms ./kernels/
func BenchmarkSparseRowsMNIST(b *testing.B) {
	const m, n, images = 784, 128, 256
	r := rand.New(rand.NewPCG(51, 52))
	w := at(r, m*n, 0)
	delta := at(r, n, 0)
	y := make([]float32, n)
	x, lists := mnistLikeBatch(r, images, m)
	b.Run("forward", func(b *testing.B) {
		cpuLoop(b, func(i int) {
			k := i % images
			GemvTRows(y, w, n, x[k*m:k*m+m], lists[k])
		})
	})
	b.Run("update", func(b *testing.B) {
		cpuLoop(b, func(i int) {
			k := i % images
			OuterUpdateRows(-1e-6, x[k*m:k*m+m], lists[k], delta, w, n)
		})
	})
	b.Run("both", func(b *testing.B) {
		cpuLoop(b, func(i int) {
			k := i % images
			GemvTRows(y, w, n, x[k*m:k*m+m], lists[k])
			OuterUpdateRows(-1e-6, x[k*m:k*m+m], lists[k], delta, w, n)
		})
	})
	// For comparison, the update walking forwards (OuterUpdateRows walks a
	// list from its end): it starts on the rows the forward pass read
	// first, which have left L1 since.
	reversed := make([][]int32, images)
	for k, l := range lists {
		reversed[k] = slices.Clone(l)
		slices.Reverse(reversed[k])
	}
	b.Run("both-update-forwards", func(b *testing.B) {
		cpuLoop(b, func(i int) {
			k := i % images
			GemvTRows(y, w, n, x[k*m:k*m+m], lists[k])
			OuterUpdateRows(-1e-6, x[k*m:k*m+m], reversed[k], delta, w, n)
		})
	})
}

// BenchmarkSparseBatchMNIST times the first layer of a mini-batch step of
// a 784-n-… network on 128 MNIST-like images (19% non-zero), on one
// thread and on two, as nn runs it: the forward product row-wise (per
// sample, over its non-zeros' rows of W), the weight update on the batch
// transposed (the transpose is timed too, since nn does it every step),
// and the two in turn.
//
//	go test -run '^$' -bench SparseBatchMNIST -benchtime 200ms ./kernels/
func BenchmarkSparseBatchMNIST(b *testing.B) {
	defer SetThreads(Threads())
	SetThreads(1)
	const m, k = 128, 784
	r := rand.New(rand.NewPCG(53, 54))
	x, rows := mnistLikeBatch(r, m, k)
	xt := make([]float32, k*m)
	// 128 outputs (784-128-10) keep W in L2; 512 (784-512-256-10) do not;
	// 256 are where GemmSparseRows stops taking the rows in passes.
	for _, n := range []int{128, 256, 512} {
		w := at(r, k*n, 0)
		d := at(r, m*n, 0)
		c := make([]float32, m*n)
		for _, threads := range []int{1, 2} {
			name := fmt.Sprintf("%d-thread", threads)
			if threads > 1 {
				name += "s"
			}
			SetThreads(threads)
			b.Run(fmt.Sprintf("n=%d/forward/rows/%s", n, name), func(b *testing.B) {
				cpuLoop(b, func(int) { GemmSparseRows(m, n, x, k, rows, w, n, c, n) })
			})
			b.Run(fmt.Sprintf("n=%d/update/transposed/%s", n, name), func(b *testing.B) {
				cpuLoop(b, func(int) {
					Transpose(m, k, x, k, xt, m)
					OuterUpdateSparseT(m, n, k, -1e-9, xt, m, d, n, w, n)
				})
			})
			// Both, as in a training step: W's lines written by one
			// core's update are read by the forward pass next.
			b.Run(fmt.Sprintf("n=%d/step/%s", n, name), func(b *testing.B) {
				cpuLoop(b, func(int) {
					GemmSparseRows(m, n, x, k, rows, w, n, c, n)
					Transpose(m, k, x, k, xt, m)
					OuterUpdateSparseT(m, n, k, -1e-9, xt, m, d, n, w, n)
				})
			})
		}
	}
}
