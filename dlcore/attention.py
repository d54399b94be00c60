"""Attention (アテンション) and the Transformer's pieces, with explicit forward and backward.

Batch-major like the recurrent layers: a batch of sequences is (N, T, D).

- ``ScaledDotProductAttention``: out = softmax(Q Kᵀ / √d_k) V for Q (N, [h,] T_q, d_k), K (N, [h,] T_k, d_k),
  V (N, [h,] T_k, d_v); the weights A = softmax(…) (N, [h,] T_q, T_k) are kept as ``.weights``.  Why √d_k:
  for q, k with independent unit-variance entries, q·k has variance d_k, so the scores grow with d_k and the
  softmax saturates; dividing by √d_k brings the variance back to 1.
- Masks are boolean, True = "may attend", broadcastable to (N, [h,] T_q, T_k): ``padding_mask(ids, pad_id)``
  (N, 1, T_k) and ``causal_mask(T)`` (T, T), combined with ``&``.  A masked score becomes −∞ before the softmax
  (so its weight is exactly 0).  A row with every key masked has no weights to normalise: it returns weights 0
  and output 0 (and passes no gradient), never NaN.  (Adding −1e9 instead would give that row uniform weights,
  the mean of V; ``torch.softmax`` and ``nn.MultiheadAttention`` give NaN there, while
  ``F.scaled_dot_product_attention`` of PyTorch 2.13 gives 0 like this module.)
- ``MultiHeadAttention`` (マルチヘッドアテンション): h heads of size d_k = d_model / h, Q = query W_Q + b_Q and the
  same for K, V, the heads joined and projected by W_O: 4d² + 4d parameters (4d² with ``bias=False``).
  Weights act on rows, x W with W (d_in, d_out), like ``Affine``; PyTorch stores the transpose.
- ``SelfAttention`` (セルフアテンション): query = key = value = x; its backward returns the sum of the three gradients.
  Source–target attention (ソース・ターゲットアテンション) is ``MultiHeadAttention`` with key = value = the source.
- ``positional_encoding`` / ``PositionalEncoding`` (位置エンコーディング): PE(pos, 2i) = sin(pos / 10000^{2i/d}),
  PE(pos, 2i + 1) = cos(pos / 10000^{2i/d}), interleaved (even columns sin, odd columns cos).
- ``TransformerEncoderBlock``: self-attention and a position-wise feed-forward network, each with a residual
  connection and layer normalisation (post-norm by default, as in Vaswani et al. 2017; ``norm="pre"`` too).
The seq2seq of chapter 16 whose decoder attends over every encoder state (``AttentionDecoder``,
``AttentionSeq2Seq``) is in ``dlcore.attention_seq2seq``.
"""

import numbers

import numpy as np

from . import initializers
from .layers import Relu, _check_dout
from .normalization import LayerNormalization
from .recurrent import time_affine_layer
from .time_layers import _describe

__all__ = ["ScaledDotProductAttention", "scaled_dot_product_attention", "padding_mask", "causal_mask",
           "MultiHeadAttention", "SelfAttention", "positional_encoding", "PositionalEncoding",
           "TransformerEncoderBlock"]


def padding_mask(ids, pad_id):
    """(N, 1, T) boolean mask of the ids (N, T): True where the key is a real token (≠ pad_id), for every query."""
    ids = np.asarray(ids)
    if ids.ndim != 2 or ids.dtype.kind not in "iu":
        raise ValueError(f"padding_mask: ids must be integer ids (N, T), got {_describe(ids)}")
    return (ids != pad_id)[:, None, :]


def causal_mask(T):
    """(T, T) boolean mask, True on and below the diagonal: query t may attend to keys 0..t only."""
    if isinstance(T, bool) or not isinstance(T, numbers.Integral) or T < 1:
        raise ValueError(f"causal_mask: T must be an integer ≥ 1, got {T!r}")
    return np.tril(np.ones((T, T), dtype=bool))


def _check_mask(owner, mask, shape):
    """A boolean mask broadcastable to the scores' shape (returned as is), or None."""
    if mask is None:
        return None
    if not isinstance(mask, np.ndarray) or mask.dtype != bool:
        raise TypeError(f"{owner}: mask must be a boolean ndarray (True = may attend), got {_describe(mask)}")
    try:
        ok = np.broadcast_shapes(mask.shape, shape) == shape
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"{owner}: mask of shape {mask.shape} does not broadcast to the scores {shape} "
                         "(N, [heads,] T_q, T_k)")
    return mask


def _masked_softmax(scores, mask):
    """Softmax over the last axis with masked scores at −∞; a fully masked row gives weights 0 (no NaN)."""
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    top = scores.max(axis=-1, keepdims=True)
    e = np.exp(scores - np.where(np.isfinite(top), top, 0))
    total = e.sum(axis=-1, keepdims=True)
    return e / np.where(total == 0, 1, total)


class ScaledDotProductAttention:
    """out = A V with A = softmax(Q Kᵀ / √d_k) (masked keys −∞); ``forward(Q, K, V, mask=None)``.

    Backward, with dA = dout Vᵀ and dS = A ⊙ (dA − Σ_k dA ⊙ A) (the softmax's Jacobian, row by row):
    ∂L/∂V = Aᵀ dout, ∂L/∂Q = dS K / √d_k, ∂L/∂K = dSᵀ Q / √d_k.  ``backward(dout)`` → (dQ, dK, dV).
    """

    def __init__(self):
        self.params, self.grads = [], []
        self.weights = self.cache = None

    def forward(self, Q, K, V, mask=None):
        name = "ScaledDotProductAttention.forward"
        arrays = {"Q": Q, "K": K, "V": V}
        for key, a in arrays.items():
            if not isinstance(a, np.ndarray) or a.dtype.kind != "f" or a.ndim not in (3, 4) or 0 in a.shape:
                raise TypeError(f"{name}: {key} must be a non-empty float ndarray (N, [heads,] T, d), "
                                f"got {_describe(a)}")
        if not Q.dtype == K.dtype == V.dtype:
            raise TypeError(f"{name}: Q, K and V must have one dtype, got {Q.dtype}, {K.dtype} and {V.dtype}")
        if not (Q.ndim == K.ndim == V.ndim and Q.shape[:-2] == K.shape[:-2] == V.shape[:-2]
                and Q.shape[-1] == K.shape[-1] and K.shape[-2] == V.shape[-2]):
            raise ValueError(f"{name}: expected Q (…, T_q, d_k), K (…, T_k, d_k), V (…, T_k, d_v) with the same "
                             f"leading axes, got {Q.shape}, {K.shape} and {V.shape}")
        scale = Q.dtype.type(1 / np.sqrt(Q.shape[-1]))
        scores = (Q @ K.swapaxes(-1, -2)) * scale
        self.weights = _masked_softmax(scores, _check_mask(name, mask, scores.shape))
        self.cache = (Q, K, V, scale)
        return self.weights @ V

    def backward(self, dout):
        Q, K, V, scale = (None,) * 4 if self.cache is None else self.cache
        _check_dout("ScaledDotProductAttention", dout, None if Q is None else Q.shape[:-1] + V.shape[-1:])
        A = self.weights
        dV = A.swapaxes(-1, -2) @ dout
        dA = dout @ V.swapaxes(-1, -2)
        dS = A * (dA - (dA * A).sum(axis=-1, keepdims=True)) * scale
        return dS @ K, dS.swapaxes(-1, -2) @ Q, dV


def scaled_dot_product_attention(Q, K, V, mask=None):
    """(out, weights) of softmax(Q Kᵀ / √d_k) V, the forward of ``ScaledDotProductAttention`` as a function."""
    layer = ScaledDotProductAttention()
    return layer.forward(Q, K, V, mask), layer.weights


def _check_size(owner, **sizes):
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"{owner}: {name} must be an integer ≥ 1, got {value!r}")


class MultiHeadAttention:
    """Multi-head attention: heads_j = Attention(query W_Q^j, key W_K^j, value W_V^j), out = [heads] W_O + b_O.

    ``forward(query (N, T_q, d), key (N, T_k, d), value (N, T_k, d), mask=None)`` → (N, T_q, d).  W_Q, W_K, W_V and
    W_O are (d, d) (the h heads are the h blocks of d_k = d / h columns), drawn from N(0, 1/d) (Xavier) with
    ``seed``; biases start at 0.  ``params`` = [W_Q, b_Q, W_K, b_K, W_V, b_V, W_O, b_O] (no b with ``bias=False``).
    A mask (N, T_q, T_k), (N, 1, T_k) or (T_q, T_k) is used for every head; a 4-D one (N, h, T_q, T_k) per head.
    ``weights`` (N, h, T_q, T_k) after forward.  ``backward(dout)`` → (dquery, dkey, dvalue): when one array
    played several roles (self-attention), its gradient is the sum of theirs (``SelfAttention`` does that).
    ∂L/∂b_K is always 0: b_K adds q·b_K to every score of a query alike, which the softmax ignores.
    """

    def __init__(self, d_model, num_heads, seed=0, dtype=np.float32, bias=True):
        _check_size("MultiHeadAttention", d_model=d_model, num_heads=num_heads)
        if d_model % num_heads:
            raise ValueError(f"MultiHeadAttention: num_heads={num_heads} must divide d_model={d_model}")
        rng = np.random.default_rng(seed)
        self.num_heads, self.bias = num_heads, bool(bias)
        self.params = []
        for _ in range(4):
            self.params.append(initializers.xavier(d_model, d_model, rng, dtype=dtype))
            if self.bias:
                self.params.append(np.zeros(d_model, dtype))
        self.grads = [np.zeros_like(p) for p in self.params]
        self.attention = ScaledDotProductAttention()
        self.cache = None

    @property
    def weights(self):
        return self.attention.weights

    def _projection(self, i):
        """(W, b) of projection i = 0..3 (Q, K, V, O); b is None without bias."""
        step = 2 if self.bias else 1
        return self.params[step * i], self.params[step * i + 1] if self.bias else None

    def _split(self, x):
        """(N, T, d) → (N, h, T, d_k)."""
        n, steps, d = x.shape
        return x.reshape(n, steps, self.num_heads, d // self.num_heads).swapaxes(1, 2)

    def _join(self, x):
        """(N, h, T, d_k) → (N, T, d)."""
        n, h, steps, dk = x.shape
        return x.swapaxes(1, 2).reshape(n, steps, h * dk)

    def _project(self, i, x):
        W, b = self._projection(i)
        y = x @ W
        return y if b is None else y + b

    def _project_backward(self, i, x, dy):
        """Writes ∂L/∂W (and ∂L/∂b) of projection i; returns ∂L/∂x."""
        step, W = (2 if self.bias else 1), self._projection(i)[0]
        rows = dy.reshape(-1, dy.shape[-1])
        np.matmul(x.reshape(-1, x.shape[-1]).T, rows, out=self.grads[step * i])
        if self.bias:
            rows.sum(axis=0, out=self.grads[step * i + 1])
        return dy @ W.T

    def forward(self, query, key, value, mask=None):
        name = "MultiHeadAttention.forward"
        d, dtype = self.params[0].shape[0], self.params[0].dtype
        for label, x in (("query", query), ("key", key), ("value", value)):
            if not isinstance(x, np.ndarray) or x.dtype.kind != "f" or x.ndim != 3 or x.shape[2] != d \
                    or 0 in x.shape:
                raise ValueError(f"{name}: {label} must be a non-empty float array (N, T, {d}), got {_describe(x)}")
        if not (len(query) == len(key) == len(value) and key.shape[1] == value.shape[1]):
            raise ValueError(f"{name}: query (N, T_q, d), key and value (N, T_k, d) must share N and key/value T_k, "
                             f"got {query.shape}, {key.shape} and {value.shape}")
        if mask is not None and isinstance(mask, np.ndarray) and mask.ndim == 3:
            mask = mask[:, None]                                      # the same mask for every head
        _check_mask(name, mask, (len(query), self.num_heads, query.shape[1], key.shape[1]))
        xs = [a.astype(dtype, copy=False) for a in (query, key, value)]
        heads = self.attention.forward(*(self._split(self._project(i, x)) for i, x in enumerate(xs)), mask=mask)
        joined = self._join(heads)
        self.cache = (xs, joined)
        return self._project(3, joined)

    def backward(self, dout):
        xs, joined = (None, None) if self.cache is None else self.cache
        _check_dout("MultiHeadAttention", dout, None if joined is None else joined.shape[:2] + (joined.shape[2],))
        dheads = self._split(self._project_backward(3, joined, dout))
        return tuple(self._project_backward(i, x, self._join(dh))
                     for i, (x, dh) in enumerate(zip(xs, self.attention.backward(dheads))))


class SelfAttention:
    """Self-attention: ``MultiHeadAttention`` with query = key = value = x; ``forward(x, mask=None)``.

    x is used three times, so ∂L/∂x = dquery + dkey + dvalue: ``backward(dout)`` returns that sum.
    Shares ``params`` and ``grads`` with ``self.mha`` (arguments as for MultiHeadAttention).
    """

    def __init__(self, d_model, num_heads, seed=0, dtype=np.float32, bias=True):
        self.mha = MultiHeadAttention(d_model, num_heads, seed, dtype, bias)
        self.params, self.grads = self.mha.params, self.mha.grads

    @property
    def weights(self):
        return self.mha.weights

    def forward(self, x, mask=None):
        return self.mha.forward(x, x, x, mask)

    def backward(self, dout):
        dq, dk, dv = self.mha.backward(dout)
        return dq + dk + dv


def positional_encoding(max_len, d_model, dtype=np.float32):
    """PE (max_len, d_model): PE[pos, 2i] = sin(pos / 10000^{2i/d}), PE[pos, 2i + 1] = cos(pos / 10000^{2i/d})."""
    _check_size("positional_encoding", max_len=max_len, d_model=d_model)
    pos = np.arange(max_len)[:, None]
    even = np.arange(0, d_model, 2)                                   # the 2i of every pair
    angle = pos / 10000.0 ** (even / d_model)
    pe = np.empty((max_len, d_model))
    pe[:, 0::2] = np.sin(angle)
    pe[:, 1::2] = np.cos(angle[:, :d_model // 2])
    return pe.astype(dtype)


class PositionalEncoding:
    """Adds the positional encoding to (N, T, d_model) input: x + PE[:T] (T ≤ max_len); backward passes dout."""

    def __init__(self, max_len, d_model, dtype=np.float32):
        self.pe = positional_encoding(max_len, d_model, dtype)
        self.params, self.grads = [], []
        self.shape = None

    def forward(self, x):
        max_len, d = self.pe.shape
        if not isinstance(x, np.ndarray) or x.dtype.kind != "f" or x.ndim != 3 or x.shape[2] != d \
                or not 0 < x.shape[1] <= max_len:
            raise ValueError(f"PositionalEncoding.forward: x must be a float array (N, T, {d}) with 1 ≤ T ≤ "
                             f"max_len = {max_len}, got {_describe(x)}")
        self.shape = x.shape
        return x + self.pe[:x.shape[1]].astype(x.dtype, copy=False)

    def backward(self, dout):
        _check_dout("PositionalEncoding", dout, self.shape)
        return dout


class _FeedForward:
    """Position-wise feed-forward network: ReLU(x W_1 + b_1) W_2 + b_2 at every step, d → d_ff → d."""

    def __init__(self, d_model, d_ff, seed, dtype):
        self.layers = [time_affine_layer(d_model, d_ff, seed, dtype), Relu(), time_affine_layer(d_ff, d_model,
                                                                                                seed + 1, dtype)]
        self.layers[0].params[0] *= np.sqrt(2).astype(dtype)          # He for the layer before the ReLU
        self.params = [p for layer in self.layers for p in layer.params]
        self.grads = [g for layer in self.layers for g in layer.grads]

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dout):
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout


class TransformerEncoderBlock:
    """One Transformer encoder block; ``forward(x (N, T, d), mask=None)`` → (N, T, d).

    norm="post" (default, Vaswani et al. 2017, "Add & Norm"):  h = LN₁(x + SelfAttention(x)), y = LN₂(h + FFN(h)).
    norm="pre" (GPT-2 and most later models; trains more stably when deep):  h = x + SelfAttention(LN₁(x)),
    y = h + FFN(LN₂(h)).  FFN(h) = ReLU(h W_1 + b_1) W_2 + b_2, d → d_ff → d.  No dropout.  ``weights`` are the
    attention weights (N, h, T, T).  Backward: each residual connection adds its two paths' gradients.
    """

    def __init__(self, d_model, num_heads, d_ff, seed=0, dtype=np.float32, norm="post"):
        if norm not in ("post", "pre"):
            raise ValueError(f"TransformerEncoderBlock: norm must be 'post' or 'pre', got {norm!r}")
        _check_size("TransformerEncoderBlock", d_ff=d_ff)
        self.norm = norm
        self.attention = SelfAttention(d_model, num_heads, seed, dtype)
        self.ffn = _FeedForward(d_model, d_ff, seed + 1, dtype)
        self.norm1, self.norm2 = (LayerNormalization(np.ones(d_model, dtype), np.zeros(d_model, dtype))
                                  for _ in range(2))
        parts = (self.attention, self.norm1, self.ffn, self.norm2)
        self.params = [p for part in parts for p in part.params]
        self.grads = [g for part in parts for g in part.grads]

    @property
    def weights(self):
        return self.attention.weights

    def forward(self, x, mask=None):
        d = self.norm1.params[0].shape[0]
        if not isinstance(x, np.ndarray) or x.dtype.kind != "f" or x.ndim != 3 or x.shape[2] != d:
            raise ValueError(f"TransformerEncoderBlock.forward: x must be a float array (N, T, {d}), "
                             f"got {_describe(x)}")
        if self.norm == "post":
            h = self.norm1.forward(x + self.attention.forward(x, mask))
            return self.norm2.forward(h + self.ffn.forward(h))
        h = x + self.attention.forward(self.norm1.forward(x), mask)
        return h + self.ffn.forward(self.norm2.forward(h))

    def backward(self, dout):
        if self.norm == "post":
            dh = self.norm2.backward(dout)
            dh = dh + self.ffn.backward(dh)
            dx = self.norm1.backward(dh)
            return dx + self.attention.backward(dx)
        dh = dout + self.norm2.backward(self.ffn.backward(dout))
        return dh + self.norm1.backward(self.attention.backward(dh))

