package nn

import (
	"math"
	"slices"

	"github.com/nnsimd/nnsimd/kernels"
)

// sparseData is a training set's inputs as each row's mask of non-zero
// entries (a bit an input, 16 to a word) and their values in order, which
// mini-batch Fit builds once and then reads its batches from. A shuffled
// batch's rows are scattered over a data set far larger than the caches,
// and reading them is bound by memory bandwidth (about 7 GB/s on one core
// here): an MNIST row is 3,136 bytes dense against 698 as a mask and 150
// values. Lists of 16-bit positions before them (900 bytes a row) took a
// scattered store a value to spread out again, and an MNIST training step
// (784-128-10, one thread) 1.04 times as long (per-step medians and tenth
// percentiles, steps drawn at random between the two; with AVX2 1.02–1.04,
// in a slower spell of the machine). Building them took 21–30 ms against
// 18.5–21 with kernels.CompressNonZeros (BenchmarkNewSparseData, one
// thread; 11.8–12.3 against 10.3–11.4 on two).
//
// The lists are built in parallel, one chunk of consecutive rows per
// share (see sparseDataChunksPerThread), and kept in those chunks: joining
// them would copy them once more.
type sparseData struct {
	chunkRows int // every chunk but the last holds this many rows
	words     int // mask words a row
	chunks    []sparseChunk
}

// sparseChunk holds the lists of rows first, first+1, …: row first+i's
// mask is bits[i*words:(i+1)*words] and its values val[start[i]:start[i+1]].
type sparseChunk struct {
	start []int
	bits  []uint16
	val   []float32
}

// sparseMaxInputs is the widest input the lists hold: a mask costs a bit
// an input whatever the density, 8 KiB a row at this width, and a batch's
// dense rows 256 KiB each.
const sparseMaxInputs = 1 << 16

// sparseDataProbe is how many leading rows newSparseData counts first, to
// size its arrays for the whole set.
const sparseDataProbe = 256

// sparseDataMinChunk is the fewest rows a chunk of newSparseData takes: a
// share costs the pool a wake-up, tens of microseconds, and MNIST's 60,000
// rows take about 50 ms on one core (BenchmarkNewSparseData). Tests lower
// it to cross chunks with small inputs.
var sparseDataMinChunk = 4096

// sparseDataChunksPerThread is how many chunks newSparseData makes for each
// thread it may use, taken by whichever goroutine is free. A chunk that
// lands in memory the process has never touched pays a page fault every
// 4 KiB: in a process's first MNIST Fit on two threads, the chunk in fresh
// memory took 18–20 ms and the one in memory the loader had freed 8–12,
// and with one chunk a thread the core with the first kept the other
// waiting. A cold Fit reached its first step in 19.8–25.6 ms that way,
// against 14.4–17.2 with two chunks a thread and 14.4–25.3 with four
// (eight alternating runs each).
const sparseDataChunksPerThread = 2

// newSparseData lists the non-zeros of the rows×in inputs x. It returns nil
// when x is too dense for the sparse first layer to pay (see
// sparseBatchWorthIt) or wider than sparseMaxInputs, and in any case the
// index of x's first NaN or ±Inf, or −1, so that it also serves as Fit's
// check of x. The shares run on kernels' pool, at most kernels.Threads() of
// them. The lists go into the memory of reuse's, if not nil, which must not
// be used again: first touching fresh memory costs more than the listing
// itself. MNIST's 42 MB of masks and values took 35–41 ms to list into
// fresh memory and 9.3–11.6 into reused memory (one thread; 24–26 against
// 8.3–9.4 on two; in a slow spell of the machine, a virtual machine whose
// host backs each fresh page too).
func newSparseData(x []float32, rows, in int, reuse *sparseData) (sd *sparseData, bad int) {
	if in > sparseMaxInputs {
		return nil, firstNonFinite(x)
	}
	list := make([]int32, in)
	probe := min(rows, sparseDataProbe)
	counted := 0
	for r := 0; r < probe; r++ {
		k, _ := kernels.NonZeros(list, x[r*in:r*in+in])
		counted += k
	}
	if !sparseBatchWorthIt(counted, probe*in) {
		return nil, firstNonFinite(x)
	}
	parts := 1
	if t := kernels.Threads(); t > 1 {
		parts = max(min(sparseDataChunksPerThread*t, rows/sparseDataMinChunk), 1)
	}
	chunkRows := (rows + parts - 1) / parts
	parts = (rows + chunkRows - 1) / chunkRows
	b := &sparseBuild{
		x: x, rows: rows, in: in, words: (in + 15) / 16, chunkRows: chunkRows,
		// Room for the probe's density and a tenth more; slices.Grow
		// makes more if a chunk needs it.
		perRow: counted/probe + counted/probe/10 + 1,
		most:   rows * in * sparseBatchMaxNum / sparseBatchMaxDen,
		chunks: make([]sparseChunk, parts),
		bad:    make([]int, parts),
	}
	if reuse != nil {
		copy(b.chunks, reuse.chunks)
	}
	kernels.RunParallel(b, parts)
	total := 0
	for part, c := range b.chunks {
		if b.bad[part] >= 0 {
			return nil, b.bad[part] // the parts are in row order
		}
		total += len(c.val)
	}
	if total > b.most {
		return nil, -1
	}
	return &sparseData{chunkRows: chunkRows, words: b.words, chunks: b.chunks}, -1
}

// sparseBuild is newSparseData's work, one chunk of rows a part.
type sparseBuild struct {
	x                   []float32
	rows, in, chunkRows int
	words               int // mask words a row
	perRow, most        int // entries a row is given room for; most in the set
	chunks              []sparseChunk
	bad                 []int // each part's first non-finite index in x, or −1
}

// RunPart lists the non-zeros of chunk part's rows. It stops listing once
// the chunk alone holds more entries than the whole set may (the set is
// then refused) but still checks the rest of its rows.
func (b *sparseBuild) RunPart(part int) {
	in := b.in
	r0 := part * b.chunkRows
	r1 := min(r0+b.chunkRows, b.rows)
	c := b.chunks[part] // empty, or a finished Fit's memory to reuse
	c.start = room(c.start, r1-r0+1)[:r1-r0+1]
	c.start[0] = 0
	// Every word of a mask is written whole, so reused memory needs no
	// clearing; a row may take in values before it is cut to its count.
	c.bits = room(c.bits, (r1-r0)*b.words)[:(r1-r0)*b.words]
	c.val = room(c.val, (r1-r0)*b.perRow+in)
	b.bad[part] = -1
	for r := r0; r < r1; r++ {
		xr := b.x[r*in : r*in+in]
		e := len(c.val)
		c.val = slices.Grow(c.val, in)
		mask := c.bits[(r-r0)*b.words : (r-r0+1)*b.words]
		k, finite := kernels.CompressNonZeros(mask, c.val[e:e+in], xr)
		if !finite {
			for j, v := range xr {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					b.bad[part] = r*in + j
					return
				}
			}
		}
		c.val = c.val[:e+k]
		c.start[r-r0+1] = e + k
		if len(c.val) > b.most {
			// Denser than the sparse path pays for: the rest only
			// needs its check.
			if bad := firstNonFinite(b.x[(r+1)*in : r1*in]); bad >= 0 {
				b.bad[part] = (r+1)*in + bad
			}
			b.chunks[part] = c
			return
		}
	}
	b.chunks[part] = c
}

// room returns s emptied if it has room for n elements, else a new empty
// slice with that room. Fresh memory comes from make, not slices.Grow,
// which clears all it adds at once: make leaves the system's zero pages to
// be touched as the lists reach them, and the room never used untouched.
func room[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, 0, n)
	}
	return s[:0]
}

// prefetchOffsets asks for the place of row r's entries, which row reads.
func (sd *sparseData) prefetchOffsets(r int) {
	ci := r / sd.chunkRows
	i := r - ci*sd.chunkRows
	kernels.Prefetch(sd.chunks[ci].start[i : i+2])
}

// prefetchRow asks for row r's mask and values, and for the line after
// the values: kernels.ExpandNonZeros loads sixteen values at a time,
// masked, and the load of a row's last ones reaches into that line, which
// belongs to another row and is not in cache. Without it, gathering a
// shuffled MNIST batch on one thread took 35–37 µs against 30–33 for the
// 16-bit lists this replaced; with it 23–26 (per-step medians, steps drawn
// at random between the formats, in a scratch copy of Fit).
func (sd *sparseData) prefetchRow(r int) {
	ci := r / sd.chunkRows
	c := &sd.chunks[ci]
	i := r - ci*sd.chunkRows
	s, e := c.start[i], c.start[i+1]
	kernels.Prefetch(c.val[s:min(e+16, len(c.val))])
	kernels.Prefetch(c.bits[i*sd.words : (i+1)*sd.words])
}

// row returns row r's mask and values.
func (sd *sparseData) row(r int) (mask []uint16, val []float32) {
	ci := r / sd.chunkRows
	c := &sd.chunks[ci]
	i := r - ci*sd.chunkRows
	s, e := c.start[i], c.start[i+1]
	return c.bits[i*sd.words : (i+1)*sd.words : (i+1)*sd.words], c.val[s:e:e]
}
