package mnist

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// imageFile builds an idx3-ubyte file of n images of rows×cols pixels whose
// values follow a simple pattern, so a misplaced byte shows.
func imageFile(n, rows, cols int) []byte {
	b := binary.BigEndian.AppendUint32(nil, magicImages)
	b = binary.BigEndian.AppendUint32(b, uint32(n))
	b = binary.BigEndian.AppendUint32(b, uint32(rows))
	b = binary.BigEndian.AppendUint32(b, uint32(cols))
	for i := 0; i < n*rows*cols; i++ {
		b = append(b, byte(i*37+11))
	}
	return b
}

func labelFile(labels ...uint8) []byte {
	b := binary.BigEndian.AppendUint32(nil, magicLabels)
	b = binary.BigEndian.AppendUint32(b, uint32(len(labels)))
	return append(b, labels...)
}

// header builds an IDX header with arbitrary dimensions.
func header(magic uint32, dims ...uint32) []byte {
	b := binary.BigEndian.AppendUint32(nil, magic)
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return b
}

func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFile(t testing.TB, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func checkImages(t *testing.T, im *Images, file []byte, n, rows, cols int) {
	t.Helper()
	if im.N != n || im.Rows != rows || im.Cols != cols {
		t.Fatalf("got %d images of %d×%d, want %d of %d×%d", im.N, im.Rows, im.Cols, n, rows, cols)
	}
	if !bytes.Equal(im.Pixels, file[16:]) {
		t.Fatalf("pixels differ from the file's payload")
	}
}

func TestReadImagesRawAndGzip(t *testing.T) {
	file := imageFile(3, 4, 5)
	im, err := ReadImages(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	checkImages(t, im, file, 3, 4, 5)

	dir := t.TempDir()
	for name, content := range map[string][]byte{
		"raw":             file,
		"compressed.gz":   gzipped(t, file),
		"gzip-no-gz-name": gzipped(t, file), // detected by content, not name
	} {
		im, err := OpenImages(writeFile(t, dir, name, content))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkImages(t, im, file, 3, 4, 5)
	}
}

func TestReadLabelsRawAndGzip(t *testing.T) {
	want := []uint8{7, 2, 1, 0, 4, 1, 4, 9, 5, 9}
	file := labelFile(want...)
	got, err := ReadLabels(bytes.NewReader(file))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("ReadLabels = %v, %v; want %v", got, err, want)
	}
	dir := t.TempDir()
	for name, content := range map[string][]byte{"raw": file, "labels.gz": gzipped(t, file)} {
		got, err := OpenLabels(writeFile(t, dir, name, content))
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: OpenLabels = %v, %v; want %v", name, got, err, want)
		}
	}
}

func TestEmptySetIsValid(t *testing.T) {
	im, err := ReadImages(bytes.NewReader(imageFile(0, 28, 28)))
	if err != nil || im.N != 0 || len(im.Pixels) != 0 {
		t.Fatalf("ReadImages(0 images) = %+v, %v", im, err)
	}
	labels, err := ReadLabels(bytes.NewReader(labelFile()))
	if err != nil || len(labels) != 0 {
		t.Fatalf("ReadLabels(0 labels) = %v, %v", labels, err)
	}
}

// Every proper prefix of a valid file is truncated, through every entry
// point: reader, raw file (size known from stat) and gzip stream.
func TestTruncatedAtEveryLength(t *testing.T) {
	dir := t.TempDir()
	images := imageFile(2, 3, 4)
	labels := labelFile(1, 2, 3, 4, 5)
	readers := []struct {
		name string
		file []byte
		read func(r []byte) error
		open func(path string) error
	}{
		{"images", images,
			func(b []byte) error { _, err := ReadImages(bytes.NewReader(b)); return err },
			func(p string) error { _, err := OpenImages(p); return err }},
		{"labels", labels,
			func(b []byte) error { _, err := ReadLabels(bytes.NewReader(b)); return err },
			func(p string) error { _, err := OpenLabels(p); return err }},
	}
	for _, r := range readers {
		for n := 0; n < len(r.file); n++ {
			prefix := r.file[:n]
			if err := r.read(prefix); !errors.Is(err, ErrTruncated) {
				t.Errorf("%s: Read of %d/%d bytes: %v, want ErrTruncated", r.name, n, len(r.file), err)
			}
			if err := r.open(writeFile(t, dir, "raw", prefix)); !errors.Is(err, ErrTruncated) {
				t.Errorf("%s: Open of raw %d/%d bytes: %v, want ErrTruncated", r.name, n, len(r.file), err)
			}
			// The whole gzip stream of a truncated payload is intact...
			if err := r.open(writeFile(t, dir, "whole.gz", gzipped(t, prefix))); !errors.Is(err, ErrTruncated) {
				t.Errorf("%s: Open of gzip of %d/%d bytes: %v, want ErrTruncated", r.name, n, len(r.file), err)
			}
		}
		// ...and a gzip stream cut anywhere after its magic bytes is
		// truncated too, even when the cut is in the checksum trailer.
		z := gzipped(t, r.file)
		for n := 2; n < len(z); n++ {
			if err := r.open(writeFile(t, dir, "cut.gz", z[:n])); !errors.Is(err, ErrTruncated) {
				t.Errorf("%s: Open of gzip cut at %d/%d bytes: %v, want ErrTruncated", r.name, n, len(z), err)
			}
		}
	}
}

func TestTrailingBytes(t *testing.T) {
	file := append(imageFile(2, 3, 4), 0xAA, 0xBB, 0xCC)
	_, err := ReadImages(bytes.NewReader(file))
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "3 unexpected bytes after the 2 images of 3×4 pixels") {
		t.Errorf("images with 3 trailing bytes: %v", err)
	}
	dir := t.TempDir()
	_, err = OpenLabels(writeFile(t, dir, "l.gz", gzipped(t, append(labelFile(1, 2), 9))))
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "1 unexpected bytes after the 2 labels") {
		t.Errorf("labels with a trailing byte: %v", err)
	}
}

type headerCase struct {
	name    string
	file    []byte
	labels  bool // read with ReadLabels instead of ReadImages
	want    error
	message string
}

func TestBadHeaders(t *testing.T) {
	cases := []headerCase{
		{"label file as images", labelFile(1, 2, 3), false, ErrFormat, "this is an IDX label file"},
		{"image file as labels", imageFile(1, 2, 2), true, ErrFormat, "this is an IDX image file"},
		{"gzip given to the raw reader", gzipped(t, imageFile(1, 2, 2)), false, ErrFormat, "gzip data"},
		{"float IDX", header(0x00000D03, 1, 1, 1), false, ErrFormat, "magic number 00000d03, want 00000803"},
		{"text file", []byte("hello, world\n"), false, ErrFormat, "magic number"},
		{"short text file", []byte("hi"), false, ErrFormat, "file starts with"},
		{"zero rows", header(magicImages, 5, 0, 28), false, ErrFormat, "0×28 pixels per image"},
		{"zero cols", header(magicImages, 5, 28, 0), false, ErrFormat, "28×0 pixels per image"},
		{"negative count", header(magicImages, 0x80000000, 28, 28), false, ErrFormat, "negative"},
		{"negative label count", header(magicLabels, 0xFFFFFFFF), true, ErrFormat, "negative"},
	}
	if strconv.IntSize == 64 {
		// A 32-bit int cannot even index these sizes; there they are ErrFormat.
		cases = append(cases,
			headerCase{"huge count", header(magicImages, 1e9, 28, 28), false, ErrTruncated, "1000000000 images of 28×28"},
			headerCase{"product overflows", header(magicImages, 0x7FFFFFFF, 0x7FFFFFFF, 0x7FFFFFFF), false, ErrFormat, "more than any file can hold"})
	}
	for _, c := range cases {
		var err error
		if c.labels {
			_, err = ReadLabels(bytes.NewReader(c.file))
		} else {
			_, err = ReadImages(bytes.NewReader(c.file))
		}
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.message) {
			t.Errorf("%s: got %v, want %v mentioning %q", c.name, err, c.want, c.message)
		}
	}
}

// bytesAllocated runs f and returns how many bytes it allocated.
func bytesAllocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A header that claims far more data than there is must fail fast, with
// memory proportional to the data, not to the claim.
func TestHugeCountBoundedAllocation(t *testing.T) {
	if strconv.IntSize < 64 {
		t.Skip("the claimed size does not fit a 32-bit int")
	}
	lying := append(header(magicImages, 1e9, 28, 28), make([]byte, 1024)...)
	lyingLabels := append(header(magicLabels, 2e9), make([]byte, 1024)...)
	dir := t.TempDir()
	rawPath := writeFile(t, dir, "raw", lying)
	gzPath := writeFile(t, dir, "lying.gz", gzipped(t, lying))
	labelsPath := writeFile(t, dir, "labels.gz", gzipped(t, lyingLabels))

	const limit = 1 << 20 // the buffers of bufio, gzip and the first payload chunk fit well below this
	for _, c := range []struct {
		name string
		run  func() error
	}{
		{"ReadImages", func() error { _, err := ReadImages(bytes.NewReader(lying)); return err }},
		{"ReadLabels", func() error { _, err := ReadLabels(bytes.NewReader(lyingLabels)); return err }},
		{"OpenImages raw", func() error { _, err := OpenImages(rawPath); return err }},
		{"OpenImages gzip", func() error { _, err := OpenImages(gzPath); return err }},
		{"OpenLabels gzip", func() error { _, err := OpenLabels(labelsPath); return err }},
	} {
		var err error
		start := time.Now()
		allocated := bytesAllocated(func() { err = c.run() })
		elapsed := time.Since(start)
		if !errors.Is(err, ErrTruncated) {
			t.Errorf("%s: %v, want ErrTruncated", c.name, err)
		}
		if allocated > limit {
			t.Errorf("%s: allocated %d bytes for a 1 KB payload, want ≤ %d", c.name, allocated, limit)
		}
		if elapsed > time.Second {
			t.Errorf("%s: took %v", c.name, elapsed)
		}
	}
}

// A raw file's size is known before reading, so a lying header is refused
// without reading the payload at all, and a true one gets one exact buffer.
func TestRawFileUsesItsSize(t *testing.T) {
	dir := t.TempDir()
	file := imageFile(100, 28, 28)
	path := writeFile(t, dir, "images", file)
	payload := uint64(len(file) - 16)
	allocated := bytesAllocated(func() {
		if _, err := OpenImages(path); err != nil {
			t.Error(err)
		}
	})
	// One payload buffer plus small fixed overheads (bufio, os.File, errors).
	if allocated > payload+128<<10 {
		t.Errorf("OpenImages allocated %d bytes for a %d-byte payload", allocated, payload)
	}
}

func TestOpenMissingFile(t *testing.T) {
	_, err := OpenImages(filepath.Join(t.TempDir(), "nope"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenImages of a missing file: %v, want os.ErrNotExist", err)
	}
}

func TestCorruptGzip(t *testing.T) {
	z := gzipped(t, imageFile(4, 8, 8))
	// Flip a byte of the stored CRC-32 (the trailer's first 4 bytes).
	z[len(z)-8] ^= 0xFF
	_, err := OpenImages(writeFile(t, t.TempDir(), "bad.gz", z))
	if !errors.Is(err, ErrFormat) || !errors.Is(err, gzip.ErrChecksum) {
		t.Errorf("gzip with a bad checksum: %v, want ErrFormat and gzip.ErrChecksum", err)
	}
}

func FuzzReadImages(f *testing.F) {
	f.Add(imageFile(2, 3, 4))
	f.Add(imageFile(0, 1, 1))
	f.Add(imageFile(1, 28, 28)[:100])
	f.Add(append(imageFile(1, 2, 2), 0))
	f.Add(header(magicImages, 1e9, 28, 28))
	f.Add(header(magicImages, 0x7FFFFFFF, 0x7FFFFFFF, 0x7FFFFFFF))
	f.Add(labelFile(1, 2, 3))
	f.Fuzz(func(t *testing.T, data []byte) {
		im, err := ReadImages(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrTruncated) {
				t.Fatalf("error is neither ErrFormat nor ErrTruncated: %v", err)
			}
			return
		}
		if im.Rows <= 0 || im.Cols <= 0 || im.N < 0 || len(im.Pixels) != im.N*im.Rows*im.Cols {
			t.Fatalf("accepted inconsistent images: N=%d %d×%d, %d pixels", im.N, im.Rows, im.Cols, len(im.Pixels))
		}
		if len(data) != 16+len(im.Pixels) || !bytes.Equal(im.Pixels, data[16:]) {
			t.Fatalf("pixels are not exactly the %d bytes after the header of a %d-byte file", len(im.Pixels), len(data))
		}
	})
}

func FuzzReadLabels(f *testing.F) {
	f.Add(labelFile(7, 2, 1, 0, 4))
	f.Add(labelFile())
	f.Add(labelFile(1, 2, 3)[:9])
	f.Add(append(labelFile(5), 5))
	f.Add(header(magicLabels, 2e9))
	f.Add(imageFile(1, 1, 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		labels, err := ReadLabels(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrTruncated) {
				t.Fatalf("error is neither ErrFormat nor ErrTruncated: %v", err)
			}
			return
		}
		if len(data) != 8+len(labels) || !bytes.Equal(labels, data[8:]) {
			t.Fatalf("labels are not exactly the %d bytes after the header of a %d-byte file", len(labels), len(data))
		}
		if n := binary.BigEndian.Uint32(data[4:]); int(n) != len(labels) {
			t.Fatalf("header says %d labels, got %d", n, len(labels))
		}
	})
}
