//go:build !purego

package kernels

import "math/bits"

// The NEON ExpandNonZeros kernel (expand_arm64.s), its table and its Go
// wrapper, which splits long rows into calls of at most neonChunk entries
// as the other NEON wrappers do.

func init() {
	neonImpl.expandNonZeros = neonExpandNonZeros
}

// expandTables is what expandNonZerosNEON looks a group of four entries up
// in, by the group's 4-bit mask m: the layout is the assembly's (32-byte
// entries, then the counts at byte 512).
type expandTables struct {
	group [16]struct {
		// shuffle holds the TBL byte indices that put the values 0, 1, …
		// of a vector in the lanes set in m, in ascending order, and 0xff
		// (TBL's zero) in the others.
		shuffle [16]uint8
		// lanes holds the lane numbers set in m, ascending, then zeros.
		lanes [4]int32
	}
	// count4 is 4·popcount(m), the bytes of values and of idx the group
	// uses.
	count4 [16]uint8
}

var expandNEONTables = func() *expandTables {
	t := new(expandTables)
	for m := range 16 {
		g := &t.group[m]
		k := 0
		for lane := range 4 {
			for b := range 4 {
				g.shuffle[4*lane+b] = 0xff
			}
			if m>>lane&1 == 1 {
				for b := range 4 {
					g.shuffle[4*lane+b] = uint8(4*k + b)
				}
				g.lanes[k] = int32(lane)
				k++
			}
		}
		t.count4[m] = uint8(4 * bits.OnesCount(uint(m)))
	}
	return t
}()

// expandNonZerosNEON is expandNonZerosGeneric with the positions counted
// from base: it writes x, base+i for each entry i it fills to the front of
// idx, and returns how many, or −1 if the mask asks for more values than
// vals holds. len(bits) ≥ (len(x)+15)/16, len(idx) ≥ len(x),
// base+len(x) ≤ MaxInt32, and tab is expandNEONTables.
//
//go:noescape
func expandNonZerosNEON(x []float32, idx []int32, bits []uint16, vals []float32, base int, tab *expandTables) int

func neonExpandNonZeros(x []float32, idx []int32, bits []uint16, vals []float32) int {
	count := 0
	for start := 0; start < len(x); start += neonChunk {
		part := x[start:min(start+neonChunk, len(x))]
		// count ≤ start, so this piece of idx lies inside idx[:len(x)];
		// neonChunk is a multiple of 16, so the piece starts a mask word.
		c := expandNonZerosNEON(part, idx[count:count+len(part)], bits[start/16:], vals[count:], start, expandNEONTables)
		if c < 0 {
			return -1
		}
		count += c
	}
	return count
}
