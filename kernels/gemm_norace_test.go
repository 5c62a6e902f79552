//go:build !race

package kernels

// raceEnabled: see gemm_race_test.go.
const raceEnabled = false
