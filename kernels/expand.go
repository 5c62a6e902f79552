package kernels

import (
	"fmt"
	"math"
	"math/bits"
)

// CompressNonZeros keeps the row x as a bit mask of its non-zero entries
// and their values, packed in order at the front of vals:
//
//	count := 0
//	for i, v := range x {
//		if v != 0 || v != v { // NaN counts as non-zero; ±0 as zero
//			bits[i/16] |= 1 << (i % 16) // every word is written whole
//			vals[count] = v
//			count++
//		}
//	}
//	finite = no entry of x is ±Inf or NaN
//
// and returns count, in one pass that also checks the row. The words of
// bits up to (len(x)+15)/16 are written whole (bits past len(x) cleared);
// entries of vals past count may be overwritten too. ExpandNonZeros
// undoes it. It panics if len(bits) < (len(x)+15)/16 or len(vals) <
// len(x).
func CompressNonZeros(bits []uint16, vals, x []float32) (count int, finite bool) {
	const fn = "CompressNonZeros"
	if words := (len(x) + 15) / 16; len(bits) < words {
		panic(fmt.Sprintf("kernels: %s: len(bits) = %d, want at least %d for len(x) = %d", fn, len(bits), words, len(x)))
	}
	if len(vals) < len(x) {
		panic(fmt.Sprintf("kernels: %s: len(vals) = %d, want at least len(x) = %d", fn, len(vals), len(x)))
	}
	f := active.compressNonZeros
	if f == nil {
		f = compressNonZerosGeneric
	}
	return f(bits, vals, x)
}

// compressNonZerosGeneric is CompressNonZeros after its checks, branch-free
// as nonZerosGeneric is: every value is stored at vals[count] (count ≤ i,
// so within len(x) ≤ len(vals)) and counted only if non-zero. A branch on
// each value took twice as long on MNIST-like rows (2.6 ms against
// 1.2–1.5 for BenchmarkCompressNonZeros).
func compressNonZerosGeneric(mask []uint16, vals, x []float32) (count int, finite bool) {
	var inf uint32 // the OR of (exponent bits all ones) over x
	for w := 0; w*16 < len(x); w++ {
		var m uint16
		for j, v := range x[w*16 : min(w*16+16, len(x))] {
			vals[count] = v
			nz := nonZeroBit(v)
			m |= uint16(nz) << j
			count += nz
			inf |= notFiniteBit(v)
		}
		mask[w] = m
	}
	return count, inf == 0
}

// ExpandNonZeros spreads a row kept as a bit mask and its packed values
// back out into x, and lists the positions it filled in idx:
//
//	count := 0
//	for i := range x {
//		if bits[i/16]>>(i%16)&1 == 1 {
//			x[i] = vals[count]
//			idx[count] = int32(i)
//			count++
//		} else {
//			x[i] = 0
//		}
//	}
//
// and returns count. Set bits past len(x) in the last word are ignored.
// This is how mini-batch training gathers a batch's rows from its lists:
// sixteen entries at a time, where a scattered store a value took more
// than twice as long. Entries of idx past count may be overwritten too.
// It panics if len(bits) < (len(x)+15)/16, len(idx) < len(x), len(x)
// does not fit in an int32, or the mask asks for more values than vals
// holds (x and idx may have been written by then).
func ExpandNonZeros(x []float32, idx []int32, bits []uint16, vals []float32) int {
	const fn = "ExpandNonZeros"
	if words := (len(x) + 15) / 16; len(bits) < words {
		panic(fmt.Sprintf("kernels: %s: len(bits) = %d, want at least %d for len(x) = %d", fn, len(bits), words, len(x)))
	}
	if len(idx) < len(x) {
		panic(fmt.Sprintf("kernels: %s: len(idx) = %d, want at least len(x) = %d", fn, len(idx), len(x)))
	}
	if len(x) > math.MaxInt32 {
		panic(fmt.Sprintf("kernels: %s: len(x) = %d, want at most %d", fn, len(x), math.MaxInt32))
	}
	f := active.expandNonZeros
	if f == nil {
		f = expandNonZerosGeneric
	}
	count := f(x, idx, bits, vals)
	if count < 0 {
		panic(fmt.Sprintf("kernels: %s: the mask has more set bits than len(vals) = %d", fn, len(vals)))
	}
	return count
}

// expandNonZerosGeneric is ExpandNonZeros after the checks of len(bits)
// and len(idx); it returns −1 if vals runs out.
func expandNonZerosGeneric(x []float32, idx []int32, mask []uint16, vals []float32) int {
	clear(x)
	count := 0
	for w := 0; w*16 < len(x); w++ {
		m := uint(mask[w])
		if rest := len(x) - w*16; rest < 16 {
			m &= 1<<rest - 1
		}
		n := bits.OnesCount(m)
		if n > len(vals)-count {
			return -1
		}
		for ; m != 0; m &= m - 1 {
			i := w*16 + bits.TrailingZeros(m)
			x[i] = vals[count]
			idx[count] = int32(i)
			count++
		}
	}
	return count
}
