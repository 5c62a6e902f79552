// Command ch4_gradient_descent is "Grokking Deep Learning" ch. 4's gradient
// descent on one weight: input 0.5, goal 0.8, weight 0.5, twenty iterations,
// printing the error and prediction before each update:
//
//	Error:0.3025 Prediction:0.25
//	Error:0.17015625 Prediction:0.3875
//	...
//	Error:5.40820802026e-06 Prediction:0.797674444578
//
// The network is nnsimd's smallest: one input, one output, identity
// activation, the book's squared error, no bias. Each iteration is one call
// of Fit on the single sample (per-sample SGD, learning rate 1 = the book's
// implicit alpha), whose History gives the error it measured before updating.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/nnsimd/nnsimd/examples/internal/book"
	"github.com/nnsimd/nnsimd/nn"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ch4_gradient_descent:", err)
		os.Exit(1)
	}
}

func run(w io.Writer) error {
	const (
		weight     = 0.5
		input      = 0.5
		goal       = 0.8
		iterations = 20
	)
	net, err := nn.New(nn.Config{Sizes: []int{1, 1}, Output: nn.Identity, Loss: nn.MSE})
	if err != nil {
		return err
	}
	if err := net.SetWeights(0, []float32{weight}); err != nil {
		return err
	}
	x, y := []float32{input}, []float32{goal}
	for range iterations {
		pred := net.Forward(x)[0]
		h, err := net.Fit(x, y, 1, nn.TrainConfig{Epochs: 1, LR: 1})
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "Error:%s Prediction:%s\n", book.Float(float32(h.Loss[0])), book.Float(pred))
	}
	return nil
}
