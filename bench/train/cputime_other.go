//go:build !unix

package main

// cpuSeconds is unavailable here; the CPU column then shows 0.
func cpuSeconds() float64 { return 0 }
