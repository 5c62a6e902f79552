// Package mnist reads the IDX files the MNIST and Fashion-MNIST data sets
// ship in, and finds a copy of MNIST on this machine.
//
// The IDX format is a big-endian header — two zero bytes, a type byte (0x08
// for unsigned bytes), the number of dimensions, then one uint32 per
// dimension — followed by the values, nothing more. Images are idx3-ubyte
// (N × rows × cols), labels idx1-ubyte (N).
//
// Readers never trust the header with memory: the payload is read in growing
// chunks, so a 1 KB file that claims 10⁹ images fails with ErrTruncated after
// reading 1 KB, not after allocating 784 GB.
package mnist

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// Errors returned by the readers, wrapped with details.
var (
	ErrFormat    = errors.New("not an IDX file") // wrong magic / type / dims, trailing bytes, bad gzip
	ErrTruncated = errors.New("IDX file truncated")
	ErrMismatch  = errors.New("image and label counts differ")
	ErrNotFound  = errors.New("MNIST data not found")
)

// Magic numbers: 0x00 0x00, type 0x08 (unsigned byte), number of dimensions.
const (
	magicImages = 0x00000803
	magicLabels = 0x00000801
)

// Images is a stack of N grey-scale images of Rows×Cols pixels, stored
// image after image, row after row (Pixels has N·Rows·Cols bytes).
type Images struct {
	N, Rows, Cols int
	Pixels        []uint8
}

// firstChunk is the first allocation for a payload whose size the reader
// cannot confirm up front; the buffer then doubles as data actually arrives.
const firstChunk = 64 << 10

// ReadImages reads an idx3-ubyte image file (uncompressed; OpenImages handles
// gzip). The data must match the header exactly: too little is ErrTruncated,
// bytes after the last image are ErrFormat.
func ReadImages(r io.Reader) (*Images, error) {
	return readImages(r, "images", -1)
}

// ReadLabels reads an idx1-ubyte label file (uncompressed; OpenLabels handles
// gzip), with the same exactness rules as ReadImages.
func ReadLabels(r io.Reader) ([]uint8, error) {
	return readLabels(r, "labels", -1)
}

// readImages is ReadImages with the number of bytes the source holds, when
// known (a raw file's size), so a lying header fails before any read; -1 when
// unknown.
func readImages(r io.Reader, name string, avail int64) (*Images, error) {
	dims, err := readHeader(r, magicImages, name)
	if err != nil {
		return nil, err
	}
	n, rows, cols := dims[0], dims[1], dims[2]
	if rows == 0 || cols == 0 {
		return nil, fmt.Errorf("mnist: %s: header says %d×%d pixels per image, want both > 0: %w", name, rows, cols, ErrFormat)
	}
	size, ok := product(n, rows, cols)
	if !ok {
		return nil, fmt.Errorf("mnist: %s: header claims %d images of %d×%d pixels, more than any file can hold: %w", name, n, rows, cols, ErrFormat)
	}
	what := fmt.Sprintf("%d images of %d×%d pixels", n, rows, cols)
	pixels, err := readPayload(r, size, afterHeader(avail, 3), name, what)
	if err != nil {
		return nil, err
	}
	return &Images{N: int(n), Rows: int(rows), Cols: int(cols), Pixels: pixels}, nil
}

func readLabels(r io.Reader, name string, avail int64) ([]uint8, error) {
	dims, err := readHeader(r, magicLabels, name)
	if err != nil {
		return nil, err
	}
	what := fmt.Sprintf("%d labels", dims[0])
	return readPayload(r, int64(dims[0]), afterHeader(avail, 1), name, what)
}

func headerLen(ndims int) int64 { return 4 + 4*int64(ndims) }

// afterHeader is how many bytes follow the header in a source of avail bytes
// (-1 when unknown).
func afterHeader(avail int64, ndims int) int64 {
	if avail < 0 {
		return -1
	}
	return avail - headerLen(ndims)
}

// readHeader reads the magic number and the dimensions it announces.
func readHeader(r io.Reader, magic uint32, name string) ([]uint32, error) {
	ndims := int(magic & 0xff)
	buf := make([]byte, headerLen(ndims))
	got, err := io.ReadFull(r, buf)
	if got >= 4 || err == nil {
		if m := binary.BigEndian.Uint32(buf); m != magic {
			return nil, badMagic(name, m, magic)
		}
	} else if !isPrefixOfMagic(buf[:got], magic) {
		// A short file that is not even the start of an IDX header is not
		// "truncated": it is something else.
		return nil, fmt.Errorf("mnist: %s: file starts with % x, want IDX magic %08x: %w", name, buf[:got], magic, ErrFormat)
	}
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("mnist: %s: header is %d bytes, file has only %d: %w", name, len(buf), got, ErrTruncated)
		}
		return nil, fmt.Errorf("mnist: %s: reading header: %w", name, sourceError(err))
	}
	dims := make([]uint32, ndims)
	for i := range dims {
		dims[i] = binary.BigEndian.Uint32(buf[4+4*i:])
		// The IDX format declares dimensions as signed 32-bit integers.
		if dims[i] > math.MaxInt32 {
			return nil, fmt.Errorf("mnist: %s: dimension %d is %d, negative as the int32 IDX declares it: %w", name, i, int32(dims[i]), ErrFormat)
		}
	}
	return dims, nil
}

func isPrefixOfMagic(b []byte, magic uint32) bool {
	var m [4]byte
	binary.BigEndian.PutUint32(m[:], magic)
	for i := range b {
		if b[i] != m[i] {
			return false
		}
	}
	return true
}

func badMagic(name string, got, want uint32) error {
	hint := ""
	switch {
	case got == magicLabels && want == magicImages:
		hint = " (this is an IDX label file)"
	case got == magicImages && want == magicLabels:
		hint = " (this is an IDX image file)"
	case got>>16 == 0x1f8b:
		hint = " (gzip data: use OpenImages/OpenLabels or decompress first)"
	}
	return fmt.Errorf("mnist: %s: magic number %08x, want %08x%s: %w", name, got, want, hint, ErrFormat)
}

// product returns a·b·c if it fits in an int (and a slice), else false.
func product(a, b, c uint32) (int64, bool) {
	ab := uint64(a) * uint64(b) // < 2⁶², cannot overflow
	if c != 0 && ab > uint64(math.MaxInt)/uint64(c) {
		return 0, false
	}
	return int64(ab * uint64(c)), true
}

// readPayload reads exactly size bytes and then checks that nothing follows.
// avail is how many bytes the source holds after the header (< 0 unknown).
// Memory grows only with data actually read, at most twice what arrived.
func readPayload(r io.Reader, size, avail int64, name, what string) ([]byte, error) {
	if avail >= 0 && avail < size {
		return nil, fmt.Errorf("mnist: %s: header claims %s (%d bytes), file holds %d: %w", name, what, size, avail, ErrTruncated)
	}
	capacity := size
	if avail < 0 {
		capacity = min(size, firstChunk)
	}
	buf := make([]byte, 0, capacity)
	for int64(len(buf)) < size {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(size, 2*int64(cap(buf))))
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF && int64(len(buf)) < size {
			return nil, fmt.Errorf("mnist: %s: header claims %s (%d bytes), file has %d: %w", name, what, size, len(buf), ErrTruncated)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) { // a compressed stream cut short
			return nil, fmt.Errorf("mnist: %s: header claims %s (%d bytes), data ends after %d (%v): %w", name, what, size, len(buf), err, ErrTruncated)
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("mnist: %s: after %d of %d bytes: %w", name, len(buf), size, sourceError(err))
		}
	}
	// Counting the rest (rather than stopping at the first extra byte) makes
	// the message useful, and for gzip it also reaches the stream's checksum.
	extra, err := io.Copy(io.Discard, r)
	if err != nil {
		return nil, fmt.Errorf("mnist: %s: after the %s: %w", name, what, sourceError(err))
	}
	if extra > 0 {
		return nil, fmt.Errorf("mnist: %s: %d unexpected bytes after the %s the header declares: %w", name, extra, what, ErrFormat)
	}
	return buf, nil
}

// sourceError classifies errors of the underlying reader: a gzip stream that
// ends early is a truncated file; a corrupt one is not an IDX file.
func sourceError(err error) error {
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: %w", ErrTruncated, err)
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader):
		return fmt.Errorf("%w: %w", ErrFormat, err)
	}
	var corrupt flate.CorruptInputError
	if errors.As(err, &corrupt) {
		return fmt.Errorf("%w: %w", ErrFormat, err)
	}
	return err
}

// OpenImages reads an image file, gzip-compressed or not (told apart by the
// gzip magic bytes 1f 8b, not by the name).
func OpenImages(path string) (*Images, error) {
	var im *Images
	err := openIDX(path, func(r io.Reader, avail int64) (err error) {
		im, err = readImages(r, path, avail)
		return err
	})
	return im, err
}

// OpenLabels reads a label file, gzip-compressed or not.
func OpenLabels(path string) ([]uint8, error) {
	var labels []uint8
	err := openIDX(path, func(r io.Reader, avail int64) (err error) {
		labels, err = readLabels(r, path, avail)
		return err
	})
	return labels, err
}

// openIDX opens path, undoes gzip if present and calls read with the
// decoded stream and its size when known (raw files only).
func openIDX(path string, read func(r io.Reader, avail int64) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("mnist: %w", err)
	}
	defer f.Close()
	var avail int64 = -1
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		avail = st.Size()
	}
	br := bufio.NewReaderSize(f, 64<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("mnist: %s: gzip: %w", path, sourceError(err))
		}
		defer zr.Close()
		return read(zr, -1)
	}
	return read(br, avail)
}
