// Command capi is libnnsimd, the C shared library of nnsimd, built with
//
//	go build -buildmode=c-shared -o build/libnnsimd.so ./capi
//
// (make lib). The public interface is the hand-written nnsimd.h; nnsimd.c
// defines its functions as thin wrappers around the nnsimd_go_* functions
// exported here, because cgo cannot export const parameters.
//
// Every export validates its arguments before touching caller memory,
// recovers panics into NNSIMD_EINTERNAL, and records failures in the
// calling thread's error message (nnsimd_last_error).
package main

/*
#include "capi_internal.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/nnsimd/nnsimd"
	"github.com/nnsimd/nnsimd/nn"
	"github.com/nnsimd/nnsimd/nn/mnist"
)

// maxLen is NNSIMD_MAX_LEN: the largest length any function accepts, far
// above any real buffer, so that n·4 and (rows−1)·ld + cols never overflow.
const maxLen = 1 << 45

func main() {}

// fail records msg as the calling thread's last error and returns code.
func fail(code C.int, msg string) C.int {
	const limit = 1023 // the C buffer holds 1023 bytes and a NUL
	if len(msg) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut]
	}
	if len(msg) > 0 {
		C.nnsimd_capi_set_error((*C.char)(unsafe.Pointer(unsafe.StringData(msg))), C.size_t(len(msg)))
	} else {
		C.nnsimd_capi_set_error(nil, 0)
	}
	return code
}

// failf is fail with a formatted message.
func failf(code C.int, format string, args ...any) C.int {
	return fail(code, fmt.Sprintf(format, args...))
}

// failErr records err and returns the status code its kind maps to;
// otherwise is the code for errors of no known kind.
func failErr(err error, otherwise C.int) C.int {
	return fail(statusOf(err, otherwise), err.Error())
}

// argError is a validation failure of an argument: NNSIMD_EINVAL.
type argError struct{ msg string }

func (e *argError) Error() string { return e.msg }

func argErrorf(format string, args ...any) error {
	return &argError{fmt.Sprintf(format, args...)}
}

// statusError carries an explicit status code.
type statusError struct {
	code C.int
	msg  string
}

func (e *statusError) Error() string { return e.msg }

// statusOf maps an error from the Go packages to a status code.
func statusOf(err error, otherwise C.int) C.int {
	var se *statusError
	var ae *argError
	switch {
	case errors.As(err, &se):
		return se.code
	case errors.As(err, &ae), errors.Is(err, nn.ErrInvalid):
		return C.NNSIMD_EINVAL
	case errors.Is(err, nn.ErrCanceled):
		return C.NNSIMD_ECANCELED
	case errors.Is(err, nn.ErrDiverged):
		return C.NNSIMD_EDIVERGED
	case errors.Is(err, nn.ErrBadMagic), errors.Is(err, nn.ErrVersion), errors.Is(err, nn.ErrTruncated),
		errors.Is(err, nn.ErrChecksum), errors.Is(err, nn.ErrCorrupt),
		errors.Is(err, mnist.ErrFormat), errors.Is(err, mnist.ErrTruncated), errors.Is(err, mnist.ErrMismatch):
		return C.NNSIMD_EFORMAT
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, mnist.ErrNotFound):
		return C.NNSIMD_ENOTFOUND
	}
	var pe *fs.PathError
	if errors.As(err, &pe) || errors.Is(err, os.ErrPermission) {
		return C.NNSIMD_EIO
	}
	return otherwise
}

// recoverTo turns a panic in export fn into NNSIMD_EINTERNAL in *st. Deferred
// first thing in every export: a Go panic must never unwind into C.
func recoverTo(fn string, st *C.int) {
	if r := recover(); r != nil {
		*st = failf(C.NNSIMD_EINTERNAL, "%s: internal error (a bug in nnsimd, please report it): %v", fn, r)
	}
}

// checkLen validates a length argument.
func checkLen(fn, name string, n C.int64_t) error {
	if n < 0 {
		return argErrorf("%s: %s = %d, must not be negative", fn, name, int64(n))
	}
	if n > maxLen {
		return argErrorf("%s: %s = %d is larger than NNSIMD_MAX_LEN (%d)", fn, name, int64(n), int64(maxLen))
	}
	return nil
}

// checkOutput checks an optional output array and its capacity, as the
// header describes them: a capacity (named capName) within 0..NNSIMD_MAX_LEN,
// and the array (named name) not NULL unless the capacity is 0.
func checkOutput(fn, name string, isNull bool, capName string, capacity C.int64_t) error {
	if err := checkLen(fn, capName, capacity); err != nil {
		return err
	}
	if capacity > 0 && isNull {
		return argErrorf("%s: %s is NULL but %s = %d", fn, name, capName, int64(capacity))
	}
	return nil
}

// matrixLen returns the number of floats a rows×cols matrix with leading
// dimension ld spans, (rows−1)·ld + cols, after checking the arguments.
func matrixLen(fn, name string, rows, cols, ld C.int64_t) (int, error) {
	if rows < 0 || cols < 0 {
		return 0, argErrorf("%s: %s is %d×%d, dimensions must not be negative", fn, name, int64(rows), int64(cols))
	}
	if ld < cols {
		return 0, argErrorf("%s: leading dimension of %s is %d, want at least %d (its row length)", fn, name, int64(ld), int64(cols))
	}
	if rows == 0 || cols == 0 {
		return 0, nil
	}
	if rows > maxLen || ld > maxLen || (rows > 1 && ld > (maxLen-cols)/(rows-1)) {
		return 0, argErrorf("%s: %s is %d×%d with leading dimension %d, more than NNSIMD_MAX_LEN (%d) floats",
			fn, name, int64(rows), int64(cols), int64(ld), int64(maxLen))
	}
	return int((rows-1)*ld + cols), nil
}

// product returns a·b after checking it stays within maxLen.
func product(fn, what string, a, b int64) (int, error) {
	if a < 0 || b < 0 {
		return 0, argErrorf("%s: %s: negative size %d×%d", fn, what, a, b)
	}
	if a != 0 && b > maxLen/a {
		return 0, argErrorf("%s: %s is %d×%d, more than NNSIMD_MAX_LEN (%d) elements", fn, what, a, b, int64(maxLen))
	}
	return int(a * b), nil
}

// floats views n floats at p for the duration of a call. A NULL p is an
// error unless n is 0.
func floats(fn, name string, p *C.float, n int) ([]float32, error) {
	if n == 0 {
		return []float32{}, nil
	}
	if p == nil {
		return nil, argErrorf("%s: %s is NULL", fn, name)
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(p)), n), nil
}

// goString converts an optional C string; NULL is "".
func goString(p *C.char) string {
	if p == nil {
		return ""
	}
	return C.GoString(p)
}

// staticStrings holds the C copies of the few fixed strings handed out
// (version, ISA and activation names); they live as long as the library.
var staticStrings = map[string]*C.char{}

var stringsMu sync.Mutex

// staticString returns a C string for s that is never freed; s must come
// from a small fixed set.
func staticString(s string) *C.char {
	stringsMu.Lock()
	defer stringsMu.Unlock()
	p, ok := staticStrings[s]
	if !ok {
		p = C.CString(s)
		staticStrings[s] = p
	}
	return p
}

//export nnsimd_go_version
func nnsimd_go_version() *C.char { return staticString(nnsimd.Version) }

// checkMemory refuses up front a request for more bytes than the machine
// has: the Go runtime treats a failed allocation as fatal, which would take
// the host process down instead of returning NNSIMD_ENOMEM.
func checkMemory(fn, what string, bytes float64) error {
	ram := physicalMemory()
	if ram != 0 && bytes > float64(ram) {
		return &statusError{C.NNSIMD_ENOMEM, fmt.Sprintf("%s: %s needs %.3g GB, this machine has %.3g GB of memory",
			fn, what, bytes/1e9, float64(ram)/1e9)}
	}
	return nil
}
