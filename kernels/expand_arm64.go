//go:build !purego

package kernels

import "math/bits"

// The NEON ExpandNonZeros and CompressNonZeros kernels (expand_arm64.s),
// their table and their Go wrappers, which split long rows into calls of
// at most neonChunk entries as the other NEON wrappers do.

func init() {
	neonImpl.expandNonZeros = neonExpandNonZeros
	neonImpl.compressNonZeros = neonCompressNonZeros
}

// expandTables is what expandNonZerosNEON and compressNonZerosNEON look a
// group of four entries up in, by the group's 4-bit mask m: the layout is
// the assembly's (32-byte entries, the counts at byte 512, the compress
// shuffles at 528, the lane bits at 784).
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
	// compress[m] holds the TBL byte indices that move the lanes set in
	// m, in ascending order, to the front of a vector (0xff after them):
	// the inverse of shuffle.
	compress [16][16]uint8
	// laneBits[4g+lane] is the bit of a mask word that lane of group g
	// sets, 1<<(4g+lane).
	laneBits [16]uint32
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
		for i := range t.compress[m] {
			t.compress[m][i] = 0xff
		}
		for k, lane := range g.lanes[:bits.OnesCount(uint(m))] {
			for b := range 4 {
				t.compress[m][4*k+b] = uint8(4*int(lane) + b)
			}
		}
	}
	for j := range t.laneBits {
		t.laneBits[j] = 1 << j
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

// compressNonZerosNEON is compressNonZerosGeneric: it writes the mask words
// of x to bits[:(len(x)+15)/16] and its non-zero entries (NaN included, ±0
// not) to the front of vals, and returns how many and whether every entry
// of x is finite. len(bits) ≥ (len(x)+15)/16, len(vals) ≥ len(x) (entries
// of vals past count may be overwritten), and tab is expandNEONTables.
//
//go:noescape
func compressNonZerosNEON(bits []uint16, vals, x []float32, tab *expandTables) (count int, finite bool)

func neonCompressNonZeros(bits []uint16, vals, x []float32) (count int, finite bool) {
	finite = true
	for start := 0; start < len(x); start += neonChunk {
		part := x[start:min(start+neonChunk, len(x))]
		// count ≤ start, so this piece of vals lies inside vals[:len(x)];
		// neonChunk is a multiple of 16, so the piece starts a mask word.
		c, f := compressNonZerosNEON(bits[start/16:(start+len(part)+15)/16], vals[count:count+len(part)], part, expandNEONTables)
		count += c
		finite = finite && f
	}
	return count, finite
}
