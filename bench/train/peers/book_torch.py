"""The book's per-sample SGD in PyTorch on the CPU, with the updates written
by hand: per sample, forward, delta = pred - target, the deltas below with
the weights before the update (times relu'), then W.addr_(layer_in, delta,
alpha=-lr), which is W -= lr * outer(layer_in, delta) in place. Relu hidden,
identity output, uniform +-init_scale weights (or those of --init-weights,
see peerlib.initial_weights), no bias, data order, float32, no autograd
(torch.no_grad).
"""
import numpy as np
import torch

import peerlib


def main():
    ap = peerlib.parser(__doc__)
    peerlib.add_init_weights(ap)
    ap.add_argument("--init-scale", type=float, default=0.1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    sizes = peerlib.sizes_of(args)
    xtr, ytr, xte, yte = peerlib.load_mnist(args.mnist, np.float32, args.limit)
    X = torch.from_numpy(xtr)
    Y = torch.from_numpy(peerlib.one_hot(ytr, sizes[-1], np.float32))
    Xte, Yte = torch.from_numpy(xte), torch.from_numpy(yte.astype(np.int64))
    lr = args.lr

    def predict(ws):
        a = Xte
        for w in ws[:-1]:
            a = torch.relu(a @ w)
        return a @ ws[-1]

    given = peerlib.initial_weights(args, sizes)
    runs = []
    with torch.no_grad():
        for rep in range(args.reps):
            if given is not None:
                ws = [torch.from_numpy(w.copy()) for w in given]
            else:
                g = torch.Generator().manual_seed(args.seed + rep)
                ws = [args.init_scale * (2 * torch.rand(i, o, generator=g) - 1)
                      for i, o in zip(sizes[:-1], sizes[1:])]
            last = len(ws) - 1
            run = peerlib.Run()
            for _ in range(args.epochs):
                run.start_epoch()
                for i in range(X.shape[0]):
                    acts = [X[i]]
                    for w in ws[:-1]:
                        acts.append(torch.relu(acts[-1] @ w))
                    delta = acts[-1] @ ws[last] - Y[i]
                    for l in range(last, -1, -1):
                        below = (ws[l] @ delta).mul_(acts[l] > 0) if l > 0 else None
                        ws[l].addr_(acts[l], delta, alpha=-lr)
                        delta = below
                run.end_epoch(lambda: (predict(ws).argmax(1) == Yte).float().mean().item())
            runs.append(run)
    peerlib.emit("pytorch", args.threads, X.shape[0], runs,
                 f"torch {torch.__version__}, float32, addr_ updates, torch threads {torch.get_num_threads()}"
                 + peerlib.weights_note(given))


if __name__ == "__main__":
    main()
