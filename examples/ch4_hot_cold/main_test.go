package main

import (
	"os"
	"strings"
	"testing"

	"github.com/nnsimd/nnsimd/examples/internal/booktest"
)

// Tolerances. The weight walks up from 0.5 to 1.6 by 1100 float32 additions
// of 0.001, each rounding by at most half an ulp of a number below 2 (6e-8),
// so the weight may drift by up to 1100·6e-8 = 6.6e-5 from the book's float64
// walk and the prediction (0.5·weight) by 3.3e-5; observed: 1.1e-5 at the
// end. The error (prediction − 0.8)² then follows booktest.Squared. The last
// line is the telling one: the book's 1.08e-27 is float64 rounding noise
// around an exact hit, and float32 lands about 1e-5 off 0.8 instead, an
// error near 1e-10: both mean "zero", which the absolute bound accepts.
const predictionAbs = 3.3e-5

func tolerance(n booktest.Number) booktest.Tolerance {
	if n.Label == "Error" {
		return booktest.Squared(n.Want, predictionAbs, 1e-6)
	}
	return booktest.Tolerance{Rel: 1e-6, Abs: predictionAbs}
}

// TestTrace compares all 1101 lines with testdata/book_output.txt, the output
// of the book's program (testdata/book.py) under python3 with repr() for
// every digit.
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

// TestBookLines checks the lines the book itself prints (Python 2, 12
// significant digits): the first two and the last two of 1101.
func TestBookLines(t *testing.T) {
	var out strings.Builder
	if err := run(&out); err != nil {
		t.Fatal(err)
	}
	got := booktest.Lines(out.String())
	if len(got) != 1101 {
		t.Fatalf("%d lines, the book prints 1101", len(got))
	}
	booktest.Compare(t, []string{got[0], got[1], got[1099], got[1100]}, []string{
		"Error:0.3025 Prediction:0.25",
		"Error:0.30195025 Prediction:0.2505",
		"Error:2.50000000033e-07 Prediction:0.7995",
		"Error:1.07995057925e-27 Prediction:0.8",
	}, tolerance)
}
