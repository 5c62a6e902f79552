package main

/*
#include <stdlib.h>
#include "capi_internal.h"
*/
import "C"

import (
	"runtime/debug"
	"unsafe"

	"github.com/nnsimd/nnsimd/nn/mnist"
)

//export nnsimd_go_mnist_load
func nnsimd_go_mnist_load(dir, split *C.char, x **C.float, labels **C.uint8_t, rows, featuresOut *C.int64_t) (st C.int) {
	const fn = "nnsimd_mnist_load"
	defer recoverTo(fn, &st)
	for _, p := range []struct {
		name string
		nil_ bool
	}{{"split", split == nil}, {"x", x == nil}, {"labels", labels == nil}, {"rows", rows == nil}, {"features", featuresOut == nil}} {
		if p.nil_ {
			return failf(C.NNSIMD_EINVAL, "%s: %s is NULL", fn, p.name)
		}
	}
	s := C.GoString(split)
	if s != "train" && s != "test" {
		return failf(C.NNSIMD_EINVAL, "%s: split %q, want \"train\" or \"test\"", fn, s)
	}
	ds, err := mnist.Load(goString(dir), s)
	if err != nil {
		return failErr(err, C.NNSIMD_EIO)
	}
	// The caller frees these with nnsimd_free, so they come from C's malloc.
	xp := C.nnsimd_capi_malloc(C.size_t(len(ds.X) * 4))
	if xp == nil {
		return failf(C.NNSIMD_ENOMEM, "%s: cannot allocate %d bytes for the images", fn, len(ds.X)*4)
	}
	lp := C.nnsimd_capi_malloc(C.size_t(len(ds.Labels)))
	if lp == nil {
		C.free(xp)
		return failf(C.NNSIMD_ENOMEM, "%s: cannot allocate %d bytes for the labels", fn, len(ds.Labels))
	}
	copy(unsafe.Slice((*float32)(xp), len(ds.X)), ds.X)
	copy(unsafe.Slice((*uint8)(lp), len(ds.Labels)), ds.Labels)
	// The Go copy (188 MB for "train") is garbage now; hand it back to the
	// OS rather than keep it in the host process's footprint.
	n, features := ds.N, ds.Features
	ds = nil
	debug.FreeOSMemory()
	*x = (*C.float)(xp)
	*labels = (*C.uint8_t)(lp)
	*rows = C.int64_t(n)
	*featuresOut = C.int64_t(features)
	return C.NNSIMD_OK
}
