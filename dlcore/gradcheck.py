"""Numerical differentiation and gradient checking (勾配確認).

Central differences in float64: (f(x + h) − f(x − h)) / 2h, with error O(h²).
Compare an analytic gradient with ``relative_error``; below about 1e-7 the
two agree to the precision float64 allows.
"""

import numpy as np


def numerical_derivative(f, x, h=1e-5):
    """Element-wise derivative of an element-wise function ``f`` at ``x``."""
    x = np.asarray(x, dtype=np.float64)
    return (f(x + h) - f(x - h)) / (2 * h)


def numerical_gradient(f, x, h=1e-5):
    """Gradient of a scalar function ``f(x)`` with respect to every element of ``x``.

    ``x`` is perturbed one element at a time (two evaluations of ``f`` per
    element), so the cost grows with the number of parameters.
    """
    x = np.array(x, dtype=np.float64)
    grad = np.empty_like(x)
    flat_x, flat_grad = x.reshape(-1), grad.reshape(-1)
    for i in range(flat_x.size):
        original = flat_x[i]
        flat_x[i] = original + h
        f_plus = float(f(x))
        flat_x[i] = original - h
        f_minus = float(f(x))
        flat_x[i] = original
        flat_grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(a, b):
    """max |a − b| / max(|a| + |b|), a scale-free distance between two gradients."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error: shapes differ, {a.shape} and {b.shape}")
    scale = np.max(np.abs(a) + np.abs(b))
    return 0.0 if scale == 0 else float(np.max(np.abs(a - b)) / scale)
