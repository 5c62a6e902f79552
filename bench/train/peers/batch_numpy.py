"""Mini-batch SGD in numpy + OpenBLAS, written by hand: relu hidden layers,
softmax cross-entropy, the mean gradient over each batch (the last, smaller
batch averaged over its own size), SGD with optional momentum in PyTorch's
form (v = mu*v + g, W -= lr*v), Glorot-uniform weights (or those of
--init-weights, see peerlib.initial_weights), zero biases, a fresh
permutation every epoch (or --order's, see peerlib.epoch_orders), float32.
"""
import numpy as np

import peerlib


def main():
    ap = peerlib.parser(__doc__)
    peerlib.add_init_weights(ap)
    peerlib.add_order(ap)
    peerlib.add_save_weights(ap)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--momentum", type=float, default=0.0)
    ap.add_argument("--target-acc", type=float, default=0.0)
    args = ap.parse_args()
    sizes = peerlib.sizes_of(args)
    dt = np.float32
    X, y, Xte, yte = peerlib.load_mnist(args.mnist, dt, args.limit)
    N, B, lr, mu = X.shape[0], args.batch, dt(args.lr), dt(args.momentum)

    def forward(x, ws, bs):
        acts = [x]
        for l, (w, b) in enumerate(zip(ws, bs)):
            z = acts[-1] @ w
            z += b
            if l < len(ws) - 1:
                np.maximum(z, 0, out=z)
            acts.append(z)
        return acts

    given = peerlib.initial_weights(args, sizes)
    orders = peerlib.epoch_orders(args, N)
    runs = []
    for rep in range(args.reps):
        rng = np.random.default_rng(args.seed + rep)
        ws, bs = [], []
        for l, (i, o) in enumerate(zip(sizes[:-1], sizes[1:])):
            if given is not None:
                ws.append(given[l].astype(dt))
            else:
                s = np.sqrt(6 / (i + o))
                ws.append(rng.uniform(-s, s, (i, o)).astype(dt))
            bs.append(np.zeros(o, dt))
        vws = [np.zeros_like(w) for w in ws]
        vbs = [np.zeros_like(b) for b in bs]
        run = peerlib.Run(args.target_acc)
        for epoch in range(args.epochs):
            run.start_epoch()
            perm = orders[epoch] if orders is not None else rng.permutation(N)
            for k in range(0, N, B):
                idx = perm[k:k + B]
                acts = forward(X[idx], ws, bs)
                p = acts[-1]
                p -= p.max(axis=1, keepdims=True)
                np.exp(p, out=p)
                p /= p.sum(axis=1, keepdims=True)
                p[np.arange(len(idx)), y[idx]] -= 1
                delta = p * dt(1.0 / len(idx))  # mean over the batch
                for l in range(len(ws) - 1, -1, -1):
                    gw = acts[l].T @ delta
                    gb = delta.sum(axis=0)
                    if l > 0:
                        delta = delta @ ws[l].T
                        delta *= acts[l] > 0
                    if mu:
                        vws[l] *= mu
                        vws[l] += gw
                        vbs[l] *= mu
                        vbs[l] += gb
                        gw, gb = vws[l], vbs[l]
                    ws[l] -= lr * gw
                    bs[l] -= lr * gb
            if run.end_epoch(lambda: np.mean(forward(Xte, ws, bs)[-1].argmax(1) == yte)):
                break
        runs.append(run)
    peerlib.save_weights(args, ws)
    peerlib.emit("numpy float32", args.threads, N, runs,
                 f"numpy {np.__version__}, float32, OpenBLAS threads {args.threads}" + peerlib.weights_note(given) + peerlib.order_note(orders))


if __name__ == "__main__":
    main()
