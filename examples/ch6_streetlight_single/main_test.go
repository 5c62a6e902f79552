package main

import (
	"os"
	"strings"
	"testing"

	"github.com/nnsimd/nnsimd/examples/internal/book"
	"github.com/nnsimd/nnsimd/examples/internal/booktest"
	"github.com/nnsimd/nnsimd/nn"
)

// bookErrors are the book's printed totals (Python 2, 12 significant
// digits): the first two and the last two of forty.
var bookErrors = []struct {
	iteration int // 0-based
	line      string
}{
	{0, "Error:2.6561231104"},
	{1, "Error:0.962870177672"},
	{38, "Error:0.000614343567483"},
	{39, "Error:0.000533736773285"},
}

// Tolerances. The weights converge towards (0, 1, 0) and each update is a
// float32 axpy of three terms, so predictions stay within a few ulps of the
// book's (abs 2.5e-7 covers values crossing 0, where relative error means
// nothing). A pass's error is a sum of six squared differences (prediction −
// goal) that cancel down to 0.01 at the end: booktest.Squared with the
// prediction's abs·√6.
const predictionAbs = 2.5e-7

func tolerance(n booktest.Number) booktest.Tolerance {
	if n.Label == "Error" {
		return booktest.Squared(n.Want, predictionAbs*2.45, 1e-6)
	}
	return booktest.Tolerance{Rel: 1e-6, Abs: predictionAbs}
}

// TestTrace compares all 320 lines with testdata/book_output.txt, the
// output of the book's program (testdata/book.py) under python3 + numpy 1.24
// with repr() for every digit.
func TestTrace(t *testing.T) {
	want, err := os.ReadFile("testdata/book_output.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := run(&out); err != nil {
		t.Fatal(err)
	}
	booktest.Compare(t, booktest.Lines(out.String()), booktest.Lines(string(want)), tolerance)
}

// errorLines returns the "Error:" lines of out, in order.
func errorLines(out string) []string {
	var errs []string
	for _, l := range booktest.Lines(out) {
		if strings.HasPrefix(l, "Error:") {
			errs = append(errs, l)
		}
	}
	return errs
}

func TestBookLines(t *testing.T) {
	var out strings.Builder
	if err := run(&out); err != nil {
		t.Fatal(err)
	}
	errs := errorLines(out.String())
	if len(errs) != iterations {
		t.Fatalf("%d Error lines, want %d", len(errs), iterations)
	}
	for _, want := range bookErrors {
		i := want.iteration
		booktest.Compare(t, errs[i:i+1], []string{want.line}, tolerance)
	}
}

// TestFitMatchesSteps checks that one Fit over the whole data set for forty
// epochs trains exactly as the program's sample-by-sample loop: the same
// per-epoch errors (History.Loss is the mean, the book prints the sum) and
// the same final weights.
func TestFitMatchesSteps(t *testing.T) {
	var out strings.Builder
	stepped, err := train(&out)
	if err != nil {
		t.Fatal(err)
	}
	steps := errorLines(out.String())

	net, err := newNetwork()
	if err != nil {
		t.Fatal(err)
	}
	h, err := net.Fit(streetlights, walkVsStop, len(walkVsStop), nn.TrainConfig{Epochs: iterations, LR: alpha})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Loss) != iterations {
		t.Fatalf("History has %d epochs, want %d", len(h.Loss), iterations)
	}
	fit := make([]string, len(h.Loss))
	for i, l := range h.Loss {
		fit[i] = "Error:" + book.Float(float32(l*float64(len(walkVsStop))))
	}
	// The mean times six may round differently from the sum in the last bit.
	booktest.Compare(t, fit, steps, func(booktest.Number) booktest.Tolerance { return booktest.Tolerance{Rel: 1e-6} })
	// The updates are the same float32 operations in the same order.
	for i, w := range net.Weights(0) {
		if s := stepped.Weights(0)[i]; w != s {
			t.Errorf("weight %d: %v after Fit(Epochs: %d), %v after the step-by-step loop", i, w, iterations, s)
		}
	}
}
