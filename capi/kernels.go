package main

/*
#include "capi_internal.h"
*/
import "C"

import (
	"strings"
	"sync"
	"unsafe"

	"github.com/nnsimd/nnsimd/kernels"
)

// isaLock keeps nnsimd_use_isa from switching implementations under a
// running call: every export that runs kernels holds it for reading, and
// nnsimd_use_isa only ever tries it for writing (never waits), so a call
// made from inside a progress callback cannot deadlock.
var isaLock sync.RWMutex

// maxThreads is the largest thread count the interface accepts.
const maxThreads = 1 << 16

//export nnsimd_go_isa
func nnsimd_go_isa() *C.char {
	isaLock.RLock()
	defer isaLock.RUnlock()
	return staticString(kernels.ISA())
}

//export nnsimd_go_available_isas
func nnsimd_go_available_isas() *C.char {
	return staticString(strings.Join(kernels.Available(), ","))
}

//export nnsimd_go_use_isa
func nnsimd_go_use_isa(name *C.char) (st C.int) {
	const fn = "nnsimd_use_isa"
	defer recoverTo(fn, &st)
	if name == nil {
		return fail(C.NNSIMD_EINVAL, fn+": name is NULL")
	}
	n := C.GoString(name)
	if !isaLock.TryLock() {
		return fail(C.NNSIMD_EBUSY, fn+": other calls into nnsimd are running; switch the ISA while none is")
	}
	defer isaLock.Unlock()
	if err := kernels.Use(n); err != nil {
		if strings.Contains(err.Error(), "unknown ISA") {
			return fail(C.NNSIMD_EINVAL, fn+": "+err.Error())
		}
		return fail(C.NNSIMD_EUNSUPPORTED, fn+": "+err.Error())
	}
	return C.NNSIMD_OK
}

//export nnsimd_go_set_threads
func nnsimd_go_set_threads(n C.int64_t) (st C.int) {
	const fn = "nnsimd_set_threads"
	defer recoverTo(fn, &st)
	if n < 0 || n > maxThreads {
		return failf(C.NNSIMD_EINVAL, "%s: n = %d, want 0 (all CPUs) .. %d", fn, int64(n), maxThreads)
	}
	kernels.SetThreads(int(n))
	return C.NNSIMD_OK
}

//export nnsimd_go_threads
func nnsimd_go_threads() C.int64_t { return C.int64_t(kernels.Threads()) }

//export nnsimd_go_env_status
func nnsimd_go_env_status() (st C.int) {
	defer recoverTo("nnsimd_env_status", &st)
	err := kernels.EnvError()
	if err == nil {
		return C.NNSIMD_OK
	}
	if strings.Contains(err.Error(), "unknown ISA") {
		return fail(C.NNSIMD_EINVAL, err.Error())
	}
	return fail(C.NNSIMD_EUNSUPPORTED, err.Error())
}

//export nnsimd_go_dot
func nnsimd_go_dot(x, y *C.float, n C.int64_t, out *C.float) (st C.int) {
	const fn = "nnsimd_dot"
	defer recoverTo(fn, &st)
	if out == nil {
		return fail(C.NNSIMD_EINVAL, fn+": out is NULL")
	}
	if err := checkLen(fn, "n", n); err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	xs, err := floats(fn, "x", x, int(n))
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	ys, err := floats(fn, "y", y, int(n))
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	isaLock.RLock()
	defer isaLock.RUnlock()
	*out = C.float(kernels.Dot(xs, ys))
	return C.NNSIMD_OK
}

//export nnsimd_go_axpy
func nnsimd_go_axpy(alpha C.float, x, y *C.float, n C.int64_t) (st C.int) {
	const fn = "nnsimd_axpy"
	defer recoverTo(fn, &st)
	if err := checkLen(fn, "n", n); err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	xs, err := floats(fn, "x", x, int(n))
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	ys, err := floats(fn, "y", y, int(n))
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	if overlapApart(xs, ys) {
		return fail(C.NNSIMD_EINVAL, fn+": y overlaps x without being it")
	}
	isaLock.RLock()
	defer isaLock.RUnlock()
	kernels.Axpy(float32(alpha), xs, ys)
	return C.NNSIMD_OK
}

//export nnsimd_go_outer_update
func nnsimd_go_outer_update(alpha C.float, x *C.float, m C.int64_t, y *C.float, n C.int64_t, a *C.float, lda C.int64_t) (st C.int) {
	const fn = "nnsimd_outer_update"
	defer recoverTo(fn, &st)
	for _, arg := range []struct {
		name string
		v    C.int64_t
	}{{"m", m}, {"n", n}, {"lda", lda}} {
		if err := checkLen(fn, arg.name, arg.v); err != nil {
			return failErr(err, C.NNSIMD_EINVAL)
		}
	}
	alen, err := matrixLen(fn, "a", m, n, lda)
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	xs, err := floats(fn, "x", x, int(m))
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	ys, err := floats(fn, "y", y, int(n))
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	as, err := floats(fn, "a", a, alen)
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	isaLock.RLock()
	defer isaLock.RUnlock()
	kernels.OuterUpdate(float32(alpha), xs, ys, as, int(lda))
	return C.NNSIMD_OK
}

//export nnsimd_go_relu
func nnsimd_go_relu(src, dst *C.float, n C.int64_t) C.int {
	return elementwise("nnsimd_relu", src, dst, n, kernels.Relu)
}

//export nnsimd_go_exp
func nnsimd_go_exp(src, dst *C.float, n C.int64_t) C.int {
	return elementwise("nnsimd_exp", src, dst, n, kernels.Exp)
}

// elementwise runs the C call fn of an elementwise kernel, dst[i] =
// f(src[i]) for i < n: in place (dst == src) or between arrays apart.
func elementwise(fn string, src, dst *C.float, n C.int64_t, kernel func(dst, src []float32)) (st C.int) {
	defer recoverTo(fn, &st)
	if err := checkLen(fn, "n", n); err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	ss, err := floats(fn, "src", src, int(n))
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	ds, err := floats(fn, "dst", dst, int(n))
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	if overlapApart(ss, ds) {
		return fail(C.NNSIMD_EINVAL, fn+": dst overlaps src without being it")
	}
	isaLock.RLock()
	defer isaLock.RUnlock()
	kernel(ds, ss)
	return C.NNSIMD_OK
}

// overlapApart reports whether a and b share memory but do not start at
// the same address: an in-place call passes the same array twice, and a
// kernel reading ahead of what it writes would otherwise read its own
// results.
func overlapApart(a, b []float32) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	pa, pb := uintptr(unsafe.Pointer(&a[0])), uintptr(unsafe.Pointer(&b[0]))
	return pa != pb && pa < pb+4*uintptr(len(b)) && pb < pa+4*uintptr(len(a))
}

//export nnsimd_go_gemm
func nnsimd_go_gemm(transA, transB C.int, m, n, k C.int64_t, alpha C.float, a *C.float, lda C.int64_t, b *C.float, ldb C.int64_t, beta C.float, c *C.float, ldc C.int64_t) (st C.int) {
	const fn = "nnsimd_gemm"
	defer recoverTo(fn, &st)
	for _, arg := range []struct {
		name string
		v    C.int64_t
	}{{"m", m}, {"n", n}, {"k", k}, {"lda", lda}, {"ldb", ldb}, {"ldc", ldc}} {
		if err := checkLen(fn, arg.name, arg.v); err != nil {
			return failErr(err, C.NNSIMD_EINVAL)
		}
	}
	// The stored shapes: A is m×k (k×m transposed), B is k×n (n×k).
	aRows, aCols := m, k
	if transA != 0 {
		aRows, aCols = k, m
	}
	bRows, bCols := k, n
	if transB != 0 {
		bRows, bCols = n, k
	}
	alen, err := matrixLen(fn, "a", aRows, aCols, lda)
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	blen, err := matrixLen(fn, "b", bRows, bCols, ldb)
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	clen, err := matrixLen(fn, "c", m, n, ldc)
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	if m == 0 || n == 0 {
		return C.NNSIMD_OK // nothing to write; A and B are not read
	}
	if k == 0 {
		alen, blen = 0, 0
	}
	as, err := floats(fn, "a", a, alen)
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	bs, err := floats(fn, "b", b, blen)
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	cs, err := floats(fn, "c", c, clen)
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	isaLock.RLock()
	defer isaLock.RUnlock()
	kernels.Gemm(transA != 0, transB != 0, int(m), int(n), int(k), float32(alpha), as, int(lda), bs, int(ldb), float32(beta), cs, int(ldc))
	return C.NNSIMD_OK
}
