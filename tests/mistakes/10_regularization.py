"""Typical learner mistakes in 10_regularization and the graded cells each one must fail.

Each entry: the answer cells it replaces in an otherwise correct submission
(grade id → source), and the set of graded test cells that must then fail.
"""

_PROXIMAL = '''def l1_proximal_step(w, grad, lr, l1):
    v = {v}
    return {result}
'''


def proximal(v="w - lr * grad", result="np.sign(v) * np.maximum(np.abs(v) - lr * l1, 0)"):
    """The model answer of l1_proximal_step with one piece replaced."""
    return _PROXIMAL.format(v=v, result=result)


_DROPOUT = '''def dropout_forward(x, dropout_ratio, rng, train=True):
    if not train:
        return {test}
    keep = {keep}
    return {train}
'''


def dropout(test="x * (1.0 - dropout_ratio)", keep="rng.random(x.shape) >= dropout_ratio", train="x * keep"):
    """The model answer of dropout_forward with one piece replaced."""
    return _DROPOUT.format(test=test, keep=keep, train=train)


_EARLY = '''def early_stopping(val_losses, patience):
    best_loss, best_epoch, waited = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses, start={start}):
        if {improved}:
            best_loss, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if {stop}:
                return {returned}
    return best_epoch, {last}
'''


def early(start="1", improved="loss < best_loss", stop="waited == patience", returned="best_epoch, epoch",
          last="len(val_losses)"):
    """The model answer of early_stopping with one piece replaced."""
    return _EARLY.format(start=start, improved=improved, stop=stop, returned=returned, last=last)


PROXIMAL = {"test_l1_proximal_step_basic", "test_l1_proximal_step_hidden"}
DROPOUT = {"test_dropout_forward_basic", "test_dropout_forward_hidden"}
EARLY = {"test_early_stopping_basic", "test_early_stopping_hidden"}

MISTAKES = {
    "proximal_threshold_without_the_learning_rate": (
        {"ex_l1_proximal_step": proximal(result="np.sign(v) * np.maximum(np.abs(v) - l1, 0)")},
        PROXIMAL,
    ),
    "proximal_thresholds_the_old_weights_without_the_gradient_step": (
        {"ex_l1_proximal_step": proximal(v="w")},
        PROXIMAL,
    ),
    "proximal_replaced_by_the_subgradient_step": (
        {"ex_l1_proximal_step": proximal(result="w - lr * (grad + l1 * np.sign(w))")},
        PROXIMAL,
    ),
    "proximal_forgets_the_sign_and_zeroes_negative_weights": (
        {"ex_l1_proximal_step": proximal(result="np.maximum(v - lr * l1, 0)")},
        PROXIMAL,
    ),
    "proximal_hard_threshold_keeps_the_size": (
        {"ex_l1_proximal_step": proximal(result="np.where(np.abs(v) <= lr * l1, 0.0, v)")},
        PROXIMAL,
    ),
    "proximal_shrinks_proportionally_like_l2": (
        {"ex_l1_proximal_step": proximal(result="v / (1 + lr * l1)")},
        PROXIMAL,
    ),
    "proximal_upcasts_float32": (
        {"ex_l1_proximal_step": proximal(v="(w - lr * grad).astype(np.float64)")},
        {"test_l1_proximal_step_hidden"},
    ),
    "proximal_changes_the_weights_in_place": (
        {"ex_l1_proximal_step": "def l1_proximal_step(w, grad, lr, l1):\n"
                                "    w -= lr * grad\n"
                                "    w[...] = np.sign(w) * np.maximum(np.abs(w) - lr * l1, 0)\n"
                                "    return w\n"},
        {"test_l1_proximal_step_hidden"},
    ),
    "proximal_through_dlcore": (
        {"ex_l1_proximal_step": "from dlcore import optimizers\n\n"
                                "def l1_proximal_step(w, grad, lr, l1):\n"
                                "    new = w.copy()\n"
                                "    optimizers.SGD(lr=lr, l1_decay=l1).update([new], [grad.copy()])\n"
                                "    return np.where(np.abs(new) <= lr * l1, 0.0, new).astype(w.dtype)\n"},
        PROXIMAL,
    ),
    "dropout_inverted_scaling_in_training": (
        {"ex_dropout_forward": dropout(test="x", train="x * keep / (1.0 - dropout_ratio)")},
        DROPOUT,
    ),
    "dropout_no_scaling_at_test_time": (
        {"ex_dropout_forward": dropout(test="x")},
        DROPOUT,
    ),
    "dropout_ratio_read_as_the_probability_of_keeping": (
        {"ex_dropout_forward": dropout(keep="rng.random(x.shape) < dropout_ratio")},
        DROPOUT,
    ),
    "dropout_drops_at_test_time_too": (
        {"ex_dropout_forward": "def dropout_forward(x, dropout_ratio, rng, train=True):\n"
                               "    return x * (rng.random(x.shape) >= dropout_ratio)\n"},
        DROPOUT,
    ),
    "dropout_uses_the_global_numpy_random_state": (
        {"ex_dropout_forward": dropout(keep="np.random.rand(*x.shape) >= dropout_ratio")},
        {"test_dropout_forward_hidden"},
    ),
    "dropout_one_mask_per_sample_not_per_element": (
        {"ex_dropout_forward": dropout(keep="rng.random((x.shape[0],) + (1,) * (x.ndim - 1)) >= dropout_ratio")},
        DROPOUT,
    ),
    "dropout_changes_the_input_in_place": (
        {"ex_dropout_forward": "def dropout_forward(x, dropout_ratio, rng, train=True):\n"
                               "    if not train:\n"
                               "        return x * (1.0 - dropout_ratio)\n"
                               "    x *= rng.random(x.shape) >= dropout_ratio\n"
                               "    return x\n"},
        {"test_dropout_forward_hidden"},
    ),
    "dropout_through_dlcore": (
        {"ex_dropout_forward": "from dlcore import layers\n\n"
                               "def dropout_forward(x, dropout_ratio, rng, train=True):\n"
                               "    if not train:\n"
                               "        return x * (1.0 - dropout_ratio)\n"
                               "    layer = layers.Dropout(dropout_ratio)\n"
                               "    layer.rng = rng\n"
                               "    return layer.forward(x.reshape(len(x), -1)).reshape(x.shape) * (1.0 - dropout_ratio)\n"},
        DROPOUT,
    ),
    "early_stopping_counts_a_tie_as_an_improvement": (
        {"ex_early_stopping": early(improved="loss <= best_loss")},
        {"test_early_stopping_hidden"},
    ),
    "early_stopping_counts_epochs_from_zero": (
        {"ex_early_stopping": early(start="0", last="len(val_losses) - 1")},
        EARLY,
    ),
    "early_stopping_waits_one_epoch_too_many": (
        {"ex_early_stopping": early(stop="waited > patience")},
        EARLY,
    ),
    "early_stopping_compares_with_the_previous_epoch_not_the_best": (
        {"ex_early_stopping": "def early_stopping(val_losses, patience):\n"
                              "    losses = list(val_losses)\n"
                              "    waited = 0\n"
                              "    for epoch in range(2, len(losses) + 1):\n"
                              "        waited = 0 if losses[epoch - 1] < losses[epoch - 2] else waited + 1\n"
                              "        if waited == patience:\n"
                              "            return int(np.argmin(losses[:epoch])) + 1, epoch\n"
                              "    return int(np.argmin(losses)) + 1, len(losses)\n"},
        EARLY,
    ),
    "early_stopping_keeps_the_last_parameters": (
        {"ex_early_stopping": early(returned="epoch, epoch", last="len(val_losses)")},
        EARLY,
    ),
    "early_stopping_returns_the_last_minimum_of_ties": (
        {"ex_early_stopping": "def early_stopping(val_losses, patience):\n"
                              "    losses = np.asarray(val_losses)\n"
                              "    best_loss, waited = np.inf, 0\n"
                              "    for epoch, loss in enumerate(losses, start=1):\n"
                              "        if loss < best_loss:\n"
                              "            best_loss, waited = loss, 0\n"
                              "        else:\n"
                              "            waited += 1\n"
                              "            if waited == patience:\n"
                              "                break\n"
                              "    seen = losses[:epoch]\n"
                              "    return int(len(seen) - np.argmin(seen[::-1])), epoch\n"},
        {"test_early_stopping_hidden"},
    ),
    "check_questions_answered_wrongly": (
        {"q1": "answer_q1 = 2.0 - 0.5 * 0.6 - 0.1 * 2.0\n",       # decay without the learning rate
         "q2": "answer_q2 = -0.3 - 0.1 * (0.2 + 0.05)\n",         # the sign of w ignored
         "q3": "answer_q3 = 3.0 * (1 - 0.2)\n",                    # 「ゼロから作る」's test-time scale
         "q4": "answer_q4 = 5\n"},                                 # the tie at epoch 5 counted as an improvement
        {"test_q1", "test_q2", "test_q3", "test_q4"},
    ),
}
