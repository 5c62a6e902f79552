package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// usableMicros returns the GEMM micro-kernel of every implementation this
// CPU can run, by implementation name.
func usableMicros() (names []string, micros []gemmMicro) {
	for _, im := range usableImpls(cpuFeatures()) {
		if im.gemm.kernel != nil {
			names = append(names, im.name)
			micros = append(micros, im.gemm)
		}
		if nw := im.gemm.narrow; nw != nil {
			names = append(names, im.name+"-narrow")
			micros = append(micros, *nw)
		}
		if nw := im.gemm.narrowTransA; nw != nil {
			names = append(names, im.name+"-narrowTransA")
			micros = append(micros, *nw)
		}
	}
	return names, micros
}

// TestGemmMicroKernels calls each micro-kernel directly, for every kc of
// interest, full and partial tiles, both A layouts the driver passes
// unpacked, strided B and C, and every flag combination.
func TestGemmMicroKernels(t *testing.T) {
	kcs := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 64, 257}
	names, micros := usableMicros()
	for ui, u := range micros {
		t.Run(names[ui], func(t *testing.T) {
			r := rand.New(rand.NewPCG(21, 22))
			for _, kc := range kcs[1:] { // the driver never calls with kc = 0; see below
				for _, mr := range []int{1, u.mr - 1, u.mr} {
					nrs := []int{1, u.nr/2 + 1, u.nr - 1, u.nr}
					if u.nr <= 16 { // narrow kernels may have code for each nr
						nrs = nrs[:0]
						for nr := 1; nr <= u.nr; nr++ {
							nrs = append(nrs, nr)
						}
					}
					for _, nr := range nrs {
						if mr < 1 || nr < 1 {
							continue
						}
						for flags := 0; flags < 8; flags++ {
							checkMicro(t, r, u, kc, mr, nr, flags, u.unitRowStride || (kc+mr+nr+flags)%2 == 0)
						}
					}
				}
			}
		})
	}
	if kcs[0] != 0 {
		t.Fatal("kc list must start at 0")
	}
	// kc = 0 goes through Gemm, which handles it without a kernel call.
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(23, 24))
		checkGemm(t, r, false, false, 7, 9, 0, 1, 1, -0.75)
	})
}

// checkMicro runs one kernel call against a float64 reference. transposed
// selects the A layout: rows one float apart and k steps lda apart (a
// transposed A), else row-major.
func checkMicro(t *testing.T, r *rand.Rand, u gemmMicro, kc, mr, nr, flags int, transposed bool) {
	t.Helper()
	const pad = 3
	var rsA, csA int
	var a matrix
	if transposed {
		a = newMatrix(r, kc, u.mr, u.mr+pad, 1)
		rsA, csA = 1, a.ld
	} else {
		a = newMatrix(r, u.mr, kc, kc+pad, 1)
		rsA, csA = a.ld, 1
	}
	// B is read for nr columns when the kernel masks, else for all nr.
	bCols := u.nr
	if u.masksB {
		bCols = nr
	}
	b := newMatrix(r, kc, bCols, u.nr+2*pad, 2)
	// Sometimes C is one contiguous block (ldc = nr), which lets the narrow
	// kernels store whole vectors across row ends.
	ldc := nr + pad
	if (kc+nr)%2 == 1 {
		ldc = nr
	}
	c := newMatrix(r, mr, nr, ldc, 3)
	bias, checkBias := guarded(nr, 4)
	randFill(r, bias)
	alpha, beta := float32(-0.75), float32(1.5)
	if (kc+mr+nr)%2 == 1 { // alpha = 1 may take a kernel's plain-store path
		alpha = 1
	}
	if flags&gemmLoadC == 0 {
		beta = 0
		c.s[0] = float32(math.NaN()) // must be overwritten, not read
	}
	want := make([]float64, mr*nr)
	tol := make([]float64, mr*nr)
	for i := 0; i < mr; i++ {
		for j := 0; j < nr; j++ {
			var s, mag float64
			for p := 0; p < kc; p++ {
				v := float64(a.s[i*rsA+p*csA]) * b.at(p, j)
				s += v
				mag += math.Abs(v)
			}
			v := float64(alpha) * s
			mag *= math.Abs(float64(alpha))
			if flags&gemmLoadC != 0 {
				v += float64(beta) * c.at(i, j)
				mag += math.Abs(float64(beta) * c.at(i, j))
			}
			if flags&gemmAddBias != 0 {
				v += float64(bias[j])
				mag += math.Abs(float64(bias[j]))
			}
			if flags&gemmRelu != 0 && !(v > 0) {
				v = 0
			}
			want[i*nr+j], tol[i*nr+j] = v, mag*float64(kc+3)*eps32+1e-30
		}
	}
	u.kernel(kc, a.s, rsA, csA, b.s, b.ld, c.s, c.ld, mr, nr, alpha, beta, bias, flags)
	what := fmt.Sprintf("kernel %d×%d kc=%d mr=%d nr=%d flags=%03b transposedA=%v", u.mr, u.nr, kc, mr, nr, flags, transposed)
	c.check(t, what)
	a.check(t, what+" (a)")
	b.check(t, what+" (b)")
	checkBias(t, what+" (bias)")
	for i := 0; i < mr; i++ {
		for j := 0; j < nr; j++ {
			if got := c.s[i*c.ld+j]; !closeTo(got, want[i*nr+j], tol[i*nr+j]) {
				t.Fatalf("%s: c[%d,%d] = %v, want %v", what, i, j, got, want[i*nr+j])
			}
		}
	}
}

// TestGemmPackBTrans compares each implementation's packer of a transposed
// B with the generic one, bit for bit, zero padding included.
func TestGemmPackBTrans(t *testing.T) {
	names, micros := usableMicros()
	r := rand.New(rand.NewPCG(31, 32))
	for ui, u := range micros {
		if u.packBT == nil {
			continue
		}
		for _, kc := range []int{1, 2, 7, 15, 16, 17, 47, 64} {
			for nc := 1; nc <= 3*u.nr+1; nc++ {
				ldb := kc + nc%3
				b := make([]float32, (nc-1)*ldb+kc)
				randFill(r, b)
				size := (nc + u.nr - 1) / u.nr * u.nr * kc
				want, got := make([]float32, size), make([]float32, size)
				for i := range got {
					got[i] = guard
				}
				packBTransGeneric(want, kc, nc, u.nr, b, ldb)
				u.packBT(got, kc, nc, u.nr, b, ldb)
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s: kc=%d nc=%d ldb=%d: packed[%d] = %v, want %v", names[ui], kc, nc, ldb, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestGemmPackATrans compares each implementation's packer of a transposed
// A with the generic one, bit for bit, and checks it writes nothing past
// the slivers.
func TestGemmPackATrans(t *testing.T) {
	names, micros := usableMicros()
	r := rand.New(rand.NewPCG(33, 34))
	for ui, u := range micros {
		if u.packAT == nil {
			continue
		}
		for _, kc := range []int{1, 2, 7, 16, 17, 64} {
			for slivers := 0; slivers <= 5; slivers++ {
				lda := slivers*u.mr + kc%3
				a := make([]float32, max((kc-1)*lda+slivers*u.mr, 0))
				randFill(r, a)
				size := slivers * kc * u.mr
				want := make([]float32, size)
				got, checkGuards := guarded(size, 5)
				packATransGeneric(want, kc, slivers, u.mr, a, lda)
				u.packAT(got, kc, slivers, u.mr, a, lda)
				what := fmt.Sprintf("%s: kc=%d slivers=%d lda=%d", names[ui], kc, slivers, lda)
				checkGuards(t, what)
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s: packed[%d] = %v, want %v", what, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestGemmBlocks sweeps the full Gemm around each implementation's tile and
// (reduced) block sizes, with all transposes, strides and alpha/beta.
func TestGemmBlocks(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		u := active.gemm
		if u.kernel == nil {
			u = genericImpl.gemm
		}
		blocks := gemmBlocking{kc: 7, mc: 2 * u.mr, nc: 2 * u.nr}
		dimsFor := func(tile, block int) []int {
			return []int{1, tile - 1, tile, tile + 1, 2*block + 3}
		}
		ms, ns, ks := dimsFor(u.mr, blocks.mc), dimsFor(u.nr, blocks.nc), dimsFor(4, blocks.kc)
		if testing.Short() {
			ms, ns, ks = []int{1, u.mr + 1, 2*blocks.mc + 3}, []int{u.nr - 1, 2*blocks.nc + 3}, []int{1, 2*blocks.kc + 3}
		}
		if nw := u.narrow; nw != nil { // the narrow kernel's tile edges
			ms = append(ms, nw.mr-1, nw.mr, nw.mr+1)
			ns = append(ns, nw.nr-1, nw.nr)
		}
		saved := gemmBlockOverride
		defer func() { gemmBlockOverride = saved }()
		gemmBlockOverride = blocks
		r := rand.New(rand.NewPCG(25, 26))
		i := 0
		for _, transA := range []bool{false, true} {
			for _, transB := range []bool{false, true} {
				for _, m := range ms {
					for _, n := range ns {
						for _, k := range ks {
							if m < 1 || n < 1 {
								continue
							}
							i++
							checkGemm(t, r, transA, transB, m, n, k, i%3, scalars[i%3], scalars[(i/3)%3])
						}
					}
				}
			}
		}
	})
}

// TestGemmThreads checks that the result does not depend on the number of
// goroutines, to the bit, and that it is right.
func TestGemmThreads(t *testing.T) {
	saved := Threads()
	defer SetThreads(saved)
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(27, 28))
		shapes := [][3]int{{128, 128, 784}, {784, 128, 64}, {64, 784, 128}, {97, 61, 300}}
		if testing.Short() {
			shapes = [][3]int{{97, 61, 300}, {40, 200, 70}}
		}
		for _, s := range shapes {
			for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
				m, n, k := s[0], s[1], s[2]
				a := make([]float32, m*k)
				b := make([]float32, k*n)
				randFill(r, a)
				randFill(r, b)
				lda, ldb := k, n
				if tr[0] {
					lda = m
				}
				if tr[1] {
					ldb = k
				}
				var first []float32
				for _, th := range []int{1, 2, 3} {
					SetThreads(th)
					c := make([]float32, m*n)
					for i := range c {
						c[i] = float32(i%7) - 3
					}
					Gemm(tr[0], tr[1], m, n, k, -0.75, a, lda, b, ldb, 0.5, c, n)
					if first == nil {
						first = c
						continue
					}
					for i := range c {
						if math.Float32bits(c[i]) != math.Float32bits(first[i]) {
							t.Fatalf("%v trans=%v threads=%d: c[%d] = %v, with one thread %v", s, tr, th, i, c[i], first[i])
						}
					}
				}
				SetThreads(3)
				checkGemm(t, r, tr[0], tr[1], m, n, k, 1, -0.75, 1)
			}
		}
	})
}

// TestGemmSplit checks that large products are split, into whole tiles
// that cover C once, and small ones are not.
func TestGemmSplit(t *testing.T) {
	u := gemmMicro{mr: 12, nr: 32}
	for _, s := range [][3]int{{128, 128, 784}, {784, 128, 128}, {64, 784, 128}, {13, 1000, 100}, {1000, 5, 200}, {128, 10, 128}, {64, 10, 128}} {
		for _, threads := range []int{1, 2, 3, 8} {
			g := gemmCall{m: s[0], n: s[1], k: s[2], micro: u}
			g.split(threads)
			small := s[0]*s[1]*s[2] < gemmMinParallel
			if (g.parts > 1) == (small || threads == 1) {
				t.Fatalf("%v threads=%d: %d parts", s, threads, g.parts)
			}
			tile, extent := u.mr, g.m
			if g.splitByCol {
				tile, extent = u.nr, g.n
			}
			next := 0
			for part := 0; part < g.parts; part++ {
				i0, i1, j0, j1 := g.partBlock(part)
				lo, hi, otherLo, otherHi, other := i0, i1, j0, j1, g.n
				if g.splitByCol {
					lo, hi, otherLo, otherHi, other = j0, j1, i0, i1, g.m
				}
				if lo != next || hi < lo || (hi < extent && hi%tile != 0) || otherLo != 0 || otherHi != other {
					t.Fatalf("%v threads=%d: part %d is C[%d:%d, %d:%d] after %d", s, threads, part, i0, i1, j0, j1, next)
				}
				next = hi
			}
			if next != extent {
				t.Fatalf("%v threads=%d: parts end at %d of %d", s, threads, next, extent)
			}
		}
	}
}

// TestGemmSplitTies checks that when splitting by rows or by columns leaves
// the busiest part equally loaded, the split keeps each part packing only
// its own share: rows for a transposed A, columns otherwise.
func TestGemmSplitTies(t *testing.T) {
	u := gemmMicro{mr: 12, nr: 32}
	// 784×128 in 12×32 tiles: 66 row tiles × 4 column tiles, so two parts
	// have 33×4 or 66×2 tiles either way.
	for _, transA := range []bool{false, true} {
		for _, transB := range []bool{false, true} {
			g := gemmCall{transA: transA, transB: transB, m: 784, n: 128, k: 128, micro: u}
			g.split(2)
			if g.parts != 2 || g.splitByCol == transA {
				t.Errorf("transA=%v transB=%v: %d parts, by columns %v", transA, transB, g.parts, g.splitByCol)
			}
		}
	}
}

// TestGemmEpilogue checks the fused bias and relu against the reference.
func TestGemmEpilogue(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(29, 30))
		shapes := [][3]int{{1, 1, 1}, {5, 3, 0}, {13, 33, 17}, {128, 10, 128}, {12, 32, 1}, {25, 65, 300}, {64, 128, 784}}
		if testing.Short() {
			shapes = shapes[:len(shapes)-2]
		}
		for si, s := range shapes {
			for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
				for _, withBias := range []bool{false, true} {
					for _, relu := range []bool{false, true} {
						checkEpilogue(t, r, tr[0], tr[1], s[0], s[1], s[2], si%2, withBias, relu)
					}
				}
			}
		}
	})
}

func checkEpilogue(t *testing.T, r *rand.Rand, transA, transB bool, m, n, k, pad int, withBias, relu bool) {
	t.Helper()
	var a, b matrix
	if transA {
		a = newMatrix(r, k, m, m+pad, 1)
	} else {
		a = newMatrix(r, m, k, k+pad, 1)
	}
	if transB {
		b = newMatrix(r, n, k, k+pad, 2)
	} else {
		b = newMatrix(r, k, n, n+pad, 2)
	}
	c := newMatrix(r, m, n, n+pad, 3)
	c.s[0] = float32(math.NaN()) // C is not read
	var bias []float32
	checkBias := func(*testing.T, string) {}
	if withBias {
		bias, checkBias = guarded(n, 5)
		randFill(r, bias)
	}
	want, mag := gemmRef(transA, transB, m, n, k, 1, a, b, 0, c)
	GemmEpilogue(transA, transB, m, n, k, a.s, a.ld, b.s, b.ld, c.s, c.ld, bias, relu)
	what := fmt.Sprintf("GemmEpilogue transA=%v transB=%v %d×%d×%d bias=%v relu=%v", transA, transB, m, n, k, withBias, relu)
	c.check(t, what)
	checkBias(t, what+" (bias)")
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			w, tol := want[i*n+j], mag[i*n+j]*float64(k+3)*eps32+1e-30
			if withBias {
				w += float64(bias[j])
				tol += math.Abs(float64(bias[j])) * 2 * eps32
			}
			if relu && !(w > 0) {
				w = 0
			}
			if got := c.s[i*c.ld+j]; !closeTo(got, w, tol) {
				t.Fatalf("%s: c[%d,%d] = %v, want %v ± %v", what, i, j, got, w, tol)
			}
		}
	}
}

func TestGemmEpiloguePanics(t *testing.T) {
	defer func() {
		if msg := fmt.Sprint(recover()); msg != "kernels: GemmEpilogue: len(bias) = 2, want n = 3" {
			t.Fatalf("panic %q", msg)
		}
	}()
	GemmEpilogue(false, false, 2, 3, 2, make([]float32, 4), 2, make([]float32, 6), 3, make([]float32, 6), 3, make([]float32, 2), false)
}

// TestGemmNoAllocs checks that steady-state calls reuse their buffers, on
// one goroutine and on several.
func TestGemmNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops buffers under the race detector")
	}
	saved := Threads()
	defer SetThreads(saved)
	eachImpl(t, func(t *testing.T) {
		for _, th := range []int{1, 2} {
			SetThreads(th)
			// Large enough for the pool (m·n·k ≥ gemmMinParallel), and small.
			for _, s := range [][3]int{{64, 128, 64}, {64, 10, 128}} {
				m, n, k := s[0], s[1], s[2]
				a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
				bias := make([]float32, n)
				for _, transB := range []bool{false, true} {
					ldb := n
					if transB {
						ldb = k
					}
					allocs := testing.AllocsPerRun(10, func() {
						Gemm(false, transB, m, n, k, 1, a, k, b, ldb, 0, c, n)
						GemmEpilogue(true, transB, m, n, k, a, m, b, ldb, c, n, bias, true)
					})
					if allocs > 0.1 {
						t.Fatalf("threads=%d %v transB=%v: %v allocations per call", th, s, transB, allocs)
					}
				}
			}
		}
	})
}

func TestSetThreads(t *testing.T) {
	saved := Threads()
	defer SetThreads(saved)
	SetThreads(3)
	if Threads() != 3 {
		t.Fatalf("Threads() = %d after SetThreads(3)", Threads())
	}
	SetThreads(0)
	if Threads() < 1 {
		t.Fatalf("Threads() = %d after SetThreads(0), want runtime.NumCPU()", Threads())
	}
}

// BenchmarkGemmShapes measures the training shapes (m×n×k; T marks a
// transposed operand) on one goroutine, for every implementation.
func BenchmarkGemmShapes(b *testing.B) {
	saved, savedThreads := active, Threads()
	defer func() { active = saved; SetThreads(savedThreads) }()
	SetThreads(1)
	shapes := []struct {
		name           string
		transA, transB bool
		m, n, k        int
	}{
		{"XW_128x128x784", false, false, 128, 128, 784},
		{"XW_64x128x784", false, false, 64, 128, 784},
		{"dW_784x128x128_AT", true, false, 784, 128, 128},
		{"dX_64x784x128_BT", false, true, 64, 784, 128},
		{"out_128x10x128", false, false, 128, 10, 128},
		{"dX2_128x128x10_BT", false, true, 128, 128, 10},
		{"dW2_128x10x128_AT", true, false, 128, 10, 128},
	}
	for _, name := range Available() {
		if err := Use(name); err != nil {
			b.Fatal(err)
		}
		for _, s := range shapes {
			b.Run(name+"/"+s.name, func(b *testing.B) {
				r := rand.New(rand.NewPCG(1, 1))
				a, bm, c := make([]float32, s.m*s.k), make([]float32, s.k*s.n), make([]float32, s.m*s.n)
				randFill(r, a)
				randFill(r, bm)
				lda, ldb := s.k, s.n
				if s.transA {
					lda = s.m
				}
				if s.transB {
					ldb = s.k
				}
				flops := 2 * float64(s.m*s.n*s.k)
				reportGFLOPs(b, flops, func() {
					Gemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bm, ldb, 0, c, s.n)
				})
			})
		}
	}
}

// reportGFLOPs runs f in the benchmark loop and reports its speed.
func reportGFLOPs(b *testing.B, flops float64, f func()) {
	for b.Loop() {
		f()
	}
	b.ReportMetric(flops*float64(b.N)/1e9/b.Elapsed().Seconds(), "GFLOP/s")
}

// BenchmarkGemmThreads measures the split across the pool on the large
// training shapes (784-128-10's first layer and 784-512-256-10's second),
// with the best implementation.
func BenchmarkGemmThreads(b *testing.B) {
	saved := Threads()
	defer SetThreads(saved)
	for _, s := range []struct {
		name           string
		transA, transB bool
		m, n, k        int
	}{
		{"XW_128x128x784", false, false, 128, 128, 784},
		{"dW_784x128x128_AT", true, false, 784, 128, 128},
		{"XW_128x256x512", false, false, 128, 256, 512},
		{"dX_128x512x256_BT", false, true, 128, 512, 256},
		{"dW_512x256x128_AT", true, false, 512, 256, 128},
	} {
		for _, th := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", s.name, th), func(b *testing.B) {
				SetThreads(th)
				a, bm, c := make([]float32, s.m*s.k), make([]float32, s.k*s.n), make([]float32, s.m*s.n)
				lda, ldb := s.k, s.n
				if s.transA {
					lda = s.m
				}
				if s.transB {
					ldb = s.k
				}
				reportGFLOPs(b, 2*float64(s.m*s.n*s.k), func() {
					Gemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bm, ldb, 0, c, s.n)
				})
			})
		}
	}
}
