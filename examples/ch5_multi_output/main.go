// Command ch5_multi_output is "Grokking Deep Learning" ch. 5's gradient
// descent with several outputs: one input (the win/loss record, 0.65)
// predicts three things (hurt, win, sad: 0.1, 1, 0.1) with weights 0.3, 0.2,
// 0.9; one step with alpha 0.1. The book prints the new weights
// [0.293825, 0.25655, 0.868475] and the weight deltas
// [0.06175, -0.5655, 0.31525].
//
// The network is nnsimd's 1 input → 3 outputs, identity, squared error, no
// bias, trained by one Fit call. Pred comes from Forward; the per-output
// Error and Delta are the book's (pred − true)² and pred − true; Total error
// is Fit's loss for the sample (nn sums the squared errors over the
// outputs); Weight Deltas are read back from the update Fit made.
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
		fmt.Fprintln(os.Stderr, "ch5_multi_output:", err)
		os.Exit(1)
	}
}

func run(w io.Writer) error {
	var (
		wlrec = []float32{0.65, 1.0, 1.0, 0.9}

		hurt = []float32{0.1, 0.0, 0.0, 0.1}
		win  = []float32{1, 1, 0, 1}
		sad  = []float32{0.1, 0.0, 0.1, 0.2}
	)
	const alpha = 0.1
	input := []float32{wlrec[0]}
	truth := []float32{hurt[0], win[0], sad[0]}

	net, err := nn.New(nn.Config{Sizes: []int{1, 3}, Output: nn.Identity, Loss: nn.MSE})
	if err != nil {
		return err
	}
	if err := net.SetWeights(0, []float32{0.3, 0.2, 0.9}); err != nil {
		return err
	}

	before := slices.Clone(net.Weights(0)) // Fit updates the live view
	pred := slices.Clone(net.Forward(input))
	h, err := net.Fit(input, truth, 1, nn.TrainConfig{Epochs: 1, LR: alpha})
	if err != nil {
		return err
	}
	sqErr, delta, weightDeltas := make([]float32, 3), make([]float32, 3), make([]float32, 3)
	for i := range truth {
		delta[i] = pred[i] - truth[i]
		sqErr[i] = delta[i] * delta[i]
	}
	for i, after := range net.Weights(0) {
		weightDeltas[i] = (before[i] - after) / alpha
	}
	fmt.Fprintf(w, "Pred:%s\n", book.List(pred))
	fmt.Fprintf(w, "Error:%s\n", book.List(sqErr))
	fmt.Fprintf(w, "Total error:%s\n", book.Float(float32(h.Loss[0])))
	fmt.Fprintf(w, "Delta:%s\n", book.List(delta))
	fmt.Fprintf(w, "Weights:%s\n", book.List(net.Weights(0)))
	fmt.Fprintf(w, "Weight Deltas:%s\n", book.List(weightDeltas))
	return nil
}
