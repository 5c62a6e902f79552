package nn

// CPUSeconds exposes cpuSeconds to the external tests (package nn_test).
var CPUSeconds = cpuSeconds
