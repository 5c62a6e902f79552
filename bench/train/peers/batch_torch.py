"""Mini-batch training the way a PyTorch user writes it: nn.Sequential of
Linear and ReLU, CrossEntropyLoss (mean over the batch), optim.SGD with
optional momentum, the whole training set preloaded as float32 tensors, a
fresh torch.randperm each epoch (or --order's, see peerlib.epoch_orders),
the last smaller batch kept. Weights are Glorot uniform
(nn.init.xavier_uniform_) and biases zero, so the init matches the other
peers' family instead of torch's default; with --init-weights they are that
file's (see peerlib.initial_weights).
"""
import numpy as np
import torch

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
    torch.set_num_threads(args.threads)
    sizes = peerlib.sizes_of(args)
    xtr, ytr, xte, yte = peerlib.load_mnist(args.mnist, np.float32, args.limit)
    X, Y = torch.from_numpy(xtr), torch.from_numpy(ytr.astype(np.int64))
    Xte, Yte = torch.from_numpy(xte), torch.from_numpy(yte.astype(np.int64))
    N, B = X.shape[0], args.batch

    given = peerlib.initial_weights(args, sizes)
    orders = peerlib.epoch_orders(args, N)

    def build():
        layers = []
        for l, (i, o) in enumerate(zip(sizes[:-1], sizes[1:])):
            lin = torch.nn.Linear(i, o)
            if given is not None:
                with torch.no_grad():
                    lin.weight.copy_(torch.from_numpy(given[l].T.copy()))  # Linear holds out x in
            else:
                torch.nn.init.xavier_uniform_(lin.weight)
            torch.nn.init.zeros_(lin.bias)
            layers += [lin, torch.nn.ReLU()]
        return torch.nn.Sequential(*layers[:-1])

    runs = []
    for rep in range(args.reps):
        torch.manual_seed(args.seed + rep)
        model = build()
        opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
        loss_fn = torch.nn.CrossEntropyLoss()
        g = torch.Generator().manual_seed(args.seed + 1000 + rep)

        def evaluate():
            model.eval()
            with torch.no_grad():
                acc = (model(Xte).argmax(1) == Yte).float().mean().item()
            model.train()
            return acc

        run = peerlib.Run(args.target_acc)
        for epoch in range(args.epochs):
            run.start_epoch()
            if orders is not None:
                perm = torch.from_numpy(orders[epoch])
            else:
                perm = torch.randperm(N, generator=g)
            for k in range(0, N, B):
                idx = perm[k:k + B]
                opt.zero_grad()
                loss = loss_fn(model(X[idx]), Y[idx])
                loss.backward()
                opt.step()
            if run.end_epoch(evaluate):
                break
        runs.append(run)
    peerlib.save_weights(args, [m.weight.detach().numpy().T for m in model if isinstance(m, torch.nn.Linear)])
    peerlib.emit("pytorch", args.threads, N, runs,
                 f"torch {torch.__version__}, float32, autograd + optim.SGD, torch threads {torch.get_num_threads()}, "
                 "denormals not flushed (torch's default)" + peerlib.weights_note(given) + peerlib.order_note(orders))


if __name__ == "__main__":
    main()
