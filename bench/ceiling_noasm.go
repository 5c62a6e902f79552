//go:build purego || !amd64

package bench

// asmProbes is empty where the bench has no assembly (arm64, other
// architectures, the purego build): the bandwidth ceilings are then probed
// through the kernels themselves and the FMA peak is unknown.
func asmProbes() []probe { return nil }
