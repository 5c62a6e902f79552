// Command ch4_divergence is "Grokking Deep Learning" ch. 4's lesson on
// divergence and alpha. The gradient descent of ch4_gradient_descent with
// input 2 instead of 0.5 overcorrects every step, and the predictions explode:
//
//	Error:0.04 Prediction:1.0
//	Error:0.36 Prediction:0.2
//	Error:3.24 Prediction:2.6
//	...
//	Error:6.67087267987e+14 Prediction:-25828031.8
//	Error:6.00378541188e+15 Prediction:77484098.6
//	Error:5.40340687069e+16 Prediction:-232452292.6
//
// Left to run, the error overflows float32 and nn.Fit stops with
// nn.ErrDiverged. Multiplying each update by alpha = 0.1 (the learning rate)
// tames it: the prediction settles on 0.8.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/nnsimd/nnsimd/examples/internal/book"
	"github.com/nnsimd/nnsimd/nn"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ch4_divergence:", err)
		os.Exit(1)
	}
}

const (
	startWeight = 0.5
	input       = 2
	goal        = 0.8
	iterations  = 20
)

// newNetwork returns the book's single weight: 1 input, 1 output, identity,
// squared error, no bias, weight 0.5.
func newNetwork() (*nn.Network, error) {
	net, err := nn.New(nn.Config{Sizes: []int{1, 1}, Output: nn.Identity, Loss: nn.MSE})
	if err != nil {
		return nil, err
	}
	return net, net.SetWeights(0, []float32{startWeight})
}

// trace prints the error and prediction of each of iterations steps of
// gradient descent with learning rate alpha, one Fit call per step.
func trace(w io.Writer, alpha float32) error {
	net, err := newNetwork()
	if err != nil {
		return err
	}
	x, y := []float32{input}, []float32{goal}
	for range iterations {
		pred := net.Forward(x)[0]
		h, err := net.Fit(x, y, 1, nn.TrainConfig{Epochs: 1, LR: alpha})
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "Error:%s Prediction:%s\n", book.Float(float32(h.Loss[0])), book.Float(pred))
	}
	return nil
}

// maxEpochs is far more than divergence needs: the error grows ninefold per
// step and passes float32's 3.4e38 after about forty.
const maxEpochs = 1000

func run(w io.Writer) error {
	fmt.Fprintf(w, "input %d, alpha 1:\n", input)
	if err := trace(w, 1); err != nil {
		return err
	}

	net, err := newNetwork()
	if err != nil {
		return err
	}
	_, err = net.Fit([]float32{input}, []float32{goal}, 1, nn.TrainConfig{Epochs: maxEpochs, LR: 1})
	var de *nn.DivergedError
	if !errors.As(err, &de) {
		return fmt.Errorf("Fit for %d epochs with alpha 1 returned %v, want it to diverge", maxEpochs, err)
	}
	fmt.Fprintf(w, "Fit for %d epochs: stopped at epoch %d: %v\n", maxEpochs, de.Epoch, err)

	fmt.Fprintf(w, "input %d, alpha 0.1:\n", input)
	return trace(w, 0.1)
}
