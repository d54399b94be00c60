"""Layers for batches of sequences (時系列データ) (N, T, …), and what the recurrent layers share.

Batch-major as in 「ゼロから作る Deep Learning ❷」: N sequences of T time steps with D features each.

- ``Embedding`` (埋め込み): integer ids (N, T) → rows of W, (N, T, D);
- ``TimeAffine``, ``LastTimeStep``, ``TimeSoftmaxWithLoss``, ``TimeLoss``: the same operation at every time step;
- ``RecurrentLayer``: the base of TimeRNN, TimeLSTM and TimeGRU (``dlcore.recurrent``, ``dlcore.gated``):
  checks, the state carried between calls, the weight gradients summed over every step at once;
- ``recurrent_weights``: initial weights for a recurrent layer.

Everything here is also importable from ``dlcore.recurrent``.
"""

import numpy as np

from . import initializers
from .layers import _check_dout, _check_loss_dout


def _check_weights(owner, Wx, Wh, b, gates):
    """Wx (D, G·H), Wh (H, G·H), b (G·H,) of one float dtype, for G fused gates."""
    Wx, Wh, b = (np.asarray(a) for a in (Wx, Wh, b))
    g = "" if gates == 1 else str(gates)
    if (Wx.ndim != 2 or Wh.ndim != 2 or Wh.shape[1] != gates * Wh.shape[0] or Wx.shape[1] != Wh.shape[1]
            or b.shape != (Wh.shape[1],)):
        raise ValueError(f"{owner}: Wx must be (D, {g}H), Wh (H, {g}H) and b ({g}H,), "
                         f"got {Wx.shape}, {Wh.shape} and {b.shape}")
    if Wx.dtype.kind != "f" or Wh.dtype != Wx.dtype or b.dtype != Wx.dtype:
        raise TypeError(f"{owner}: Wx, Wh and b must be float arrays of one dtype, got {Wx.dtype}, {Wh.dtype} "
                        f"and {b.dtype}")
    return [Wx, Wh, b]


def _describe(a):
    return f"{a.dtype} {a.shape}" if isinstance(a, np.ndarray) else type(a).__name__


def _check_sequences(owner, xs, n_features, dtype=None):
    """xs must be a non-empty float batch of sequences (N, T, n_features); returned in ``dtype``."""
    if not isinstance(xs, np.ndarray) or xs.dtype.kind != "f":
        raise TypeError(f"{owner}: xs must be a float ndarray (N, T, D), got {_describe(xs)}")
    if xs.ndim != 3 or (n_features is not None and xs.shape[2] != n_features):
        want = "D" if n_features is None else n_features
        raise ValueError(f"{owner}: xs must have shape (N, T, {want}) (batch, time, features), got {xs.shape}")
    if 0 in xs.shape[:2]:
        raise ValueError(f"{owner}: the batch of sequences is empty (shape {xs.shape})")
    return xs if dtype is None else xs.astype(dtype, copy=False)


def _check_state(owner, name, h, n, size, dtype):
    """A float state (N, H), returned in ``dtype``."""
    if not isinstance(h, np.ndarray) or h.dtype.kind != "f" or h.ndim != 2 or h.shape[1] != size \
            or (n is not None and len(h) != n):
        raise ValueError(f"{owner}: {name} must be a float array ({'N' if n is None else n}, {size}), "
                         f"got {_describe(h)}")
    return h.astype(dtype, copy=False)


def _check_step(owner, x, h_prev, Wx, Wh):
    """One step's input x (N, D) and previous state h_prev (N, H), returned in the weights' dtype."""
    if not isinstance(x, np.ndarray) or x.ndim != 2 or x.dtype.kind != "f" or x.shape[1] != Wx.shape[0] \
            or len(x) == 0:
        raise ValueError(f"{owner}.forward: x must be a non-empty float array (N, {Wx.shape[0]}), got {_describe(x)}")
    h_prev = _check_state(f"{owner}.forward", "h_prev", h_prev, len(x), Wh.shape[0], Wx.dtype)
    return x.astype(Wx.dtype, copy=False), h_prev


def _previous(first, states):
    """Time-major (T, N, H): the state before every step, ``first`` then states[:-1]."""
    return np.concatenate([first[None], states[:-1]], axis=0)


def _batch_major(a):
    """A time-major (T, N, …) array seen as batch-major (N, T, …) (a view, no copy)."""
    return a.swapaxes(0, 1)


def _weight_grads(grads, x, h_prev, delta):
    """∂L/∂Wx = Σ xᵀ δ, ∂L/∂Wh = Σ h_prevᵀ δ, ∂L/∂b = Σ δ over every row (and step) at once, into grads."""
    delta = delta.reshape(-1, delta.shape[-1])
    np.matmul(x.reshape(-1, x.shape[-1]).T, delta, out=grads[0])
    np.matmul(h_prev.reshape(-1, h_prev.shape[-1]).T, delta, out=grads[1])
    delta.sum(axis=0, out=grads[2])


class RecurrentLayer:
    """What TimeRNN, TimeLSTM and TimeGRU share: parameters, the carried state and the input checks.

    After ``forward``: ``h`` is the last hidden state (N, H).  After ``backward``: ``dh`` is ∂L/∂h_0, the
    gradient reaching the initial state, and ``dh_steps`` (N, T, H) is ∂L/∂h_t for every t (the gradient
    from the output at t plus the one coming back from t + 1).  A layer with a memory cell (TimeLSTM,
    ``n_states`` = 2) has ``c`` and ``dc`` too.

    Without ``stateful`` every forward starts from zeros, unless ``set_state`` gave a state for the next one;
    with it, each forward starts where the previous one ended (Truncated BPTT) until ``reset_state``.

    Inside, the layers store every sequence time-major, (T, N, …), and return batch-major views of it: the
    slice of one time step is then one contiguous block, on which each NumPy call of the loop over time
    runs about twice as fast as on the N scattered rows of a batch-major slice [:, t].
    """

    n_states = 1

    def __init__(self, params, stateful, extra=None):
        self.params = params + ([] if extra is None else [extra])
        self.grads = [np.zeros_like(p) for p in self.params]
        self.stateful = bool(stateful)
        self.cache = self.dh_steps = None
        self.reset_state()

    @property
    def hidden_size(self):
        return self.params[1].shape[0]

    def reset_state(self):
        """Start the next forward from zeros (a stateful layer forgets what it carried)."""
        self._next = None                      # the states the next forward starts from; None: zeros
        self.h = self.dh = None
        if self.n_states == 2:
            self.c = self.dc = None

    def set_state(self, h, c=None):
        """The next forward starts from h (N, H) (and c, zeros when omitted), e.g. an encoder's last state."""
        name, dtype = f"{type(self).__name__}.set_state", self.params[0].dtype
        states = [_check_state(name, "h", h, None, self.hidden_size, dtype)]
        if self.n_states == 2:
            states.append(np.zeros_like(states[0]) if c is None
                          else _check_state(name, "c", c, len(h), self.hidden_size, dtype))
        elif c is not None:
            raise ValueError(f"{name}: this layer has no memory cell c")
        self._next = states
        self.h = states[0]
        if self.n_states == 2:
            self.c = states[1]

    def _start(self, xs):
        """Check xs (N, T, D); returns it time-major (T, N, D) in the weights' dtype and the states to start from."""
        name = f"{type(self).__name__}.forward"
        xs = _check_sequences(name, xs, self.params[0].shape[0])
        xs = np.ascontiguousarray(xs.swapaxes(0, 1), dtype=self.params[0].dtype)
        n = xs.shape[1]
        if self._next is None:
            return xs, [np.zeros((n, self.hidden_size), xs.dtype) for _ in range(self.n_states)]
        if len(self._next[0]) != n:
            raise ValueError(f"{name}: the state to start from is for a batch of {len(self._next[0])} sequences "
                             f"but xs has {n}; call reset_state() first")
        return xs, self._next

    def _input_grad(self, delta, xs):
        """∂L/∂x_t = δ_t Wxᵀ for every t in one product; delta is time-major (T, N, G·H), the result (N, T, D)."""
        return _batch_major((delta.reshape(-1, delta.shape[-1]) @ self.params[0].T).reshape(xs.shape))

    def _keep(self, states):
        """Remember the last states (copies: the returned hs belong to the caller)."""
        states = [s.copy() for s in states]
        self.h = states[0]
        if self.n_states == 2:
            self.c = states[1]
        self._next = states if self.stateful else None

    def _check_dhs(self, dhs):
        """dhs must be (N, T, H) like the output; returned time-major (a view)."""
        _check_dout(type(self).__name__, dhs, None if self.cache is None else _batch_major(self.cache["hs"]).shape)
        return _batch_major(np.asarray(dhs))


class Embedding:
    """Embedding (埋め込み) layer: W[idx], the rows of W (V, D) for the ids idx (the product one-hot(idx) W).

    forward(idx) takes integer ids (N, T) or (N,).  Backward adds each row of dout into the row of ∂L/∂W it
    came from (np.add.at: an id used twice gets both rows) and returns None: ids have no gradient.
    """

    def __init__(self, W):
        W = np.asarray(W)
        if W.ndim != 2 or W.dtype.kind != "f":
            raise ValueError(f"Embedding: W must be a float array (V, D), got {_describe(W)}")
        self.params, self.grads = [W], [np.zeros_like(W)]
        self.idx = None

    def forward(self, idx):
        idx, V = np.asarray(idx), len(self.params[0])
        if idx.dtype.kind not in "iu":
            raise TypeError(f"Embedding.forward: ids must be integers, got dtype {idx.dtype} "
                            "(convert with .astype(int) if they are whole numbers)")
        if idx.ndim not in (1, 2) or idx.size == 0:
            raise ValueError(f"Embedding.forward: ids must be a non-empty (N, T) or (N,) array, got shape {idx.shape}")
        if idx.min() < 0 or idx.max() >= V:
            raise ValueError(f"Embedding.forward: ids must lie in 0..{V - 1} (the vocabulary has {V} entries), "
                             f"got values from {idx.min()} to {idx.max()}")
        self.idx = idx
        return self.params[0][idx]

    def backward(self, dout):
        _check_dout("Embedding", dout, None if self.idx is None else self.idx.shape + self.params[0].shape[1:])
        dW = self.grads[0]
        dW[...] = 0
        np.add.at(dW, self.idx, dout)
        return None


class TimeAffine:
    """An affine layer at every time step: (N, T, H) → (N, T, O), ys[:, t] = xs[:, t] W + b.

    Backward: the Affine layer's formulas with the N·T rows as one batch.
    """

    def __init__(self, W, b):
        W, b = np.asarray(W), np.asarray(b)
        if W.ndim != 2 or b.shape != (W.shape[1],) or W.dtype.kind != "f" or b.dtype != W.dtype:
            raise ValueError(f"TimeAffine: W must be float (in, out) and b (out,) of its dtype, got "
                             f"{_describe(W)} and {_describe(b)}")
        self.params, self.grads = [W, b], [np.zeros_like(W), np.zeros_like(b)]
        self.xs = None

    def forward(self, xs):
        W, b = self.params
        self.xs = _check_sequences("TimeAffine.forward", xs, W.shape[0], W.dtype)
        n, steps, d = self.xs.shape
        return (self.xs.reshape(n * steps, d) @ W + b).reshape(n, steps, -1)

    def backward(self, dout):
        W = self.params[0]
        _check_dout("TimeAffine", dout, None if self.xs is None else self.xs.shape[:2] + (W.shape[1],))
        d = dout.reshape(-1, W.shape[1])
        np.matmul(self.xs.reshape(-1, W.shape[0]).T, d, out=self.grads[0])
        d.sum(axis=0, out=self.grads[1])
        return (d @ W.T).reshape(self.xs.shape)


class LastTimeStep:
    """(N, T, H) → hs[:, −1] (N, H), for a many-to-one task; backward puts dout at the last step, 0 elsewhere."""

    def __init__(self):
        self.params, self.grads = [], []
        self.shape = None

    def forward(self, hs):
        self.shape = _check_sequences("LastTimeStep.forward", hs, None).shape
        return hs[:, -1]

    def backward(self, dout):
        _check_dout("LastTimeStep", dout, None if self.shape is None else (self.shape[0], self.shape[2]))
        dhs = np.zeros(self.shape, dtype=dout.dtype)
        dhs[:, -1] = dout
        return dhs


class TimeSoftmaxWithLoss:
    """Softmax with the cross-entropy at every time step, averaged over the counted positions.

    L = −(1/M) Σ_{(n,t): t_nt ≠ ignore_label} log y_nt[t_nt], M the number of those positions (padding
    marked ``ignore_label`` counts neither in the sum nor in M).  ``ts`` holds integer labels (N, T).
    Backward: ∂L/∂x_nt = (y_nt − onehot(t_nt)) / M at counted positions, 0 at ignored ones.
    """

    def __init__(self, ignore_label=-1):
        self.params, self.grads = [], []
        self.ignore_label = ignore_label
        self.cache = None

    def forward(self, xs, ts):
        name = "TimeSoftmaxWithLoss.forward"
        xs, ts = _check_sequences(name, xs, None), np.asarray(ts)
        if ts.dtype.kind not in "iu":
            raise TypeError(f"{name}: targets ts must be integer labels (N, T), got dtype {ts.dtype}")
        if ts.shape != xs.shape[:2]:
            raise ValueError(f"{name}: targets ts must have shape (N, T) = {xs.shape[:2]}, got {ts.shape}")
        counted = ts != self.ignore_label
        labels = np.where(counted, ts, 0)
        if labels.min() < 0 or labels.max() >= xs.shape[2]:
            raise ValueError(f"{name}: labels must lie in 0..{xs.shape[2] - 1} or be ignore_label="
                             f"{self.ignore_label}, got values from {ts.min()} to {ts.max()}")
        shifted = xs - xs.max(axis=2, keepdims=True)
        log_y = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))   # log-softmax, max trick
        picked = np.take_along_axis(log_y, labels[..., None], axis=2)[..., 0]
        count = max(int(counted.sum()), 1)
        self.cache = (np.exp(log_y, out=log_y), labels, counted, count)
        return float(-np.sum(picked, where=counted) / count)

    def backward(self, dout=1.0):
        _check_loss_dout("TimeSoftmaxWithLoss", self.cache, dout)
        y, labels, counted, count = self.cache
        dx = y.copy()
        flat = dx.reshape(-1, dx.shape[2])
        flat[np.arange(len(flat)), labels.reshape(-1)] -= 1
        dx *= (counted * (dout / count)).astype(dx.dtype)[..., None]
        return dx


class TimeLoss:
    """A loss layer of ``dlcore.layers`` at every time step: ``TimeLoss(SigmoidWithLoss())`` takes scores
    xs (N, T, K) and targets ts (N, T, K) (or labels (N, T)) and returns the mean loss over the N·T positions.

    The N·T positions are handed to the loss layer as one batch of rows, whose loss is already the mean over
    rows; backward reshapes its ∂L/∂x back to (N, T, K).
    """

    def __init__(self, loss_layer):
        if not (hasattr(loss_layer, "forward") and hasattr(loss_layer, "backward")):
            raise TypeError(f"TimeLoss: loss_layer must be a loss layer such as SigmoidWithLoss(), "
                            f"got {type(loss_layer).__name__}")
        self.loss_layer = loss_layer
        self.params, self.grads = [], []
        self.shape = None

    def forward(self, xs, ts):
        xs, ts = _check_sequences("TimeLoss.forward", xs, None), np.asarray(ts)
        if ts.shape[:2] != xs.shape[:2]:
            raise ValueError(f"TimeLoss.forward: targets ts must start with (N, T) = {xs.shape[:2]}, got {ts.shape}")
        self.shape = xs.shape
        rows = xs.shape[0] * xs.shape[1]
        return self.loss_layer.forward(xs.reshape(rows, -1), ts.reshape(rows, *ts.shape[2:]))

    def backward(self, dout=1.0):
        if self.shape is None:
            raise RuntimeError("TimeLoss.backward: call forward first (backward uses what forward stored)")
        return self.loss_layer.backward(dout).reshape(self.shape)


def orthogonal(size, rng, dtype=np.float32):
    """A random orthogonal matrix (size, size), from the QR decomposition of a Gaussian one: every singular
    value is 1, so h Wh neither shrinks nor stretches h."""
    q, r = np.linalg.qr(rng.standard_normal((size, size)))
    return (q * np.sign(np.diag(r))).astype(dtype)


def recurrent_weights(input_size, hidden_size, gates=1, seed=0, dtype=np.float32):
    """Initial (Wx, Wh, b) for G fused gates: Wx Xavier N(0, 1/D), each H × H block of Wh orthogonal, b = 0."""
    rng = np.random.default_rng(seed)
    Wx = initializers.xavier(input_size, gates * hidden_size, rng, dtype=dtype)
    Wh = np.concatenate([orthogonal(hidden_size, rng, dtype) for _ in range(gates)], axis=1)
    return Wx, Wh, np.zeros(gates * hidden_size, dtype)
