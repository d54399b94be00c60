"""Optimizers (最適化手法): ``update(params, grads)`` changes every parameter in place."""

import numpy as np


class SGD:
    """Stochastic gradient descent (確率的勾配降下法): W ← W − η ∂L/∂W.

    Parameters
    ----------
    lr : float
        The learning rate η (学習率), positive.
    """

    def __init__(self, lr=0.01):
        if not lr > 0:
            raise ValueError(f"SGD: the learning rate lr must be positive, got {lr}")
        self.lr = lr

    def update(self, params, grads):
        if len(params) != len(grads):
            raise ValueError(f"SGD: {len(params)} parameters but {len(grads)} gradients")
        for param, grad in zip(params, grads):
            param -= np.asarray(self.lr, dtype=param.dtype) * grad
