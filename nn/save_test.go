package nn

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// savePair gives a saved model file (the "previous" one) and a different
// network whose Save is then interrupted.
func savePair(t *testing.T) (dir, path string, old []byte, next *Network) {
	t.Helper()
	_, old = smallModel(t)
	next, err := New(Config{Sizes: []int{3, 4, 2}, Hidden: ReLU, Output: Softmax, Loss: CrossEntropy, Bias: true, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	path = filepath.Join(dir, "model.nnsm")
	if err := os.WriteFile(path, old, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, path, old, next
}

// checkPrevious asserts that path still holds exactly old and loads as it.
func checkPrevious(t *testing.T, path string, old []byte, when string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, old) {
		t.Fatalf("%s: the previous model file changed (%d bytes, %v)", when, len(got), err)
	}
	m, err := Load(path)
	if err != nil {
		t.Fatalf("%s: the previous model no longer loads: %v", when, err)
	}
	want, _ := ReadNetwork(bytes.NewReader(old))
	if !sameBits(weightBits(m), weightBits(want)) || !reflect.DeepEqual(m.Config(), want.Config()) {
		t.Fatalf("%s: the previous model loads as a different network", when)
	}
}

// TestSaveCrashAtEveryByte simulates a crash (power cut, kill -9) during
// Save after each possible number of bytes reached the temporary file: the
// crash happens just before the rename, with the temporary file cut to L
// bytes and left behind as a crashed process would leave it. The model at
// path must be the previous one, loadable, and the debris must never pass
// for a model.
func TestSaveCrashAtEveryByte(t *testing.T) {
	dir, path, old, next := savePair(t)
	var full bytes.Buffer
	next.WriteTo(&full)
	errCrash := errors.New("simulated crash before rename")
	defer func() { rename = os.Rename }()
	for L := 0; L <= full.Len(); L++ {
		debris := filepath.Join(dir, "crashed.tmp")
		rename = func(tmp, dst string) error {
			// Until the rename, Save has not touched the destination.
			checkPrevious(t, dst, old, "before the rename")
			if err := os.Truncate(tmp, int64(L)); err != nil {
				return err
			}
			if err := os.Link(tmp, debris); err != nil { // survives Save's cleanup
				return err
			}
			return errCrash
		}
		if err := next.Save(path); !errors.Is(err, errCrash) {
			t.Fatalf("L=%d: Save = %v, want the simulated crash", L, err)
		}
		checkPrevious(t, path, old, fmt.Sprintf("after a crash at byte %d", L))
		_, err := Load(debris)
		switch {
		case L < full.Len() && !errors.Is(err, ErrTruncated):
			t.Errorf("the first %d of %d bytes load with %v, want ErrTruncated", L, full.Len(), err)
		case L == full.Len() && err != nil:
			t.Errorf("the complete temporary file does not load: %v", err)
		}
		os.Remove(debris)
	}
	// After all that, a Save that completes replaces the model, and the
	// temporary files of the failed ones are gone.
	rename = os.Rename
	if err := next.Save(path); err != nil {
		t.Fatal(err)
	}
	checkPrevious(t, path, full.Bytes(), "after a completed Save")
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 1 {
		t.Errorf("directory holds %s, want only model.nnsm", strings.Join(names, ", "))
	}
}

// TestLoadDetectsEveryByteValue extends TestModelEveryByteFlipped (three
// masks) to every wrong value of every byte, read back through Load from a
// file: CRC-32 detects any error within one byte, so each must be refused
// with a named error, and never yield a network.
func TestLoadDetectsEveryByteValue(t *testing.T) {
	_, data := smallModel(t)
	bad := append([]byte(nil), data...)
	step := 1
	if testing.Short() {
		step = 29 // a sample of values: -short runs under qemu and -race
	}
	for i := range data {
		for v := i % step; v < 256; v += step {
			if byte(v) == data[i] {
				continue
			}
			bad[i] = byte(v)
			n, err := ReadNetwork(bytes.NewReader(bad))
			if n != nil || !namedModelError(err) {
				t.Fatalf("byte %d = %#02x (was %#02x): network %v, error %v", i, v, data[i], n != nil, err)
			}
		}
		bad[i] = data[i]
	}
	// And through a file, one corruption per byte.
	path := filepath.Join(t.TempDir(), "bad.nnsm")
	for i := range data {
		bad[i] = ^data[i]
		os.WriteFile(path, bad, 0o644)
		if n, err := Load(path); n != nil || !namedModelError(err) {
			t.Fatalf("Load with byte %d inverted: network %v, error %v", i, n != nil, err)
		}
		bad[i] = data[i]
	}
}
