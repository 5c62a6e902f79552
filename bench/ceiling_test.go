package bench

import (
	"math"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// The probes must compute what their contracts say; otherwise their timings
// measure something else.
func TestProbesCompute(t *testing.T) {
	probes := append(asmProbes(), kernelsProbe)
	for _, p := range probes {
		if p.fma != nil {
			// With a = b = 1 each chain counts: b + iters·1.
			const iters = 1000
			if got, want := p.fma(iters, 1, 1), float32(12*(iters+1)); got != want {
				t.Errorf("%s fma(%d, 1, 1) = %v, want %v", p.width, iters, got, want)
			}
			if got := p.fma(0, 1, 0.5); got != 6 {
				t.Errorf("%s fma(0, 1, 0.5) = %v, want 6", p.width, got)
			}
		}
		n := 4 * max(p.block, 64)
		x, y := Aligned(n), Aligned(n)
		var want float64
		for i := range x {
			x[i] = float32(i%9) - 4
			y[i] = float32(i%5) + 0.5
			want += float64(x[i]) * float64(y[i])
		}
		const passes = 3
		if got := p.dot(x, y, passes); math.Abs(float64(got)-passes*want) > 1e-3*math.Abs(passes*want)+1e-3 {
			t.Errorf("%s dot over %d passes = %v, want %v", p.width, passes, got, passes*want)
		}
		wantY := make([]float32, n)
		for i := range y {
			wantY[i] = y[i] + passes*0.5*x[i]
		}
		p.axpy(0.5, x, y, passes)
		for i := range y {
			if math.Abs(float64(y[i]-wantY[i])) > 1e-5 {
				t.Fatalf("%s axpy: y[%d] = %v, want %v", p.width, i, y[i], wantY[i])
			}
		}
		// Zero passes and empty slices touch nothing.
		if got := p.dot(x, y, 0); got != 0 {
			t.Errorf("%s dot with 0 passes = %v, want 0", p.width, got)
		}
		if got := p.dot(nil, nil, 5); got != 0 {
			t.Errorf("%s dot of empty slices = %v, want 0", p.width, got)
		}
		before := y[0]
		p.axpy(1, x, y, 0)
		if y[0] != before {
			t.Errorf("%s axpy with 0 passes changed y[0] from %v to %v", p.width, before, y[0])
		}
	}
}

// The probed ceilings are sane numbers; how large they are is the machine's
// business, not the test's.
func TestProbeCeilings(t *testing.T) {
	cs, err := ProbeCeilings(Timer{Runs: 2, RunTime: 200 * time.Microsecond})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) == 0 {
		t.Fatal("ProbeCeilings returned no ceiling")
	}
	ok := func(v float64) bool { return v > 0 && !math.IsInf(v, 0) }
	for _, c := range cs {
		t.Logf("%+v", c)
		if c.Width == "" {
			t.Errorf("ceiling without a width: %+v", c)
		}
		if c.FMA != 0 && !ok(c.FMA) || !ok(c.L1Read) || !ok(c.L2Read) || !ok(c.L1ReadWrite) || !ok(c.L2ReadWrite) {
			t.Errorf("implausible ceiling %+v", c)
		}
		if (c.Width == "zmm" || c.Width == "ymm") && c.FMA == 0 {
			t.Errorf("%s: the assembly probe reported no FMA peak", c.Width)
		}
	}
}

func TestAligned(t *testing.T) {
	for n := range 40 {
		s := Aligned(n)
		if len(s) != n || cap(s) != n {
			t.Fatalf("Aligned(%d): len %d cap %d", n, len(s), cap(s))
		}
		if n > 0 && uintptr(unsafe.Pointer(&s[0]))%64 != 0 {
			t.Fatalf("Aligned(%d) starts at %p", n, &s[0])
		}
	}
}

// Static checks of the probe assembly: the YMM probes must run on AVX2
// machines without AVX-512 (no ZMM register, hence no EVEX encoding), and
// every routine's last vector instruction before RET is VZEROUPPER, so the
// Go code after it pays no AVX-SSE transition penalty.
func TestProbeAssembly(t *testing.T) {
	src, err := os.ReadFile("ceiling_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	zmm := regexp.MustCompile(`\bZ\d+\b`)
	var fn, lastVector string
	rets := 0
	for i, line := range strings.Split(string(src), "\n") {
		code, _, _ := strings.Cut(line, "//")
		code = strings.TrimSpace(code)
		if name, ok := strings.CutPrefix(code, "TEXT ·"); ok {
			fn, _, _ = strings.Cut(name, "(")
			lastVector = ""
			continue
		}
		if strings.HasSuffix(fn, "YMM") && zmm.MatchString(code) {
			t.Errorf("line %d: %s uses a ZMM register: %s", i+1, fn, code)
		}
		if strings.HasPrefix(code, "V") {
			lastVector, _, _ = strings.Cut(code, " ")
		}
		if code == "RET" {
			rets++
			if lastVector != "VZEROUPPER" {
				t.Errorf("line %d: %s returns after %s, want VZEROUPPER last", i+1, fn, lastVector)
			}
		}
	}
	if rets < 6 {
		t.Fatalf("found %d RET in ceiling_amd64.s, want one per probe (6)", rets)
	}
}
