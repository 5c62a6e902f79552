"""The progress bar fit(progress=True) draws on a terminal."""
from __future__ import annotations

import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    """What a fit progress callable receives, a few times a second."""
    epoch: int            #: 1-based epoch being trained
    epochs: int           #: epochs asked for
    done: int             #: samples done in this epoch
    total: int            #: samples per epoch
    loss: float           #: mean loss so far this epoch
    samples_per_sec: float
    elapsed: float        #: seconds since fit started


class Bar:
    """One line on stderr, rewritten in place; nothing when stderr is not a
    terminal."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.drawn = False

    def __call__(self, p: Progress) -> bool:
        if self.enabled:
            width = 30
            frac = p.done / p.total if p.total else 1.0
            fill = int(width * frac)
            sys.stderr.write(f"\repoch {p.epoch}/{p.epochs} [{'#' * fill}{'.' * (width - fill)}] "
                             f"{100 * frac:5.1f}%  loss {p.loss:.4f}  {p.samples_per_sec / 1000:,.0f}k samples/s  "
                             f"{p.elapsed:.1f}s ")
            sys.stderr.flush()
            self.drawn = True
        return True

    def close(self) -> None:
        if self.drawn:
            sys.stderr.write("\n")
            sys.stderr.flush()
