package main

import (
	"strings"
	"testing"

	"github.com/nnsimd/nnsimd/examples/internal/booktest"
)

// bookTrace is the book's listing (testdata/book.py: alpha 0.3 and
// weight_deltas[0] = 0) run with python3. The frozen weight's delta is the
// integer 0 in Python; nnsimd prints 0.0, and the comparison is by value.
var bookTrace = []string{
	"Iteration:1",
	"Pred:0.8600000000000001",
	"Error:0.01959999999999997",
	"Delta:-0.1399999999999999",
	"Weights:[0.1, 0.2, -0.1]",
	"Weight_Deltas:",
	"[0, -0.09099999999999994, -0.16799999999999987]",
	"",
	"Iteration:2",
	"Pred:0.9382250000000001",
	"Error:0.003816150624999989",
	"Delta:-0.06177499999999991",
	"Weights:[0.1, 0.2273, -0.04960000000000005]",
	"Weight_Deltas:",
	"[0, -0.040153749999999946, -0.07412999999999989]",
	"",
	"Iteration:3",
	"Pred:0.97274178125",
	"Error:0.000743010489422852",
	"Delta:-0.027258218750000007",
	"Weights:[0.1, 0.239346125, -0.02736100000000008]",
	"Weight_Deltas:",
	"[0, -0.017717842187500006, -0.032709862500000006]",
	"",
}

// Tolerances as in ch5_multi_input, with alpha 0.3: the read-back weight
// delta's rounding is an ulp of the weight divided by 0.3 (5e-8 absolute),
// plus Delta's uncertainty times the input. These tolerances would let the
// frozen weight creep by an ulp or so unnoticed, so TestFrozen checks it
// exactly.
func tolerance(n booktest.Number) booktest.Tolerance {
	switch n.Label {
	case "Delta":
		return booktest.Tolerance{Rel: 1e-6, Abs: 2.5e-7}
	case "Error":
		return booktest.Squared(n.Want, 2.5e-7, 1e-6)
	case "Weight_Deltas":
		return booktest.Tolerance{Rel: 1e-6, Abs: 5e-8 + 1.2*2.5e-7}
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

// TestFrozen checks that the frozen weight prints exactly as it started and
// its delta exactly 0 in every iteration.
func TestFrozen(t *testing.T) {
	var out strings.Builder
	if err := run(&out); err != nil {
		t.Fatal(err)
	}
	lines := booktest.Lines(out.String())
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "Weights:") && !strings.HasPrefix(l, "Weights:[0.1, "):
			t.Errorf("line %d: %q: the frozen weight moved from 0.1", i+1, l)
		case strings.HasPrefix(l, "[") && !strings.HasPrefix(l, "[0.0, "):
			t.Errorf("line %d: %q: the frozen weight's delta is not 0", i+1, l)
		}
	}
}
