"""Typical learner mistakes in 18_attention and the graded cells each one must fail.

Each entry: the answer cells it replaces in an otherwise correct submission
(grade id → source), and the set of graded test cells that must then fail.
"""

_BACKWARD = '''def attention_backward(Q, K, V, dout, mask=None):
    _, A = {forward}
    dV = {dV}
    dA = {dA}
    dS = {dS}
    dS = dS * {scale}
    return {result}
'''


def backward(forward="attention_forward(Q, K, V, mask)", dV="np.swapaxes(A, -1, -2) @ dout",
             dA="dout @ np.swapaxes(V, -1, -2)", dS="A * (dA - np.sum(dA * A, axis=-1, keepdims=True))",
             scale="Q.dtype.type(1 / np.sqrt(Q.shape[-1]))", result="dS @ K, np.swapaxes(dS, -1, -2) @ Q, dV"):
    """The model answer of attention_backward with one piece replaced."""
    return _BACKWARD.format(forward=forward, dV=dV, dA=dA, dS=dS, scale=scale, result=result)


_NAIVE_SOFTMAX = '''def attention_backward(Q, K, V, dout, mask=None):
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    e = np.exp(scores)
    A = e / np.sum(e, axis=-1, keepdims=True)
    dV = np.swapaxes(A, -1, -2) @ dout
    dA = dout @ np.swapaxes(V, -1, -2)
    dS = A * (dA - np.sum(dA * A, axis=-1, keepdims=True)) / np.sqrt(Q.shape[-1])
    return dS @ K, np.swapaxes(dS, -1, -2) @ Q, dV
'''

_ADDITIVE = '''def additive_attention(query, keys, values, W_q, W_k, w, mask=None):
    hidden = {hidden}
    scores = {scores}
    if mask is not None:
        scores = {masked}
    top = np.max(scores, axis={axis}, keepdims=True)
    e = np.exp(scores - {shift})
    total = np.sum(e, axis={axis}, keepdims=True)
    weights = {weights}
    return {context}, weights
'''


def additive(hidden="np.tanh((query @ W_q)[:, None, :] + keys @ W_k)", scores="hidden @ w",
             masked="np.where(mask, scores, -np.inf)", axis="1", shift="np.where(np.isfinite(top), top, 0)",
             weights="e / np.where(total == 0, 1, total)", context="np.sum(weights[:, :, None] * values, axis=1)"):
    """The model answer of additive_attention with one piece replaced."""
    return _ADDITIVE.format(hidden=hidden, scores=scores, masked=masked, axis=axis, shift=shift, weights=weights,
                            context=context)


BACKWARD = {"test_attention_backward_basic", "test_attention_backward_hidden"}
ADDITIVE = {"test_additive_attention_basic", "test_additive_attention_hidden"}

MISTAKES = {
    "backward_forgets_the_scale": (
        {"ex_attention_backward": backward(scale="1")},
        BACKWARD,
    ),
    "backward_divides_by_d_k_instead_of_its_root": (
        {"ex_attention_backward": backward(scale="Q.dtype.type(1 / Q.shape[-1])")},
        BACKWARD,
    ),
    "backward_drops_the_softmax_correction": (
        {"ex_attention_backward": backward(dS="A * dA")},
        BACKWARD,
    ),
    "backward_sums_the_softmax_correction_over_the_queries": (
        {"ex_attention_backward": backward(dS="A * (dA - np.sum(dA * A, axis=-2, keepdims=True))")},
        BACKWARD,
    ),
    "backward_forgets_to_transpose_A_for_dV": (
        {"ex_attention_backward": backward(dV="A @ dout")},
        BACKWARD,
    ),
    "backward_forgets_to_transpose_dS_for_dK": (
        {"ex_attention_backward": backward(result="dS @ K, dS @ Q, dV")},
        BACKWARD,
    ),
    "backward_ignores_the_mask": (
        {"ex_attention_backward": backward(forward="attention_forward(Q, K, V)")},
        BACKWARD,
    ),
    "backward_returns_the_gradients_in_the_wrong_order": (
        {"ex_attention_backward": backward(result="dV, np.swapaxes(dS, -1, -2) @ Q, dS @ K")},
        BACKWARD,
    ),
    "backward_transposes_three_axes_only": (
        {"ex_attention_backward": backward(dV="A.transpose(0, 2, 1) @ dout", dA="dout @ V.transpose(0, 2, 1)",
                                           result="dS @ K, dS.transpose(0, 2, 1) @ Q, dV")},
        {"test_attention_backward_hidden"},
    ),
    "backward_upcasts_float32": (
        {"ex_attention_backward": backward(scale="1 / np.sqrt(Q.shape[-1])")},
        {"test_attention_backward_hidden"},
    ),
    "backward_divides_zero_by_zero_in_a_fully_masked_row": (
        {"ex_attention_backward": _NAIVE_SOFTMAX},
        {"test_attention_backward_hidden"},
    ),
    "backward_through_dlcore": (
        {"ex_attention_backward": "from dlcore.attention import ScaledDotProductAttention\n\n"
                                  "def attention_backward(Q, K, V, dout, mask=None):\n"
                                  "    layer = ScaledDotProductAttention()\n"
                                  "    layer.forward(Q, K, V, mask)\n"
                                  "    return layer.backward(dout)\n"},
        BACKWARD,
    ),
    "additive_forgets_the_tanh": (
        {"ex_additive_attention": additive(hidden="(query @ W_q)[:, None, :] + keys @ W_k")},
        ADDITIVE,
    ),
    "additive_sums_the_hidden_units_instead_of_using_w": (
        {"ex_additive_attention": additive(scores="hidden.sum(axis=-1)")},
        ADDITIVE,
    ),
    "additive_swaps_W_q_and_W_k": (
        {"ex_additive_attention": additive(hidden="np.tanh((query @ W_k)[:, None, :] + keys @ W_q)")},
        ADDITIVE,
    ),
    "additive_normalises_over_the_batch": (
        {"ex_additive_attention": additive(axis="0")},
        ADDITIVE,
    ),
    "additive_ignores_the_mask": (
        {"ex_additive_attention": additive(masked="scores")},
        ADDITIVE,
    ),
    "additive_masks_after_the_softmax_without_renormalising": (
        {"ex_additive_attention": additive(masked="scores",
                                           weights="e / np.where(total == 0, 1, total) * (1 if mask is None else mask)")},
        ADDITIVE,
    ),
    "additive_weights_the_keys_instead_of_the_values": (
        {"ex_additive_attention": additive(context="np.sum(weights[:, :, None] * keys, axis=1)")},
        ADDITIVE,
    ),
    "additive_overflows_without_the_max_trick": (
        {"ex_additive_attention": additive(shift="0")},
        {"test_additive_attention_hidden"},
    ),
    "additive_divides_zero_by_zero_in_a_fully_masked_row": (
        {"ex_additive_attention": additive(shift="top", weights="e / total")},
        {"test_additive_attention_hidden"},
    ),
    "additive_adds_minus_1e9_and_averages_a_fully_masked_row": (
        {"ex_additive_attention": additive(masked="np.where(mask, scores, -1e9)")},
        {"test_additive_attention_hidden"},
    ),
    "additive_upcasts_float32": (
        {"ex_additive_attention": additive(weights="(e / np.where(total == 0, 1, total)).astype(np.float64)")},
        {"test_additive_attention_hidden"},
    ),
    "additive_through_dlcore": (
        {"ex_additive_attention": additive(masked="scores", weights="_masked_softmax(scores, mask)").replace(
            "def additive_attention", "from dlcore.attention import _masked_softmax\n\ndef additive_attention", 1)},
        ADDITIVE,
    ),
    "check_questions_answered_wrongly": (
        {"q1": "answer_q1 = 4.0\n",                 # the mean of y, as if σ were very large
         "q2": "answer_q2 = 144.0\n",               # the variance d_k, not its square root
         "q3": "answer_q3 = 36\n",                  # the causal mask alone, padding forgotten
         "q4": "answer_q4 = 0.0\n",                 # dlcore's 0 for a fully masked row, not −1e9's mean
         "q5": "answer_q5 = 98304\n"},              # W_q and W_k only, w forgotten
        {"test_q1", "test_q2", "test_q3", "test_q4", "test_q5"},
    ),
}
