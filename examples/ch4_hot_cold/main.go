// Command ch4_hot_cold is "Grokking Deep Learning" ch. 4's hot and cold
// learning: predict 0.8 from input 0.5, starting at weight 0.5, by trying
// the weight a step of 0.001 up and down each iteration and keeping
// whichever predicts better, for 1101 iterations:
//
//	Error:0.3025 Prediction:0.25
//	Error:0.30195025 Prediction:0.2505
//	...
//	Error:2.50000000033e-07 Prediction:0.7995
//	Error:1.07995057925e-27 Prediction:0.8
//
// Hot and cold is not gradient descent, so nn.Fit has no part in it: the
// program probes one nnsimd network (1 input, 1 output, identity, no bias)
// with SetWeights and Forward. The error is the book's (prediction − goal)²,
// computed here from Forward's float32 output because nn reads a loss out
// only while training.
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
		fmt.Fprintln(os.Stderr, "ch4_hot_cold:", err)
		os.Exit(1)
	}
}

func run(w io.Writer) error {
	const (
		input      = 0.5
		goal       = 0.8
		stepAmount = 0.001 // how far each iteration moves the weight
		iterations = 1101  // the book's count: the last one predicts 0.8
	)
	net, err := nn.New(nn.Config{Sizes: []int{1, 1}, Output: nn.Identity, Loss: nn.MSE})
	if err != nil {
		return err
	}
	x := []float32{input}
	// predict returns the network's prediction and error with weight wt.
	predict := func(wt float32) (pred, sqErr float32, err error) {
		if err := net.SetWeights(0, []float32{wt}); err != nil {
			return 0, 0, err
		}
		pred = net.Forward(x)[0]
		d := pred - goal
		return pred, d * d, nil
	}

	weight := float32(0.5)
	for range iterations {
		pred, sqErr, err := predict(weight)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "Error:%s Prediction:%s\n", book.Float(sqErr), book.Float(pred))

		_, upErr, err := predict(weight + stepAmount) // try up!
		if err != nil {
			return err
		}
		_, downErr, err := predict(weight - stepAmount) // try down!
		if err != nil {
			return err
		}
		if downErr < upErr {
			weight -= stepAmount
		}
		if downErr > upErr {
			weight += stepAmount
		}
	}
	return nil
}
