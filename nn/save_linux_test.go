package nn

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
)

// fsizeChildEnv marks the child process of TestSaveWriteFailsAtEveryByte.
const fsizeChildEnv = "NNSIMD_TEST_FSIZE_CHILD"

// TestSaveWriteFailsAtEveryByte makes the temporary file's writes really
// fail after L bytes, for every L, by lowering the file size limit
// (RLIMIT_FSIZE: writes past it fail with EFBIG; the Go runtime ignores
// SIGXFSZ). Save must report the error, keep the previous model and remove
// its temporary file.
//
// The limit is process-wide and would also stop `go test` writing its own
// log, so the test runs itself in a child process and the parent checks
// that the child passed.
func TestSaveWriteFailsAtEveryByte(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a child process; not under -short (qemu, purego runs)")
	}
	if os.Getenv(fsizeChildEnv) != "1" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSaveWriteFailsAtEveryByte$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), fsizeChildEnv+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !bytes.Contains(out, []byte("--- PASS: TestSaveWriteFailsAtEveryByte")) {
			t.Fatalf("child process: %v\n%s", err, out)
		}
		return
	}
	dir, path, old, next := savePair(t)
	var full bytes.Buffer
	next.WriteTo(&full)
	var limit syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &limit); err != nil {
		t.Skipf("getrlimit: %v", err)
	}
	for L := 0; L < full.Len(); L++ {
		lowered := syscall.Rlimit{Cur: uint64(L), Max: limit.Max}
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lowered); err != nil {
			t.Skipf("setrlimit: %v", err)
		}
		// Nothing else may write a file while the limit is low: no logging here.
		err := next.Save(path)
		if rerr := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &limit); rerr != nil {
			t.Fatalf("restoring RLIMIT_FSIZE: %v", rerr)
		}
		if err == nil {
			t.Fatalf("Save succeeded with writes failing after %d of %d bytes", L, full.Len())
		}
		checkPrevious(t, path, old, fmt.Sprintf("after a write failing at byte %d", L))
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Fatalf("write failing at byte %d: %d directory entries left, want only the model", L, len(entries))
		}
	}
	if err := next.Save(path); err != nil {
		t.Fatal(err)
	}
	checkPrevious(t, path, full.Bytes(), "after a completed Save")
}
