package bench

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// CPUTimes is the machine's CPU time so far, over all its CPUs, in the
// kernel's ticks: Steal is the time a hypervisor ran something else while
// a virtual CPU of ours wanted to run. On a shared virtual machine that
// is the noise no figure taken inside the guest shows (the load average
// counts only the guest's own work), so the benches report it beside
// their times.
type CPUTimes struct {
	Steal, Total uint64
}

// ReadCPUTimes reads the aggregate line of /proc/stat; ok is false where
// there is none (not Linux) or it has no steal field (before Linux 2.6.11).
func ReadCPUTimes() (t CPUTimes, ok bool) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return CPUTimes{}, false
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil {
		return CPUTimes{}, false
	}
	t, err = ParseCPUTimes(line)
	return t, err == nil
}

// ParseCPUTimes parses the aggregate "cpu" line of /proc/stat: user, nice,
// system, idle, iowait, irq, softirq and steal ticks, then guest and
// guest_nice, which user and nice already include and Total leaves out.
func ParseCPUTimes(line string) (CPUTimes, error) {
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return CPUTimes{}, fmt.Errorf("bench: %q is not the aggregate cpu line of /proc/stat with a steal field", strings.TrimSpace(line))
	}
	var t CPUTimes
	for i, s := range f[1:9] {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return CPUTimes{}, fmt.Errorf("bench: /proc/stat cpu field %d: %w", i+1, err)
		}
		t.Total += v
		if i == 7 {
			t.Steal = v
		}
	}
	return t, nil
}

// minStealTicks is the fewest ticks StealPercent takes a share of: with
// fewer, one tick more or less of steal would move it by over 2 points
// (the kernel counts 100 ticks a second on each CPU).
const minStealTicks = 50

// StealPercent returns the share of the machine's CPU time from a to b
// that the hypervisor took, in percent, and false if fewer than
// minStealTicks ticks passed between them (or the counters went back).
func StealPercent(a, b CPUTimes) (float64, bool) {
	if b.Total < a.Total+minStealTicks || b.Steal < a.Steal {
		return 0, false
	}
	return 100 * float64(b.Steal-a.Steal) / float64(b.Total-a.Total), true
}
