package kernels

import (
	"fmt"
	"os"
	"strings"
)

// impl is one instruction set's implementation of the kernels. Callers have
// already checked the shapes; m, n ≥ 1 where a matrix is involved.
type impl struct {
	name string
	// usable reports whether the CPU described by f can run this
	// implementation. The dispatcher never selects one for which it is false.
	usable func(f features) bool

	dot          func(x, y []float32) float32
	axpy         func(alpha float32, x, y []float32)
	scale        func(alpha float32, x []float32) // x *= alpha (scale.go); nil = generic
	outerUpdate  func(alpha float32, x, y []float32, a []float32, lda int)
	relu         func(dst, src []float32)
	reluBackward func(delta, act []float32)
	gemvN        func(m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32)
	gemvT        func(m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32)
	// gemvTRows and outerUpdateRows are the sparse-row kernels (sparse.go);
	// they return the position in rows of the first index not below limit,
	// or −1. A nil one means the generic one.
	gemvTRows       func(y, a []float32, lda int, x []float32, rows []int32, limit int) int
	outerUpdateRows func(alpha float32, x []float32, rows []int32, y, a []float32, lda int, limit int) int
	// gemvNRows is GemvNRows's kernel (gemvn_rows.go), len(x) ≥ 1, with
	// the same return; nil means the generic one.
	gemvNRows func(y, a []float32, lda int, x []float32, rows []int32, limit int) int
	// gemmSparseRows runs GemmSparseRows (sparse.go) on the rows it is
	// given, with len(rows) ints of scratch in cur, and returns the row
	// and list position of a bad index, or −1, −1; nil means row by row
	// with gemvTRows.
	gemmSparseRows func(n int, x []float32, ldx int, rows [][]int32, b []float32, ldb int, c []float32, ldc int, cur []int) (row, at int)
	// nonZeros lists the positions of x's non-zeros in idx (len(idx) ≥
	// len(x)) and reports whether x is all finite; nil means the generic one.
	nonZeros func(idx []int32, x []float32) (count int, finite bool)
	// compressNonZeros is CompressNonZeros's kernel (expand.go); nil means
	// the generic one.
	compressNonZeros func(bits []uint16, vals, x []float32) (count int, finite bool)
	// expandNonZeros is ExpandNonZeros's kernel (expand.go), returning −1
	// when vals runs out; nil means the generic one.
	expandNonZeros func(x []float32, idx []int32, bits []uint16, vals []float32) int
	// exp is Exp's kernel (exp.go); nil means the generic one.
	exp func(dst, src []float32)
	// transpose writes dst[j*ldd+i] = src[i*lds+j] for i < rows, j < cols
	// (transpose.go); nil means the generic one.
	transpose func(rows, cols int, src []float32, lds int, dst []float32, ldd int)
	// outerUpdateSparseT runs OuterUpdateSparseT (sparse_t.go) on the rows
	// of w it is given; nil means the generic one.
	outerUpdateSparseT func(m, n, k int, alpha float32, xt []float32, ldxt int, d []float32, ldd int, w []float32, ldw int)
	// gemm is the GEMM micro-kernel with its register tile (see gemm.go);
	// a nil kernel means the generic one.
	gemm gemmMicro
}

// features are the CPU capabilities the implementations depend on.
type features struct {
	avx2FMA bool // AVX2 and FMA3, with OS support for YMM state
	avx512F bool // AVX-512F, with OS support for ZMM and mask state
	asimd   bool // arm64 Advanced SIMD (NEON)
}

// impls lists every implementation compiled into this binary, best first.
// The generic one comes last and runs everywhere.
var impls = append(archImpls(), genericImpl)

// active is the implementation the exported kernels call.
var active = genericImpl

// envError records a bad NNSIMD_ISA, for front doors to report.
var envError error

func init() {
	usable := usableImpls(cpuFeatures())
	active = usable[0]
	if name := os.Getenv("NNSIMD_ISA"); name != "" {
		if err := Use(name); err != nil {
			envError = fmt.Errorf("NNSIMD_ISA: %w", err)
		}
	}
}

// usableImpls returns the implementations a CPU with features f can run,
// best first; the generic one is always among them.
func usableImpls(f features) []*impl {
	var out []*impl
	for _, im := range impls {
		if im.usable(f) {
			out = append(out, im)
		}
	}
	return out
}

// ISA names the implementation in use: "avx512", "avx2", "neon" or "generic".
func ISA() string { return active.name }

// Available lists the implementations this CPU can run, best first.
func Available() []string {
	var names []string
	for _, im := range usableImpls(cpuFeatures()) {
		names = append(names, im.name)
	}
	return names
}

// Use switches every kernel to the named implementation. Naming one the CPU
// lacks, or one not compiled in, is an error and changes nothing. Use is
// meant for start-up, tests and benchmarks: it must not run concurrently with
// kernels.
func Use(name string) error {
	for _, im := range impls {
		if im.name != name {
			continue
		}
		if !im.usable(cpuFeatures()) {
			return fmt.Errorf("kernels: ISA %q is not supported by this CPU (available: %s)", name, strings.Join(Available(), ", "))
		}
		active = im
		return nil
	}
	for _, known := range allISAs {
		if name == known {
			return fmt.Errorf("kernels: ISA %q is not built for this architecture or build (available: %s)", name, strings.Join(Available(), ", "))
		}
	}
	return fmt.Errorf("kernels: unknown ISA %q (known: %s; available here: %s)", name, strings.Join(allISAs, ", "), strings.Join(Available(), ", "))
}

// allISAs names every implementation of any architecture, to tell an unknown
// name from one built for another machine.
var allISAs = []string{"avx512", "avx2", "neon", "generic"}

// EnvError reports why the NNSIMD_ISA environment variable could not be
// honoured at start-up, or nil. The kernels then run the best implementation
// instead; front doors turn this into an error for the user.
func EnvError() error { return envError }
