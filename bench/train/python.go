package main

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/nnsimd/nnsimd/bench"
)

// The peer scripts travel inside the binary, so `go run ./bench/train`
// works from any folder; they are written to a temporary folder to run.
//
//go:embed peers/*.py
var peerScripts embed.FS

// pythonRunner runs the Python peers with one interpreter.
type pythonRunner struct {
	python  string // e.g. /usr/bin/python3 (Debian's numpy and torch)
	dir     string // where the scripts were unpacked
	timeout time.Duration
	// coreEnv is OPENBLAS_CORETYPE=… for every script, when chooseCore
	// set it, else empty.
	coreEnv []string
}

// openblasCoreScript prints the core OpenBLAS picks on this CPU, as numpy
// and torch (which Debian links to the same OpenBLAS) load it.
const openblasCoreScript = `import ctypes, ctypes.util
name = ctypes.util.find_library("openblas")
if name is None:
    raise SystemExit("no OpenBLAS library found")
lib = ctypes.CDLL(name)
lib.openblas_get_corename.restype = ctypes.c_char_p
print(lib.openblas_get_corename().decode())
`

// chooseCore asks OpenBLAS which core it picks here when OPENBLAS_CORETYPE
// is unset. If it fell back to its generic one, the scripts run with
// OPENBLAS_CORETYPE naming its best kernels for this CPU instead (see
// bench.BetterOpenBLASCore): a peer slowed by OpenBLAS's CPU table would
// flatter nnsimd. It returns what the header should say about it.
func (p *pythonRunner) chooseCore() string {
	if v, set := os.LookupEnv("OPENBLAS_CORETYPE"); set {
		return "OPENBLAS_CORETYPE=" + v + " (passed on unchanged)"
	}
	out, err := exec.Command(p.python, "-c", openblasCoreScript).Output()
	if err != nil {
		return fmt.Sprintf("OPENBLAS_CORETYPE unset; OpenBLAS's core not known (%v)", err)
	}
	picked := strings.TrimSpace(string(out))
	core, ok := bench.BetterOpenBLASCore(picked)
	if !ok {
		return "OPENBLAS_CORETYPE unset; OpenBLAS picks its " + picked + " core"
	}
	p.coreEnv = []string{"OPENBLAS_CORETYPE=" + core}
	return fmt.Sprintf("OPENBLAS_CORETYPE=%s set for the peers: by itself OpenBLAS picks its generic %s core on this CPU", core, picked)
}

// newPythonRunner unpacks the scripts; call cleanup when done.
func newPythonRunner(python string, timeout time.Duration) (*pythonRunner, func(), error) {
	dir, err := os.MkdirTemp("", "nnsimd-train-peers-")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	names, err := fs.Glob(peerScripts, "peers/*.py")
	if err == nil && len(names) == 0 {
		err = fmt.Errorf("no peer scripts embedded")
	}
	for _, name := range names {
		if err != nil {
			break
		}
		var b []byte
		if b, err = peerScripts.ReadFile(name); err == nil {
			err = os.WriteFile(filepath.Join(dir, filepath.Base(name)), b, 0o644)
		}
	}
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return &pythonRunner{python: python, dir: dir, timeout: timeout}, cleanup, nil
}

// peerLine is the JSON line a peer script prints last on stdout.
type peerLine struct {
	Peer            string    `json:"peer"`
	Threads         int       `json:"threads"`
	SecondsPerEpoch float64   `json:"seconds_per_epoch"`
	SamplesPerSec   float64   `json:"samples_per_s"`
	TestAcc         float64   `json:"test_acc"`
	Samples         int       `json:"samples"`
	EpochSeconds    []float64 `json:"epoch_seconds"`
	EpochAcc        []float64 `json:"epoch_acc"`
	EpochCPU        []float64 `json:"epoch_cpu_seconds"`
	ReachedEpoch    int       `json:"reached_epoch"`
	Note            string    `json:"note"`
}

// caseArgs are the command-line flags that give a script case c.
func caseArgs(c Case, d Data, reps int) []string {
	args := []string{"--mnist", d.Dir, "--sizes", joinInts(c.Sizes, ","),
		"--lr", fmt.Sprint(c.LR), "--epochs", strconv.Itoa(c.Epochs),
		"--seed", strconv.FormatUint(c.Seed, 10), "--reps", strconv.Itoa(max(reps, 1))}
	if c.PerSample {
		return append(args, "--init-scale", fmt.Sprint(c.InitScale))
	}
	args = append(args, "--batch", strconv.Itoa(c.Batch), "--momentum", fmt.Sprint(c.Momentum))
	if c.TargetAcc > 0 {
		args = append(args, "--target-acc", fmt.Sprint(c.TargetAcc))
	}
	return args
}

// nnsimdFitScript is the python peer: nnsimd.Network.fit.
const nnsimdFitScript = "nnsimd_fit.py"

// nnsimdPythonEnv is the environment the python peer adds to the child's:
// the package folder pkgDir (holding nnsimd/) first on PYTHONPATH and
// NNSIMD_LIB the library, both as given (parseOptions makes them
// absolute). It fails, saying how to fix it, if either is missing.
func nnsimdPythonEnv(pkgDir, lib string) ([]string, error) {
	if _, err := os.Stat(lib); err != nil {
		return nil, fmt.Errorf("-lib %s: the nnsimd library is missing (run `make lib` in the repository): %v", lib, err)
	}
	if _, err := os.Stat(filepath.Join(pkgDir, "nnsimd", "__init__.py")); err != nil {
		return nil, fmt.Errorf("-nnsimd-python %s: no nnsimd package there (want the repository's python/ folder): %v", pkgDir, err)
	}
	path := pkgDir
	if old := os.Getenv("PYTHONPATH"); old != "" {
		path += string(os.PathListSeparator) + old
	}
	return []string{"PYTHONPATH=" + path, "NNSIMD_LIB=" + lib}, nil
}

// run runs script with args on threads threads and returns its result,
// labelled peer. Every thread pool the child may use (OpenBLAS, OpenMP,
// torch's) gets threads; OPENBLAS_CORETYPE (unless chooseCore set it) and
// OPENBLAS_L2_SIZE are passed on as they are. env entries are added last,
// so they override.
func (p *pythonRunner) run(suite, peer, script string, args []string, threads int, env ...string) (Result, error) {
	res := Result{Suite: suite, Peer: peer, Threads: threads}
	ctx, cancel := context.WithTimeout(context.Background(), p.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, p.python, append([]string{filepath.Join(p.dir, script), "--threads", strconv.Itoa(threads)}, args...)...)
	n := strconv.Itoa(threads)
	cmd.Env = append(os.Environ(), "OPENBLAS_NUM_THREADS="+n, "OMP_NUM_THREADS="+n, "MKL_NUM_THREADS="+n)
	cmd.Env = append(cmd.Env, p.coreEnv...)
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return res, fmt.Errorf("%s %s: %v: %s", filepath.Base(p.python), script, err, lastLine(stderr.String()))
	}
	out := lastLine(stdout.String())
	var line peerLine
	if err := json.Unmarshal([]byte(out), &line); err != nil {
		return res, fmt.Errorf("%s: last line of output %q is not a result: %v", script, out, err)
	}
	if e := len(line.EpochSeconds); e == 0 || e != len(line.EpochAcc) || e != len(line.EpochCPU) || line.Samples < 1 {
		return res, fmt.Errorf("%s: result has %d epoch times, %d CPU times, %d accuracies, %d samples; want as many of each kind, ≥ 1",
			script, len(line.EpochSeconds), len(line.EpochCPU), len(line.EpochAcc), line.Samples)
	}
	res.Samples, res.EpochSeconds, res.EpochAcc, res.EpochCPU = line.Samples, line.EpochSeconds, line.EpochAcc, line.EpochCPU
	res.ReachedEpoch, res.Note = line.ReachedEpoch, line.Note
	return res, nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
