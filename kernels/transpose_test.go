package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// transposeOddBits are values a transpose must move bit for bit: NaNs with
// payloads (a float conversion on the way would quieten the signalling
// one), ±0, ±Inf and denormals.
var transposeOddBits = []uint32{
	0x7fc0beef, 0xffc00001, 0x7f800001, 0x80000000, 0x00000000,
	0x7f800000, 0xff800000, 0x00000001, 0x807fffff,
}

// transposeCase is one call: shape, padding of both leading dimensions and
// offsets of both matrices into their guarded buffers.
type transposeCase struct {
	rows, cols, padS, padD, offS, offD int
}

// run transposes a fresh src into a fresh dst with the active
// implementation and checks every element of dst, src left unchanged, and
// the guards around and between the rows of both.
func (c transposeCase) run(t *testing.T, r *rand.Rand) {
	t.Helper()
	src := newMatrix(r, c.rows, c.cols, c.cols+c.padS, c.offS)
	dst := newMatrix(r, c.cols, c.rows, c.rows+c.padD, c.offD)
	for i := 0; i < c.rows; i++ {
		for j := 0; j < c.cols; j++ {
			if (i*c.cols+j)%5 == 3 {
				src.s[i*src.ld+j] = math.Float32frombits(transposeOddBits[(i+j)%len(transposeOddBits)])
			}
		}
	}
	orig := append([]float32(nil), src.s...)
	Transpose(c.rows, c.cols, src.s, src.ld, dst.s, dst.ld)
	what := fmt.Sprintf("Transpose %d×%d lds=%d ldd=%d offsets %d, %d", c.rows, c.cols, src.ld, dst.ld, c.offS, c.offD)
	src.check(t, what+": src")
	dst.check(t, what+": dst")
	for k := range orig {
		if math.Float32bits(src.s[k]) != math.Float32bits(orig[k]) {
			t.Fatalf("%s: src[%d] changed from %#08x to %#08x", what, k, math.Float32bits(orig[k]), math.Float32bits(src.s[k]))
		}
	}
	for i := 0; i < c.rows; i++ {
		for j := 0; j < c.cols; j++ {
			if got, want := math.Float32bits(dst.s[j*dst.ld+i]), math.Float32bits(src.s[i*src.ld+j]); got != want {
				t.Fatalf("%s: dst[%d, %d] = %#08x, want src[%d, %d] = %#08x", what, j, i, got, i, j, want)
			}
		}
	}
}

func TestTransposeSmall(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(91, 92))
		for rows := 0; rows <= 40; rows++ {
			for cols := 0; cols <= 40; cols++ {
				k := rows*41 + cols
				transposeCase{rows, cols, k % 3, (k / 3) % 4, k % 16, (k * 7) % 16}.run(t, r)
			}
		}
	})
}

func TestTransposeLengths(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(93, 94))
		for n := 0; n <= 300; n++ {
			for _, other := range []int{1, 7, 16, 17, 128} {
				pad, off := n%5, n%16
				transposeCase{n, other, pad, 3 - pad%4, off, 15 - off}.run(t, r)
				transposeCase{other, n, 2 * pad, pad, (off + 5) % 16, off}.run(t, r)
			}
		}
	})
}

// TestTransposeLarge covers the mini-batch shapes at every offset, and
// shapes that the assembly wrappers must split into several calls (more
// than asmChunk or neonChunk elements, with a row of 16 and more columns
// than one call takes).
func TestTransposeLarge(t *testing.T) {
	eachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(95, 96))
		for off := 0; off <= maxOffset; off++ {
			for _, shape := range [][2]int{{128, 784}, {784, 128}} {
				pad := 0
				if off%2 == 1 {
					pad = 1 + off
				}
				transposeCase{shape[0], shape[1], pad, off % 3, off, (off * 3) % 16}.run(t, r)
			}
		}
		for _, shape := range [][2]int{{300, 300}, {19, 5000}, {5000, 19}, {16, 70000}, {1, 70000}, {70000, 3}} {
			transposeCase{shape[0], shape[1], 3, 5, 1, 2}.run(t, r)
		}
	})
}

func TestTransposePanics(t *testing.T) {
	buf := make([]float32, 64)
	cases := []struct {
		rows, cols int
		src        []float32
		lds        int
		dst        []float32
		ldd        int
		want       string
	}{
		{-1, 3, buf, 3, buf, 1, "kernels: Transpose: src is -1×3, dimensions must not be negative"},
		{3, -2, buf, 3, buf, 3, "kernels: Transpose: src is 3×-2, dimensions must not be negative"},
		{3, 4, buf, 3, buf, 3, "kernels: Transpose: leading dimension of src is 3, want at least 4"},
		{3, 4, buf, 4, buf, 2, "kernels: Transpose: leading dimension of dst is 2, want at least 3"},
		{5, 4, buf[:18], 4, buf, 5, "kernels: Transpose: len(src) = 18, want at least 20 for 5×4 with leading dimension 4"},
		{5, 4, buf, 4, buf[:19], 6, "kernels: Transpose: len(dst) = 19, want at least 23 for 4×5 with leading dimension 6"},
		{0, 4, nil, 3, nil, 0, "kernels: Transpose: leading dimension of src is 3, want at least 4"},
	}
	for _, c := range cases {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if msg != c.want {
					t.Errorf("Transpose(%d, %d, len %d, %d, len %d, %d) panicked with %q, want %q", c.rows, c.cols, len(c.src), c.lds, len(c.dst), c.ldd, msg, c.want)
				}
			}()
			Transpose(c.rows, c.cols, c.src, c.lds, c.dst, c.ldd)
		}()
	}
	// Empty matrices need no storage.
	Transpose(0, 4, nil, 4, nil, 0)
	Transpose(4, 0, nil, 0, nil, 4)
}

// TestTransposeDispatch checks that the assembly implementations install
// their own transpose, so the sweeps above test assembly, not the
// fallback.
func TestTransposeDispatch(t *testing.T) {
	for _, im := range usableImpls(cpuFeatures()) {
		if im != genericImpl && im.transpose == nil {
			t.Errorf("%s has no transpose kernel", im.name)
		}
	}
}

// transposeBenchMatrix returns rows×cols random floats starting on a
// 64-byte boundary, so that figures do not depend on the allocator.
func transposeBenchMatrix(rows, cols int) []float32 {
	buf := make([]float32, rows*cols+16)
	off := 0
	if addr := uintptr(unsafe.Pointer(unsafe.SliceData(buf))); addr%64 != 0 {
		off = int(64-addr%64) / 4
	}
	m := buf[off : off+rows*cols]
	r := rand.New(rand.NewPCG(uint64(rows), uint64(cols)))
	randFill(r, m)
	return m
}

// BenchmarkTranspose reports, per implementation, GB/s of bytes read plus
// bytes written; 128x784 is a mini-batch of MNIST inputs turned into Xᵀ,
// 100x784 one whose rows are no multiple of 8.
func BenchmarkTranspose(b *testing.B) {
	saved := active
	defer func() { active = saved }()
	for _, isa := range Available() {
		for _, shape := range [][2]int{{128, 784}, {784, 128}, {100, 784}} {
			rows, cols := shape[0], shape[1]
			b.Run(fmt.Sprintf("isa=%s/%dx%d", isa, rows, cols), func(b *testing.B) {
				if err := Use(isa); err != nil {
					b.Fatal(err)
				}
				src, dst := transposeBenchMatrix(rows, cols), transposeBenchMatrix(cols, rows)
				bytes := 2 * 4 * rows * cols
				b.SetBytes(int64(bytes))
				for b.Loop() {
					Transpose(rows, cols, src, cols, dst, rows)
				}
				b.ReportMetric(float64(bytes)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
			})
		}
	}
}
