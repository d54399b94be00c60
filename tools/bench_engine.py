"""Time one training step of dlcore against PyTorch CPU and a float64 classic-style reference.

    .venv/bin/python tools/bench_engine.py [--threads 1] [--repeats 7] [--steps 20]

Workloads, float32, batch 100, plain SGD:
- mlp: 784-100-100-10 with ReLU and softmax cross-entropy;
- cnn: conv 30 × 5 × 5 → ReLU → 2 × 2 max pool → affine 100 → ReLU → affine 10 on 1 × 28 × 28.
Implementations: dlcore; tools/classic_reference.py (float64, im2col filled in a loop);
PyTorch on the CPU when it is installed (optional: pip install torch==2.13.0).
Every implementation runs under the same thread limit (threadpoolctl for BLAS,
torch.set_num_threads), after a warm-up, in interleaved repeats; the median of
the repeats is reported, with the ratio to PyTorch.  Speed depends on the BLAS
build and OPENBLAS_CORETYPE, which the report prints.
"""

import argparse
import os
import platform
import time

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

import classic_reference
from dlcore import conv, initializers, layers, network, optimizers

BATCH, LR = 100, 0.01
MLP_SIZES = [784, 100, 100, 10]


def make_data(workload, seed=0):
    rng = np.random.default_rng(seed)
    shape = (BATCH, 784) if workload == "mlp" else (BATCH, 1, 28, 28)
    return rng.random(shape, dtype=np.float32), rng.integers(0, 10, BATCH)


def dlcore_cnn():
    rng = np.random.default_rng(0)

    def weights(*shape):
        return initializers.initial_weights(shape, rng, "he")

    return network.Sequential([
        conv.Convolution(weights(30, 1, 5, 5), np.zeros(30, np.float32)), layers.Relu(), conv.Pooling(2),
        conv.Flatten(), layers.Affine(weights(30 * 12 * 12, 100), np.zeros(100, np.float32)), layers.Relu(),
        layers.Affine(weights(100, 10), np.zeros(10, np.float32))], layers.SoftmaxWithLoss())


def dlcore_step_factory(workload, x, t):
    net = network.make_mlp(MLP_SIZES, seed=0) if workload == "mlp" else dlcore_cnn()
    sgd = optimizers.SGD(LR)

    def step():
        _, grads = net.loss_and_gradient(x, t)
        sgd.update(net.params, grads)
    return step


def classic_step_factory(workload, x, t):
    if workload == "mlp":
        return classic_reference.mlp_step_factory(x, t, MLP_SIZES, LR)
    return classic_reference.cnn_step_factory(x, t, lr=LR)


def torch_step_factory(workload, x, t):
    import torch

    torch.manual_seed(0)
    nn = torch.nn
    if workload == "mlp":
        model = nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, 10))
    else:
        model = nn.Sequential(nn.Conv2d(1, 30, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                              nn.Linear(30 * 12 * 12, 100), nn.ReLU(), nn.Linear(100, 10))
    sgd = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = nn.CrossEntropyLoss()
    xt, tt = torch.from_numpy(x), torch.from_numpy(t)

    def step():
        sgd.zero_grad()
        loss_fn(model(xt), tt).backward()
        sgd.step()
    return step


def interleaved_medians(steps_by_name, steps, repeats):
    """Seconds per step of each function: warm-up, then ``repeats`` rounds that take turns."""
    for step in steps_by_name.values():
        step()
    times = {name: [] for name in steps_by_name}
    for _ in range(repeats):
        for name, step in steps_by_name.items():
            start = time.perf_counter()
            for _ in range(steps):
                step()
            times[name].append((time.perf_counter() - start) / steps)
    return {name: float(np.median(values)) for name, values in times.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    blas = ", ".join(f"{info['internal_api']} {info.get('version')} ({info.get('architecture')})"
                     for info in threadpool_info() if info["user_api"] == "blas")
    print(f"{platform.processor() or platform.machine()}, cpus={os.cpu_count()}, numpy {np.__version__}, {blas}, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}, threads={args.threads}")
    factories = {"dlcore": dlcore_step_factory, "classic float64": classic_step_factory}
    try:
        import torch

        torch.set_num_threads(args.threads)
        factories["PyTorch"] = torch_step_factory
        print(f"torch {torch.__version__}")
    except ImportError:
        print("PyTorch is not installed (optional: pip install torch==2.13.0); ratios to it are skipped")
    with threadpool_limits(limits=args.threads):
        for workload in ("mlp", "cnn"):
            x, t = make_data(workload)
            medians = interleaved_medians({name: make(workload, x, t) for name, make in factories.items()},
                                          args.steps, args.repeats)
            for name, seconds in medians.items():
                ratios = f"  {seconds / medians['PyTorch']:.2f}× PyTorch" if "PyTorch" in medians else ""
                ratios += f"  {medians['classic float64'] / seconds:.1f}× faster than classic" \
                    if name == "dlcore" else ""
                print(f"{workload}  {name:16s} {seconds * 1e3:8.2f} ms/step{ratios}")


if __name__ == "__main__":
    main()
