"""Typical learner mistakes in 05_backprop and the graded cells each one must fail.

Each entry: the answer cells it replaces in an otherwise correct submission
(grade id → source), and the set of graded test cells that must then fail.
"""

_BACKWARD = '''def backward(network, x, d):
    W1, b1, W2, b2 = network["W1"], network["b1"], network["W2"], network["b2"]
    u1 = x @ W1 + b1
    z1 = np.maximum(u1, 0)
    y = z1 @ W2 + b2
    delta2 = {delta2}
    delta1 = {delta1}
    return {{"W1": x.T @ delta1, "b1": {db1},
            "W2": z1.T @ delta2, "b2": np.sum(delta2, axis=0)}}
'''


def _backward(delta2="(y - d) / len(x)", delta1="(delta2 @ W2.T) * (u1 > 0)", db1="np.sum(delta1, axis=0)"):
    return _BACKWARD.format(delta2=delta2, delta1=delta1, db1=db1)


MISTAKES = {
    # --- relu_backward
    "relu_backward_returns_only_the_derivative": (
        {"ex_relu_backward": "def relu_backward(dout, u):\n    return (u > 0).astype(float)\n"},
        {"test_relu_backward_basic", "test_relu_backward_hidden"},
    ),
    "relu_backward_applies_relu_to_dout": (
        {"ex_relu_backward": "def relu_backward(dout, u):\n    return np.maximum(dout, 0)\n"},
        {"test_relu_backward_basic", "test_relu_backward_hidden"},
    ),
    "relu_backward_overwrites_dout": (
        {"ex_relu_backward": "def relu_backward(dout, u):\n    dout[u <= 0] = 0\n    return dout\n"},
        {"test_relu_backward_hidden"},
    ),
    # --- affine_backward
    "affine_backward_averages_db_over_the_batch": (
        {"ex_affine_backward": "def affine_backward(dout, x, W):\n"
                               "    return dout @ W.T, x.T @ dout, np.mean(dout, axis=0)\n"},
        {"test_affine_backward_basic", "test_affine_backward_hidden"},
    ),
    "affine_backward_sums_db_over_the_wrong_axis": (
        {"ex_affine_backward": "def affine_backward(dout, x, W):\n"
                               "    return dout @ W.T, x.T @ dout, np.sum(dout, axis=1)\n"},
        {"test_affine_backward_basic", "test_affine_backward_hidden"},
    ),
    "affine_backward_transposes_dW": (
        {"ex_affine_backward": "def affine_backward(dout, x, W):\n"
                               "    return dout @ W.T, dout.T @ x, np.sum(dout, axis=0)\n"},
        {"test_affine_backward_basic", "test_affine_backward_hidden"},
    ),
    # --- backward
    "backward_forgets_the_batch_size": (
        {"ex_backward": _backward(delta2="y - d")},
        {"test_backward_basic", "test_backward_hidden"},
    ),
    "backward_forgets_the_relu_derivative": (
        {"ex_backward": _backward(delta1="delta2 @ W2.T")},
        {"test_backward_basic", "test_backward_hidden"},
    ),
    "backward_does_not_sum_the_bias_gradient": (
        {"ex_backward": _backward(db1="delta1")},
        {"test_backward_basic", "test_backward_hidden"},
    ),
    "backward_assumes_a_single_output": (
        {"ex_backward": _backward(delta2="(y - d.reshape(-1, 1)) / len(x)")},
        {"test_backward_hidden"},
    ),
    # --- graded check questions
    "q1_picks_the_hidden_delta": (
        {"q1": "answer_q1 = 6\n"},
        {"test_q1"},
    ),
    "q2_forgets_the_factor_2_of_the_square": (
        {"q2": "answer_q2 = 6\n"},
        {"test_q2"},
    ),
    "q3_counts_parameters_instead_of_evaluations": (
        {"q3": "answer_q3 = 421\n"},
        {"test_q3"},
    ),
    "q3_forgets_the_biases": (
        {"q3": "answer_q3 = 800\n"},
        {"test_q3"},
    ),
}
