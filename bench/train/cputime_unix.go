//go:build unix

package main

import "syscall"

// cpuSeconds returns the process's user+system CPU time over all threads.
// Beside the wall clock it shows how much a run was crowded out on a busy
// machine (wall ≫ CPU for one thread) or spun (CPU ≫ wall × threads).
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
