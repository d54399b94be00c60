"""A small Transformer for tasks with one output token per input position (chapter 19).

    TransformerEncoder   ids xs (N, T) ─Embedding→ (N, T, d) ─(+ PE[:T])→ num_blocks × TransformerEncoderBlock
                         ─TimeAffine→ scores (N, T, V);  loss: TimeSoftmaxWithLoss over the targets ts (N, T)

The blocks are ``dlcore.attention.TransformerEncoderBlock`` (multi-head self-attention and the position-wise
feed-forward network, each with a skip connection and layer normalization; ``norm`` "post" or "pre").  Pre-LN
blocks leave their output unnormalised (the skip connections add up), so with ``norm="pre"`` one more layer
normalization follows the last block, as in GPT-2 (Radford et al. 2019).  The
embedding starts at N(0, 1), the scale of the positional encoding (whose entries lie in [−1, 1]), so that token
and position weigh alike in their sum (Vaswani et al. 2017 multiply a smaller embedding by √d for the same end).

- ``positional=False`` leaves the positional encoding out.  Self-attention, the feed-forward network and layer
  normalization then treat every position alike: permuting the input tokens permutes the scores the same way
  (permutation equivariance, 置換に対する同変性), so no output can depend on where its token stands.
- ``causal=True`` gives every block the causal mask (``attention.causal_mask``): position t attends to positions
  0..t only, so its scores do not depend on any later token.  That is the self-attention of a decoder and of a
  decoder-only language model (GPT); trained on all positions at once, it still never sees the future.

``TransformerEncoder`` trains with ``training.Trainer(..., metric=None)`` like ``seq2seq.Seq2Seq``: it has
``layers``, ``params``, ``grads``, ``predict``, ``forward``, ``backward``, ``loss``, ``loss_and_gradient`` and
``loss_layer``.  There is no dropout, so training and inference compute the same thing.
"""

import numpy as np

from .attention import PositionalEncoding, TransformerEncoderBlock, causal_mask
from .normalization import LayerNormalization
from .recurrent import TimeSoftmaxWithLoss, embedding_layer, time_affine_layer
from .seq2seq import _check_ids, _check_sizes

__all__ = ["TransformerEncoder"]


class TransformerEncoder:
    """Embedding (+ positional encoding) → ``num_blocks`` encoder blocks → TimeAffine (d → V), see the module.

    Parameters
    ----------
    vocab_size, d_model, num_heads, d_ff : int
        V, the model size d (num_heads must divide it), the number of heads h and the hidden size of the
        position-wise feed-forward network.
    num_blocks : int
        Encoder blocks one after another.
    max_len : int
        The longest sequence T the positional encoding covers.
    positional : bool
        Add the positional encoding PE[:T] to the embeddings.
    causal : bool
        Give every block the causal mask (position t sees 0..t only).
    norm : "post" or "pre"
        Post-LN (Vaswani et al. 2017) or Pre-LN blocks (then with a final layer normalization).
    ignore_label : int
        Targets equal to it count neither in the loss nor in its mean.

    ``predict(xs)`` → scores (N, T, V); after it, ``weights`` lists the attention weights (N, h, T, T) of every
    block.  ``forward(xs, ts)`` → the mean cross-entropy over the counted targets; ``backward()`` fills ``grads``.
    """

    def __init__(self, vocab_size, d_model, num_heads, d_ff, num_blocks=1, *, max_len=64, positional=True,
                 causal=False, norm="post", ignore_label=-1, seed=0, dtype=np.float32):
        _check_sizes("TransformerEncoder", vocab_size=vocab_size, d_model=d_model, num_heads=num_heads, d_ff=d_ff,
                     num_blocks=num_blocks, max_len=max_len)
        if d_model % num_heads:
            raise ValueError(f"TransformerEncoder: num_heads={num_heads} must divide d_model={d_model}")
        if norm not in ("post", "pre"):
            raise ValueError(f"TransformerEncoder: norm must be 'post' or 'pre', got {norm!r}")
        self.embed = embedding_layer(vocab_size, d_model, seed, dtype, scale=1.0)
        self.positional = PositionalEncoding(max_len, d_model, dtype) if positional else None
        self.blocks = [TransformerEncoderBlock(d_model, num_heads, d_ff, seed + 2 + 3 * k, dtype, norm)
                       for k in range(num_blocks)]
        self.final_norm = (LayerNormalization(np.ones(d_model, dtype), np.zeros(d_model, dtype)) if norm == "pre"
                           else None)
        self.affine = time_affine_layer(d_model, vocab_size, seed + 1, dtype)
        self.loss_layer = TimeSoftmaxWithLoss(ignore_label=ignore_label)
        self.causal, self.max_len = bool(causal), max_len
        self.layers = [self.embed, *([self.positional] if positional else []), *self.blocks,
                       *([self.final_norm] if norm == "pre" else []), self.affine]
        self.params = [p for layer in self.layers for p in layer.params]
        self.grads = [g for layer in self.layers for g in layer.grads]

    @property
    def vocab_size(self):
        return len(self.embed.params[0])

    @property
    def weights(self):
        """The attention weights (N, h, T, T) of every block from the last forward, first block first."""
        return [block.weights for block in self.blocks]

    def _scores(self, owner, xs):
        xs = _check_ids(owner, "xs", xs, self.vocab_size)
        if xs.shape[1] > self.max_len:
            raise ValueError(f"{owner}: xs has T = {xs.shape[1]} positions, more than max_len = {self.max_len}")
        h = self.embed.forward(xs)
        if self.positional is not None:
            h = self.positional.forward(h)
        mask = causal_mask(xs.shape[1]) if self.causal else None
        for block in self.blocks:
            h = block.forward(h, mask)
        if self.final_norm is not None:
            h = self.final_norm.forward(h)
        return self.affine.forward(h)

    def _targets(self, owner, xs, ts):
        """The targets ts: integer ids of the shape of xs, each in 0..V − 1 or equal to ignore_label."""
        ts, ignored = np.asarray(ts), self.loss_layer.ignore_label
        if ts.dtype.kind not in "iu":
            raise TypeError(f"{owner}: ts must be integer ids (N, T), got dtype {ts.dtype}")
        if ts.shape != np.shape(xs):
            raise ValueError(f"{owner}: ts must hold one target per input position, shape {np.shape(xs)}, "
                             f"got {ts.shape}")
        counted = ts[ts != ignored]
        if counted.size and (counted.min() < 0 or counted.max() >= self.vocab_size):
            raise ValueError(f"{owner}: ts must lie in 0..{self.vocab_size - 1} (or be ignore_label={ignored}), "
                             f"got values from {counted.min()} to {counted.max()}")
        return ts

    def predict(self, xs, train=False):
        """Scores (N, T, V) for the ids xs (N, T) (``train`` is accepted for Trainer and changes nothing)."""
        return self._scores("TransformerEncoder.predict", xs)

    def forward(self, xs, ts):
        scores = self._scores("TransformerEncoder.forward", xs)
        return self.loss_layer.forward(scores, self._targets("TransformerEncoder.forward", xs, ts))

    def backward(self, dout=1.0):
        """Backpropagate the loss of the last forward through every layer; the ids get no gradient."""
        d = self.affine.backward(self.loss_layer.backward(dout))
        if self.final_norm is not None:
            d = self.final_norm.backward(d)
        for block in reversed(self.blocks):
            d = block.backward(d)
        if self.positional is not None:
            d = self.positional.backward(d)
        self.embed.backward(d)

    def loss(self, xs, ts, train=False):
        """The loss of (xs, ts) (``train`` is accepted for Trainer and changes nothing)."""
        scores = self._scores("TransformerEncoder.loss", xs)
        return self.loss_layer.forward(scores, self._targets("TransformerEncoder.loss", xs, ts))

    def loss_and_gradient(self, xs, ts):
        """Forward, then backward; returns (loss, grads) (what Trainer calls)."""
        loss = self.forward(xs, ts)
        self.backward()
        return loss, self.grads
