"""Shared by nnsimd's training peers: MNIST IDX reading, the flags every
peer takes, and the one JSON result line the Go driver (bench/train) reads.

Each peer prints progress to stderr and, last on stdout, one JSON object:
{peer, threads, seconds_per_epoch, samples_per_s, test_acc, samples,
epoch_seconds, epoch_cpu_seconds (process CPU time, all threads), epoch_acc,
reached_epoch, note}. With --reps the fastest
repetition is reported: by time to --target-acc if given, else by total
training time. Times cover training only; the test evaluation after each
epoch is not timed.
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

import numpy as np


def read_idx(path):
    """An unsigned-byte IDX file (raw or .gz) as a numpy array of its shape."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    ndim = data[3]
    dims = struct.unpack(">%dI" % ndim, data[4:4 + 4 * ndim])
    count = int(np.prod(dims))
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != count:
        raise ValueError(f"{path}: {arr.size} values, header says {count}")
    return arr.reshape(dims)


def _find(folder, name):
    for candidate in (name + ".gz", name):
        path = os.path.join(folder, candidate)
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(f"{folder}: no {name} or {name}.gz")


def load_mnist(folder, dtype, limit=0):
    """(x_train, y_train, x_test, y_test): x rows of pixel/255 in dtype,
    y uint8 labels; limit > 0 keeps the first limit training images."""
    def split(images, labels):
        x = read_idx(_find(folder, images))
        y = read_idx(_find(folder, labels))
        if x.shape[0] != y.shape[0]:
            raise ValueError(f"{images}: {x.shape[0]} images, {labels}: {y.shape[0]} labels")
        return (x.reshape(x.shape[0], -1).astype(dtype) / dtype(255)), y.copy()
    xtr, ytr = split("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
    xte, yte = split("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
    if limit > 0:
        xtr, ytr = xtr[:limit], ytr[:limit]
    return np.ascontiguousarray(xtr), ytr, np.ascontiguousarray(xte), yte


def one_hot(labels, classes, dtype):
    t = np.zeros((len(labels), classes), dtype=dtype)
    t[np.arange(len(labels)), labels] = 1
    return t


def parser(doc):
    ap = argparse.ArgumentParser(description=doc)
    ap.add_argument("--mnist", required=True, help="folder of the four MNIST IDX files")
    ap.add_argument("--sizes", default="784,128,10", help="layer widths, input first")
    ap.add_argument("--lr", type=float, required=True)
    ap.add_argument("--epochs", type=int, default=1,
                    help="epochs, or with --target-acc the most that are run")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reps", type=int, default=1, help="repetitions; the fastest is reported")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--limit", type=int, default=0, help="train on the first LIMIT images only")
    return ap


def add_init_weights(ap):
    """Gives a peer the --init-weights flag that initial_weights reads."""
    ap.add_argument("--init-weights", default="",
                    help="start every repetition from these weights (see peerlib.initial_weights)")


def weights_note(given):
    """What a peer's note says of initial_weights' result."""
    return ", from nnsimd's initial weights" if given is not None else ""


def initial_weights(args, sizes):
    """The weights of --init-weights as a list of (in, out) float32 arrays,
    or None without it. The file holds each layer's in x out matrix,
    row-major little-endian float32, the layers one after the other: the
    Go driver writes nnsimd's initial weights there, so that the peers'
    accuracies compare arithmetic rather than draws of the weights."""
    if not args.init_weights:
        return None
    shapes = list(zip(sizes[:-1], sizes[1:]))
    flat = np.fromfile(args.init_weights, dtype="<f4")
    if flat.size != sum(i * o for i, o in shapes):
        raise ValueError(f"{args.init_weights}: {flat.size} weights, sizes {sizes} need {sum(i * o for i, o in shapes)}")
    given, at = [], 0
    for i, o in shapes:
        given.append(flat[at:at + i * o].reshape(i, o))
        at += i * o
    return given


def add_save_weights(ap):
    """Gives a peer the --save-weights flag that save_weights honours."""
    ap.add_argument("--save-weights", default="",
                    help="write the last repetition's trained weights here, in --init-weights' layout")


def save_weights(args, ws):
    """Writes ws, a list of (in, out) arrays, to --save-weights if given,
    in initial_weights' layout: the tests compare them with nnsimd's."""
    if args.save_weights:
        np.concatenate([np.asarray(w, dtype="<f4").ravel() for w in ws]).tofile(args.save_weights)


def add_order(ap):
    """Gives a mini-batch peer the --order flag that epoch_orders reads."""
    ap.add_argument("--order", default="",
                    help="take each epoch's samples in this file's order (see peerlib.epoch_orders)")


def order_note(orders):
    """What a peer's note says of epoch_orders' result."""
    return ", in nnsimd's batch order" if orders is not None else ""


def epoch_orders(args, rows):
    """The sample order of every epoch from --order as an (epochs, rows)
    int64 array, or None without it. The file holds --epochs rows of rows
    little-endian int32 sample indices, each a permutation: the Go driver
    writes the order nnsimd's Fit visits the samples in, so that the
    peers see the same mini-batches as nnsimd, step for step."""
    if not args.order:
        return None
    flat = np.fromfile(args.order, dtype="<i4")
    if flat.size != args.epochs * rows:
        raise ValueError(f"{args.order}: {flat.size} indices, {args.epochs} epochs of {rows} samples need {args.epochs * rows}")
    orders = flat.reshape(args.epochs, rows).astype(np.int64)
    want = np.arange(rows)
    for e, order in enumerate(orders):
        if not np.array_equal(np.sort(order), want):
            raise ValueError(f"{args.order}: epoch {e + 1} is not an order of {rows} samples")
    return orders


def sizes_of(args):
    sizes = [int(s) for s in args.sizes.split(",")]
    if len(sizes) < 2 or min(sizes) < 1:
        raise SystemExit(f"--sizes {args.sizes}: want at least two widths ≥ 1")
    return sizes


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


class Run:
    """One repetition: epoch times and test accuracies, and the epoch that
    reached the target accuracy (0 if none)."""

    def __init__(self, target_acc=0.0):
        self.target_acc = target_acc
        self.epoch_seconds, self.epoch_acc, self.reached_epoch = [], [], 0
        self.epoch_cpu = []
        self._t0 = self._cpu0 = None

    def start_epoch(self):
        self._t0, self._cpu0 = time.perf_counter(), time.process_time()

    def end_epoch(self, evaluate):
        """Closes the epoch's timing, then evaluates (untimed); returns True
        when training should stop because the target was reached."""
        self.epoch_seconds.append(time.perf_counter() - self._t0)
        self.epoch_cpu.append(time.process_time() - self._cpu0)
        acc = float(evaluate())
        self.epoch_acc.append(acc)
        log(f"epoch {len(self.epoch_acc)}: {self.epoch_seconds[-1]:.3f} s, test acc {acc:.4f}")
        if self.target_acc > 0 and acc >= self.target_acc:
            self.reached_epoch = len(self.epoch_acc)
            return True
        return False

    def cost(self):
        if self.target_acc > 0:
            if not self.reached_epoch:
                return float("inf")
            return sum(self.epoch_seconds[:self.reached_epoch])
        return sum(self.epoch_seconds)


def emit(peer, threads, samples, runs, note):
    """Prints the fastest of runs as the result line."""
    best = min(runs, key=lambda r: (r.cost(), sum(r.epoch_seconds)))
    total = sum(best.epoch_seconds)
    print(json.dumps(dict(
        peer=peer, threads=threads, samples=samples,
        seconds_per_epoch=total / len(best.epoch_seconds),
        samples_per_s=samples * len(best.epoch_seconds) / total,
        test_acc=best.epoch_acc[-1],
        epoch_seconds=best.epoch_seconds, epoch_acc=best.epoch_acc,
        epoch_cpu_seconds=best.epoch_cpu,
        reached_epoch=best.reached_epoch,
        rep_seconds=[sum(r.epoch_seconds) for r in runs],
        note=note)), flush=True)
