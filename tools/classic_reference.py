"""Float64 training steps written the classic way, as the benchmark's reference.

The style of many from-scratch courses: float64 everywhere, im2col filling its
columns in a Python loop over kernel positions into a (N, C, FH, FW, OH, OW)
buffer, max pooling through im2col and argmax, col2im adding back in the same
loop; the language models loop over time steps with products of their own in each.
It is correct and typical; dlcore must be faster than it on every workload.
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


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


def _recurrent_forward(x_steps, Wx, Wh, b, lstm):
    """hs (N, T, H) and the per-step cache of an RNN (tanh) or LSTM (gates i, f, g, o), one step at a time."""
    n, H = len(x_steps[0]), Wh.shape[0]
    h, c = np.zeros((n, H)), np.zeros((n, H))
    hs, cache = np.empty((n, len(x_steps), H)), []
    for t, x in enumerate(x_steps):
        a = x @ Wx + h @ Wh + b
        if lstm:
            i, f = _sigmoid(a[:, :H]), _sigmoid(a[:, H:2 * H])
            g, o = np.tanh(a[:, 2 * H:3 * H]), _sigmoid(a[:, 3 * H:])
            c_next = f * c + i * g
            cache.append((x, h, c, i, f, g, o, c_next))
            c, h = c_next, o * np.tanh(c_next)
        else:
            cache.append((x, h))
            h = np.tanh(a)
        hs[:, t] = h
    return hs, cache


def _recurrent_backward(dhs, hs, cache, Wx, Wh, lstm):
    """(dx per step, dWx, dWh, db), adding the weight gradients step by step."""
    H = Wh.shape[0]
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(Wx.shape[1])
    dh, dc, dxs = np.zeros_like(dhs[:, 0]), np.zeros_like(dhs[:, 0]), [None] * len(cache)
    for t in reversed(range(len(cache))):
        if lstm:
            x, h_prev, c_prev, i, f, g, o, c_t = cache[t]
            dh_t, tanh_c = dhs[:, t] + dh, np.tanh(c_t)
            ds = dc + dh_t * o * (1 - tanh_c ** 2)
            da = np.hstack((ds * g * i * (1 - i), ds * c_prev * f * (1 - f), ds * i * (1 - g ** 2),
                            dh_t * tanh_c * o * (1 - o)))
            dc = ds * f
        else:
            x, h_prev = cache[t]
            da = (dhs[:, t] + dh) * (1 - hs[:, t] ** 2)
        dWx += x.T @ da
        dWh += h_prev.T @ da
        db += da.sum(axis=0)
        dh = da @ Wh.T
        dxs[t] = da @ Wx.T
    return dxs, dWx, dWh, db


def _recurrent_weights(rng, D, H, gates):
    return (rng.standard_normal((D, gates * H)) / np.sqrt(D), rng.standard_normal((H, gates * H)) / np.sqrt(H),
            np.zeros(gates * H))


def language_model_step_factory(xs, ts, vocab, hidden, lr=0.01, seed=0):
    """Embedding → RNN → affine → softmax cross-entropy, one time step at a time (the usual way)."""
    rng = np.random.default_rng(seed)
    n, steps = xs.shape
    E = rng.standard_normal((vocab, hidden)) / 100
    Wx, Wh, b = _recurrent_weights(rng, hidden, hidden, 1)
    Wo, bo = rng.standard_normal((hidden, vocab)) / np.sqrt(hidden), np.zeros(vocab)

    def step():
        hs, cache = _recurrent_forward([E[xs[:, t]] for t in range(steps)], Wx, Wh, b, lstm=False)
        flat = hs.reshape(n * steps, hidden)
        dscores = _softmax_grad(flat @ Wo + bo, ts.reshape(-1))
        dWo, dbo = flat.T @ dscores, dscores.sum(axis=0)
        dxs, dWx, dWh, db = _recurrent_backward((dscores @ Wo.T).reshape(n, steps, hidden), hs, cache, Wx, Wh,
                                                lstm=False)
        dE = np.zeros_like(E)
        for t, dx in enumerate(dxs):
            np.add.at(dE, xs[:, t], dx)
        for param, grad in ((E, dE), (Wx, dWx), (Wh, dWh), (b, db), (Wo, dWo), (bo, dbo)):
            param -= lr * grad
    return step


def lstm_layer_step_factory(xs, dhs, hidden, lr=0.01, seed=0):
    """An LSTM layer's forward, backward (dhs given) and update, one time step at a time."""
    rng = np.random.default_rng(seed)
    xs, dhs = xs.astype(np.float64), dhs.astype(np.float64)
    Wx, Wh, b = _recurrent_weights(rng, xs.shape[2], hidden, 4)

    def step():
        hs, cache = _recurrent_forward([xs[:, t] for t in range(xs.shape[1])], Wx, Wh, b, lstm=True)
        _, dWx, dWh, db = _recurrent_backward(dhs, hs, cache, Wx, Wh, lstm=True)
        for param, grad in ((Wx, dWx), (Wh, dWh), (b, db)):
            param -= lr * grad
    return step
