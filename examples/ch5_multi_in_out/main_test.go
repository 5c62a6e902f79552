package main

import (
	"strings"
	"testing"

	"github.com/nnsimd/nnsimd/examples/internal/booktest"
)

// bookTrace is testdata/book.py (the book's code from its figures, with
// prints of every quantity) run with python3. The book's figure shows the
// prediction [0.555, 0.98, 0.965].
var bookTrace = []string{
	"Pred:[0.555, 0.9800000000000001, 0.9650000000000001]",
	"Error:[0.20702500000000007, 0.0003999999999999963, 0.7482250000000001]",
	"Total error:0.9556500000000002",
	"Delta:[0.45500000000000007, -0.019999999999999907, 0.8650000000000001]",
	"Weights:[[0.061325, 0.0970425, -0.30546], [0.1017, 0.20013, 0.00023999999999999887], [-0.07352500000000001, 1.2943775, 0.08962]]",
	"Weight Deltas:[[3.8675000000000006, 0.29575000000000007, 0.546], [-0.1699999999999992, -0.01299999999999994, -0.023999999999999886], [7.352500000000001, 0.5622500000000001, 1.038]]",
}

// Tolerances. Pred is a float32 dot product of three terms (1e-6 relative).
// Delta for "win" cancels (0.98 − 1 = −0.02): it is known to about an ulp of
// 1 (1.2e-7), so Delta gets that absolute slack and Error = Delta² follows
// booktest.Squared. Weights after one step: a float32 rounding each, but the
// one that starts at 0 and moves by 0.00024 has only its own ulps, hence a
// small absolute slack on top of the relative one. Weight Deltas are read
// back as (before − after)/alpha: an ulp of a weight (1.2e-7 for 1.3)
// divided by 0.01, plus Delta's uncertainty times the input (8.5).
func tolerance(n booktest.Number) booktest.Tolerance {
	switch n.Label {
	case "Delta":
		return booktest.Tolerance{Rel: 1e-6, Abs: 1.2e-7}
	case "Error":
		return booktest.Squared(n.Want, 1.2e-7, 1e-6)
	case "Weights":
		return booktest.Tolerance{Rel: 1e-6, Abs: 1e-10}
	case "Weight Deltas":
		return booktest.Tolerance{Rel: 1e-6, Abs: 1.2e-5 + 8.5*1.2e-7}
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
