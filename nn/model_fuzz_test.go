package nn

import (
	"bytes"
	"runtime"
	"testing"
)

// fuzzSeedModel is the model file of a new network of cfg, for the seed corpus.
func fuzzSeedModel(f *testing.F, cfg Config) []byte {
	f.Helper()
	n, err := New(cfg)
	if err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := n.WriteTo(&buf); err != nil {
		f.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzReadNetwork: any bytes give a network or one of the named model file
// errors — never a panic, a hang, or an allocation out of proportion to the
// input. A network it accepts writes back as exactly the bytes it read, so
// the reader accepts nothing the writer cannot produce.
func FuzzReadNetwork(f *testing.F) {
	small := fuzzSeedModel(f, Config{Sizes: []int{3, 4, 2}, Hidden: Tanh, Output: Softmax, Loss: CrossEntropy, Bias: true, Init: He, Seed: 42})
	f.Add(small)
	f.Add(small[:len(small)/2])
	f.Add(append(append([]byte(nil), small...), 0))
	f.Add(fuzzSeedModel(f, Config{Sizes: []int{1, 1}, Hidden: Step, Output: Sigmoid, Init: Xavier, InitScale: 3, Seed: 1<<64 - 1}))
	f.Add(fuzzSeedModel(f, Config{Sizes: []int{2, 3, 3, 1}, Hidden: ReLU, Output: Identity}))
	f.Add(craft([]uint32{2, 1}, make([]byte, 8)))
	f.Add(craft([]uint32{1 << 10, 1 << 20}, make([]byte, 64)))       // claims 4 GiB of weights
	f.Add(craft([]uint32{1 << 24, 1 << 24}, nil))                    // beyond the parameter limit
	f.Add(craft(make([]uint32, maxLayers+1), nil))                   // the most sizes, all zero
	f.Add(craft([]uint32{3, 2, 0xffffffff, 1, 4}, make([]byte, 16))) // a huge width in the middle
	f.Add([]byte(modelMagic))
	f.Add([]byte("NNSM\x02\x00\x00\x00"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		n, err := ReadNetwork(bytes.NewReader(data))
		runtime.ReadMemStats(&after)
		// Parameters are decoded into float32s as they arrive (and slices
		// grow by doubling); the fixed buffers of the reader are under 1 MiB.
		if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(16*len(data)+(1<<20)); got > limit {
			t.Fatalf("reading %d bytes allocated %d bytes, more than %d", len(data), got, limit)
		}
		if err != nil {
			if n != nil {
				t.Fatalf("ReadNetwork returned a network and the error %v", err)
			}
			if !namedModelError(err) {
				t.Fatalf("error is not a named model file error: %v", err)
			}
			return
		}
		var out bytes.Buffer
		if _, err := n.WriteTo(&out); err != nil {
			t.Fatalf("WriteTo of an accepted network: %v", err)
		}
		if !bytes.HasPrefix(data, out.Bytes()) {
			t.Fatalf("the accepted %d-byte file writes back as different %d bytes", len(data), out.Len())
		}
		// An accepted network is usable: one forward pass, if it is cheap.
		cfg := n.Config()
		if len(data) < 1<<16 {
			y := n.Forward(make([]float32, cfg.Sizes[0]))
			if len(y) != cfg.Sizes[len(cfg.Sizes)-1] {
				t.Fatalf("Forward gave %d outputs, want %d", len(y), cfg.Sizes[len(cfg.Sizes)-1])
			}
		}
	})
}
