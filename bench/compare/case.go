//go:build openblas && cgo

package main

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/nnsimd/nnsimd/bench"
	"github.com/nnsimd/nnsimd/kernels"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// benchCase holds one shape's operands, shared by the three libraries, in
// the roles of openblasCall: dot and axpy read a and b (axpy updates b);
// ger updates c with a·bᵀ; gemv and gemm write c from a and b.
type benchCase struct {
	s       bench.Shape
	a, b, c []float32
	// alpha scales the updates; tiny while timing so that repeated calls
	// keep the values in range.
	alpha float32
	dot   float32 // the last dot product, for the check

	// gonum's views of the same buffers, built once.
	va, vb, vc blas32.Vector
	ga, gb, gc blas32.General
}

const timingAlpha = 1e-7

func newCase(s bench.Shape) *benchCase {
	r := rand.New(rand.NewPCG(uint64(s.M), uint64(s.N*1000+s.K)))
	vec := func(n int) []float32 {
		v := bench.Aligned(n)
		for i := range v {
			v[i] = 2*r.Float32() - 1
		}
		return v
	}
	c := &benchCase{s: s, alpha: timingAlpha}
	m, n, k := s.M, s.N, s.K
	switch s.Kernel {
	case bench.Dot, bench.Axpy:
		c.a, c.b = vec(n), vec(n)
	case bench.OuterUpdate:
		c.a, c.b, c.c = vec(m), vec(n), vec(m*n)
		c.gc = blas32.General{Rows: m, Cols: n, Stride: n, Data: c.c}
	case bench.Gemv:
		xn, yn := n, m
		if s.TransA {
			xn, yn = m, n
		}
		c.a, c.b, c.c = vec(m*n), vec(xn), vec(yn)
		c.ga = blas32.General{Rows: m, Cols: n, Stride: n, Data: c.a}
	case bench.Gemm:
		c.a, c.b, c.c = vec(m*k), vec(k*n), vec(m*n)
		c.ga = blas32.General{Rows: m, Cols: k, Stride: k, Data: c.a}
		if s.TransA {
			c.ga = blas32.General{Rows: k, Cols: m, Stride: m, Data: c.a}
		}
		c.gb = blas32.General{Rows: k, Cols: n, Stride: n, Data: c.b}
		if s.TransB {
			c.gb = blas32.General{Rows: n, Cols: k, Stride: k, Data: c.b}
		}
		c.gc = blas32.General{Rows: m, Cols: n, Stride: n, Data: c.c}
	}
	c.va = blas32.Vector{N: len(c.a), Inc: 1, Data: c.a}
	c.vb = blas32.Vector{N: len(c.b), Inc: 1, Data: c.b}
	c.vc = blas32.Vector{N: len(c.c), Inc: 1, Data: c.c}
	return c
}

func transpose(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

func (c *benchCase) nnsimd() {
	s := c.s
	switch s.Kernel {
	case bench.Dot:
		c.dot = kernels.Dot(c.a, c.b)
	case bench.Axpy:
		kernels.Axpy(c.alpha, c.a, c.b)
	case bench.OuterUpdate:
		kernels.OuterUpdate(c.alpha, c.a, c.b, c.c, s.N)
	case bench.Gemv:
		kernels.Gemv(s.TransA, s.M, s.N, 1, c.a, s.N, c.b, 0, c.c)
	case bench.Gemm:
		kernels.Gemm(s.TransA, s.TransB, s.M, s.N, s.K, 1, c.a, c.ga.Stride, c.b, c.gb.Stride, 0, c.c, s.N)
	}
}

func (c *benchCase) gonum() {
	s := c.s
	switch s.Kernel {
	case bench.Dot:
		c.dot = blas32.Dot(c.va, c.vb)
	case bench.Axpy:
		blas32.Axpy(c.alpha, c.va, c.vb)
	case bench.OuterUpdate:
		blas32.Ger(c.alpha, c.va, c.vb, c.gc)
	case bench.Gemv:
		blas32.Gemv(transpose(s.TransA), 1, c.ga, c.vb, 0, c.vc)
	case bench.Gemm:
		blas32.Gemm(transpose(s.TransA), transpose(s.TransB), 1, c.ga, c.gb, 0, c.gc)
	}
}

func (c *benchCase) openblas() openblasCall {
	s := c.s
	return openblasCall{op: openblasOp[s.Kernel], m: s.M, n: s.N, k: s.K, transA: s.TransA, transB: s.TransB,
		alpha: c.alpha, a: c.a, b: c.b, c: c.c}
}

// output is the operand the kernel writes.
func (c *benchCase) output() []float32 {
	switch c.s.Kernel {
	case bench.Dot:
		return []float32{c.dot}
	case bench.Axpy:
		return c.b
	}
	return c.c
}

// check runs each library once from the same operands, with an alpha large
// enough to see, and compares nnsimd's and gonum's results with OpenBLAS's:
// a mismatch means the three would not be timing the same computation.
func (c *benchCase) check() error {
	out := c.output()
	initial := append([]float32(nil), out...)
	c.alpha = 0.5
	defer func() { c.alpha = timingAlpha }()

	results := map[string][]float32{}
	for _, lib := range []string{"OpenBLAS", "nnsimd", "gonum"} {
		copy(c.output(), initial)
		switch lib {
		case "OpenBLAS":
			_, c.dot = c.openblas().run(1)
		case "nnsimd":
			c.nnsimd()
		case "gonum":
			c.gonum()
		}
		results[lib] = append([]float32(nil), c.output()...)
	}
	copy(c.output(), initial)

	want := results["OpenBLAS"]
	scale := 1.0
	for _, v := range want {
		scale = math.Max(scale, math.Abs(float64(v)))
	}
	for _, lib := range []string{"nnsimd", "gonum"} {
		for i, v := range results[lib] {
			if d := math.Abs(float64(v) - float64(want[i])); !(d <= 1e-3*scale) {
				return fmt.Errorf("%s %s: %s's result differs from OpenBLAS's at element %d: %v, want %v",
					c.s.Kernel, c.s, lib, i, v, want[i])
			}
		}
	}
	return nil
}
