"""Tests of the nnsimd package. Run with numpy (if installed) and again with
NNSIMD_NO_NUMPY=1 (make test-python); numpy tests skip without it."""
import array
import math
import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import nnsimd
from nnsimd import _buffers

np = _buffers.np
needs_numpy = pytest.mark.skipif(np is None, reason="numpy not available (or NNSIMD_NO_NUMPY=1)")


def floats(n, seed=1):
    r = random.Random(seed)
    return array.array("f", [r.uniform(-1, 1) for _ in range(n)])


def tolist(v):
    if np is not None and isinstance(v, np.ndarray):
        return v.tolist()
    return v.tolist()


# ---- kernels on plain buffers (always)
def test_isa():
    assert nnsimd.isa() in nnsimd.available_isas()
    assert "generic" in nnsimd.available_isas()
    with pytest.raises(nnsimd.InvalidArgumentError):
        nnsimd.use_isa("bogus")
    with pytest.raises(nnsimd.UnsupportedError):
        nnsimd.use_isa("neon" if "avx2" in nnsimd.available_isas() else "avx2")
    with pytest.raises(TypeError):
        nnsimd.use_isa(3)
    best = nnsimd.isa()
    for name in nnsimd.available_isas():
        nnsimd.use_isa(name)
        assert nnsimd.isa() == name
        assert nnsimd.dot(array.array("f", [1, 2]), array.array("f", [3, 4])) == 11
    nnsimd.use_isa(best)


@pytest.mark.parametrize("n", [0, 1, 7, 16, 33, 128, 1000])
def test_kernels_plain(n):
    x, y = floats(n, 1), floats(n, 2)
    ref = sum(a * b for a, b in zip(x, y))
    assert math.isclose(nnsimd.dot(x, y), ref, rel_tol=1e-4, abs_tol=1e-4)
    assert math.isclose(nnsimd.dot(memoryview(x), y.tobytes()), ref, rel_tol=1e-4, abs_tol=1e-4)
    y2 = array.array("f", y)
    nnsimd.axpy(0.5, x, y2)
    assert all(math.isclose(a, b + 0.5 * c, abs_tol=1e-6) for a, b, c in zip(y2, y, x))
    r = nnsimd.relu(x)
    assert list(r) == [max(v, 0.0) for v in x]
    e = nnsimd.exp(x)
    assert all(math.isclose(a, math.exp(v), rel_tol=3e-7) for a, v in zip(e, x))


def test_outer_update_plain():
    x, y = floats(3), floats(4, 5)
    a = array.array("f", [0.0] * 12)
    nnsimd.outer_update(2.0, x, y, memoryview(a).cast("B").cast("f", (3, 4)))
    for i in range(3):
        for j in range(4):
            assert math.isclose(a[i * 4 + j], 2 * x[i] * y[j], rel_tol=1e-6, abs_tol=1e-7)


def test_plain_errors():
    x = floats(4)
    with pytest.raises(ValueError, match=r"\(4,\).*\(3,\)"):
        nnsimd.dot(x, floats(3))
    with pytest.raises(ValueError, match="read-only"):
        nnsimd.axpy(1.0, x, memoryview(x.tobytes()).cast("f"))
    with pytest.raises(ValueError, match="read-only"):
        nnsimd.axpy(1.0, x, x.tobytes())
    with pytest.raises(TypeError):
        nnsimd.axpy(1.0, x, array.array("d", [0] * 4))  # in place: no silent copy
    with pytest.raises(TypeError):
        nnsimd.dot("abcd", x)
    with pytest.raises(TypeError):
        nnsimd.dot(object(), x)
    with pytest.raises(TypeError):
        nnsimd.axpy("1", x, array.array("f", x))
    with pytest.raises(ValueError):
        nnsimd.dot(b"abc", b"abc")  # not whole floats
    # converted inputs: doubles and ints
    assert nnsimd.dot(array.array("d", [1, 2]), array.array("i", [3, 4])) == 11


# ---- numpy
@needs_numpy
def test_kernels_numpy():
    rng = np.random.default_rng(1)
    for n in (0, 1, 15, 128, 1001):
        x, y = rng.standard_normal(n).astype(np.float32), rng.standard_normal(n).astype(np.float32)
        assert np.isclose(nnsimd.dot(x, y), float(x.astype(np.float64) @ y), rtol=1e-4, atol=1e-4)
        y0 = y.copy()
        nnsimd.axpy(-1.5, x, y)  # zero-copy: the caller's array changes
        np.testing.assert_allclose(y, y0 - 1.5 * x, rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(nnsimd.relu(x), np.maximum(x, 0))
        big = np.clip(30 * x, -80, 80)  # e^x over many orders of magnitude, inside float32's range
        np.testing.assert_allclose(nnsimd.exp(big), np.exp(big.astype(np.float64)), rtol=3e-7, atol=0)
    edges = np.array([0, -100, 100, np.nan, -np.inf, np.inf], np.float32)
    got = nnsimd.exp(edges)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, [1, 0, np.inf, np.nan, 0, np.inf])
    assert nnsimd.exp(np.zeros((2, 0, 3), np.float32)).shape == (2, 0, 3)
    np.testing.assert_allclose(nnsimd.exp(np.arange(6, dtype=np.float64).reshape(2, 3)), np.exp(np.arange(6.0)).reshape(2, 3), rtol=3e-7)
    a = rng.standard_normal((5, 7)).astype(np.float32)
    x, y = rng.standard_normal(5).astype(np.float32), rng.standard_normal(7).astype(np.float32)
    ref = a + 0.5 * np.outer(x, y)
    nnsimd.outer_update(0.5, x, y, a)
    np.testing.assert_allclose(a, ref, rtol=1e-5, atol=1e-6)
    big = np.zeros((5, 10), np.float32)
    nnsimd.outer_update(1.0, x, y, big[:, 2:9])  # strided rows, updated in place
    np.testing.assert_allclose(big[:, 2:9], np.outer(x, y), rtol=1e-5, atol=1e-6)
    assert not big[:, :2].any() and not big[:, 9:].any()
    A, B = rng.standard_normal((4, 6)).astype(np.float32), rng.standard_normal((6, 3)).astype(np.float32)
    np.testing.assert_allclose(nnsimd.gemm(A, B), A @ B, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(nnsimd.gemm(A.T.copy(), B, trans_a=True), A @ B, rtol=1e-4, atol=1e-5)


@needs_numpy
def test_numpy_hostile():
    x = np.ones(8, np.float32)
    # inputs: other dtypes and layouts are converted once
    assert nnsimd.dot(np.ones(8, np.int64), x) == 8
    assert nnsimd.dot(np.ones(8, np.float64), x) == 8
    assert nnsimd.dot(np.ones(16, np.float32)[::2], x) == 8
    assert nnsimd.dot(np.ones(8, np.float32)[::-1], x) == 8
    for bad in (np.ones(8, bool), np.array([1] * 8, dtype=object), np.ones(8, np.complex64)):
        with pytest.raises(TypeError, match="dtype"):
            nnsimd.dot(bad, x)
    # outputs: only writable float32 C-contiguous
    for bad, err in ((np.ones(8, np.float64), TypeError), (np.ones(8, np.int64), TypeError),
                     (np.ones(16, np.float32)[::2], ValueError), (np.ones(8, np.float32)[::-1], ValueError)):
        with pytest.raises(err):
            nnsimd.axpy(1.0, x, bad)
    ro = np.ones(8, np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        nnsimd.axpy(1.0, x, ro)
    with pytest.raises(ValueError, match=r"\(8,\).*\(2, 4\)"):
        nnsimd.axpy(1.0, x, np.ones((2, 4), np.float32))
    with pytest.raises(ValueError):
        nnsimd.dot(np.ones((2, 4), np.float32), np.ones((2, 4), np.float32))
    with pytest.raises(ValueError):
        nnsimd.outer_update(1.0, x, x, np.ones((8, 7), np.float32))
    assert nnsimd.dot(np.zeros(0, np.float32), np.zeros(0, np.float32)) == 0
    assert nnsimd.relu(np.zeros((0, 3), np.float32)).shape == (0, 3)


@needs_numpy
def test_arrays_freed_after_call():
    for _ in range(200):
        r = nnsimd.relu(np.random.rand(1000).astype(np.float32) - 0.5)
    assert (r >= 0).all()


# ---- networks
def task(rows=128, seed=3):
    r = random.Random(seed)
    x = array.array("f", [r.uniform(-1, 1) for _ in range(rows * 2)])
    y = array.array("f", [0.5 * x[2 * i] - 0.3 * x[2 * i + 1] for i in range(rows)])
    return x, y


def test_network_train_plain():
    x, y = task()
    with nnsimd.Network([2, 16, 1], hidden="tanh", bias=True, seed=2) as net:
        hist = net.fit(x, y, epochs=40, lr=0.02)
        assert len(hist) == 40 and hist[-1] < 0.2 * hist[0]
        out = net.predict(x)
        assert tuple(out.shape) == (128, 1)
        w = net.get_weights(0)
        assert tuple(w.shape) == (2, 16)
        net.set_weights(0, w)
        with pytest.raises(ValueError, match=r"\(2, 16\)"):
            net.set_weights(0, floats(31))
    with pytest.raises(nnsimd.Error):
        net.predict(x)


def test_network_errors():
    with pytest.raises(nnsimd.InvalidArgumentError, match="bogus"):
        nnsimd.Network([2, 3], hidden="bogus")
    with pytest.raises(ValueError):
        nnsimd.Network([2, 0, 1])
    with pytest.raises(ValueError):
        nnsimd.Network([2])
    with pytest.raises(TypeError):
        nnsimd.Network("784")
    with pytest.raises(TypeError):
        nnsimd.Network([2, 2.5])
    with pytest.raises(nnsimd.OutOfMemoryError):
        nnsimd.Network([1 << 24, 1 << 24])
    net = nnsimd.Network([2, 4, 1])
    x, y = task(16)
    for kw in ({"lr": 0}, {"lr": float("nan")}, {"lr": -1}, {"momentum": 1.0}, {"batch_size": -1}):
        with pytest.raises(nnsimd.InvalidArgumentError):
            net.fit(x, y, **kw)
    with pytest.raises(ValueError, match=r"\(15,\).*16"):
        net.fit(x, y[:15])
    # A batch larger than the data set is the data set, as in Go.
    trained = []
    for batch in (16, 17, 1 << 40):
        one = nnsimd.Network([2, 4, 1])
        one.fit(x, y, epochs=2, lr=0.05, batch_size=batch, momentum=0.5)
        trained.append([one.get_weights(l).tolist() for l in range(2)])
    assert trained[1] == trained[0] and trained[2] == trained[0]
    bad = array.array("f", x)
    bad[3] = float("nan")
    with pytest.raises(nnsimd.InvalidArgumentError, match="finite"):
        net.fit(bad, y)
    with pytest.raises(nnsimd.InvalidArgumentError, match=r"x\[1\]\[1\] = NaN"):
        net.predict(bad)
    # Per-sample training meets the last row after training on the others,
    # and puts the weights back.
    bad = array.array("f", x)
    bad[-1] = float("inf")
    before = [net.get_weights(l).tolist() for l in range(2)]
    with pytest.raises(nnsimd.InvalidArgumentError, match=r"x\[15\]\[1\] = \+Inf"):
        net.fit(bad, y, epochs=2)
    assert [net.get_weights(l).tolist() for l in range(2)] == before
    with pytest.raises(IndexError):
        net.get_weights(5)
    with pytest.raises(nnsimd.DivergedError, match="epoch") as e:
        net.fit(x, y, epochs=30, lr=1e6)
    assert all(math.isfinite(v) for v in net.get_weights(0).tolist()[0])
    net.close()
    net.close()  # idempotent
    with pytest.raises(ValueError, match="closed"):
        net.fit(x, y)
    with pytest.raises(ValueError, match="closed"):
        net.get_weights(0)


def test_labels_one_hot_and_evaluate():
    r = random.Random(1)
    x = array.array("f", [r.uniform(-1, 1) for _ in range(400)])
    labels = [int(x[2 * i] > 0) for i in range(200)]
    net = nnsimd.Network([2, 8, 2], hidden="relu", bias=True, seed=4)
    net.fit(x, labels, epochs=30, lr=0.05)
    acc = net.evaluate(x, labels)
    assert 0.9 <= acc <= 1
    acc2, conf = net.evaluate(x, labels, confusion=True)
    assert acc2 == acc and sum(map(sum, tolist(conf) if np is not None else conf)) == 200
    with pytest.raises(ValueError, match="labels"):
        net.evaluate(x, [0, 1, 2] + labels[3:])
    with pytest.raises(ValueError):
        net.evaluate(x, labels[:-1])
    bad = array.array("f", x)
    bad[7] = float("inf")
    with pytest.raises(nnsimd.InvalidArgumentError, match=r"x\[3\]\[1\] = \+Inf"):
        net.evaluate(bad, labels)


def test_save_load(tmp_path):
    net = nnsimd.Network([3, 5, 2], hidden="sigmoid", output="softmax", loss="cross_entropy", bias=True)
    p = tmp_path / "m.nns"
    net.save(p)
    net2 = nnsimd.Network.load(p)
    assert (net2.sizes, net2.hidden, net2.output, net2.loss, net2.bias) == ([3, 5, 2], "sigmoid", "softmax", "cross_entropy", True)
    x = floats(6)
    assert tolist(net.predict(x)) == tolist(net2.predict(x))
    with pytest.raises(nnsimd.NotFoundError):
        net.save(tmp_path / "missing" / "m.nns")
    with pytest.raises(FileNotFoundError):
        nnsimd.Network.load(tmp_path / "nope.nns")
    (tmp_path / "bad.nns").write_bytes(b"garbage" * 10)
    with pytest.raises(nnsimd.FormatError):
        nnsimd.Network.load(tmp_path / "bad.nns")


def test_progress_callable_and_busy():
    x, y = task(64)
    net = nnsimd.Network([2, 8, 1])
    seen = []

    def cb(p):
        seen.append(p)
        with pytest.raises(nnsimd.BusyError):
            net.predict(x)
        return False

    hist = net.fit(x, y, epochs=100000, progress=cb)
    assert len(seen) == 1 and len(hist) < 100000
    assert seen[0].total == 64
    net.predict(x)  # still usable

    def boom(p):
        raise RuntimeError("from the callback")
    with pytest.raises(RuntimeError, match="from the callback"):
        net.fit(x, y, epochs=100000, progress=boom)


def test_threads():
    x, y = task(128)
    shared = nnsimd.Network([2, 8, 1], seed=9)
    errors = []

    def work(i):
        try:
            own = nnsimd.Network([2, 8, 1], seed=i)
            own.fit(x, y, epochs=5, lr=0.01)
            for _ in range(20):
                shared.predict(x)
            shared.fit(x, y, epochs=1, lr=0.001)
            own.close()
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors


def test_gc_frees():
    for _ in range(2000):
        nnsimd.Network([16, 16, 4])


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_during_fit():
    code = textwrap.dedent("""
        import array, random, sys, time, nnsimd
        r = random.Random(1)
        x = array.array('f', [r.uniform(-1, 1) for _ in range(2 * 2000)])
        y = array.array('f', [v * 0.5 for v in x[::2]])
        net = nnsimd.Network([2, 64, 1])
        print('ready', flush=True)
        t0 = None
        try:
            net.fit(x, y, epochs=10**6, lr=0.001)
        except KeyboardInterrupt:
            print('interrupted', flush=True)
        print('predict', len(net.predict(x[:2]).tolist()), flush=True)
    """)
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(nnsimd.__file__)))
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, env=env, text=True)
    assert p.stdout.readline().strip() == "ready"
    time.sleep(0.5)
    t0 = time.monotonic()
    p.send_signal(signal.SIGINT)
    line = p.stdout.readline().strip()
    took = time.monotonic() - t0
    rest = p.stdout.read()
    assert p.wait(10) == 0
    assert line == "interrupted", (line, rest)
    assert took < 0.8, f"stopping took {took:.2f} s"
    assert "predict 1" in rest


@needs_numpy
def test_network_numpy_shapes():
    rng = np.random.default_rng(5)
    x = rng.random((64, 3))  # float64: converted once
    labels = rng.integers(0, 4, 64)  # int64 labels → one-hot
    net = nnsimd.Network([3, 8, 4], bias=True)
    hist = net.fit(x, labels, epochs=2, lr=0.01)
    assert len(hist) == 2 and all(np.isfinite(hist))
    out = net.predict(x.astype(np.float32))
    assert out.shape == (64, 4) and out.dtype == np.float32
    assert net.predict(x[0]).shape == (4,)  # one 1-D sample
    np.testing.assert_allclose(net.predict(x[0]), out[0], rtol=1e-6)
    w = net.get_weights(0)
    assert w.shape == (3, 8) and w.dtype == np.float32
    w[:] = 0  # a copy: the network is unchanged
    assert net.get_weights(0).any()
    net.set_weights(0, np.zeros((3, 8), np.float64))
    assert not net.get_weights(0).any()
    acc = net.evaluate(x, labels)
    assert 0 <= acc <= 1
    with pytest.raises(ValueError, match=r"\(64, 3, 1\)"):
        net.predict(x[:, :, None])  # 3-D
    with pytest.raises(ValueError, match=r"\(64, 2\)"):
        net.predict(x[:, :2])
    with pytest.raises(ValueError, match="64 rows"):
        net.fit(x, labels[:63].reshape(-1, 1).astype(np.float32).repeat(4, 1))
    with pytest.raises(ValueError, match="63 labels"):
        net.fit(x, labels[:63])
    with pytest.raises(ValueError, match=r"y\[\d+\] = 4"):
        net.fit(x, labels + 1)
    with pytest.raises(TypeError):
        net.fit(x.astype(bool), labels)
    with pytest.raises(TypeError):
        net.evaluate(x, labels.astype(np.float32))
    with pytest.raises(ValueError):
        net.fit(np.zeros((0, 3), np.float32), np.zeros(0, np.int64))
    # non-contiguous and negative-stride inputs are converted, with the same result
    xs = np.asfortranarray(x.astype(np.float32))
    np.testing.assert_array_equal(net.predict(xs), net.predict(np.ascontiguousarray(xs)))
    np.testing.assert_array_equal(net.predict(x[::-1].astype(np.float32))[::-1], net.predict(x.astype(np.float32)))


def test_network_freed_by_gc():
    import gc
    import weakref
    net = nnsimd.Network([2, 2])
    h = net._handle
    ref = weakref.ref(net)
    del net
    gc.collect()
    assert ref() is None
    # The handle is gone in the library too.
    import ctypes
    n = ctypes.c_int64()
    assert nnsimd._lib.lib.nnsimd_net_num_layers(h, ctypes.byref(n)) == nnsimd.errors.EINVAL


def test_mnist():
    try:
        x, labels = nnsimd.datasets.mnist("test")
    except nnsimd.NotFoundError as e:
        pytest.skip(f"MNIST not found: {e}")
    assert tuple(x.shape) == (10000, 784) and len(labels) == 10000
    if np is not None:
        assert x.dtype == np.float32 and 0 <= x.min() and x.max() <= 1
        assert labels.dtype.kind == "i" and set(np.unique(labels)) == set(range(10))
    with pytest.raises(ValueError):
        nnsimd.datasets.mnist("validation")
    with pytest.raises(nnsimd.NotFoundError):
        nnsimd.datasets.mnist("test", dir="/nonexistent-nnsimd-dir")


def test_progress_bar_on_a_terminal():
    import pty
    code = textwrap.dedent("""
        import array, nnsimd
        x = array.array('f', [0.5] * 2 * 20000)
        y = array.array('f', [0.25] * 20000)
        nnsimd.Network([2, 32, 1]).fit(x, y, epochs=3, lr=0.001, progress=True)
    """)
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(nnsimd.__file__)))
    master, slave = pty.openpty()
    p = subprocess.Popen([sys.executable, "-c", code], stderr=slave, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            b = os.read(master, 4096)
        except OSError:
            break
        if not b:
            break
        chunks.append(b)
    os.close(master)
    assert p.wait(30) == 0
    out = b"".join(chunks).decode()
    assert "epoch 3/3" in out and "100.0%" in out and "loss" in out
    # not a terminal: nothing drawn
    r = subprocess.run([sys.executable, "-c", code], stderr=subprocess.PIPE, env=env, timeout=30)
    assert r.returncode == 0 and r.stderr == b""


def test_set_threads():
    cpus = nnsimd.threads()
    assert cpus >= 1
    for bad in (-1, 65537, 1 << 70):
        with pytest.raises(nnsimd.InvalidArgumentError):
            nnsimd.set_threads(bad)
    with pytest.raises(TypeError):
        nnsimd.set_threads(1.0)
    assert nnsimd.threads() == cpus
    # big enough for the gemm to be shared out; 2-D buffers without numpy too
    a = memoryview(floats(130 * 140, 1)).cast("B").cast("f", (130, 140))
    b = memoryview(floats(140 * 150, 2)).cast("B").cast("f", (140, 150))
    try:
        nnsimd.set_threads(1)
        assert nnsimd.threads() == 1
        one = nnsimd.gemm(a, b)
        seen = []
        x, y = task(256)
        net = nnsimd.Network([2, 4, 1])
        net.fit(x, y, epochs=3, batch_size=32, progress=lambda p: seen.append(nnsimd.threads()) is None)
        assert seen and max(seen) == 1
        nnsimd.set_threads(3)
        assert bytes(memoryview(nnsimd.gemm(a, b))) == bytes(memoryview(one))

        # set during a fit: the fit keeps its count, the new one applies after
        def cb(p):
            nnsimd.set_threads(2)
            seen.append(nnsimd.threads())
            return True
        seen.clear()
        net.fit(x, y, epochs=2, batch_size=32, threads=1, progress=cb)
        assert seen and set(seen) == {1}
        assert nnsimd.threads() == 2
    finally:
        nnsimd.set_threads(0)
    assert nnsimd.threads() == cpus


def test_use_isa_busy_during_fit():
    x, y = task(64)
    net = nnsimd.Network([2, 4, 1])
    seen = []

    def cb(p):
        try:
            nnsimd.use_isa("generic")
        except nnsimd.BusyError as e:
            seen.append(e)
        return False

    net.fit(x, y, epochs=10**5, progress=cb)
    assert len(seen) == 1


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_users_sigint_handler_is_kept():
    code = textwrap.dedent("""
        import array, random, signal, nnsimd
        class Stop(Exception):
            pass
        def handler(signum, frame):
            raise Stop()
        signal.signal(signal.SIGINT, handler)
        r = random.Random(1)
        x = array.array('f', [r.uniform(-1, 1) for _ in range(2 * 2000)])
        y = array.array('f', [v * 0.5 for v in x[::2]])
        net = nnsimd.Network([2, 64, 1])
        print('ready', flush=True)
        try:
            net.fit(x, y, epochs=10**6, lr=0.001)
        except Stop:
            print('stopped', flush=True)
        assert signal.getsignal(signal.SIGINT) is handler
        print('predict', len(net.predict(x[:2]).tolist()), flush=True)
    """)
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(nnsimd.__file__)))
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, env=env, text=True)
    assert p.stdout.readline().strip() == "ready"
    time.sleep(0.3)
    p.send_signal(signal.SIGINT)
    out = p.stdout.read()
    assert p.wait(10) == 0
    assert "stopped" in out and "predict 1" in out


@pytest.mark.parametrize("value,error", [("bogus", "InvalidArgumentError"), ("neon-or-avx2", "UnsupportedError")])
def test_bad_nnsimd_isa_env_is_an_import_error(value, error):
    if value == "neon-or-avx2":
        value = "neon" if "avx2" in nnsimd.available_isas() else "avx2"
    env = dict(os.environ, NNSIMD_ISA=value, PYTHONPATH=os.path.dirname(os.path.dirname(nnsimd.__file__)))
    r = subprocess.run([sys.executable, "-c", "import nnsimd"], env=env, capture_output=True, text=True, timeout=30)
    assert r.returncode != 0 and error in r.stderr and "NNSIMD_ISA" in r.stderr
    env["NNSIMD_ISA"] = "generic"
    r = subprocess.run([sys.executable, "-c", "import nnsimd; print(nnsimd.isa())"], env=env, capture_output=True,
                       text=True, timeout=30)
    assert r.stdout.strip() == "generic"


@needs_numpy
def test_evaluate_one_output_is_yes_no():
    # One output: class 1 when it is at least 0.5, a 2×2 confusion matrix.
    with nnsimd.Network([1, 1], output="identity", loss="mse", seed=1) as net:
        net.set_weights(0, np.ones((1, 1), dtype=np.float32))
        x = np.array([[0.2], [0.5], [0.9], [0.1]], dtype=np.float32)
        acc, conf = net.evaluate(x, np.array([0, 1, 0, 0]), confusion=True)
        assert acc == 0.75
        assert conf.tolist() == [[2, 1], [0, 1]]
        with pytest.raises(ValueError):
            net.evaluate(x[:1], np.array([2]))
