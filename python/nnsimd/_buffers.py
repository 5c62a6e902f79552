"""Turning Python buffers into addresses for the library, and making result
arrays.

Inputs (read only): numpy arrays (C-contiguous float32 ones are passed
zero-copy; other numeric dtypes and layouts are converted once to a
C-contiguous float32 copy; bool, complex, object and string dtypes are a
TypeError), objects with the buffer protocol of format 'f' (array.array('f'),
memoryview) zero-copy, ``bytes``/``bytearray`` as raw native float32 data,
other numeric buffers and flat lists converted once.

Outputs written in place must be writable, C-contiguous float32 buffers
(numpy arrays, array.array('f'), memoryviews of format 'f', bytearray):
anything else is an error, never a silent update of a copy.

Results are numpy arrays when numpy is importable, else array.array('f')
(1-D) or 2-D memoryviews over one (``.tolist()``, ``m[i, j]``, ``.shape``).
Set NNSIMD_NO_NUMPY=1 to use the plain-buffer path with numpy installed.
"""
from __future__ import annotations

import array
import ctypes
import os
from typing import Any

np: Any = None
if os.environ.get("NNSIMD_NO_NUMPY", "") in ("", "0"):
    try:
        import numpy as np  # type: ignore[no-redef]
    except ImportError:  # pragma: no cover - depends on the machine
        np = None

if np is not None:
    _ndarray = np.ndarray
    _f32 = np.dtype(np.float32)
else:
    class _NoArray:  # never an instance: makes `type(x) is _ndarray` false
        pass
    _ndarray = _NoArray
    _f32 = None

# A C-contiguous float32 array's data pointer sits right after PyObject_HEAD
# in numpy's PyArrayObject (its ABI since numpy 1.0). Reading it there is 5×
# faster than arr.ctypes.data, which matters for small kernels; the offset is
# verified on a probe array, and arr.ctypes.data is used if it does not hold.
_from_address = ctypes.c_void_p.from_address
_data_offset = None
if np is not None:
    _probe = np.zeros(3, np.float32)
    for _off in (16, 2 * ctypes.sizeof(ctypes.c_void_p)):
        if _from_address(id(_probe) + _off).value == _probe.ctypes.data:
            _data_offset = _off
            break


def addr(a: Any) -> int:
    """The data address of a numpy array (0 for an empty one is fine)."""
    if _data_offset is not None:
        return _from_address(id(a) + _data_offset).value or 0
    return a.ctypes.data or 0


_float_formats = ("f", "<f", "=f", "@f") if __import__("sys").byteorder == "little" else ("f", ">f", "=f", "@f")
_int_formats = set("bBhHiIlLqQnN")


def _shape_str(shape: tuple) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _typename(obj: Any) -> str:
    if np is not None and isinstance(obj, np.ndarray):
        return f"numpy array of dtype {obj.dtype}"
    return type(obj).__name__


class View:
    """A float32 buffer for the duration of one call: its address, shape and
    the objects that must stay alive (and unresized) meanwhile."""
    __slots__ = ("addr", "shape", "size", "keep")

    def __init__(self, address: int, shape: tuple, keep: Any):
        self.addr = address
        self.shape = shape
        self.size = 1
        for d in shape:
            self.size *= d
        self.keep = keep


def _check_numpy_dtype(a: Any, name: str) -> None:
    if a.dtype.kind not in "fiu":
        raise TypeError(f"nnsimd: {name} has dtype {a.dtype}, want float32 (or a real number dtype to convert)")


def as_input(obj: Any, name: str) -> View:
    """A read-only float32 view of obj, zero-copy where possible."""
    if type(obj) is _ndarray:
        if obj.dtype is not _f32 or not obj.flags.c_contiguous:
            _check_numpy_dtype(obj, name)
            obj = np.ascontiguousarray(obj, dtype=np.float32)
        return View(addr(obj), obj.shape, obj)
    if np is not None and isinstance(obj, np.ndarray):  # a subclass
        _check_numpy_dtype(obj, name)
        obj = np.ascontiguousarray(obj, dtype=np.float32)
        return View(addr(obj), obj.shape, obj)
    if isinstance(obj, (list, tuple)):
        if np is not None:
            try:
                a = np.asarray(obj, dtype=np.float32)
            except (TypeError, ValueError) as e:
                raise TypeError(f"nnsimd: {name}: cannot convert the {type(obj).__name__} to float32: {e}") from None
            return View(addr(a), a.shape, a)
        try:
            a = array.array("f", obj)
        except TypeError:
            raise TypeError(f"nnsimd: {name}: want a flat list of numbers without numpy") from None
        return View(a.buffer_info()[0], (len(a),), memoryview(a))
    if isinstance(obj, (str, bytes)) and not isinstance(obj, bytes):
        raise TypeError(f"nnsimd: {name} is a str, want a float32 buffer")
    try:
        mv = memoryview(obj)
    except TypeError:
        raise TypeError(f"nnsimd: {name} is a {type(obj).__name__}, want a float32 array or buffer") from None
    if isinstance(obj, (bytes, bytearray)) or (mv.format in ("B", "b", "c") and isinstance(mv.obj, (bytes, bytearray))):
        mv = mv.cast("B") if mv.c_contiguous else memoryview(mv.tobytes())
        if mv.nbytes % 4:
            raise ValueError(f"nnsimd: {name} has {mv.nbytes} bytes, not a whole number of float32 values")
        mv = mv.cast("f")
    if mv.format in _float_formats:
        if not mv.c_contiguous:
            mv = memoryview(array.array("f", mv.tobytes())).cast("B").cast("f", mv.shape) if mv.ndim > 1 \
                else memoryview(array.array("f", mv.tobytes()))
        shape = tuple(mv.shape)
        if mv.nbytes == 0:
            return View(0, shape, mv)
        if mv.readonly:
            data = mv.obj if isinstance(mv.obj, bytes) and mv.nbytes == len(mv.obj) else None
            if data is not None:
                return View(ctypes.cast(ctypes.c_char_p(data), ctypes.c_void_p).value, shape, (mv, data))
            buf = ctypes.create_string_buffer(mv.tobytes(), mv.nbytes)
            return View(ctypes.addressof(buf), shape, buf)
        c = (ctypes.c_char * mv.nbytes).from_buffer(mv)
        return View(ctypes.addressof(c), shape, (mv, c))
    if mv.format in _int_formats or mv.format in ("d", "e"):
        shape = tuple(mv.shape)
        flat = mv.tobytes()
        vals = memoryview(flat).cast(mv.format).tolist() if mv.format != "e" else memoryview(flat).cast("e").tolist()
        a = array.array("f", vals)
        return View(a.buffer_info()[0] if len(a) else 0, shape, memoryview(a))
    raise TypeError(f"nnsimd: {name} is a buffer of format {mv.format!r}, want float32 ('f')")


def as_output(obj: Any, name: str) -> View:
    """A writable float32 view of obj, updated in place: no conversion."""
    if np is not None and isinstance(obj, np.ndarray):
        if obj.dtype != _f32:
            raise TypeError(f"nnsimd: {name} has dtype {obj.dtype}, want float32: it is updated in place, "
                            "so it cannot be converted")
        if not obj.flags.c_contiguous:
            raise ValueError(f"nnsimd: {name} is not C-contiguous (strides {obj.strides}); it is updated in place, "
                             "pass np.ascontiguousarray(...) and use the result")
        if not obj.flags.writeable:
            raise ValueError(f"nnsimd: {name} is read-only; it is updated in place")
        return View(addr(obj), obj.shape, obj)
    try:
        mv = memoryview(obj)
    except TypeError:
        raise TypeError(f"nnsimd: {name} is a {_typename(obj)}, want a writable float32 array") from None
    if mv.readonly:
        raise ValueError(f"nnsimd: {name} is read-only; it is updated in place")
    if isinstance(obj, bytearray):
        if len(obj) % 4:
            raise ValueError(f"nnsimd: {name} has {len(obj)} bytes, not a whole number of float32 values")
        mv = mv.cast("f")
    if mv.format not in _float_formats:
        raise TypeError(f"nnsimd: {name} is a buffer of format {mv.format!r}, want float32 ('f'): "
                        "it is updated in place, so it cannot be converted")
    if mv.readonly:
        raise ValueError(f"nnsimd: {name} is read-only; it is updated in place")
    if not mv.c_contiguous:
        raise ValueError(f"nnsimd: {name} is not C-contiguous; it is updated in place")
    if mv.nbytes == 0:
        return View(0, tuple(mv.shape), mv)
    c = (ctypes.c_char * mv.nbytes).from_buffer(mv)
    return View(ctypes.addressof(c), tuple(mv.shape), (mv, c))


def new_floats(shape: tuple) -> tuple[Any, int]:
    """A zeroed float32 result of shape and its address."""
    n = 1
    for d in shape:
        n *= d
    if np is not None:
        a = np.zeros(shape, np.float32)
        return a, addr(a)
    a = array.array("f", bytes(4 * n))
    address = a.buffer_info()[0] if n else 0
    if len(shape) == 1:
        return a, address
    # Keep the array alive through the memoryview; cast needs bytes first.
    return memoryview(a).cast("B").cast("f", shape), address


def labels_of(obj: Any, name: str, classes: int) -> tuple[Any, int, int]:
    """Integer labels as a uint8 buffer: (keep, address, count)."""
    if np is not None and not isinstance(obj, (bytes, bytearray, array.array, memoryview)):
        a = np.asarray(obj)
        if a.ndim != 1:
            raise ValueError(f"nnsimd: {name} has shape {_shape_str(a.shape)}, want 1-D integer labels")
        if a.size and a.dtype.kind not in "iu":
            raise TypeError(f"nnsimd: {name} has dtype {a.dtype}, want integer labels")
        if a.size:
            lo, hi = int(a.min()), int(a.max())
            if lo < 0 or hi >= classes:
                bad = int(np.flatnonzero((a < 0) | (a >= classes))[0])
                raise ValueError(f"nnsimd: {name}[{bad}] = {int(a[bad])}, want 0..{classes - 1} (the network has {classes} outputs)")
        u = np.ascontiguousarray(a, dtype=np.uint8)
        return u, addr(u), u.size
    if isinstance(obj, (bytes, bytearray)):
        vals = list(obj)
    else:
        try:
            mv = memoryview(obj)
        except TypeError:
            mv = None
        if mv is not None:
            if mv.ndim != 1:
                raise ValueError(f"nnsimd: {name} has shape {_shape_str(tuple(mv.shape))}, want 1-D integer labels")
            if mv.format not in _int_formats:
                raise TypeError(f"nnsimd: {name} is a buffer of format {mv.format!r}, want integer labels")
            vals = mv.tolist()
        elif isinstance(obj, (list, tuple)):
            vals = list(obj)
        else:
            raise TypeError(f"nnsimd: {name} is a {type(obj).__name__}, want integer labels")
    for i, v in enumerate(vals):
        if isinstance(v, bool) or not isinstance(v, int):
            raise TypeError(f"nnsimd: {name}[{i}] is {v!r}, want an integer label")
        if not 0 <= v < classes:
            raise ValueError(f"nnsimd: {name}[{i}] = {v}, want 0..{classes - 1} (the network has {classes} outputs)")
    b = bytes(vals)
    return b, (ctypes.cast(ctypes.c_char_p(b), ctypes.c_void_p).value if b else 0), len(b)


def is_label_vector(obj: Any) -> bool:
    """Whether obj looks like 1-D integer labels (for fit's y)."""
    if np is not None and isinstance(obj, np.ndarray):
        return obj.ndim == 1 and obj.dtype.kind in "iu"
    if isinstance(obj, array.array):
        return obj.typecode in _int_formats
    if isinstance(obj, (list, tuple)):
        return len(obj) > 0 and all(isinstance(v, int) and not isinstance(v, bool) for v in obj)
    return False
