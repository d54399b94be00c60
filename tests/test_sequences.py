"""dlcore.sequences: generated sequence data, seeded and float32, and the Truncated BPTT batches."""

import numpy as np
import pytest

from dlcore import sequences

GENERATORS = {
    "sine_wave_windows": lambda seed: sequences.sine_wave_windows(8, 12, noise=0.1, seed=seed),
    "adding_problem": lambda seed: sequences.adding_problem(8, 12, seed=seed),
    "binary_addition": lambda seed: sequences.binary_addition(8, 6, seed=seed),
}


@pytest.mark.parametrize("name", GENERATORS)
def test_generators_are_seeded_float32_and_batch_major(name):
    x, t = GENERATORS[name](0)
    again, other = GENERATORS[name](0), GENERATORS[name](1)
    np.testing.assert_array_equal(x, again[0])
    np.testing.assert_array_equal(t, again[1])
    assert not np.array_equal(x, other[0])
    assert x.dtype == t.dtype == np.float32 and x.ndim == 3 and len(x) == len(t) == 8


def test_sine_wave_target_is_the_next_noiseless_value():
    x, t = sequences.sine_wave_windows(5, 10, noise=0.0, seed=2, period=20.0)
    assert x.shape == (5, 10, 1) and t.shape == (5, 1)
    step = 2 * np.pi / 20
    # sin(φ + (s + 1)·step) from the two values before it: sin(a + h) = 2 cos(h) sin(a) − sin(a − h)
    np.testing.assert_allclose(t[:, 0], 2 * np.cos(step) * x[:, -1, 0] - x[:, -2, 0], atol=1e-5)
    noisy, t_noisy = sequences.sine_wave_windows(5, 10, noise=0.5, seed=2, period=20.0)
    np.testing.assert_allclose(t_noisy, t)
    assert np.std(noisy - x) == pytest.approx(0.5, rel=0.3)


def test_adding_problem_marks_one_value_in_each_half_and_the_mean_predictor_scores_0_167():
    x, t = sequences.adding_problem(20000, 50, seed=0)
    assert x.shape == (20000, 50, 2) and t.shape == (20000, 1)
    marks = x[..., 1]
    assert np.all(marks[:, :25].sum(axis=1) == 1) and np.all(marks[:, 25:].sum(axis=1) == 1)
    np.testing.assert_allclose(t[:, 0], (x[..., 0] * marks).sum(axis=1), rtol=1e-6)
    assert np.all((x[..., 0] >= 0) & (x[..., 0] < 1))
    assert np.mean((t - 1.0) ** 2) == pytest.approx(1 / 6, abs=0.005)        # Var(u₁ + u₂) = 2/12


def test_binary_addition_is_least_significant_bit_first():
    x, t = sequences.binary_addition(50, 8, seed=3)
    weights = 2 ** np.arange(8)
    a, b, total = (x[..., 0] @ weights), (x[..., 1] @ weights), (t[..., 0] @ weights)
    np.testing.assert_array_equal(a + b, total)
    assert a.max() < 2 ** 7 and b.max() < 2 ** 7


def test_course_text_round_trips_through_its_vocabulary():
    text = sequences.COURSE_TEXT
    assert 2000 < len(text.encode("utf-8")) < 8000 and text.count("\n") == 8
    char_to_id, id_to_char = sequences.char_vocabulary(text)
    assert len(char_to_id) == len(id_to_char) == len(set(text))
    assert list(char_to_id) == sorted(char_to_id)
    ids = sequences.encode(text, char_to_id)
    assert ids.dtype == np.intp and ids.shape == (len(text),)
    assert sequences.decode(ids, id_to_char) == text


def test_truncated_bptt_batches_continue_every_stream():
    ids = np.arange(103)                              # the targets are then simply the inputs plus one
    batches = list(sequences.truncated_bptt_batches(ids, batch_size=4, time_size=5))
    assert len(batches) == (102 // 4) // 5 == 5
    for xs, ts in batches:
        assert xs.shape == ts.shape == (4, 5) and xs.dtype.kind == "i"
        np.testing.assert_array_equal(ts, xs + 1)
    for (xs, _), (next_xs, _) in zip(batches, batches[1:]):
        np.testing.assert_array_equal(next_xs[:, 0], xs[:, -1] + 1)    # chunk k + 1 continues chunk k, row by row
    streams = np.concatenate([xs for xs, _ in batches], axis=1)
    np.testing.assert_array_equal(streams[:, 0], [0, 25, 50, 75])      # evenly spaced offsets, L = 102 // 4
    np.testing.assert_array_equal(streams, np.arange(4)[:, None] * 25 + np.arange(25))


def test_addition_problems_are_distinct_seeded_and_add_up():
    questions, answers = sequences.addition_problems(3000, digits=2, seed=0)
    assert len(questions) == len(set(questions)) == len(answers) == 3000
    for q, a in zip(questions, answers):
        left, right = q.split("+")
        assert int(left) + int(right) == int(a) and str(int(left)) == left and str(int(right)) == right
    assert max(len(q) for q in questions) == 5 and max(len(a) for a in answers) == 3
    assert sequences.addition_problems(3000, 2, seed=0) == (questions, answers)
    assert sequences.addition_problems(3000, 2, seed=1)[0] != questions
    assert len(set(sequences.addition_problems(100, digits=1)[0])) == 100   # every question of 1 digit


def test_digit_problems_copy_reverse_and_sort_distinct_seeded_strings():
    questions, copies = sequences.digit_problems(400, 3, "copy", seed=0)
    assert len(set(questions)) == 400 and copies == questions and {len(q) for q in questions} == {3}
    assert sequences.digit_problems(400, 3, "reverse", seed=0)[1] == [q[::-1] for q in questions]
    assert sequences.digit_problems(400, 3, "sort", seed=0)[1] == ["".join(sorted(q)) for q in questions]
    assert sequences.digit_problems(400, 3, "copy", seed=1)[0] != questions
    assert sequences.digit_problems(400, 3, "copy", seed=0)[0] == questions


def test_vocabulary_puts_the_special_symbols_first_and_round_trips():
    vocab = sequences.Vocabulary("0123456789+")
    assert len(vocab) == 14 and (vocab.pad_id, vocab.start_id, vocab.end_id) == (0, 1, 2)
    assert vocab.tokens[:4] == ["<pad>", "<s>", "</s>", "+"] and vocab.tokens[4:] == list("0123456789")
    np.testing.assert_array_equal(vocab.encode("57+8"), [9, 11, 3, 12])
    np.testing.assert_array_equal(vocab.encode("65", start=True, end=True), [1, 10, 9, 2])
    assert vocab.encode("").dtype == np.intp
    batch = vocab.encode_batch(["57+8", "1+2", "100+99"])
    assert batch.shape == (3, 6) and batch.dtype == np.intp
    np.testing.assert_array_equal(batch[1], [5, 3, 6, 0, 0, 0])
    np.testing.assert_array_equal(vocab.encode_batch(["57+8", "1+2"], reverse=True), [[12, 3, 11, 9], [0, 6, 3, 5]])
    assert vocab.encode_batch(["7"], length=3).shape == (1, 3)
    assert vocab.decode_batch(batch) == ["57+8", "1+2", "100+99"]
    assert vocab.decode([1, 10, 9, 2, 5, 5, 0]) == "65"        # start skipped, nothing after the end symbol
    assert sequences.Vocabulary(["ab", "ca"]).tokens[3:] == ["a", "b", "c"]


def test_pad_sequences_pads_at_the_end_to_the_longest_or_the_given_length():
    batch = sequences.pad_sequences([[3, 4, 5], [6], []], pad_id=0)
    np.testing.assert_array_equal(batch, [[3, 4, 5], [6, 0, 0], [0, 0, 0]])
    assert batch.dtype == np.intp
    np.testing.assert_array_equal(sequences.pad_sequences([np.array([1, 2])], pad_id=9, length=4), [[1, 2, 9, 9]])


@pytest.mark.parametrize("call, message", [
    (lambda: sequences.adding_problem(10, 1), "adding_problem: time_size must be an integer ≥ 2, got 1"),
    (lambda: sequences.adding_problem(0, 10), "adding_problem: n must be an integer ≥ 1, got 0"),
    (lambda: sequences.sine_wave_windows(4, 10, noise=-1), "sine_wave_windows: noise must be ≥ 0 and period > 0"),
    (lambda: sequences.sine_wave_windows(4, 2.5), "sine_wave_windows: time_size must be an integer ≥ 1, got 2.5"),
    (lambda: sequences.binary_addition(4, 63), "binary_addition: bits must be at most 62"),
    (lambda: sequences.char_vocabulary(""), "char_vocabulary: text must be a non-empty string"),
    (lambda: sequences.encode("abz", {"a": 0, "b": 1}), "encode: characters not in the vocabulary: 'z'"),
    (lambda: sequences.decode([0, 7], {0: "a"}), r"decode: id 7 is not in the vocabulary \(0..0\)"),
    (lambda: sequences.truncated_bptt_batches(np.arange(20.0), 2, 3),
     "truncated_bptt_batches: ids must be a 1-D integer"),
    (lambda: sequences.truncated_bptt_batches(np.arange(20), 4, 5),
     "truncated_bptt_batches: 20 ids give 4 streams of 4 steps, shorter than one chunk of time_size=5"),
    (lambda: sequences.truncated_bptt_batches(np.arange(20), 0, 5),
     "truncated_bptt_batches: batch_size must be an integer ≥ 1, got 0"),
    (lambda: sequences.addition_problems(101, digits=1),
     "addition_problems: there are only 100 distinct questions with digits=1, asked for n=101"),
    (lambda: sequences.addition_problems(10, digits=0), "addition_problems: digits must be an integer ≥ 1, got 0"),
    (lambda: sequences.digit_problems(10, 4, "shuffle"),
     r"digit_problems: task must be one of \('copy', 'reverse', 'sort'\), got 'shuffle'"),
    (lambda: sequences.digit_problems(6, 1, "copy"), "digit_problems: asked for n=6 distinct strings of 1 digits"),
    (lambda: sequences.pad_sequences([[1, 2, 3]], 0, length=2),
     "pad_sequences: a sequence has 3 ids, longer than length=2"),
    (lambda: sequences.pad_sequences([], 0), "pad_sequences: sequences must be a non-empty list"),
    (lambda: sequences.pad_sequences([[0.5]], 0), "pad_sequences: sequences must be a non-empty list of 1-D integer"),
    (lambda: sequences.Vocabulary(""), "Vocabulary: characters must hold at least one character"),
    (lambda: sequences.Vocabulary("0123").encode("12a"), "Vocabulary.encode: characters not in the vocabulary: 'a'"),
    (lambda: sequences.Vocabulary("0123").encode_batch("12"), "Vocabulary.encode_batch: texts must be a list"),
    (lambda: sequences.Vocabulary("01").decode([0, 5]), r"Vocabulary.decode: ids must lie in 0..4"),
    (lambda: sequences.Vocabulary("01").decode_batch([1, 2]), r"Vocabulary.decode_batch: ids must be a batch \(N, T\)"),
])
def test_bad_input_is_rejected_by_name(call, message):
    with pytest.raises(ValueError, match=message):
        call()
