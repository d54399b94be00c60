"""Optimizers (最適化手法): ``update(params, grads)`` changes every parameter in place.

Symbols as in the book: ε is the learning rate ``lr`` (学習率), g the gradient
∂L/∂w, δ a small constant that keeps a division finite, t the number of the
update (1 for the first).  Conventions that quiz answers depend on:

- Momentum keeps a velocity v ← αv − εg and moves w ← w + v (PyTorch keeps
  b ← αb + g and moves w ← w − εb: the same steps, with v = −εb).
- δ is added *outside* the square root, as in PyTorch.
- Adam's bias correction is explicit: m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ).
- ``weight_decay`` λ is L2 regularisation, added to the gradient (g ← g + λw)
  before the rule; only ``AdamW`` decouples it (w ← w − ελw beside the step).
  ``l1_decay`` λ₁ is L1 regularisation, g ← g + λ₁·sign(w) (sign(0) = 0, a
  subgradient), also before the rule.  Both apply to every array the optimizer
  is given, biases included, as PyTorch's ``weight_decay`` does.
- ``schedule`` (learning-rate decay, 学習率の減衰) is a function t ↦ factor of
  the number of updates already done (0 before the first), multiplied into ε.
"""

import math

import numpy as np

from .layers import _is_real


class Optimizer:
    """Shared machinery: input checks, L2 and L1 decay, the schedule and per-parameter state.

    A subclass defines ``_step(i, w, g, lr)`` for the i-th parameter ``w``
    (changed in place) with its gradient ``g`` and the current learning rate.
    """

    def __init__(self, lr, weight_decay=0.0, schedule=None, l1_decay=0.0):
        name = type(self).__name__
        if not (_is_real(lr) and math.isfinite(lr) and lr > 0):
            raise ValueError(f"{name}: the learning rate lr must be a positive number, got {lr!r}")
        for option, value in (("weight_decay", weight_decay), ("l1_decay", l1_decay)):
            if not (_is_real(value) and math.isfinite(value) and value >= 0):
                raise ValueError(f"{name}: {option} must be a number ≥ 0, got {value!r}")
        if schedule is not None and not callable(schedule):
            raise TypeError(f"{name}: schedule must be a function t -> factor, got {type(schedule).__name__}")
        self.lr, self.weight_decay, self.schedule = float(lr), float(weight_decay), schedule
        self.l1_decay = float(l1_decay)
        self.t = 0
        self._shapes = None

    def current_lr(self):
        """ε for the next update: lr · schedule(t)."""
        return self.lr * (1.0 if self.schedule is None else float(self.schedule(self.t)))

    def update(self, params, grads):
        """Move every array of ``params`` in place by its gradient in ``grads``."""
        self._check(params, grads)
        lr = self.current_lr()
        l2 = 0.0 if self.decoupled_weight_decay else self.weight_decay
        for i, (w, g) in enumerate(zip(params, grads)):
            if l2:
                g = g + l2 * w                         # L2: g ← g + λw
            if self.l1_decay:
                g = g + self.l1_decay * np.sign(w)     # L1: g ← g + λ₁ sign(w)
            self._step(i, w, g, lr)
        self.t += 1

    decoupled_weight_decay = False
    """True where ``weight_decay`` is applied to w directly (AdamW) instead of entering g."""

    def _check(self, params, grads):
        name = f"{type(self).__name__}.update"
        if len(params) != len(grads):
            raise ValueError(f"{name}: {len(params)} parameters but {len(grads)} gradients")
        for i, (w, g) in enumerate(zip(params, grads)):
            if not isinstance(w, np.ndarray) or w.dtype.kind != "f":
                raise TypeError(f"{name}: parameter {i} must be a float ndarray (it is changed in place), "
                                f"got {type(w).__name__} {getattr(w, 'dtype', '')}")
            if np.shape(g) != w.shape:
                raise ValueError(f"{name}: gradient {i} has shape {np.shape(g)} but its parameter has {w.shape}")
            if not np.isfinite(g).all():
                raise FloatingPointError(f"{name}: gradient {i} contains NaN or inf; try a smaller learning rate")
        shapes = [w.shape for w in params]
        if self._shapes is None:
            self._shapes = shapes
            self._init_state(params)
        elif shapes != self._shapes:
            raise ValueError(f"{name}: called with parameters of shapes {shapes}, but earlier with "
                             f"{self._shapes}; use one optimizer per network")

    def _init_state(self, params):
        """Create the per-parameter state (zeros shaped like each parameter)."""


class SGD(Optimizer):
    """Stochastic gradient descent (確率的勾配降下法): w ← w − εg."""

    def __init__(self, lr=0.01, weight_decay=0.0, schedule=None, l1_decay=0.0):
        super().__init__(lr, weight_decay, schedule, l1_decay)

    def _step(self, i, w, g, lr):
        w -= lr * g


def _check_rate(owner, name, value):
    if not (_is_real(value) and 0 <= value < 1):
        raise ValueError(f"{owner}: {name} must lie in [0, 1), got {value!r}")
    return float(value)


def _check_delta(owner, value):
    if not (_is_real(value) and value > 0):
        raise ValueError(f"{owner}: delta must be a small positive number, got {value!r}")
    return float(value)


class Momentum(Optimizer):
    """Momentum (モメンタム): v ← αv − εg;  w ← w + v.

    ``momentum`` is α; the velocity ``v`` starts at 0.
    """

    def __init__(self, lr=0.01, momentum=0.9, weight_decay=0.0, schedule=None, l1_decay=0.0):
        super().__init__(lr, weight_decay, schedule, l1_decay)
        self.momentum = _check_rate(type(self).__name__, "momentum", momentum)

    def _init_state(self, params):
        self.v = [np.zeros_like(w) for w in params]

    def _step(self, i, w, g, lr):
        v = self.v[i]
        v *= self.momentum
        v -= lr * g
        w += v


class Nesterov(Momentum):
    """Nesterov accelerated gradient (ネステロフの加速勾配法): v ← αv − εg;  w ← w + αv − εg.

    The velocity is updated first and the step then looks one velocity ahead;
    this is PyTorch's ``SGD(nesterov=True)`` written with v = −εb.
    """

    def _step(self, i, w, g, lr):
        v = self.v[i]
        v *= self.momentum
        v -= lr * g
        w += self.momentum * v - lr * g


class AdaGrad(Optimizer):
    """AdaGrad: h ← h + g²;  w ← w − ε g / (√h + δ).

    h only grows, so the effective learning rate ε / (√h + δ) of each weight
    shrinks with every update.
    """

    def __init__(self, lr=0.01, delta=1e-7, weight_decay=0.0, schedule=None, l1_decay=0.0):
        super().__init__(lr, weight_decay, schedule, l1_decay)
        self.delta = _check_delta(type(self).__name__, delta)

    def _init_state(self, params):
        self.h = [np.zeros_like(w) for w in params]

    def _step(self, i, w, g, lr):
        h = self.h[i]
        h += g * g
        w -= lr * g / (np.sqrt(h) + self.delta)


class RMSProp(AdaGrad):
    """RMSProp: h ← ρh + (1 − ρ)g²;  w ← w − ε g / (√h + δ).

    ``rho`` is ρ (PyTorch's ``alpha``): old squared gradients fade, so the
    effective learning rate no longer shrinks for ever.
    """

    def __init__(self, lr=0.01, rho=0.99, delta=1e-7, weight_decay=0.0, schedule=None, l1_decay=0.0):
        super().__init__(lr, delta, weight_decay, schedule, l1_decay)
        self.rho = _check_rate(type(self).__name__, "rho", rho)

    def _step(self, i, w, g, lr):
        h = self.h[i]
        h *= self.rho
        h += (1 - self.rho) * g * g
        w -= lr * g / (np.sqrt(h) + self.delta)


class Adam(Optimizer):
    """Adam: m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;
    m̂ = m / (1 − β₁ᵗ);  v̂ = v / (1 − β₂ᵗ);  w ← w − ε m̂ / (√v̂ + δ).

    Defaults ε = 0.001, β₁ = 0.9, β₂ = 0.999, δ = 1e-8.  The bias correction
    undoes the pull of m and v towards their starting value 0 in the first
    steps; ``bias_correction=False`` leaves it out (to see what it does).
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, delta=1e-8, weight_decay=0.0, schedule=None,
                 bias_correction=True, l1_decay=0.0):
        super().__init__(lr, weight_decay, schedule, l1_decay)
        owner = type(self).__name__
        self.beta1, self.beta2 = _check_rate(owner, "beta1", beta1), _check_rate(owner, "beta2", beta2)
        self.delta = _check_delta(owner, delta)
        self.bias_correction = bool(bias_correction)

    def _init_state(self, params):
        self.m = [np.zeros_like(w) for w in params]
        self.v = [np.zeros_like(w) for w in params]

    def _adam_direction(self, i, g):
        """m̂ / (√v̂ + δ) after updating the moments of parameter i."""
        m, v = self.m[i], self.v[i]
        m *= self.beta1
        m += (1 - self.beta1) * g
        v *= self.beta2
        v += (1 - self.beta2) * g * g
        if not self.bias_correction:
            return m / (np.sqrt(v) + self.delta)
        t = self.t + 1
        return (m / (1 - self.beta1 ** t)) / (np.sqrt(v / (1 - self.beta2 ** t)) + self.delta)

    def _step(self, i, w, g, lr):
        w -= lr * self._adam_direction(i, g)


class AdamW(Adam):
    """AdamW: Adam with decoupled weight decay, w ← w − ε (m̂ / (√v̂ + δ) + λw).

    λ (``weight_decay``, default 0.01) shrinks the weight directly instead of
    entering g, so it is not divided by √v̂ as Adam's L2 term would be.
    """

    decoupled_weight_decay = True

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, delta=1e-8, weight_decay=0.01, schedule=None,
                 l1_decay=0.0):
        super().__init__(lr, beta1, beta2, delta, weight_decay, schedule, l1_decay=l1_decay)

    def _step(self, i, w, g, lr):
        direction = self._adam_direction(i, g)
        w -= lr * (direction + self.weight_decay * w)


# --- learning-rate schedules (学習率の減衰) ---------------------------------------------------


def step_decay(every, factor=0.5):
    """Step decay: t ↦ factor^(t // every), e.g. halve ε every ``every`` updates."""
    if int(every) != every or every < 1 or not 0 < factor <= 1:
        raise ValueError(f"step_decay: every must be a positive integer and 0 < factor ≤ 1, got {every}, {factor}")
    return lambda t: factor ** (t // every)


def cosine_decay(total, min_factor=0.0):
    """Cosine decay: t ↦ m + (1 − m)(1 + cos(π·min(t, total)/total))/2, from 1 down to m at t = total."""
    if int(total) != total or total < 1 or not 0 <= min_factor <= 1:
        raise ValueError(f"cosine_decay: total must be a positive integer and 0 ≤ min_factor ≤ 1, "
                         f"got {total}, {min_factor}")
    return lambda t: min_factor + (1 - min_factor) * (1 + math.cos(math.pi * min(t, total) / total)) / 2
