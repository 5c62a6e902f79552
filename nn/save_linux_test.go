package nn

import (
	"bytes"
	"fmt"
	"os"
	"syscall"
	"testing"
)

// TestSaveWriteFailsAtEveryByte makes the temporary file's writes really
// fail after L bytes, for every L, by lowering the file size limit
// (RLIMIT_FSIZE: writes past it fail with EFBIG; the Go runtime ignores
// SIGXFSZ). Save must report the error, keep the previous model and remove
// its temporary file.
func TestSaveWriteFailsAtEveryByte(t *testing.T) {
	if testing.Short() {
		t.Skip("changes a process-wide limit; not under -short (qemu, purego runs)")
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
