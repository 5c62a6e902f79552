"""The book's per-sample SGD ("Grokking Deep Learning", ch. 6 and 8) in
numpy: relu hidden layers, identity output, squared error on one-hot
targets, delta = pred - target, weights -= lr * outer(layer_in, delta),
uniform +-init_scale weights, no bias, data order. Per sample: forward,
delta, the deltas below with the weights before the update, then the
updates, in the book's own expressions on 1x784 row slices. The book's
running error/accuracy bookkeeping, which only feeds its progress print, is
left out. float64 is what the book's code computes; float32 is the faster
variant. With --init-weights every repetition starts from the weights in
that file (see peerlib.initial_weights).
"""
import numpy as np

import peerlib


def main():
    ap = peerlib.parser(__doc__)
    peerlib.add_init_weights(ap)
    ap.add_argument("--init-scale", type=float, default=0.1)
    ap.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    args = ap.parse_args()
    sizes = peerlib.sizes_of(args)
    dt = np.dtype(args.dtype).type
    xtr, ytr, xte, yte = peerlib.load_mnist(args.mnist, dt, args.limit)
    labels = peerlib.one_hot(ytr, sizes[-1], dt)
    alpha = dt(args.lr)
    relu = lambda x: (x >= 0) * x  # noqa: E731  the book's definitions
    relu2deriv = lambda x: x > 0  # noqa: E731

    def predict(ws):
        a = xte
        for w in ws[:-1]:
            a = relu(a @ w)
        return a @ ws[-1]

    shapes = list(zip(sizes[:-1], sizes[1:]))
    given = peerlib.initial_weights(args, sizes)

    runs = []
    for rep in range(args.reps):
        if given is not None:
            ws = [w.astype(dt) for w in given]
        else:
            rng = np.random.default_rng(args.seed + rep)
            ws = [(args.init_scale * (2 * rng.random((i, o)) - 1)).astype(dt) for i, o in shapes]
        run = peerlib.Run()
        for _ in range(args.epochs):
            run.start_epoch()
            for i in range(len(xtr)):
                layers = [xtr[i:i + 1]]
                for w in ws[:-1]:
                    layers.append(relu(np.dot(layers[-1], w)))
                layers.append(np.dot(layers[-1], ws[-1]))
                deltas = [layers[-1] - labels[i:i + 1]]
                for l in range(len(ws) - 1, 0, -1):
                    deltas.insert(0, deltas[0].dot(ws[l].T) * relu2deriv(layers[l]))
                for l, w in enumerate(ws):
                    w -= alpha * layers[l].T.dot(deltas[l])
            run.end_epoch(lambda: np.mean(predict(ws).argmax(1) == yte))
        runs.append(run)
    peerlib.emit(f"numpy {args.dtype}", args.threads, len(xtr), runs,
                 f"numpy {np.__version__}, {args.dtype}, the book's code without its progress bookkeeping"
                 + peerlib.weights_note(given))


if __name__ == "__main__":
    main()
