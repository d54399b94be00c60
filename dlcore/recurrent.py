"""Recurrent layers (再帰型ニューラルネットワーク, RNN), BPTT and gradient clipping (勾配クリッピング).

Batch-major as in 「ゼロから作る Deep Learning ❷」: a batch of sequences xs is (N, T, D), the hidden
states hs (N, T, H).  In row vectors the book's u^t = W_(in) x^t + W z^{t−1} + b, z^t = f(u^t) reads

    h_t = tanh(x_t Wx + h_{t−1} Wh + b)        (Wx = W_(in)ᵀ, Wh = Wᵀ, h_t = z^t).

BPTT (通時的誤差逆伝播法) runs the loop backwards.  With δ_t = ∂L/∂u_t = (∂L/∂h_t) ⊙ f′(u_t), where ∂L/∂h_t
adds the gradient from the output at t and δ_{t+1} Whᵀ from step t + 1,

    ∂L/∂Wx = Σ_t x_tᵀ δ_t,   ∂L/∂Wh = Σ_t h_{t−1}ᵀ δ_t,   ∂L/∂b = Σ_t δ_t,   ∂L/∂x_t = δ_t Wxᵀ.

Time layers (TimeRNN here, TimeLSTM and TimeGRU in ``dlcore.gated``) take whole sequences.
``stateful=True`` carries the last state into the next ``forward`` (Truncated BPTT: the gradient stops
at the chunk boundary); ``set_state`` sets the state the next ``forward`` starts from.  They are fast
because only the recurrent product h_{t−1} Wh stays in the loop over time: x_t Wx + b for every t is one
product over all N·T rows before the loop, and each weight gradient one product over all N·T rows after it.

This module also gathers the rest of the recurrent toolbox: the gated layers (LSTM, TimeLSTM, GRU,
TimeGRU from ``dlcore.gated``) and the per-step layers (Embedding, TimeAffine, LastTimeStep,
TimeSoftmaxWithLoss, TimeLoss from ``dlcore.time_layers``) are importable from here.
"""

import numpy as np

from . import initializers
from .gated import GRU, LSTM, TimeGRU, TimeLSTM, gru_layer, lstm_layer
from .layers import _check_dout, _is_real
from .time_layers import (Embedding, LastTimeStep, RecurrentLayer, TimeAffine, TimeLoss, TimeSoftmaxWithLoss,
                          _batch_major, _check_step, _check_weights, _previous, _weight_grads, orthogonal,
                          recurrent_weights)

__all__ = ["Embedding", "RNN", "TimeRNN", "LSTM", "TimeLSTM", "GRU", "TimeGRU", "Bidirectional", "TimeAffine",
           "LastTimeStep", "TimeSoftmaxWithLoss", "TimeLoss", "RecurrentLayer", "clip_grads_by_norm",
           "clip_grads_by_value", "orthogonal", "recurrent_weights", "rnn_layer", "lstm_layer", "gru_layer",
           "embedding_layer", "time_affine_layer"]


class RNN:
    """One step of a simple RNN: h = tanh(x Wx + h_prev Wh + b).

    Backward: δ = dh ⊙ (1 − h²); ∂L/∂x = δ Wxᵀ, ∂L/∂h_prev = δ Whᵀ, ∂L/∂Wx = xᵀ δ, ∂L/∂Wh = h_prevᵀ δ,
    ∂L/∂b = Σ_n δ_n.
    """

    def __init__(self, Wx, Wh, b):
        self.params = _check_weights("RNN", Wx, Wh, b, 1)
        self.grads = [np.zeros_like(p) for p in self.params]
        self.cache = None

    def forward(self, x, h_prev):
        Wx, Wh, b = self.params
        x, h_prev = _check_step("RNN", x, h_prev, Wx, Wh)
        h = np.tanh(x @ Wx + h_prev @ Wh + b)
        self.cache = (x, h_prev, h)
        return h

    def backward(self, dh):
        _check_dout("RNN", dh, None if self.cache is None else self.cache[2].shape)
        x, h_prev, h = self.cache
        delta = dh * (1 - h * h)
        _weight_grads(self.grads, x, h_prev, delta)
        return delta @ self.params[0].T, delta @ self.params[1].T


class TimeRNN(RecurrentLayer):
    """T steps of RNN: hs[:, t] = tanh(xs[:, t] Wx + hs[:, t−1] Wh + b); backward by BPTT.

    Backward: ∂L/∂h_t = dhs[:, t] + δ_{t+1} Whᵀ, δ_t = ∂L/∂h_t ⊙ (1 − h_t²), then ∂L/∂Wx = Σ_t x_tᵀ δ_t,
    ∂L/∂Wh = Σ_t h_{t−1}ᵀ δ_t, ∂L/∂b = Σ_t δ_t, ∂L/∂x_t = δ_t Wxᵀ.
    """

    def __init__(self, Wx, Wh, b, stateful=False):
        super().__init__(_check_weights("TimeRNN", Wx, Wh, b, 1), stateful)

    def forward(self, xs):
        Wx, Wh, b = self.params
        xs, (h0,) = self._start(xs)                                       # time-major (T, N, D)
        steps, n, d = xs.shape
        hs = (xs.reshape(steps * n, d) @ Wx + b).reshape(steps, n, -1)    # x_t Wx + b for every t at once
        h = h0
        for t in range(steps):
            u = hs[t]                                                     # h_t overwrites u_t in place
            u += h @ Wh
            h = np.tanh(u, out=u)
        self.cache = {"xs": xs, "h0": h0, "hs": hs}
        self._keep([h])
        return _batch_major(hs)

    def backward(self, dhs):
        dhs = self._check_dhs(dhs)
        xs, h0, hs = self.cache["xs"], self.cache["h0"], self.cache["hs"]
        Wh_T = np.ascontiguousarray(self.params[1].T)   # a small product with a transposed view is about 2× slower
        delta, dh_steps = np.empty_like(hs), np.empty_like(hs)
        dh = 0
        for t in reversed(range(len(hs))):
            dh_t = np.add(dhs[t], dh, out=dh_steps[t])                   # ∂L/∂h_t: the output at t and step t + 1
            np.multiply(dh_t, 1 - hs[t] * hs[t], out=delta[t])          # δ_t = ∂L/∂h_t ⊙ tanh′(u_t)
            dh = delta[t] @ Wh_T                                         # δ_t Whᵀ: ∂L/∂h_{t−1} through step t
        self.dh, self.dh_steps = dh, _batch_major(dh_steps)
        _weight_grads(self.grads, xs, _previous(h0, hs), delta)
        return self._input_grad(delta, xs)


class Bidirectional:
    """Bidirectional RNN (双方向 RNN): one time layer reads xs forwards, the other reads it reversed.

    hs = concat(forward_layer(xs), flip(backward_layer(flip(xs)))) along the features, (N, T, H_f + H_b):
    the output at t has seen the past (forward layer) and the future (backward layer), so the whole
    sequence is needed first (not for online prediction).  Backward splits dhs the same way and adds the
    two ∂L/∂xs.  ``params`` and ``grads`` are the forward layer's, then the backward layer's.
    """

    def __init__(self, forward_layer, backward_layer):
        for name, layer in (("forward_layer", forward_layer), ("backward_layer", backward_layer)):
            if not isinstance(layer, RecurrentLayer):
                raise TypeError(f"Bidirectional: {name} must be a time layer (TimeRNN, TimeLSTM, TimeGRU), "
                                f"got {type(layer).__name__}")
        if forward_layer.params[0].shape[0] != backward_layer.params[0].shape[0]:
            raise ValueError(f"Bidirectional: the two layers read inputs of different sizes, "
                             f"{forward_layer.params[0].shape[0]} and {backward_layer.params[0].shape[0]}")
        if backward_layer.stateful:
            raise ValueError("Bidirectional: the backward layer starts at the end of each sequence, so carrying "
                             "its state to the next chunk (stateful=True) has no meaning")
        self.forward_layer, self.backward_layer = forward_layer, backward_layer
        self.params = forward_layer.params + backward_layer.params
        self.grads = forward_layer.grads + backward_layer.grads

    def forward(self, xs):
        ahead = self.forward_layer.forward(xs)
        behind = self.backward_layer.forward(xs[:, ::-1])[:, ::-1]
        return np.concatenate([ahead, behind], axis=2)

    def backward(self, dhs):
        split = self.forward_layer.hidden_size
        cache = self.forward_layer.cache
        _check_dout("Bidirectional", dhs, None if cache is None
                    else _batch_major(cache["hs"]).shape[:2] + (split + self.backward_layer.hidden_size,))
        dxs = self.forward_layer.backward(dhs[:, :, :split])
        return dxs + self.backward_layer.backward(dhs[:, ::-1, split:])[:, ::-1]


def _check_limit(owner, name, value):
    if not (_is_real(value) and value > 0):
        raise ValueError(f"{owner}: {name} must be a number > 0, got {value!r}")


def clip_grads_by_norm(grads, max_norm):
    """Gradient clipping by norm: ‖g‖ = √(Σ g²) over every element of every array; when ‖g‖ > max_norm,
    every gradient is scaled in place by max_norm / ‖g‖ (the direction is kept).  Returns ‖g‖ before clipping.
    """
    _check_limit("clip_grads_by_norm", "max_norm", max_norm)
    norm = float(np.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in grads)))
    if norm > max_norm:
        for g in grads:
            g *= g.dtype.type(max_norm / norm)
    return norm


def clip_grads_by_value(grads, limit):
    """Gradient clipping by value: every element clipped to [−limit, limit] in place (the direction may change)."""
    _check_limit("clip_grads_by_value", "limit", limit)
    for g in grads:
        np.clip(g, -limit, limit, out=g)


def rnn_layer(input_size, hidden_size, seed=0, dtype=np.float32, *, stateful=False):
    """A TimeRNN with ``recurrent_weights``: Wx Xavier, Wh orthogonal, b = 0."""
    return TimeRNN(*recurrent_weights(input_size, hidden_size, 1, seed, dtype), stateful=stateful)


def embedding_layer(vocab_size, embed_size, seed=0, dtype=np.float32, scale=0.01):
    """An Embedding with W (vocab_size, embed_size) drawn from N(0, scale²)."""
    return Embedding(initializers.normal(vocab_size, embed_size, np.random.default_rng(seed), scale, dtype))


def time_affine_layer(input_size, output_size, seed=0, dtype=np.float32):
    """A TimeAffine with Xavier W, N(0, 1/input_size), and b = 0."""
    W = initializers.xavier(input_size, output_size, np.random.default_rng(seed), dtype=dtype)
    return TimeAffine(W, np.zeros(output_size, dtype))
