package book

import (
	"math"
	"testing"
)

func TestFloat(t *testing.T) {
	cases := []struct {
		v    float32
		want string
	}{
		{0.3025, "0.3025"},
		{0.25, "0.25"},
		{1, "1.0"},
		{0, "0.0"},
		{float32(math.Copysign(0, -1)), "-0.0"},
		{-25828031.8, "-25828032.0"}, // float32 has no digit after the point here
		{5.40820802026e-06, "5.408208e-06"},
		{6.67087267987e+14, "6.670873e+14"},
		{0.0001, "0.0001"},       // exponent −4: still plain, as in Python
		{0.00009, "9e-05"},       // exponent −5: scientific
		{1e11, "100000000000.0"}, // exponent 11: plain
		{1e12, "1e+12"},          // exponent 12: scientific
		{float32(math.Inf(1)), "inf"},
		{float32(math.Inf(-1)), "-inf"},
		{float32(math.NaN()), "nan"},
	}
	for _, c := range cases {
		if got := Float(c.v); got != c.want {
			t.Errorf("Float(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}

func TestListRowsTranspose(t *testing.T) {
	if got, want := List([]float32{0.1, 0.2, -0.1}), "[0.1, 0.2, -0.1]"; got != want {
		t.Errorf("List = %q, want %q", got, want)
	}
	if got, want := List(nil), "[]"; got != want {
		t.Errorf("List(nil) = %q, want %q", got, want)
	}
	m := []float32{1, 2, 3, 4, 5, 6} // 2×3
	if got, want := Rows(m, 2, 3), "[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]"; got != want {
		t.Errorf("Rows = %q, want %q", got, want)
	}
	if got, want := Rows(Transpose(m, 2, 3), 3, 2), "[[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]"; got != want {
		t.Errorf("Rows(Transpose) = %q, want %q", got, want)
	}
}
