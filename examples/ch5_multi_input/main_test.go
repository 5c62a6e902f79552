package main

import (
	"strings"
	"testing"

	"github.com/nnsimd/nnsimd/examples/internal/booktest"
)

// bookTrace is the book's listing (testdata/book.py) run with python3; the
// book's own figure of this output shows the same lines.
var bookTrace = []string{
	"Iteration:1",
	"Pred:0.8600000000000001",
	"Error:0.01959999999999997",
	"Delta:-0.1399999999999999",
	"Weights:[0.1, 0.2, -0.1]",
	"Weight_Deltas:",
	"[-1.189999999999999, -0.09099999999999994, -0.16799999999999987]",
	"",
	"Iteration:2",
	"Pred:0.9637574999999999",
	"Error:0.0013135188062500048",
	"Delta:-0.036242500000000066",
	"Weights:[0.1119, 0.20091, -0.09832]",
	"Weight_Deltas:",
	"[-0.30806125000000056, -0.023557625000000044, -0.04349100000000008]",
	"",
	"Iteration:3",
	"Pred:0.9906177228125002",
	"Error:8.802712522307997e-05",
	"Delta:-0.009382277187499843",
	"Weights:[0.11498061250000001, 0.20114557625, -0.09788509000000001]",
	"Weight_Deltas:",
	"[-0.07974935609374867, -0.006098480171874899, -0.011258732624999811]",
	"",
}

// Tolerances. Pred and Weights are float32 sums and products of a few
// terms: 1e-6 relative covers their roundings. Delta = pred − 1 cancels
// (0.99 − 1 = −0.0094), so it is known to an ulp or two of 1 (abs 2.5e-7),
// and Error = Delta² follows booktest.Squared. Weight_Deltas are read back as
// (before − after)/alpha: the update rounds to an ulp of the weight (up to
// 1.5e-8 for 0.2) before the division by alpha = 0.01, i.e. 1.5e-6 absolute,
// plus Delta's 2.5e-7 times the input (8.5).
func tolerance(n booktest.Number) booktest.Tolerance {
	switch n.Label {
	case "Delta":
		return booktest.Tolerance{Rel: 1e-6, Abs: 2.5e-7}
	case "Error":
		return booktest.Squared(n.Want, 2.5e-7, 1e-6)
	case "Weight_Deltas":
		return booktest.Tolerance{Rel: 1e-6, Abs: 1.5e-6 + 8.5*2.5e-7}
	}
	return booktest.Tolerance{Rel: 1e-6}
}

func TestTrace(t *testing.T) {
	var out strings.Builder
	if err := run(&out); err != nil {
		t.Fatal(err)
	}
	booktest.Compare(t, booktest.Lines(out.String()), bookTrace, tolerance)
}
