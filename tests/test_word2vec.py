"""dlcore.word2vec: training pairs, the template corpus, the sampler, gradient checks, similarity, errors."""

import numpy as np
import pytest

from dlcore import optimizers, training, word2vec
from dlcore.gradcheck import parameter_gradient, relative_error

RNG = np.random.default_rng(0)
V, D = 7, 4
TORCH_REASON = "PyTorch is not installed (optional: pip install torch==2.13.0)"


def sampler(seed=0, counts=(5, 1, 3, 8, 2, 4, 1)):
    return word2vec.UnigramSampler(np.array(counts), seed=seed)


# --- training pairs and the corpus -------------------------------------------------------------------

def test_contexts_and_targets_take_every_whole_window_in_order():
    corpus = np.array([0, 1, 2, 3, 4, 1, 5])
    contexts, targets = word2vec.contexts_and_targets(corpus, window_size=2)
    np.testing.assert_array_equal(targets, [2, 3, 4])
    np.testing.assert_array_equal(contexts, [[0, 1, 3, 4], [1, 2, 4, 1], [2, 3, 1, 5]])
    contexts, targets = word2vec.contexts_and_targets(corpus)
    assert contexts.shape == (5, 2) and contexts.dtype == np.intp
    np.testing.assert_array_equal(contexts[0], [0, 2])


def test_vocabulary_numbers_words_in_order_of_first_appearance():
    word_to_id, id_to_word = word2vec.word_vocabulary("you say goodbye and i say hello".split())
    assert word_to_id["you"] == 0 and word_to_id["say"] == 1 and id_to_word[5] == "hello" and len(word_to_id) == 6
    np.testing.assert_array_equal(word2vec.encode_words(["say", "you"], word_to_id), [1, 0])


def test_template_corpus_repeats_with_its_seed_and_follows_the_templates():
    words = word2vec.template_corpus(600, seed=3)
    assert words == word2vec.template_corpus(600, seed=3) and words != word2vec.template_corpus(600, seed=4)
    assert words.count("。") == 600
    sentences = " ".join(words).split(" 。")[:-1]
    royal = word2vec.MARKERS["rank"]["royal"]
    for sentence in sentences:
        tokens = sentence.split()
        noun = tokens[2] if tokens[1] == "は" and tokens[3] == "だ" else tokens[0]
        gender, rank, age = word2vec.NOUNS[noun]
        if tokens[-1] == "住む":
            assert (tokens[2] in royal) == (rank == "royal")
        if tokens[-1] == "だ":
            assert tokens[0] == ("彼" if gender == "male" else "彼女")
        if tokens[-1] == "行く" and age is not None:
            assert tokens[2] in word2vec.MARKERS["age"][age]


def test_twins_get_the_same_contexts_and_the_others_do_not():
    """兄 and 弟 (and 姉, 妹) have the same context distribution up to sampling noise; 王 and 王子 do not."""
    words = word2vec.template_corpus(20000, seed=0)
    word_to_id, _ = word2vec.word_vocabulary(words)
    contexts, targets = word2vec.contexts_and_targets(word2vec.encode_words(words, word_to_id), 2)

    def profile(word):
        counts = np.bincount(contexts[targets == word_to_id[word]].ravel(), minlength=len(word_to_id))
        return counts / counts.sum()

    assert np.abs(profile("兄") - profile("弟")).max() < 0.02 and np.abs(profile("姉") - profile("妹")).max() < 0.02
    assert np.abs(profile("王") - profile("王子")).max() > 0.03


def test_template_analogies_change_one_property_the_same_way():
    questions = word2vec.template_analogies()
    assert {k: len(v) for k, v in questions.items()} == {"one_property": 72, "twin_answer": 16, "twin_pair": 4}
    assert ("男", "女", "王", "女王") in questions["one_property"]
    assert ("男", "女", "兄", "姉") in questions["twin_answer"]
    for a, b, c, d in questions["one_property"]:
        changed = [i for i in range(3) if word2vec.NOUNS[a][i] != word2vec.NOUNS[b][i]]
        assert len(changed) == 1 and len({a, b, c, d}) == 4
        assert [word2vec.NOUNS[c][i] != word2vec.NOUNS[d][i] for i in range(3)] == [i in changed for i in range(3)]
        assert word2vec.NOUNS[a][changed[0]] == word2vec.NOUNS[c][changed[0]]


# --- the sampler ------------------------------------------------------------------------------------

def test_sampler_frequencies_follow_the_counts_to_the_power_075():
    counts = np.array([100, 10, 1, 0, 50, 5])
    s = word2vec.UnigramSampler(counts, power=0.75, seed=1)
    q = np.where(counts > 0, counts ** 0.75, 0) / np.sum(counts[counts > 0] ** 0.75)
    np.testing.assert_allclose(s.p, q, rtol=1e-12)
    n = 400_000
    freq = np.bincount(s.sample(n).ravel(), minlength=len(counts)) / n
    assert freq[3] == 0
    assert np.all(np.abs(freq - q) < 5 * np.sqrt(q * (1 - q) / n) + 1e-12), (freq, q)


def test_sampler_never_draws_the_excluded_id_and_renormalises_the_rest():
    s = word2vec.UnigramSampler(np.array([100, 10, 1, 50]), seed=2)
    exclude = np.zeros((50_000,), dtype=np.int64)          # word 0 holds most of the probability
    drawn = s.sample(4, exclude=exclude)
    assert drawn.shape == (50_000, 4) and not np.any(drawn == 0)
    q = s.p[1:] / s.p[1:].sum()
    freq = np.bincount(drawn.ravel(), minlength=4)[1:] / drawn.size
    assert np.all(np.abs(freq - q) < 5 * np.sqrt(q * (1 - q) / drawn.size))
    rows = RNG.integers(4, size=(30, 3))
    assert not np.any(s.sample(6, exclude=rows) == rows[..., None])


def test_sampler_with_power_0_is_uniform_over_the_words_that_occur():
    np.testing.assert_allclose(word2vec.UnigramSampler(np.array([9, 0, 1, 4]), power=0).p, [1 / 3, 0, 1 / 3, 1 / 3])


# --- gradient checks (float64) ------------------------------------------------------------------------

def _loss_layer(sample_size=3):
    return word2vec.NegativeSamplingLoss(0.5 * RNG.standard_normal((V, D)), sampler(), sample_size)


@pytest.mark.parametrize("target_shape", [(5,), (5, 3)])
def test_negative_sampling_loss_backward_matches_numerical_gradient(target_shape):
    layer = _loss_layer()
    h = RNG.standard_normal((5, D))
    target = RNG.integers(V, size=target_shape)
    target.flat[:2] = 1                                     # a word scored twice adds both gradients
    negatives = layer.sampler.sample(3, exclude=target)

    def scalar():
        return layer.forward(h, target, negatives)

    scalar()
    dh = layer.backward(1.0)
    assert relative_error(dh, parameter_gradient(scalar, h)) < 1e-7
    dW = layer.grads[0].copy()
    assert relative_error(dW, parameter_gradient(scalar, layer.params[0])) < 1e-7


def test_negative_sampling_loss_is_the_formula_and_scales_with_dout():
    layer = _loss_layer(sample_size=2)
    W = layer.params[0]
    h, target, negatives = RNG.standard_normal((2, D)), np.array([3, 0]), np.array([[1, 5], [6, 6]])
    loss = layer.forward(h, target, negatives)

    def log_sigmoid(x):
        return -np.log1p(np.exp(-x))

    want = -sum(log_sigmoid(h[n] @ W[target[n]]) + sum(log_sigmoid(-h[n] @ W[k]) for k in negatives[n])
                for n in range(2)) / 2
    assert loss == pytest.approx(want, rel=1e-12)
    dh = layer.backward(1.0)
    np.testing.assert_allclose(layer.backward(3.0), 3 * dh, rtol=1e-12)


def test_negative_sampling_loss_draws_negatives_that_are_never_the_target():
    layer = _loss_layer(sample_size=5)
    target = RNG.integers(V, size=(200, 2))
    layer.forward(RNG.standard_normal((200, D)), target)
    assert layer.negatives.shape == (200, 2, 5) and not np.any(layer.negatives == target[..., None])


def test_saturated_scores_give_a_finite_loss_and_gradient():
    layer = word2vec.NegativeSamplingLoss(np.full((V, D), 100.0), sampler(), 2)
    loss = layer.forward(np.full((3, D), 100.0), np.array([0, 1, 2]))
    assert np.isfinite(loss) and loss > 1e4
    assert np.all(np.isfinite(layer.backward()))


@pytest.mark.parametrize("kind", [word2vec.CBOW, word2vec.SkipGram])
def test_cbow_and_skip_gram_backward_match_numerical_gradients(kind):
    W_in, W_out = 0.5 * RNG.standard_normal((V, D)), 0.5 * RNG.standard_normal((V, D))
    model = kind(W_in, W_out, sampler(), sample_size=2)
    contexts = RNG.integers(V, size=(6, 4))
    contexts[0] = [2, 2, 3, 2]                              # repeated context words add up
    target = RNG.integers(V, size=6)
    target[:2] = 5
    rows = target if kind is word2vec.CBOW else contexts
    negatives = model.loss_layer.sampler.sample(2, exclude=rows)

    def scalar():
        return model.forward(contexts, target, negatives)

    scalar()
    assert model.backward() is None
    analytic = [g.copy() for g in model.grads]
    for a, p in zip(analytic, model.params):
        assert relative_error(a, parameter_gradient(scalar, p)) < 1e-7


def test_cbow_averages_the_context_vectors():
    W_in = RNG.standard_normal((V, D))
    model = word2vec.CBOW(W_in, RNG.standard_normal((V, D)), sampler(), 1)
    contexts, target = np.array([[1, 4], [2, 2]]), np.array([0, 3])
    model.forward(contexts, target)
    h = model.loss_layer.cache[0]
    np.testing.assert_allclose(h, [(W_in[1] + W_in[4]) / 2, W_in[2]], rtol=1e-12)


@pytest.mark.parametrize("build", [word2vec.cbow_model, word2vec.skip_gram_model])
def test_float32_stays_float32(build):
    model = build(V, D, sampler())
    loss, grads = model.loss_and_gradient(RNG.integers(V, size=(4, 2)), RNG.integers(V, size=4))
    assert isinstance(loss, float) and model.word_vecs.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads)


# --- training on the template corpus -------------------------------------------------------------------

def test_cbow_trained_on_the_template_corpus_solves_the_one_property_analogies():
    words = word2vec.template_corpus(4000, seed=1)
    word_to_id, id_to_word = word2vec.word_vocabulary(words)
    corpus = word2vec.encode_words(words, word_to_id)
    contexts, targets = word2vec.contexts_and_targets(corpus, 2)
    model = word2vec.cbow_model(len(word_to_id), 16, word2vec.UnigramSampler(np.bincount(corpus), seed=1), seed=1)
    history = training.Trainer(model, optimizers.Adam(lr=0.01), batch_size=100, epochs=10, metric=None,
                               progress=False).fit(contexts, targets)
    assert history["loss"][-1] < 0.8 * history["loss"][0]
    questions = word2vec.template_analogies()
    assert word2vec.analogy_accuracy(questions["one_property"], word_to_id, id_to_word, model.word_vecs) > 0.9
    assert word2vec.most_similar("兄", word_to_id, id_to_word, model.word_vecs, top=1)[0][0] == "弟"


# --- similarity -----------------------------------------------------------------------------------------

WORDS = ["a", "b", "c", "d", "e"]
TO_ID, TO_WORD = {w: i for i, w in enumerate(WORDS)}, dict(enumerate(WORDS))
VECS = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 0.2], [1.0, 1.0], [-1.0, 0.0]])


def test_most_similar_ranks_by_cosine_and_leaves_the_word_out():
    ranked = word2vec.most_similar("a", TO_ID, TO_WORD, VECS, top=4)
    assert [w for w, _ in ranked] == ["c", "d", "b", "e"]
    assert ranked[1][1] == pytest.approx(1 / np.sqrt(2)) and ranked[3][1] == pytest.approx(-1)
    np.testing.assert_allclose(np.linalg.norm(word2vec.unit_rows(VECS), axis=1), 1)
    np.testing.assert_array_equal(word2vec.unit_rows(np.zeros((2, 3))), 0)


def test_analogy_adds_the_offset_of_unit_vectors_and_leaves_the_question_out():
    # b − a + c = (0, 1) − (1, 0) + (1, 0) = (0, 1) = b itself, which is left out: the nearest of the rest is d
    assert word2vec.analogy("a", "b", "a", TO_ID, TO_WORD, VECS)[0][0] == "d"
    questions = [("a", "b", "e", "d"), ("a", "e", "b", "d"), ("b", "d", "e", "a")]
    answers = word2vec.analogy_answers(questions, TO_ID, TO_WORD, VECS)
    assert answers == [word2vec.analogy(*q[:3], TO_ID, TO_WORD, VECS)[0][0] for q in questions]
    assert word2vec.analogy_accuracy(questions, TO_ID, TO_WORD, VECS) == pytest.approx(
        np.mean([a == q[3] for a, q in zip(answers, questions)]))


# --- clear errors -----------------------------------------------------------------------------------------

def _forwarded_loss():
    layer = _loss_layer()
    layer.forward(RNG.standard_normal((2, D)), np.array([0, 1]))
    return layer


@pytest.mark.parametrize("call, message", [
    (lambda: word2vec.contexts_and_targets(np.array([0.0, 1.0, 2.0])),
     "contexts_and_targets: corpus must be integer word ids, got float64"),
    (lambda: word2vec.contexts_and_targets(np.array([0, 1, 2]), window_size=0),
     "contexts_and_targets: window_size must be a positive integer, got 0"),
    (lambda: word2vec.contexts_and_targets(np.array([0, 1, 2, 3]), window_size=2),
     "contexts_and_targets: a corpus of 4 words has no whole window of 2 words on each side"),
    (lambda: word2vec.encode_words(["王", "犬"], {"王": 0}), r"encode_words: words not in the vocabulary: \['犬'\]"),
    (lambda: word2vec.template_corpus(0), "template_corpus: n_sentences must be a positive integer"),
    (lambda: word2vec.UnigramSampler(np.array([3, 0, 0])), "UnigramSampler: at least two words need a count > 0"),
    (lambda: word2vec.UnigramSampler(np.array([3, -1, 2])), "UnigramSampler: counts must be a 1-D array of word counts"),
    (lambda: word2vec.UnigramSampler(np.ones((2, 2))), "UnigramSampler: counts must be a 1-D array"),
    (lambda: sampler().sample(2, exclude=np.array([0, 7])), r"UnigramSampler.sample: exclude must lie in 0..6"),
    (lambda: sampler().sample(2.5), "UnigramSampler.sample: size must be an integer ≥ 0"),
    (lambda: sampler().sample((2, 3), exclude=np.array([0])), "UnigramSampler.sample: with exclude, size is the number"),
    (lambda: word2vec.NegativeSamplingLoss(np.ones((V, D)), sampler(counts=(1, 1)), 2),
     "NegativeSamplingLoss: sampler must be a UnigramSampler over the 7 words of W_out"),
    (lambda: word2vec.NegativeSamplingLoss(np.ones((V, D), int), sampler(), 2),
     r"NegativeSamplingLoss: W_out must be a non-empty float array \(V, D\), got int64"),
    (lambda: _loss_layer().forward(np.ones((2, D + 1)), np.array([0, 1])),
     r"NegativeSamplingLoss.forward: h must be a non-empty float array \(N, 4\), got float64 \(2, 5\)"),
    (lambda: _loss_layer().forward(np.ones((2, D)), np.array([0, 1, 2])),
     "NegativeSamplingLoss.forward: 2 hidden vectors h but 3 rows of targets"),
    (lambda: _loss_layer().forward(np.ones((2, D)), np.array([0, 9])),
     r"NegativeSamplingLoss.forward: target must lie in 0..6 \(the vocabulary has 7 words\), got values from 0 to 9"),
    (lambda: _loss_layer().forward(np.ones((2, D)), np.array([0.0, 1.0])),
     "NegativeSamplingLoss.forward: target must be integer word ids"),
    (lambda: _loss_layer().forward(np.ones((2, D)), np.array([0, 1]), np.zeros((2, 2), int)),
     r"NegativeSamplingLoss.forward: negatives must have shape target.shape \+ \(sample_size,\) = \(2, 3\)"),
    (lambda: _loss_layer().backward(), "NegativeSamplingLoss.backward: call forward first"),
    (lambda: _forwarded_loss().backward(np.ones(2)), "NegativeSamplingLoss.backward: dout is the upstream gradient"),
    (lambda: word2vec.CBOW(np.ones((V, D)), np.ones((V, D + 1)), sampler()),
     r"CBOW: W_in and W_out must both be \(V, D\) of one dtype"),
    (lambda: word2vec.cbow_model(V, D, sampler()).forward(np.array([0, 1]), np.array([2, 3])),
     r"CBOW.forward: contexts must be a non-empty array \(N, C\), got shape \(2,\)"),
    (lambda: word2vec.skip_gram_model(V, D, sampler()).forward(np.array([[0, 1]]), np.array([2, 3])),
     "SkipGram.forward: 1 rows of contexts but 2 targets"),
    (lambda: word2vec.skip_gram_model(V, D, sampler()).forward(np.array([[0, 7]]), np.array([2])),
     r"SkipGram.forward: contexts must lie in 0..6"),
    (lambda: word2vec.most_similar("z", TO_ID, TO_WORD, VECS), "most_similar: 'z' is not in the vocabulary"),
    (lambda: word2vec.analogy("a", "b", "z", TO_ID, TO_WORD, VECS), "analogy: 'z' is not in the vocabulary"),
    (lambda: word2vec.most_similar("a", TO_ID, TO_WORD, VECS[0]), r"most_similar: W must be a non-empty float array"),
    (lambda: word2vec.most_similar("a", TO_ID, TO_WORD, VECS, top=0), "most_similar: top must be a positive integer"),
    (lambda: word2vec.analogy_accuracy([], TO_ID, TO_WORD, VECS), "analogy_accuracy: no questions"),
])
def test_bad_input_is_rejected_by_name(call, message):
    with pytest.raises((ValueError, TypeError, RuntimeError), match=message):
        call()


# --- PyTorch's twin (optional) ------------------------------------------------------------------------

def test_negative_sampling_loss_equals_torch_autograd():
    torch = pytest.importorskip("torch", reason=TORCH_REASON)
    layer = _loss_layer(sample_size=4)
    h, target = RNG.standard_normal((6, D)), RNG.integers(V, size=(6, 2))
    negatives = layer.sampler.sample(4, exclude=target)
    loss = layer.forward(h, target, negatives)
    dh = layer.backward()
    th = torch.tensor(h, requires_grad=True)
    tW = torch.tensor(layer.params[0], requires_grad=True)
    positive = (tW[torch.tensor(target)] * th[:, None]).sum(-1)
    negative = (tW[torch.tensor(negatives)] * th[:, None, None]).sum(-1)
    F = torch.nn.functional
    tloss = -(F.logsigmoid(positive).sum() + F.logsigmoid(-negative).sum()) / len(h)
    tloss.backward()
    assert loss == pytest.approx(tloss.detach().item(), rel=1e-12)
    np.testing.assert_allclose(dh, th.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.grads[0], tW.grad.numpy(), rtol=1e-10, atol=1e-12)
