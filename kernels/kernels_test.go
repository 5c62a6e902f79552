package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// The sweep: every implementation this CPU can run is compared with a
// float64 reference, at every length 0..300 and some large ones, at offsets
// 0..15 into a larger buffer, with guard sentinels around every output.

var sweepLengths = func() []int {
	var ns []int
	for n := 0; n <= 300; n++ {
		ns = append(ns, n)
	}
	return append(ns, 784, 1000, 4096, 1<<16)
}()

const (
	maxOffset = 15
	guardLen  = 16
)

// guard is the sentinel written around outputs; any kernel write out of
// bounds changes it.
var guard = math.Float32frombits(0x7fc0dead) // a NaN with a recognisable payload

// eachImpl runs f once per available implementation, with that one active.
func eachImpl(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	saved := active
	defer func() { active = saved }()
	for _, name := range Available() {
		if err := Use(name); err != nil {
			t.Fatal(err)
		}
		t.Run(name, f)
	}
}

// guarded returns a slice of n elements at offset off inside a buffer whose
// other elements are guards, and a function that checks the guards.
func guarded(n, off int) ([]float32, func(t *testing.T, what string)) {
	return guardedWith(n, off, guard, func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) })
}

// guardedWith is guarded for any element type: the guards are g, and same
// tells whether an element still holds one.
func guardedWith[T any](n, off int, g T, same func(a, b T) bool) ([]T, func(t *testing.T, what string)) {
	buf := make([]T, guardLen+off+n+guardLen)
	for i := range buf {
		buf[i] = g
	}
	start := guardLen + off
	s := buf[start : start+n : start+n]
	check := func(t *testing.T, what string) {
		t.Helper()
		for i, v := range buf {
			if (i < start || i >= start+n) && !same(v, g) {
				t.Fatalf("%s: element %d outside the output (at %d..%d) was overwritten with %v", what, i-start, 0, n, v)
			}
		}
	}
	return s, check
}

// guardedInt32 is guarded for index lists.
func guardedInt32(n, off int) ([]int32, func(t *testing.T, what string)) {
	return guardedWith(n, off, int32(-7), equal[int32])
}

// equal is guardedWith's same for the types whose guards compare with ==.
func equal[T comparable](a, b T) bool { return a == b }

// randFill fills s with values in [-1, 1).
func randFill(r *rand.Rand, s []float32) {
	for i := range s {
		s[i] = float32(2*r.Float64() - 1)
	}
}

// at returns n random values at offset off of a fresh buffer, so inputs are
// misaligned like outputs.
func at(r *rand.Rand, n, off int) []float32 {
	s := make([]float32, off+n)[off:]
	randFill(r, s)
	return s
}

const eps32 = 1.0 / (1 << 24)

// close reports whether got is within tol of want, with NaNs and infinities
// required to match exactly.
func closeTo(got float32, want, tol float64) bool {
	g := float64(got)
	if math.IsNaN(want) || math.IsNaN(g) {
		return math.IsNaN(want) && math.IsNaN(g)
	}
	if math.IsInf(want, 0) || math.IsInf(g, 0) {
		return g == want
	}
	return math.Abs(g-want) <= tol
}

func TestDot(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		for _, n := range sweepLengths {
			for off := 0; off <= maxOffset; off++ {
				x, y := at(r, n, off), at(r, n, (off*7)%16)
				var want, mag float64
				for i := range x {
					want += float64(x[i]) * float64(y[i])
					mag += math.Abs(float64(x[i]) * float64(y[i]))
				}
				got := Dot(x, y)
				if tol := mag*float64(n+1)*eps32 + 1e-30; !closeTo(got, want, tol) {
					t.Fatalf("n=%d off=%d: Dot = %v, want %v ± %v", n, off, got, want, tol)
				}
			}
		}
	})
}

func TestAxpy(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		for _, n := range sweepLengths {
			for off := 0; off <= maxOffset; off++ {
				alpha := float32(r.Float64()*4 - 2)
				x := at(r, n, (off*5)%16)
				y, check := guarded(n, off)
				randFill(r, y)
				want := make([]float64, n)
				for i := range y {
					want[i] = float64(y[i]) + float64(alpha)*float64(x[i])
				}
				Axpy(alpha, x, y)
				check(t, fmt.Sprintf("Axpy n=%d off=%d", n, off))
				for i := range y {
					tol := (math.Abs(float64(y[i])) + math.Abs(float64(alpha*x[i]))) * 2 * eps32
					if !closeTo(y[i], want[i], tol) {
						t.Fatalf("n=%d off=%d: y[%d] = %v, want %v", n, off, i, y[i], want[i])
					}
				}
			}
		}
	})
}

func TestRelu(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(5, 6))
		for _, n := range sweepLengths {
			for off := 0; off <= maxOffset; off++ {
				src := at(r, n, (off*3)%16)
				dst, check := guarded(n, off)
				Relu(dst, src)
				check(t, fmt.Sprintf("Relu n=%d off=%d", n, off))
				for i, v := range src {
					want := float32(0)
					if v > 0 {
						want = v
					}
					if math.Float32bits(dst[i]) != math.Float32bits(want) {
						t.Fatalf("n=%d off=%d: Relu(%v) = %v, want %v", n, off, v, dst[i], want)
					}
				}
				// In place.
				cp := append([]float32(nil), src...)
				Relu(src, src)
				for i, v := range cp {
					if (v > 0 && src[i] != v) || (!(v > 0) && math.Float32bits(src[i]) != 0) {
						t.Fatalf("n=%d in place: Relu(%v) = %v", n, v, src[i])
					}
				}
			}
		}
	})
}

func TestReluBackward(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(7, 8))
		for _, n := range sweepLengths {
			for off := 0; off <= maxOffset; off++ {
				act := at(r, n, (off*11)%16)
				delta, check := guarded(n, off)
				randFill(r, delta)
				want := append([]float32(nil), delta...)
				for i, a := range act {
					if !(a > 0) {
						want[i] = 0
					}
				}
				ReluBackward(delta, act)
				check(t, fmt.Sprintf("ReluBackward n=%d off=%d", n, off))
				for i := range delta {
					if math.Float32bits(delta[i]) != math.Float32bits(want[i]) {
						t.Fatalf("n=%d off=%d: delta[%d] = %v, want %v (act %v)", n, off, i, delta[i], want[i], act[i])
					}
				}
			}
		}
	})
}

// specials are the non-finite values every kernel must treat as the
// reference does.
var specials = []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}

func TestNonFinite(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(9, 10))
		for _, n := range []int{1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 300, 784} {
			for _, p := range []int{0, n / 2, n - 1} {
				for _, sv := range specials {
					x, y := at(r, n, 1), at(r, n, 2)
					for i := range y {
						y[i] = float32(math.Abs(float64(y[i]))) + 0.5 // positive, so ±Inf keeps its sign
					}
					x[p] = sv
					var want float64
					for i := range x {
						want += float64(x[i]) * float64(y[i])
					}
					if got := Dot(x, y); !closeTo(got, want, 1e30) {
						t.Fatalf("n=%d x[%d]=%v: Dot = %v, want %v", n, p, sv, got, want)
					}

					yy := append([]float32(nil), y...)
					Axpy(1.5, x, yy)
					for i := range yy {
						w := float64(y[i]) + 1.5*float64(x[i])
						if !closeTo(yy[i], w, 1e-5) {
							t.Fatalf("n=%d x[%d]=%v: Axpy y[%d] = %v, want %v", n, p, sv, i, yy[i], w)
						}
					}

					dst := make([]float32, n)
					Relu(dst, x)
					if w := reluRef(sv); math.Float32bits(dst[p]) != math.Float32bits(w) {
						t.Fatalf("n=%d: Relu(%v) = %v, want %v", n, sv, dst[p], w)
					}

					delta := append([]float32(nil), y...)
					ReluBackward(delta, x)
					if w := float32(0); !(sv > 0) && delta[p] != w || sv > 0 && delta[p] != y[p] {
						t.Fatalf("n=%d: ReluBackward at act=%v gave %v", n, sv, delta[p])
					}
				}
			}
		}
	})
}

func reluRef(v float32) float32 {
	if v > 0 {
		return v
	}
	return 0
}

// matrix is a rows×cols matrix with leading dimension ld inside a guarded
// buffer; the padding between rows must stay untouched too.
type matrix struct {
	rows, cols, ld int
	s              []float32
	check          func(t *testing.T, what string)
}

func newMatrix(r *rand.Rand, rows, cols, ld, off int) matrix {
	n := 0
	if rows > 0 && cols > 0 {
		n = (rows-1)*ld + cols
	}
	s, check := guarded(n, off)
	for i := 0; i < rows; i++ {
		for j := 0; j < ld && i*ld+j < n; j++ {
			if j < cols {
				s[i*ld+j] = float32(2*r.Float64() - 1)
			} else {
				s[i*ld+j] = guard
			}
		}
	}
	m := matrix{rows, cols, ld, s, nil}
	m.check = func(t *testing.T, what string) {
		t.Helper()
		check(t, what)
		for i := 0; i < rows; i++ {
			for j := cols; j < ld && i*ld+j < n; j++ {
				if math.Float32bits(s[i*ld+j]) != math.Float32bits(guard) {
					t.Fatalf("%s: padding at row %d column %d was overwritten with %v", what, i, j, s[i*ld+j])
				}
			}
		}
	}
	return m
}

func (m matrix) at(i, j int) float64 { return float64(m.s[i*m.ld+j]) }

// tileSizes are the dimensions around every register tile and vector width
// the implementations use (8, 16, 32 lanes; 4, 6, 8, 14 rows).
var tileSizes = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 14, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 95, 96, 127, 128, 129, 257}

func TestOuterUpdate(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(11, 12))
		type shape struct{ m, n int }
		var shapes []shape
		for n := 0; n <= 300; n++ {
			shapes = append(shapes, shape{3, n})
		}
		for _, m := range tileSizes {
			for _, n := range tileSizes {
				shapes = append(shapes, shape{m, n})
			}
		}
		shapes = append(shapes, shape{784, 128}, shape{128, 10})
		for si, sh := range shapes {
			for _, pad := range []int{0, 1, 5} {
				off := (si + pad) % 16
				alpha := float32(r.Float64()*2 - 1)
				x, y := at(r, sh.m, off), at(r, sh.n, (off+3)%16)
				a := newMatrix(r, sh.m, sh.n, sh.n+pad, off)
				want := make([]float64, len(a.s))
				for i := 0; i < sh.m; i++ {
					for j := 0; j < sh.n; j++ {
						want[i*a.ld+j] = a.at(i, j) + float64(alpha*x[i])*float64(y[j])
					}
				}
				OuterUpdate(alpha, x, y, a.s, a.ld)
				what := fmt.Sprintf("OuterUpdate %d×%d lda=%d", sh.m, sh.n, a.ld)
				a.check(t, what)
				for i := 0; i < sh.m; i++ {
					for j := 0; j < sh.n; j++ {
						w := want[i*a.ld+j]
						if !closeTo(a.s[i*a.ld+j], w, 4*eps32*(math.Abs(w)+1)) {
							t.Fatalf("%s: a[%d,%d] = %v, want %v", what, i, j, a.s[i*a.ld+j], w)
						}
					}
				}
			}
		}
	})
}

// scalars are the alpha/beta values the matrix kernels are tested with: 0
// and 1 take special paths in BLAS-style code.
var scalars = []float32{0, 1, -0.75}

func TestGemv(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(13, 14))
		type shape struct{ m, n int }
		var shapes []shape
		for n := 0; n <= 300; n += 1 {
			shapes = append(shapes, shape{5, n}, shape{n, 3})
		}
		for _, m := range tileSizes {
			for _, n := range tileSizes {
				shapes = append(shapes, shape{m, n})
			}
		}
		// Narrow rows (an output layer's back-propagation), at every
		// number of rows: the kernels take rows four at a time.
		for m := 0; m <= 300; m++ {
			shapes = append(shapes, shape{m, 1}, shape{m, 10}, shape{m, 16})
		}
		for n := 1; n <= 17; n++ {
			shapes = append(shapes, shape{16, n}, shape{47, n})
		}
		shapes = append(shapes, shape{784, 128}, shape{128, 784}, shape{128, 10})
		for si, sh := range shapes {
			for _, trans := range []bool{false, true} {
				for _, pad := range []int{0, 3} {
					alpha, beta := scalars[si%3], scalars[(si/3+pad)%3]
					off := (si*3 + pad) % 16
					a := newMatrix(r, sh.m, sh.n, sh.n+pad, off)
					xn, yn := sh.n, sh.m
					if trans {
						xn, yn = sh.m, sh.n
					}
					x := at(r, xn, (off+5)%16)
					y, check := guarded(yn, off)
					randFill(r, y)
					if beta == 0 && yn > 0 {
						y[yn/2] = float32(math.NaN()) // must be overwritten, not scaled
					}
					want := make([]float64, yn)
					mag := make([]float64, yn)
					for o := 0; o < yn; o++ {
						var s, sm float64
						for q := 0; q < xn; q++ {
							var av float64
							if trans {
								av = a.at(q, o)
							} else {
								av = a.at(o, q)
							}
							s += av * float64(x[q])
							sm += math.Abs(av * float64(x[q]))
						}
						want[o] = float64(alpha) * s
						mag[o] = math.Abs(float64(alpha)) * sm
						if beta != 0 {
							want[o] += float64(beta) * float64(y[o])
							mag[o] += math.Abs(float64(beta) * float64(y[o]))
						}
					}
					Gemv(trans, sh.m, sh.n, alpha, a.s, a.ld, x, beta, y)
					what := fmt.Sprintf("Gemv trans=%v %d×%d lda=%d alpha=%v beta=%v", trans, sh.m, sh.n, a.ld, alpha, beta)
					check(t, what)
					a.check(t, what+" (a)")
					for o := range y {
						if tol := mag[o]*float64(xn+2)*eps32 + 1e-30; !closeTo(y[o], want[o], tol) {
							t.Fatalf("%s: y[%d] = %v, want %v ± %v", what, o, y[o], want[o], tol)
						}
					}
				}
			}
		}
	})
}

// gemmRef is the float64 reference product, with the magnitude of each
// element's terms for the tolerance.
func gemmRef(transA, transB bool, m, n, k int, alpha float32, a, b matrix, beta float32, c matrix) (want, mag []float64) {
	want, mag = make([]float64, m*n), make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s, sm float64
			for p := 0; p < k; p++ {
				var av, bv float64
				if transA {
					av = a.at(p, i)
				} else {
					av = a.at(i, p)
				}
				if transB {
					bv = b.at(j, p)
				} else {
					bv = b.at(p, j)
				}
				s += av * bv
				sm += math.Abs(av * bv)
			}
			want[i*n+j] = float64(alpha) * s
			mag[i*n+j] = math.Abs(float64(alpha)) * sm
			if beta != 0 {
				want[i*n+j] += float64(beta) * c.at(i, j)
				mag[i*n+j] += math.Abs(float64(beta) * c.at(i, j))
			}
		}
	}
	return want, mag
}

// checkGemm runs one Gemm against the reference.
func checkGemm(t *testing.T, r *rand.Rand, transA, transB bool, m, n, k, pad int, alpha, beta float32) {
	t.Helper()
	off := (m + 3*n + 5*k + pad) % 16
	var a, b matrix
	if transA {
		a = newMatrix(r, k, m, m+pad, off)
	} else {
		a = newMatrix(r, m, k, k+pad, off)
	}
	if transB {
		b = newMatrix(r, n, k, k+2*pad, (off+1)%16)
	} else {
		b = newMatrix(r, k, n, n+2*pad, (off+1)%16)
	}
	c := newMatrix(r, m, n, n+pad, (off+2)%16)
	if beta == 0 && m > 0 && n > 0 {
		c.s[0] = float32(math.NaN()) // must be overwritten, not scaled
	}
	want, mag := gemmRef(transA, transB, m, n, k, alpha, a, b, beta, c)
	Gemm(transA, transB, m, n, k, alpha, a.s, a.ld, b.s, b.ld, beta, c.s, c.ld)
	what := fmt.Sprintf("Gemm transA=%v transB=%v m=%d n=%d k=%d pad=%d alpha=%v beta=%v", transA, transB, m, n, k, pad, alpha, beta)
	c.check(t, what)
	a.check(t, what+" (a)")
	b.check(t, what+" (b)")
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			w, tol := want[i*n+j], mag[i*n+j]*float64(k+2)*eps32+1e-30
			if got := c.s[i*c.ld+j]; !closeTo(got, w, tol) {
				t.Fatalf("%s: c[%d,%d] = %v, want %v ± %v", what, i, j, got, w, tol)
			}
		}
	}
}

func TestGemm(t *testing.T) {
	dims := []int{0, 1, 3, 5, 8, 15, 16, 17, 33, 65}
	if testing.Short() {
		dims = []int{0, 1, 5, 16, 17, 33}
	}
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(15, 16))
		i := 0
		for _, transA := range []bool{false, true} {
			for _, transB := range []bool{false, true} {
				for _, m := range dims {
					for _, n := range dims {
						for _, k := range dims {
							i++
							checkGemm(t, r, transA, transB, m, n, k, i%3, scalars[i%3], scalars[(i/3)%3])
						}
					}
				}
				// The training shapes, and a k longer than the gather chunk.
				for _, s := range [][3]int{{128, 128, 784}, {64, 10, 128}, {784, 128, 64}, {20, 17, 600}} {
					checkGemm(t, r, transA, transB, s[0], s[1], s[2], 1, 1, 0)
					checkGemm(t, r, transA, transB, s[0], s[1], s[2], 0, -0.75, 1)
				}
			}
		}
	})
}

func TestShapePanics(t *testing.T) {
	cases := []struct {
		name, want string
		f          func()
	}{
		{"Dot", "len(y) = 2, want len(x) = 3", func() { Dot(make([]float32, 3), make([]float32, 2)) }},
		{"Axpy", "len(y) = 4, want len(x) = 1", func() { Axpy(1, make([]float32, 1), make([]float32, 4)) }},
		{"Relu", "len(dst) = 1, want len(src) = 2", func() { Relu(make([]float32, 1), make([]float32, 2)) }},
		{"ReluBackward", "len(act) = 0, want len(delta) = 2", func() { ReluBackward(make([]float32, 2), nil) }},
		{"OuterUpdate lda", "leading dimension of a is 2, want at least 3", func() {
			OuterUpdate(1, make([]float32, 2), make([]float32, 3), make([]float32, 6), 2)
		}},
		{"OuterUpdate short", "len(a) = 5, want at least 6", func() {
			OuterUpdate(1, make([]float32, 2), make([]float32, 3), make([]float32, 5), 3)
		}},
		{"Gemv x", "len(x) = 3, want 2", func() { Gemv(false, 3, 2, 1, make([]float32, 6), 2, make([]float32, 3), 0, make([]float32, 3)) }},
		{"Gemv y", "len(y) = 3, want 2", func() { Gemv(true, 3, 2, 1, make([]float32, 6), 2, make([]float32, 3), 0, make([]float32, 3)) }},
		{"Gemm b", "len(b) = 5, want at least 6", func() {
			Gemm(false, false, 2, 3, 2, 1, make([]float32, 4), 2, make([]float32, 5), 3, 0, make([]float32, 6), 3)
		}},
		{"Gemm negative", "dimensions must not be negative", func() {
			Gemm(false, false, -1, 3, 2, 1, nil, 2, make([]float32, 6), 3, 0, nil, 3)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				msg := fmt.Sprint(recover())
				if !strings.Contains(msg, c.want) {
					t.Fatalf("panic %q, want it to contain %q", msg, c.want)
				}
			}()
			c.f()
		})
	}
}

func TestDispatch(t *testing.T) {
	avail := Available()
	if len(avail) == 0 || avail[len(avail)-1] != "generic" {
		t.Fatalf("Available() = %v, want generic last", avail)
	}
	saved := active
	defer func() { active = saved }()
	if err := Use("sse9"); err == nil || !strings.Contains(err.Error(), "unknown ISA") {
		t.Fatalf("Use(sse9) = %v, want an unknown-ISA error", err)
	}
	for _, name := range allISAs {
		err := Use(name)
		usable := false
		for _, a := range avail {
			usable = usable || a == name
		}
		if usable != (err == nil) {
			t.Fatalf("Use(%q) = %v, but Available() = %v", name, err, avail)
		}
		if err == nil && ISA() != name {
			t.Fatalf("after Use(%q), ISA() = %q", name, ISA())
		}
	}
}

// TestNoSelectionWithoutFeatures feeds the dispatcher fake CPUs: it must
// never pick an implementation whose features are missing.
func TestNoSelectionWithoutFeatures(t *testing.T) {
	need := map[string]func(f features) bool{
		"avx2":   func(f features) bool { return f.avx2FMA },
		"avx512": func(f features) bool { return f.avx512F && f.avx2FMA },
		"neon":   func(f features) bool { return f.asimd },
	}
	for bits := 0; bits < 8; bits++ {
		f := features{avx2FMA: bits&1 != 0, avx512F: bits&2 != 0, asimd: bits&4 != 0}
		got := usableImpls(f)
		if got[len(got)-1].name != "generic" {
			t.Fatalf("features %+v: generic missing from %v", f, got)
		}
		for _, im := range got {
			if ok := need[im.name]; ok != nil && !ok(f) {
				t.Fatalf("features %+v: selected %s without its features", f, im.name)
			}
		}
	}
}
