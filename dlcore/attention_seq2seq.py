"""Seq2seq with attention (アテンション付き Seq2Seq): the decoder attends over every encoder state.

Shapes (N sequences, V symbols, D the embedding size, H the hidden size):

    encoder   ``seq2seq.Encoder``: xs (N, T_in) ─Embedding→ ─TimeLSTM→ hs_enc (N, T_in, H)  (``encode``)
    decoder   ys (N, T) ─Embedding→ ─TimeLSTM from (hs_enc[:, −1], c = 0)→ hs (N, T, H)
              c_t = Σ_s a_ts hs_enc[:, s],  a_t = softmax(h_t · hs_enc[:, s] / √H over s)   (dot-product attention)
              scores = [h_t, c_t] W + b   (2H → V)

``seq2seq.Encoder.forward`` returns only the final state, so ``encode(encoder, xs)`` runs the encoder's own
embedding and TimeLSTM and returns all its states, and ``encode_backward(encoder, dhs_enc)`` runs their
backward (the encoder's ``backward`` takes the final state's gradient only).  The context c_t is joined to
the decoder state after the LSTM: it does not feed the next step's input (as in 「ゼロから作る Deep Learning ❷」).
The scores are divided by √H like every attention in ``dlcore.attention`` (「ゼロから作る ❷」 does not scale).
Always teacher-forced in training; ``generate`` is greedy.
"""

import numbers

import numpy as np

from .attention import ScaledDotProductAttention, _check_mask, padding_mask
from .layers import _check_dout
from .recurrent import TimeSoftmaxWithLoss, embedding_layer, lstm_layer, time_affine_layer
from .seq2seq import Encoder, _check_ids, _check_sizes
from .time_layers import _describe

__all__ = ["AttentionDecoder", "AttentionSeq2Seq", "encode", "encode_backward"]


def encode(encoder, xs):
    """Every hidden state hs_enc (N, T_in, H) of a ``seq2seq.Encoder`` for the ids xs (N, T_in)."""
    xs = _check_ids("encode", "xs", xs, encoder.vocab_size)
    return encoder.lstm.forward(encoder.embed.forward(xs))


def encode_backward(encoder, dhs_enc):
    """The backward of ``encode``: BPTT with ∂L/∂hs_enc (N, T_in, H) at every step, then the embedding's."""
    encoder.embed.backward(encoder.lstm.backward(dhs_enc))


class AttentionDecoder:
    """Embedding → TimeLSTM → attention over hs_enc → TimeAffine on [h_t, c_t] (see the module).

    ``forward(ys, hs_enc, mask=None)`` → scores (N, T, V); ``mask``: True where an encoder position may be attended
    to, broadcastable to (N, T, T_in) (e.g. ``padding_mask(xs, pad_id)``).  ``weights`` (N, T, T_in) after it.
    ``backward(dscores)`` → ∂L/∂hs_enc (N, T_in, H): the attention's dK + dV, plus the LSTM's ∂L/∂h_0 at the last
    step (its initial state).  ``generate(hs_enc, start_id, length, mask=None)`` → greedy ids (N, length), with
    the weights of every generated step in ``weights``.
    """

    def __init__(self, vocab_size, embed_size, hidden_size, seed=0, dtype=np.float32):
        _check_sizes("AttentionDecoder", vocab_size=vocab_size, embed_size=embed_size, hidden_size=hidden_size)
        self.embed = embedding_layer(vocab_size, embed_size, seed, dtype)
        self.lstm = lstm_layer(embed_size, hidden_size, seed + 1, dtype)
        self.attention = ScaledDotProductAttention()
        self.affine = time_affine_layer(2 * hidden_size, vocab_size, seed + 2, dtype)
        parts = (self.embed, self.lstm, self.affine)
        self.params = [p for part in parts for p in part.params]
        self.grads = [g for part in parts for g in part.grads]
        self.inputs = self.weights = None

    @property
    def vocab_size(self):
        return len(self.embed.params[0])

    @property
    def hidden_size(self):
        return self.lstm.hidden_size

    def _check(self, owner, hs_enc, n=None):
        ok = isinstance(hs_enc, np.ndarray) and hs_enc.dtype.kind == "f" and hs_enc.ndim == 3 \
            and 0 not in hs_enc.shape and hs_enc.shape[2] == self.hidden_size and (n is None or len(hs_enc) == n)
        if not ok:
            raise ValueError(f"{owner}: hs_enc must be the encoder's states, a float array ({'N' if n is None else n}"
                             f", T_in, {self.hidden_size}), got {_describe(hs_enc)}")
        return hs_enc.astype(self.lstm.params[0].dtype, copy=False)

    def _step(self, ids, hs_enc, state, mask):
        """Scores (N, T, V) of the ids (N, T) from the LSTM state (h_0, c_0)."""
        self.lstm.set_state(*state)
        hs = self.lstm.forward(self.embed.forward(ids))
        context = self.attention.forward(hs, hs_enc, hs_enc, mask)
        return self.affine.forward(np.concatenate([hs, context], axis=2))

    def forward(self, ys, hs_enc, mask=None):
        owner = "AttentionDecoder.forward"
        ys = _check_ids(owner, "ys", ys, self.vocab_size)
        hs_enc = self._check(owner, hs_enc, len(ys))
        _check_mask(owner, mask, (len(ys), ys.shape[1], hs_enc.shape[1]))
        h0 = hs_enc[:, -1]
        scores = self._step(ys, hs_enc, (h0, np.zeros_like(h0)), mask)
        self.inputs, self.weights = ys, self.attention.weights
        return scores

    def backward(self, dscores):
        shape = None if self.inputs is None else self.inputs.shape + (self.vocab_size,)
        _check_dout("AttentionDecoder", dscores, shape)
        size = self.hidden_size
        djoined = self.affine.backward(dscores)
        dq, dk, dv = self.attention.backward(np.ascontiguousarray(djoined[..., size:]))
        dxs = self.lstm.backward(djoined[..., :size] + dq)
        self.embed.backward(np.ascontiguousarray(dxs))
        dhs_enc = dk + dv
        dhs_enc[:, -1] += self.lstm.dh
        return dhs_enc

    def generate(self, hs_enc, start_id, length, mask=None):
        """Greedy decoding from ``start_id``: ``length`` ids (N, length), each the argmax of its step."""
        owner = "AttentionDecoder.generate"
        hs_enc = self._check(owner, hs_enc)
        _check_sizes(owner, length=length)
        if isinstance(start_id, bool) or not isinstance(start_id, numbers.Integral) \
                or not 0 <= start_id < self.vocab_size:
            raise ValueError(f"{owner}: start_id must be an id in 0..{self.vocab_size - 1}, got {start_id!r}")
        ids = np.full((len(hs_enc), 1), start_id, dtype=np.intp)
        state, out, weights = (hs_enc[:, -1], np.zeros_like(hs_enc[:, -1])), [], []
        for _ in range(length):
            ids = self._step(ids, hs_enc, state, mask)[:, 0].argmax(axis=1)[:, None]
            state = (self.lstm.h, self.lstm.c)
            out.append(ids[:, 0])
            weights.append(self.attention.weights[:, 0])
        self.inputs, self.weights = None, np.stack(weights, axis=1)     # no backward after generate
        return np.stack(out, axis=1)


class AttentionSeq2Seq:
    """``seq2seq.Encoder`` and ``AttentionDecoder`` with TimeSoftmaxWithLoss, the interface of ``seq2seq.Seq2Seq``.

    ``forward(xs, ts)`` → the mean cross-entropy of ts[:, 1:] given xs (N, T_in) and the decoder inputs ts[:, :-1];
    target positions equal to ``ignore_label`` are not counted.  With ``pad_id``, encoder positions holding it
    are masked out of the attention.  ``weights`` (N, T, T_in) are the decoder's last attention weights.
    """

    def __init__(self, vocab_size, embed_size, hidden_size, *, ignore_label=-1, pad_id=None, seed=0,
                 dtype=np.float32):
        self.encoder = Encoder(vocab_size, embed_size, hidden_size, seed, dtype)
        self.decoder = AttentionDecoder(vocab_size, embed_size, hidden_size, seed + 10, dtype)
        self.loss_layer = TimeSoftmaxWithLoss(ignore_label=ignore_label)
        self.pad_id = pad_id
        self.layers = [self.encoder, self.decoder]
        self.params = self.encoder.params + self.decoder.params
        self.grads = self.encoder.grads + self.decoder.grads

    @property
    def weights(self):
        return self.decoder.weights

    def _encode(self, xs):
        hs_enc = encode(self.encoder, xs)
        return hs_enc, None if self.pad_id is None else padding_mask(np.asarray(xs), self.pad_id)

    def _scores(self, owner, xs, ts):
        ts = _check_ids(owner, "ts", ts, self.encoder.vocab_size)
        if ts.shape[1] < 2:
            raise ValueError(f"{owner}: ts must hold the start symbol and at least one target, (N, T + 1) with "
                             f"T ≥ 1, got shape {ts.shape}")
        hs_enc, mask = self._encode(xs)
        if len(hs_enc) != len(ts):
            raise ValueError(f"{owner}: xs holds {len(hs_enc)} sequences but ts {len(ts)}")
        return self.decoder.forward(ts[:, :-1], hs_enc, mask), ts[:, 1:]

    def predict(self, xs, ts):
        """Teacher-forced scores (N, T, V) for the decoder inputs ts[:, :-1]."""
        return self._scores("AttentionSeq2Seq.predict", xs, ts)[0]

    def forward(self, xs, ts):
        return self.loss_layer.forward(*self._scores("AttentionSeq2Seq.forward", xs, ts))

    def backward(self, dout=1.0):
        encode_backward(self.encoder, self.decoder.backward(self.loss_layer.backward(dout)))

    def loss(self, xs, ts, train=False):
        """The teacher-forced loss (``train`` is accepted for Trainer and changes nothing)."""
        return self.forward(xs, ts)

    def loss_and_gradient(self, xs, ts):
        loss = self.forward(xs, ts)
        self.backward()
        return loss, self.grads

    def generate(self, xs, start_id, length):
        """Greedy answers (N, length) to the inputs xs; ``weights`` then holds their attention weights."""
        hs_enc, mask = self._encode(xs)
        return self.decoder.generate(hs_enc, start_id, length, mask)
