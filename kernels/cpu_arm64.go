//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

func cpuFeatures() features {
	return features{asimd: cpu.ARM64.HasASIMD}
}

func archImpls() []*impl { return []*impl{neonImpl} }
