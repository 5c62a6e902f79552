// Package book prints numbers the way the programs of "Grokking Deep
// Learning" print them, so that an example's output reads like the book's.
//
// The book ran on Python 2, whose str(float) is '%.12g' plus ".0" for
// integral values: "Error:0.3025 Prediction:0.25", "Error:5.40820802026e-06",
// "Prediction:-25828031.8", "Prediction:1.0". nnsimd computes in float32, so
// twelve digits would print rounding noise ("0.302500009537"). Float keeps
// Python 2's layout but prints the shortest decimal that reads back as the
// same float32, i.e. every digit the value really has and no more.
package book

import (
	"math"
	"strconv"
	"strings"
)

// Float formats v like Python 2's str(float), with float32's shortest
// round-trip digits: plain notation for decimal exponents −4…11, scientific
// ("5.408208e-06", "6.670873e+14") outside that range, and ".0" after an
// integral value ("1.0", "-25828032.0").
func Float(v float32) string {
	f := float64(v)
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	// The exponent of the shortest representation decides the layout, as %g
	// decides it from the rounded value. Go writes it as e±dd, like Python.
	sci := strconv.FormatFloat(f, 'e', -1, 32)
	if exp, _ := strconv.Atoi(sci[strings.IndexByte(sci, 'e')+1:]); exp < -4 || exp >= 12 {
		return sci
	}
	s := strconv.FormatFloat(f, 'f', -1, 32)
	if !strings.ContainsRune(s, '.') {
		s += ".0"
	}
	return s
}

// List formats v like Python's str() of a list of floats: "[0.1, 0.2, -0.1]".
func List(v []float32) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = Float(x)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// Rows formats the rows×cols row-major matrix m like Python's str() of a
// list of lists: "[[0.1, 0.1], [0.2, 0.0]]".
func Rows(m []float32, rows, cols int) string {
	parts := make([]string, rows)
	for r := range rows {
		parts[r] = List(m[r*cols : (r+1)*cols])
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// Transpose returns the cols×rows transpose of the rows×cols row-major
// matrix m. nnsimd stores a layer as inputs×outputs; the book's ch. 5 lists
// hold one row per output.
func Transpose(m []float32, rows, cols int) []float32 {
	t := make([]float32, len(m))
	for r := range rows {
		for c := range cols {
			t[c*rows+r] = m[r*cols+c]
		}
	}
	return t
}
