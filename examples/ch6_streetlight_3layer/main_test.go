package main

import (
	"strings"
	"testing"

	"github.com/nnsimd/nnsimd/examples/internal/booktest"
)

// bookTrace is testdata/book.py (the book's listing) run with python3 +
// numpy 1.24, float64 printed with repr(). The book prints the same six
// errors with 12 significant digits: 0.634231159844, 0.358384076763,
// 0.0830183113303, 0.0064670549571, 0.000329266900075, 1.50556226651e-05.
var bookTrace = []string{
	"Error:0.6342311598444467",
	"Error:0.3583840767631751",
	"Error:0.08301831133032973",
	"Error:0.006467054957103672",
	"Error:0.0003292669000750735",
	"Error:1.5055622665134864e-05",
}

// Tolerance. The starting weights are the book's rounded to float32 (up to
// 3e-8 relative), and sixty epochs of float32 backpropagation add a rounding
// per operation; the iteration contracts, so the predictions stay within a
// few float32 ulps (δ = 2.5e-7) of the book's. At the end each prediction is
// within 0.002 of its 0/1 target and the total is a sum of four squares of
// such cancelling differences, which booktest.Squared bounds (δ·√4 for the
// four terms). Observed: 1e-6 relative at most.
func tolerance(n booktest.Number) booktest.Tolerance {
	return booktest.Squared(n.Want, 2*2.5e-7, 1e-5)
}

func TestTrace(t *testing.T) {
	var out strings.Builder
	if err := run(&out); err != nil {
		t.Fatal(err)
	}
	booktest.Compare(t, booktest.Lines(out.String()), bookTrace, tolerance)
}
