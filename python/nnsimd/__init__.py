"""nnsimd: float32 SIMD kernels and multilayer perceptrons, trained at Go
speed from Python through ctypes (libnnsimd).

Pass whole arrays: every call crosses into the library once (about a
microsecond), and fit runs its whole training loop there. Long calls release
the GIL. The library embeds the Go runtime, which does not survive fork():
with multiprocessing, use the "spawn" start method
(multiprocessing.set_start_method("spawn")), and never use nnsimd in a child
created by os.fork().

See _buffers for the buffers accepted (numpy zero-copy for C-contiguous
float32, array.array('f'), memoryview, bytes) and returned.
"""
from __future__ import annotations

import ctypes
import os
import signal
import threading
from typing import Any, Callable, Sequence

from . import _buffers, _lib, datasets, errors
from ._progress import Progress
from .errors import (BusyError, CanceledError, DivergedError, Error, FileError, FormatError,
                     InternalError, InvalidArgumentError, NotFoundError, OutOfMemoryError,
                     UnsupportedError)

__all__ = ["isa", "available_isas", "use_isa", "set_threads", "threads", "dot", "axpy", "outer_update", "relu",
           "exp", "gemm", "Network", "Progress", "datasets", "Error", "InvalidArgumentError", "OutOfMemoryError", "FileError",
           "NotFoundError", "FormatError", "DivergedError", "CanceledError", "UnsupportedError", "BusyError",
           "InternalError", "version"]

_L = _lib.lib
_check = _lib.check
_shape = _buffers._shape_str
version: str = _L.nnsimd_version().decode()

# A bad NNSIMD_ISA is an error at import, not a silent fallback.
_check(_L.nnsimd_env_status())


def isa() -> str:
    """The kernel implementation in use: "avx512", "avx2", "neon" or "generic"."""
    return _L.nnsimd_isa().decode()


def available_isas() -> list[str]:
    """The implementations this CPU can run, best first."""
    return _L.nnsimd_available_isas().decode().split(",")


def use_isa(name: str) -> None:
    """Switch every kernel to the named implementation. Raises
    InvalidArgumentError for an unknown name, UnsupportedError for one this
    CPU lacks, BusyError while other calls into the library run."""
    _check(_L.nnsimd_use_isa(_lib.cstr(name, "name")))


def set_threads(n: int) -> None:
    """Set how many threads one call may use: gemm, predict, evaluate, and
    fit with threads=0 (then up to n). 0 means every CPU, the default.
    Results never depend on it. While a fit runs, every call uses its
    count, and one set meanwhile applies once it ends. Raises
    InvalidArgumentError unless 0 ≤ n ≤ 65536."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"nnsimd: set_threads: n is a {type(n).__name__}, want an int")
    if not -(1 << 63) <= n < 1 << 63:  # past int64: the library's own check cannot see it
        raise InvalidArgumentError(f"nnsimd: set_threads: n = {n}, want 0 (all CPUs) .. 65536")
    _check(_L.nnsimd_set_threads(n))


def threads() -> int:
    """The thread count in use (see set_threads); during fit, fit's own."""
    return int(_L.nnsimd_threads())


def _float(v: Any, name: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) and not hasattr(v, "__float__"):
        raise TypeError(f"nnsimd: {name} is a {type(v).__name__}, want a number")
    return float(v)


_ndarray, _f32, _addr, _c_dot = _buffers._ndarray, _buffers._f32, _buffers.addr, _L.nnsimd_dot
_data_offset, _from_address = _buffers._data_offset, _buffers._from_address
_c_float, _addressof = ctypes.c_float, ctypes.addressof


def dot(x: Any, y: Any) -> float:
    """Σ x[i]·y[i] of two 1-D float32 vectors of the same length."""
    # Fast path, everything inlined (a call costs ~1 µs, so each 0.1 µs
    # counts): two C-contiguous float32 numpy vectors.
    if (type(x) is _ndarray and type(y) is _ndarray and x.dtype is _f32 is y.dtype and _data_offset
            and x.ndim == 1 and x.shape == y.shape and x.flags.c_contiguous and y.flags.c_contiguous):
        out = _c_float()
        st = _c_dot(_from_address(id(x) + _data_offset).value, _from_address(id(y) + _data_offset).value,
                    x.size, _addressof(out))
        if st:
            _check(st)
        return out.value
    vx, vy = _buffers.as_input(x, "x"), _buffers.as_input(y, "y")
    if len(vx.shape) != 1 or vx.shape != vy.shape:
        raise ValueError(f"nnsimd: dot: x has shape {_shape(vx.shape)}, y has shape {_shape(vy.shape)}; "
                         "want two 1-D vectors of the same length")
    out = ctypes.c_float()
    _check(_c_dot(vx.addr, vy.addr, vx.size, ctypes.addressof(out)))
    return out.value


def axpy(alpha: float, x: Any, y: Any) -> None:
    """y += alpha·x, in place. y must be a writable C-contiguous float32
    buffer of x's shape."""
    a = _float(alpha, "alpha")
    vx, vy = _buffers.as_input(x, "x"), _buffers.as_output(y, "y")
    if vx.shape != vy.shape:
        raise ValueError(f"nnsimd: axpy: x has shape {_shape(vx.shape)}, y has shape {_shape(vy.shape)}")
    _check(_L.nnsimd_axpy(a, vx.addr, vy.addr, vx.size))


def outer_update(alpha: float, x: Any, y: Any, a: Any) -> None:
    """a[i, j] += alpha·x[i]·y[j], in place (BLAS sger). a is (len(x),
    len(y)) float32, writable; a numpy row slice of a wider matrix (unit
    column stride) is updated in place too."""
    al = _float(alpha, "alpha")
    vx, vy = _buffers.as_input(x, "x"), _buffers.as_input(y, "y")
    if len(vx.shape) != 1 or len(vy.shape) != 1:
        raise ValueError(f"nnsimd: outer_update: x has shape {_shape(vx.shape)}, y has shape {_shape(vy.shape)}; want 1-D")
    m, n = vx.size, vy.size
    np = _buffers.np
    if (np is not None and isinstance(a, np.ndarray) and a.ndim == 2 and a.dtype == _f32 and not a.flags.c_contiguous
            and a.strides[1] == 4 and a.strides[0] % 4 == 0 and a.strides[0] >= 4 * a.shape[1]):
        if not a.flags.writeable:
            raise ValueError("nnsimd: outer_update: a is read-only; it is updated in place")
        shape, address, lda, keep = a.shape, _addr(a), a.strides[0] // 4, a
    else:
        va = _buffers.as_output(a, "a")
        shape, address, lda, keep = va.shape, va.addr, n, va
    if tuple(shape) != (m, n):
        raise ValueError(f"nnsimd: outer_update: a has shape {_shape(tuple(shape))}, want (len(x), len(y)) = ({m}, {n})")
    _check(_L.nnsimd_outer_update(al, vx.addr, m, vy.addr, n, address, lda))
    del keep


def relu(x: Any) -> Any:
    """max(x, 0) elementwise, as a new float32 array of x's shape."""
    vx = _buffers.as_input(x, "x")
    out, address = _buffers.new_floats(vx.shape)
    _check(_L.nnsimd_relu(vx.addr, address, vx.size))
    return out


def exp(x: Any) -> Any:
    """e**x elementwise, as a new float32 array of x's shape: within 2 units
    in the last place; results below float32's normal range are 0."""
    vx = _buffers.as_input(x, "x")
    out, address = _buffers.new_floats(vx.shape)
    _check(_L.nnsimd_exp(vx.addr, address, vx.size))
    return out


def gemm(a: Any, b: Any, *, trans_a: bool = False, trans_b: bool = False) -> Any:
    """op(a) @ op(b) for 2-D float32 matrices, as a new array."""
    va, vb = _buffers.as_input(a, "a"), _buffers.as_input(b, "b")
    if len(va.shape) != 2 or len(vb.shape) != 2:
        raise ValueError(f"nnsimd: gemm: a has shape {_shape(va.shape)}, b has shape {_shape(vb.shape)}; want 2-D")
    m, k = (va.shape[1], va.shape[0]) if trans_a else va.shape
    k2, n = (vb.shape[1], vb.shape[0]) if trans_b else vb.shape
    if k != k2:
        raise ValueError(f"nnsimd: gemm: a has shape {_shape(va.shape)}, b has shape {_shape(vb.shape)}: inner sizes {k} and {k2} differ")
    out, address = _buffers.new_floats((m, n))
    _check(_L.nnsimd_gemm(int(trans_a), int(trans_b), m, n, k, 1.0, va.addr, va.shape[1], vb.addr, vb.shape[1],
                          0.0, address, n))
    return out


class Network:
    """A fully connected network in the library, e.g.
    ``Network([784, 128, 10], hidden="relu", output="identity", loss="mse")``.

    One network may be used from several threads: calls on it are
    serialised. Free it with close() (or a ``with`` block); it is also freed
    when garbage-collected. A closed network raises InvalidArgumentError.
    """

    _handle: int = 0

    def __init__(self, sizes: Sequence[int], *, hidden: str = "relu", output: str = "identity",
                 loss: str = "mse", bias: bool = False, init: str = "uniform", init_scale: float = 0.1,
                 seed: int = 1) -> None:
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
            raise TypeError(f"nnsimd: Network: sizes is a {type(sizes).__name__}, want a list of layer widths")
        vals = []
        for i, s in enumerate(sizes):
            if isinstance(s, bool) or not isinstance(s, int) and not hasattr(s, "__index__"):
                raise TypeError(f"nnsimd: Network: sizes[{i}] = {s!r}, want an int")
            v = int(s.__index__()) if not isinstance(s, int) else s
            if not -(1 << 63) <= v < (1 << 63):
                raise ValueError(f"nnsimd: Network: sizes[{i}] = {v} is out of range")
            vals.append(v)
        if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < (1 << 64):
            raise ValueError(f"nnsimd: Network: seed = {seed!r}, want an int in [0, 2**64)")
        arr = (ctypes.c_int64 * max(len(vals), 1))(*vals)
        h = ctypes.c_uint64()
        _check(_L.nnsimd_net_new(ctypes.addressof(arr), len(vals), _lib.cstr(hidden, "hidden"),
                                 _lib.cstr(output, "output"), _lib.cstr(loss, "loss"), int(bool(bias)),
                                 _lib.cstr(init, "init"), _float(init_scale, "init_scale"), seed, ctypes.byref(h)))
        self._adopt(h.value)

    def _adopt(self, handle: int) -> None:
        self._handle = handle
        n = ctypes.c_int64()
        _check(_L.nnsimd_net_sizes(handle, None, 0, ctypes.byref(n)))
        s = (ctypes.c_int64 * n.value)()
        _check(_L.nnsimd_net_sizes(handle, ctypes.addressof(s), n.value, ctypes.byref(n)))
        self.sizes: list[int] = list(s)
        hid, out, loss, bias = ctypes.c_char_p(), ctypes.c_char_p(), ctypes.c_char_p(), ctypes.c_int()
        _check(_L.nnsimd_net_config(handle, ctypes.byref(hid), ctypes.byref(out), ctypes.byref(loss), ctypes.byref(bias)))
        self.hidden: str = hid.value.decode()
        self.output: str = out.value.decode()
        self.loss: str = loss.value.decode()
        self.bias: bool = bool(bias.value)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Network":
        """Load a network saved with save(). Raises NotFoundError,
        FormatError (corrupt, truncated, not a model file) or FileError."""
        h = ctypes.c_uint64()
        _check(_L.nnsimd_net_load(_lib.cstr(os.fspath(path), "path"), ctypes.byref(h)))
        net = cls.__new__(cls)
        net._adopt(h.value)
        return net

    # ---- lifetime
    def _h(self) -> int:
        if not self._handle:
            raise InvalidArgumentError("nnsimd: the network is closed", -1)
        return self._handle

    def close(self) -> None:
        """Free the library's network. Further use raises InvalidArgumentError."""
        h, self._handle = self._handle, 0
        if h:
            _check(_L.nnsimd_net_free(h))

    def __enter__(self) -> "Network":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        h = getattr(self, "_handle", 0)
        if h and _L is not None:
            try:
                _L.nnsimd_net_free(h)
            except Exception:  # interpreter shutdown
                pass
            self._handle = 0

    def __repr__(self) -> str:
        state = "" if self._handle else ", closed"
        return f"Network({self.sizes}, hidden={self.hidden!r}, output={self.output!r}, loss={self.loss!r}, bias={self.bias}{state})"

    @property
    def inputs(self) -> int:
        return self.sizes[0]

    @property
    def outputs(self) -> int:
        return self.sizes[-1]

    # ---- weights
    def _layer(self, layer: int) -> int:
        if isinstance(layer, bool) or not isinstance(layer, int):
            raise TypeError(f"nnsimd: layer is a {type(layer).__name__}, want an int")
        if not 0 <= layer < len(self.sizes) - 1:
            raise IndexError(f"nnsimd: layer {layer} out of range [0, {len(self.sizes) - 1})")
        return layer

    def get_weights(self, layer: int) -> Any:
        """A copy of layer's weights, shape (inputs, outputs) of the layer."""
        l = self._layer(layer)
        shape = (self.sizes[l], self.sizes[l + 1])
        out, address = _buffers.new_floats(shape)
        n = ctypes.c_int64()
        _check(_L.nnsimd_net_get_weights(self._h(), l, address, shape[0] * shape[1], ctypes.byref(n)))
        return out

    def set_weights(self, layer: int, w: Any) -> None:
        """Copy w, shape (inputs, outputs) of the layer, into the network."""
        l = self._layer(layer)
        shape = (self.sizes[l], self.sizes[l + 1])
        v = _buffers.as_input(w, "w")
        if tuple(v.shape) != shape:
            raise ValueError(f"nnsimd: set_weights: w has shape {_shape(tuple(v.shape))}, layer {l} has shape {_shape(shape)}")
        _check(_L.nnsimd_net_set_weights(self._h(), l, v.addr, v.size))

    def get_biases(self, layer: int) -> Any:
        """A copy of layer's bias vector (empty without bias)."""
        l = self._layer(layer)
        n = self.sizes[l + 1] if self.bias else 0
        out, address = _buffers.new_floats((n,))
        cnt = ctypes.c_int64()
        _check(_L.nnsimd_net_get_biases(self._h(), l, address, n, ctypes.byref(cnt)))
        return out

    def set_biases(self, layer: int, b: Any) -> None:
        """Copy b (the layer's outputs values) into its bias vector."""
        l = self._layer(layer)
        v = _buffers.as_input(b, "b")
        if tuple(v.shape) != (self.sizes[l + 1],):
            raise ValueError(f"nnsimd: set_biases: b has shape {_shape(tuple(v.shape))}, layer {l} has {self.sizes[l + 1]} outputs")
        _check(_L.nnsimd_net_set_biases(self._h(), l, v.addr, v.size))

    # ---- data
    def _rows(self, x: Any, name: str = "x") -> tuple[_buffers.View, int, bool]:
        """x as rows×inputs: 2-D (rows, inputs), 1-D of length inputs (one
        sample), or a flat plain buffer of rows·inputs values."""
        v = _buffers.as_input(x, name)
        inp = self.inputs
        if len(v.shape) == 2:
            if v.shape[1] != inp:
                raise ValueError(f"nnsimd: {name} has shape {_shape(v.shape)}, want (rows, {inp}) for the network's {inp} inputs")
            return v, v.shape[0], False
        if len(v.shape) == 1:
            if v.size == inp:
                return v, 1, True
            if _buffers.np is None or not isinstance(x, _buffers.np.ndarray):
                if v.size % inp == 0:
                    return v, v.size // inp, False
            raise ValueError(f"nnsimd: {name} has shape {_shape(v.shape)}, want (rows, {inp}) for the network's {inp} inputs")
        raise ValueError(f"nnsimd: {name} has shape {_shape(v.shape)}, want (rows, {inp}): 2-D")

    def _targets(self, y: Any, rows: int) -> _buffers.View:
        out = self.outputs
        if _buffers.is_label_vector(y):
            keep, address, n = _buffers.labels_of(y, "y", out)
            if n != rows:
                raise ValueError(f"nnsimd: fit: x has {rows} rows, y has {n} labels")
            oh, a = _buffers.new_floats((n, out))
            np = _buffers.np
            if np is not None:
                oh[np.arange(n), keep] = 1.0
            else:
                flat = memoryview(oh).cast("B").cast("f")
                for i, lb in enumerate(keep):
                    flat[i * out + lb] = 1.0
            return _buffers.View(a, (n, out), oh)
        v = _buffers.as_input(y, "y")
        if len(v.shape) == 2:
            if v.shape != (rows, out):
                raise ValueError(f"nnsimd: fit: x has {rows} rows, y has shape {_shape(v.shape)}; want ({rows}, {out})")
        elif len(v.shape) == 1:
            if v.size != rows * out or (out != 1 and _buffers.np is not None and isinstance(y, _buffers.np.ndarray)):
                raise ValueError(f"nnsimd: fit: y has shape {_shape(v.shape)}, want ({rows}, {out}) targets or {rows} integer labels")
        else:
            raise ValueError(f"nnsimd: fit: y has shape {_shape(v.shape)}, want ({rows}, {out})")
        return v

    # ---- training
    def fit(self, x: Any, y: Any, *, epochs: int = 1, lr: float = 0.005, batch_size: int = 1,
            momentum: float = 0.0, shuffle: bool = False, seed: int = 0, threads: int = 0,
            progress: bool | Callable[[Progress], Any] | None = None) -> list[float]:
        """Train on x (rows, inputs) and y: targets (rows, outputs), or 1-D
        integer labels, turned into one-hot targets of the outputs.

        batch_size 1 (or 0) is per-sample SGD in data order (the book's
        algorithm); > 1 mini-batch SGD, all rows one batch when it is above
        their number. threads 0 uses up to set_threads's count (every
        CPU unless set otherwise), fewer while fewer are faster (the count
        is timed as training goes). Returns the mean loss of every epoch.

        progress=True draws a progress bar on stderr when it is a terminal.
        A callable receives a Progress a few times a second; returning False
        stops training early, and fit returns the losses of the epochs
        completed (early stopping is not an error). If it raises, training
        stops and the exception propagates.

        Ctrl-C (SIGINT, in the main thread) stops training within a fraction
        of a second and raises KeyboardInterrupt; the network keeps the
        weights reached and stays usable. A SIGINT handler of your own is
        called after training stopped; if it returns, fit returns the losses
        of the completed epochs. DivergedError (a NaN or infinite
        loss) carries ``history``. A NaN or infinite value in x or y raises
        InvalidArgumentError and leaves the weights as they were
        (per-sample training finds it when it reaches that row, and puts
        the weights back).
        """
        h = self._h()
        vx, rows, _ = self._rows(x)
        vy = self._targets(y, rows)
        for name, v in (("epochs", epochs), ("batch_size", batch_size), ("threads", threads), ("seed", seed)):
            if isinstance(v, bool) or not isinstance(v, int):
                raise TypeError(f"nnsimd: fit: {name} is a {type(v).__name__}, want an int")
        if epochs < 1:
            raise ValueError(f"nnsimd: fit: epochs = {epochs}, want ≥ 1")
        if not 0 <= seed < (1 << 64):
            raise ValueError(f"nnsimd: fit: seed = {seed}, want an int in [0, 2**64)")
        lr_f, mom_f = _float(lr, "lr"), _float(momentum, "momentum")
        losses = (ctypes.c_double * epochs)()
        nlosses = ctypes.c_int64()

        bar = _progress_bar() if progress is True else None
        user_cb = progress if callable(progress) else None
        state = {"stop_user": False, "error": None, "sigint": False}

        def on_progress(pp: Any, _user: Any) -> int:
            try:
                if state["sigint"]:
                    return 1
                c = pp.contents
                p = Progress(c.epoch, c.epochs, c.done, c.total, c.loss, c.samples_per_sec, c.elapsed_seconds)
                if bar is not None:
                    bar(p)
                if user_cb is not None and user_cb(p) is False:
                    state["stop_user"] = True
                    return 1
                return 0
            except BaseException as e:  # propagated after the call returns
                state["error"] = e
                return 1

        cb = _lib.PROGRESS_FN(on_progress)
        old_handler = None
        in_main = threading.current_thread() is threading.main_thread()
        prev_handler = signal.getsignal(signal.SIGINT) if in_main else None
        if callable(prev_handler):
            # Python runs signal handlers only between bytecodes of the main
            # thread, which is inside the library: they would run inside the
            # callback, where ctypes swallows what they raise. So a flag,
            # seen by the callback, stops training, and the handler that was
            # installed runs after the call (the default one raises
            # KeyboardInterrupt). SIG_IGN and SIG_DFL are left alone.
            def on_sigint(signum: int, frame: Any) -> None:
                state["sigint"] = True
            try:
                old_handler = signal.signal(signal.SIGINT, on_sigint)
            except (ValueError, OSError):
                old_handler = None
        try:
            st = _L.nnsimd_net_fit(h, vx.addr, vy.addr, rows, epochs, lr_f, batch_size, mom_f, int(bool(shuffle)),
                                   seed, threads, cb, None, ctypes.addressof(losses), epochs, ctypes.byref(nlosses))
        finally:
            if old_handler is not None:
                signal.signal(signal.SIGINT, old_handler)
            if bar is not None:
                bar.close()
        history = list(losses[:nlosses.value])
        if state["sigint"]:
            if prev_handler is signal.default_int_handler:
                raise KeyboardInterrupt
            prev_handler(signal.SIGINT, None)  # may raise; else fit ends early
            return history
        if state["error"] is not None:
            raise state["error"]
        if st == errors.ECANCELED and state["stop_user"]:
            return history
        if st != 0:
            try:
                _check(st)
            except DivergedError as e:
                e.history = history
                raise
        return history

    def predict(self, x: Any) -> Any:
        """The outputs for x: (rows, outputs), or (outputs,) for a single 1-D sample.
        A NaN or infinite value in x raises InvalidArgumentError."""
        h = self._h()
        vx, rows, single = self._rows(x)
        shape = (self.outputs,) if single else (rows, self.outputs)
        out, address = _buffers.new_floats(shape)
        _check(_L.nnsimd_net_predict(h, vx.addr, rows, address, rows * self.outputs))
        return out

    def evaluate(self, x: Any, labels: Any, *, confusion: bool = False) -> Any:
        """The fraction of rows whose predicted class is their label, in
        [0, 1]; with confusion=True, (accuracy, classes×classes counts
        [true][predicted]). The predicted class is the index of the largest
        output; a one-output network is a yes/no classifier (2 classes:
        1 when the output is at least 0.5)."""
        h = self._h()
        vx, rows, _ = self._rows(x)
        k = max(self.outputs, 2)  # the library's class count (nn.Network.Classes)
        keep, address, n = _buffers.labels_of(labels, "labels", k)
        if n != rows:
            raise ValueError(f"nnsimd: evaluate: x has {rows} rows, labels has {n}")
        acc = ctypes.c_double()
        conf = (ctypes.c_int64 * (k * k))() if confusion else None
        _check(_L.nnsimd_net_evaluate(h, vx.addr, rows, address, ctypes.byref(acc),
                                      ctypes.addressof(conf) if conf is not None else None, k * k if confusion else 0))
        del keep
        if not confusion:
            return acc.value
        rows_ = [list(conf[i * k:(i + 1) * k]) for i in range(k)]
        if _buffers.np is not None:
            return acc.value, _buffers.np.array(rows_, dtype=_buffers.np.int64)
        return acc.value, rows_

    def save(self, path: str | os.PathLike) -> None:
        """Write the network to path atomically (temp file + rename)."""
        _check(_L.nnsimd_net_save(self._h(), _lib.cstr(os.fspath(path), "path")))


def _progress_bar() -> Any:
    from ._progress import Bar
    return Bar()
