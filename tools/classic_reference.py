"""Float64 training steps written the classic way, as the benchmark's reference.

The style of many from-scratch courses: float64 everywhere, im2col filling its
columns in a Python loop over kernel positions into a (N, C, FH, FW, OH, OW)
buffer, max pooling through im2col and argmax, col2im adding back in the same
loop.  It is correct and typical; dlcore must be faster than it on every workload.
"""

import numpy as np


def im2col(x, fh, fw, stride=1, pad=0):
    n, c, h, w = x.shape
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    img = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    col = np.zeros((n, c, fh, fw, oh, ow))
    for y in range(fh):
        for x_ in range(fw):
            col[:, :, y, x_, :, :] = img[:, :, y:y + stride * oh:stride, x_:x_ + stride * ow:stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, -1)


def col2im(col, shape, fh, fw, stride=1, pad=0):
    n, c, h, w = shape
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    col = col.reshape(n, oh, ow, c, fh, fw).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, h + 2 * pad + stride - 1, w + 2 * pad + stride - 1))
    for y in range(fh):
        for x_ in range(fw):
            img[:, :, y:y + stride * oh:stride, x_:x_ + stride * ow:stride] += col[:, :, y, x_, :, :]
    return img[:, :, pad:h + pad, pad:w + pad]


def _softmax_grad(scores, t):
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    y = e / e.sum(axis=1, keepdims=True)
    y[np.arange(len(t)), t] -= 1
    return y / len(t)


def mlp_step_factory(x, t, sizes, lr=0.01, seed=0):
    rng = np.random.default_rng(seed)
    Ws = [rng.standard_normal((a, b)) * np.sqrt(2 / a) for a, b in zip(sizes, sizes[1:])]
    bs = [np.zeros(b) for b in sizes[1:]]
    x = x.astype(np.float64)

    def step():
        hidden = [x]
        for W, b in zip(Ws[:-1], bs[:-1]):
            hidden.append(np.maximum(hidden[-1] @ W + b, 0))
        d = _softmax_grad(hidden[-1] @ Ws[-1] + bs[-1], t)
        for i in reversed(range(len(Ws))):
            dW, db = hidden[i].T @ d, d.sum(axis=0)
            if i:
                d = (d @ Ws[i].T) * (hidden[i] > 0)
            Ws[i] -= lr * dW
            bs[i] -= lr * db
    return step


def cnn_step_factory(x, t, filters=30, kernel=5, hidden=100, classes=10, lr=0.01, seed=0):
    """conv filters×kernel×kernel → ReLU → 2×2 max pool → affine hidden → ReLU → affine classes."""
    rng = np.random.default_rng(seed)
    n, c, h, w = x.shape
    oh, ow = h - kernel + 1, w - kernel + 1
    flat = filters * (oh // 2) * (ow // 2)
    Wc = rng.standard_normal((filters, c, kernel, kernel)) * np.sqrt(2 / (c * kernel * kernel))
    bc = np.zeros(filters)
    W1, b1 = rng.standard_normal((flat, hidden)) * np.sqrt(2 / flat), np.zeros(hidden)
    W2, b2 = rng.standard_normal((hidden, classes)) * np.sqrt(2 / hidden), np.zeros(classes)
    x = x.astype(np.float64)

    def step():
        nonlocal Wc, bc, W1, b1, W2, b2
        col = im2col(x, kernel, kernel)
        conv = (col @ Wc.reshape(filters, -1).T + bc).reshape(n, oh, ow, filters).transpose(0, 3, 1, 2)
        relu = np.maximum(conv, 0)
        pool_col = im2col(relu, 2, 2, stride=2).reshape(-1, 4)
        arg = pool_col.argmax(axis=1)
        pooled = pool_col.max(axis=1).reshape(n, oh // 2, ow // 2, filters).transpose(0, 3, 1, 2)
        z0 = pooled.reshape(n, -1)
        z1 = np.maximum(z0 @ W1 + b1, 0)
        d2 = _softmax_grad(z1 @ W2 + b2, t)
        d1 = (d2 @ W2.T) * (z1 > 0)
        d0 = (d1 @ W1.T).reshape(pooled.shape).transpose(0, 2, 3, 1)
        dmax = np.zeros((d0.size, 4))
        dmax[np.arange(arg.size), arg] = d0.ravel()
        drelu = col2im(dmax.reshape(n * (oh // 2) * (ow // 2), -1), relu.shape, 2, 2, stride=2) * (conv > 0)
        dconv = drelu.transpose(0, 2, 3, 1).reshape(-1, filters)
        W2 -= lr * (z1.T @ d2)
        b2 -= lr * d2.sum(axis=0)
        W1 -= lr * (z0.T @ d1)
        b1 -= lr * d1.sum(axis=0)
        Wc -= lr * (dconv.T @ col).reshape(Wc.shape)
        bc -= lr * dconv.sum(axis=0)
    return step
