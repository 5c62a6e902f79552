package main

/*
#include "capi_internal.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/nnsimd/nnsimd/nn"
)

// netEntry is a network behind a handle. mu serialises calls on it (an
// nn.Network is not safe for concurrent use); owner is the OS thread holding
// mu, so that a call from inside the network's own progress callback fails
// with NNSIMD_EBUSY instead of deadlocking.
type netEntry struct {
	mu    sync.Mutex
	owner atomic.Uint64
	freed bool // set under mu by nnsimd_net_free
	net   *nn.Network
}

// handles maps the uint64 handles given to C to networks. A plain map, not
// runtime/cgo.Handle, whose Value panics on an unknown handle. Handles count
// up from 1 and are never reused, so a stale handle cannot reach another
// network.
var handles struct {
	sync.Mutex
	m    map[uint64]*netEntry
	next uint64
}

func register(n *nn.Network) uint64 {
	handles.Lock()
	defer handles.Unlock()
	if handles.m == nil {
		handles.m = make(map[uint64]*netEntry)
	}
	handles.next++
	handles.m[handles.next] = &netEntry{net: n}
	return handles.next
}

// acquire locks the network behind h for the calling thread; release it
// with e.release().
func acquire(fn string, h C.uint64_t) (*netEntry, error) {
	handles.Lock()
	e, ok := handles.m[uint64(h)]
	issued := uint64(h) != 0 && uint64(h) <= handles.next
	handles.Unlock()
	if !ok {
		if issued {
			return nil, argErrorf("%s: network handle %d was freed", fn, uint64(h))
		}
		return nil, argErrorf("%s: network handle %d was never issued", fn, uint64(h))
	}
	self := uint64(C.nnsimd_capi_thread_id())
	if e.owner.Load() == self {
		return nil, &statusError{C.NNSIMD_EBUSY, fmt.Sprintf("%s: network %d is busy in a call on this same thread (called from its own progress callback?)", fn, uint64(h))}
	}
	e.mu.Lock()
	if e.freed {
		e.mu.Unlock()
		return nil, argErrorf("%s: network handle %d was freed", fn, uint64(h))
	}
	e.owner.Store(self)
	return e, nil
}

func (e *netEntry) release() {
	e.owner.Store(0)
	e.mu.Unlock()
}

// nameOf validates an optional activation, loss or init name against the
// known ones, so that the message lists them; nn would reject it too.
func nameOf[T ~string](fn, arg string, p *C.char, known ...T) (T, error) {
	s := T(goString(p))
	if s == "" {
		return s, nil
	}
	for _, k := range known {
		if s == k {
			return s, nil
		}
	}
	return s, argErrorf("%s: %s %q is unknown (want one of %v)", fn, arg, string(s), known)
}

//export nnsimd_go_net_new
func nnsimd_go_net_new(sizes *C.int64_t, count C.int64_t, hidden, output, loss *C.char, bias C.int, init *C.char, initScale C.float, seed C.uint64_t, out *C.uint64_t) (st C.int) {
	const fn = "nnsimd_net_new"
	defer recoverTo(fn, &st)
	if out == nil {
		return fail(C.NNSIMD_EINVAL, fn+": out is NULL")
	}
	if sizes == nil {
		return fail(C.NNSIMD_EINVAL, fn+": sizes is NULL")
	}
	if count < 2 || count > 1<<16 {
		return failf(C.NNSIMD_EINVAL, "%s: count = %d, want at least 2 (inputs and outputs) and at most 65536", fn, int64(count))
	}
	cfg := nn.Config{Bias: bias != 0, InitScale: float32(initScale), Seed: uint64(seed)}
	var params float64
	for i, s := range unsafe.Slice((*int64)(unsafe.Pointer(sizes)), int(count)) {
		if s < 1 || s > maxLen {
			return failf(C.NNSIMD_EINVAL, "%s: sizes[%d] = %d, want ≥ 1", fn, i, s)
		}
		cfg.Sizes = append(cfg.Sizes, int(s))
		if i > 0 {
			params += float64(cfg.Sizes[i-1]+1) * float64(s)
		}
	}
	var err error
	if cfg.Hidden, err = nameOf(fn, "hidden activation", hidden, nn.ReLU, nn.Sigmoid, nn.Tanh, nn.Step, nn.Identity); err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	if cfg.Output, err = nameOf(fn, "output activation", output, nn.Identity, nn.Sigmoid, nn.Softmax); err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	if cfg.Loss, err = nameOf(fn, "loss", loss, nn.MSE, nn.CrossEntropy); err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	if cfg.Init, err = nameOf(fn, "init", init, nn.Uniform, nn.He, nn.Xavier); err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	if s := float64(initScale); !(s >= 0) || math.IsInf(s, 0) {
		return failf(C.NNSIMD_EINVAL, "%s: init_scale = %g, want a finite value ≥ 0", fn, s)
	}
	// Weights, momentum velocities and gradients: three floats a parameter.
	if err := checkMemory(fn, "the network", params*4*3); err != nil {
		return failErr(err, C.NNSIMD_ENOMEM)
	}
	n, err := nn.New(cfg)
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	*out = C.uint64_t(register(n))
	return C.NNSIMD_OK
}

//export nnsimd_go_net_free
func nnsimd_go_net_free(h C.uint64_t) (st C.int) {
	const fn = "nnsimd_net_free"
	defer recoverTo(fn, &st)
	e, err := acquire(fn, h)
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	handles.Lock()
	delete(handles.m, uint64(h))
	handles.Unlock()
	e.freed = true
	e.net = nil
	e.release()
	return C.NNSIMD_OK
}

//export nnsimd_go_net_num_layers
func nnsimd_go_net_num_layers(h C.uint64_t, out *C.int64_t) (st C.int) {
	const fn = "nnsimd_net_num_layers"
	defer recoverTo(fn, &st)
	if out == nil {
		return fail(C.NNSIMD_EINVAL, fn+": out is NULL")
	}
	e, err := acquire(fn, h)
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	defer e.release()
	*out = C.int64_t(e.net.NumLayers())
	return C.NNSIMD_OK
}

//export nnsimd_go_net_sizes
func nnsimd_go_net_sizes(h C.uint64_t, sizes *C.int64_t, capacity C.int64_t, count *C.int64_t) (st C.int) {
	const fn = "nnsimd_net_sizes"
	defer recoverTo(fn, &st)
	if count == nil {
		return fail(C.NNSIMD_EINVAL, fn+": count is NULL")
	}
	if err := checkOutput(fn, "sizes", sizes == nil, "cap", capacity); err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	e, err := acquire(fn, h)
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	defer e.release()
	s := e.net.Config().Sizes
	if capacity > 0 {
		if int(capacity) < len(s) {
			return failf(C.NNSIMD_EINVAL, "%s: cap = %d, the network has %d sizes", fn, int64(capacity), len(s))
		}
		dst := unsafe.Slice((*int64)(unsafe.Pointer(sizes)), len(s))
		for i, v := range s {
			dst[i] = int64(v)
		}
	}
	*count = C.int64_t(len(s))
	return C.NNSIMD_OK
}

//export nnsimd_go_net_config
func nnsimd_go_net_config(h C.uint64_t, hidden, output, loss **C.char, bias *C.int) (st C.int) {
	const fn = "nnsimd_net_config"
	defer recoverTo(fn, &st)
	e, err := acquire(fn, h)
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	defer e.release()
	cfg := e.net.Config()
	if hidden != nil {
		*hidden = staticString(string(cfg.Hidden))
	}
	if output != nil {
		*output = staticString(string(cfg.Output))
	}
	if loss != nil {
		*loss = staticString(string(cfg.Loss))
	}
	if bias != nil {
		*bias = 0
		if cfg.Bias {
			*bias = 1
		}
	}
	return C.NNSIMD_OK
}

// layerIndex validates a layer argument.
func layerIndex(fn string, n *nn.Network, layer C.int64_t) (int, error) {
	if layer < 0 || int64(layer) >= int64(n.NumLayers()) {
		return 0, argErrorf("%s: layer %d out of range [0, %d)", fn, int64(layer), n.NumLayers())
	}
	return int(layer), nil
}

// nnsimd_go_net_get_params implements nnsimd_net_get_weights (biases 0) and
// nnsimd_net_get_biases (biases 1).
//
//export nnsimd_go_net_get_params
func nnsimd_go_net_get_params(h C.uint64_t, biases C.int, layer C.int64_t, buf *C.float, capacity C.int64_t, count *C.int64_t) (st C.int) {
	fn := "nnsimd_net_get_weights"
	if biases != 0 {
		fn = "nnsimd_net_get_biases"
	}
	defer recoverTo(fn, &st)
	if count == nil {
		return fail(C.NNSIMD_EINVAL, fn+": count is NULL")
	}
	if err := checkOutput(fn, "buf", buf == nil, "cap", capacity); err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	e, err := acquire(fn, h)
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	defer e.release()
	l, err := layerIndex(fn, e.net, layer)
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	src := e.net.Weights(l)
	if biases != 0 {
		src = e.net.Biases(l)
	}
	if capacity > 0 {
		if int(capacity) < len(src) {
			return failf(C.NNSIMD_EINVAL, "%s: cap = %d, layer %d has %d values", fn, int64(capacity), l, len(src))
		}
		copy(unsafe.Slice((*float32)(unsafe.Pointer(buf)), len(src)), src)
	}
	*count = C.int64_t(len(src))
	return C.NNSIMD_OK
}

// nnsimd_go_net_set_params implements nnsimd_net_set_weights (biases 0) and
// nnsimd_net_set_biases (biases 1).
//
//export nnsimd_go_net_set_params
func nnsimd_go_net_set_params(h C.uint64_t, biases C.int, layer C.int64_t, src *C.float, count C.int64_t) (st C.int) {
	fn := "nnsimd_net_set_weights"
	if biases != 0 {
		fn = "nnsimd_net_set_biases"
	}
	defer recoverTo(fn, &st)
	if err := checkLen(fn, "count", count); err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	e, err := acquire(fn, h)
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	defer e.release()
	l, err := layerIndex(fn, e.net, layer)
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	want := len(e.net.Weights(l))
	if biases != 0 {
		want = len(e.net.Biases(l))
		if want == 0 {
			return failf(C.NNSIMD_EINVAL, "%s: the network has no biases (created with bias = 0)", fn)
		}
	}
	if int(count) != want {
		return failf(C.NNSIMD_EINVAL, "%s: count = %d, layer %d has %d values", fn, int64(count), l, want)
	}
	s, err := floats(fn, "values", src, int(count))
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	if biases != 0 {
		err = e.net.SetBiases(l, s)
	} else {
		err = e.net.SetWeights(l, s)
	}
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	return C.NNSIMD_OK
}

// Progress callbacks are made at most every callbackEvery (plus once at the
// end). nn reports every reportEvery, so a due callback comes at most that
// late; a cancel takes effect as the callback returns.
const (
	callbackEvery = 200 * time.Millisecond
	reportEvery   = 50 * time.Millisecond
)

//export nnsimd_go_net_fit
func nnsimd_go_net_fit(h C.uint64_t, x, y *C.float, rows, epochs C.int64_t, lr C.float, batchSize C.int64_t, momentum C.float, shuffle C.int, seed C.uint64_t, threads C.int64_t, progress C.nnsimd_progress_fn, user unsafe.Pointer, losses *C.double, lossesCap C.int64_t, lossesLen *C.int64_t) (st C.int) {
	const fn = "nnsimd_net_fit"
	defer recoverTo(fn, &st)
	if rows < 1 || rows > maxLen {
		return failf(C.NNSIMD_EINVAL, "%s: rows = %d, want 1..NNSIMD_MAX_LEN", fn, int64(rows))
	}
	if epochs < 1 || epochs > math.MaxInt32 {
		return failf(C.NNSIMD_EINVAL, "%s: epochs = %d, want 1..%d", fn, int64(epochs), math.MaxInt32)
	}
	if batchSize < 0 {
		return failf(C.NNSIMD_EINVAL, "%s: batch_size = %d, want ≥ 0", fn, int64(batchSize))
	}
	// A batch larger than the data set is the data set, as nn.Fit takes it
	// (and PyTorch's DataLoader): one step an epoch over every row.
	batchSize = min(batchSize, rows)
	if threads < 0 || threads > maxThreads {
		return failf(C.NNSIMD_EINVAL, "%s: threads = %d, want 0 (nnsimd_set_threads's count) .. %d", fn, int64(threads), maxThreads)
	}
	if err := checkOutput(fn, "losses", losses == nil, "losses_cap", lossesCap); err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	if lossesCap > 0 && lossesCap < epochs {
		return failf(C.NNSIMD_EINVAL, "%s: losses_cap = %d, want ≥ epochs (%d)", fn, int64(lossesCap), int64(epochs))
	}
	e, err := acquire(fn, h)
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	defer e.release()
	net := e.net
	cfg := net.Config()
	in, out := cfg.Sizes[0], cfg.Sizes[len(cfg.Sizes)-1]
	xn, err := product(fn, "x", int64(rows), int64(in))
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	yn, err := product(fn, "y", int64(rows), int64(out))
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	xs, err := floats(fn, "x", x, xn)
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	ys, err := floats(fn, "y", y, yn)
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	// Mini-batch training keeps activations and deltas for a whole batch.
	var width float64
	for _, s := range cfg.Sizes {
		width += float64(s)
	}
	if err := checkMemory(fn, fmt.Sprintf("a batch of %d", int64(batchSize)), float64(batchSize)*width*4*3); err != nil {
		return failErr(err, C.NNSIMD_ENOMEM)
	}
	tc := nn.TrainConfig{
		Epochs:    int(epochs),
		LR:        float32(lr),
		BatchSize: int(batchSize),
		Momentum:  float32(momentum),
		Shuffle:   shuffle != 0,
		Seed:      uint64(seed),
		Threads:   int(threads),
	}
	// Training runs on a goroutine of its own: the export's goroutine is
	// locked to the caller's OS thread, and every time a locked goroutine
	// yields (as a kernel's caller does when a worker's part runs late,
	// see callerSpinLimit in kernels) the scheduler must hand its thread
	// over. The C callback is still made from the export's goroutine, so
	// on the caller's thread (Python sees Ctrl-C only on its main thread).
	type request struct {
		p     nn.Progress
		reply chan bool // true = stop
	}
	type result struct {
		hist nn.History
		err  error
	}
	var requests chan request
	if progress != nil {
		requests = make(chan request)
		reply := make(chan bool)
		var lastCall time.Time
		stop := false
		tc.ProgressEvery = reportEvery
		tc.Progress = func(p nn.Progress) bool {
			// The last report of the run (the end of the last epoch) always
			// goes through, the others at most every callbackEvery.
			final := p.Epoch == p.Epochs && p.Done == p.Total
			if !stop && (final || time.Since(lastCall) >= callbackEvery) {
				lastCall = time.Now()
				requests <- request{p, reply}
				stop = <-reply
			}
			return !stop
		}
	}
	done := make(chan result, 1)
	isaLock.RLock()
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- result{err: &statusError{C.NNSIMD_EINTERNAL, fmt.Sprintf("%s: internal error (a bug in nnsimd, please report it): %v", fn, r)}}
			}
		}()
		h, err := net.Fit(xs, ys, int(rows), tc)
		done <- result{h, err}
	}()
	var res result
wait:
	for {
		select {
		case req := <-requests:
			cp := C.nnsimd_progress{
				epoch:           C.int64_t(req.p.Epoch),
				epochs:          C.int64_t(req.p.Epochs),
				done:            C.int64_t(req.p.Done),
				total:           C.int64_t(req.p.Total),
				loss:            C.double(req.p.Loss),
				samples_per_sec: C.double(req.p.SamplesPerSec),
				elapsed_seconds: C.double(req.p.Elapsed.Seconds()),
			}
			req.reply <- C.nnsimd_capi_call_progress(progress, &cp, user) != 0
		case res = <-done:
			break wait
		}
	}
	isaLock.RUnlock()
	hist, err := res.hist, res.err
	if lossesCap > 0 {
		copy(unsafe.Slice((*float64)(unsafe.Pointer(losses)), len(hist.Loss)), hist.Loss)
	}
	if lossesLen != nil {
		*lossesLen = C.int64_t(len(hist.Loss))
	}
	if err != nil {
		if errors.Is(err, nn.ErrCanceled) {
			return failf(C.NNSIMD_ECANCELED, "%s: canceled by the progress callback after %d complete epochs", fn, len(hist.Loss))
		}
		return failErr(err, C.NNSIMD_EINVAL)
	}
	return C.NNSIMD_OK
}

// inputRows validates rows and returns the view of x (rows×inputs).
func inputRows(fn string, net *nn.Network, x *C.float, rows C.int64_t) ([]float32, error) {
	if rows < 0 || rows > maxLen {
		return nil, argErrorf("%s: rows = %d, want 0..NNSIMD_MAX_LEN", fn, int64(rows))
	}
	xn, err := product(fn, "x", int64(rows), int64(net.Inputs()))
	if err != nil {
		return nil, err
	}
	return floats(fn, "x", x, xn)
}

//export nnsimd_go_net_predict
func nnsimd_go_net_predict(h C.uint64_t, x *C.float, rows C.int64_t, out *C.float, outCap C.int64_t) (st C.int) {
	const fn = "nnsimd_net_predict"
	defer recoverTo(fn, &st)
	if err := checkLen(fn, "out_cap", outCap); err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	e, err := acquire(fn, h)
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	defer e.release()
	xs, err := inputRows(fn, e.net, x, rows)
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	on, err := product(fn, "out", int64(rows), int64(e.net.Outputs()))
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	if int64(outCap) < int64(on) {
		return failf(C.NNSIMD_EINVAL, "%s: out_cap = %d, want at least rows×outputs = %d×%d = %d", fn, int64(outCap), int64(rows), e.net.Outputs(), on)
	}
	os, err := floats(fn, "out", out, on)
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	isaLock.RLock()
	defer isaLock.RUnlock()
	if err := e.net.Predict(xs, int(rows), os); err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	return C.NNSIMD_OK
}

//export nnsimd_go_net_evaluate
func nnsimd_go_net_evaluate(h C.uint64_t, x *C.float, rows C.int64_t, labels *C.uint8_t, accuracy *C.double, confusion *C.int64_t, confusionCap C.int64_t) (st C.int) {
	const fn = "nnsimd_net_evaluate"
	defer recoverTo(fn, &st)
	if accuracy == nil {
		return fail(C.NNSIMD_EINVAL, fn+": accuracy is NULL")
	}
	if err := checkOutput(fn, "confusion", confusion == nil, "confusion_cap", confusionCap); err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	e, err := acquire(fn, h)
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	defer e.release()
	xs, err := inputRows(fn, e.net, x, rows)
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	classes := e.net.Classes()
	if confusionCap > 0 && int64(confusionCap) < int64(classes)*int64(classes) {
		return failf(C.NNSIMD_EINVAL, "%s: confusion_cap = %d, want at least classes² = %d", fn, int64(confusionCap), classes*classes)
	}
	var ls []uint8
	if rows > 0 {
		if labels == nil {
			return fail(C.NNSIMD_EINVAL, fn+": labels is NULL")
		}
		ls = unsafe.Slice((*uint8)(unsafe.Pointer(labels)), int(rows))
	}
	isaLock.RLock()
	ev, err := e.net.Evaluate(xs, int(rows), ls)
	isaLock.RUnlock()
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	*accuracy = C.double(ev.Accuracy)
	if confusionCap > 0 {
		dst := unsafe.Slice((*int64)(unsafe.Pointer(confusion)), classes*classes)
		for t, row := range ev.Confusion {
			for p, c := range row {
				dst[t*classes+p] = int64(c)
			}
		}
	}
	return C.NNSIMD_OK
}

//export nnsimd_go_net_save
func nnsimd_go_net_save(h C.uint64_t, path *C.char) (st C.int) {
	const fn = "nnsimd_net_save"
	defer recoverTo(fn, &st)
	if path == nil || *path == 0 {
		return fail(C.NNSIMD_EINVAL, fn+": path is NULL or empty")
	}
	e, err := acquire(fn, h)
	if err != nil {
		return failErr(err, C.NNSIMD_EINVAL)
	}
	defer e.release()
	if err := e.net.Save(C.GoString(path)); err != nil {
		return failErr(err, C.NNSIMD_EIO)
	}
	return C.NNSIMD_OK
}

//export nnsimd_go_net_load
func nnsimd_go_net_load(path *C.char, out *C.uint64_t) (st C.int) {
	const fn = "nnsimd_net_load"
	defer recoverTo(fn, &st)
	if path == nil || *path == 0 {
		return fail(C.NNSIMD_EINVAL, fn+": path is NULL or empty")
	}
	if out == nil {
		return fail(C.NNSIMD_EINVAL, fn+": out is NULL")
	}
	n, err := nn.Load(C.GoString(path))
	if err != nil {
		return failErr(err, C.NNSIMD_EIO)
	}
	*out = C.uint64_t(register(n))
	return C.NNSIMD_OK
}
