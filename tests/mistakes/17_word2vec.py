"""Typical learner mistakes in 17_word2vec and the graded cells each one must fail.

Each entry: the answer cells it replaces in an otherwise correct submission
(grade id → source), and the set of graded test cells that must then fail.
"""

_BACKWARD = '''def negative_sampling_backward(h, W_out, target, negatives):
    n = {n}
    u_pos, u_neg = W_out[target], W_out[negatives]
    s_pos = np.sum(h * u_pos, axis=1)
    s_neg = np.sum(h[:, None, :] * u_neg, axis=2)
    d_pos = {d_pos}
    d_neg = {d_neg}
    dh = {dh}
    dW_out = np.zeros_like(W_out)
    {scatter}
    return dh, {result}
'''
_ADD_AT = ("np.add.at(dW_out, target, d_pos[:, None] * h)\n"
           "    np.add.at(dW_out, negatives, d_neg[:, :, None] * h[:, None, :])")


def backward(n="len(h)", d_pos="(1 / (1 + np.exp(-s_pos)) - 1) / n", d_neg="1 / (1 + np.exp(-s_neg)) / n",
             dh="d_pos[:, None] * u_pos + np.sum(d_neg[:, :, None] * u_neg, axis=1)", scatter=_ADD_AT,
             result="dW_out"):
    """The model answer of negative_sampling_backward with one piece replaced."""
    return _BACKWARD.format(n=n, d_pos=d_pos, d_neg=d_neg, dh=dh, scatter=scatter, result=result)


_PAIRS = '''def skipgram_pairs(corpus, window):
    {check}
    offsets = {offsets}
    where = np.arange(len(corpus))[:, None] + offsets
    inside = {inside}
    at = np.broadcast_to(np.arange(len(corpus))[:, None], where.shape)
    return corpus[at[inside]], corpus[{context}]
'''
_CHECK = ("if not isinstance(window, (int, np.integer)) or isinstance(window, bool) or window < 1:\n"
          "        raise ValueError('window は正の整数です')")


def pairs(check=_CHECK, offsets="np.concatenate([np.arange(-window, 0), np.arange(1, window + 1)])",
          inside="(where >= 0) & (where < len(corpus))", context="where[inside]"):
    """The model answer of skipgram_pairs with one piece replaced."""
    return _PAIRS.format(check=check, offsets=offsets, inside=inside, context=context)


_NEAREST = '''def nearest_words(W, queries, top):
    if not isinstance(top, (int, np.integer)) or isinstance(top, bool) or not 1 <= top <= len(W) - 1:
        raise ValueError("top は 1 以上 V - 1 以下の整数です")
    norms = np.linalg.norm(W, axis=1, keepdims=True)
    unit = {unit}
    similarities = {similarities}
    {exclude}
    ids = {order}[:, :top]
    return ids, np.take_along_axis(similarities, ids, axis=1)
'''


def nearest(unit="W / np.where(norms == 0, 1, norms)", similarities="unit[queries] @ unit.T",
            exclude="similarities[np.arange(len(queries)), queries] = -np.inf",
            order='np.argsort(-similarities, axis=1, kind="stable")'):
    """The model answer of nearest_words with one piece replaced."""
    return _NEAREST.format(unit=unit, similarities=similarities, exclude=exclude, order=order)


BACKWARD = {"test_negative_sampling_backward_basic", "test_negative_sampling_backward_hidden"}
PAIRS = {"test_skipgram_pairs_basic", "test_skipgram_pairs_hidden"}
NEAREST = {"test_nearest_words_basic", "test_nearest_words_hidden"}

MISTAKES = {
    "backward_forgets_the_mean_over_the_batch": (
        {"ex_negative_sampling_backward": backward(n="1")},
        BACKWARD,
    ),
    "backward_flips_the_sign_of_the_positive_gradient": (
        {"ex_negative_sampling_backward": backward(d_pos="(1 - 1 / (1 + np.exp(-s_pos))) / n")},
        BACKWARD,
    ),
    "backward_labels_the_negatives_1_like_the_positive": (
        {"ex_negative_sampling_backward": backward(d_neg="(1 / (1 + np.exp(-s_neg)) - 1) / n")},
        BACKWARD,
    ),
    "backward_forgets_the_negatives_in_dh": (
        {"ex_negative_sampling_backward": backward(dh="d_pos[:, None] * u_pos")},
        BACKWARD,
    ),
    "backward_takes_the_sigmoid_derivative_instead_of_sigma_minus_y": (
        {"ex_negative_sampling_backward": backward(
            d_pos="-(1 / (1 + np.exp(-s_pos))) * (1 - 1 / (1 + np.exp(-s_pos))) / n",
            d_neg="(1 / (1 + np.exp(-s_neg))) * (1 - 1 / (1 + np.exp(-s_neg))) / n")},
        BACKWARD,
    ),
    "backward_assigns_instead_of_adding_repeated_words": (
        {"ex_negative_sampling_backward": backward(
            scatter="dW_out[target] += d_pos[:, None] * h\n"
                    "    dW_out[negatives] += d_neg[:, :, None] * h[:, None, :]")},
        {"test_negative_sampling_backward_hidden"},
    ),
    "backward_upcasts_float32": (
        {"ex_negative_sampling_backward": backward(result="dW_out.astype(np.float64)")},
        {"test_negative_sampling_backward_hidden"},
    ),
    "backward_through_dlcore": (
        {"ex_negative_sampling_backward": "from dlcore import word2vec\n\n"
                                          "def negative_sampling_backward(h, W_out, target, negatives):\n"
                                          "    layer = word2vec.NegativeSamplingLoss(W_out.copy(), "
                                          "word2vec.UnigramSampler(np.ones(len(W_out))), negatives.shape[1])\n"
                                          "    layer.forward(h, target, negatives)\n"
                                          "    return layer.backward(), layer.grads[0]\n"},
        BACKWARD,
    ),
    "pairs_count_the_target_as_its_own_context": (
        {"ex_skipgram_pairs": pairs(offsets="np.arange(-window, window + 1)")},
        PAIRS,
    ),
    "pairs_drop_the_edges_of_the_corpus": (
        {"ex_skipgram_pairs": pairs(inside="np.broadcast_to((np.arange(len(corpus)) >= window)[:, None] & "
                                           "(np.arange(len(corpus)) < len(corpus) - window)[:, None], where.shape)")},
        PAIRS,
    ),
    "pairs_wrap_around_the_ends": (
        {"ex_skipgram_pairs": pairs(inside="np.ones(where.shape, dtype=bool)", context="where[inside] % len(corpus)")},
        PAIRS,
    ),
    "pairs_look_to_the_right_only": (
        {"ex_skipgram_pairs": pairs(offsets="np.arange(1, window + 1)")},
        PAIRS,
    ),
    "pairs_stop_one_word_short_of_the_window": (
        {"ex_skipgram_pairs": pairs(offsets="np.concatenate([np.arange(-window + 1, 0), np.arange(1, window)])")},
        PAIRS,
    ),
    "pairs_accept_a_window_of_0": (
        {"ex_skipgram_pairs": pairs(check="window = int(window)")},
        {"test_skipgram_pairs_hidden"},
    ),
    "pairs_through_dlcore": (
        {"ex_skipgram_pairs": "from dlcore import word2vec\n\n"
                              "def skipgram_pairs(corpus, window):\n"
                              "    contexts, targets = word2vec.contexts_and_targets(corpus, window)\n"
                              "    return np.repeat(targets, contexts.shape[1]), contexts.ravel()\n"},
        PAIRS,
    ),
    "nearest_keeps_the_query_itself": (
        {"ex_nearest_words": nearest(exclude="pass")},
        NEAREST,
    ),
    "nearest_ranks_by_the_dot_product": (
        {"ex_nearest_words": nearest(unit="W")},
        NEAREST,
    ),
    "nearest_normalises_the_query_only": (
        {"ex_nearest_words": nearest(similarities="unit[queries] @ W.T")},
        NEAREST,
    ),
    "nearest_lists_the_least_similar_first": (
        {"ex_nearest_words": nearest(exclude="similarities[np.arange(len(queries)), queries] = np.inf",
                                     order='np.argsort(similarities, axis=1, kind="stable")')},
        NEAREST,
    ),
    "nearest_divides_a_zero_vector_by_zero": (
        {"ex_nearest_words": nearest(unit="W / norms")},
        {"test_nearest_words_hidden"},
    ),
    "nearest_drops_every_word_with_the_query_vector": (
        {"ex_nearest_words": nearest(exclude="similarities[similarities > 1 - 1e-9] = -np.inf")},
        {"test_nearest_words_hidden"},
    ),
    "nearest_through_dlcore": (
        {"ex_nearest_words": nearest(unit="word2vec.unit_rows(W)").replace(
            "def nearest_words", "from dlcore import word2vec\n\ndef nearest_words", 1)},
        NEAREST,
    ),
    "check_questions_answered_wrongly": (
        {"q1": "answer_q1 = 6000000\n",             # W_in only, as if W_out were not a parameter
         "q2": "answer_q2 = 1 / 98\n",              # the plain unigram probability, without the 0.75 power
         "q3": "answer_q3 = 5000.0\n",              # K = 10 scores, forgetting the positive one
         "q4": "answer_q4 = 2.0\n",                 # summed, not averaged: the 1/C of the mean forgotten
         "q5": "answer_q5 = 4\n"},                  # b − a + c without unit vectors
        {"test_q1", "test_q2", "test_q3", "test_q4", "test_q5"},
    ),
}
