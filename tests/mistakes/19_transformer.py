"""Typical learner mistakes in 19_transformer and the graded cells each one must fail.

Each entry: the answer cells it replaces in an otherwise correct submission
(grade id → source), and the set of graded test cells that must then fail.
"""

_MHA = '''def multi_head_attention(query, key, value, W_Q, W_K, W_V, W_O, num_heads, mask=None):
    d = W_Q.shape[0]
    {check}
    d_k = d // num_heads

    def split(x):
        return {split}

    Q, K, V = split(query @ W_Q), split(key @ W_K), split(value @ W_V)
    scores = Q @ K.transpose(0, 1, 3, 2) / {scale}
    {masking}
    e = {exp}
    weights = {weights}
    heads = weights @ V
    joined = {join}
    return {out}, weights
'''
_HEADS_CHECK = ("if not isinstance(num_heads, (int, np.integer)) or isinstance(num_heads, bool) or num_heads < 1 \\\n"
                "            or d % num_heads:\n"
                "        raise ValueError('num_heads は d を割り切る正の整数です')")


def mha(check=_HEADS_CHECK, split="x.reshape(x.shape[0], x.shape[1], num_heads, d_k).transpose(0, 2, 1, 3)",
        scale="np.sqrt(d_k).astype(Q.dtype)",
        masking="if mask is not None:\n        scores = np.where(np.expand_dims(mask, -3), scores, -np.inf)",
        exp="np.exp(scores - scores.max(axis=-1, keepdims=True))", weights="e / e.sum(axis=-1, keepdims=True)",
        join="heads.transpose(0, 2, 1, 3).reshape(query.shape[0], query.shape[1], d)", out="joined @ W_O"):
    """The model answer of multi_head_attention with one piece replaced."""
    return _MHA.format(check=check, split=split, scale=scale, masking=masking, exp=exp, weights=weights, join=join,
                       out=out)


_SHIFT = '''def shift_matrix(k, d_model):
    {check}
    angle = {angle}
    c, s = np.cos(angle), np.sin(angle)
    M = np.zeros((d_model, d_model))
    even = np.arange(0, d_model, 2)
    {first_row}
    {second_row}
    return M
'''
_EVEN_CHECK = ("if not isinstance(d_model, (int, np.integer)) or isinstance(d_model, bool) or d_model < 2 "
               "or d_model % 2:\n        raise ValueError('d_model は正の偶数です')")


def shift(check=_EVEN_CHECK, angle="k / 10000 ** (np.arange(0, d_model, 2) / d_model)",
          first_row="M[even, even], M[even, even + 1] = c, -s", second_row="M[even + 1, even], M[even + 1, even + 1] = s, c"):
    """The model answer of shift_matrix with one piece replaced."""
    return _SHIFT.format(check=check, angle=angle, first_row=first_row, second_row=second_row)


MHA = {"test_multi_head_attention_basic", "test_multi_head_attention_hidden"}
SHIFT = {"test_shift_matrix_basic", "test_shift_matrix_hidden"}

MISTAKES = {
    "mha_scales_by_the_square_root_of_d_not_d_k": (
        {"ex_multi_head_attention": mha(scale="np.sqrt(d).astype(Q.dtype)")},
        MHA,
    ),
    "mha_does_not_scale_the_scores": (
        {"ex_multi_head_attention": mha(scale="1")},
        MHA,
    ),
    "mha_splits_the_heads_by_reshape_without_swapping_axes": (
        {"ex_multi_head_attention": mha(split="x.reshape(x.shape[0], num_heads, x.shape[1], d_k)")},
        MHA,
    ),
    "mha_joins_the_heads_by_reshape_without_swapping_axes": (
        {"ex_multi_head_attention": mha(join="heads.reshape(query.shape[0], query.shape[1], d)")},
        MHA,
    ),
    "mha_takes_the_softmax_over_the_queries": (
        {"ex_multi_head_attention": mha(exp="np.exp(scores - scores.max(axis=-2, keepdims=True))",
                                        weights="e / e.sum(axis=-2, keepdims=True)")},
        MHA,
    ),
    "mha_forgets_the_output_projection": (
        {"ex_multi_head_attention": mha(out="joined")},
        MHA,
    ),
    "mha_masks_after_the_softmax_without_renormalising": (
        {"ex_multi_head_attention": mha(masking="pass", weights="e / e.sum(axis=-1, keepdims=True) * "
                                                              "(1 if mask is None else np.expand_dims(mask, -3))")},
        {"test_multi_head_attention_hidden"},
    ),
    "mha_reads_true_as_masked": (
        {"ex_multi_head_attention": mha(masking="if mask is not None:\n"
                                                "        scores = np.where(np.expand_dims(mask, -3), -np.inf, scores)")},
        {"test_multi_head_attention_hidden"},
    ),
    "mha_softmax_without_the_max_trick_overflows": (
        {"ex_multi_head_attention": mha(exp="np.exp(scores)")},
        {"test_multi_head_attention_hidden"},
    ),
    "mha_upcasts_float32": (
        {"ex_multi_head_attention": mha(scale="np.sqrt(d_k)")},
        {"test_multi_head_attention_hidden"},
    ),
    "mha_accepts_heads_that_do_not_divide_d": (
        {"ex_multi_head_attention": mha(check="num_heads = int(num_heads)")},
        {"test_multi_head_attention_hidden"},
    ),
    "mha_through_dlcore": (
        {"ex_multi_head_attention": "from dlcore import attention\n\n"
                                    "def multi_head_attention(query, key, value, W_Q, W_K, W_V, W_O, num_heads, "
                                    "mask=None):\n"
                                    "    layer = attention.MultiHeadAttention(W_Q.shape[0], num_heads, dtype=query.dtype, "
                                    "bias=False)\n"
                                    "    for p, W in zip(layer.params, (W_Q, W_K, W_V, W_O)):\n"
                                    "        p[...] = W\n"
                                    "    return layer.forward(query, key, value, mask), layer.weights\n"},
        MHA,
    ),
    "shift_uses_the_rotation_for_a_column_vector": (
        {"ex_shift_matrix": shift(first_row="M[even, even], M[even, even + 1] = c, s",
                                  second_row="M[even + 1, even], M[even + 1, even + 1] = -s, c")},
        SHIFT,
    ),
    "shift_writes_i_instead_of_2i_in_the_frequency": (
        {"ex_shift_matrix": shift(angle="k / 10000 ** (np.arange(d_model // 2) / d_model)")},
        SHIFT,
    ),
    "shift_multiplies_by_10000_to_the_power": (
        {"ex_shift_matrix": shift(angle="k * 10000 ** (np.arange(0, d_model, 2) / d_model)")},
        SHIFT,
    ),
    "shift_forgets_k": (
        {"ex_shift_matrix": shift(angle="1 / 10000 ** (np.arange(0, d_model, 2) / d_model)")},
        SHIFT,
    ),
    "shift_places_sin_and_cos_in_halves": (
        {"ex_shift_matrix": shift(first_row="half = d_model // 2\n"
                                            "    M[:half, :half], M[:half, half:] = np.diag(c), -np.diag(s)",
                                  second_row="M[half:, :half], M[half:, half:] = np.diag(s), np.diag(c)")},
        SHIFT,
    ),
    "shift_takes_the_absolute_value_of_k": (
        {"ex_shift_matrix": shift(angle="abs(k) / 10000 ** (np.arange(0, d_model, 2) / d_model)")},
        {"test_shift_matrix_hidden"},
    ),
    "shift_accepts_an_odd_d": (
        {"ex_shift_matrix": shift(check="d_model = int(d_model)")},
        {"test_shift_matrix_hidden"},
    ),
    "shift_through_dlcore": (
        {"ex_shift_matrix": "from dlcore import attention\n\n"
                            "def shift_matrix(k, d_model):\n"
                            "    pe = attention.positional_encoding(20000 + abs(k), d_model, dtype=np.float64)\n"
                            "    if k < 0:\n"
                            "        return np.linalg.lstsq(pe[-k:], pe[:len(pe) + k], rcond=None)[0]\n"
                            "    return np.linalg.lstsq(pe[:len(pe) - k], pe[k:], rcond=None)[0]\n"},
        SHIFT,
    ),
    "check_questions_answered_wrongly": (
        {"q1": "answer_q1 = 591360\n",             # 4d² + 4d: the biases counted although there are none
         "q2": "answer_q2 = 49728\n",              # the two layer normalisations forgotten
         "q3": "answer_q3 = 15\n",                 # the diagonal forgotten: a query may attend to itself
         "q4": "answer_q4 = 0.909297\n",           # sin(2): ω_1 taken as 1, like the first pair
         "q5": "answer_q5 = 0.125\n"},             # one position in eight, as if the answers were guessed
        {"test_q1", "test_q2", "test_q3", "test_q4", "test_q5"},
    ),
}
