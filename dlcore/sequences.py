"""Generated sequence data for the recurrent chapters (時系列データ), with no download.

Every generator takes a ``seed`` and returns the same arrays on every run; inputs and regression targets
are float32, batch-major (N, T, D) like the recurrent layers, ids np.intp (the platform's index type).

- ``sine_wave_windows``: windows of a noisy sine wave, predict the next value;
- ``adding_problem``: the long-dependency task (Hochreiter & Schmidhuber): add the two marked values;
- ``binary_addition``: add two binary numbers, least-significant bit first;
- ``COURSE_TEXT`` with ``char_vocabulary``, ``encode``, ``decode`` and ``truncated_bptt_batches``: a short
  Japanese text written for the course, for a character-level language model (文字単位の言語モデル);
- ``addition_problems``, ``Vocabulary`` and ``pad_sequences``: question/answer strings such as "57+8" → "65"
  for an encoder–decoder (``dlcore.seq2seq``), as padded batches of ids with special symbols;
- ``digit_problems``: random digit strings and their copy, reversal or sorted order ("3141" → "1134"), for
  attention and the Transformer.
"""

import numbers

import numpy as np

# 「海辺の観測所」, written for this course.  Wrapped here for reading: in COURSE_TEXT each paragraph is one
# line (about 1,150 characters, 3.4 KB in UTF-8).
_PARAGRAPHS = """\
海辺の小さな観測所では、毎朝六時に同じことをします。窓をあけて空を見て、風の向きと強さを書きとめ、
気温と気圧をはかり、潮の高さを記録します。きのうの記録のとなりに、きょうの記録をならべます。
一日だけを見ても、何もわかりません。けれども、何日も、何か月もならべていくと、数字は少しずつ形を
見せはじめます。

潮は一日に二回満ちて、二回引きます。満ちる時刻は毎日少しずつおくれていきます。月がめぐるからです。
気温は昼に上がって夜に下がり、夏に高く冬に低くなります。気圧が下がりはじめると、たいてい次の日には
雨がふります。観測所の人たちは、こうした決まりを、長い記録から読みとってきました。

あしたの天気を予想するとき、きょうの数字だけでは足りません。きのうからきょうへ、数字がどう動いたかが
大切です。気圧がゆっくり下がっているのか、急に下がったのか。風が少しずつ南へまわっているのか。
前の日のことを覚えていて、それをきょうの数字と合わせて考えると、あしたのことが少し見えてきます。

ただし、覚えておけることには限りがあります。一週間前の小さな変化を、いつまでも気にしていては、
きょうの大きな変化を見落とします。反対に、すぐに忘れてしまうと、季節のような長い流れに気づけません。
何を覚えていて、何を忘れるか。それを決めることが、記録を読む人のいちばんの仕事です。

観測所には古いノートが何冊もあります。いちばん古いノートの字はうすくなっていて、読むのに時間が
かかります。それでも、百年前の夏が暑かったことや、ある年の秋に大きな嵐が来たことは、いまでも
読みとれます。古い記録は、新しい記録を読むときの手がかりになります。

ある年の春、観測所に新しい人が来ました。その人は最初の一か月、ノートを読むことだけをしました。
朝の記録を読み、夕方の記録を読み、また次の日の朝の記録を読みました。そのうちに、数字を見るだけで、
次の行に何が書かれているか、だいたいわかるようになりました。気圧の列が下がっていけば、次の行には
雨と書かれています。潮の列は、読まなくても、次の数字がわかります。

けれども、ときどき予想ははずれました。晴れるはずの日に雨がふり、静かなはずの海が荒れました。
そういう日には、その人はノートを前にもどって読みなおしました。どこで読みまちがえたのか、何日前の
どの数字を見落としたのか。まちがいの理由を、前へ前へとさかのぼって探しました。

夕方になると、もう一度空を見ます。雲の形、海の色、鳥の飛び方。数字にならないことも、ノートの
すみに書いておきます。あしたの朝、また同じ時刻に窓をあけます。きょうの記録は、あしたの記録の
前の一行になります。こうして、記録は一行ずつ長くなっていきます。
"""
COURSE_TEXT = "".join(paragraph.replace("\n", "") + "\n" for paragraph in _PARAGRAPHS.split("\n\n"))


def _check_count(owner, name, value, low=1):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{owner}: {name} must be an integer ≥ {low}, got {value!r}")
    return int(value)


def sine_wave_windows(n, time_size, noise=0.0, seed=0, period=25.0):
    """n windows of T = ``time_size`` values of sin(φ + 2πs/period) plus N(0, noise²) noise, each with a
    random phase φ; the target is the next, noiseless value.

    Returns x (n, T, 1) and t (n, 1), float32.
    """
    n, steps = _check_count("sine_wave_windows", "n", n), _check_count("sine_wave_windows", "time_size", time_size)
    if not (isinstance(noise, numbers.Real) and noise >= 0) or not (isinstance(period, numbers.Real) and period > 0):
        raise ValueError(f"sine_wave_windows: noise must be ≥ 0 and period > 0, got noise={noise!r}, period={period!r}")
    rng = np.random.default_rng(seed)
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1))
    wave = np.sin(phase + 2 * np.pi * np.arange(steps + 1) / period)
    x = wave[:, :steps] + noise * rng.standard_normal((n, steps))
    return x[..., None].astype(np.float32), wave[:, steps:].astype(np.float32)


def adding_problem(n, time_size, seed=0):
    """The adding problem: channel 0 holds T values uniform in [0, 1), channel 1 marks exactly two steps with
    1, one in each half (the first in [0, T//2), the second in [T//2, T)); the target is the sum of the two
    marked values.  Predicting the mean 1 gives the MSE Var(u₁ + u₂) = 2/12 ≈ 0.167.

    Returns x (n, T, 2) and t (n, 1), float32.
    """
    n = _check_count("adding_problem", "n", n)
    steps = _check_count("adding_problem", "time_size", time_size, low=2)
    rng = np.random.default_rng(seed)
    values = rng.random((n, steps))
    first = rng.integers(0, steps // 2, size=n)
    second = rng.integers(steps // 2, steps, size=n)
    marks = np.zeros((n, steps))
    rows = np.arange(n)
    marks[rows, first] = marks[rows, second] = 1
    target = values[rows, first] + values[rows, second]
    return np.stack([values, marks], axis=2).astype(np.float32), target[:, None].astype(np.float32)


def binary_addition(n, bits, seed=0):
    """Binary addition a + b, one bit per time step, least-significant bit first (the carry moves forwards
    in time).  a and b are drawn from 0 … 2^(bits−1) − 1, so their sum fits in ``bits`` bits.

    Returns x (n, bits, 2) (the bits of a and b) and t (n, bits, 1) (the bits of a + b), float32.
    """
    n, bits = _check_count("binary_addition", "n", n), _check_count("binary_addition", "bits", bits, low=2)
    if bits > 62:
        raise ValueError(f"binary_addition: bits must be at most 62 (int64 arithmetic), got {bits}")
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, 2 ** (bits - 1), size=(2, n))
    positions = np.arange(bits)

    def to_bits(v):
        return (v[:, None] >> positions) & 1

    x = np.stack([to_bits(a), to_bits(b)], axis=2)
    return x.astype(np.float32), to_bits(a + b)[..., None].astype(np.float32)


def char_vocabulary(text):
    """The characters of ``text`` in sorted order: (char_to_id, id_to_char), two dicts."""
    if not isinstance(text, str) or not text:
        raise ValueError(f"char_vocabulary: text must be a non-empty string, got {type(text).__name__}")
    chars = sorted(set(text))
    return {ch: i for i, ch in enumerate(chars)}, dict(enumerate(chars))


def encode(text, char_to_id):
    """The ids of the characters of ``text``, np.intp (len(text),)."""
    unknown = sorted(set(text) - set(char_to_id))
    if unknown:
        raise ValueError(f"encode: characters not in the vocabulary: {''.join(unknown)!r}")
    return np.array([char_to_id[ch] for ch in text], dtype=np.intp)


def decode(ids, id_to_char):
    """The text of a sequence of ids (the inverse of ``encode``)."""
    ids = np.asarray(ids)
    if ids.ndim != 1 or (ids.size and ids.dtype.kind not in "iu"):
        raise ValueError(f"decode: ids must be a 1-D integer sequence, got {ids.dtype} {ids.shape}")
    try:
        return "".join(id_to_char[int(i)] for i in ids)
    except KeyError as error:
        raise ValueError(f"decode: id {error.args[0]} is not in the vocabulary (0..{len(id_to_char) - 1})") from None


def truncated_bptt_batches(ids, batch_size, time_size):
    """Mini-batches for Truncated BPTT from one long sequence of ids: an iterator of (xs, ts), np.intp (N, T).

    The sequence (inputs ids[:-1], targets ids[1:], the next id) is cut into N = ``batch_size`` streams of
    equal length L = (len(ids) − 1) // N starting at evenly spaced offsets 0, L, 2L, …; chunk k holds steps
    kT … kT + T − 1 of every stream, so each chunk continues the previous one row by row and a stateful
    layer can carry its state across.  There are L // T chunks; the remainder is dropped.
    """
    name = "truncated_bptt_batches"
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.dtype.kind not in "iu":
        raise ValueError(f"{name}: ids must be a 1-D integer array, got {ids.dtype} {ids.shape}")
    n = _check_count(name, "batch_size", batch_size)
    steps = _check_count(name, "time_size", time_size)
    length = (len(ids) - 1) // n
    chunks = length // steps
    if chunks == 0:
        raise ValueError(f"{name}: {len(ids)} ids give {n} streams of {length} steps, shorter than one chunk of "
                         f"time_size={steps}; use a smaller batch_size or time_size")
    inputs, targets = ids[:-1], ids[1:]
    starts = np.arange(n)[:, None] * length + np.arange(steps)

    def batches():
        for k in range(chunks):
            index = starts + k * steps
            yield inputs[index], targets[index]

    return batches()


def addition_problems(n, digits=2, seed=0):
    """n distinct addition questions a + b with 0 ≤ a, b < 10^digits, as strings: (questions, answers).

    The questions are written without leading zeros, e.g. "57+8", and the answers too, "65".  The pairs (a, b)
    are drawn without replacement, so the first k questions and the rest never share a question (a train/test
    split by slicing sees no test question in training).
    """
    name = "addition_problems"
    n, digits = _check_count(name, "n", n), _check_count(name, "digits", digits)
    if digits > 6:
        raise ValueError(f"{name}: digits must be at most 6, got {digits}")
    size = 10 ** digits
    if n > size * size:
        raise ValueError(f"{name}: there are only {size * size} distinct questions with digits={digits}, "
                         f"asked for n={n}")
    pairs = np.random.default_rng(seed).choice(size * size, size=n, replace=False)
    a, b = np.divmod(pairs, size)
    return [f"{x}+{y}" for x, y in zip(a.tolist(), b.tolist())], [str(x + y) for x, y in zip(a.tolist(), b.tolist())]


DIGIT_TASKS = ("copy", "reverse", "sort")


def digit_problems(n, length, task, seed=0):
    """n distinct strings of ``length`` random digits and their answers: (questions, answers).

    ``task`` is "copy" (the same string), "reverse" (read backwards) or "sort" (the digits in ascending order),
    e.g. "3141" → "3141", "1413", "1134".  The questions are distinct, so slicing them into training and test
    data never puts a test question in training.
    """
    name = "digit_problems"
    n, length = _check_count(name, "n", n), _check_count(name, "length", length)
    if task not in DIGIT_TASKS:
        raise ValueError(f"{name}: task must be one of {DIGIT_TASKS}, got {task!r}")
    if n > 10 ** min(length, 18) // 2:
        raise ValueError(f"{name}: asked for n={n} distinct strings of {length} digits; use at most half of "
                         f"the {10 ** length} there are")
    rng, rows = np.random.default_rng(seed), np.empty((0, length), dtype=np.intp)
    while len(rows) < n:                                   # draw, drop repeats (keeping the first), draw again
        rows = np.concatenate([rows, rng.integers(0, 10, (n - len(rows), length))])
        _, first = np.unique(rows, axis=0, return_index=True)
        rows = rows[np.sort(first)]
    answers = {"copy": rows, "reverse": rows[:, ::-1], "sort": np.sort(rows, axis=1)}[task]
    return _digit_strings(rows), _digit_strings(answers)


def _digit_strings(digits):
    return ["".join(map(str, row)) for row in digits.tolist()]


def pad_sequences(sequences, pad_id, length=None):
    """Sequences of ids of different lengths as one np.intp batch (N, T), padded at the end with ``pad_id``
    (パディング).  T is ``length``, or the longest sequence when omitted."""
    name = "pad_sequences"
    rows = [np.asarray(s) for s in sequences]
    if not rows or any(r.ndim != 1 or (r.size and r.dtype.kind not in "iu") for r in rows):
        raise ValueError(f"{name}: sequences must be a non-empty list of 1-D integer sequences")
    longest = max(len(r) for r in rows)
    steps = longest if length is None else _check_count(name, "length", length)
    if longest > steps:
        raise ValueError(f"{name}: a sequence has {longest} ids, longer than length={steps}")
    batch = np.full((len(rows), steps), pad_id, dtype=np.intp)
    lengths = np.array([len(r) for r in rows])
    batch[np.arange(steps) < lengths[:, None]] = np.concatenate(rows) if longest else []
    return batch


class Vocabulary:
    """Characters ↔ ids, with three special symbols (特殊記号) before the characters:

    id 0 ``pad_id`` (padding, パディング), id 1 ``start_id`` (the start symbol a decoder reads first), id 2
    ``end_id`` (the end symbol a decoder writes last); then the characters of ``characters`` in sorted order.
    ``tokens[i]`` is the symbol of id i ("<pad>", "<s>", "</s>", then one character each).
    """

    SPECIALS = ("<pad>", "<s>", "</s>")

    def __init__(self, characters):
        if isinstance(characters, str):
            characters = [characters]
        chars = sorted(set("".join(characters)))
        if not chars:
            raise ValueError("Vocabulary: characters must hold at least one character")
        self.tokens = list(self.SPECIALS) + chars
        self.char_to_id = {ch: i for i, ch in enumerate(self.tokens) if i >= len(self.SPECIALS)}
        self.pad_id, self.start_id, self.end_id = 0, 1, 2

    def __len__(self):
        return len(self.tokens)

    def encode(self, text, start=False, end=False):
        """The ids of ``text`` (np.intp), after the start symbol if ``start`` and followed by the end symbol if ``end``."""
        unknown = sorted(set(text) - set(self.char_to_id))
        if unknown:
            raise ValueError(f"Vocabulary.encode: characters not in the vocabulary: {''.join(unknown)!r}")
        ids = [self.char_to_id[ch] for ch in text]
        return np.array([self.start_id] * start + ids + [self.end_id] * end, dtype=np.intp)

    def encode_batch(self, texts, start=False, end=False, length=None, reverse=False):
        """Encode every text and pad them into one batch (N, T) (``pad_sequences``).

        ``reverse=True`` flips every padded row, so the text is read back to front after its padding
        (the reversed input of Sutskever et al., 2014).
        """
        if isinstance(texts, str):
            raise ValueError("Vocabulary.encode_batch: texts must be a list of strings, not one string")
        batch = pad_sequences([self.encode(t, start, end) for t in texts], self.pad_id, length)
        return np.ascontiguousarray(batch[:, ::-1]) if reverse else batch

    def decode(self, ids):
        """The text of one row of ids: the characters up to the first end symbol; padding and start symbols
        are skipped."""
        ids = np.asarray(ids)
        if ids.ndim != 1 or (ids.size and ids.dtype.kind not in "iu"):
            raise ValueError(f"Vocabulary.decode: ids must be a 1-D integer sequence, got {ids.dtype} {ids.shape}")
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(f"Vocabulary.decode: ids must lie in 0..{len(self) - 1}, got values from {ids.min()} "
                             f"to {ids.max()}")
        ends = np.flatnonzero(ids == self.end_id)
        kept = ids[:ends[0] if ends.size else len(ids)]
        return "".join(self.tokens[i] for i in kept.tolist() if i >= len(self.SPECIALS))

    def decode_batch(self, ids):
        """``decode`` of every row of a batch (N, T): a list of N strings."""
        ids = np.asarray(ids)
        if ids.ndim != 2:
            raise ValueError(f"Vocabulary.decode_batch: ids must be a batch (N, T), got shape {ids.shape}")
        return [self.decode(row) for row in ids]
