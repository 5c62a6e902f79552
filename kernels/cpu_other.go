//go:build purego || !(amd64 || arm64)

package kernels

// Without assembly (the purego tag, or an architecture we have none for)
// only the generic implementation exists.

func cpuFeatures() features { return features{} }

func archImpls() []*impl { return nil }
