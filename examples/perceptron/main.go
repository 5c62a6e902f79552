// Command perceptron is the neuron of "Hands-On Neural Networks with Keras"
// ch. 2: inputs times weights plus a bias, through an activation, compared
// with the target by the mean squared error, corrected by gradient descent
// with a learning rate. It learns three small 2-D problems with nnsimd and
// draws each one's decision regions with nn/viz.DecisionPNG:
//
//  1. AND with the original perceptron: a step activation (1 if the
//     weighted sum is above 0, else 0). nn trains a step unit as if its
//     derivative were 1, which makes its update the classic perceptron rule
//     w −= lr·(output − target)·x; training stops at the first epoch without
//     a mistake.
//
//  2. OR with a sigmoid neuron, whose smooth output is a probability and
//     whose gradient is never zero.
//
//  3. XOR, which no straight line separates: a single neuron cannot learn it
//     (the chapter's reason for non-linear layers), a hidden layer of
//     sigmoid neurons can.
//
//     go run ./examples/perceptron -out .
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/nnsimd/nnsimd/examples/internal/book"
	"github.com/nnsimd/nnsimd/nn"
	"github.com/nnsimd/nnsimd/nn/viz"
)

func main() {
	out := flag.String("out", ".", "folder for the decision-region pictures")
	flag.Parse()
	if err := run(os.Stdout, *out); err != nil {
		fmt.Fprintln(os.Stderr, "perceptron:", err)
		os.Exit(1)
	}
}

// The four corners of the unit square, and the truth tables over them.
var (
	corners = []float32{
		0, 0,
		0, 1,
		1, 0,
		1, 1,
	}
	andTable = []float32{0, 0, 0, 1}
	orTable  = []float32{0, 1, 1, 1}
	xorTable = []float32{0, 1, 1, 0}
)

const (
	perceptronLR        = 0.1
	maxPerceptronEpochs = 100 // epochs; AND takes a handful
	sigmoidLR           = 1
	sigmoidEpochs       = 2000
	reportEvery         = 500
	hiddenUnits         = 4
	initScale           = 0.5 // the random weights start in ±0.5
	initSeed            = 1
	pictureMargin       = 0.5 // the pictures show [−0.5, 1.5]²
	classThreshold      = 0.5 // an output ≥ 0.5 is class 1
)

func run(w io.Writer, outDir string) error {
	and, _, err := trainPerceptron(w)
	if err != nil {
		return err
	}
	if err := picture(w, and, filepath.Join(outDir, "perceptron_and.png"), andTable); err != nil {
		return err
	}

	or, _, err := trainSigmoid(w, "OR: sigmoid neuron", "OR", []int{2, 1}, orTable)
	if err != nil {
		return err
	}
	if err := picture(w, or, filepath.Join(outDir, "sigmoid_or.png"), orTable); err != nil {
		return err
	}

	if _, _, err := trainSigmoid(w, "XOR: sigmoid neuron", "XOR", []int{2, 1}, xorTable); err != nil {
		return err
	}
	xor, _, err := trainSigmoid(w, fmt.Sprintf("XOR: %d hidden sigmoid neurons", hiddenUnits), "XOR", []int{2, hiddenUnits, 1}, xorTable)
	if err != nil {
		return err
	}
	return picture(w, xor, filepath.Join(outDir, "hidden_xor.png"), xorTable)
}

// newNeuron returns a network of the given sizes with biases, sigmoid or
// step units, the squared error, and small random starting weights.
func newNeuron(sizes []int, act nn.Activation) (*nn.Network, error) {
	return nn.New(nn.Config{
		Sizes: sizes, Hidden: act, Output: act, Loss: nn.MSE, Bias: true,
		Init: nn.Uniform, InitScale: initScale, Seed: initSeed,
	})
}

// trainPerceptron learns AND with a step unit, one epoch (four per-sample
// updates) at a time, until an epoch makes no mistake. With a 0/1 output
// the epoch's mean squared error is the fraction of corners it got wrong.
// It returns the network and the mistakes of each epoch.
func trainPerceptron(w io.Writer) (*nn.Network, []int, error) {
	net, err := newNeuron([]int{2, 1}, nn.Step)
	if err != nil {
		return nil, nil, err
	}
	var mistakesPerEpoch []int
	fmt.Fprintf(w, "AND: step perceptron, learning rate %s\n", book.Float(perceptronLR))
	fmt.Fprintf(w, "start Weights:%s Bias:%s\n", book.List(net.Weights(0)), book.Float(net.Biases(0)[0]))
	rows := len(andTable)
	for epoch := 1; ; epoch++ {
		if epoch > maxPerceptronEpochs {
			return nil, nil, fmt.Errorf("the perceptron still makes mistakes on AND after %d epochs", maxPerceptronEpochs)
		}
		h, err := net.Fit(corners, andTable, rows, nn.TrainConfig{Epochs: 1, LR: perceptronLR})
		if err != nil {
			return nil, nil, err
		}
		mistakes := int(h.Loss[0]*float64(rows) + 0.5)
		mistakesPerEpoch = append(mistakesPerEpoch, mistakes)
		fmt.Fprintf(w, "Epoch:%d Mistakes:%d Weights:%s Bias:%s\n",
			epoch, mistakes, book.List(net.Weights(0)), book.Float(net.Biases(0)[0]))
		if mistakes == 0 {
			break
		}
	}
	return net, mistakesPerEpoch, truthTable(w, net, andTable, "AND")
}

// trainSigmoid learns table with sigmoid units by per-sample gradient
// descent, printing the mean squared error now and then, and the outputs.
// It returns the network and every epoch's error.
func trainSigmoid(w io.Writer, title, op string, sizes []int, table []float32) (*nn.Network, []float64, error) {
	net, err := newNeuron(sizes, nn.Sigmoid)
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(w, "%s, learning rate %s\n", title, book.Float(sigmoidLR))
	h, err := net.Fit(corners, table, len(table), nn.TrainConfig{Epochs: sigmoidEpochs, LR: sigmoidLR})
	if err != nil {
		return nil, nil, err
	}
	for i, loss := range h.Loss {
		if (i+1)%reportEvery == 0 || i == 0 {
			fmt.Fprintf(w, "Epoch:%d Error:%s\n", i+1, book.Float(float32(loss)))
		}
	}
	return net, h.Loss, truthTable(w, net, table, op)
}

// truthTable prints the network's output at each corner, the class it
// stands for, and whether that is right.
func truthTable(w io.Writer, net *nn.Network, table []float32, op string) error {
	out := make([]float32, len(table))
	if err := net.Predict(corners, len(table), out); err != nil {
		return err
	}
	for i, want := range table {
		verdict := "right"
		if class(out[i]) != want {
			verdict = "WRONG"
		}
		fmt.Fprintf(w, "  %g %s %g -> %s (class %g, want %g: %s)\n",
			corners[2*i], op, corners[2*i+1], book.Float(out[i]), class(out[i]), want, verdict)
	}
	return nil
}

// class is the 0/1 answer an output stands for.
func class(y float32) float32 {
	if y >= classThreshold {
		return 1
	}
	return 0
}

// picture draws the network's decision regions over the square around the
// corners, with the corners coloured by their true class.
func picture(w io.Writer, net *nn.Network, path string, table []float32) (err error) {
	pts := make([][2]float32, len(table))
	for i := range pts {
		pts[i] = [2]float32{corners[2*i], corners[2*i+1]}
	}
	predict := func(x, y float32) float32 { return net.Forward([]float32{x, y})[0] }

	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			err = errors.Join(err, os.Remove(path))
		}
	}()
	bw := bufio.NewWriter(f)
	lo, hi := float32(-pictureMargin), float32(1+pictureMargin)
	if err := viz.DecisionPNG(bw, predict, lo, hi, lo, hi, pts, table); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %s\n", path)
	return nil
}
