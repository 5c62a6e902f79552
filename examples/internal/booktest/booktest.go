// Package booktest compares an example's output with the book's printed
// trace: the words must match exactly, the numbers within a tolerance that
// allows for nnsimd computing in float32 where the book used float64.
package booktest

import (
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Tolerance accepts a number when |got − want| ≤ Rel·|want| + Abs.
type Tolerance struct{ Rel, Abs float64 }

// Number is one number of the book's trace, with the label it is printed
// under: the last word before it ("Error", "Prediction", "Weights", or
// "Weight_Deltas" for the list on the line after that heading).
type Number struct {
	Line  int // 0-based line of the trace
	Label string
	Want  float64
}

// numberRE matches Python's and Go's float and integer literals.
var numberRE = regexp.MustCompile(`[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?\binf\b|\bnan\b`)

// labelRE keeps the words of the text before a number.
var labelRE = regexp.MustCompile(`[A-Za-z_][A-Za-z_0-9 ]*[A-Za-z_0-9]|[A-Za-z_]`)

type token struct {
	text  string // the literal text before the number (or the line's tail)
	num   string // "" for the tail
	value float64
}

func split(line string) []token {
	var toks []token
	rest := line
	for {
		loc := numberRE.FindStringIndex(rest)
		if loc == nil {
			return append(toks, token{text: rest})
		}
		num := rest[loc[0]:loc[1]]
		v, err := strconv.ParseFloat(num, 64)
		if err != nil { // cannot happen for what numberRE matches
			v = math.NaN()
		}
		toks = append(toks, token{text: rest[:loc[0]], num: num, value: v})
		rest = rest[loc[1]:]
	}
}

// Lines splits out into lines, dropping one trailing newline.
func Lines(out string) []string {
	return strings.Split(strings.TrimSuffix(out, "\n"), "\n")
}

// Compare checks got against want line by line: the same number of lines,
// the same text between the numbers, and every number within tol(n). It
// logs the largest relative deviation seen per label and returns it.
func Compare(t testing.TB, got, want []string, tol func(n Number) Tolerance) map[string]float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("output has %d lines, the book's trace %d", len(got), len(want))
	}
	maxRel := map[string]float64{}
	label := ""
	failures := 0
	// fail reports the first 20 mismatches, so that a wrong trace of a
	// thousand lines stays readable.
	fail := func(format string, args ...any) {
		t.Helper()
		failures++
		if failures <= 20 {
			t.Errorf(format, args...)
		}
	}
	for i := 0; i < len(got) && i < len(want); i++ {
		g, w := split(got[i]), split(want[i])
		if len(g) != len(w) {
			fail("line %d: %q has %d numbers, the book's %q has %d", i+1, got[i], len(g)-1, want[i], len(w)-1)
			continue
		}
		for k := range w {
			if g[k].text != w[k].text {
				fail("line %d: text %q where the book prints %q (line %q, book %q)", i+1, g[k].text, w[k].text, got[i], want[i])
			}
			if words := labelRE.FindAllString(w[k].text, -1); len(words) > 0 {
				label = words[len(words)-1]
			}
			if w[k].num == "" {
				continue
			}
			n := Number{Line: i, Label: label, Want: w[k].value}
			tl := tol(n)
			diff := math.Abs(g[k].value - w[k].value)
			if w[k].value != 0 {
				if rel := diff / math.Abs(w[k].value); rel > maxRel[label] || math.IsNaN(rel) {
					maxRel[label] = rel
				}
			}
			if !(diff <= tl.Rel*math.Abs(w[k].value)+tl.Abs) {
				fail("line %d: %s %s, the book %s: off by %.3g (relative %.3g), tolerance rel %g abs %g",
					i+1, label, g[k].num, w[k].num, diff, diff/math.Abs(w[k].value), tl.Rel, tl.Abs)
			}
		}
	}
	if failures > 20 {
		t.Errorf("... %d mismatches in all", failures)
	}
	t.Logf("largest relative deviation from the book, by label: %s", formatMax(maxRel))
	return maxRel
}

func formatMax(m map[string]float64) string {
	if len(m) == 0 {
		return "none"
	}
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(m)) {
		fmt.Fprintf(&b, "%s %.3g; ", k, m[k])
	}
	return strings.TrimSuffix(b.String(), "; ")
}

// Squared is the tolerance for a number the book prints as a square d² (an
// error), when d is known to within abs and float32 rounds the result to rel:
// d² then moves by up to 2|d|·abs + abs². Near convergence d is a small
// difference of numbers near the goal, so abs (a few float32 ulps of the goal)
// dominates and the relative deviation of d² grows as d shrinks. For a sum of
// n squares pass abs·√n: Σ 2|dᵢ|·abs ≤ 2·√n·abs·√(Σ dᵢ²).
func Squared(want, abs, rel float64) Tolerance {
	return Tolerance{Rel: rel, Abs: 2*math.Sqrt(math.Abs(want))*abs + abs*abs}
}
