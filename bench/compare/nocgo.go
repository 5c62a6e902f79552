//go:build !openblas || !cgo

// Command compare times nnsimd against OpenBLAS and gonum. It is built only
// with the openblas tag and cgo, so that the module builds without OpenBLAS:
//
//	OPENBLAS_NUM_THREADS=1 go run -tags openblas ./bench/compare
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "compare: built without OpenBLAS; run it as `go run -tags openblas ./bench/compare` with cgo enabled and libopenblas-dev installed (make bench-compare)")
	os.Exit(2)
}
