"""Typical learner mistakes in 14_rnn and the graded cells each one must fail.

Each entry: the answer cells it replaces in an otherwise correct submission
(grade id → source), and the set of graded test cells that must then fail.
"""

_JORDAN = '''def jordan_bptt(xs, ds, Wx, Wy, b, Wo, c):
    n, T, _ = xs.shape
    y = np.zeros((n, Wo.shape[1]), dtype={dtype})
    hs, ys, fed_back = [], [], []
    for t in range(T):
        fed_back.append(y)
        h = np.tanh(xs[:, t] @ Wx + y @ Wy + b)
        y = h @ Wo + c
        hs.append(h)
        ys.append(y)
    dWx, dWy, db, dWo, dc = ({zeros} for p in (Wx, Wy, b, Wo, c))
    du_next = np.zeros((n, Wx.shape[1]), dtype={dtype})
    for t in {order}:
        dy = {dy}
        dWo += hs[t].T @ dy
        dc += {dc}
        du = {du}
        dWx {accumulate} xs[:, t].T @ du
        dWy += {fed}.T @ du
        db += du.sum(axis=0)
        du_next = du
    return dWx, dWy, db, dWo, dc
'''


def jordan(dtype="xs.dtype", zeros="np.zeros_like(p)", order="reversed(range(T))",
           dy="(ys[t] - ds[:, t]) / n + du_next @ Wy.T", dc="dy.sum(axis=0)", du="(dy @ Wo.T) * (1 - hs[t] ** 2)",
           accumulate="+=", fed="fed_back[t]"):
    """The model answer of jordan_bptt with one piece replaced."""
    return _JORDAN.format(dtype=dtype, zeros=zeros, order=order, dy=dy, dc=dc, du=du, accumulate=accumulate, fed=fed)


_PERPLEXITY = '''def perplexity(scores, ts, ignore_label=-1):
    scores = np.asarray(scores, dtype=np.float64)
    ts = np.asarray(ts)
    keep = {keep}
    if not keep.any():
        {empty}
    shifted = {shifted}
    log_probs = {log_probs}
    labels = {labels}
    picked = np.take_along_axis(log_probs, labels[..., None], axis=-1)[..., 0]
    return {result}
'''


def ppl(keep="ts != ignore_label", empty='raise ValueError("perplexity: ignore_label でない位置がありません")',
        shifted="scores - scores.max(axis=-1, keepdims=True)",
        log_probs="shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))",
        labels="np.where(keep, ts, 0)", result="float(np.exp(-picked[keep].mean()))"):
    """The model answer of perplexity with one piece replaced."""
    return _PERPLEXITY.format(keep=keep, empty=empty, shifted=shifted, log_probs=log_probs, labels=labels,
                              result=result)


_CLIP = '''def clip_grads_by_norm(grads, max_norm):
    total = {total}
    if {condition}:
        rate = max_norm / total
        {scale}
    return {result}
'''


def clip(total="float(np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in grads)))",
         condition="total > max_norm", scale="for g in grads:\n            g *= rate", result="total"):
    """The model answer of clip_grads_by_norm with one piece replaced."""
    return _CLIP.format(total=total, condition=condition, scale=scale, result=result)


JORDAN = {"test_jordan_bptt_basic", "test_jordan_bptt_hidden"}
PPL = {"test_perplexity_basic", "test_perplexity_hidden"}
CLIP = {"test_clip_grads_by_norm_basic", "test_clip_grads_by_norm_hidden"}

MISTAKES = {
    "jordan_forgets_the_path_through_the_next_hidden_layer": (
        {"ex_jordan_bptt": jordan(dy="(ys[t] - ds[:, t]) / n")},
        JORDAN,
    ),
    "jordan_pairs_dWy_with_the_current_output": (
        {"ex_jordan_bptt": jordan(fed="ys[t]")},
        JORDAN,
    ),
    "jordan_takes_tanh_of_the_output_for_the_derivative": (
        {"ex_jordan_bptt": jordan(du="(dy @ Wo.T) * (1 - np.tanh(hs[t]) ** 2)")},
        JORDAN,
    ),
    "jordan_walks_forward_in_time_in_backward": (
        {"ex_jordan_bptt": jordan(order="range(T)")},
        JORDAN,
    ),
    "jordan_forgets_the_batch_mean": (
        {"ex_jordan_bptt": jordan(dy="(ys[t] - ds[:, t]) + du_next @ Wy.T")},
        {"test_jordan_bptt_hidden"},
    ),
    "jordan_bias_of_the_output_sees_only_the_local_error": (
        {"ex_jordan_bptt": jordan(dc="((ys[t] - ds[:, t]) / n).sum(axis=0)")},
        JORDAN,
    ),
    "jordan_overwrites_dWx_instead_of_summing_over_time": (
        {"ex_jordan_bptt": jordan(accumulate="=")},
        JORDAN,
    ),
    "jordan_upcasts_float32": (
        {"ex_jordan_bptt": jordan(dtype="np.float64", zeros="np.zeros(p.shape)")},
        {"test_jordan_bptt_hidden"},
    ),
    "jordan_through_dlcore_rnn_cells": (
        {"ex_jordan_bptt": "from dlcore import recurrent\n\n"
                           "def jordan_bptt(xs, ds, Wx, Wy, b, Wo, c):\n"
                           "    n, T, _ = xs.shape\n"
                           "    y = np.zeros((n, Wo.shape[1]), dtype=xs.dtype)\n"
                           "    cells, hs, ys = [], [], []\n"
                           "    for t in range(T):\n"
                           "        cell = recurrent.RNN(Wx, Wy, b)\n"
                           "        h = cell.forward(xs[:, t], y)\n"
                           "        y = h @ Wo + c\n"
                           "        cells.append(cell)\n"
                           "        hs.append(h)\n"
                           "        ys.append(y)\n"
                           "    dWx, dWy, db, dWo, dc = (np.zeros_like(p) for p in (Wx, Wy, b, Wo, c))\n"
                           "    dy_next = np.zeros_like(y)\n"
                           "    for t in reversed(range(T)):\n"
                           "        dy = (ys[t] - ds[:, t]) / n + dy_next\n"
                           "        dWo += hs[t].T @ dy\n"
                           "        dc += dy.sum(axis=0)\n"
                           "        _, dy_next = cells[t].backward(dy @ Wo.T)\n"
                           "        dWx += cells[t].grads[0]\n"
                           "        dWy += cells[t].grads[1]\n"
                           "        db += cells[t].grads[2]\n"
                           "    return dWx, dWy, db, dWo, dc\n"},
        JORDAN,
    ),
    "perplexity_averages_over_the_padding_too": (
        {"ex_perplexity": ppl(result="float(np.exp(-np.where(keep, picked, 0).sum() / picked.size))")},
        PPL,
    ),
    "perplexity_reads_the_padding_label_as_the_last_word": (
        {"ex_perplexity": ppl(labels="ts", result="float(np.exp(-picked.mean()))")},
        PPL,
    ),
    "perplexity_without_the_max_trick": (
        {"ex_perplexity": ppl(shifted="scores")},
        {"test_perplexity_hidden"},
    ),
    "perplexity_log_of_softmax_plus_a_small_constant": (
        {"ex_perplexity": ppl(log_probs="np.log(np.exp(shifted) / np.exp(shifted).sum(axis=-1, keepdims=True)"
                                        " + 1e-7)")},
        {"test_perplexity_hidden"},
    ),
    "perplexity_exponentiates_the_sum_not_the_mean": (
        {"ex_perplexity": ppl(result="float(np.exp(-picked[keep].sum()))")},
        PPL,
    ),
    "perplexity_returns_the_cross_entropy": (
        {"ex_perplexity": ppl(result="float(-picked[keep].mean())")},
        PPL,
    ),
    "perplexity_softmax_over_the_time_axis": (
        {"ex_perplexity": ppl(shifted="scores - scores.max(axis=1, keepdims=True)",
                              log_probs="shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))")},
        PPL,
    ),
    "perplexity_returns_nan_when_everything_is_padding": (
        {"ex_perplexity": ppl(empty="return float('nan')")},
        {"test_perplexity_hidden"},
    ),
    "perplexity_through_dlcore": (
        {"ex_perplexity": "from dlcore.recurrent import TimeSoftmaxWithLoss\n\n"
                          "def perplexity(scores, ts, ignore_label=-1):\n"
                          "    return float(np.exp(TimeSoftmaxWithLoss(ignore_label=ignore_label).forward(scores, ts)))\n"},
        PPL,
    ),
    "clip_each_array_by_its_own_norm": (
        {"ex_clip_grads_by_norm": clip(scale="for g in grads:\n"
                                             "            own = np.sqrt(np.sum(g ** 2))\n"
                                             "            if own > max_norm:\n"
                                             "                g *= max_norm / own")},
        CLIP,
    ),
    "clip_always_rescales_to_max_norm": (
        {"ex_clip_grads_by_norm": clip(condition="total > 0")},
        {"test_clip_grads_by_norm_hidden"},
    ),
    "clip_builds_new_arrays_instead_of_in_place": (
        {"ex_clip_grads_by_norm": clip(scale="grads = [g * rate for g in grads]")},
        CLIP,
    ),
    "clip_returns_the_norm_after_clipping": (
        {"ex_clip_grads_by_norm": clip(result="min(total, max_norm)")},
        CLIP,
    ),
    "clip_forgets_the_square_root": (
        {"ex_clip_grads_by_norm": clip(total="float(sum(np.sum(np.square(g, dtype=np.float64)) for g in grads))")},
        CLIP,
    ),
    "clip_by_value_instead_of_by_norm": (
        {"ex_clip_grads_by_norm": clip(scale="for g in grads:\n            np.clip(g, -max_norm, max_norm, out=g)")},
        CLIP,
    ),
    "clip_through_dlcore": (
        {"ex_clip_grads_by_norm": "from dlcore import recurrent\n\n"
                                  "def clip_grads_by_norm(grads, max_norm):\n"
                                  "    return float(recurrent.clip_grads_by_norm(grads, max_norm))\n"},
        CLIP,
    ),
    "check_questions_answered_wrongly": (
        {"q1": "answer_q1 = 468\n",                # the Elman count: H × H recurrent weights instead of O × H
         "q2": "answer_q2 = 1.312\n",              # only the last step δ³ z² of the sum over time
         "q3": "answer_q3 = 6.0\n",                # each array clipped by its own norm (‖g1‖ = 10 < 13)
         "q4": "answer_q4 = 4.5\n",                # the arithmetic mean of 1/p instead of the geometric mean
         "q5": "answer_q5 = 1\n"},                 # the state is carried over, only the gradient stops
        {"test_q1", "test_q2", "test_q3", "test_q4", "test_q5"},
    ),
}
