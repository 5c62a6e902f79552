// Command ch5_multi_input is "Grokking Deep Learning" ch. 5's gradient
// descent with several inputs: the first game of the toes / win-loss record
// / fans data set (8.5, 0.65, 1.2; it was won: 1), weights 0.1, 0.2, −0.1,
// alpha 0.01, three iterations, printing what the book's listing prints.
//
// The network is nnsimd's 3 inputs → 1 output, identity, squared error, no
// bias; each iteration is one Fit call on the one sample. Pred comes from
// Forward, Error from Fit's History (the loss before the update), Delta is
// the book's pred − true, and Weight_Deltas are read back from the update
// Fit made: (weights before − weights after) / alpha.
package main

import (
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/nnsimd/nnsimd/examples/internal/book"
	"github.com/nnsimd/nnsimd/nn"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ch5_multi_input:", err)
		os.Exit(1)
	}
}

func run(w io.Writer) error {
	var (
		toes  = []float32{8.5, 9.5, 9.9, 9.0}
		wlrec = []float32{0.65, 0.8, 0.8, 0.9}
		nfans = []float32{1.2, 1.3, 0.5, 1.0}

		winOrLoseBinary = []float32{1, 1, 0, 1}
	)
	const alpha = 0.01
	input := []float32{toes[0], wlrec[0], nfans[0]}
	truth := winOrLoseBinary[0]

	net, err := nn.New(nn.Config{Sizes: []int{3, 1}, Output: nn.Identity, Loss: nn.MSE})
	if err != nil {
		return err
	}
	if err := net.SetWeights(0, []float32{0.1, 0.2, -0.1}); err != nil {
		return err
	}
	for iter := range 3 {
		weights := slices.Clone(net.Weights(0)) // Fit updates the live view
		pred := net.Forward(input)[0]
		h, err := net.Fit(input, []float32{truth}, 1, nn.TrainConfig{Epochs: 1, LR: alpha})
		if err != nil {
			return err
		}
		weightDeltas := make([]float32, len(weights))
		for i, after := range net.Weights(0) {
			weightDeltas[i] = (weights[i] - after) / alpha
		}
		fmt.Fprintf(w, "Iteration:%d\n", iter+1)
		fmt.Fprintf(w, "Pred:%s\n", book.Float(pred))
		fmt.Fprintf(w, "Error:%s\n", book.Float(float32(h.Loss[0])))
		fmt.Fprintf(w, "Delta:%s\n", book.Float(pred-truth))
		fmt.Fprintf(w, "Weights:%s\n", book.List(weights))
		fmt.Fprintf(w, "Weight_Deltas:\n%s\n\n", book.List(weightDeltas))
	}
	return nil
}
