"""Layers with explicit forward and backward (レイヤー).

Every layer has ``params`` and ``grads`` (lists of arrays of the same shapes;
``backward`` writes the gradients into ``grads`` in place), ``forward(x)`` and
``backward(dout) -> dx``.  ``backward`` never modifies ``dout``.  Loss layers
take the target as well: ``forward(x, t) -> loss`` and ``backward(dout=1.0)``.

Shapes: a batch has one sample per row, (N, features), so an affine layer
computes u = xW + b; element-wise layers (activations, Dropout, GaussianNoise)
also take feature maps (N, C, H, W).
"""

import numbers

import numpy as np

from . import functions


def _is_real(value):
    """A real number, Python's or NumPy's (np.float32(0.1) counts), but not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_batch(layer, x, n_features=None):
    """Raise a ValueError naming the layer unless x is a non-empty float batch.

    With ``n_features`` the batch must be (N, n_features); without, any (N, ...)
    of at least two axes (element-wise layers also take (N, C, H, W) maps).
    """
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{layer}: expected a float ndarray, got {type(x).__name__}")
    if x.dtype.kind != "f":
        raise TypeError(f"{layer}: expected a float ndarray, got dtype {x.dtype}")
    if x.ndim < 2 or (n_features is not None and x.shape != (len(x), n_features)):
        want = f"(N, {n_features})" if n_features is not None else "(N, features) or (N, C, H, W)"
        raise ValueError(f"{layer}: input must have shape {want}, got {x.shape}")
    if len(x) == 0:
        raise ValueError(f"{layer}: the batch is empty (shape {x.shape})")


def _check_dout(layer, dout, shape):
    """Raise unless forward has run and ``dout`` has the shape of its output (nothing is broadcast)."""
    if shape is None:
        raise RuntimeError(f"{layer}.backward: call forward first (backward uses what forward stored)")
    if np.shape(dout) != shape:
        raise ValueError(f"{layer}.backward: dout must have the shape of the forward output {shape}, "
                         f"got {np.shape(dout)}")


def _check_loss_dout(layer, stored, dout):
    """Raise unless forward has stored something and ``dout`` is a number (the loss is a scalar)."""
    if stored is None:
        raise RuntimeError(f"{layer}.backward: call forward first (backward uses what forward stored)")
    if np.ndim(dout) != 0:
        raise ValueError(f"{layer}.backward: dout is the upstream gradient of the scalar loss, "
                         f"a number; got shape {np.shape(dout)}")


class Affine:
    """Affine (fully connected, 全結合) layer: u = xW + b.

    Backward: ∂L/∂x = δ Wᵀ, ∂L/∂W = xᵀ δ, ∂L/∂b = Σ_n δ_n, with δ = ∂L/∂u.
    """

    def __init__(self, W, b):
        W, b = np.asarray(W), np.asarray(b)
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ValueError(f"Affine: W must be (in, out) and b (out,), got {W.shape} and {b.shape}")
        if W.dtype.kind != "f" or b.dtype.kind != "f":
            raise TypeError(f"Affine: W and b must be float arrays (an optimizer cannot move integers), "
                            f"got {W.dtype} and {b.dtype}")
        self.params = [W, b]
        self.grads = [np.zeros_like(W), np.zeros_like(b)]
        self.x = None

    def forward(self, x):
        W, b = self.params
        _check_batch("Affine", x, W.shape[0])
        self.x = x
        return x @ W + b

    def backward(self, dout):
        self.backward_params(dout)
        return dout @ self.params[0].T

    def backward_params(self, dout):
        """Only ∂L/∂W and ∂L/∂b, for a first layer whose ∂L/∂x nobody needs."""
        _check_dout("Affine", dout, None if self.x is None else (len(self.x), self.params[0].shape[1]))
        np.matmul(self.x.T, dout, out=self.grads[0])
        dout.sum(axis=0, out=self.grads[1])


class Relu:
    """ReLU layer: z = max(0, u); backward passes dout where u > 0."""

    def __init__(self):
        self.params, self.grads = [], []
        self.mask = None

    def forward(self, x):
        _check_batch("Relu", x)
        self.mask = x > 0
        return np.maximum(x, 0)

    def backward(self, dout):
        _check_dout("Relu", dout, None if self.mask is None else self.mask.shape)
        return dout * self.mask


class Sigmoid:
    """Sigmoid layer: z = σ(u); backward uses the stored output, σ'(u) = z(1 − z)."""

    def __init__(self):
        self.params, self.grads = [], []
        self.out = None

    def forward(self, x):
        _check_batch("Sigmoid", x)
        self.out = functions.sigmoid(x)
        return self.out

    def backward(self, dout):
        _check_dout("Sigmoid", dout, None if self.out is None else self.out.shape)
        return dout * self.out * (1 - self.out)


class Tanh:
    """tanh layer: z = tanh(u); backward uses tanh'(u) = 1 − z²."""

    def __init__(self):
        self.params, self.grads = [], []
        self.out = None

    def forward(self, x):
        _check_batch("Tanh", x)
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout):
        _check_dout("Tanh", dout, None if self.out is None else self.out.shape)
        return dout * (1 - self.out * self.out)


class Dropout:
    """Dropout (ドロップアウト), inverted: ``forward(x, train=True)``.

    In training each unit is dropped (set to 0) with probability
    ``dropout_ratio`` p and the kept ones are scaled by 1/(1 − p), so the
    expected output equals the input; at inference (``train=False``) the layer
    is the identity.  (「ゼロから作る」 scales by 1 − p at inference instead: the
    same expected values.)  Backward passes dout through the same mask and scale.
    """

    def __init__(self, dropout_ratio=0.5, seed=None):
        if not 0 <= dropout_ratio < 1:
            raise ValueError(f"Dropout: dropout_ratio is the probability of dropping a unit, in [0, 1), "
                             f"got {dropout_ratio}")
        self.params, self.grads = [], []
        self.dropout_ratio = dropout_ratio
        self.rng = np.random.default_rng(seed)
        self.scale = None

    def forward(self, x, train=True):
        _check_batch("Dropout", x)
        if train:
            keep = self.rng.random(x.shape) >= self.dropout_ratio
            self.scale = keep.astype(x.dtype) / x.dtype.type(1 - self.dropout_ratio)
        else:
            self.scale = np.ones_like(x)
        return x * self.scale

    def backward(self, dout):
        _check_dout("Dropout", dout, None if self.scale is None else self.scale.shape)
        return dout * self.scale


class GaussianNoise:
    """Noise injection (ノイズ注入): ``forward(x, train=True)`` returns x + σε, ε ~ N(0, 1).

    In training every element gets fresh noise of standard deviation
    ``stddev`` σ; at inference (``train=False``) the layer is the identity.
    The noise does not depend on x, so backward passes dout unchanged.  Put
    after a hidden layer, it perturbs the features at that level of abstraction.
    """

    def __init__(self, stddev, seed=None):
        if not (_is_real(stddev) and stddev >= 0):
            raise ValueError(f"GaussianNoise: stddev must be a number ≥ 0, got {stddev!r}")
        self.params, self.grads = [], []
        self.stddev = float(stddev)
        self.rng = np.random.default_rng(seed)
        self.shape = None

    def forward(self, x, train=True):
        _check_batch("GaussianNoise", x)
        self.shape = x.shape
        if not train or self.stddev == 0:
            return x
        return x + self.rng.normal(0.0, self.stddev, x.shape).astype(x.dtype, copy=False)

    def backward(self, dout):
        _check_dout("GaussianNoise", dout, self.shape)
        return dout


class _Loss:
    """Output layer with its loss: forward(x, t) -> scalar, backward() -> ∂L/∂x.

    All three pair an output activation with its natural loss, so the gradient
    with respect to the total input x is the same: (y − t) / N.
    """

    def __init__(self):
        self.params, self.grads = [], []
        self.y = None

    def _check(self, x, t, same_shape):
        _check_batch(type(self).__name__, x)
        if x.ndim != 2:
            raise ValueError(f"{type(self).__name__}: scores must have shape (N, outputs), got {x.shape}")
        t = np.asarray(t)
        if same_shape and t.shape != x.shape:
            raise ValueError(f"{type(self).__name__}: target t has shape {t.shape} but the output has {x.shape}")
        if t.shape[:1] != x.shape[:1]:
            raise ValueError(f"{type(self).__name__}: {x.shape[0]} outputs but {t.shape[0] if t.ndim else 0} targets")
        return t

    def backward(self, dout=1.0):
        _check_loss_dout(type(self).__name__, self.y, dout)
        return dout * (self.y - self.t) / len(self.y)


class IdentityWithLoss(_Loss):
    """Identity output (恒等写像) with the squared error: L = (1/N) Σ_n ½‖y_n − t_n‖².

    Backward: ∂L/∂x = (y − t) / N.  For regression.
    """

    def forward(self, x, t):
        self.t = self._check(x, t, same_shape=True)
        self.y = x
        return float(functions.mean_squared_error(self.t, self.y))


class SoftmaxWithLoss(_Loss):
    """Softmax output with the cross-entropy: L = −(1/N) Σ_n Σ_k t_nk log y_nk.

    ``t`` is integer labels (N,), one-hot rows (N, K) or soft targets: rows of
    probabilities summing to 1 (Mixup, CutMix, label smoothing), for which the
    same formula is the soft-target cross-entropy.  Backward: ∂L/∂x = (y − t) / N.
    For multi-class classification.  The loss is computed as log y = x − log Σ e^x
    (log-softmax with the max trick), which needs no 1e-7 inside the log, so the
    gradient above is exact.
    """

    def forward(self, x, t):
        self._check(x, t, same_shape=False)
        self.t = functions.one_hot_target(t, x, "SoftmaxWithLoss").astype(x.dtype, copy=False)
        if np.any(self.t < 0) or not np.allclose(self.t.sum(axis=1), 1, atol=1e-6):
            raise ValueError("SoftmaxWithLoss: every target row must be a probability distribution "
                             "(one-hot, or entries ≥ 0 summing to 1); otherwise (y − t)/N is not the gradient")
        shifted = x - x.max(axis=1, keepdims=True)
        log_y = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        self.y = np.exp(log_y)
        return float(-np.sum(self.t * log_y) / len(x))


class SigmoidWithLoss(_Loss):
    """Sigmoid output with the binary cross-entropy (二値交差エントロピー).

    L = −(1/N) Σ [t log y + (1 − t) log(1 − y)], y = σ(x), t ∈ {0, 1} of shape (N, 1)
    (or one column per independent label).  Backward: ∂L/∂x = (y − t) / N.
    For binary classification.  Computed from x as log(1 + eᵡ) − t·x, which never
    overflows and needs no 1e-7, so the gradient above is exact.
    """

    def forward(self, x, t):
        self.t = self._check(x, t, same_shape=True).astype(x.dtype)
        if np.any(self.t < 0) or np.any(self.t > 1):
            raise ValueError("SigmoidWithLoss: targets t must lie in [0, 1] (labels 0 and 1, or grey levels), "
                             f"got values from {self.t.min()} to {self.t.max()}")
        self.y = functions.sigmoid(x)
        return float(np.sum(np.logaddexp(0, x) - self.t * x) / len(x))
