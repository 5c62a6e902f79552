"""Hostile callers of the Network API (issue 6): odd dtypes and layouts,
empty and mis-shaped arrays, buffers that go away or change size, closed
networks, threads, and memory over many networks. Each case must give a
documented exception or a correct result, never a crash."""
import array
import gc
import math
import random
import sys
import threading
import time

import pytest

import nnsimd
from nnsimd import _buffers

np = _buffers.np
needs_numpy = pytest.mark.skipif(np is None, reason="numpy not available (or NNSIMD_NO_NUMPY=1)")


def task(rows=64, seed=3):
    r = random.Random(seed)
    x = array.array("f", [r.uniform(-1, 1) for _ in range(2 * rows)])
    y = array.array("f", [0.5 * x[2 * i] - 0.3 * x[2 * i + 1] for i in range(rows)])
    return x, y


def weights(net):
    return [net.get_weights(l).tolist() for l in range(len(net.sizes) - 1)]


@needs_numpy
def test_network_input_dtypes():
    rng = np.random.default_rng(1)
    net = nnsimd.Network([3, 5, 2], seed=4)
    ints = rng.integers(-3, 4, (16, 3))
    ref = net.predict(ints.astype(np.float32))
    for dt in (np.int64, np.int32, np.int8, np.float64, np.float16):
        np.testing.assert_array_equal(net.predict(ints.astype(dt)), ref, err_msg=str(dt))
    for dt in (object, bool, np.complex64):
        with pytest.raises(TypeError, match="dtype"):
            net.predict(ints.astype(dt))
        with pytest.raises(TypeError, match="dtype"):
            net.fit(ints.astype(dt), np.zeros((16, 2), np.float32))
        with pytest.raises(TypeError, match="dtype"):
            net.set_weights(0, np.zeros((3, 5), dt))
    # Targets of another float dtype are converted too: training is the same.
    a, b = nnsimd.Network([3, 5, 2], seed=4), nnsimd.Network([3, 5, 2], seed=4)
    y = rng.random((16, 2))
    a.fit(ints, y, epochs=2, lr=0.01)
    b.fit(ints.astype(np.float32), y.astype(np.float32), epochs=2, lr=0.01)
    assert weights(a) == weights(b)


@needs_numpy
def test_network_views_train_like_copies():
    rng = np.random.default_rng(2)
    wide = rng.standard_normal((40, 7)).astype(np.float32)
    targets = rng.standard_normal((40, 1)).astype(np.float32)
    views = {
        "columns 1, 3, 5": (wide[:, 1:7:2], targets),
        "reversed rows": (wide[::-1, :3], targets[::-1]),
        "every other row": (wide[::2, 4:], targets[::2]),
        "Fortran order": (np.asfortranarray(wide[:, :3]), targets),
        "negative column stride": (wide[:, 2::-1], targets),
    }
    for name, (x, y) in views.items():
        a, b = nnsimd.Network([3, 4, 1], seed=5), nnsimd.Network([3, 4, 1], seed=5)
        ha = a.fit(x, y, epochs=3, lr=0.01)
        hb = b.fit(np.ascontiguousarray(x), np.ascontiguousarray(y), epochs=3, lr=0.01)
        assert ha == hb and weights(a) == weights(b), name
        np.testing.assert_array_equal(a.predict(x), b.predict(np.ascontiguousarray(x)), err_msg=name)


@needs_numpy
def test_network_empty_and_misshapen():
    net = nnsimd.Network([3, 4, 2])
    assert net.predict(np.zeros((0, 3), np.float32)).shape == (0, 2)
    with pytest.raises(ValueError):
        net.predict(np.zeros((0, 4), np.float32))  # wrong width, though empty
    with pytest.raises(ValueError):
        net.fit(np.zeros((0, 3), np.float32), np.zeros((0, 2), np.float32))
    with pytest.raises(ValueError, match="2-D"):
        net.fit(np.zeros((4, 3, 1), np.float32), np.zeros((4, 2), np.float32))
    with pytest.raises(ValueError, match="2-D"):
        net.evaluate(np.zeros((4, 3, 1), np.float32), np.zeros(4, np.int64))
    with pytest.raises(ValueError):
        net.fit(np.zeros((4, 3), np.float32), np.zeros((4, 2, 1), np.float32))
    with pytest.raises(ValueError, match="5 rows"):
        net.fit(np.zeros((5, 3), np.float32), np.zeros((4, 2), np.float32))
    with pytest.raises(ValueError, match="labels"):
        net.evaluate(np.zeros((5, 3), np.float32), np.zeros(4, np.int64))
    with pytest.raises(ValueError):
        net.set_weights(0, np.zeros((4, 3), np.float32))  # transposed
    with pytest.raises(ValueError):
        net.set_biases(0, np.zeros(0, np.float32))


@needs_numpy
def test_read_only_arrays():
    ro = np.ones((5, 7), np.float32)
    ro.flags.writeable = False
    x, y = np.ones(5, np.float32), np.ones(7, np.float32)
    with pytest.raises(ValueError, match="read-only"):
        nnsimd.outer_update(1.0, x, y, ro)
    assert (ro == 1).all()
    # Read-only inputs are fine wherever nothing is written to them.
    net = nnsimd.Network([7, 3])
    np.testing.assert_array_equal(net.predict(ro), net.predict(ro.copy()))
    w = np.full((7, 3), 0.25, np.float32)
    w.flags.writeable = False
    net.set_weights(0, w)
    assert (net.get_weights(0) == 0.25).all()
    assert nnsimd.relu(ro).flags.writeable  # a result is the caller's to change


def test_results_outlive_inputs_and_network():
    x, y = task(32)
    net = nnsimd.Network([2, 6, 1], seed=2)
    net.fit(array.array("f", x), array.array("f", y), epochs=2, lr=0.01)  # temporaries, gone after the call
    gc.collect()
    out = net.predict(array.array("f", x))
    w = net.get_weights(0)
    want_out, want_w = out.tolist(), w.tolist()
    net.close()
    del net
    gc.collect()
    junk = [nnsimd.Network([2, 6, 1], seed=i).predict(x) for i in range(50)]  # reuse freed memory
    assert out.tolist() == want_out and w.tolist() == want_w
    assert len(junk) == 50


def test_buffer_cannot_be_resized_during_fit():
    x, y = task(1000)
    xb = bytearray(x.tobytes())
    net = nnsimd.Network([2, 8, 1])
    started, outcome = threading.Event(), {}

    def keep_going(p):
        started.set()
        return not outcome.get("tried")

    def fit():
        outcome["history"] = net.fit(xb, y, epochs=10**6, lr=0.001, progress=keep_going)

    t = threading.Thread(target=fit)
    t.start()
    assert started.wait(30)
    with pytest.raises(BufferError):
        xb.extend(b"\0" * 64)  # the library holds the buffer: resizing would free its memory
    outcome["tried"] = True
    t.join(30)
    assert not t.is_alive() and "history" in outcome
    xb.extend(b"\0" * 8)  # released once fit returned
    assert len(net.predict(x).tolist()) == 1000


def test_closed_network_every_method(tmp_path):
    x, y = task(8)
    net = nnsimd.Network([2, 3, 1], bias=True)
    w0, b0 = net.get_weights(0), net.get_biases(0)  # the right shapes, to reach the closed check
    net.close()
    calls = {
        "fit": lambda: net.fit(x, y),
        "predict": lambda: net.predict(x),
        "evaluate": lambda: net.evaluate(x, [0] * 8),
        "save": lambda: net.save(tmp_path / "m.nnsm"),
        "get_weights": lambda: net.get_weights(0),
        "set_weights": lambda: net.set_weights(0, w0),
        "get_biases": lambda: net.get_biases(0),
        "set_biases": lambda: net.set_biases(0, b0),
    }
    for name, call in calls.items():
        with pytest.raises(nnsimd.InvalidArgumentError, match="closed"):
            call()
    assert not (tmp_path / "m.nnsm").exists()
    assert "closed" in repr(net)
    with nnsimd.Network([2, 1]) as n2:
        n2.predict([0.5, 0.5])
    with pytest.raises(nnsimd.InvalidArgumentError, match="closed"):
        n2.predict([0.5, 0.5])


def test_close_while_another_thread_fits():
    x, y = task(500)
    net = nnsimd.Network([2, 16, 1])
    started, result = threading.Event(), {}
    t_stop = [math.inf]

    def progress(p):
        started.set()
        return time.monotonic() < t_stop[0]

    def fit():
        try:
            result["history"] = net.fit(x, y, epochs=10**6, lr=0.001, progress=progress)
        except Exception as e:  # pragma: no cover - reported below
            result["error"] = e

    t = threading.Thread(target=fit)
    t.start()
    assert started.wait(30)
    t_stop[0] = time.monotonic() + 0.3
    net.close()  # the library waits for the running fit, then frees
    t.join(30)
    assert not t.is_alive()
    assert "error" not in result, result.get("error")
    assert time.monotonic() >= t_stop[0]
    with pytest.raises(nnsimd.InvalidArgumentError, match="closed"):
        net.predict(x)


def test_eight_threads_shared_and_own_networks():
    x, y = task(128)
    threads = nnsimd.threads()
    shared = nnsimd.Network([2, 8, 1], seed=9)
    want = shared.predict(x).tolist()
    results, errors = [[] for _ in range(8)], []
    own_weights = [None] * 8
    barrier = threading.Barrier(8)

    def work(i):
        try:
            barrier.wait()
            own = nnsimd.Network([2, 8, 1], seed=1)  # all alike: must train alike
            own.fit(x, y, epochs=3, lr=0.01, threads=1)
            own_weights[i] = weights(own)
            for _ in range(20):
                results[i].append(shared.predict(x).tolist())
                nnsimd.dot(x, x)
            own.close()
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors, errors
    assert all(r == want for rs in results for r in rs), "shared predictions differ under concurrency"
    assert all(w == own_weights[0] for w in own_weights), "identical networks trained differently in parallel"
    assert nnsimd.threads() == threads, "overlapping fits changed the thread count for good"


def test_divergence_keeps_a_usable_network():
    x, y = task(64)
    net = nnsimd.Network([2, 8, 1], seed=3)
    with pytest.raises(nnsimd.DivergedError) as e:
        net.fit(x, y, epochs=50, lr=1e6)
    msg = str(e.value)
    assert "epoch" in msg and "sample" in msg, msg
    assert isinstance(e.value, ArithmeticError) and isinstance(e.value.history, list)
    assert all(math.isfinite(h) for h in e.value.history)
    for l in range(2):
        assert all(math.isfinite(v) for row in net.get_weights(l).tolist() for v in row)
    out = net.predict(x).tolist()
    assert all(math.isfinite(v[0]) for v in out)
    # The weights reached are finite but huge; reset, it trains again.
    fresh = nnsimd.Network([2, 8, 1], seed=3)
    for l in range(2):
        net.set_weights(l, fresh.get_weights(l))
    hist = net.fit(x, y, epochs=2, lr=0.001)
    assert all(math.isfinite(h) for h in hist)


def _rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_ten_thousand_networks_keep_rss_flat():
    x = array.array("f", [0.1] * 64 * 4)
    y = array.array("f", [0.0] * 10 * 4)
    # 64·64 + 64·10 weights: 19 KiB each, 190 MiB for 10,000 if none were freed.
    for i in range(1000):
        n = nnsimd.Network([64, 64, 10], seed=i)
        n.fit(x, y, batch_size=4, threads=1)
        n.close()
    gc.collect()
    warm = _rss_kib()
    for i in range(10000):
        n = nnsimd.Network([64, 64, 10], seed=i)
        n.fit(x, y, batch_size=4, threads=1)
        if i % 2:
            n.close()
        else:
            del n  # freed by garbage collection
    gc.collect()
    grew = _rss_kib() - warm
    print(f"RSS {warm} KiB after 1,000 networks, {warm + grew} KiB after 11,000 ({grew:+d} KiB)")
    assert grew < 16 * 1024, f"RSS grew {grew} KiB over 10,000 networks"


def test_odd_plain_inputs():
    net = nnsimd.Network([3, 2])
    with pytest.raises(TypeError, match="x"):
        net.predict([[1, 2, 3], [4, 5]])  # ragged
    with pytest.raises(TypeError, match="x"):
        net.predict(["a", "b", "c"])
    with pytest.raises(ValueError, match="7 bytes"):
        nnsimd.dot(b"\0" * 7, b"\0" * 7)
    assert nnsimd.dot(array.array("d", [1, 2]), array.array("f", [1, 2])) == 5  # doubles converted


@needs_numpy
def test_byte_swapped_and_scalar_arrays():
    be = np.arange(8, dtype=">f4")  # float32, but not in this machine's byte order
    assert nnsimd.dot(be, np.ones(8, np.float32)) == 28
    with pytest.raises(TypeError, match=">f4"):
        nnsimd.axpy(1.0, np.ones(8, np.float32), np.zeros(8, ">f4"))
    net = nnsimd.Network([3, 2])
    np.testing.assert_array_equal(net.predict(np.ones((2, 3), ">f4")), net.predict(np.ones((2, 3), np.float32)))
    with pytest.raises(ValueError, match="shape"):
        nnsimd.dot(np.float32(3), np.float32(2))  # 0-d
