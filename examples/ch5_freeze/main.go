// Command ch5_freeze is "Grokking Deep Learning" ch. 5's experiment of
// freezing one weight: ch5_multi_input's first game (inputs 8.5, 0.65, 1.2;
// won: 1; weights 0.1, 0.2, −0.1) with alpha 0.3, where weight a (toes,
// weights[0]) never moves. The book zeroes weight_deltas[0]; nnsimd freezes
// that weight with FreezeWeights, and the error still falls: b and c find
// the bottom of the bowl for all three.
//
// As in ch5_multi_input, each iteration is one Fit call; Pred comes from
// Forward, Error from Fit's History, Delta is pred − true, and Weight_Deltas
// are read back from the update: (weights before − weights after) / alpha,
// which is exactly 0 for the frozen weight.
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
		fmt.Fprintln(os.Stderr, "ch5_freeze:", err)
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
	const alpha = 0.3
	input := []float32{toes[0], wlrec[0], nfans[0]}
	truth := winOrLoseBinary[0]

	net, err := nn.New(nn.Config{Sizes: []int{3, 1}, Output: nn.Identity, Loss: nn.MSE})
	if err != nil {
		return err
	}
	if err := net.SetWeights(0, []float32{0.1, 0.2, -0.1}); err != nil {
		return err
	}
	// Weights are inputs×outputs, so weight a (input 0 → output 0) is index 0.
	if err := net.FreezeWeights(0, []bool{true, false, false}); err != nil {
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
