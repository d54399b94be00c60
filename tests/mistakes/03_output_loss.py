"""Typical learner mistakes in 03_output_loss and the graded cells each one must fail.

Each entry: the answer cells it replaces in an otherwise correct submission
(grade id → source), and the set of graded test cells that must then fail.
"""


def _log_softmax(shift="np.max(u, axis=-1, keepdims=True)", body=None):
    body = body or "    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))\n"
    return f"def log_softmax(u):\n    shifted = u - {shift}\n" + body


_CE = '''def cross_entropy_from_logits(d, u):
    u2 = np.atleast_2d(u)
    d = np.asarray(d)
    if d.size == u2.size:
        d = d.reshape(u2.shape).argmax(axis=1)
    labels = d.reshape(-1)
{log_y}
    return {ret}
'''
_LOG_Y = ("    shifted = u2 - np.max(u2, axis=1, keepdims=True)\n"
          "    log_y = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))")


def _ce(log_y=_LOG_Y, ret="-np.sum(log_y[np.arange(len(u2)), labels]) / len(u2)"):
    return _CE.format(log_y=log_y, ret=ret)


def _bce(body):
    return "def binary_cross_entropy_from_logits(d, u):\n" + body


MISTAKES = {
    # --- log_softmax -----------------------------------------------------------------
    "log_softmax_subtracts_the_row_minimum": (
        {"ex_log_softmax": _log_softmax(shift="np.min(u, axis=-1, keepdims=True)")},
        {"test_log_softmax_hidden"},
    ),
    "log_softmax_subtracts_the_row_mean": (
        {"ex_log_softmax": _log_softmax(shift="np.mean(u, axis=-1, keepdims=True)")},
        {"test_log_softmax_hidden"},
    ),
    "log_softmax_as_the_log_of_the_softmax": (
        {"ex_log_softmax": _log_softmax(body="    e = np.exp(shifted)\n"
                                             "    return np.log(e / np.sum(e, axis=-1, keepdims=True))\n")},
        {"test_log_softmax_hidden"},
    ),
    "log_softmax_without_the_max_trick": (
        {"ex_log_softmax": "def log_softmax(u):\n    return u - np.log(np.sum(np.exp(u), axis=-1, keepdims=True))\n"},
        {"test_log_softmax_hidden"},
    ),
    "log_softmax_subtracts_the_maximum_of_the_whole_batch": (
        {"ex_log_softmax": _log_softmax(shift="np.max(u)")},
        {"test_log_softmax_hidden"},
    ),
    "log_softmax_forgets_the_log_sum_exp": (
        {"ex_log_softmax": _log_softmax(body="    return shifted\n")},
        {"test_log_softmax_basic", "test_log_softmax_hidden"},
    ),
    "log_softmax_adds_the_maximum_back_only_once": (
        {"ex_log_softmax": _log_softmax(body="    return u - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))\n")},
        {"test_log_softmax_basic", "test_log_softmax_hidden"},
    ),
    "log_softmax_normalises_columns_instead_of_rows": (
        {"ex_log_softmax": "def log_softmax(u):\n    shifted = u - np.max(u, axis=0)\n"
                           "    return shifted - np.log(np.sum(np.exp(shifted), axis=0))\n"},
        {"test_log_softmax_basic", "test_log_softmax_hidden"},
    ),
    "log_softmax_overwrites_its_input": (
        {"ex_log_softmax": "def log_softmax(u):\n    u -= np.max(u, axis=-1, keepdims=True)\n"
                           "    return u - np.log(np.sum(np.exp(u), axis=-1, keepdims=True))\n"},
        {"test_log_softmax_hidden"},
    ),
    "log_softmax_calls_dlcore_softmax": (
        {"ex_log_softmax": "def log_softmax(u):\n    from dlcore.functions import softmax\n    return np.log(softmax(u))\n"},
        {"test_log_softmax_basic", "test_log_softmax_hidden"},
    ),
    # --- cross_entropy_from_logits -------------------------------------------------------
    "cross_entropy_through_the_probabilities_with_1e-7": (
        {"ex_cross_entropy_from_logits": _ce(
            log_y="    e = np.exp(u2 - np.max(u2, axis=1, keepdims=True))\n"
                  "    log_y = np.log(e / np.sum(e, axis=1, keepdims=True) + 1e-7)")},
        {"test_cross_entropy_from_logits_hidden"},
    ),
    "cross_entropy_without_the_max_trick": (
        {"ex_cross_entropy_from_logits": _ce(
            log_y="    log_y = u2 - np.log(np.sum(np.exp(u2), axis=1, keepdims=True))")},
        {"test_cross_entropy_from_logits_hidden"},
    ),
    "cross_entropy_without_the_batch_mean": (
        {"ex_cross_entropy_from_logits": _ce(ret="-np.sum(log_y[np.arange(len(u2)), labels])")},
        {"test_cross_entropy_from_logits_basic", "test_cross_entropy_from_logits_hidden"},
    ),
    "cross_entropy_mean_over_all_classes": (
        {"ex_cross_entropy_from_logits": _ce(ret="-np.mean(np.eye(u2.shape[1])[labels] * log_y)")},
        {"test_cross_entropy_from_logits_basic", "test_cross_entropy_from_logits_hidden"},
    ),
    "cross_entropy_only_for_one_hot_targets": (
        {"ex_cross_entropy_from_logits": "def cross_entropy_from_logits(d, u):\n    u2 = np.atleast_2d(u)\n"
                                         "    shifted = u2 - np.max(u2, axis=1, keepdims=True)\n"
                                         "    log_y = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))\n"
                                         "    return -np.sum(np.reshape(d, u2.shape) * log_y) / len(u2)\n"},
        {"test_cross_entropy_from_logits_basic", "test_cross_entropy_from_logits_hidden"},
    ),
    "cross_entropy_batch_size_from_len_of_a_single_sample": (
        {"ex_cross_entropy_from_logits": _ce(ret="-np.sum(log_y[np.arange(len(u2)), labels]) / len(u)")},
        {"test_cross_entropy_from_logits_hidden"},
    ),
    "cross_entropy_with_the_wrong_sign": (
        {"ex_cross_entropy_from_logits": _ce(ret="np.sum(log_y[np.arange(len(u2)), labels]) / len(u2)")},
        {"test_cross_entropy_from_logits_basic", "test_cross_entropy_from_logits_hidden"},
    ),
    "cross_entropy_from_dlcore_softmax_with_loss": (
        {"ex_cross_entropy_from_logits": "def cross_entropy_from_logits(d, u):\n    from dlcore import layers\n"
                                         "    return layers.SoftmaxWithLoss().forward(np.atleast_2d(u), np.atleast_1d(d))\n"},
        {"test_cross_entropy_from_logits_basic", "test_cross_entropy_from_logits_hidden"},
    ),
    # --- binary_cross_entropy_from_logits --------------------------------------------------
    "binary_cross_entropy_through_the_sigmoid": (
        {"ex_binary_cross_entropy_from_logits": _bce(
            "    y = 1 / (1 + np.exp(-u))\n"
            "    return -np.sum(d * np.log(y + 1e-7) + (1 - d) * np.log(1 - y + 1e-7)) / len(u)\n")},
        {"test_binary_cross_entropy_from_logits_hidden"},
    ),
    "binary_cross_entropy_with_log1p_of_exp": (
        {"ex_binary_cross_entropy_from_logits": _bce(
            "    return np.sum(d * np.log1p(np.exp(-u)) + (1 - d) * np.log1p(np.exp(u))) / len(u)\n")},
        {"test_binary_cross_entropy_from_logits_hidden"},
    ),
    "binary_cross_entropy_with_the_classes_swapped": (
        {"ex_binary_cross_entropy_from_logits": _bce("    return np.sum(np.logaddexp(0, u) - (1 - d) * u) / len(u)\n")},
        {"test_binary_cross_entropy_from_logits_basic", "test_binary_cross_entropy_from_logits_hidden"},
    ),
    "binary_cross_entropy_without_the_mean": (
        {"ex_binary_cross_entropy_from_logits": _bce("    return np.sum(np.logaddexp(0, u) - d * u)\n")},
        {"test_binary_cross_entropy_from_logits_basic", "test_binary_cross_entropy_from_logits_hidden"},
    ),
    "binary_cross_entropy_forgets_the_d_u_term": (
        {"ex_binary_cross_entropy_from_logits": _bce("    return np.sum(np.logaddexp(0, -u) * d) / len(u)\n")},
        {"test_binary_cross_entropy_from_logits_basic", "test_binary_cross_entropy_from_logits_hidden"},
    ),
    "binary_cross_entropy_from_dlcore_sigmoid_with_loss": (
        {"ex_binary_cross_entropy_from_logits": _bce(
            "    from dlcore import layers\n"
            "    return layers.SigmoidWithLoss().forward(u.reshape(len(u), 1), d.reshape(len(u), 1))\n")},
        {"test_binary_cross_entropy_from_logits_basic", "test_binary_cross_entropy_from_logits_hidden"},
    ),
    # --- graded check questions -------------------------------------------------------
    "check_questions_answered_wrongly": (
        {"q1": "answer_q1 = (3, 2, 1)\n", "q2": "answer_q2 = 0.5\n", "q3": "answer_q3 = (4, 6)\n",
         "q4": "answer_q4 = [0.1, 0.6, 0.2, 0.1]\n"},
        {"test_q1", "test_q2", "test_q3", "test_q4"},
    ),
    "q2_answers_the_probability_instead_of_the_loss": (
        {"q2": "answer_q2 = np.exp(0.5) / (np.exp(2.0) + np.exp(0.5) + np.exp(-1.0))\n"},
        {"test_q2"},
    ),
    "q4_gradient_with_the_wrong_sign": (
        {"q4": "answer_q4 = [-0.1, -0.6, 0.8, -0.1]\n"},
        {"test_q4"},
    ),
}
