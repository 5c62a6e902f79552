//go:build openblas && cgo

package main

/*
#cgo amd64 CFLAGS: -I/usr/include/x86_64-linux-gnu/openblas-pthread
#cgo arm64 CFLAGS: -I/usr/include/aarch64-linux-gnu/openblas-pthread
#cgo CFLAGS: -O2
#cgo LDFLAGS: -lopenblas
#include <cblas.h>
#include <time.h>

enum { OP_DOT, OP_AXPY, OP_GER, OP_GEMV, OP_GEMM };

static float sink;

// run_openblas calls one OpenBLAS routine reps times on row-major operands
// and returns the elapsed nanoseconds, timed here in C so that no cgo call
// is counted. The operands by op:
//   dot:  x = a, y = b (length n)       axpy: y = b += alpha·a
//   ger:  c (m×n) += alpha·a(m)·b(n)ᵀ    gemv: c = op(a)·b, a is m×n
//   gemm: c (m×n) = op(a)·op(b), inner dimension k
// *dot receives the last dot product.
static double run_openblas(int op, long reps, int m, int n, int k, int ta, int tb, float alpha,
                           float *a, float *b, float *c, float *dot) {
	enum CBLAS_TRANSPOSE opA = ta ? CblasTrans : CblasNoTrans, opB = tb ? CblasTrans : CblasNoTrans;
	struct timespec t0, t1;
	float s = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	switch (op) {
	case OP_DOT:
		for (long i = 0; i < reps; i++) s = cblas_sdot(n, a, 1, b, 1);
		break;
	case OP_AXPY:
		for (long i = 0; i < reps; i++) cblas_saxpy(n, alpha, a, 1, b, 1);
		break;
	case OP_GER:
		for (long i = 0; i < reps; i++) cblas_sger(CblasRowMajor, m, n, alpha, a, 1, b, 1, c, n);
		break;
	case OP_GEMV:
		for (long i = 0; i < reps; i++) cblas_sgemv(CblasRowMajor, opA, m, n, 1, a, n, b, 1, 0, c, 1);
		break;
	case OP_GEMM:
		for (long i = 0; i < reps; i++)
			cblas_sgemm(CblasRowMajor, opA, opB, m, n, k, 1, a, ta ? m : k, b, tb ? k : n, 0, c, n);
		break;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*dot = s;
	sink += s;
	return (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
}

static void empty_call(void) {}
*/
import "C"

import (
	"time"
	"unsafe"

	"github.com/nnsimd/nnsimd/bench"
)

// openblasOp is the C helper's operation code for a bench kernel.
var openblasOp = map[string]C.int{
	"Dot": C.OP_DOT, "Axpy": C.OP_AXPY, "OuterUpdate": C.OP_GER, "Gemv": C.OP_GEMV, "Gemm": C.OP_GEMM,
}

// openblasCall describes one OpenBLAS call on Go-allocated operands (the
// same buffers the Go libraries use, so alignment is equal for all).
type openblasCall struct {
	op             C.int
	m, n, k        int
	transA, transB bool
	alpha          float32
	a, b, c        []float32
}

// run calls OpenBLAS reps times and returns the time C measured, and the
// last result of a dot product. The slices stay referenced by the caller,
// and C keeps no pointer after returning, as cgo requires.
func (o openblasCall) run(reps int) (time.Duration, float32) {
	var dot C.float
	ns := C.run_openblas(o.op, C.long(reps), C.int(o.m), C.int(o.n), C.int(o.k), cbool(o.transA), cbool(o.transB),
		C.float(o.alpha), cptr(o.a), cptr(o.b), cptr(o.c), &dot)
	return time.Duration(ns), float32(dot)
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

func cptr(s []float32) *C.float {
	if len(s) == 0 {
		return nil
	}
	return (*C.float)(unsafe.Pointer(unsafe.SliceData(s)))
}

// openblasSetup makes OpenBLAS single-threaded (one core, like the other
// columns) and names the kernel set it picked for this CPU.
func openblasSetup() (corename, config string) {
	C.openblas_set_num_threads(1)
	return C.GoString(C.openblas_get_corename()), C.GoString(C.openblas_get_config())
}

// cgoCallNs measures the cost of one cgo call to an empty C function: what
// a Go program calling OpenBLAS per operation pays on top of its figures.
func cgoCallNs(t bench.Timer) float64 {
	return t.NsPerOp(func(iters int) time.Duration {
		start := time.Now()
		for range iters {
			C.empty_call()
		}
		return time.Since(start)
	})
}
