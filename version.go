// Package nnsimd holds what the whole project shares: its version. The work
// is in the subpackages: kernels (float32 SIMD kernels), nn (networks and
// training), nn/mnist (IDX files), nn/viz (pictures).
package nnsimd

// Version is the release of nnsimd that the CLI, the C library and the
// Python package report.
const Version = "0.1.0"
