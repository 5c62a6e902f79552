"""Loading libnnsimd with ctypes, its function prototypes and status codes.

The library is found at $NNSIMD_LIB if set, else next to this file (``make
python`` copies it there), else in the repository's build/ folder (``make
lib``).
"""
from __future__ import annotations

import ctypes
import os
from ctypes import POINTER, c_char_p, c_double, c_float, c_int, c_int64, c_uint64, c_void_p

from . import errors

_here = os.path.dirname(os.path.abspath(__file__))


def _find() -> str:
    env = os.environ.get("NNSIMD_LIB")
    if env:
        if not os.path.exists(env):
            raise ImportError(f"nnsimd: NNSIMD_LIB={env} does not exist")
        return env
    for cand in (os.path.join(_here, "libnnsimd.so"),
                 os.path.join(_here, "..", "..", "build", "libnnsimd.so")):
        if os.path.exists(cand):
            return os.path.abspath(cand)
    raise ImportError("nnsimd: libnnsimd.so not found: run `make python` in the repository, "
                      "or set NNSIMD_LIB to the library's path")


path = _find()
# CDLL releases the GIL around every call, so long calls (fit, predict)
# let other Python threads run.
lib = ctypes.CDLL(path)


class Progress(ctypes.Structure):
    _fields_ = [("epoch", c_int64), ("epochs", c_int64), ("done", c_int64), ("total", c_int64),
                ("loss", c_double), ("samples_per_sec", c_double), ("elapsed_seconds", c_double)]


PROGRESS_FN = ctypes.CFUNCTYPE(c_int, POINTER(Progress), c_void_p)

_P = c_void_p  # every array is passed as an address
_protos = {
    "nnsimd_version": (c_char_p, []),
    "nnsimd_isa": (c_char_p, []),
    "nnsimd_available_isas": (c_char_p, []),
    "nnsimd_use_isa": (c_int, [c_char_p]),
    "nnsimd_env_status": (c_int, []),
    "nnsimd_set_threads": (c_int, [c_int64]),
    "nnsimd_threads": (c_int64, []),
    "nnsimd_last_error": (c_char_p, []),
    "nnsimd_free": (None, [c_void_p]),
    "nnsimd_dot": (c_int, [_P, _P, c_int64, _P]),
    "nnsimd_axpy": (c_int, [c_float, _P, _P, c_int64]),
    "nnsimd_outer_update": (c_int, [c_float, _P, c_int64, _P, c_int64, _P, c_int64]),
    "nnsimd_relu": (c_int, [_P, _P, c_int64]),
    "nnsimd_exp": (c_int, [_P, _P, c_int64]),
    "nnsimd_gemm": (c_int, [c_int, c_int, c_int64, c_int64, c_int64, c_float, _P, c_int64, _P, c_int64,
                            c_float, _P, c_int64]),
    "nnsimd_net_new": (c_int, [_P, c_int64, c_char_p, c_char_p, c_char_p, c_int, c_char_p, c_float,
                               c_uint64, POINTER(c_uint64)]),
    "nnsimd_net_free": (c_int, [c_uint64]),
    "nnsimd_net_num_layers": (c_int, [c_uint64, POINTER(c_int64)]),
    "nnsimd_net_sizes": (c_int, [c_uint64, _P, c_int64, POINTER(c_int64)]),
    "nnsimd_net_config": (c_int, [c_uint64, POINTER(c_char_p), POINTER(c_char_p), POINTER(c_char_p),
                                  POINTER(c_int)]),
    "nnsimd_net_get_weights": (c_int, [c_uint64, c_int64, _P, c_int64, POINTER(c_int64)]),
    "nnsimd_net_set_weights": (c_int, [c_uint64, c_int64, _P, c_int64]),
    "nnsimd_net_get_biases": (c_int, [c_uint64, c_int64, _P, c_int64, POINTER(c_int64)]),
    "nnsimd_net_set_biases": (c_int, [c_uint64, c_int64, _P, c_int64]),
    "nnsimd_net_fit": (c_int, [c_uint64, _P, _P, c_int64, c_int64, c_float, c_int64, c_float, c_int,
                               c_uint64, c_int64, PROGRESS_FN, c_void_p, _P, c_int64, POINTER(c_int64)]),
    "nnsimd_net_predict": (c_int, [c_uint64, _P, c_int64, _P, c_int64]),
    "nnsimd_net_evaluate": (c_int, [c_uint64, _P, c_int64, _P, POINTER(c_double), _P, c_int64]),
    "nnsimd_net_save": (c_int, [c_uint64, c_char_p]),
    "nnsimd_net_load": (c_int, [c_char_p, POINTER(c_uint64)]),
    "nnsimd_mnist_load": (c_int, [c_char_p, c_char_p, POINTER(c_void_p), POINTER(c_void_p),
                                  POINTER(c_int64), POINTER(c_int64)]),
}
for _name, (_res, _args) in _protos.items():
    _fn = getattr(lib, _name)
    _fn.restype = _res
    _fn.argtypes = _args


def check(status: int) -> None:
    """Raise the nnsimd.Error subclass for a non-zero status, with the
    library's message (read on this thread, right after the failing call)."""
    if status != 0:
        msg = lib.nnsimd_last_error().decode("utf-8", "replace")
        raise errors.from_status(status, msg)


def cstr(s: str | None, name: str) -> bytes | None:
    if s is None:
        return None
    if not isinstance(s, str):
        raise TypeError(f"nnsimd: {name} must be a str, got {type(s).__name__}")
    if "\x00" in s:
        raise ValueError(f"nnsimd: {name} contains a NUL character")
    return s.encode("utf-8")
