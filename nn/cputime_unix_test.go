//go:build unix

package nn

import "syscall"

// cpuSeconds returns the process's user+system CPU time, which on a busy
// machine measures a benchmark better than the wall clock.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
