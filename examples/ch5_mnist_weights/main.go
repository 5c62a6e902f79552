// Command ch5_mnist_weights is "Grokking Deep Learning" ch. 5's first real
// data set: MNIST digits, 784 pixels in, 10 outputs (one per digit) out, a
// single layer of weights trained by gradient descent on the first 1000
// training images, then drawn as ten 28×28 pictures ("visualizing weight
// values"): each output's weights look like a blurry version of its digit,
// because a weighted sum is a similarity score between the image and the
// weights.
//
// The network is nnsimd's 784 → 10, identity, squared error against one-hot
// targets, no bias, starting from zero weights so that the picture shows
// only what was learned. Fit trains it; Evaluate measures accuracy; nn/viz
// draws the weights.
//
//	go run ./examples/ch5_mnist_weights -out weights.png
//
// MNIST comes from $NNSIMD_DATA, or else the Go module cache (see
// nn/mnist.Locate).
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/nnsimd/nnsimd/nn"
	"github.com/nnsimd/nnsimd/nn/mnist"
	"github.com/nnsimd/nnsimd/nn/viz"
)

// options are the command-line settings. The book trains on the first 1000
// images and gives no alpha or pass count; three passes at alpha 0.001 reach
// about 79% on the 10000 test images and give clean digit-shaped pictures
// (more passes or a larger alpha fit the 1000 images harder and the pictures
// turn to noise).
type options struct {
	dataDir string // "" = mnist.Locate()
	out     string // PNG path
	images  int    // training images used (the book: the first 1000)
	epochs  int
	alpha   float32
}

func defaultOptions() options {
	return options{out: "ch5_weights.png", images: 1000, epochs: 3, alpha: 0.001}
}

func main() {
	o := defaultOptions()
	flag.StringVar(&o.dataDir, "data", o.dataDir, "folder of MNIST IDX files (default: $NNSIMD_DATA or the Go module cache)")
	flag.StringVar(&o.out, "out", o.out, "where to write the weights picture")
	flag.IntVar(&o.images, "images", o.images, "number of training images (from the start of the training set)")
	flag.IntVar(&o.epochs, "epochs", o.epochs, "passes over the training images")
	alpha := flag.Float64("alpha", float64(o.alpha), "learning rate")
	flag.Parse()
	o.alpha = float32(*alpha)
	if err := run(os.Stdout, o); err != nil {
		fmt.Fprintln(os.Stderr, "ch5_mnist_weights:", err)
		os.Exit(1)
	}
}

// result is what run learned, for the test.
type result struct {
	net      *nn.Network
	train    *mnist.Dataset // the images trained on
	test     nn.Evaluation
	trainAcc nn.Evaluation
}

func run(w io.Writer, o options) error {
	_, err := train(w, o)
	return err
}

func train(w io.Writer, o options) (*result, error) {
	all, err := mnist.Load(o.dataDir, "train")
	if err != nil {
		return nil, err
	}
	test, err := mnist.Load(o.dataDir, "test")
	if err != nil {
		return nil, err
	}
	if o.images < 1 || o.images > all.N {
		return nil, fmt.Errorf("-images %d, want 1…%d", o.images, all.N)
	}
	part := &mnist.Dataset{
		N: o.images, Features: all.Features, Rows: all.Rows, Cols: all.Cols,
		X: all.X[:o.images*all.Features], Labels: all.Labels[:o.images],
	}
	const digits = 10

	net, err := nn.New(nn.Config{Sizes: []int{part.Features, digits}, Output: nn.Identity, Loss: nn.MSE})
	if err != nil {
		return nil, err
	}
	if err := net.SetWeights(0, make([]float32, part.Features*digits)); err != nil {
		return nil, err
	}
	h, err := net.Fit(part.X, nn.OneHot(part.Labels, digits), part.N, nn.TrainConfig{Epochs: o.epochs, LR: o.alpha})
	if err != nil {
		return nil, err
	}
	for i, loss := range h.Loss {
		fmt.Fprintf(w, "Epoch:%d Error:%.6f\n", i+1, loss)
	}
	r := &result{net: net, train: part}
	if r.trainAcc, err = net.Evaluate(part.X, part.N, part.Labels); err != nil {
		return nil, err
	}
	if r.test, err = net.Evaluate(test.X, test.N, test.Labels); err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "Train-Acc:%.4f (%d images) Test-Acc:%.4f (%d images)\n",
		r.trainAcc.Accuracy, r.trainAcc.Total, r.test.Accuracy, r.test.Total)

	if err := writePNG(o.out, net.Weights(0), part.Features, digits, part.Rows, part.Cols); err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "wrote %s: the weights of outputs 0…9 as %d×%d pictures (red positive, blue negative)\n", o.out, part.Rows, part.Cols)
	return r, nil
}

// writePNG draws the weights into path, reporting a failed write or close.
func writePNG(path string, weights []float32, inputs, outputs, rows, cols int) (err error) {
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
	if err := viz.WeightsPNG(bw, weights, inputs, outputs, rows, cols); err != nil {
		return err
	}
	return bw.Flush()
}
