"""Train the book's MNIST network (784-128-10, relu, MSE on one-hot targets,
per-sample SGD) on all 60000 training images and print the test accuracy.

    make python && PYTHONPATH=python /usr/bin/python3 python/examples/train_mnist.py [--epochs 1]
"""
import argparse
import time

import nnsimd


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--lr", type=float, default=0.005)
    ap.add_argument("--batch-size", type=int, default=1)
    ap.add_argument("--momentum", type=float, default=0.0)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    x_train, y_train = nnsimd.datasets.mnist("train")
    x_test, y_test = nnsimd.datasets.mnist("test")
    with nnsimd.Network([784, args.hidden, 10], hidden="relu", output="identity", loss="mse",
                        init="uniform", init_scale=0.1, seed=args.seed) as net:
        t0 = time.perf_counter()
        losses = net.fit(x_train, y_train, epochs=args.epochs, lr=args.lr, batch_size=args.batch_size,
                         momentum=args.momentum, threads=args.threads, progress=True)
        took = time.perf_counter() - t0
        acc = net.evaluate(x_test, y_test)
    print(f"isa {nnsimd.isa()}  fit {took:.2f} s  losses {[round(v, 4) for v in losses]}")
    print(f"test accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
