//go:build cgo

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// prototype matches a C function declaration or definition head:
// return type, name, parameter list.
var prototype = regexp.MustCompile(`(?m)^(?:extern\s+)?([A-Za-z_][\w\s\*]*?)\s*\b(nnsimd_\w+)\(([^)]*)\)\s*[;{]`)

type cfunc struct{ ret, params string }

func parsePrototypes(t *testing.T, src string) map[string]cfunc {
	t.Helper()
	out := map[string]cfunc{}
	for _, m := range prototype.FindAllStringSubmatch(src, -1) {
		out[m[2]] = cfunc{normalizeType(m[1]), normalizeParams(m[3])}
	}
	return out
}

// normalizeType drops const and spacing, so that "const float *" and cgo's
// "float*" compare equal.
func normalizeType(s string) string {
	s = strings.ReplaceAll(s, "const", "")
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "*", " * ")), "")
}

// normalizeParams keeps the parameter types only.
func normalizeParams(s string) string {
	var types []string
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "void" || p == "" {
			continue
		}
		// Drop the trailing parameter name.
		i := strings.LastIndexFunc(p, func(r rune) bool { return r == ' ' || r == '*' })
		types = append(types, normalizeType(p[:i+1]))
	}
	return strings.Join(types, ",")
}

// TestHeaderMatchesExports checks the hand-written nnsimd.h against what the
// library really exports: every public function is defined in nnsimd.c, and
// each one that forwards to an nnsimd_go_* export of the same name has the
// parameter and result types of cgo's generated header (up to const, which
// cgo cannot express).
func TestHeaderMatchesExports(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the shared library")
	}
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o", filepath.Join(dir, "libnnsimd.so"), ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build -buildmode=c-shared: %v\n%s", err, out)
	}
	read := func(path string) string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	public := parsePrototypes(t, read("nnsimd.h"))
	defined := parsePrototypes(t, read("nnsimd.c"))
	generated := parsePrototypes(t, read(filepath.Join(dir, "libnnsimd.h")))
	if len(public) < 25 {
		t.Fatalf("found only %d functions in nnsimd.h; is the parser broken?", len(public))
	}
	for name, pub := range public {
		def, ok := defined[name]
		if !ok {
			t.Errorf("%s is declared in nnsimd.h but not defined in nnsimd.c", name)
			continue
		}
		if def != pub {
			t.Errorf("%s: nnsimd.h says (%s) %s, nnsimd.c (%s) %s", name, pub.params, pub.ret, def.params, def.ret)
		}
		goName := strings.Replace(name, "nnsimd_", "nnsimd_go_", 1)
		if gen, ok := generated[goName]; ok && gen != pub {
			t.Errorf("%s: nnsimd.h says (%s) %s, the generated %s is (%s) %s", name, pub.params, pub.ret, goName, gen.params, gen.ret)
		}
	}
	// Every Go export is reachable from a public function.
	csrc := read("nnsimd.c")
	for name := range generated {
		if strings.HasPrefix(name, "nnsimd_go_") && !strings.Contains(csrc, name+"(") {
			t.Errorf("the Go export %s is not used by nnsimd.c", name)
		}
	}
	// And the .so exports every public function.
	nm, err := exec.Command("nm", "-D", "--defined-only", filepath.Join(dir, "libnnsimd.so")).Output()
	if err != nil {
		t.Skipf("nm: %v", err)
	}
	for name := range public {
		if !regexp.MustCompile(`\sT\s` + name + `\n`).Match(nm) {
			t.Errorf("libnnsimd.so does not export %s", name)
		}
	}
}
