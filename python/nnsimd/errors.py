"""The exceptions nnsimd raises. Library failures are Error subclasses
carrying the library's message; those that are argument mistakes also derive
from the matching built-in (ValueError, MemoryError, OSError...)."""
from __future__ import annotations

OK, EINVAL, ENOMEM, EIO, EDIVERGED, ECANCELED, EUNSUPPORTED, EFORMAT, EBUSY, ENOTFOUND, EINTERNAL = \
    0, -1, -2, -3, -4, -5, -6, -7, -8, -9, -10


class Error(Exception):
    """Base of every error from libnnsimd. ``status`` is the C status code."""

    status = 0

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        if status is not None:
            self.status = status


class InvalidArgumentError(Error, ValueError):
    """An argument the library rejected (NNSIMD_EINVAL)."""
    status = EINVAL


class OutOfMemoryError(Error, MemoryError):
    """The request needs more memory than the machine has (NNSIMD_ENOMEM)."""
    status = ENOMEM


class FileError(Error, OSError):
    """Reading or writing a file failed (NNSIMD_EIO)."""
    status = EIO


class NotFoundError(FileError, FileNotFoundError):
    """A file or folder does not exist, or MNIST was not found (NNSIMD_ENOTFOUND)."""
    status = ENOTFOUND


class FormatError(Error, ValueError):
    """A model or MNIST file is corrupt, truncated or of another format (NNSIMD_EFORMAT)."""
    status = EFORMAT


class DivergedError(Error, ArithmeticError):
    """Training hit a NaN or infinite loss (NNSIMD_EDIVERGED). The message
    names the epoch and sample; ``history`` holds the completed epochs'
    losses, and the network keeps the last finite weights."""
    status = EDIVERGED
    history: list = []


class CanceledError(Error):
    """Training was canceled (NNSIMD_ECANCELED)."""
    status = ECANCELED


class UnsupportedError(Error):
    """The CPU lacks the instruction set asked for (NNSIMD_EUNSUPPORTED)."""
    status = EUNSUPPORTED


class BusyError(Error, RuntimeError):
    """The resource is in use by a running call (NNSIMD_EBUSY), e.g. a
    network called from its own progress callback."""
    status = EBUSY


class InternalError(Error, RuntimeError):
    """A bug in nnsimd, caught at the library boundary (NNSIMD_EINTERNAL)."""
    status = EINTERNAL


_by_status = {c.status: c for c in (InvalidArgumentError, OutOfMemoryError, FileError, NotFoundError,
                                    FormatError, DivergedError, CanceledError, UnsupportedError,
                                    BusyError, InternalError)}


def from_status(status: int, message: str) -> Error:
    return _by_status.get(status, Error)(message, status)
