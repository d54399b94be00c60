"""Normalization layers (正規化層): batch, layer, group and instance normalization.

Each normalizes x over a set of axes to x̂ = (x − μ) / √(σ² + ε), with the mean
μ and the (biased) variance σ² taken over those axes, then scales and shifts it
per channel: y = γ x̂ + β.  They differ only in the axes:

- ``BatchNormalization`` (バッチ正規化): (N, D) over N for each feature; (N, C, H, W)
  over N, H, W for each channel (spatial batch norm, as in PyTorch and CS231n).
- ``LayerNormalization`` (レイヤー正規化): over the last axis of (N, D) or (N, T, D);
  over C, H, W of an image (N, C, H, W).
- ``GroupNormalization`` (グループ正規化): over a group of C/G channels and H, W;
  ``InstanceNormalization`` (インスタンス正規化) is the case G = C (over H, W only).

The backward of every one is, with m values per statistic and means over the
same axes:  ∂L/∂x = (1/σ̃)(∂L/∂x̂ − mean(∂L/∂x̂) − x̂ · mean(∂L/∂x̂ ⊙ x̂)),
σ̃ = √(σ² + ε), ∂L/∂x̂ = γ ∂L/∂y;  ∂L/∂γ = Σ ∂L/∂y ⊙ x̂ and ∂L/∂β = Σ ∂L/∂y
over every axis but the channel's.
"""

import numpy as np

from .layers import _check_dout


def _check_input(layer, x, ndims, channels, channel_axis):
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError(f"{layer}: expected a float ndarray, got {type(x).__name__} {getattr(x, 'dtype', '')}")
    if x.ndim not in ndims:
        raise ValueError(f"{layer}: input must have {' or '.join(map(str, ndims))} dimensions, got shape {x.shape}")
    if x.shape[channel_axis] != channels:
        raise ValueError(f"{layer}: gamma and beta have {channels} channels but the input has shape {x.shape}")
    if len(x) == 0:
        raise ValueError(f"{layer}: the batch is empty (shape {x.shape})")


def _check_params(layer, gamma, beta):
    gamma, beta = np.asarray(gamma), np.asarray(beta)
    if gamma.ndim != 1 or gamma.shape != beta.shape or gamma.dtype.kind != "f" or beta.dtype.kind != "f":
        raise ValueError(f"{layer}: gamma and beta must be float vectors of one length (one per channel), "
                         f"got {gamma.shape} {gamma.dtype} and {beta.shape} {beta.dtype}")
    return gamma, beta


def _normalize(x, axes, eps):
    """(x̂, σ̃) with mean and variance over ``axes``."""
    mean = x.mean(axis=axes, keepdims=True)
    std = np.sqrt(x.var(axis=axes, keepdims=True) + eps)
    return (x - mean) / std, std


def _normalize_backward(dxhat, xhat, std, axes):
    """∂L/∂x from ∂L/∂x̂ when x̂ was normalized over ``axes`` (the formula in the module docstring)."""
    return (dxhat - dxhat.mean(axis=axes, keepdims=True)
            - xhat * (dxhat * xhat).mean(axis=axes, keepdims=True)) / std


class _ChannelAffine:
    """y = γ x̂ + β with γ, β per channel, and their gradients."""

    channel_axis = 1

    def __init__(self, gamma, beta, eps):
        gamma, beta = _check_params(type(self).__name__, gamma, beta)
        self.params = [gamma, beta]
        self.grads = [np.zeros_like(gamma), np.zeros_like(beta)]
        self.eps = eps
        self.xhat = None

    def _broadcast(self, ndim):
        """The shape that puts a per-channel vector on the channel axis of an ndim-dimensional input."""
        shape = [1] * ndim
        shape[self.channel_axis] = -1
        return shape

    def _affine(self, xhat):
        gamma, beta = self.params
        shape = self._broadcast(xhat.ndim)
        return gamma.reshape(shape) * xhat + beta.reshape(shape)

    def _affine_backward(self, dout):
        _check_dout(type(self).__name__, dout, None if self.xhat is None else self.xhat.shape)
        others = tuple(i for i in range(dout.ndim) if i != self.channel_axis % dout.ndim)
        (dout * self.xhat).sum(axis=others, out=self.grads[0])
        dout.sum(axis=others, out=self.grads[1])
        return dout * self.params[0].reshape(self._broadcast(dout.ndim))


class BatchNormalization(_ChannelAffine):
    """Batch normalization (バッチ正規化) of (N, D) over N, or of (N, C, H, W) over N, H, W per channel.

    ``forward(x, train=True)``: in training, normalize with the statistics of
    the mini-batch and update the running ones,
    running ← momentum · running + (1 − momentum) · batch  (momentum 0.9;
    PyTorch's ``momentum=0.1`` is the same rule with the weights swapped, and
    PyTorch keeps the unbiased variance where this keeps the biased one).
    At inference (``train=False``) normalize with the running statistics, so
    each sample's output no longer depends on the rest of the batch.  Every
    training-mode call updates the running statistics, even for a batch of one
    (whose output is then β): evaluate with ``train=False``.
    """

    def __init__(self, gamma, beta, momentum=0.9, eps=1e-5, running_mean=None, running_var=None):
        super().__init__(gamma, beta, eps)
        if not 0 <= momentum < 1:
            raise ValueError(f"BatchNormalization: momentum must lie in [0, 1), got {momentum}")
        channels = len(self.params[0])
        dtype = self.params[0].dtype
        self.momentum = momentum
        self.running_mean = np.zeros(channels, dtype) if running_mean is None else np.asarray(running_mean, dtype)
        self.running_var = np.ones(channels, dtype) if running_var is None else np.asarray(running_var, dtype)

    def forward(self, x, train=True):
        _check_input("BatchNormalization", x, (2, 4), len(self.params[0]), 1)
        self.axes = (0,) if x.ndim == 2 else (0, 2, 3)
        self.train = train
        if train:
            self.xhat, self.std = _normalize(x, self.axes, self.eps)
            keep = self.momentum
            self.running_mean[...] = keep * self.running_mean + (1 - keep) * x.mean(axis=self.axes)
            self.running_var[...] = keep * self.running_var + (1 - keep) * x.var(axis=self.axes)
        else:
            shape = self._broadcast(x.ndim)
            self.std = np.sqrt(self.running_var.reshape(shape) + self.eps)
            self.xhat = (x - self.running_mean.reshape(shape)) / self.std
        return self._affine(self.xhat)

    def backward(self, dout):
        dxhat = self._affine_backward(dout)
        if not self.train:                       # the running statistics are constants
            return dxhat / self.std
        return _normalize_backward(dxhat, self.xhat, self.std, self.axes)


class LayerNormalization(_ChannelAffine):
    """Layer normalization (レイヤー正規化): each sample over its features.

    (N, D) and (N, T, D): over the last axis, γ and β of length D.
    (N, C, H, W): over C, H, W, γ and β of length C (per channel).
    The same in training and at inference; it does not depend on the batch.
    """

    def __init__(self, gamma, beta, eps=1e-5):
        super().__init__(gamma, beta, eps)

    def forward(self, x):
        self.channel_axis = 1 if x.ndim == 4 else -1
        _check_input("LayerNormalization", x, (2, 3, 4), len(self.params[0]), self.channel_axis)
        self.axes = (1, 2, 3) if x.ndim == 4 else (-1,)
        self.xhat, self.std = _normalize(x, self.axes, self.eps)
        return self._affine(self.xhat)

    def backward(self, dout):
        return _normalize_backward(self._affine_backward(dout), self.xhat, self.std, self.axes)


class GroupNormalization(_ChannelAffine):
    """Group normalization (グループ正規化) of (N, C, H, W): C channels in ``groups`` groups of C/G.

    Each sample's group of channels is normalized over those channels and H, W;
    γ and β are per channel.  groups = 1 is layer normalization of an image,
    groups = C is instance normalization.
    """

    def __init__(self, gamma, beta, groups, eps=1e-5):
        super().__init__(gamma, beta, eps)
        channels = len(self.params[0])
        if int(groups) != groups or groups < 1 or channels % groups:
            raise ValueError(f"{type(self).__name__}: groups must divide the {channels} channels, got {groups}")
        self.groups = int(groups)

    def forward(self, x):
        _check_input(type(self).__name__, x, (4,), len(self.params[0]), 1)
        n, c, h, w = x.shape
        xhat, self.std = _normalize(x.reshape(n, self.groups, c // self.groups, h, w), (2, 3, 4), self.eps)
        self.xhat = xhat.reshape(x.shape)
        return self._affine(self.xhat)

    def backward(self, dout):
        dxhat = self._affine_backward(dout)
        n, c, h, w = dout.shape
        grouped = (n, self.groups, c // self.groups, h, w)
        dx = _normalize_backward(dxhat.reshape(grouped), self.xhat.reshape(grouped), self.std, (2, 3, 4))
        return dx.reshape(dout.shape)


class InstanceNormalization(GroupNormalization):
    """Instance normalization (インスタンス正規化) of (N, C, H, W): each sample's channel over H, W."""

    def __init__(self, gamma, beta, eps=1e-5):
        super().__init__(gamma, beta, groups=len(np.asarray(gamma)), eps=eps)
