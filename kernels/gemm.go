package kernels

import (
	"fmt"
	"sync"

	"github.com/klauspost/cpuid/v2"
)

// The GEMM follows BLIS: C is cut into MR×NR register tiles, each computed
// by a micro-kernel as kc rank-1 (outer-product) updates; cache blocking
// around it keeps a kc×NR sliver of B in L1 while it meets every MR-row
// sliver of an MC×kc block of A held in L2.
//
// Unlike BLIS, most operands are not packed. The micro-kernel addresses A
// through a row stride and a k stride, which describe a row-major A, a
// transposed A and a packed sliver alike, and it reads B rows with a stride.
// Only a transposed B (whose rows the kernel would have to gather) is packed
// into NR-column slivers, as are the ragged edges: the last MR-row sliver of
// A (zero-padded, so the kernel never reads past A) and, for kernels that
// cannot mask their loads, the last NR-column sliver of B.

// gemmKernel computes one register tile of at most MR×NR elements of C:
//
//	for i := 0; i < mr; i++ {
//		for j := 0; j < nr; j++ {
//			var s float32
//			for p := 0; p < kc; p++ {
//				s += a[i*rsA+p*csA] * b[p*ldb+j]
//			}
//			v := alpha * s
//			if flags&gemmLoadC != 0 {
//				v += beta * c[i*ldc+j]
//			}
//			if flags&gemmAddBias != 0 {
//				v += bias[j]
//			}
//			if flags&gemmRelu != 0 && !(v > 0) {
//				v = 0
//			}
//			c[i*ldc+j] = v
//		}
//	}
//
// with kc ≥ 1, 1 ≤ mr ≤ MR and 1 ≤ nr ≤ NR. The kernel may read all MR rows
// of a (the driver pads a short sliver) and, unless its gemmMicro says it
// masks B, all NR columns of b. Without gemmLoadC, C is not read.
type gemmKernel func(kc int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int, mr, nr int, alpha, beta float32, bias []float32, flags int)

// Flags of a gemmKernel call.
const (
	gemmLoadC   = 1 << iota // add beta·C; otherwise C is overwritten unread
	gemmAddBias             // add bias[j] to column j
	gemmRelu                // then clamp to max(v, 0), NaN to 0
)

// gemmMicro is one implementation's micro-kernel and its register tile.
type gemmMicro struct {
	kernel gemmKernel
	mr, nr int
	// masksB says the kernel reads only nr columns of b, so the driver
	// need not pad a partial B sliver.
	masksB bool
	// packBT, if set, is a faster equivalent of packBTransGeneric.
	packBT func(dst []float32, kc, nc, nr int, b []float32, ldb int)
	// packAT, if set, packs the full MR-row slivers of a transposed A (see
	// packATransGeneric) before the kernel meets them, so that each k step
	// of a sliver is not a short piece of its own cache line (or two). It
	// pays where the kernel meets A many times (the AVX2 tile is narrow);
	// the AVX-512 kernel measured no faster with it.
	packAT func(dst []float32, kc, slivers, mr int, a []float32, lda int)
	// narrow, if set, is a kernel with a narrower tile for products whose
	// n fits in it, where the wide tile would waste most of its lanes.
	narrow *gemmMicro
	// narrowTransA, if set, is a narrow kernel for a transposed A (see
	// unitRowStride), preferred to narrow when both fit.
	narrowTransA *gemmMicro
	// unitRowStride says the kernel reads the rows of an A sliver as
	// adjacent floats (rsA = 1: a transposed A or a packed edge sliver) and
	// cannot take a row-major A.
	unitRowStride bool
	// viaTile says the kernel's masked stores are slow into rows of C that
	// are not whole cache lines (a 10-class output: 40-byte rows, about 20%
	// of the product's time measured); it then writes an aligned scratch
	// tile that the driver copies into C with plain stores.
	viaTile bool
	// storesWhole says the kernel stores each row as one whole vector
	// (lanes past nr landing on the next rows, stored after it) when C is
	// not read and the tile is one contiguous block of C (ldc = nr); then
	// it writes C faster than through the scratch tile of viaTile.
	storesWhole bool
}

// gemmBlocking holds the cache block sizes along k, m and n.
type gemmBlocking struct{ kc, mc, nc int }

// Cache sizes the blocking is derived from; cpuid reports -1 when it cannot
// tell, and the defaults are those of a modest x86 or arm64 core.
var (
	cacheL1D = cacheSize(cpuid.CPU.Cache.L1D, 32<<10)
	cacheL2  = cacheSize(cpuid.CPU.Cache.L2, 512<<10)
)

func cacheSize(reported, fallback int) int {
	if reported < 4<<10 || reported > 64<<20 {
		return fallback
	}
	return reported
}

// gemmBlockOverride, when its kc is non-zero, replaces the cache-derived
// blocks; tests use it to cross block boundaries with small matrices.
var gemmBlockOverride gemmBlocking

// blocking chooses the blocks for a micro-kernel with an mr×nr tile: a
// kc×nr sliver of B the size of L1 (it shares L1 with A's rows, but a
// longer kc loads and stores each tile of C fewer times, which measured
// faster than half of L1 at the training shapes), an mc×kc block of A half
// of L2 and a packed kc×nc panel of B a quarter of L2.
func blocking(mr, nr int) gemmBlocking {
	if gemmBlockOverride.kc != 0 {
		return gemmBlockOverride
	}
	kc := min(max(cacheL1D/(nr*4), 128), 512)
	mc := max(cacheL2/2/(kc*4)/mr*mr, mr)
	nc := max(cacheL2/4/(kc*4)/nr*nr, nr)
	return gemmBlocking{kc, mc, nc}
}

// gemmCall is one GEMM with everything its parts need.
type gemmCall struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b, c        []float32
	lda, ldb, ldc  int
	bias           []float32 // nil, or n elements added to every row
	epilogue       int       // gemmAddBias and gemmRelu flags for the last k block
	micro          gemmMicro
	blocks         gemmBlocking
	// The parallel split: parts ranges of whole tiles along one dimension.
	parts      int
	splitByCol bool
}

// gemmWorkspace holds one goroutine's packing buffers, reused across calls.
type gemmWorkspace struct {
	a, b, bEdge []float32
	aT          []float32 // the slivers packed by gemmMicro.packAT
	tile        []float32 // the scratch tile of gemmMicro.viaTile
}

var gemmWorkspaces = sync.Pool{New: func() any { return new(gemmWorkspace) }}

// grow returns s resliced to n elements, reallocated only if too small.
func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// gemmMinParallel is the work (m·n·k multiply-adds) below which a GEMM runs
// on the caller's goroutine alone, as sparseMinParallel does. A spinning
// worker starts its part within a microsecond (0.1–0.2 µs measured), so
// products of a few microseconds gain from the split: 128×10×128 (Aᵀ·B, a
// second layer's update) took 4.8 µs against 6.2 on two threads, 64×64×64
// 4.3 against 6.7 (fastest tenth of alternating calls), and a two-thread
// 784-128-10 training step 0.986–0.990 times as long as with 1<<19 (step
// medians, each step's threshold drawn at random, three runs).
const gemmMinParallel = 1 << 17

// gemm computes C = alpha·op(A)·op(B) + beta·C for Gemm, which has checked
// the shapes; m, n, k ≥ 1 and alpha ≠ 0.
func gemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemmRun(gemmCall{
		transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc,
	})
}

// gemmJob carries a GEMM to the pool's workers.
type gemmJob struct {
	call gemmCall
}

var gemmJobs = sync.Pool{New: func() any { return new(gemmJob) }}

func (j *gemmJob) runPart(part int) { j.call.computePart(part) }

// gemmRun runs g on the active implementation, split across the pool when
// it is large enough.
func gemmRun(g gemmCall) {
	g.micro = active.gemm
	if g.micro.kernel == nil {
		g.micro = genericImpl.gemm
	}
	if nw := g.micro.narrowTransA; nw != nil && g.transA && g.n <= nw.nr {
		g.micro = *nw
	} else if nw := g.micro.narrow; nw != nil && g.n <= nw.nr {
		g.micro = *nw
	}
	g.blocks = blocking(g.micro.mr, g.micro.nr)
	g.split(Threads())
	if g.parts == 1 {
		g.computePart(0)
		return
	}
	job := gemmJobs.Get().(*gemmJob)
	job.call = g
	parallelRun(job, g.parts)
	job.call = gemmCall{} // drop the references to the caller's matrices
	gemmJobs.Put(job)
}

// split decides how many parts g runs in and along which dimension: whole
// tiles per part, so each element of C is computed by one part exactly as it
// would be alone, and the busiest part has the fewest tiles.
func (g *gemmCall) split(threads int) {
	g.parts, g.splitByCol = 1, true
	if threads <= 1 || g.m*g.n*g.k < gemmMinParallel {
		return
	}
	rowTiles := (g.m + g.micro.mr - 1) / g.micro.mr
	colTiles := (g.n + g.micro.nr - 1) / g.micro.nr
	parts := min(threads, max(rowTiles, colTiles))
	busiest := func(tiles, other int) int { return (tiles + parts - 1) / parts * other }
	g.parts = parts
	byCol, byRow := busiest(colTiles, rowTiles), busiest(rowTiles, colTiles)
	// On a tie, split so that no part packs what another packs too: a
	// column split has every part pack all of a transposed A, a row split
	// all of a transposed B.
	g.splitByCol = colTiles >= parts && (byCol < byRow || byCol == byRow && !g.transA)
}

// computePart computes part number part of g's split.
func (g *gemmCall) computePart(part int) {
	i0, i1, j0, j1 := g.partBlock(part)
	if i0 >= i1 || j0 >= j1 {
		return
	}
	ws := gemmWorkspaces.Get().(*gemmWorkspace)
	g.compute(ws, i0, i1, j0, j1)
	gemmWorkspaces.Put(ws)
}

// partBlock returns the block C[i0:i1, j0:j1] of part number part: an
// equal share of whole tiles along the split dimension.
func (g *gemmCall) partBlock(part int) (i0, i1, j0, j1 int) {
	i0, i1, j0, j1 = 0, g.m, 0, g.n
	if g.parts > 1 {
		tile, extent := g.micro.mr, g.m
		if g.splitByCol {
			tile, extent = g.micro.nr, g.n
		}
		tiles := (extent + tile - 1) / tile
		lo := min(tiles*part/g.parts*tile, extent)
		hi := min(tiles*(part+1)/g.parts*tile, extent)
		if g.splitByCol {
			j0, j1 = lo, hi
		} else {
			i0, i1 = lo, hi
		}
	}
	return i0, i1, j0, j1
}

// compute computes the block C[i0:i1, j0:j1] over the whole of k.
func (g *gemmCall) compute(ws *gemmWorkspace, i0, i1, j0, j1 int) {
	u := g.micro
	mrMax, nrMax := u.mr, u.nr
	bl := g.blocks
	// Equal k blocks: k a little above kc must not leave a thin last block.
	kBlocks := (g.k + bl.kc - 1) / bl.kc
	kcMax := (g.k + kBlocks - 1) / kBlocks
	ws.a = grow(ws.a, mrMax*kcMax)
	if g.transB {
		ws.b = grow(ws.b, (min(bl.nc, j1-j0)+nrMax-1)/nrMax*nrMax*kcMax)
	} else if !u.masksB {
		ws.bEdge = grow(ws.bEdge, nrMax*kcMax)
	}
	// Packing costs about one pass over A: worth it when A meets several
	// slivers of B.
	packAT := g.transA && u.packAT != nil && j1-j0 > nrMax
	if packAT {
		ws.aT = grow(ws.aT, min(bl.mc, i1-i0)/mrMax*mrMax*kcMax)
	}
	viaTile := u.viaTile && g.ldc%16 != 0
	if viaTile {
		ws.tile = grow(ws.tile, mrMax*nrMax)
	}
	for jc := j0; jc < j1; jc += bl.nc {
		nc := min(bl.nc, j1-jc)
		for pc := 0; pc < g.k; pc += kcMax {
			kc := min(kcMax, g.k-pc)
			flags, beta := gemmLoadC, float32(1)
			if pc == 0 {
				beta = g.beta
				if beta == 0 {
					flags = 0
				}
			}
			if pc+kc == g.k {
				flags |= g.epilogue
			}
			if g.transB {
				pack := packBTransGeneric
				if u.packBT != nil {
					pack = u.packBT
				}
				pack(ws.b, kc, nc, nrMax, g.b[jc*g.ldb+pc:], g.ldb)
			}
			for ic := i0; ic < i1; ic += bl.mc {
				mc := min(bl.mc, i1-ic)
				full := mc - mc%mrMax
				if full < mc {
					g.packAEdge(ws.a, ic+full, mc-full, pc, kc, mrMax)
				}
				if packAT && full > 0 {
					u.packAT(ws.aT, kc, full/mrMax, mrMax, g.a[pc*g.lda+ic:], g.lda)
				}
				for jr := 0; jr < nc; jr += nrMax {
					nr := min(nrMax, nc-jr)
					j := jc + jr
					var bs []float32
					var ldbs int
					switch {
					case g.transB:
						bs, ldbs = ws.b[jr*kc:], nrMax
					case nr < nrMax && !u.masksB:
						padBEdge(ws.bEdge, kc, nr, nrMax, g.b[pc*g.ldb+j:], g.ldb)
						bs, ldbs = ws.bEdge, nrMax
					default:
						bs, ldbs = g.b[pc*g.ldb+j:], g.ldb
					}
					var bias []float32
					if g.bias != nil {
						bias = g.bias[j:]
					}
					for ir := 0; ir < mc; ir += mrMax {
						i := ic + ir
						mr := min(mrMax, mc-ir)
						var as []float32
						var rs, cs int
						switch {
						case mr < mrMax:
							as, rs, cs = ws.a, 1, mrMax
						case packAT:
							as, rs, cs = ws.aT[ir*kc:], 1, mrMax
						case g.transA:
							as, rs, cs = g.a[pc*g.lda+i:], 1, g.lda
						default:
							as, rs, cs = g.a[i*g.lda+pc:], g.lda, 1
						}
						if !viaTile || u.storesWhole && flags&gemmLoadC == 0 && g.ldc == nr {
							u.kernel(kc, as, rs, cs, bs, ldbs, g.c[i*g.ldc+j:], g.ldc, mr, nr, g.alpha, beta, bias, flags)
							continue
						}
						if flags&gemmLoadC != 0 {
							for r := 0; r < mr; r++ {
								copy(ws.tile[r*nrMax:r*nrMax+nr], g.c[(i+r)*g.ldc+j:])
							}
						}
						u.kernel(kc, as, rs, cs, bs, ldbs, ws.tile, nrMax, mr, nr, g.alpha, beta, bias, flags)
						for r := 0; r < mr; r++ {
							copy(g.c[(i+r)*g.ldc+j:(i+r)*g.ldc+j+nr], ws.tile[r*nrMax:])
						}
					}
				}
			}
		}
	}
}

// packAEdge copies rows i0..i0+rows-1 of op(A), columns pc..pc+kc-1, into
// dst as one sliver (element (r, p) at p*mrMax+r), zero-padding the rows up
// to mrMax.
func (g *gemmCall) packAEdge(dst []float32, i0, rows, pc, kc, mrMax int) {
	dst = dst[:kc*mrMax]
	clear(dst)
	if g.transA { // the sliver's rows are contiguous at each k
		for p := 0; p < kc; p++ {
			at := (pc+p)*g.lda + i0
			copy(dst[p*mrMax:p*mrMax+rows], g.a[at:at+rows])
		}
		return
	}
	for r := 0; r < rows; r++ {
		i := i0 + r
		row := g.a[i*g.lda+pc : i*g.lda+pc+kc]
		for p, v := range row {
			dst[p*mrMax+r] = v
		}
	}
}

// packATransGeneric packs slivers·mr rows of op(A) = Aᵀ, whose row i holds
// a[i], a[lda+i], …, for k steps 0..kc-1, into slivers of mr rows: element
// (i, p) goes to dst[(i/mr)*kc*mr + p*mr + i%mr].
func packATransGeneric(dst []float32, kc, slivers, mr int, a []float32, lda int) {
	for s := 0; s < slivers; s++ {
		sliver := dst[s*kc*mr : (s+1)*kc*mr]
		for p := 0; p < kc; p++ {
			copy(sliver[p*mr:(p+1)*mr], a[p*lda+s*mr:])
		}
	}
}

// packBTransGeneric packs a kc×nc block of op(B) = Bᵀ, whose column j is
// b[j*ldb : j*ldb+kc], into slivers of nr columns: element (p, j) goes to
// dst[(j/nr)*kc*nr + p*nr + j%nr], the last sliver zero-padded.
func packBTransGeneric(dst []float32, kc, nc, nr int, b []float32, ldb int) {
	for s := 0; s*nr < nc; s++ {
		sliver := dst[s*kc*nr : (s+1)*kc*nr]
		cols := min(nr, nc-s*nr)
		if cols < nr {
			clear(sliver)
		}
		for jj := 0; jj < cols; jj++ {
			j := s*nr + jj
			col := b[j*ldb : j*ldb+kc]
			for p, v := range col {
				sliver[p*nr+jj] = v
			}
		}
	}
}

// padBEdge copies the kc×cols block of B at b (leading dimension ldb) into
// dst with leading dimension nr, zero-padding columns cols..nr-1.
func padBEdge(dst []float32, kc, cols, nr int, b []float32, ldb int) {
	for p := 0; p < kc; p++ {
		row := dst[p*nr : (p+1)*nr]
		copy(row, b[p*ldb:p*ldb+cols])
		clear(row[cols:])
	}
}

// gemmKernelGeneric is the reference micro-kernel, with a 4×4 tile held in
// sixteen local variables.
func gemmKernelGeneric(kc int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int, mr, nr int, alpha, beta float32, bias []float32, flags int) {
	var acc [4][4]float32
	if nr == 4 {
		var c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33 float32
		for p := 0; p < kc; p++ {
			ap := a[p*csA:]
			a0, a1, a2, a3 := ap[0], ap[rsA], ap[2*rsA], ap[3*rsA]
			bp := b[p*ldb : p*ldb+4]
			b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
			c00, c01, c02, c03 = c00+a0*b0, c01+a0*b1, c02+a0*b2, c03+a0*b3
			c10, c11, c12, c13 = c10+a1*b0, c11+a1*b1, c12+a1*b2, c13+a1*b3
			c20, c21, c22, c23 = c20+a2*b0, c21+a2*b1, c22+a2*b2, c23+a2*b3
			c30, c31, c32, c33 = c30+a3*b0, c31+a3*b1, c32+a3*b2, c33+a3*b3
		}
		acc = [4][4]float32{{c00, c01, c02, c03}, {c10, c11, c12, c13}, {c20, c21, c22, c23}, {c30, c31, c32, c33}}
	} else {
		for p := 0; p < kc; p++ {
			bp := b[p*ldb : p*ldb+nr]
			for r := range acc {
				ar := a[r*rsA+p*csA]
				for j, bv := range bp {
					acc[r][j] += ar * bv
				}
			}
		}
	}
	for r := 0; r < mr; r++ {
		cr := c[r*ldc : r*ldc+nr]
		for j := range cr {
			v := alpha * acc[r][j]
			if flags&gemmLoadC != 0 {
				v += beta * cr[j]
			}
			if flags&gemmAddBias != 0 {
				v += bias[j]
			}
			if flags&gemmRelu != 0 && !(v > 0) {
				v = 0
			}
			cr[j] = v
		}
	}
}

// GemmEpilogue computes the forward pass of a dense layer in one sweep, C =
// op(A)·op(B) with the optional bias row added and relu applied while each
// tile of C is still in registers:
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += opA(i, p) * opB(p, j)
//			}
//			if bias != nil {
//				s += bias[j]
//			}
//			if relu && !(s > 0) {
//				s = 0
//			}
//			c[i*ldc+j] = s
//		}
//	}
//
// with op(A), op(B) as in Gemm (alpha = 1, beta = 0: C is not read). bias is
// nil or has n elements. It panics on a shape mismatch.
func GemmEpilogue(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, bias []float32, relu bool) {
	checkGemmShapes("GemmEpilogue", transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if bias != nil && len(bias) != n {
		panic(fmt.Sprintf("kernels: GemmEpilogue: len(bias) = %d, want n = %d", len(bias), n))
	}
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		for i := 0; i < m; i++ {
			row := c[i*ldc : i*ldc+n]
			if bias != nil {
				copy(row, bias)
			} else {
				clear(row)
			}
			if relu {
				active.relu(row, row)
			}
		}
		return
	}
	g := gemmCall{
		transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1,
		a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc, bias: bias,
	}
	if bias != nil {
		g.epilogue |= gemmAddBias
	}
	if relu {
		g.epilogue |= gemmRelu
	}
	gemmRun(g)
}
