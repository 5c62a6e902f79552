package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// expandCase makes a row of n entries at the given density (with, every
// third case, one special value of nonZeroSpecials, which is copied bit
// for bit) as its mask and packed values, with junk set in the mask past
// n when junk is true.
func expandCase(r *rand.Rand, n int, density float64, special uint32, junk bool) (mask []uint16, vals []float32, want []float32, wantIdx []int32) {
	mask = make([]uint16, (n+15)/16)
	want = make([]float32, n)
	for i := range want {
		if r.Float64() < density {
			v := float32(r.Float64() + 0.5)
			if special != 0 && len(vals)%3 == 0 {
				v = math.Float32frombits(special)
			}
			want[i] = v
			vals = append(vals, v)
			wantIdx = append(wantIdx, int32(i))
			mask[i/16] |= 1 << (i % 16)
		}
	}
	if junk && n%16 != 0 {
		mask[n/16] |= 0xffff << (n % 16)
	}
	return mask, vals, want, wantIdx
}

func TestExpandNonZeros(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(61, 62))
		// 1<<16 + 21: past 64 Ki entries, where the NEON wrapper splits
		// the row into calls.
		lengths := []int{1000, 4099, 1<<16 + 21}
		for n := 0; n <= 300; n++ {
			lengths = append(lengths, n)
		}
		for ci, n := range lengths {
			for _, density := range []float64{0, 0.19, 0.6, 1} {
				var special uint32
				if ci%3 == 0 {
					special = nonZeroSpecials[ci/3%len(nonZeroSpecials)]
				}
				mask, vals, want, wantIdx := expandCase(r, n, density, special, ci%2 == 0)
				// Every operand misaligned its own way; vals exactly as
				// long as the mask needs.
				voff, moff := (ci+3)%16, (ci*7)%8
				vals = append(make([]float32, voff, voff+len(vals)), vals...)[voff:]
				mask = append(make([]uint16, moff, moff+len(mask)), mask...)[moff:]
				x, checkX := guarded(n, (ci*5)%16)
				for i := range x {
					x[i] = -3 // a stale row: every entry must be written
				}
				idx, checkIdx := guardedInt32(n, (ci*11)%16)
				count := ExpandNonZeros(x, idx, mask, vals)
				what := fmt.Sprintf("ExpandNonZeros n=%d density=%.2f", n, density)
				checkX(t, what)
				checkIdx(t, what)
				if count != len(wantIdx) || !slices.Equal(idx[:count], wantIdx) {
					t.Fatalf("%s: got %d positions %v, want %d %v", what, count, idx[:count], len(wantIdx), wantIdx)
				}
				for i := range x {
					if math.Float32bits(x[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s: x[%d] = %g (%#x), want %g (%#x)", what, i, x[i], math.Float32bits(x[i]), want[i], math.Float32bits(want[i]))
					}
				}
			}
		}
	})
}

func TestCompressNonZeros(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		// 1<<16 + 21: past 64 Ki entries, where the NEON wrapper splits
		// the row into calls.
		eachNonZeroRow(rand.New(rand.NewPCG(67, 68)), []int{1000, 4099, 1<<16 + 21}, func(ci int, density float64, off int, x []float32) {
			n := len(x)
			pos, wantFinite := nonZeroPositions(x)
			words := (n + 15) / 16
			wantMask := make([]uint16, words)
			for _, i := range pos {
				wantMask[i/16] |= 1 << (i % 16)
			}
			// The mask starts as junk, as reused memory does: the guard
			// words fill it as they surround it. vals sits between guards.
			mask, checkMask := guardedWith(words, (ci*3)%8, uint16(0x5a5a), equal[uint16])
			vals, checkVals := guarded(n, (ci*7)%16)
			count, finite := CompressNonZeros(mask, vals, x)
			what := fmt.Sprintf("CompressNonZeros n=%d density=%.2f off=%d", n, density, off)
			checkMask(t, what)
			checkVals(t, what)
			if !slices.Equal(mask, wantMask) {
				t.Fatalf("%s: mask %x, want %x", what, mask, wantMask)
			}
			if count != len(pos) || finite != wantFinite {
				t.Fatalf("%s: count %d finite %v, want %d %v", what, count, finite, len(pos), wantFinite)
			}
			for e, i := range pos {
				if math.Float32bits(vals[e]) != math.Float32bits(x[i]) {
					t.Fatalf("%s: vals[%d] = %#x, want %#x", what, e, math.Float32bits(vals[e]), math.Float32bits(x[i]))
				}
			}
			// And back: ExpandNonZeros restores x, −0 as +0.
			back, idx := make([]float32, n), make([]int32, n)
			if k := ExpandNonZeros(back, idx, mask, vals[:count]); k != count {
				t.Fatalf("%s: expanded %d entries, want %d", what, k, count)
			}
			for i, v := range x {
				if v == 0 {
					v = 0
				}
				if math.Float32bits(back[i]) != math.Float32bits(v) {
					t.Fatalf("%s: x[%d] came back as %#x, want %#x", what, i, math.Float32bits(back[i]), math.Float32bits(v))
				}
			}
		})
	})
}

func TestCompressNonZerosShortSlices(t *testing.T) {
	for _, c := range []struct {
		x, vals, bits int
		want          string
	}{
		{17, 17, 1, "len(bits) = 1, want at least 2 for len(x) = 17"},
		{16, 15, 1, "len(vals) = 15, want at least len(x) = 16"},
	} {
		func() {
			defer func() {
				if msg, _ := recover().(string); !strings.Contains(msg, c.want) {
					t.Errorf("panicked with %q, want %q", msg, c.want)
				}
			}()
			CompressNonZeros(make([]uint16, c.bits), make([]float32, c.vals), make([]float32, c.x))
		}()
	}
}

// TestExpandNonZerosShortVals: a mask asking for one value more than vals
// holds panics with a named message instead of reading past vals, wherever
// its last set bit falls: in the last word, or (when the rest are clear)
// in either word of a pair the AVX-512 kernel takes at once.
func TestExpandNonZerosShortVals(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(63, 64))
		for _, n := range []int{1, 15, 16, 17, 33, 784} {
			for _, last := range []int{n - 1, 5, 20, 37} {
				if last >= n {
					continue
				}
				mask, vals, _, _ := expandCase(r, n, 0.5, 0, false)
				for i := last + 1; i < len(mask)*16; i++ {
					mask[i/16] &^= 1 << (i % 16)
				}
				mask[last/16] |= 1 << (last % 16)
				want := 0
				for i := range n {
					want += int(mask[i/16] >> (i % 16) & 1)
				}
				vals = append(vals, 1)[:want-1]
				func() {
					defer func() {
						msg, _ := recover().(string)
						if wantMsg := fmt.Sprintf("the mask has more set bits than len(vals) = %d", want-1); !strings.Contains(msg, wantMsg) {
							t.Errorf("n=%d, last set bit %d: panicked with %q, want %q", n, last, msg, wantMsg)
						}
					}()
					ExpandNonZeros(make([]float32, n), make([]int32, n), mask, vals)
				}()
			}
		}
	})
}

func TestExpandNonZerosShortSlices(t *testing.T) {
	for _, c := range []struct {
		x, idx, bits int
		want         string
	}{
		{17, 17, 1, "len(bits) = 1, want at least 2 for len(x) = 17"},
		{16, 15, 1, "len(idx) = 15, want at least len(x) = 16"},
	} {
		func() {
			defer func() {
				if msg, _ := recover().(string); !strings.Contains(msg, c.want) {
					t.Errorf("panicked with %q, want %q", msg, c.want)
				}
			}()
			ExpandNonZeros(make([]float32, c.x), make([]int32, c.idx), make([]uint16, c.bits), nil)
		}()
	}
}

// BenchmarkCompressNonZeros packs 1,000 MNIST-like images.
func BenchmarkCompressNonZeros(b *testing.B) {
	const images, width, words = 1000, 784, 49
	x, _ := mnistLikeBatch(rand.New(rand.NewPCG(65, 66)), images, width)
	mask := make([]uint16, words)
	vals := make([]float32, width)
	for b.Loop() {
		for i := range images {
			CompressNonZeros(mask, vals, x[i*width:i*width+width])
		}
	}
}

// BenchmarkExpandNonZeros spreads out 1,000 MNIST-like images (an empty
// border and a 37%-dense centre of 20×20 pixels).
func BenchmarkExpandNonZeros(b *testing.B) {
	const images, width, words = 1000, 784, 49
	x, _ := mnistLikeBatch(rand.New(rand.NewPCG(65, 66)), images, width)
	mask := make([]uint16, images*words)
	start := make([]int, images+1)
	var vals []float32
	for i := range images {
		for p, v := range x[i*width : i*width+width] {
			if v != 0 {
				mask[i*words+p/16] |= 1 << (p % 16)
				vals = append(vals, v)
			}
		}
		start[i+1] = len(vals)
	}
	row := make([]float32, width)
	idx := make([]int32, width)
	for b.Loop() {
		for i := range images {
			ExpandNonZeros(row, idx, mask[i*words:i*words+words], vals[start[i]:start[i+1]])
		}
	}
}
