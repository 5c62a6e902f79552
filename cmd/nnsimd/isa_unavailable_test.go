package main

import (
	"bytes"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/nnsimd/nnsimd/kernels"
)

// foreignISA is an ISA name the kernels know but this machine cannot run.
func foreignISA() string {
	if slices.Contains(kernels.Available(), "avx2") {
		return "neon"
	}
	return "avx2"
}

// Asking for an ISA this machine lacks is a clear usage error, before any
// data is read, through -isa and through NNSIMD_ISA (issue 6).
func TestUnavailableISA(t *testing.T) {
	isa := foreignISA()
	before := kernels.ISA()
	runArgs(t, "train", "-isa", isa, "-data", t.TempDir()).failsWith(t, exitUsage, `ISA "`+isa+`"`)
	if kernels.ISA() != before {
		t.Errorf("a refused -isa %s changed the ISA from %s to %s", isa, before, kernels.ISA())
	}

	// NNSIMD_ISA is read at start-up: run this test binary again with it set.
	cmd := exec.Command(os.Args[0], "-test.run=^TestCLIHelperProcess$")
	cmd.Env = append(os.Environ(), "NNSIMD_ISA="+isa, "NNSIMD_TEST_RUN_CLI=train")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	exit, ok := err.(*exec.ExitError)
	if !ok || exit.ExitCode() != exitUsage {
		t.Fatalf("NNSIMD_ISA=%s nnsimd train: %v, want exit status %d; stderr %q", isa, err, exitUsage, stderr.String())
	}
	if msg := stderr.String(); !strings.HasPrefix(msg, "nnsimd: NNSIMD_ISA: ") || !strings.Contains(msg, `"`+isa+`"`) {
		t.Errorf("NNSIMD_ISA=%s nnsimd train: stderr %q, want one line naming NNSIMD_ISA and %q", isa, msg, isa)
	}
}

// TestCLIHelperProcess is the command itself when NNSIMD_TEST_RUN_CLI holds
// its arguments; otherwise it does nothing.
func TestCLIHelperProcess(t *testing.T) {
	args := os.Getenv("NNSIMD_TEST_RUN_CLI")
	if args == "" {
		t.Skip("only run as a helper process")
	}
	os.Exit(run(&env{stdout: os.Stdout, stderr: os.Stderr}, strings.Fields(args)))
}
