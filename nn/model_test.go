package nn

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
)

var modelErrors = []error{ErrBadMagic, ErrVersion, ErrTruncated, ErrChecksum, ErrCorrupt}

func namedModelError(err error) bool {
	for _, e := range modelErrors {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func smallModel(t *testing.T) (*Network, []byte) {
	t.Helper()
	n, err := New(Config{Sizes: []int{3, 4, 2}, Hidden: Tanh, Output: Softmax, Loss: CrossEntropy, Bias: true, Init: He, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	copy(n.Biases(0), []float32{0.5, -0.25, 1e-30, -7})
	var buf bytes.Buffer
	k, err := n.WriteTo(&buf)
	if err != nil || k != int64(buf.Len()) {
		t.Fatalf("WriteTo = %d, %v; wrote %d bytes", k, err, buf.Len())
	}
	return n, buf.Bytes()
}

func TestModelRoundTrip(t *testing.T) {
	n, data := smallModel(t)
	// magic, version, header, 3 sizes, 3·4+4 + 4·2+2 parameters, checksum
	if want := 32 + 12 + 4*(12+4+8+2) + 4; len(data) != want {
		t.Errorf("model file is %d bytes, want %d", len(data), want)
	}
	m, err := ReadNetwork(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m.Config(), n.Config()) {
		t.Errorf("config %+v, want %+v", m.Config(), n.Config())
	}
	if !sameBits(weightBits(m), weightBits(n)) {
		t.Error("weights differ after the round trip")
	}
	path := filepath.Join(t.TempDir(), "model.nnsm")
	if err := n.Save(path); err != nil {
		t.Fatal(err)
	}
	onDisk, _ := os.ReadFile(path)
	if !bytes.Equal(onDisk, data) {
		t.Error("Save wrote different bytes from WriteTo")
	}
	m, err = Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !sameBits(weightBits(m), weightBits(n)) || !reflect.DeepEqual(m.Config(), n.Config()) {
		t.Error("Load does not give back the saved network")
	}
	x := []float32{0.1, -0.7, 2}
	a, b := append([]float32(nil), n.Forward(x)...), m.Forward(x)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("loaded network predicts %v, original %v", b, a)
	}
	// The loaded network trains like the original.
	y := []float32{0, 1}
	n.Fit(x, y, 1, TrainConfig{Epochs: 2, LR: 0.1})
	m.Fit(x, y, 1, TrainConfig{Epochs: 2, LR: 0.1})
	if !sameBits(weightBits(m), weightBits(n)) {
		t.Error("loaded network trains differently")
	}
}

func TestModelTruncated(t *testing.T) {
	_, data := smallModel(t)
	for k := 0; k < len(data); k++ {
		_, err := ReadNetwork(bytes.NewReader(data[:k]))
		if !errors.Is(err, ErrTruncated) {
			t.Errorf("first %d of %d bytes: %v, want ErrTruncated", k, len(data), err)
		}
	}
	path := filepath.Join(t.TempDir(), "cut.nnsm")
	os.WriteFile(path, data[:len(data)-1], 0o644)
	if _, err := Load(path); !errors.Is(err, ErrTruncated) {
		t.Errorf("Load of a file missing its last byte: %v", err)
	}
	os.WriteFile(path, append(append([]byte(nil), data...), 0), 0o644)
	if _, err := Load(path); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Load of a file with a trailing byte: %v", err)
	}
}

func TestModelEveryByteFlipped(t *testing.T) {
	_, data := smallModel(t)
	for i := range data {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			bad := append([]byte(nil), data...)
			bad[i] ^= mask
			_, err := ReadNetwork(bytes.NewReader(bad))
			if !namedModelError(err) {
				t.Errorf("byte %d ^ %#x: %v, want a named model file error", i, mask, err)
			}
		}
	}
	bad := append([]byte(nil), data...)
	bad[0] = 'X'
	if _, err := ReadNetwork(bytes.NewReader(bad)); !errors.Is(err, ErrBadMagic) {
		t.Errorf("wrong magic: %v", err)
	}
	bad = append([]byte(nil), data...)
	bad[4] = 2
	if _, err := ReadNetwork(bytes.NewReader(bad)); !errors.Is(err, ErrVersion) {
		t.Errorf("version 2: %v", err)
	}
	bad = append([]byte(nil), data...)
	bad[50] ^= 1 // a weight
	if _, err := ReadNetwork(bytes.NewReader(bad)); !errors.Is(err, ErrChecksum) {
		t.Errorf("flipped weight bit: %v", err)
	}
}

// craft builds a model file with the given sizes and parameter bytes, and a
// correct checksum, to test what the reader does with absurd headers.
func craft(sizes []uint32, params []byte) []byte {
	h := make([]byte, 32)
	copy(h, modelMagic)
	binary.LittleEndian.PutUint32(h[4:], modelVersion)
	binary.LittleEndian.PutUint32(h[8:], uint32(len(sizes)))
	binary.LittleEndian.PutUint32(h[20:], 0x3dcccccd) // InitScale 0.1
	for _, s := range sizes {
		h = binary.LittleEndian.AppendUint32(h, s)
	}
	h = append(h, params...)
	return binary.LittleEndian.AppendUint32(h, crc32.ChecksumIEEE(h))
}

func TestModelAbsurdHeader(t *testing.T) {
	if _, err := ReadNetwork(bytes.NewReader(craft([]uint32{2, 1}, make([]byte, 8)))); err != nil {
		t.Fatalf("a valid crafted file: %v", err)
	}
	corrupt := [][]uint32{
		{5},                      // one size
		{0, 3},                   // a zero width
		{1 << 20, 1 << 20},       // 2^40 weights
		{1 << 31, 1},             // beyond the width limit
		make([]uint32, 1<<12),    // too many layers
		{3, 2, 0xffffffff, 1, 4}, // a huge width in the middle
	}
	for _, s := range corrupt {
		_, err := ReadNetwork(bytes.NewReader(craft(s, nil)))
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("sizes %v: %v, want ErrCorrupt", s[:min(len(s), 5)], err)
		}
	}
	// Plausible sizes that claim far more weights than the file holds are
	// found truncated without allocating for the claim (2^30 floats, 4 GiB).
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ReadNetwork(bytes.NewReader(craft([]uint32{1 << 10, 1 << 20}, make([]byte, 1000))))
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTruncated) {
		t.Errorf("2^30 weights claimed, 1000 bytes present: %v, want ErrTruncated", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
		t.Errorf("reading it allocated %d bytes", got)
	}
	// Codes out of range.
	for _, off := range []int{12, 13, 14, 16, 17} {
		data := craft([]uint32{2, 1}, make([]byte, 8))
		data[off] = 9
		binary.LittleEndian.PutUint32(data[len(data)-4:], crc32.ChecksumIEEE(data[:len(data)-4]))
		if _, err := ReadNetwork(bytes.NewReader(data)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("header byte %d = 9: %v, want ErrCorrupt", off, err)
		}
	}
}

// TestSaveFailureKeepsOldFile makes the final rename of Save fail and checks
// that the previous model is intact and no temporary file is left behind.
func TestSaveFailureKeepsOldFile(t *testing.T) {
	n, old := smallModel(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "model.nnsm")
	os.WriteFile(path, old, 0o644)
	defer func() { rename = os.Rename }()
	rename = func(string, string) error { return errors.New("disk on fire") }
	rng := rand.New(rand.NewPCG(1, 1))
	copy(n.Weights(0), randVec(rng, 12, -1, 1))
	if err := n.Save(path); err == nil {
		t.Fatal("Save succeeded with a failing rename")
	}
	got, _ := os.ReadFile(path)
	if !bytes.Equal(got, old) {
		t.Error("the old model file changed")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries after the failed Save, want only the old model", len(entries))
	}
	if err := n.Save(filepath.Join(dir, "missing", "m.nnsm")); err == nil {
		t.Error("Save into a missing directory succeeded")
	}
}
