//go:build !purego

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Static checks over the amd64 assembly, and tests of what the sweep in
// kernels_test.go does not reach: special values bit for bit, the Go
// wrappers that cut long vectors and large matrices into pieces, and the
// 16-lane kernels at the sizes where the AVX-512 wrappers pick 8-lane ones.

// asmFunc is one TEXT block of an assembly file, with the bodies of the
// macros it invokes appended, so a check sees every instruction it runs.
type asmFunc struct {
	file, name string
	lines      []asmLine
}

type asmLine struct {
	num  int    // line number in the file (of the invocation, for macro bodies)
	text string // without comments, trimmed
}

// stripComment removes a // comment. Go assembly has no string literals
// that could hold "//".
func stripComment(s string) string {
	if i := strings.Index(s, "//"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

var macroCall = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)\b`)

// parseAsm splits an assembly source into its TEXT blocks, expanding macro
// invocations (a line starting with a #define'd name) into the macro's
// statements.
func parseAsm(file, src string) []asmFunc {
	macros := map[string][]string{}
	var funcs []asmFunc
	raw := strings.Split(src, "\n")
	for i := 0; i < len(raw); i++ {
		line := stripComment(raw[i])
		if def, ok := strings.CutPrefix(line, "#define"); ok {
			// Join the continuation lines; statements are separated by ';'.
			for strings.HasSuffix(def, "\\") && i+1 < len(raw) {
				i++
				def = strings.TrimSuffix(def, "\\") + " " + stripComment(raw[i])
			}
			def = strings.TrimSpace(def)
			name := macroCall.FindString(def)
			body := def[len(name):]
			if strings.HasPrefix(body, "(") { // parameter list
				body = body[strings.Index(body, ")")+1:]
			}
			var stmts []string
			for _, st := range strings.Split(body, ";") {
				if st = strings.TrimSpace(st); st != "" {
					stmts = append(stmts, st)
				}
			}
			macros[name] = stmts
			continue
		}
		if strings.HasPrefix(line, "TEXT") {
			name := strings.Fields(line)[1]
			funcs = append(funcs, asmFunc{file: file, name: strings.TrimSuffix(name, ",")})
		}
		if len(funcs) == 0 || line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := &funcs[len(funcs)-1]
		f.lines = append(f.lines, asmLine{i + 1, line})
		if m := macroCall.FindStringSubmatch(line); m != nil {
			for _, st := range macros[m[1]] {
				f.lines = append(f.lines, asmLine{i + 1, st})
			}
		}
	}
	return funcs
}

var (
	vecReg   = regexp.MustCompile(`\b([XYZ])([0-9]|[12][0-9]|3[01])\b`)
	maskReg  = regexp.MustCompile(`\bK[0-7]\b`)
	evexOnly = regexp.MustCompile(`^(K[A-Z]+|VPXOR[DQ]|VPAND[DQ]|VPANDN[DQ]|VPOR[DQ]|VPTERNLOG[DQ]|VMOVDQ[AU](32|64)|V(EXTRACT|INSERT)[FI](32X4|32X8|64X2|64X4)|VBROADCAST[FI](32X2|32X4|32X8|64X2|64X4)|VPERM[IT]2|VCOMPRESS|VEXPAND|VPCOMPRESS|VPEXPAND|VSCALEF|VRCP14|VRSQRT14|VGETEXP|VGETMANT|VFIXUPIMM|VRNDSCALE|VREDUCE|VRANGE|VFPCLASS|VPMOVM2|VPMOV[DQW]2M|VPROL|VPROR|VPSRAQ|VPABSQ|VPMAXSQ|VPMINSQ|VPMULLQ|VPCONFLICT|VPLZCNT|VALIGN[DQ]|VPBLENDM|VBLENDM)`)
	// Zeroing, broadcast and rounding suffixes exist only in EVEX.
	evexSuffix = regexp.MustCompile(`^[A-Z0-9]+\.(Z|BCST|SAE|RN_SAE|RD_SAE|RU_SAE|RZ_SAE)\b`)
	// Logic on floats with a ZMM operand is AVX-512DQ; the dispatcher
	// checks only for AVX-512F.
	dqOnZMM = regexp.MustCompile(`^V(XOR|AND|ANDN|OR)P[SD]$`)
)

// avx512Func reports whether f is AVX-512 code, by its symbol's name
// (…AVX512, …AVX2), else by its file's name (*avx512*). Any other amd64
// function gets the AVX2 rules: it must run on CPUs without AVX-512.
func avx512Func(f asmFunc) bool {
	switch {
	case strings.Contains(f.name, "AVX512"):
		return true
	case strings.Contains(f.name, "AVX2"):
		return false
	}
	return strings.Contains(f.file, "avx512")
}

// checkAsm returns the rule violations in funcs. AVX2 code must run on CPUs
// without AVX-512; AVX-512 code may use AVX-512F but no later extension
// (DQ, BW, VL), since the dispatcher checks for AVX-512F alone.
func checkAsm(funcs []asmFunc) []string {
	var bad []string
	seen := map[string]bool{}
	report := func(f asmFunc, l asmLine, format string, args ...any) {
		msg := fmt.Sprintf("%s:%d: %s: %s: %s", f.file, l.num, f.name, fmt.Sprintf(format, args...), l.text)
		if !seen[msg] {
			seen[msg] = true
			bad = append(bad, msg)
		}
	}
	for _, f := range funcs {
		avx2 := !avx512Func(f)
		usesVec := false
		for _, l := range f.lines {
			mnemonic := strings.Fields(l.text)[0]
			regs := vecReg.FindAllStringSubmatch(l.text, -1)
			hasZ := false
			for _, r := range regs {
				usesVec = usesVec || r[1] != "X"
				hasZ = hasZ || r[1] == "Z"
				high := len(r[2]) == 2 && r[2] >= "16"
				switch {
				case avx2 && r[1] == "Z":
					report(f, l, "ZMM register in an AVX2 file")
				case avx2 && high:
					report(f, l, "%s%s needs EVEX encoding", r[1], r[2])
				case !avx2 && high && r[1] != "Z":
					report(f, l, "%s%s needs AVX-512VL", r[1], r[2])
				}
			}
			hasMask := maskReg.MatchString(l.text)
			switch {
			case avx2 && hasMask:
				report(f, l, "opmask register in an AVX2 file")
			case avx2 && (evexOnly.MatchString(mnemonic) || evexSuffix.MatchString(mnemonic)):
				report(f, l, "EVEX-only instruction in an AVX2 file")
			case !avx2 && hasMask && !strings.HasPrefix(mnemonic, "K") && !hasZ && len(regs) > 0:
				report(f, l, "opmask-ed XMM/YMM operation needs AVX-512VL")
			case !avx2 && hasZ && dqOnZMM.MatchString(mnemonic):
				report(f, l, "%s on ZMM needs AVX-512DQ", mnemonic)
			}
		}
		if !usesVec {
			continue
		}
		prev := "" // the last instruction, labels skipped
		for _, l := range f.lines {
			mnemonic := strings.Fields(l.text)[0]
			if strings.HasSuffix(mnemonic, ":") {
				continue
			}
			if mnemonic == "RET" && prev != "VZEROUPPER" {
				report(f, l, "RET without VZEROUPPER right before it")
			}
			prev = mnemonic
		}
	}
	return bad
}

// TestAsmRules reads every amd64 assembly file of the package: AVX2 code
// must be free of EVEX encodings, AVX-512 code must stay within AVX-512F
// (see avx512Func for which is which), and every function touching YMM/ZMM
// state must execute VZEROUPPER right before each RET.
func TestAsmRules(t *testing.T) {
	files, err := filepath.Glob("*_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no *_amd64.s files found")
	}
	nfuncs := 0
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		funcs := parseAsm(file, string(src))
		nfuncs += len(funcs)
		for _, msg := range checkAsm(funcs) {
			t.Error(msg)
		}
	}
	if nfuncs < 14 {
		t.Fatalf("found %d TEXT blocks in %v, want at least the 14 vector and matrix kernels", nfuncs, files)
	}
}

// TestAsmRulesCatch feeds the checker broken sources, so TestAsmRules is
// known to be able to fail.
func TestAsmRulesCatch(t *testing.T) {
	// ·fAVX2 gets the AVX2 rules, ·gAVX512 the AVX-512 ones.
	cases := []struct{ name, src, want string }{
		{"no vzeroupper", "TEXT ·fAVX2(SB), 0, $0\n\tVMOVUPS (SI), Y0\n\tRET\n", "RET without VZEROUPPER"},
		{"vzeroupper too early", "TEXT ·fAVX2(SB), 0, $0\n\tVZEROUPPER\n\tVMOVUPS Y0, (DI)\n\tRET\n", "RET without VZEROUPPER"},
		{"early ret", "TEXT ·fAVX2(SB), 0, $0\n\tJZ done\n\tRET\ndone:\n\tVMOVUPS (SI), Y0\n\tVZEROUPPER\n\tRET\n", "RET without VZEROUPPER"},
		{"macro hides ymm", "#define LOAD \\\n\tVMOVUPS (SI), Y1\nTEXT ·fAVX2(SB), 0, $0\n\tLOAD\n\tRET\n", "RET without VZEROUPPER"},
		{"zmm in avx2", "TEXT ·fAVX2(SB), 0, $0\n\tVMOVUPS (SI), Z0\n\tVZEROUPPER\n\tRET\n", "ZMM register"},
		{"y16 in avx2", "TEXT ·fAVX2(SB), 0, $0\n\tVADDPS Y16, Y1, Y1\n\tVZEROUPPER\n\tRET\n", "needs EVEX"},
		{"mask in avx2", "TEXT ·fAVX2(SB), 0, $0\n\tVMOVUPS (SI), K1, Y0\n\tVZEROUPPER\n\tRET\n", "opmask register"},
		{"evex mnemonic in avx2", "TEXT ·fAVX2(SB), 0, $0\n\tVPXORD X1, X1, X1\n\tRET\n", "EVEX-only"},
		{"zeroing in avx2", "TEXT ·fAVX2(SB), 0, $0\n\tVADDPS.Z X1, X1, X1\n\tRET\n", "EVEX-only"},
		{"dq in avx512", "TEXT ·gAVX512(SB), 0, $0\n\tVXORPS Z1, Z1, Z1\n\tVZEROUPPER\n\tRET\n", "AVX-512DQ"},
		{"unmarked code gets the avx2 rules", "TEXT ·pack(SB), 0, $0\n\tVMOVUPS (SI), Z0\n\tVZEROUPPER\n\tRET\n", "ZMM register"},
		{"vl in avx512", "TEXT ·gAVX512(SB), 0, $0\n\tVMOVUPS.Z (SI), K1, Y1\n\tVZEROUPPER\n\tRET\n", "AVX-512VL"},
	}
	for _, c := range cases {
		bad := checkAsm(parseAsm("test.s", c.src))
		if !strings.Contains(strings.Join(bad, "\n"), c.want) {
			t.Errorf("%s: checker said %q, want a report containing %q", c.name, bad, c.want)
		}
	}
	good := "#define ADD(a) \\\n\tVADDPS a, Y1, Y1\nTEXT ·fAVX2(SB), 0, $0\n\tADD(Y2)\nloop:\n\tVZEROUPPER\n\tRET\n" +
		"TEXT ·gAVX512(SB), 0, $0\n\tVMOVUPS.Z (SI), K1, Z0\n\tVZEROUPPER\n\tRET\n"
	if bad := checkAsm(parseAsm("test.s", good)); len(bad) > 0 {
		t.Errorf("checker rejects a correct function: %q", bad)
	}
}

// asmImpls are the assembly implementations this CPU runs.
func asmImpls(t *testing.T) []*impl {
	var out []*impl
	for _, im := range usableImpls(cpuFeatures()) {
		if im != genericImpl {
			out = append(out, im)
		}
	}
	if len(out) == 0 {
		t.Skip("this CPU has neither AVX2+FMA nor AVX-512F")
	}
	return out
}

// reluSpecials are the inputs whose relu depends on the compare's NaN and
// signed-zero handling: quiet and signalling NaNs of both signs with
// payloads, ±0, ±Inf, denormals (not flushed: Go leaves MXCSR alone).
var reluSpecials = []uint32{
	0x7fc00000, 0xffc00000, 0x7fc0dead, 0x7f800001, 0xff800001, 0x7fbfffff,
	0x00000000, 0x80000000, 0x7f800000, 0xff800000,
	0x00000001, 0x80000001, 0x007fffff, 0x807fffff, 0x3f800000, 0xbf800000,
}

func TestAsmReluSpecials(t *testing.T) {
	for _, im := range asmImpls(t) {
		for _, n := range []int{1, 7, 8, 15, 16, 17, 33, 64, 100} {
			src := make([]float32, n)
			for k := range src {
				src[k] = math.Float32frombits(reluSpecials[k%len(reluSpecials)])
			}
			want := make([]float32, n)
			reluGeneric(want, src)
			got := make([]float32, n)
			im.relu(got, src)
			delta := make([]float32, n)
			wantDelta := make([]float32, n)
			for k := range delta {
				delta[k] = float32(k + 1)
				wantDelta[k] = delta[k]
			}
			reluBackwardGeneric(wantDelta, src)
			im.reluBackward(delta, src)
			for k := range src {
				if math.Float32bits(got[k]) != math.Float32bits(want[k]) {
					t.Errorf("%s n=%d: Relu(%#08x) = %#08x, want %#08x", im.name, n, math.Float32bits(src[k]), math.Float32bits(got[k]), math.Float32bits(want[k]))
				}
				if math.Float32bits(delta[k]) != math.Float32bits(wantDelta[k]) {
					t.Errorf("%s n=%d: ReluBackward at act %#08x gave %v, want %v", im.name, n, math.Float32bits(src[k]), delta[k], wantDelta[k])
				}
			}
		}
	}
}

// TestAsmBetaModes checks the three ways y enters a gemv: beta = 0 never
// lets y's NaNs through, beta = 1 adds y (a large y absorbs a tiny
// product exactly), other values scale it; a NaN beta poisons y like the
// generic code's multiplication.
func TestAsmBetaModes(t *testing.T) {
	for _, im := range asmImpls(t) {
		for _, trans := range []bool{false, true} {
			for _, shape := range [][2]int{{1, 1}, {4, 16}, {5, 17}, {9, 130}, {130, 9}, {33, 300}} {
				m, n := shape[0], shape[1]
				yn, xn := m, n
				gemv := im.gemvN
				if trans {
					yn, xn = n, m
					gemv = im.gemvT
				}
				a := make([]float32, m*n)
				for k := range a {
					a[k] = 1
				}
				x := make([]float32, xn)
				for k := range x {
					x[k] = 1
				}
				for _, beta := range []float32{0, float32(math.Copysign(0, -1)), 1, 2, float32(math.NaN())} {
					y := make([]float32, yn)
					for k := range y {
						switch beta {
						case 0:
							y[k] = float32(math.NaN())
						default:
							y[k] = 1 << 30
						}
					}
					gemv(m, n, 1, a, n, x, beta, y)
					for k, v := range y {
						var want float32
						switch {
						case beta == 0:
							want = float32(xn)
						case beta == 1:
							want = 1<<30 + float32(xn) // rounded once, as float32 addition does
						case beta == 2:
							want = 1<<31 + float32(xn)
						}
						if math.IsNaN(float64(beta)) {
							if !math.IsNaN(float64(v)) {
								t.Fatalf("%s trans=%v %d×%d beta=NaN: y[%d] = %v, want NaN", im.name, trans, m, n, k, v)
							}
							continue
						}
						if v != want {
							t.Fatalf("%s trans=%v %d×%d beta=%v: y[%d] = %v, want %v", im.name, trans, m, n, beta, k, v, want)
						}
					}
				}
			}
		}
	}
}

// TestAsmChunks runs the kernels on vectors and matrices larger than one
// assembly call may take, against the generic code.
func TestAsmChunks(t *testing.T) {
	if testing.Short() {
		t.Skip("large inputs")
	}
	r := rand.New(rand.NewPCG(21, 22))
	vec := func(n int) []float32 {
		v := make([]float32, n)
		randFill(r, v)
		return v
	}
	near := func(got, want float32, mag float64) bool {
		return math.Abs(float64(got)-float64(want)) <= mag*1e-5+1e-6
	}
	for _, im := range asmImpls(t) {
		for _, n := range []int{asmChunk + 1, 2*asmChunk + 77} {
			x, y := vec(n), vec(n)
			if got, want := im.dot(x, y), dotGeneric(x, y); !near(got, want, float64(n)) {
				t.Errorf("%s: dot n=%d = %v, want %v", im.name, n, got, want)
			}
			y2 := append([]float32(nil), y...)
			im.axpy(0.5, x, y)
			axpyGeneric(0.5, x, y2)
			for k := range y {
				if !near(y[k], y2[k], 2) {
					t.Fatalf("%s: axpy n=%d: y[%d] = %v, want %v", im.name, n, k, y[k], y2[k])
				}
			}
			im.relu(y, x)
			reluGeneric(y2, x)
			delta, delta2 := vec(n), []float32(nil)
			delta2 = append(delta2, delta...)
			im.reluBackward(delta, x)
			reluBackwardGeneric(delta2, x)
			for k := range y {
				if y[k] != y2[k] || delta[k] != delta2[k] {
					t.Fatalf("%s: relu n=%d differs from generic at %d", im.name, n, k)
				}
			}
		}
		// Wider than one call (columns split), and more rows than one call.
		for _, shape := range [][2]int{{3, asmChunk + 40}, {asmChunk/100 + 7, 300}} {
			m, n := shape[0], shape[1]
			lda := n + 3
			a := vec((m-1)*lda + n)
			xm, xn := vec(m), vec(n)
			for _, beta := range []float32{0, 1, -0.5} {
				y, y2 := vec(m), []float32(nil)
				y2 = append(y2, y...)
				im.gemvN(m, n, 0.75, a, lda, xn, beta, y)
				gemvNGeneric(m, n, 0.75, a, lda, xn, beta, y2)
				for k := range y {
					if !near(y[k], y2[k], float64(n)) {
						t.Fatalf("%s: gemvN %d×%d beta=%v: y[%d] = %v, want %v", im.name, m, n, beta, k, y[k], y2[k])
					}
				}
				y, y2 = vec(n), nil
				y2 = append(y2, y...)
				im.gemvT(m, n, 0.75, a, lda, xm, beta, y)
				gemvTGeneric(m, n, 0.75, a, lda, xm, beta, y2)
				for k := range y {
					if !near(y[k], y2[k], float64(m)) {
						t.Fatalf("%s: gemvT %d×%d beta=%v: y[%d] = %v, want %v", im.name, m, n, beta, k, y[k], y2[k])
					}
				}
			}
			a2 := append([]float32(nil), a...)
			im.outerUpdate(-0.25, xm, xn, a, lda)
			outerUpdateGeneric(-0.25, xm, xn, a2, lda)
			for k := range a {
				if !near(a[k], a2[k], 2) {
					t.Fatalf("%s: outerUpdate %d×%d: a[%d] = %v, want %v", im.name, m, n, k, a[k], a2[k])
				}
			}
		}
	}
}

// avx512Lanes16 is the AVX-512 implementation without the wrappers' choice
// of the 8-lane kernels for some sizes: every 16-lane kernel on every
// input, still cut into assembly-call-sized pieces.
var avx512Lanes16 = &impl{
	name:   "avx512-16lane",
	usable: avx512Impl.usable,
	dot:    func(x, y []float32) float32 { return dotInChunks(dotAVX512Asm, x, y) },
	axpy:   func(alpha float32, x, y []float32) { axpyInChunks(axpyAVX512Asm, alpha, x, y) },
	outerUpdate: func(alpha float32, x, y []float32, a []float32, lda int) {
		outerUpdateInChunks(outerUpdateAVX512Asm, alpha, x, y, a, lda)
	},
	relu:         func(dst, src []float32) { pairInChunks(reluAVX512Asm, dst, src) },
	reluBackward: func(delta, act []float32) { pairInChunks(reluBackwardAVX512Asm, delta, act) },
	gemvN: func(m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32) {
		gemvNInChunks(gemvNAVX512Asm, m, n, alpha, a, lda, x, beta, y)
	},
	gemvT: func(m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32) {
		gemvTInChunks(gemvTAVX512Asm, m, n, alpha, a, lda, x, beta, y)
	},
}

// TestAsm16LaneSweep runs the sweep of kernels_test.go, and the special
// cases above, on avx512Lanes16, registered for the duration as the only
// implementation besides generic.
func TestAsm16LaneSweep(t *testing.T) {
	if !avx512Lanes16.usable(cpuFeatures()) {
		t.Skip("this CPU has no AVX-512F")
	}
	saved, savedActive := impls, active
	impls = []*impl{avx512Lanes16, genericImpl}
	defer func() { impls, active = saved, savedActive }()
	for _, test := range []struct {
		name string
		f    func(*testing.T)
	}{
		{"Dot", TestDot}, {"Axpy", TestAxpy}, {"Relu", TestRelu}, {"ReluBackward", TestReluBackward},
		{"NonFinite", TestNonFinite}, {"OuterUpdate", TestOuterUpdate}, {"Gemv", TestGemv},
		{"ReluSpecials", TestAsmReluSpecials}, {"BetaModes", TestAsmBetaModes}, {"Chunks", TestAsmChunks},
		{"Empty", TestAsmEmpty},
	} {
		t.Run(test.name, test.f)
	}
}

// TestAsmEmpty calls the vector kernels with nil and empty slices: the
// assembly must not dereference the nil base (an opmask-ed load with an
// empty mask does not fault).
func TestAsmEmpty(t *testing.T) {
	for _, im := range asmImpls(t) {
		for _, v := range [][]float32{nil, {}} {
			if got := im.dot(v, v); got != 0 {
				t.Errorf("%s: dot of empty vectors = %v, want 0", im.name, got)
			}
			im.axpy(2, v, v)
			im.relu(v, v)
			im.reluBackward(v, v)
		}
	}
}
