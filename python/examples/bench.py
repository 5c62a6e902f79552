"""Benchmarks of the Python front door (not timed tests):

  - nnsimd.dot on two 128-float numpy arrays, µs per call (target ≤ 1.5 µs;
    the bare ctypes call is printed alongside, since it sets the floor);
  - one Network.fit of the book's MNIST configuration, seconds, to compare
    side by side with the Go CLI's "training … s" for the same flags:

      go run ./cmd/nnsimd train -layers 784,128,10 -hidden relu -loss mse -init uniform \\
          -init-scale 0.1 -bias=false -batch 1 -momentum 0 -lr 0.005 -shuffle=false -epochs 3 -seed 1

    make python && PYTHONPATH=python /usr/bin/python3 python/examples/bench.py [--epochs 3]
"""
import argparse
import ctypes
import time
import timeit

import numpy as np

import nnsimd


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--no-fit", action="store_true")
    args = ap.parse_args()

    x = np.random.default_rng(1).random(128, dtype=np.float32)
    y = x.copy()
    n = 200_000
    t = min(timeit.repeat(lambda: nnsimd.dot(x, y), number=n, repeat=5)) / n
    raw = nnsimd._lib.lib.nnsimd_dot
    out = ctypes.c_float()
    px, py, po = x.ctypes.data, y.ctypes.data, ctypes.addressof(out)
    floor = min(timeit.repeat(lambda: raw(px, py, 128, po), number=n, repeat=5)) / n
    print(f"nnsimd.dot(128 floats): {t * 1e6:.3f} µs/call (bare ctypes call {floor * 1e6:.3f} µs)")
    if args.no_fit:
        return
    xt, lt = nnsimd.datasets.mnist("train")
    net = nnsimd.Network([784, 128, 10], hidden="relu", output="identity", loss="mse", bias=False,
                         init="uniform", init_scale=0.1, seed=1)
    t0 = time.perf_counter()
    losses = net.fit(xt, lt, epochs=args.epochs, lr=0.005, batch_size=1, momentum=0, shuffle=False)
    print(f"Network.fit MNIST 784-128-10 per-sample, {args.epochs} epochs: {time.perf_counter() - t0:.2f} s "
          f"(losses {[round(v, 4) for v in losses]})")


if __name__ == "__main__":
    main()
