package main

import (
	"strings"
	"testing"

	"github.com/nnsimd/nnsimd/examples/internal/booktest"
)

// bookTrace is the book's program (testdata/book.py) run with python3, the
// float64 values printed with repr(). The book prints the same numbers with
// 12 significant digits: its first three lines and last three lines
// ("Error:1.7092608064e-05 Prediction:0.79586567925",
// "Error:9.61459203602e-06 Prediction:0.796899259437",
// "Error:5.40820802026e-06 Prediction:0.797674444578") agree with these.
var bookTrace = []string{
	"Error:0.30250000000000005 Prediction:0.25",
	"Error:0.17015625000000004 Prediction:0.3875",
	"Error:0.095712890625 Prediction:0.49062500000000003",
	"Error:0.05383850097656251 Prediction:0.56796875",
	"Error:0.03028415679931642 Prediction:0.6259765625",
	"Error:0.0170348381996155 Prediction:0.669482421875",
	"Error:0.00958209648728372 Prediction:0.70211181640625",
	"Error:0.005389929274097089 Prediction:0.7265838623046875",
	"Error:0.0030318352166796153 Prediction:0.7449378967285156",
	"Error:0.0017054073093822882 Prediction:0.7587034225463867",
	"Error:0.0009592916115275371 Prediction:0.76902756690979",
	"Error:0.0005396015314842384 Prediction:0.7767706751823426",
	"Error:0.000303525861459885 Prediction:0.7825780063867569",
	"Error:0.00017073329707118678 Prediction:0.7869335047900676",
	"Error:9.603747960254256e-05 Prediction:0.7902001285925507",
	"Error:5.402108227642978e-05 Prediction:0.7926500964444131",
	"Error:3.038685878049206e-05 Prediction:0.7944875723333098",
	"Error:1.7092608064027242e-05 Prediction:0.7958656792499823",
	"Error:9.614592036015323e-06 Prediction:0.7968992594374867",
	"Error:5.408208020258491e-06 Prediction:0.7976744445781151",
}

// Tolerances. A prediction is a float32 product of values that are each
// within a few float32 roundings (2⁻²⁴ ≈ 6e-8 relative) of the book's, and
// the iteration contracts errors (weight ← 0.75·weight + 0.4), so 1e-6
// relative is ample. The error is (pred − goal)², where pred − goal cancels
// down to 0.0023 from 0.8: an absolute error δ of a few float32 ulps of 0.8
// in the difference d becomes 2|d|·δ in d², i.e. a relative 2δ/|d| that grows
// as d shrinks (≈1e-4 at the last line); booktest.Squared allows for it with
// δ = 5e-7 (≈8 ulps of 0.8).
func tolerance(n booktest.Number) booktest.Tolerance {
	if n.Label == "Error" {
		return booktest.Squared(n.Want, 5e-7, 1e-6)
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
