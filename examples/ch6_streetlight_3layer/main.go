// Command ch6_streetlight_3layer is "Grokking Deep Learning" ch. 6's first
// deep network: the four streetlight patterns whose walk/stop answer no
// single lamp predicts, learned by 3 → 4 → 1 with relu on the hidden layer,
// alpha 0.2, sixty passes of per-sample backpropagation from the weights
// np.random.seed(1) draws, printing every tenth pass's total error:
//
//	Error:0.634231159844
//	Error:0.358384076763
//	Error:0.0830183113303
//	Error:0.0064670549571
//	Error:0.000329266900075
//	Error:1.50556226651e-05
//
// The network is nnsimd's {3, 4, 1}, relu hidden, identity output, squared
// error, no bias; one Fit call does the sixty epochs in the book's order, and
// its History (the mean error per epoch) times four is the book's total.
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
		fmt.Fprintln(os.Stderr, "ch6_streetlight_3layer:", err)
		os.Exit(1)
	}
}

var (
	streetlights = []float32{
		1, 0, 1,
		0, 1, 1,
		0, 0, 1,
		1, 1, 1,
	}
	walkVsStop = []float32{1, 1, 0, 0}
)

// The starting weights: np.random.seed(1);
// weights_0_1 = 2*np.random.random((3,4)) - 1;
// weights_1_2 = 2*np.random.random((4,1)) - 1 under numpy 1.24, rounded to
// float32 and printed with repr() (testdata/book.py prints them). Both are
// inputs×outputs, as in nnsimd.
var (
	weights01 = []float32{
		-0.16595599, 0.44064897, -0.99977124, -0.39533487,
		-0.7064882, -0.8153228, -0.62747955, -0.30887854,
		-0.20646505, 0.07763347, -0.16161098, 0.370439,
	}
	weights12 = []float32{-0.5910955, 0.7562349, -0.9452248, 0.34093502}
)

const (
	hiddenSize = 4
	alpha      = 0.2
	iterations = 60
)

func run(w io.Writer) error {
	net, err := nn.New(nn.Config{
		Sizes:  []int{3, hiddenSize, 1},
		Hidden: nn.ReLU,
		Output: nn.Identity,
		Loss:   nn.MSE,
	})
	if err != nil {
		return err
	}
	if err := net.SetWeights(0, weights01); err != nil {
		return err
	}
	if err := net.SetWeights(1, weights12); err != nil {
		return err
	}
	rows := len(walkVsStop)
	h, err := net.Fit(streetlights, walkVsStop, rows, nn.TrainConfig{Epochs: iterations, LR: alpha})
	if err != nil {
		return err
	}
	for iteration, meanErr := range h.Loss {
		if iteration%10 == 9 {
			fmt.Fprintf(w, "Error:%s\n", book.Float(float32(meanErr*float64(rows))))
		}
	}
	return nil
}
