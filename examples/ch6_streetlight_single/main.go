// Command ch6_streetlight_single is "Grokking Deep Learning" ch. 6's
// streetlight problem learned by one layer of weights: six light patterns
// (left, middle, right lamp on or off) → walk (1) or stop (0), weights 0.5,
// 0.48, −0.7, alpha 0.1, forty passes of per-sample gradient descent,
// printing each prediction and each pass's total error:
//
//	Error:2.6561231104
//	Error:0.962870177672
//	...
//	Error:0.000614343567483
//	Error:0.000533736773285
//
// The network is nnsimd's 3 → 1, identity, squared error, no bias. A single
// Fit(Epochs: 40) does the same training (the test checks it does); the book
// prints every prediction, so the program steps through the data itself:
// Forward for the prediction, then Fit on that one light for its update and
// its error.
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
		fmt.Fprintln(os.Stderr, "ch6_streetlight_single:", err)
		os.Exit(1)
	}
}

// The data set: one row per observed pattern of lights, and whether people
// walked.
var (
	streetlights = []float32{
		1, 0, 1,
		0, 1, 1,
		0, 0, 1,
		1, 1, 1,
		0, 1, 1,
		1, 0, 1,
	}
	walkVsStop = []float32{0, 1, 0, 1, 1, 0}
)

const (
	lights     = 3
	alpha      = 0.1
	iterations = 40
)

// newNetwork returns the book's single layer with its starting weights.
func newNetwork() (*nn.Network, error) {
	net, err := nn.New(nn.Config{Sizes: []int{lights, 1}, Output: nn.Identity, Loss: nn.MSE})
	if err != nil {
		return nil, err
	}
	return net, net.SetWeights(0, []float32{0.5, 0.48, -0.7})
}

func run(w io.Writer) error {
	_, err := train(w)
	return err
}

// train runs the book's loop, printing as it goes, and returns the trained
// network.
func train(w io.Writer) (*nn.Network, error) {
	net, err := newNetwork()
	if err != nil {
		return nil, err
	}
	for range iterations {
		errorForAllLights := 0.0
		for row := range walkVsStop {
			input := streetlights[row*lights : (row+1)*lights]
			goal := walkVsStop[row : row+1]
			prediction := net.Forward(input)[0]
			h, err := net.Fit(input, goal, 1, nn.TrainConfig{Epochs: 1, LR: alpha})
			if err != nil {
				return nil, err
			}
			errorForAllLights += h.Loss[0]
			fmt.Fprintf(w, "Prediction:%s\n", book.Float(prediction))
		}
		fmt.Fprintf(w, "Error:%s\n\n", book.Float(float32(errorForAllLights)))
	}
	return net, nil
}
