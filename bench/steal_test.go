package bench

import (
	"runtime"
	"testing"
)

func TestParseCPUTimes(t *testing.T) {
	got, err := ParseCPUTimes("cpu  100 5 50 800 10 1 2 32 7 0\n")
	if err != nil {
		t.Fatal(err)
	}
	// guest (7) is already in user (100) and must not count twice.
	if want := (CPUTimes{Steal: 32, Total: 1000}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	for _, bad := range []string{
		"",
		"cpu0 100 5 50 800 10 1 2 32",    // one CPU's line, not the aggregate
		"cpu  100 5 50 800 10 1 2",       // no steal field
		"cpu  100 5 50 800 10 1 2 x 7 0", // not a number
		"intr 12 3 4 5 6 7 8 9 10",
	} {
		if _, err := ParseCPUTimes(bad); err == nil {
			t.Errorf("ParseCPUTimes(%q) took it", bad)
		}
	}
}

func TestStealPercent(t *testing.T) {
	a := CPUTimes{Steal: 10, Total: 1000}
	if p, ok := StealPercent(a, CPUTimes{Steal: 40, Total: 1200}); !ok || p != 15 {
		t.Errorf("StealPercent = %v, %v; want 15, true", p, ok)
	}
	if p, ok := StealPercent(a, a); ok {
		t.Errorf("no tick passed, StealPercent = %v, true", p)
	}
	if p, ok := StealPercent(a, CPUTimes{Steal: 20, Total: 1000 + minStealTicks - 1}); ok {
		t.Errorf("too few ticks passed, StealPercent = %v, true", p)
	}
	if _, ok := StealPercent(CPUTimes{Steal: 50, Total: 900}, a); ok {
		t.Error("counters that went backwards were taken")
	}
}

func TestReadCPUTimes(t *testing.T) {
	a, ok := ReadCPUTimes()
	if runtime.GOOS != "linux" {
		if ok {
			t.Errorf("ReadCPUTimes on %s: %+v, true", runtime.GOOS, a)
		}
		return
	}
	if !ok {
		t.Fatal("no /proc/stat cpu line on Linux")
	}
	if a.Total == 0 || a.Steal > a.Total {
		t.Errorf("ReadCPUTimes = %+v", a)
	}
}
