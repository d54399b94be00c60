"""word2vec: word vectors (単語の分散表現) learned by predicting words from their neighbours.

The distributional hypothesis (分布仮説): words used in the same contexts mean similar things.  word2vec
(Mikolov et al., 2013) gives every word a row of W_in (V, D) and trains it on (context, target) pairs:

- ``CBOW`` (continuous bag-of-words): the mean of the C context words' rows, h = (1/C) Σ_c W_in[c],
  predicts the target word;
- ``SkipGram``: the target's row, h = W_in[t], predicts each of its C context words.

Taking a row is the product one-hot(id) W_in, done by ``recurrent.Embedding``.  A softmax over the whole
vocabulary would cost D·V multiply-adds per prediction; ``NegativeSamplingLoss`` scores only the true
word and K negative examples drawn from q(w) ∝ count(w)^0.75 (``UnigramSampler``).

Also here: the training pairs of a corpus of ids (``contexts_and_targets``), a generated Japanese corpus
with its analogy questions (``template_corpus``, ``template_analogies``) and cosine-similarity helpers
(``most_similar``, ``analogy``, ``analogy_answers``, ``analogy_accuracy``).
"""

import numpy as np

from . import functions, initializers
from .layers import _check_loss_dout, _is_real
from .time_layers import Embedding, _describe

__all__ = ["contexts_and_targets", "word_vocabulary", "encode_words", "template_corpus", "template_analogies",
           "UnigramSampler", "NegativeSamplingLoss", "CBOW", "SkipGram", "cbow_model", "skip_gram_model",
           "unit_rows", "most_similar", "analogy", "analogy_answers", "analogy_accuracy"]


def _is_count(value, low=1):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= low


def _check_ids(owner, name, ids, vocab_size, ndims, shape_text):
    """Integer word ids with ndim in ``ndims``, non-empty, in 0..vocab_size − 1 (unless vocab_size is None)."""
    ids = np.asarray(ids)
    if ids.dtype.kind not in "iu":
        raise TypeError(f"{owner}: {name} must be integer word ids, got {_describe(ids)}")
    if ids.ndim not in ndims or ids.size == 0:
        raise ValueError(f"{owner}: {name} must be a non-empty array {shape_text}, got shape {ids.shape}")
    if vocab_size is not None and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(f"{owner}: {name} must lie in 0..{vocab_size - 1} (the vocabulary has {vocab_size} "
                         f"words), got values from {ids.min()} to {ids.max()}")
    return ids


def _check_matrix(owner, name, W):
    if not isinstance(W, np.ndarray) or W.ndim != 2 or W.dtype.kind != "f" or 0 in W.shape:
        raise ValueError(f"{owner}: {name} must be a non-empty float array (V, D), got {_describe(W)}")
    return W


# --- corpus ------------------------------------------------------------------------------------------

def contexts_and_targets(corpus, window_size=1):
    """Training pairs of a corpus of ids: for every position t with a whole window, the target corpus[t]
    and its 2w contexts corpus[t − w], …, corpus[t − 1], corpus[t + 1], …, corpus[t + w] (in that order).

    Returns contexts (N, 2w) and targets (N,), N = len(corpus) − 2w (the first and last w positions have
    no whole window), as 「ゼロから作る Deep Learning ❷」's create_contexts_target.
    """
    corpus = _check_ids("contexts_and_targets", "corpus", corpus, None, (1,), "(T,)")
    if not _is_count(window_size):
        raise ValueError(f"contexts_and_targets: window_size must be a positive integer, got {window_size!r}")
    if len(corpus) <= 2 * window_size:
        raise ValueError(f"contexts_and_targets: a corpus of {len(corpus)} words has no whole window of "
                         f"{window_size} words on each side")
    windows = np.lib.stride_tricks.sliding_window_view(corpus.astype(np.intp), 2 * window_size + 1)
    return np.delete(windows, window_size, axis=1), windows[:, window_size].copy()


def word_vocabulary(words):
    """(word_to_id, id_to_word) for a list of words, ids in order of first appearance."""
    word_to_id = {word: i for i, word in enumerate(dict.fromkeys(words))}
    if not word_to_id:
        raise ValueError("word_vocabulary: the list of words is empty")
    return word_to_id, {i: w for w, i in word_to_id.items()}


def encode_words(words, word_to_id):
    """The ids of a list of words (np.intp); a word missing from the vocabulary raises a ValueError."""
    missing = sorted({w for w in words if w not in word_to_id})
    if missing:
        raise ValueError(f"encode_words: words not in the vocabulary: {missing[:5]}")
    return np.array([word_to_id[w] for w in words], dtype=np.intp)


MARKERS = {                                   # property → value → the words that say it
    "gender": {"male": ("彼",), "female": ("彼女",)},
    "rank": {"royal": ("城", "宮殿"), "common": ("村", "町")},
    "age": {"adult": ("仕事", "会議"), "young": ("学校", "公園")},
}
TEMPLATES = {"gender": "{marker} は {noun} だ 。", "rank": "{noun} は {marker} に 住む 。",
             "age": "{noun} は {marker} に 行く 。"}
NOUNS = {                                     # noun → (gender, rank, age); None: either value, at random
    "男": ("male", "common", "adult"), "女": ("female", "common", "adult"),
    "少年": ("male", "common", "young"), "少女": ("female", "common", "young"),
    "王": ("male", "royal", "adult"), "女王": ("female", "royal", "adult"),
    "王子": ("male", "royal", "young"), "王女": ("female", "royal", "young"),
    "兄": ("male", "common", None), "弟": ("male", "common", None),
    "姉": ("female", "common", None), "妹": ("female", "common", None),
}
TWINS = {"兄": "姉", "弟": "妹", "姉": "兄", "妹": "弟"}   # the same slot in the other gender


def template_corpus(n_sentences=4000, seed=0):
    """A generated Japanese corpus, words separated as after word segmentation (分かち書き).

    Each sentence says one property (``MARKERS``) of one noun (``NOUNS``, chosen uniformly) through a marker
    word, e.g. 「彼女 は 女王 だ 。」, 「王子 は 城 に 住む 。」, 「少年 は 学校 に 行く 。」.  兄 and 弟 (and 姉
    and 妹) get exactly the same sentences: the corpus never says how they differ.  Returns the list of words.
    """
    if not _is_count(n_sentences):
        raise ValueError(f"template_corpus: n_sentences must be a positive integer, got {n_sentences!r}")
    rng = np.random.default_rng(seed)
    nouns = np.array(list(NOUNS), dtype=object)
    which, noun_ids = rng.integers(3, size=n_sentences), rng.integers(len(nouns), size=n_sentences)
    picks = rng.random((n_sentences, 2))
    words = np.full((n_sentences, 6), "", dtype=object)          # one row per sentence, padded with ""
    for p, (prop, values) in enumerate(MARKERS.items()):          # all the sentences of one property at once
        rows, names = np.flatnonzero(which == p), list(values)
        known = np.array([names.index(v[p]) if v[p] else -1 for v in NOUNS.values()])[noun_ids[rows]]
        value = np.where(known >= 0, known, (picks[rows, 0] * len(names)).astype(int))   # None: either, at random
        table = np.array([values[v] for v in names], dtype=object)                      # (values, markers)
        template = TEMPLATES[prop].split()
        words[rows, :len(template)] = template
        words[rows, template.index("{noun}")] = nouns[noun_ids[rows]]
        words[rows, template.index("{marker}")] = table[value, (picks[rows, 1] * table.shape[1]).astype(int)]
    return words[words != ""].tolist()


def template_analogies():
    """Analogy questions (a, b, c, d), read 'a : b :: c : d', for ``template_corpus``:

    - "one_property": a → b and c → d change the same one property the same way (男 : 女 :: 王 : 女王),
      among the eight nouns whose three properties the corpus tells: 72 questions;
    - "twin_answer": a gender change onto 兄, 弟, 姉 or 妹 (男 : 女 :: 兄 : 姉), whose answer has a twin
      that the corpus uses identically: 16 questions;
    - "twin_pair": the twins themselves (兄 : 弟 :: 姉 : 妹): 4 questions.
    """
    full = [n for n, props in NOUNS.items() if None not in props]
    edges = [(a, b, i) for a in full for b in full
             if sum(x != y for x, y in zip(NOUNS[a], NOUNS[b])) == 1
             for i in range(3) if NOUNS[a][i] != NOUNS[b][i]]
    one = [(a, b, c, d) for a, b, i in edges for c, d, j in edges
           if j == i and c != a and NOUNS[c][i] == NOUNS[a][i]]
    twin_answer = [(a, b, c, TWINS[c]) for a, b, i in edges if i == 0 for c in TWINS if NOUNS[c][0] == NOUNS[a][0]]
    twin_pair = [("兄", "弟", "姉", "妹"), ("弟", "兄", "妹", "姉"), ("姉", "妹", "兄", "弟"), ("妹", "姉", "弟", "兄")]
    return {"one_property": one, "twin_answer": twin_answer, "twin_pair": twin_pair}


# --- negative sampling ---------------------------------------------------------------------------------

class UnigramSampler:
    """Negative examples (負例) drawn from the unigram distribution raised to ``power``:

        q(w) = count(w)^p / Σ_v count(v)^p,   p = 0.75 (Mikolov et al., 2013).

    The power flattens the distribution: frequent words are drawn less often than their frequency, rare
    words more often.  ``sample`` draws a whole batch at once (uniform numbers looked up in the cumulative
    distribution, ``np.searchsorted``); with ``exclude`` it redraws, all at once again, the few draws equal
    to their row's excluded id, until none is: exactly q renormalised without that id, with no loop over rows.
    """

    def __init__(self, counts, power=0.75, seed=0):
        counts = np.asarray(counts)
        if counts.ndim != 1 or counts.dtype.kind not in "iuf" or not np.all(np.isfinite(counts)) \
                or np.any(counts < 0):
            raise ValueError(f"UnigramSampler: counts must be a 1-D array of word counts ≥ 0, got {_describe(counts)}")
        if np.count_nonzero(counts) < 2:
            raise ValueError("UnigramSampler: at least two words need a count > 0 (a negative example must be "
                             "another word than the target)")
        if not (_is_real(power) and power >= 0):
            raise ValueError(f"UnigramSampler: power must be a number ≥ 0, got {power!r}")
        weights = np.where(counts > 0, counts.astype(np.float64) ** power, 0.0)
        self.p = weights / weights.sum()
        self.cumulative = np.cumsum(self.p)
        self.cumulative[np.flatnonzero(self.p)[-1]:] = 1.0      # no draw lands on a trailing zero count
        self.rng = np.random.default_rng(seed)

    @property
    def vocab_size(self):
        return len(self.p)

    def _draw(self, shape):
        return np.searchsorted(self.cumulative, self.rng.random(shape), side="right")

    def sample(self, size, exclude=None):
        """Ids drawn from q: shape ``size`` (an int or a tuple); with ``exclude`` (ids of any shape) and an
        int ``size`` K, shape exclude.shape + (K,), where no id equals the excluded id of its row."""
        if exclude is None:
            sizes = size if isinstance(size, tuple) else (size,)
            if not all(_is_count(s, 0) for s in sizes):
                raise ValueError(f"UnigramSampler.sample: size must be an integer ≥ 0 or a tuple of them, got {size!r}")
            return self._draw(sizes)
        if not _is_count(size, 0):
            raise ValueError(f"UnigramSampler.sample: with exclude, size is the number of ids per row, an integer "
                             f"≥ 0; got {size!r}")
        exclude = _check_ids("UnigramSampler.sample", "exclude", exclude, self.vocab_size, range(8), "of ids")
        drawn = self._draw(exclude.shape + (size,))
        clash = drawn == exclude[..., None]
        while clash.any():                       # each round redraws every clash at once
            drawn[clash] = self._draw(int(clash.sum()))
            clash = drawn == exclude[..., None]
        return drawn


class NegativeSamplingLoss:
    """Negative sampling (負例サンプリング): K + 1 binary classifications instead of a softmax over V words.

    ``forward(h, target)``: hidden vectors h (N, D) and target ids (N,) (CBOW) or (N, C) (skip-gram: C words
    for each h).  For every target, ``sample_size`` K negatives are drawn from ``sampler`` (never the target
    itself; pass ``negatives`` of shape target.shape + (K,) to fix them).  With s = h_n · u_w, u_w = W_out[w],

        L = (1/N) Σ_n Σ_c [ −log σ(s_t) − Σ_k log σ(−s_k) ]      (−log σ(x) = log(1 + e^{−x}), no overflow).

    Backward, with label y = 1 for the target and 0 for a negative: ∂L/∂s = (σ(s) − y)/N;
    ∂L/∂h_n = Σ ∂L/∂s · u_w over the words scored for n; ∂L/∂u_w = Σ ∂L/∂s · h_n over every time w is
    scored (np.add.at).  One target costs D(K + 1) multiply-adds, whatever the size V of the vocabulary.
    """

    def __init__(self, W_out, sampler, sample_size=5):
        _check_matrix("NegativeSamplingLoss", "W_out", W_out)
        if not isinstance(sampler, UnigramSampler) or sampler.vocab_size != len(W_out):
            raise ValueError(f"NegativeSamplingLoss: sampler must be a UnigramSampler over the {len(W_out)} words "
                             f"of W_out, got {type(sampler).__name__} {getattr(sampler, 'vocab_size', '')}")
        if not _is_count(sample_size):
            raise ValueError(f"NegativeSamplingLoss: sample_size must be a positive integer, got {sample_size!r}")
        self.embed = Embedding(W_out)
        self.params, self.grads = self.embed.params, self.embed.grads
        self.sampler, self.sample_size = sampler, sample_size
        self.cache = self.negatives = None

    def forward(self, h, target, negatives=None):
        name, (V, D) = "NegativeSamplingLoss.forward", self.params[0].shape
        if not isinstance(h, np.ndarray) or h.dtype.kind != "f" or h.ndim != 2 or h.shape[1] != D or len(h) == 0:
            raise ValueError(f"{name}: h must be a non-empty float array (N, {D}), got {_describe(h)}")
        target = _check_ids(name, "target", target, V, (1, 2), "(N,) or (N, C)")
        if len(target) != len(h):
            raise ValueError(f"{name}: {len(h)} hidden vectors h but {len(target)} rows of targets")
        K = self.sample_size
        if negatives is None:
            negatives = self.sampler.sample(K, exclude=target)
        elif np.shape(negatives) != target.shape + (K,):
            raise ValueError(f"{name}: negatives must have shape target.shape + (sample_size,) = "
                             f"{target.shape + (K,)}, got {np.shape(negatives)}")
        negatives = _check_ids(name, "negatives", negatives, V, (2, 3), "of ids")
        n = len(h)
        ids = np.concatenate([target.reshape(n, -1, 1), negatives.reshape(n, -1, K)], axis=2)   # (N, C, K + 1)
        u = self.embed.forward(ids.reshape(n, -1))                                             # (N, M, D)
        h = h.astype(u.dtype, copy=False)
        s = (u @ h[:, :, None])[:, :, 0]                                                       # (N, M)
        y = np.zeros_like(s)
        y.reshape(ids.shape)[:, :, 0] = 1
        self.negatives, self.cache = negatives, (h, u, s, y)
        return float(np.logaddexp(0, s * (1 - 2 * y)).sum() / n)

    def backward(self, dout=1.0):
        _check_loss_dout("NegativeSamplingLoss", self.cache, dout)
        h, u, s, y = self.cache
        ds = (functions.sigmoid(s) - y) * s.dtype.type(dout / len(h))
        self.embed.backward(ds[:, :, None] * h[:, None, :])
        return (ds[:, None, :] @ u)[:, 0]


class _Word2Vec:
    """What CBOW and SkipGram share: W_in (V, D) looked up by Embedding, then a NegativeSamplingLoss on
    W_out (V, D).  They have the interface of ``network.Sequential`` that ``training.Trainer`` uses
    (``layers``, ``params``, ``grads``, ``loss_and_gradient``) with x = contexts, t = target."""

    def __init__(self, W_in, W_out, sampler, sample_size=5):
        name = type(self).__name__
        _check_matrix(name, "W_in", W_in)
        _check_matrix(name, "W_out", W_out)
        if W_in.shape != W_out.shape or W_in.dtype != W_out.dtype:
            raise ValueError(f"{name}: W_in and W_out must both be (V, D) of one dtype, got {_describe(W_in)} "
                             f"and {_describe(W_out)}")
        self.embed = Embedding(W_in)
        self.loss_layer = NegativeSamplingLoss(W_out, sampler, sample_size)
        self.layers = [self.embed, self.loss_layer]
        self.params = self.embed.params + self.loss_layer.params
        self.grads = self.embed.grads + self.loss_layer.grads

    @property
    def word_vecs(self):
        """The word vectors: W_in (V, D), one row per word."""
        return self.params[0]

    def _check(self, contexts, target):
        name, V = f"{type(self).__name__}.forward", len(self.params[0])
        contexts = _check_ids(name, "contexts", contexts, V, (2,), "(N, C)")
        target = _check_ids(name, "target", target, V, (1,), "(N,)")
        if len(contexts) != len(target):
            raise ValueError(f"{name}: {len(contexts)} rows of contexts but {len(target)} targets")
        return contexts, target

    def loss_and_gradient(self, contexts, target):
        loss = self.forward(contexts, target)
        self.backward()
        return loss, self.grads


class CBOW(_Word2Vec):
    """CBOW with negative sampling: the mean of the context words' vectors predicts the target word.

    forward(contexts (N, C), target (N,)): h = (1/C) Σ_c W_in[contexts[:, c]], loss of h against target.
    Backward: each context word gets (∂L/∂h)/C added to its row of ∂L/∂W_in (twice if it occurs twice).
    """

    def forward(self, contexts, target, negatives=None):
        contexts, target = self._check(contexts, target)
        return self.loss_layer.forward(self.embed.forward(contexts).mean(axis=1), target, negatives)

    def backward(self, dout=1.0):
        dh = self.loss_layer.backward(dout)
        shape = self.embed.idx.shape
        self.embed.backward(np.broadcast_to((dh / shape[1])[:, None, :], shape + dh.shape[1:]))


class SkipGram(_Word2Vec):
    """Skip-gram with negative sampling: the target word's vector predicts each of its context words.

    forward(contexts (N, C), target (N,)): h = W_in[target], the loss of h against each of the C context
    words, summed over them and averaged over N.  Backward: ∂L/∂h, summed over the C words, goes to the
    target's row of ∂L/∂W_in.
    """

    def forward(self, contexts, target, negatives=None):
        contexts, target = self._check(contexts, target)
        return self.loss_layer.forward(self.embed.forward(target), contexts, negatives)

    def backward(self, dout=1.0):
        self.embed.backward(self.loss_layer.backward(dout))


def _weights(vocab_size, embed_size, seed, dtype, scale):
    rng = np.random.default_rng(seed)
    return [initializers.normal(vocab_size, embed_size, rng, scale, dtype) for _ in range(2)]


def cbow_model(vocab_size, embed_size, sampler, sample_size=5, seed=0, dtype=np.float32, scale=0.01):
    """A CBOW with W_in and W_out (vocab_size, embed_size) drawn from N(0, scale²)."""
    return CBOW(*_weights(vocab_size, embed_size, seed, dtype, scale), sampler, sample_size)


def skip_gram_model(vocab_size, embed_size, sampler, sample_size=5, seed=0, dtype=np.float32, scale=0.01):
    """A SkipGram with W_in and W_out (vocab_size, embed_size) drawn from N(0, scale²)."""
    return SkipGram(*_weights(vocab_size, embed_size, seed, dtype, scale), sampler, sample_size)


# --- similarity --------------------------------------------------------------------------------------

def unit_rows(W, owner="unit_rows"):
    """Every row of W divided by its length ‖w‖ (a zero row stays zero): then x̂ · ŷ = cos(x, y)."""
    W = _check_matrix(owner, "W", np.asarray(W))
    return W / np.maximum(np.linalg.norm(W, axis=1, keepdims=True), np.finfo(W.dtype).tiny)


def _ids_of(owner, words, word_to_id):
    missing = [w for w in words if w not in word_to_id]
    if missing:
        raise ValueError(f"{owner}: {missing[0]!r} is not in the vocabulary")
    return [word_to_id[w] for w in words]


def _ranked(owner, scores, id_to_word, top):
    if not _is_count(top):
        raise ValueError(f"{owner}: top must be a positive integer, got {top!r}")
    order = np.argsort(-scores, kind="stable")[:top]
    return [(id_to_word[int(i)], float(scores[i])) for i in order]


def most_similar(word, word_to_id, id_to_word, W, top=5):
    """The ``top`` words nearest to ``word`` by cosine similarity cos(x, y) = x·y / (‖x‖‖y‖) of rows of W,
    the word itself left out: a list of (word, cos), most similar first."""
    (i,) = _ids_of("most_similar", [word], word_to_id)
    unit = unit_rows(W, "most_similar")
    scores = unit @ unit[i]
    scores[i] = -np.inf
    return _ranked("most_similar", scores, id_to_word, top)


def _analogy_scores(owner, questions, word_to_id, W):
    """cos(b̂ − â + ĉ, ŵ) for every question (rows) and word (columns); a, b, c themselves get −inf."""
    ids = np.array([_ids_of(owner, q[:3], word_to_id) for q in questions]).reshape(-1, 3)
    unit = unit_rows(W, owner)
    query = unit_rows(unit[ids[:, 1]] - unit[ids[:, 0]] + unit[ids[:, 2]], owner)
    scores = query @ unit.T
    np.put_along_axis(scores, ids, -np.inf, axis=1)
    return scores


def analogy(a, b, c, word_to_id, id_to_word, W, top=1):
    """Words d for 'a : b :: c : d' (3CosAdd): nearest by cosine similarity to b̂ − â + ĉ (unit rows of W),
    a, b and c left out: a list of (word, cos)."""
    return _ranked("analogy", _analogy_scores("analogy", [(a, b, c)], word_to_id, W)[0], id_to_word, top)


def analogy_answers(questions, word_to_id, id_to_word, W):
    """The answer of ``analogy`` for every question (a, b, c, …), all in one matrix product."""
    scores = _analogy_scores("analogy_answers", questions, word_to_id, W)
    return [id_to_word[int(i)] for i in scores.argmax(axis=1)]


def analogy_accuracy(questions, word_to_id, id_to_word, W):
    """The fraction of questions (a, b, c, d) whose answer by ``analogy`` is d."""
    if len(questions) == 0:
        raise ValueError("analogy_accuracy: no questions")
    answers = analogy_answers(questions, word_to_id, id_to_word, W)
    return float(np.mean([answer == q[3] for answer, q in zip(answers, questions)]))
