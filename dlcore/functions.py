"""Activation functions, losses and their derivatives (活性化関数・誤差関数).

Plain NumPy functions with the names used in the course, so that code written
as ``functions.relu(u)`` runs unchanged.  Conventions:

- Activations work element-wise on arrays of any shape and keep a floating
  dtype (float32 stays float32; integer input is computed in float64).
- Derivatives take the *pre-activation* input ``u``: ``d_sigmoid(u)`` is
  σ'(u) = σ(u)(1 − σ(u)), not a function of the layer output σ(u).
- Losses take the target first: ``loss(d, y)`` with target ``d`` and network
  output ``y``.  A 1-D ``y`` is one sample; a 2-D ``y`` is a batch of rows,
  and the loss is averaged over the batch.
- Nothing is modified in place and nothing is silently broadcast: a shape or
  dtype mistake raises an error that names the function and the shapes.
"""

import numpy as np

CROSS_ENTROPY_EPS = 1e-7
"""Added inside the log of the cross-entropy so that log(0) never occurs."""


def _as_float_array(x, func_name, arg_name="x"):
    """Return ``x`` as a floating ndarray, rejecting non-numeric input."""
    array = np.asarray(x)
    if array.dtype.kind == "f":
        return array
    if array.dtype.kind in "iu":
        return array.astype(np.float64)
    raise TypeError(
        f"{func_name}: {arg_name} must be a real number array, got dtype {array.dtype}"
    )


# --- activation functions (活性化関数) -------------------------------------------------


def step_function(x):
    """Step function (ステップ関数): 1 where x > 0, else 0."""
    x = _as_float_array(x, "step_function")
    return (x > 0).astype(x.dtype)


def d_step_function(x):
    """Derivative of the step function: 0 everywhere (undefined at 0, taken as 0)."""
    x = _as_float_array(x, "d_step_function")
    return np.zeros_like(x)


def sigmoid(x):
    """Sigmoid (シグモイド関数) σ(x) = 1 / (1 + exp(−x)), without overflow.

    exp is only ever taken of −|x|, so ±1000 gives exactly 1 and 0 with no
    warning.
    """
    x = _as_float_array(x, "sigmoid")
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def d_sigmoid(x):
    """Derivative of the sigmoid: σ'(x) = σ(x)(1 − σ(x)), at most 0.25."""
    s = sigmoid(x)
    return s * (1 - s)


def tanh(x):
    """Hyperbolic tangent (双曲線正接関数) tanh(x), with values in (−1, 1)."""
    return np.tanh(_as_float_array(x, "tanh"))


def d_tanh(x):
    """Derivative of tanh: 1 − tanh(x)², at most 1."""
    t = tanh(x)
    return 1 - t * t


def relu(x):
    """ReLU (Rectified Linear Unit, 正規化線形関数): max(0, x)."""
    x = _as_float_array(x, "relu")
    return np.maximum(x, 0)


def d_relu(x):
    """Derivative of ReLU: 1 where x > 0, else 0 (the value at 0 is taken as 0)."""
    x = _as_float_array(x, "d_relu")
    return (x > 0).astype(x.dtype)


def leaky_relu(x, alpha=0.01):
    """Leaky ReLU: x where x > 0, else alpha·x (a small slope for negative input)."""
    x = _as_float_array(x, "leaky_relu")
    return np.where(x > 0, x, x * alpha).astype(x.dtype)


def d_leaky_relu(x, alpha=0.01):
    """Derivative of Leaky ReLU: 1 where x > 0, else alpha."""
    x = _as_float_array(x, "d_leaky_relu")
    return np.where(x > 0, 1, alpha).astype(x.dtype)


def identity(x):
    """Identity mapping (恒等写像) f(x) = x; returns a copy."""
    return _as_float_array(x, "identity").copy()


def d_identity(x):
    """Derivative of the identity: 1 everywhere."""
    return np.ones_like(_as_float_array(x, "d_identity"))


def softmax(x):
    """Softmax (ソフトマックス関数) over the last axis, with the max trick.

    Subtracting each row's maximum leaves the result unchanged and keeps
    exp from overflowing.  A 1-D ``x`` is one sample; a 2-D ``x`` is a batch.
    """
    x = _as_float_array(x, "softmax")
    if x.ndim not in (1, 2):
        raise ValueError(f"softmax: x must be 1-D or 2-D, got shape {x.shape}")
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# --- losses (誤差関数) ---------------------------------------------------------------


def _batch_size(y, func_name):
    """1 for one sample (a scalar output or a 1-D y), N for a 2-D batch of N rows."""
    if y.ndim > 2:
        raise ValueError(f"{func_name}: y must be a number or 1-D (one sample) or 2-D (a batch), got shape {y.shape}")
    if y.ndim == 2 and len(y) == 0:
        raise ValueError(f"{func_name}: the batch is empty (shape {y.shape})")
    return 1 if y.ndim < 2 else y.shape[0]


def _same_shape(d, y, func_name):
    d = _as_float_array(d, func_name, "d")
    y = _as_float_array(y, func_name, "y")
    if d.shape != y.shape:
        raise ValueError(f"{func_name}: target d has shape {d.shape} but output y has shape {y.shape}")
    return d, y


def mean_squared_error(d, y):
    """Squared error (二乗誤差) E = ½‖y − d‖², averaged over the batch.

    For one sample (1-D, or a scalar output as in a 2–5–1 regression network)
    this is ½ Σ_j (y_j − d_j)²; for a batch of N rows it is the mean of that
    quantity over the N samples.
    """
    d, y = _same_shape(d, y, "mean_squared_error")
    return 0.5 * np.sum((y - d) ** 2) / _batch_size(y, "mean_squared_error")


def d_mean_squared_error(d, y):
    """Gradient of ``mean_squared_error`` with respect to y: (y − d) / N."""
    d, y = _same_shape(d, y, "d_mean_squared_error")
    return (y - d) / _batch_size(y, "d_mean_squared_error")


def one_hot_target(d, y, func_name):
    """The target as an array shaped like y: one-hot rows for integer labels (checked to lie in range)."""
    d = np.asarray(d)
    if d.shape == y.shape:
        return _as_float_array(d, func_name, "d")
    if d.shape != y.shape[:-1]:
        raise ValueError(
            f"{func_name}: target d must be one-hot with the shape of y {y.shape} "
            f"or labels with shape {y.shape[:-1]}, got shape {d.shape}"
        )
    if d.dtype.kind not in "iu":
        raise TypeError(f"{func_name}: labels d must be integers, got dtype {d.dtype}")
    n_classes = y.shape[-1]
    if np.any(d < 0) or np.any(d >= n_classes):
        raise ValueError(f"{func_name}: labels d must lie in 0..{n_classes - 1}, got {d}")
    one_hot = np.zeros(y.shape, dtype=y.dtype)         # O(N·K) memory; np.eye(K)[d] would build K × K
    np.put_along_axis(one_hot, d[..., None], 1, axis=-1)
    return one_hot


def cross_entropy_error(d, y):
    """Cross-entropy (交差エントロピー誤差) E = −Σ_k d_k log(y_k + 1e-7), batch mean.

    ``d`` is either one-hot (the shape of ``y``) or integer class labels (one
    label per sample).  The 1e-7 keeps log finite when a probability is 0.
    """
    y = _as_float_array(y, "cross_entropy_error", "y")
    n = _batch_size(y, "cross_entropy_error")
    d = one_hot_target(d, y, "cross_entropy_error")
    return -np.sum(d * np.log(y + CROSS_ENTROPY_EPS)) / n


def d_cross_entropy_error(d, y):
    """Gradient of ``cross_entropy_error`` with respect to y: −d / (y + 1e-7) / N."""
    y = _as_float_array(y, "d_cross_entropy_error", "y")
    n = _batch_size(y, "d_cross_entropy_error")
    d = one_hot_target(d, y, "d_cross_entropy_error")
    return -d / (y + CROSS_ENTROPY_EPS) / n


def binary_cross_entropy_error(d, y):
    """Binary cross-entropy (二値交差エントロピー誤差), batch mean.

    E = −[d log(y + 1e-7) + (1 − d) log(1 − y + 1e-7)] for targets d ∈ {0, 1}
    and outputs y = σ(u) ∈ (0, 1) of the same shape.
    """
    d, y = _same_shape(d, y, "binary_cross_entropy_error")
    n = _batch_size(y, "binary_cross_entropy_error")
    eps = CROSS_ENTROPY_EPS
    return -np.sum(d * np.log(y + eps) + (1 - d) * np.log(1 - y + eps)) / n
