//go:build openblas && cgo

package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/nnsimd/nnsimd/bench"
	"github.com/nnsimd/nnsimd/kernels"
	"gonum.org/v1/gonum/blas/blas32"
)

// The three libraries compute the same results at every compared shape, on
// every nnsimd implementation: otherwise the table would compare different
// work.
func TestLibrariesAgree(t *testing.T) {
	saved := kernels.ISA()
	defer kernels.Use(saved)
	for _, isa := range kernels.Available() {
		if err := kernels.Use(isa); err != nil {
			t.Fatal(err)
		}
		for _, s := range bench.Shapes(false) {
			if _, ok := openblasOp[s.Kernel]; !ok {
				continue
			}
			if err := newCase(s).check(); err != nil {
				t.Errorf("%s: %v", isa, err)
			}
		}
	}
}

// check notices a library computing something else.
func TestCheckCatchesMismatch(t *testing.T) {
	c := newCase(bench.Shape{Kernel: bench.Gemv, M: 784, N: 128})
	// gonum multiplies by x reversed: same sizes, another product.
	x := slices.Clone(c.b)
	slices.Reverse(x)
	c.vb = blas32.Vector{N: len(x), Inc: 1, Data: x}
	if err := c.check(); err == nil || !strings.Contains(err.Error(), "gonum's result differs from OpenBLAS's") {
		t.Errorf("check with gonum given another x = %v, want gonum's difference reported", err)
	}
}

func TestRunQuick(t *testing.T) {
	var buf bytes.Buffer
	if err := run(&buf, bench.NewTimer(true, 0), true, ""); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	t.Log("\n" + out)
	for _, s := range bench.Shapes(true) {
		if _, ok := openblasOp[s.Kernel]; ok && !strings.Contains(out, s.Kernel+" ") {
			t.Errorf("no row for %s %s", s.Kernel, s)
		}
	}
	if !strings.Contains(out, "cgo call costs") {
		t.Error("the cgo call overhead is not stated")
	}
}
