package kernels

import (
	"bufio"
	"encoding/binary"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/arch/arm64/arm64asm"
)

// The Go assembler lacks some NEON instructions (FADD, FMUL, FADDP, FCMGT
// …), so the arm64 kernels spell them as WORD $0x… with the instruction in
// a comment. TestWordEncodings decodes every such word and checks that the
// comment says what the word does (in a header's macros, a /* … */ comment
// after the word's semicolon). It only reads the .s and .h files, so it runs
// on every architecture.

var (
	wordLine      = regexp.MustCompile(`^\s*WORD\s+\$0x([0-9a-fA-F]{8})\s*//\s*(\S.*?)\s*$`)
	macroWordLine = regexp.MustCompile(`^\s*WORD\s+\$0x([0-9a-fA-F]{8})\s*;\s*/\*\s*(\S.*?)\s*\*/\s*\\$`)
)

// normalizeAsm lowercases an instruction in GNU syntax and drops the
// spelling differences that do not change its meaning.
func normalizeAsm(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	s = strings.ReplaceAll(s, ", ", ",")
	return strings.ReplaceAll(s, "#0.0", "#0") // fcmgt …, #0.0 is printed as #0
}

func TestWordEncodings(t *testing.T) {
	files, err := filepath.Glob("*_arm64.s")
	if err != nil {
		t.Fatal(err)
	}
	headers, err := filepath.Glob("*_arm64.h")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, headers...)
	words := 0
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for line := 1; sc.Scan(); line++ {
			text := sc.Text()
			if !strings.Contains(text, "WORD") {
				continue
			}
			m := wordLine.FindStringSubmatch(text)
			if m == nil {
				m = macroWordLine.FindStringSubmatch(text)
			}
			if m == nil {
				t.Errorf("%s:%d: WORD without a 32-bit hex value and a comment naming the instruction: %q", name, line, text)
				continue
			}
			words++
			v, err := strconv.ParseUint(m[1], 16, 32)
			if err != nil {
				t.Fatal(err)
			}
			var b [4]byte
			binary.LittleEndian.PutUint32(b[:], uint32(v))
			inst, err := arm64asm.Decode(b[:])
			if err != nil {
				t.Errorf("%s:%d: WORD $0x%s does not decode: %v", name, line, m[1], err)
				continue
			}
			if got, want := normalizeAsm(arm64asm.GNUSyntax(inst)), normalizeAsm(m[2]); got != want {
				t.Errorf("%s:%d: WORD $0x%s is %q, the comment says %q", name, line, m[1], arm64asm.GNUSyntax(inst), m[2])
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	if words == 0 {
		t.Fatalf("no WORD lines found in %v; the test would prove nothing", files)
	}
}

var textLine = regexp.MustCompile(`^TEXT\s+·(\w+)\(SB\)`)

// TestARM64AsmDeclared checks, on every architecture, the rules the arm64
// assembly lives by: each .s file starts with the purego build constraint,
// and each routine has a //go:noescape Go declaration with a doc comment
// saying what it computes.
func TestARM64AsmDeclared(t *testing.T) {
	decls := map[string]*ast.FuncDecl{}
	goFiles, err := filepath.Glob("*_arm64.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range goFiles {
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body == nil {
				decls[fd.Name.Name] = fd
			}
		}
	}
	asmFiles, err := filepath.Glob("*_arm64.s")
	if err != nil {
		t.Fatal(err)
	}
	routines := 0
	for _, name := range asmFiles {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(src), "\n")
		if lines[0] != "//go:build !purego" {
			t.Errorf("%s: first line is %q, want //go:build !purego", name, lines[0])
		}
		for _, line := range lines {
			m := textLine.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			routines++
			fd := decls[m[1]]
			switch {
			case fd == nil:
				t.Errorf("%s: %s has no Go declaration in %v", name, m[1], goFiles)
			case fd.Doc == nil || strings.TrimSpace(fd.Doc.Text()) == "":
				t.Errorf("%s: the declaration of %s has no doc comment", name, m[1])
			case !strings.Contains(commentText(fd.Doc), "//go:noescape"):
				t.Errorf("%s: the declaration of %s lacks //go:noescape", name, m[1])
			}
		}
	}
	if routines == 0 {
		t.Fatalf("no TEXT lines found in %v; the test would prove nothing", asmFiles)
	}
}

// commentText returns a comment group verbatim, directives included.
func commentText(g *ast.CommentGroup) string {
	var b strings.Builder
	for _, c := range g.List {
		b.WriteString(c.Text)
		b.WriteByte('\n')
	}
	return b.String()
}
