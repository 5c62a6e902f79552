package main

import (
	"strings"
	"testing"

	"github.com/nnsimd/nnsimd/examples/internal/booktest"
)

// bookTrace is testdata/book.py (the book's code from its figures, with
// prints of every quantity) run with python3. The book prints the last two
// lines: "Weights:[0.293825, 0.25655, 0.868475]" and
// "Weight Deltas:[0.061750000000000006, -0.5655, 0.3152500000000001]".
var bookTrace = []string{
	"Pred:[0.195, 0.13, 0.5850000000000001]",
	"Error:[0.009025, 0.7569, 0.2352250000000001]",
	"Total error:1.00115",
	"Delta:[0.095, -0.87, 0.4850000000000001]",
	"Weights:[0.293825, 0.25655, 0.868475]",
	"Weight Deltas:[0.061750000000000006, -0.5655, 0.3152500000000001]",
}

// Tolerances. One step from exact inputs: every value is a handful of
// float32 roundings from the book's, except the weight deltas read back as
// (before − after)/alpha, where the update rounds to an ulp of the weight
// (6e-8 for 0.9) divided by alpha = 0.1.
func tolerance(n booktest.Number) booktest.Tolerance {
	if n.Label == "Weight Deltas" {
		return booktest.Tolerance{Rel: 1e-6, Abs: 6e-7}
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
