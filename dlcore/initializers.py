"""Weight initialisers (重みの初期値).

- ``normal``: N(0, scale²) with a fixed scale such as 0.01;
- ``xavier``: N(0, 1/n), for sigmoid and tanh (Xavier / Glorot, in the form the
  syllabus uses; Glorot's paper averages fan-in and fan-out: 2/(n_in + n_out));
- ``he``: N(0, 2/n), for ReLU (He / Kaiming),

where n is the fan-in (入力側のノード数), the number of inputs each unit sums.
``initial_weights(shape, rng, method)`` does the same for any weight shape:
(in, out) for an affine layer, (FN, C, FH, FW) for a convolution, whose fan-in
is C·FH·FW (see ``fans``).  All take a NumPy ``Generator`` so that results
repeat with a seed, and return float32 by default.
"""

import numpy as np

METHODS = ("normal", "xavier", "he")


def fans(shape, caller="fans"):
    """(fan_in, fan_out) of a weight shape: (in, out) or (FN, C, FH, FW) → (C·FH·FW, FN·FH·FW)."""
    shape = tuple(shape)
    if len(shape) not in (2, 4) or any(int(n) != n or n < 1 for n in shape):
        raise ValueError(f"{caller}: a weight shape is (in, out) or (FN, C, FH, FW) of positive integers, got {shape}")
    if len(shape) == 2:
        return int(shape[0]), int(shape[1])
    filters, channels, height, width = (int(n) for n in shape)
    return channels * height * width, filters * height * width


def initial_weights(shape, rng, method="he", scale=0.01, dtype=np.float32, caller="initial_weights"):
    """Weights of ``shape`` drawn from N(0, σ²): σ = scale, √(1/fan_in) or √(2/fan_in)."""
    if method not in METHODS:
        raise ValueError(f"{caller}: method must be one of {METHODS}, got {method!r}")
    fan_in, _ = fans(shape, caller)
    std = {"normal": scale, "xavier": np.sqrt(1.0 / fan_in), "he": np.sqrt(2.0 / fan_in)}[method]
    return (std * rng.standard_normal(tuple(int(n) for n in shape))).astype(dtype)


def normal(fan_in, fan_out, rng, scale=0.01, dtype=np.float32):
    """Weights drawn from N(0, scale²)."""
    return initial_weights((fan_in, fan_out), rng, "normal", scale, dtype, "normal")


def xavier(fan_in, fan_out, rng, dtype=np.float32):
    """Xavier initialisation: N(0, 1/fan_in)."""
    return initial_weights((fan_in, fan_out), rng, "xavier", dtype=dtype, caller="xavier")


def he(fan_in, fan_out, rng, dtype=np.float32):
    """He initialisation: N(0, 2/fan_in)."""
    return initial_weights((fan_in, fan_out), rng, "he", dtype=dtype, caller="he")
