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


def _perturbation_gradient(f, x, h):
    """Central differences of f() for every element of x, perturbing x in place."""
    grad = np.empty_like(x)
    flat_x, flat_grad = x.reshape(-1), grad.reshape(-1)
    for i in range(flat_x.size):
        original = flat_x[i]
        flat_x[i] = original + h
        f_plus = float(f())
        flat_x[i] = original - h
        f_minus = float(f())
        flat_x[i] = original
        flat_grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def numerical_gradient(f, x, h=1e-5):
    """Gradient of a scalar function ``f(x)`` with respect to every element of ``x``.

    ``x`` is perturbed one element at a time (two evaluations of ``f`` per
    element), so the cost grows with the number of parameters.
    """
    x = np.array(x, dtype=np.float64)
    return _perturbation_gradient(lambda: f(x), x, h)


def parameter_gradient(loss, param, h=1e-5):
    """Gradient of ``loss()`` with respect to the array ``param``, which is changed in place and restored.

    ``param`` must be float64: in float32 the differences drown in rounding.
    """
    if param.dtype != np.float64:
        raise TypeError(f"parameter_gradient: parameters must be float64 for a gradient check, got {param.dtype}")
    return _perturbation_gradient(loss, param, h)


def layer_errors(layer, x, t=None, seed=0):
    """Relative errors of a layer's backward against central differences.

    For an ordinary layer the scalar checked is Σ forward(x) ⊙ g with a random
    g; for a loss layer (give the target ``t``) it is the loss itself.
    Returns {"dx": error, "param0": error, ...}; each should be below 1e-7.
    """
    x = np.array(x, dtype=np.float64)
    if t is None:
        g = np.random.default_rng(seed).standard_normal(layer.forward(x).shape)
        def scalar():
            return np.sum(layer.forward(x) * g)
        scalar()
        dx = layer.backward(g)
    else:
        def scalar():
            return layer.forward(x, t)
        scalar()
        dx = layer.backward(1.0)
    analytic = [dx] + [grad.copy() for grad in layer.grads]
    numeric = [_perturbation_gradient(scalar, x, 1e-5)]
    numeric += [parameter_gradient(scalar, p) for p in layer.params]
    names = ["dx"] + [f"param{i}" for i in range(len(layer.params))]
    return {name: relative_error(a, n) for name, a, n in zip(names, analytic, numeric)}


def relative_error(a, b):
    """max |a − b| / max(|a| + |b|), a scale-free distance between two gradients."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error: shapes differ, {a.shape} and {b.shape}")
    scale = np.max(np.abs(a) + np.abs(b))
    return 0.0 if scale == 0 else float(np.max(np.abs(a - b)) / scale)
