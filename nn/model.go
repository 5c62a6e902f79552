package nn

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
)

// The model file, version 1. All integers and floats are little-endian.
//
//	offset  size        field
//	0       4           magic "NNSM"
//	4       4           uint32 format version (1)
//	8       4           uint32 number of sizes S (layers + 1)
//	12      1           hidden activation code
//	13      1           output activation code
//	14      1           loss code
//	15      1           flags: bit 0 = biases present; other bits 0
//	16      1           init code
//	17      3           reserved, 0
//	20      4           float32 InitScale
//	24      8           uint64 Seed
//	32      4·S         uint32 Sizes
//	…                   per layer: inputs×outputs float32 weights, row-major,
//	                    then outputs float32 biases if present
//	end−4   4           uint32 CRC-32 (IEEE) of every byte before it
//
// Codes: activations identity 0, relu 1, sigmoid 2, tanh 3, step 4,
// softmax 5; losses mse 0, cross_entropy 1; inits uniform 0, he 1, xavier 2.
// Training state (frozen weights, momentum) is not stored.
const (
	modelMagic   = "NNSM"
	modelVersion = 1
	headerSize   = 32
)

var (
	activationCodes = []Activation{Identity, ReLU, Sigmoid, Tanh, Step, Softmax}
	lossCodes       = []Loss{MSE, CrossEntropy}
	initCodes       = []Init{Uniform, He, Xavier}
)

func codeOf[T comparable](codes []T, v T) byte {
	for i, c := range codes {
		if c == v {
			return byte(i)
		}
	}
	panic(fmt.Sprintf("nn: no model file code for %v", v)) // validConfig admits only coded values
}

// crcWriter writes through to w, counting bytes and hashing them.
type crcWriter struct {
	w   io.Writer
	n   int64
	crc hash.Hash32
}

func (c *crcWriter) Write(p []byte) (int, error) {
	k, err := c.w.Write(p)
	c.n += int64(k)
	c.crc.Write(p[:k])
	return k, err
}

// WriteTo writes the network as a model file to w and returns the number of
// bytes written.
func (n *Network) WriteTo(w io.Writer) (int64, error) {
	cw := &crcWriter{w: w, crc: crc32.NewIEEE()}
	bw := bufio.NewWriterSize(cw, 64<<10)
	cfg := n.cfg
	hdr := make([]byte, headerSize, headerSize+4*len(cfg.Sizes))
	copy(hdr, modelMagic)
	binary.LittleEndian.PutUint32(hdr[4:], modelVersion)
	binary.LittleEndian.PutUint32(hdr[8:], uint32(len(cfg.Sizes)))
	hdr[12] = codeOf(activationCodes, cfg.Hidden)
	hdr[13] = codeOf(activationCodes, cfg.Output)
	hdr[14] = codeOf(lossCodes, cfg.Loss)
	if cfg.Bias {
		hdr[15] = 1
	}
	hdr[16] = codeOf(initCodes, cfg.Init)
	binary.LittleEndian.PutUint32(hdr[20:], math.Float32bits(cfg.InitScale))
	binary.LittleEndian.PutUint64(hdr[24:], cfg.Seed)
	for _, s := range cfg.Sizes {
		hdr = binary.LittleEndian.AppendUint32(hdr, uint32(s))
	}
	bw.Write(hdr) // a write error sticks in bw and is reported by Flush
	var buf [4]byte
	putFloats := func(v []float32) {
		for _, f := range v {
			binary.LittleEndian.PutUint32(buf[:], math.Float32bits(f))
			bw.Write(buf[:])
		}
	}
	for _, ly := range n.layers {
		putFloats(ly.w)
		putFloats(ly.b)
	}
	if err := bw.Flush(); err != nil {
		return cw.n, fmt.Errorf("nn: WriteTo: %w", err)
	}
	binary.LittleEndian.PutUint32(buf[:], cw.crc.Sum32())
	if _, err := cw.Write(buf[:]); err != nil {
		return cw.n, fmt.Errorf("nn: WriteTo: %w", err)
	}
	return cw.n, nil
}

// Save writes the network to path atomically: to a temporary file in the
// same directory, synced to disk, then renamed over path. On failure the
// previous file at path, if any, is left as it was.
func (n *Network) Save(path string) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("nn: Save: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := n.WriteTo(f); err != nil {
		return fmt.Errorf("nn: Save %s: %w", path, errors.Unwrap(err))
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("nn: Save: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("nn: Save: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("nn: Save: %w", err)
	}
	if err := rename(tmp, path); err != nil {
		return fmt.Errorf("nn: Save: %w", err)
	}
	// Make the rename itself durable; not every system can sync a directory.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// rename is os.Rename; tests replace it to make the last step of Save fail.
var rename = os.Rename

// Load reads a model file written by Save or WriteTo. Bytes after the
// checksum are an error (ErrCorrupt).
func Load(path string) (*Network, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("nn: Load: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	n, err := ReadNetwork(br)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	if extra, _ := io.Copy(io.Discard, br); extra > 0 {
		return nil, fmt.Errorf("nn: Load: %s: %d bytes after the checksum: %w", path, extra, ErrCorrupt)
	}
	return n, nil
}

// crcReader reads through r, hashing the bytes read.
type crcReader struct {
	r   io.Reader
	crc hash.Hash32
}

func (c *crcReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.crc.Write(p[:k])
	return k, err
}

// readFull reads len(p) bytes, turning a short read into ErrTruncated.
func readFull(r io.Reader, p []byte, what string) error {
	if _, err := io.ReadFull(r, p); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return fmt.Errorf("nn: ReadNetwork: file ends inside the %s: %w", what, ErrTruncated)
		}
		return fmt.Errorf("nn: ReadNetwork: %w", err)
	}
	return nil
}

// ReadNetwork reads one model file from r, up to and including its
// checksum. It never allocates much more than the bytes actually read, so a
// corrupt header cannot ask for gigabytes.
func ReadNetwork(r io.Reader) (*Network, error) {
	cr := &crcReader{r: r, crc: crc32.NewIEEE()}
	var hdr [headerSize]byte
	k, err := io.ReadFull(cr, hdr[:4])
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, fmt.Errorf("nn: ReadNetwork: %w", err)
	}
	if string(hdr[:k]) != modelMagic[:k] {
		return nil, fmt.Errorf("nn: ReadNetwork: magic %q, want %q: %w", hdr[:k], modelMagic, ErrBadMagic)
	}
	if k < 4 {
		return nil, fmt.Errorf("nn: ReadNetwork: file ends inside the magic: %w", ErrTruncated)
	}
	if err := readFull(cr, hdr[4:8], "version"); err != nil {
		return nil, err
	}
	if v := binary.LittleEndian.Uint32(hdr[4:]); v != modelVersion {
		return nil, fmt.Errorf("nn: ReadNetwork: format version %d, this build reads version %d: %w", v, modelVersion, ErrVersion)
	}
	if err := readFull(cr, hdr[8:], "header"); err != nil {
		return nil, err
	}
	cfg, err := decodeHeader(hdr[:])
	if err != nil {
		return nil, err
	}
	nsizes := int(binary.LittleEndian.Uint32(hdr[8:]))
	sizeBytes := make([]byte, 4*nsizes) // nsizes was bounded by decodeHeader
	if err := readFull(cr, sizeBytes, "layer sizes"); err != nil {
		return nil, err
	}
	cfg.Sizes = make([]int, nsizes)
	for i := range cfg.Sizes {
		cfg.Sizes[i] = int(binary.LittleEndian.Uint32(sizeBytes[4*i:]))
	}
	if cfg, err = validConfig("ReadNetwork", cfg); err != nil {
		return nil, fmt.Errorf("%w: %w", err, ErrCorrupt)
	}
	params := make([][]float32, 0, 2*(nsizes-1))
	for l := 0; l+1 < nsizes; l++ {
		in, out := cfg.Sizes[l], cfg.Sizes[l+1]
		w, err := readFloats(cr, in*out, fmt.Sprintf("weights of layer %d", l))
		if err != nil {
			return nil, err
		}
		params = append(params, w)
		if cfg.Bias {
			b, err := readFloats(cr, out, fmt.Sprintf("biases of layer %d", l))
			if err != nil {
				return nil, err
			}
			params = append(params, b)
		}
	}
	want := cr.crc.Sum32()
	var sum [4]byte
	if err := readFull(cr, sum[:], "checksum"); err != nil {
		return nil, err
	}
	if got := binary.LittleEndian.Uint32(sum[:]); got != want {
		return nil, fmt.Errorf("nn: ReadNetwork: checksum %08x, contents give %08x: %w", got, want, ErrChecksum)
	}
	n := &Network{cfg: cfg, layers: make([]layer, nsizes-1)}
	for l := range n.layers {
		ly := &n.layers[l]
		ly.in, ly.out = cfg.Sizes[l], cfg.Sizes[l+1]
		ly.act = cfg.Hidden
		if l == len(n.layers)-1 {
			ly.act = cfg.Output
		}
		ly.w, params = params[0], params[1:]
		if cfg.Bias {
			ly.b, params = params[0], params[1:]
		}
	}
	n.ws.init(n)
	return n, nil
}

// decodeHeader reads the fixed part of the header after magic and version.
func decodeHeader(h []byte) (Config, error) {
	var cfg Config
	corrupt := func(format string, args ...any) (Config, error) {
		return cfg, fmt.Errorf("nn: ReadNetwork: "+format+": %w", append(args, ErrCorrupt)...)
	}
	if s := binary.LittleEndian.Uint32(h[8:]); s < 2 || s > maxLayers+1 {
		return corrupt("%d layer sizes, want 2..%d", s, maxLayers+1)
	}
	hid, outp, loss, ini := int(h[12]), int(h[13]), int(h[14]), int(h[16])
	if hid >= len(activationCodes) || outp >= len(activationCodes) || loss >= len(lossCodes) || ini >= len(initCodes) {
		return corrupt("unknown code: hidden %d, output %d, loss %d, init %d", hid, outp, loss, ini)
	}
	if h[15]&^1 != 0 || h[17] != 0 || h[18] != 0 || h[19] != 0 {
		return corrupt("reserved header bits set (flags %#x, reserved % x)", h[15], h[17:20])
	}
	cfg.Hidden, cfg.Output, cfg.Loss, cfg.Init = activationCodes[hid], activationCodes[outp], lossCodes[loss], initCodes[ini]
	cfg.Bias = h[15]&1 != 0
	cfg.InitScale = math.Float32frombits(binary.LittleEndian.Uint32(h[20:]))
	if cfg.InitScale == 0 {
		return corrupt("InitScale is 0") // Save always writes the filled-in default
	}
	cfg.Seed = binary.LittleEndian.Uint64(h[24:])
	return cfg, nil
}

// readFloats reads count little-endian float32s, growing the result as the
// data arrives, so a header that claims more than the file holds fails with
// ErrTruncated after allocating about what was read. The read buffer is
// sized to count too: a fixed 64 KiB one per call let a file of a few KiB
// with a hundred one-unit layers allocate 16 MiB (found by FuzzReadNetwork).
func readFloats(r io.Reader, count int, what string) ([]float32, error) {
	const chunk = 16 << 10
	buf := make([]byte, 4*min(count, chunk))
	v := make([]float32, 0, min(count, chunk))
	for len(v) < count {
		c := min(count-len(v), chunk)
		if err := readFull(r, buf[:4*c], what); err != nil {
			return nil, err
		}
		for i := 0; i < c; i++ {
			v = append(v, math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:])))
		}
	}
	return v, nil
}
