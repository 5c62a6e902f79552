package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// expSpecials are inputs mixed into the random ones: NaNs with payloads,
// ±0, ±Inf, ExpMin and the float below it, the largest x with a finite
// e^x and the one above it, subnormals (e^x = 1), and large magnitudes.
var expSpecials = []float32{
	float32(math.NaN()), math.Float32frombits(0xffc0dead), 0, float32(math.Copysign(0, -1)),
	float32(math.Inf(1)), float32(math.Inf(-1)),
	ExpMin, math.Nextafter32(ExpMin, -1), math.Float32frombits(0x42b17217), math.Float32frombits(0x42b17218),
	math.Float32frombits(1), math.Float32frombits(0x807fffff), 1e-8, -1e-8, 1e30, -1e30, 1, -1, 0.5, -0.5,
}

// expCheck reports how got differs from e^x: it must be 0 below ExpMin,
// NaN for NaN, +Inf where float32(e^x) is, and else within 2 units in the
// last place of float32(e^x).
func expCheck(x, got float32) string {
	switch {
	case x != x:
		if got == got {
			return "want NaN"
		}
		return ""
	case x < ExpMin:
		if math.Float32bits(got) != 0 {
			return "want +0"
		}
		return ""
	}
	want := float32(math.Exp(float64(x)))
	if math.IsInf(float64(want), 1) {
		if !math.IsInf(float64(got), 1) {
			return "want +Inf"
		}
		return ""
	}
	if got != got || got < 0 {
		return fmt.Sprintf("want %v", want)
	}
	ulps := int64(math.Float32bits(got)) - int64(math.Float32bits(want))
	if ulps < -2 || ulps > 2 {
		return fmt.Sprintf("want %v, %d units in the last place away", want, ulps)
	}
	return ""
}

func TestExp(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(61, 62))
		for _, n := range scaleLengths {
			for _, inPlace := range []bool{false, true} {
				off := n % 16
				src := make([]float32, n)
				for i := range src {
					switch i % 3 {
					case 0: // a softmax's shifted logits
						src[i] = float32(-20 * r.Float64())
					case 1: // both ends of the range
						src[i] = float32(200*r.Float64() - 100)
					default:
						src[i] = expSpecials[r.IntN(len(expSpecials))]
					}
				}
				dst, check := guarded(n, off)
				copy(dst, src)
				if inPlace {
					Exp(dst, dst)
				} else {
					Exp(dst, src)
				}
				what := fmt.Sprintf("Exp n=%d off=%d in place %v", n, off, inPlace)
				check(t, what)
				for i, x := range src {
					if msg := expCheck(x, dst[i]); msg != "" {
						t.Fatalf("%s: e^%v (bits %#x) = %v: %s", what, x, math.Float32bits(x), dst[i], msg)
					}
				}
			}
		}
	})
}

// TestExpSweep checks Exp at every 97th float32 from −88 to 89 (some 23
// million inputs; every 9973rd with -short, as under qemu), both
// thresholds' neighbourhoods included, where the polynomial and the scaling
// by 2^n are tested hardest.
func TestExpSweep(t *testing.T) {
	step := uint32(97)
	if testing.Short() {
		step = 9973
	}
	eachImpl(t, func(t *testing.T) {
		var src []float32
		// From +0 up to 89, and from −0 down to −88: a float's bits grow
		// with its magnitude.
		for _, lim := range [][2]float32{{0, 89}, {float32(math.Copysign(0, -1)), -88}} {
			for b := math.Float32bits(lim[0]); ; b += step {
				x := math.Float32frombits(b)
				if (lim[1] > 0 && x > lim[1]) || (lim[1] < 0 && x < lim[1]) || x != x {
					break
				}
				src = append(src, x)
			}
		}
		src = append(src, expSpecials...)
		dst := make([]float32, len(src))
		Exp(dst, src)
		for i, x := range src {
			if msg := expCheck(x, dst[i]); msg != "" {
				t.Fatalf("e^%v (bits %#x) = %v: %s", x, math.Float32bits(x), dst[i], msg)
			}
		}
	})
}

func TestExpPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Exp with len(dst) != len(src) did not panic")
		}
	}()
	Exp(make([]float32, 3), make([]float32, 4))
}

// BenchmarkExp takes e^x of a batch's worth of softmax logits: 128 rows of
// 10.
func BenchmarkExp(b *testing.B) {
	r := rand.New(rand.NewPCG(63, 64))
	x := make([]float32, 1280)
	for i := range x {
		x[i] = float32(-20 * r.Float64())
	}
	dst := make([]float32, len(x))
	for b.Loop() {
		Exp(dst, x)
	}
}
