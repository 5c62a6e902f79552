package booktest

import (
	"fmt"
	"strings"
	"testing"
)

// recorder catches Errorf so that the tests can check Compare fails when it
// should.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Logf(string, ...any) {}
func (r *recorder) Helper()             {}

func TestCompare(t *testing.T) {
	want := []string{"Error:0.30250000000000005 Prediction:0.25", "Weight_Deltas:", "[0, -0.09099999999999994]"}
	exact := func(Number) Tolerance { return Tolerance{} }
	loose := func(Number) Tolerance { return Tolerance{Rel: 1e-6} }
	cases := []struct {
		name    string
		got     []string
		tol     func(Number) Tolerance
		failure string // "" = must pass
	}{
		{"float32 digits pass", []string{"Error:0.3025 Prediction:0.25", "Weight_Deltas:", "[0.0, -0.091]"}, loose, ""},
		{"exact tolerance fails on float32 digits", []string{"Error:0.3025 Prediction:0.25", "Weight_Deltas:", "[0.0, -0.091]"}, exact, "Error"},
		{"number off", []string{"Error:0.3025 Prediction:0.26", "Weight_Deltas:", "[0.0, -0.091]"}, loose, "Prediction"},
		{"list label carried from the heading line", []string{"Error:0.3025 Prediction:0.25", "Weight_Deltas:", "[0.0, -0.092]"}, loose, "Weight_Deltas"},
		{"text differs", []string{"Error:0.3025 Pred:0.25", "Weight_Deltas:", "[0.0, -0.091]"}, loose, "text"},
		{"number missing", []string{"Error:0.3025", "Weight_Deltas:", "[0.0, -0.091]"}, loose, "numbers"},
		{"line missing", []string{"Error:0.3025 Prediction:0.25", "Weight_Deltas:"}, loose, "lines"},
	}
	for _, c := range cases {
		r := &recorder{TB: t}
		Compare(r, c.got, want, c.tol)
		all := strings.Join(r.errors, "\n")
		switch {
		case c.failure == "" && len(r.errors) > 0:
			t.Errorf("%s: unexpected failure: %s", c.name, all)
		case c.failure != "" && !strings.Contains(all, c.failure):
			t.Errorf("%s: want a failure mentioning %q, got %q", c.name, c.failure, all)
		}
	}
}

func TestCompareReportsMaxRelative(t *testing.T) {
	got := Compare(t, []string{"Error:0.5 Error:2.2"}, []string{"Error:0.5 Error:2.0"},
		func(Number) Tolerance { return Tolerance{Rel: 0.2} })
	if rel := got["Error"]; rel < 0.099 || rel > 0.101 {
		t.Errorf("max relative deviation %g, want 0.1", rel)
	}
}
