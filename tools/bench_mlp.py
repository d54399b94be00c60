"""Time one training step of an MLP 784-100-100-10 (ReLU, softmax cross-entropy, SGD) at batch 100.

    python tools/bench_mlp.py [--steps N]

Compares, in one process on the same random float32 data:
- a plain NumPy step written out by hand (the reference);
- the same step through dlcore (make_mlp, loss_and_gradient, SGD.update);
- PyTorch on the CPU, if it is installed (it is not a course dependency).
Prints the median time per step of several repeats.  Speed depends on the
BLAS build and on OPENBLAS_CORETYPE; the script prints both.
"""

import argparse
import os
import timeit

import numpy as np

from dlcore import network, optimizers

SIZES = [784, 100, 100, 10]
BATCH = 100
LR = 0.01


def make_data(seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((BATCH, SIZES[0]), dtype=np.float32), rng.integers(0, SIZES[-1], BATCH)


def plain_numpy_step_factory(x, t):
    """A hand-written step: the fastest straightforward NumPy code for this network."""
    rng = np.random.default_rng(0)
    Ws = [(rng.standard_normal((a, b)) * np.sqrt(2 / a)).astype(np.float32) for a, b in zip(SIZES, SIZES[1:])]
    bs = [np.zeros(b, np.float32) for b in SIZES[1:]]
    one_hot = np.eye(SIZES[-1], dtype=np.float32)[t]

    def step():
        h1 = np.maximum(x @ Ws[0] + bs[0], 0)
        h2 = np.maximum(h1 @ Ws[1] + bs[1], 0)
        logits = h2 @ Ws[2] + bs[2]
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        y = e / e.sum(axis=1, keepdims=True)
        d3 = (y - one_hot) / BATCH
        d2 = (d3 @ Ws[2].T) * (h2 > 0)
        d1 = (d2 @ Ws[1].T) * (h1 > 0)
        for W, b, inp, d in ((Ws[2], bs[2], h2, d3), (Ws[1], bs[1], h1, d2), (Ws[0], bs[0], x, d1)):
            W -= LR * (inp.T @ d)
            b -= LR * d.sum(axis=0)
    return step


def dlcore_step_factory(x, t):
    net = network.make_mlp(SIZES, seed=0)
    sgd = optimizers.SGD(LR)

    def step():
        _, grads = net.loss_and_gradient(x, t)
        sgd.update(net.params, grads)
    return step


def torch_step_factory(x, t):
    import torch

    torch.manual_seed(0)
    layers = []
    for i, (a, b) in enumerate(zip(SIZES, SIZES[1:])):
        layers.append(torch.nn.Linear(a, b))
        if i < len(SIZES) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    sgd = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    xt, tt = torch.from_numpy(x), torch.from_numpy(t)

    def step():
        sgd.zero_grad()
        loss_fn(model(xt), tt).backward()
        sgd.step()
    return step


def median_step_seconds(step, steps, repeats=7):
    step()
    return float(np.median(timeit.repeat(step, number=steps, repeat=repeats))) / steps


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()
    print(f"numpy {np.__version__}, OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}, "
          f"cpus={os.cpu_count()}")
    x, t = make_data()
    results = {"plain NumPy": median_step_seconds(plain_numpy_step_factory(x, t), args.steps),
               "dlcore": median_step_seconds(dlcore_step_factory(x, t), args.steps)}
    try:
        import torch
        print(f"torch {torch.__version__}, threads={torch.get_num_threads()}")
        results["PyTorch (CPU)"] = median_step_seconds(torch_step_factory(x, t), args.steps)
    except ImportError:
        print("PyTorch is not installed; skipping it")
    reference = results["plain NumPy"]
    for name, seconds in results.items():
        print(f"{name:14s} {seconds * 1e6:8.0f} µs/step  ({seconds / reference:.2f}× plain NumPy)")


if __name__ == "__main__":
    main()
