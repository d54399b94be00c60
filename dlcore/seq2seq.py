"""Encoder–decoder models (エンコーダ・デコーダ, Seq2Seq) built from ``dlcore.recurrent``.

Shapes (N sequences, V symbols in the vocabulary, D the embedding size, H the hidden size):

    Encoder       xs (N, T_in) ids ─Embedding→ (N, T_in, D) ─TimeLSTM→ (N, T_in, H);  h = its last state (N, H)
    Decoder       ys (N, T) ids, ys[:, 0] the start symbol
                  ─Embedding→ (N, T, D) ─TimeLSTM from (h, c = 0)→ hs (N, T, H) ─TimeAffine→ scores (N, T, V)
    PeekyDecoder  the same, with h joined to every step's input, (N, T, D + H), and to every step's output
                  before the affine layer, (N, T, 2H): the decoder sees the encoder's state at every step.

The encoder hands the decoder one vector h (N, H) whatever the length of the input: the bottleneck
of the single final state.

Teacher forcing (教師強制): in training the decoder reads ys, the correct previous symbols, at every
step (``teacher_forcing=1``).  With ``teacher_forcing`` = p < 1, each step after the first reads the correct
symbol with probability p and the decoder's own previous prediction (argmax) otherwise; p = 0 is free
running, as at test time (between 0 and 1: scheduled sampling, Bengio et al., 2015).  The chosen ids are
inputs like any others: no gradient flows through the argmax.

Greedy decoding (貪欲法): ``generate`` starts from the start symbol and feeds back the argmax of every step.
Its result equals the argmax of a free-running forward, so an answer is exactly right under greedy
decoding if and only if every step is right under teacher forcing; the two modes differ after the first
wrong symbol (exposure bias, 露出バイアス).
"""

import numbers

import numpy as np

from .layers import _check_dout
from .recurrent import TimeSoftmaxWithLoss, embedding_layer, lstm_layer, time_affine_layer

__all__ = ["Encoder", "Decoder", "PeekyDecoder", "Seq2Seq", "exact_match", "token_accuracy"]


def _check_ids(owner, name, ids, vocab_size):
    """Integer ids (N, T), non-empty, in 0..vocab_size − 1."""
    ids = np.asarray(ids)
    if ids.dtype.kind not in "iu":
        raise TypeError(f"{owner}: {name} must be integer ids (N, T), got dtype {ids.dtype}")
    if ids.ndim != 2 or 0 in ids.shape:
        raise ValueError(f"{owner}: {name} must be a non-empty batch of ids (N, T), got shape {ids.shape}")
    if ids.min() < 0 or ids.max() >= vocab_size:
        raise ValueError(f"{owner}: {name} must lie in 0..{vocab_size - 1} (the vocabulary has {vocab_size} "
                         f"symbols), got values from {ids.min()} to {ids.max()}")
    return ids


def _check_sizes(owner, **sizes):
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"{owner}: {name} must be an integer ≥ 1, got {value!r}")


class Encoder:
    """Embedding → TimeLSTM; ``forward(xs)`` returns the last hidden state h (N, H) of ids xs (N, T_in).

    Backward: ``backward(dh)`` puts ∂L/∂h at the last step of the LSTM (0 at the others), runs BPTT and the
    embedding's backward, and returns None (ids have no gradient).
    """

    def __init__(self, vocab_size, embed_size, hidden_size, seed=0, dtype=np.float32):
        _check_sizes("Encoder", vocab_size=vocab_size, embed_size=embed_size, hidden_size=hidden_size)
        self.embed = embedding_layer(vocab_size, embed_size, seed, dtype)
        self.lstm = lstm_layer(embed_size, hidden_size, seed + 1, dtype)
        self.params = self.embed.params + self.lstm.params
        self.grads = self.embed.grads + self.lstm.grads
        self.shape = None

    @property
    def vocab_size(self):
        return len(self.embed.params[0])

    def forward(self, xs):
        xs = _check_ids("Encoder.forward", "xs", xs, self.vocab_size)
        hs = self.lstm.forward(self.embed.forward(xs))
        self.shape = hs.shape
        return self.lstm.h

    def backward(self, dh):
        _check_dout("Encoder", dh, None if self.shape is None else (self.shape[0], self.shape[2]))
        dhs = np.zeros(self.shape, dtype=self.lstm.params[0].dtype)
        dhs[:, -1] = dh
        self.embed.backward(self.lstm.backward(dhs))
        return None


class Decoder:
    """Embedding → TimeLSTM started from the encoder's state (h, c = 0) → TimeAffine (see the module).

    ``forward(ys, h, teacher_forcing=1.0)`` → scores (N, T, V) for the inputs ys (N, T) (ys[:, 0] the start
    symbol); ``backward(dscores)`` → ∂L/∂h (N, H); ``generate(h, start_id, length)`` → greedy ids (N, length).
    After a forward with ``teacher_forcing`` < 1, ``inputs`` holds the ids the decoder actually read.
    """

    peeky = False

    def __init__(self, vocab_size, embed_size, hidden_size, seed=0, dtype=np.float32):
        _check_sizes(type(self).__name__, vocab_size=vocab_size, embed_size=embed_size, hidden_size=hidden_size)
        seen = hidden_size if self.peeky else 0          # the encoder's state joined to the inputs and outputs
        self.embed = embedding_layer(vocab_size, embed_size, seed, dtype)
        self.lstm = lstm_layer(embed_size + seen, hidden_size, seed + 1, dtype)
        self.affine = time_affine_layer(hidden_size + seen, vocab_size, seed + 2, dtype)
        parts = (self.embed, self.lstm, self.affine)
        self.params = [p for part in parts for p in part.params]
        self.grads = [g for part in parts for g in part.grads]
        self.rng = np.random.default_rng([seed, 16])
        self.inputs = None

    @property
    def vocab_size(self):
        return len(self.embed.params[0])

    @property
    def hidden_size(self):
        return self.lstm.hidden_size

    def _check(self, owner, h, n=None):
        """The encoder's state h, a float array (n, H) (any N ≥ 1 when n is None), in the weights' dtype."""
        ok = isinstance(h, np.ndarray) and h.dtype.kind == "f" and h.ndim == 2 and len(h) > 0 \
            and h.shape[1] == self.hidden_size and (n is None or len(h) == n)
        if not ok:
            got = f"{h.dtype} {h.shape}" if isinstance(h, np.ndarray) else type(h).__name__
            raise ValueError(f"{owner}: h must be the encoder's state, a float array ({'N' if n is None else n}, "
                             f"{self.hidden_size}), got {got}")
        return h.astype(self.lstm.params[0].dtype, copy=False)

    def _joined(self, xs, h):
        """xs (N, T, ·) with h (N, H) joined to every step (PeekyDecoder), or xs unchanged."""
        if not self.peeky:
            return xs
        return np.concatenate([xs, np.broadcast_to(h[:, None], (len(h), xs.shape[1], h.shape[1]))], axis=2)

    def _run(self, ids, h, state):
        """Scores (N, T, V) of the ids (N, T) read from the LSTM state ``state`` = (h_0, c_0)."""
        self.lstm.set_state(*state)
        hs = self.lstm.forward(self._joined(self.embed.forward(ids), h))
        return self.affine.forward(self._joined(hs, h))

    def _steps(self, h, first, length, truth=None, teacher_forcing=0.0):
        """Run step by step from the ids ``first`` (N,): each next input is the argmax of the step before, or,
        with probability ``teacher_forcing``, truth[:, t].  Returns the ids read (N, length) and the scores."""
        ids = np.empty((len(h), length), dtype=np.intp)
        ids[:, 0] = first
        state, scores = (h, np.zeros_like(h)), []
        for t in range(length):
            scores.append(self._run(ids[:, t:t + 1], h, state)[:, 0])
            state = (self.lstm.h, self.lstm.c)
            if t + 1 < length:
                predicted = scores[-1].argmax(axis=1)
                if truth is not None and teacher_forcing > 0:
                    predicted = np.where(self.rng.random(len(h)) < teacher_forcing, truth[:, t + 1], predicted)
                ids[:, t + 1] = predicted
        return ids, np.stack(scores, axis=1)

    def forward(self, ys, h, teacher_forcing=1.0):
        owner = f"{type(self).__name__}.forward"
        ys = _check_ids(owner, "ys", ys, self.vocab_size)
        h = self._check(owner, h, len(ys))
        if isinstance(teacher_forcing, bool):
            teacher_forcing = float(teacher_forcing)
        if not (isinstance(teacher_forcing, numbers.Real) and 0 <= teacher_forcing <= 1):
            raise ValueError(f"{owner}: teacher_forcing must be a probability in [0, 1] (1: always the correct "
                             f"previous symbol, 0: always the decoder's own), got {teacher_forcing!r}")
        if teacher_forcing < 1:
            ys = self._steps(h, ys[:, 0], ys.shape[1], ys, teacher_forcing)[0]
        scores = self._run(ys, h, (h, np.zeros_like(h)))
        self.inputs = ys
        return scores

    def backward(self, dscores):
        owner = type(self).__name__
        _check_dout(owner, dscores, None if self.inputs is None else self.inputs.shape + (self.vocab_size,))
        size = self.hidden_size
        dhs = self.affine.backward(dscores)
        dh = 0
        if self.peeky:                                   # the joined copies of h: their gradients add up over t
            dhs, dh = dhs[..., :size], dhs[..., size:].sum(axis=1)
        dxs = self.lstm.backward(dhs)
        if self.peeky:
            dxs, dh = dxs[..., :-size], dh + dxs[..., -size:].sum(axis=1)
        self.embed.backward(np.ascontiguousarray(dxs))
        return self.lstm.dh + dh

    def generate(self, h, start_id, length):
        """Greedy decoding: ``length`` ids (N, length), each the argmax of its step, fed back as the next input."""
        owner = f"{type(self).__name__}.generate"
        h = self._check(owner, h)
        _check_sizes(owner, length=length)
        if isinstance(start_id, bool) or not isinstance(start_id, numbers.Integral) \
                or not 0 <= start_id < self.vocab_size:
            raise ValueError(f"{owner}: start_id must be an id in 0..{self.vocab_size - 1}, got {start_id!r}")
        ids, scores = self._steps(h, start_id, length)
        self.inputs = None                               # the caches hold the last step only: no backward
        return np.concatenate([ids[:, 1:], scores[:, -1:].argmax(axis=2)], axis=1)


class PeekyDecoder(Decoder):
    """A decoder that sees the encoder's state h at every step (Peeky, 「ゼロから作る Deep Learning ❷」):

    x'_t = [embed(y_t), h] (D + H) into the LSTM, s_t = [h_t, h] Wa + ba (2H → V).  Backward: ∂L/∂h is the
    LSTM's ∂L/∂h_0 plus the joined parts of ∂L/∂x'_t and ∂L/∂[h_t, h], summed over the T steps.
    """

    peeky = True


class Seq2Seq:
    """Encoder and decoder with TimeSoftmaxWithLoss; trains with ``training.Trainer`` (``metric=None``).

    ``forward(xs, ts)`` → the mean cross-entropy of ts[:, 1:] given xs (N, T_in) and the decoder inputs
    ts[:, :-1] (N, T): ts (N, T + 1) is [start, answer…, end, padding…].  Target positions equal to
    ``ignore_label`` (the padding id) are not counted.  ``teacher_forcing`` (attribute, 1.0 by default) is the
    decoder's switch for training; ``predict`` and ``generate`` are for evaluation.
    """

    def __init__(self, vocab_size, embed_size, hidden_size, *, peeky=False, ignore_label=-1, teacher_forcing=1.0,
                 seed=0, dtype=np.float32):
        self.encoder = Encoder(vocab_size, embed_size, hidden_size, seed, dtype)
        self.decoder = (PeekyDecoder if peeky else Decoder)(vocab_size, embed_size, hidden_size, seed + 10, dtype)
        self.loss_layer = TimeSoftmaxWithLoss(ignore_label=ignore_label)
        self.layers = [self.encoder, self.decoder]
        self.params = self.encoder.params + self.decoder.params
        self.grads = self.encoder.grads + self.decoder.grads
        self.teacher_forcing = teacher_forcing

    def _scores(self, owner, xs, ts, teacher_forcing):
        """(scores (N, T, V) for the decoder inputs ts[:, :-1], the targets ts[:, 1:])."""
        ts = _check_ids(owner, "ts", ts, self.encoder.vocab_size)
        if ts.shape[1] < 2:
            raise ValueError(f"{owner}: ts must hold the start symbol and at least one target, (N, T + 1) with "
                             f"T ≥ 1, got shape {ts.shape}")
        h = self.encoder.forward(xs)
        if len(h) != len(ts):
            raise ValueError(f"{owner}: xs holds {len(h)} sequences but ts {len(ts)}")
        return self.decoder.forward(ts[:, :-1], h, teacher_forcing), ts[:, 1:]

    def predict(self, xs, ts, teacher_forcing=1.0):
        """Scores (N, T, V) for the decoder inputs ts[:, :-1] (teacher forcing by default)."""
        return self._scores("Seq2Seq.predict", xs, ts, teacher_forcing)[0]

    def forward(self, xs, ts):
        return self.loss_layer.forward(*self._scores("Seq2Seq.forward", xs, ts, self.teacher_forcing))

    def backward(self, dout=1.0):
        self.encoder.backward(self.decoder.backward(self.loss_layer.backward(dout)))

    def loss(self, xs, ts, train=False):
        """The teacher-forced loss of (xs, ts) (``train`` is accepted for Trainer and changes nothing)."""
        return self.loss_layer.forward(*self._scores("Seq2Seq.loss", xs, ts, 1.0))

    def loss_and_gradient(self, xs, ts):
        """Forward with ``teacher_forcing``, then backward; returns (loss, grads) (what Trainer calls)."""
        loss = self.forward(xs, ts)
        self.backward()
        return loss, self.grads

    def generate(self, xs, start_id, length):
        """Greedy answers (N, length) to the inputs xs."""
        return self.decoder.generate(self.encoder.forward(xs), start_id, length)


def _check_pair(owner, predicted, targets):
    predicted, targets = np.asarray(predicted), np.asarray(targets)
    if predicted.shape != targets.shape or predicted.ndim != 2 or predicted.dtype.kind not in "iu" \
            or targets.dtype.kind not in "iu":
        raise ValueError(f"{owner}: predicted and targets must be integer ids of one shape (N, T), got "
                         f"{predicted.dtype} {predicted.shape} and {targets.dtype} {targets.shape}")
    return predicted, targets


def exact_match(predicted, targets, ignore_label=-1):
    """完全一致率: the fraction of rows whose ids equal the targets at every position not ``ignore_label``."""
    predicted, targets = _check_pair("exact_match", predicted, targets)
    return float(np.mean(np.all((predicted == targets) | (targets == ignore_label), axis=1)))


def token_accuracy(predicted, targets, ignore_label=-1):
    """The fraction of counted positions (targets ≠ ``ignore_label``) where the ids equal the targets."""
    predicted, targets = _check_pair("token_accuracy", predicted, targets)
    counted = targets != ignore_label
    return float(np.sum((predicted == targets) & counted) / max(int(counted.sum()), 1))
