"""nnsimd's own training through its Python package: one nnsimd.Network.fit
call (ctypes over libnnsimd, the Go code) with the hyper-parameters the Go
driver gives nnsimd. Per-sample (--batch 1, the default): relu hidden,
identity output, MSE, no bias, uniform +-init_scale weights, data order.
Mini-batch (--batch > 1): relu hidden, softmax output, cross-entropy, bias,
Glorot-uniform (xavier) weights, shuffled with --seed, --momentum.

The package must be importable (PYTHONPATH) and find the library (the Go
driver sets NNSIMD_LIB). Targets are one-hot float32 built before timing and
x is peerlib's C-contiguous float32, so fit copies neither. The whole fit
call is timed, so each epoch's time is the call's mean; the test accuracy is
measured once, after fit (untimed), and stands for every epoch. Every
repetition uses --seed, as the Go driver's repetitions do.
"""
import time

import numpy as np

import peerlib

try:
    import nnsimd
except ImportError as e:  # a missing package or library, said plainly
    raise SystemExit(f"nnsimd_fit.py: cannot import nnsimd ({e}); "
                     "put the repository's python/ on PYTHONPATH and run `make lib`")


def main():
    ap = peerlib.parser(__doc__)
    ap.add_argument("--init-scale", type=float, default=0.1)
    ap.add_argument("--batch", type=int, default=1, help="1 = the book's per-sample SGD")
    ap.add_argument("--momentum", type=float, default=0.0)
    ap.add_argument("--save", default="", help="write the last repetition's trained network here (untimed)")
    args = ap.parse_args()
    sizes = peerlib.sizes_of(args)
    X, y, Xte, yte = peerlib.load_mnist(args.mnist, np.float32, args.limit)
    T = peerlib.one_hot(y, sizes[-1], np.float32)
    per_sample = args.batch <= 1
    if per_sample:
        net_args = dict(hidden="relu", output="identity", loss="mse", bias=False,
                        init="uniform", init_scale=args.init_scale)
        fit_args = dict(batch_size=1, momentum=0.0, shuffle=False)
    else:
        net_args = dict(hidden="relu", output="softmax", loss="cross_entropy", bias=True, init="xavier")
        fit_args = dict(batch_size=args.batch, momentum=args.momentum, shuffle=True, seed=args.seed)

    runs = []
    for _ in range(args.reps):
        with nnsimd.Network(sizes, seed=args.seed, **net_args) as net:
            e = args.epochs
            t0, cpu0 = time.perf_counter(), time.process_time()
            net.fit(X, T, epochs=e, lr=args.lr, threads=args.threads, **fit_args)
            wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            acc = float(net.evaluate(Xte, yte))
            if args.save:
                net.save(args.save)
        peerlib.log(f"fit: {e} epoch(s) in {wall:.3f} s, test acc {acc:.4f}")
        run = peerlib.Run()
        run.epoch_seconds, run.epoch_cpu, run.epoch_acc = [wall / e] * e, [cpu / e] * e, [acc] * e
        runs.append(run)
    peerlib.emit("python nnsimd", args.threads, X.shape[0], runs,
                 f"nnsimd {nnsimd.version} via Python, isa {nnsimd.isa()}, one fit call: "
                 "s/epoch is the call's mean, test acc after the last epoch only")


if __name__ == "__main__":
    main()
