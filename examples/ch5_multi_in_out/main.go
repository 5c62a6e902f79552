// Command ch5_multi_in_out is "Grokking Deep Learning" ch. 5's gradient
// descent with several inputs and outputs: the first game's toes, win/loss
// record and fans (8.5, 0.65, 1.2) predict hurt, win and sad (0.1, 1, 0.1);
// one step with alpha 0.01 from the book's weights.
//
// The book keeps one row of weights per output (weights[output][input]);
// nnsimd stores a layer as inputs×outputs, so the program transposes on the
// way in and out and prints the book's layout. The network is 3 → 3,
// identity, squared error, no bias, trained by one Fit call. Pred comes
// from Forward; Error and Delta per output are the book's (pred − true)² and
// pred − true; Total error is Fit's loss (the sum over the outputs); Weight
// Deltas are read back from the update: (before − after) / alpha.
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
		fmt.Fprintln(os.Stderr, "ch5_multi_in_out:", err)
		os.Exit(1)
	}
}

// bookWeights is the book's matrix, one row per output.
var bookWeights = []float32{
	0.1, 0.1, -0.3, // hurt?
	0.1, 0.2, 0.0, // win?
	0.0, 1.3, 0.1, // sad?
}

func run(w io.Writer) error {
	var (
		toes  = []float32{8.5, 9.5, 9.9, 9.0}
		wlrec = []float32{0.65, 0.8, 0.8, 0.9}
		nfans = []float32{1.2, 1.3, 0.5, 1.0}

		hurt = []float32{0.1, 0.0, 0.0, 0.1}
		win  = []float32{1, 1, 0, 1}
		sad  = []float32{0.1, 0.0, 0.1, 0.2}
	)
	const (
		alpha = 0.01
		n     = 3 // inputs and outputs
	)
	input := []float32{toes[0], wlrec[0], nfans[0]}
	truth := []float32{hurt[0], win[0], sad[0]}

	net, err := nn.New(nn.Config{Sizes: []int{n, n}, Output: nn.Identity, Loss: nn.MSE})
	if err != nil {
		return err
	}
	if err := net.SetWeights(0, book.Transpose(bookWeights, n, n)); err != nil {
		return err
	}

	before := book.Transpose(net.Weights(0), n, n)
	pred := slices.Clone(net.Forward(input))
	h, err := net.Fit(input, truth, 1, nn.TrainConfig{Epochs: 1, LR: alpha})
	if err != nil {
		return err
	}
	after := book.Transpose(net.Weights(0), n, n)

	sqErr, delta := make([]float32, n), make([]float32, n)
	for i := range truth {
		delta[i] = pred[i] - truth[i]
		sqErr[i] = delta[i] * delta[i]
	}
	weightDeltas := make([]float32, n*n)
	for i := range weightDeltas {
		weightDeltas[i] = (before[i] - after[i]) / alpha
	}
	fmt.Fprintf(w, "Pred:%s\n", book.List(pred))
	fmt.Fprintf(w, "Error:%s\n", book.List(sqErr))
	fmt.Fprintf(w, "Total error:%s\n", book.Float(float32(h.Loss[0])))
	fmt.Fprintf(w, "Delta:%s\n", book.List(delta))
	fmt.Fprintf(w, "Weights:%s\n", book.Rows(after, n, n))
	fmt.Fprintf(w, "Weight Deltas:%s\n", book.Rows(weightDeltas, n, n))
	return nil
}
