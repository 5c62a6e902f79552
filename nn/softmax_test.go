package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// softmaxRef is the softmax of one row and its log Σ e^z, in float64.
func softmaxRef(z []float32) ([]float64, float64) {
	zmax := math.Inf(-1)
	for _, v := range z {
		zmax = math.Max(zmax, float64(v))
	}
	p := make([]float64, len(z))
	var sum float64
	for j, v := range z {
		p[j] = math.Exp(float64(v) - zmax)
		sum += p[j]
	}
	for j := range p {
		p[j] /= sum
	}
	return p, zmax + math.Log(sum)
}

func TestSoftmaxRows(t *testing.T) {
	r := rand.New(rand.NewPCG(71, 72))
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	for _, rows := range []int{1, 3, 128} {
		for _, width := range []int{1, 2, 10, 17} {
			for _, inPlace := range []bool{false, true} {
				z := make([]float32, rows*width)
				for i := range z {
					z[i] = float32(60*r.Float64() - 30)
				}
				// Row 1 spreads its logits over 200, so that some
				// exponentials fall below float32's range; row 2 holds
				// a NaN or +Inf, which make it NaN.
				if rows > 2 {
					for j := 0; j < width; j++ {
						z[width+j] = float32(-200 * float64(j) / float64(max(width-1, 1)))
					}
					z[2*width+width/2] = []float32{nan, inf}[width%2]
				}
				want := slices.Clone(z)
				p := make([]float32, len(z))
				if inPlace {
					p = z
				}
				lse := make([]float64, rows)
				softmaxRows(p, z, rows, width, lse)
				what := fmt.Sprintf("%d×%d in place %v", rows, width, inPlace)
				for row := range rows {
					ref, refLSE := softmaxRef(want[row*width : row*width+width])
					got := p[row*width : row*width+width]
					if math.IsNaN(refLSE) {
						if !math.IsNaN(lse[row]) {
							t.Errorf("%s: row %d (%v): log-sum-exp %v, want NaN", what, row, want[row*width:row*width+width], lse[row])
						}
						for j, v := range got {
							if v == v {
								t.Errorf("%s: row %d: p[%d] = %v, want NaN", what, row, j, v)
							}
						}
						continue
					}
					if math.Abs(lse[row]-refLSE) > 1e-6*(1+math.Abs(refLSE)) {
						t.Errorf("%s: row %d: log-sum-exp %v, want %v", what, row, lse[row], refLSE)
					}
					zr := want[row*width : row*width+width]
					zmax := slices.Max(zr)
					for j, v := range got {
						// The shift z − max is rounded to float32, which
						// costs its exponential up to |z − max| units of
						// 2⁻²⁴; then a few more roundings. Below float32's
						// normal range the exponential is 0.
						tol := (math.Abs(float64(zr[j]-zmax)) + 8) * 0x1p-24
						if math.Abs(float64(v)-ref[j]) > tol*ref[j]+1e-37 {
							t.Errorf("%s: row %d: p[%d] = %v, want %v", what, row, j, v, ref[j])
						}
					}
				}
			}
		}
	}
}

// BenchmarkSoftmaxRows takes the softmax of a batch of logits: 128 rows of
// 10 classes.
//
//	go test -run '^$' -bench SoftmaxRows ./nn/
func BenchmarkSoftmaxRows(b *testing.B) {
	r := rand.New(rand.NewPCG(73, 74))
	const rows, width = 128, 10
	z := make([]float32, rows*width)
	for i := range z {
		z[i] = float32(6 * r.NormFloat64())
	}
	p := make([]float32, len(z))
	lse := make([]float64, rows)
	for b.Loop() {
		softmaxRows(p, z, rows, width, lse)
	}
}
