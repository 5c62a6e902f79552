package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	"github.com/nnsimd/nnsimd/kernels"
	"github.com/nnsimd/nnsimd/nn"
	"github.com/nnsimd/nnsimd/nn/mnist"
)

// Data is what every peer trains on and is tested with.
type Data struct {
	Train, Test *mnist.Dataset
	Dir         string // the IDX folder the Python peers read; "" for in-memory data
}

// runNNSIMD trains c in-process with package nn on threads threads. All
// epochs run in one Fit call, so momentum and the shuffle sequence carry
// over as in the peers; the test accuracy after each epoch is measured on a
// copy of the weights from the end-of-epoch progress call, and its time is
// left out of the epoch's.
func runNNSIMD(c Case, d Data, threads int) (Result, error) {
	res := Result{Suite: c.Suite, Peer: "nnsimd", Threads: threads, Samples: d.Train.N,
		Note: fmt.Sprintf("float32, isa %s, Fit's setup counted in epoch 1", kernels.ISA())}
	net, err := nn.New(c.netConfig())
	if err != nil {
		return res, err
	}
	evalNet, err := nn.New(net.Config())
	if err != nil {
		return res, err
	}
	targets := nn.OneHot(d.Train.Labels, c.Sizes[len(c.Sizes)-1])
	tc := c.trainConfig(threads)
	// Only the end-of-epoch calls matter; mid-epoch ones are cheap checks
	// of the clock that never fire.
	tc.ProgressEvery = time.Hour
	var evalErr error
	reached := false
	// Earlier runs' garbage is collected and its memory handed back to the
	// system, so that Fit allocates and first touches its workspace (the
	// mini-batch input lists: 42 MB for MNIST, 15–30 ms of page faults
	// here) as in a fresh process, and as each Python run does.
	debug.FreeOSMemory()
	mark, cpuMark := time.Now(), cpuSeconds()
	tc.Progress = func(p nn.Progress) bool {
		if p.Done < p.Total {
			return true
		}
		res.EpochSeconds = append(res.EpochSeconds, time.Since(mark).Seconds())
		res.EpochCPU = append(res.EpochCPU, cpuSeconds()-cpuMark)
		var acc float64
		if acc, evalErr = evaluateCopy(net, evalNet, d.Test); evalErr != nil {
			return false
		}
		res.EpochAcc = append(res.EpochAcc, acc)
		if c.TargetAcc > 0 && acc >= c.TargetAcc {
			res.ReachedEpoch = p.Epoch
			reached = true
			return false
		}
		mark, cpuMark = time.Now(), cpuSeconds()
		return true
	}
	_, err = net.Fit(d.Train.X, targets, d.Train.N, tc)
	switch {
	case evalErr != nil:
		return res, evalErr
	case errors.Is(err, nn.ErrCanceled) && reached:
	case err != nil:
		return res, err
	}
	return res, nil
}

// evaluateCopy measures the test accuracy of net's current weights on
// evalNet, which has the same shape.
func evaluateCopy(net, evalNet *nn.Network, test *mnist.Dataset) (float64, error) {
	for l := 0; l < net.NumLayers(); l++ {
		if err := evalNet.SetWeights(l, net.Weights(l)); err != nil {
			return 0, err
		}
		if b := net.Biases(l); b != nil {
			if err := evalNet.SetBiases(l, b); err != nil {
				return 0, err
			}
		}
	}
	ev, err := evalNet.Evaluate(test.X, test.N, test.Labels)
	return ev.Accuracy, err
}

// initialWeightsFile writes the weights nnsimd starts case c from to a
// temporary file, in book_numpy.py's --init-weights layout: each layer's
// inputs×outputs matrix, row-major little-endian float32, the layers one
// after the other. The caller removes the file.
func initialWeightsFile(c Case) (string, error) {
	const what = "initial weights for the Python peers"
	net, err := nn.New(c.netConfig())
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	return writeTempFile(what, "nnsimd-weights-*.f32", func(w io.Writer) error {
		for l := 0; l < net.NumLayers(); l++ {
			if err := binary.Write(w, binary.LittleEndian, net.Weights(l)); err != nil {
				return err
			}
		}
		return nil
	})
}

// epochOrdersFile writes the order nnsimd visits rows samples in, epoch by
// epoch, for mini-batch case c (nn.EpochOrders) to a temporary file, in the
// Python peers' --order layout: c.Epochs rows of rows sample indices,
// little-endian int32. The caller removes the file.
func epochOrdersFile(c Case, rows int) (string, error) {
	return writeTempFile("batch order for the Python peers", "nnsimd-order-*.i32", func(w io.Writer) error {
		for _, order := range nn.EpochOrders(rows, c.Epochs, c.Seed) {
			if err := binary.Write(w, binary.LittleEndian, order); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeTempFile creates a temporary file named after pattern, fills it with
// write and returns its name; on failure it removes the file and returns
// the error, prefixed with what the file is.
func writeTempFile(what, pattern string, write func(io.Writer) error) (string, error) {
	f, err := os.CreateTemp("", pattern)
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	w := bufio.NewWriter(f)
	err = write(w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("%s: %w", what, err)
	}
	return f.Name(), nil
}
