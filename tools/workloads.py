"""The engine workloads of tools/benchmark.py: one training step each, in dlcore, PyTorch and a float64 reference.

Float32, plain SGD, the same shapes in every implementation:
- mlp: 784-100-100-10 with ReLU and softmax cross-entropy, batch 100;
- cnn: conv 30 × 5 × 5 → ReLU → 2 × 2 max pool → affine 100 → ReLU → affine 10 on 1 × 28 × 28, batch 100;
- rnnlm: embedding → RNN (tanh) → affine → softmax cross-entropy over every time step, vocabulary 1000,
  embedding and hidden size 100, batch 20, time 35;
- lstm: an LSTM layer alone (input and hidden size 100, batch 20, time 35): forward, backward of a fixed
  ∂L/∂h for every step, update.
``FLOPS`` counts the multiply-adds of the matrix products (2 FLOPs each) of forward and backward: about three
times the forward's, since backward computes one product for the weights and one for the input.
"""

import time

import numpy as np

import classic_reference
from dlcore import conv, initializers, layers, network, optimizers

LR = 0.01
MLP_SIZES = [784, 100, 100, 10]
BATCH = {"mlp": 100, "cnn": 100, "rnnlm": 20, "lstm": 20}
VOCAB, HIDDEN, TIME = 1000, 100, 35


def _forward_flops(workload):
    n = BATCH[workload]
    if workload == "mlp":
        return 2 * n * sum(a * b for a, b in zip(MLP_SIZES, MLP_SIZES[1:]))
    if workload == "cnn":
        return 2 * n * (24 * 24 * 30 * 25 + 30 * 12 * 12 * 100 + 100 * 10)
    if workload == "lstm":
        return 2 * n * TIME * 4 * (HIDDEN * HIDDEN + HIDDEN * HIDDEN)
    return 2 * n * TIME * (HIDDEN * HIDDEN + HIDDEN * HIDDEN + HIDDEN * VOCAB)


FLOPS = {workload: 3 * _forward_flops(workload) for workload in BATCH}


def workloads():
    """The workloads this dlcore can run (the recurrent ones need dlcore.recurrent)."""
    try:
        import dlcore.recurrent  # noqa: F401
    except ImportError:
        return ["mlp", "cnn"]
    return list(BATCH)


def make_data(workload, seed=0):
    rng = np.random.default_rng(seed)
    n = BATCH[workload]
    if workload == "rnnlm":
        ids = rng.integers(0, VOCAB, (n, TIME + 1))
        return ids[:, :-1], ids[:, 1:]
    if workload == "lstm":
        return (rng.standard_normal((n, TIME, HIDDEN), dtype=np.float32),
                rng.standard_normal((n, TIME, HIDDEN), dtype=np.float32))
    shape = (n, 784) if workload == "mlp" else (n, 1, 28, 28)
    return rng.random(shape, dtype=np.float32), rng.integers(0, 10, n)


def _dlcore_network(workload):
    rng = np.random.default_rng(0)

    def weights(*shape):
        return initializers.initial_weights(shape, rng, "he")

    def zeros(n):
        return np.zeros(n, np.float32)

    if workload == "mlp":
        return network.make_mlp(MLP_SIZES, seed=0)
    if workload == "cnn":
        return network.Sequential([
            conv.Convolution(weights(30, 1, 5, 5), zeros(30)), layers.Relu(), conv.Pooling(2), conv.Flatten(),
            layers.Affine(weights(30 * 12 * 12, 100), zeros(100)), layers.Relu(),
            layers.Affine(weights(100, 10), zeros(10))], layers.SoftmaxWithLoss())
    from dlcore import recurrent

    return network.Sequential([recurrent.embedding_layer(VOCAB, HIDDEN), recurrent.rnn_layer(HIDDEN, HIDDEN),
                               recurrent.time_affine_layer(HIDDEN, VOCAB)], recurrent.TimeSoftmaxWithLoss())


def dlcore_step(workload, x, t):
    sgd = optimizers.SGD(LR)
    if workload == "lstm":
        from dlcore import recurrent

        layer = recurrent.lstm_layer(HIDDEN, HIDDEN)

        def step():
            layer.forward(x)
            layer.backward(t)
            sgd.update(layer.params, layer.grads)
        return step
    net = _dlcore_network(workload)

    def step():
        _, grads = net.loss_and_gradient(x, t)
        sgd.update(net.params, grads)
    return step


def classic_step(workload, x, t):
    if workload == "mlp":
        return classic_reference.mlp_step_factory(x, t, MLP_SIZES, LR)
    if workload == "cnn":
        return classic_reference.cnn_step_factory(x, t, lr=LR)
    if workload == "rnnlm":
        return classic_reference.language_model_step_factory(x, t, VOCAB, HIDDEN, lr=LR)
    return classic_reference.lstm_layer_step_factory(x, t, HIDDEN, lr=LR)


def torch_step(workload, x, t):
    import torch

    torch.manual_seed(0)
    nn = torch.nn
    if workload == "mlp":
        model = nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, 10))
    elif workload == "cnn":
        model = nn.Sequential(nn.Conv2d(1, 30, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                              nn.Linear(30 * 12 * 12, 100), nn.ReLU(), nn.Linear(100, 10))
    elif workload == "rnnlm":
        model = _TorchLanguageModel(nn)
    else:
        return _torch_lstm_step(torch, x, t)
    sgd = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = nn.CrossEntropyLoss()
    xt, tt = torch.from_numpy(x), torch.from_numpy(t).reshape(-1)

    def step():
        sgd.zero_grad()
        loss_fn(model(xt), tt).backward()
        sgd.step()
    return step


def _torch_lstm_step(torch, x, dhs):
    lstm = torch.nn.LSTM(HIDDEN, HIDDEN, batch_first=True)
    sgd = torch.optim.SGD(lstm.parameters(), lr=LR)
    xt = torch.from_numpy(x).requires_grad_()          # dlcore's backward returns ∂L/∂x as well
    dt = torch.from_numpy(dhs)

    def step():
        sgd.zero_grad()
        xt.grad = None
        hs, _ = lstm(xt)
        hs.backward(dt)
        sgd.step()
    return step


def _TorchLanguageModel(nn):
    class LanguageModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(VOCAB, HIDDEN)
            self.cell = nn.RNN(HIDDEN, HIDDEN, batch_first=True)
            self.out = nn.Linear(HIDDEN, VOCAB)

        def forward(self, ids):
            hs, _ = self.cell(self.embed(ids))
            return self.out(hs).reshape(-1, VOCAB)
    return LanguageModel()


def matmul_step(size=1000):
    """NumPy's own float32 matrix product (size × size), the practical limit of these workloads."""
    rng = np.random.default_rng(0)
    a, b = rng.random((size, size), dtype=np.float32), rng.random((size, size), dtype=np.float32)
    return lambda: a @ b, 2 * size ** 3


def interleaved_medians(steps_by_name, steps, repeats, pause=0.0):
    """Seconds per step of each function: a warm-up, then ``repeats`` rounds that take turns.

    With ``pause`` the loop sleeps that long before each function's turn, so that the
    idle worker threads of one library stop spinning before the next one runs.
    """
    for step in steps_by_name.values():
        step()
    times = {name: [] for name in steps_by_name}
    for _ in range(repeats):
        for name, step in steps_by_name.items():
            time.sleep(pause)
            start = time.perf_counter()
            for _ in range(steps):
                step()
            times[name].append((time.perf_counter() - start) / steps)
    return {name: float(np.median(values)) for name, values in times.items()}
