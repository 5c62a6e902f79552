package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"syscall"
	"testing"
	"unsafe"
)

// pageFencedFloats returns n floats of read-write memory with an
// inaccessible page right before and right after them, n rounded up to whole
// pages: placed against a fence, a matrix whose kernel reads or writes one
// element too far faults instead of touching a neighbour. The guards of
// transpose_test.go catch stray writes; only this catches stray reads.
func pageFencedFloats(t *testing.T, n int) []float32 {
	t.Helper()
	page := syscall.Getpagesize()
	size := max(1, (4*n+page-1)/page) * page
	mem, err := syscall.Mmap(-1, 0, size+2*page, syscall.PROT_NONE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap: %v", err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	data := mem[page : page+size]
	if err := syscall.Mprotect(data, syscall.PROT_READ|syscall.PROT_WRITE); err != nil {
		t.Fatalf("mprotect: %v", err)
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&data[0])), size/4)
}

// TestTransposePageFences runs every implementation with src and dst
// against the inaccessible pages, both at their start and at their end, on
// shapes with every kind of leftover: partial last tiles of 4, 8 and 12
// rows, column strips the next narrower tile takes, and generic tails. A
// stray access stops the test binary with a fault in the kernel.
func TestTransposePageFences(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(97, 98))
		for _, rows := range []int{1, 3, 4, 8, 12, 20, 28, 36, 100, 131} {
			for _, cols := range []int{1, 4, 7, 8, 12, 16, 20, 36, 100, 131} {
				for _, atEnd := range []bool{false, true} {
					lds, ldd := cols+rows%3, rows+cols%2
					nsrc, ndst := (rows-1)*lds+cols, (cols-1)*ldd+rows
					src, dst := pageFencedFloats(t, nsrc), pageFencedFloats(t, ndst)
					if atEnd {
						src, dst = src[len(src)-nsrc:], dst[len(dst)-ndst:]
					} else {
						src, dst = src[:nsrc], dst[:ndst]
					}
					randFill(r, src)
					what := fmt.Sprintf("Transpose %d×%d lds=%d ldd=%d at the %s of the pages", rows, cols, lds, ldd, map[bool]string{false: "start", true: "end"}[atEnd])
					Transpose(rows, cols, src, lds, dst, ldd)
					for i := 0; i < rows; i++ {
						for j := 0; j < cols; j++ {
							if got, want := math.Float32bits(dst[j*ldd+i]), math.Float32bits(src[i*lds+j]); got != want {
								t.Fatalf("%s: dst[%d, %d] = %#08x, want %#08x", what, j, i, got, want)
							}
						}
					}
				}
			}
		}
	})
}
