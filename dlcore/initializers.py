"""Weight initialisers (重みの初期値) for a (fan_in, fan_out) weight matrix.

- ``normal``: N(0, scale²) with a fixed scale such as 0.01;
- ``xavier``: N(0, 1/fan_in), for sigmoid and tanh (Xavier / Glorot);
- ``he``: N(0, 2/fan_in), for ReLU (He / Kaiming).

All take a NumPy ``Generator`` so that results repeat with a seed, and return
float32 by default.
"""

import numpy as np


def _shape(fan_in, fan_out, name):
    if int(fan_in) != fan_in or int(fan_out) != fan_out or fan_in < 1 or fan_out < 1:
        raise ValueError(f"{name}: fan_in and fan_out must be positive integers, got {fan_in}, {fan_out}")
    return int(fan_in), int(fan_out)


def normal(fan_in, fan_out, rng, scale=0.01, dtype=np.float32):
    """Weights drawn from N(0, scale²)."""
    shape = _shape(fan_in, fan_out, "normal")
    return (scale * rng.standard_normal(shape)).astype(dtype)


def xavier(fan_in, fan_out, rng, dtype=np.float32):
    """Xavier initialisation: N(0, 1/fan_in)."""
    shape = _shape(fan_in, fan_out, "xavier")
    return (rng.standard_normal(shape) / np.sqrt(shape[0])).astype(dtype)


def he(fan_in, fan_out, rng, dtype=np.float32):
    """He initialisation: N(0, 2/fan_in)."""
    shape = _shape(fan_in, fan_out, "he")
    return (rng.standard_normal(shape) * np.sqrt(2.0 / shape[0])).astype(dtype)
