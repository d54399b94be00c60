"""Typical learner mistakes in 05_backprop and the graded cells each one must fail.

Each entry: the answer cells it replaces in an otherwise correct submission
(grade id → source), and the set of graded test cells that must then fail.
"""


def _tanh(forward="        self.out = np.tanh(x)\n        return self.out\n",
          backward="        return dout * (1 - self.out ** 2)\n",
          init="        self.params, self.grads = [], []\n"):
    return ("class Tanh:\n    def __init__(self):\n" + init + "\n    def forward(self, x):\n" + forward
            + "\n    def backward(self, dout):\n" + backward)


_BACKWARD = '''def backward(network, x, d):
    W1, b1, W2, b2, W3, b3 = (network[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    u1 = x @ W1 + b1
    z1 = np.maximum(u1, 0)
    u2 = z1 @ W2 + b2
    z2 = np.maximum(u2, 0)
    u3 = z2 @ W3 + b3
{softmax}
    delta3 = {delta3}
    delta2 = {delta2}
    delta1 = {delta1}
    return {{"W1": x.T @ delta1, "b1": {db1},
            "W2": {dW2}, "b2": np.sum(delta2, axis=0),
            "W3": z2.T @ delta3, "b3": np.sum(delta3, axis=0)}}
'''
_SOFTMAX = ("    e = np.exp(u3 - np.max(u3, axis=1, keepdims=True))\n"
            "    y = e / np.sum(e, axis=1, keepdims=True)")


def _backward(softmax=_SOFTMAX, delta3="(y - np.eye(y.shape[1])[d]) / len(x)",
              delta2="(delta3 @ W3.T) * (u2 > 0)", delta1="(delta2 @ W2.T) * (u1 > 0)",
              db1="np.sum(delta1, axis=0)", dW2="z1.T @ delta2"):
    return _BACKWARD.format(softmax=softmax, delta3=delta3, delta2=delta2, delta1=delta1, db1=db1, dW2=dW2)


MISTAKES = {
    # --- Tanh
    "tanh_backward_returns_only_the_derivative": (
        {"ex_tanh_layer": _tanh(backward="        return 1 - self.out ** 2\n")},
        {"test_tanh_layer_basic", "test_tanh_layer_hidden"},
    ),
    "tanh_backward_uses_the_input_as_if_it_were_the_output": (
        {"ex_tanh_layer": _tanh(forward="        self.x = x\n        return np.tanh(x)\n",
                                backward="        return dout * (1 - self.x ** 2)\n")},
        {"test_tanh_layer_basic", "test_tanh_layer_hidden"},
    ),
    "tanh_backward_applies_tanh_to_the_stored_output": (
        {"ex_tanh_layer": _tanh(backward="        return dout * (1 - np.tanh(self.out) ** 2)\n")},
        {"test_tanh_layer_basic", "test_tanh_layer_hidden"},
    ),
    "tanh_keeps_its_output_on_the_class": (
        {"ex_tanh_layer": _tanh(forward="        Tanh.out = np.tanh(x)\n        return Tanh.out\n",
                                backward="        return dout * (1 - Tanh.out ** 2)\n")},
        {"test_tanh_layer_hidden"},
    ),
    "tanh_backward_overwrites_dout": (
        {"ex_tanh_layer": _tanh(backward="        dout *= 1 - self.out ** 2\n        return dout\n")},
        {"test_tanh_layer_hidden"},
    ),
    "tanh_without_params_and_grads": (
        {"ex_tanh_layer": _tanh(init="        self.out = None\n")},
        {"test_tanh_layer_hidden"},
    ),
    "tanh_subclasses_the_dlcore_layer": (
        {"ex_tanh_layer": "from dlcore.layers import Tanh as _DlcoreTanh\n\n\nclass Tanh(_DlcoreTanh):\n    pass\n"},
        {"test_tanh_layer_basic", "test_tanh_layer_hidden"},
    ),
    # --- linear_backward
    "linear_backward_copies_the_book_formulas": (
        {"ex_linear_backward": "def linear_backward(dout, x, W):\n"
                               "    return dout @ W.T, x.T @ dout, np.sum(dout, axis=0)\n"},
        {"test_linear_backward_basic", "test_linear_backward_hidden"},
    ),
    "linear_backward_transposes_only_dx": (
        {"ex_linear_backward": "def linear_backward(dout, x, W):\n"
                               "    return dout @ W, x.T @ dout, np.sum(dout, axis=0)\n"},
        {"test_linear_backward_basic", "test_linear_backward_hidden"},
    ),
    "linear_backward_averages_db_over_the_batch": (
        {"ex_linear_backward": "def linear_backward(dout, x, W):\n"
                               "    return dout @ W, dout.T @ x, np.mean(dout, axis=0)\n"},
        {"test_linear_backward_basic", "test_linear_backward_hidden"},
    ),
    "linear_backward_sums_db_over_the_wrong_axis": (
        {"ex_linear_backward": "def linear_backward(dout, x, W):\n"
                               "    return dout @ W, dout.T @ x, np.sum(dout, axis=1)\n"},
        {"test_linear_backward_basic", "test_linear_backward_hidden"},
    ),
    "linear_backward_through_the_dlcore_affine_layer": (
        {"ex_linear_backward": "def linear_backward(dout, x, W):\n    from dlcore import layers\n"
                               "    layer = layers.Affine(W.T.copy(), np.zeros(W.shape[0]))\n"
                               "    layer.forward(x)\n    dx = layer.backward(dout)\n"
                               "    return dx, layer.grads[0].T, layer.grads[1]\n"},
        {"test_linear_backward_basic", "test_linear_backward_hidden"},
    ),
    # --- backward
    "backward_forgets_the_batch_size": (
        {"ex_backward": _backward(delta3="y - np.eye(y.shape[1])[d]")},
        {"test_backward_basic", "test_backward_hidden"},
    ),
    "backward_subtracts_the_labels_instead_of_one_hot": (
        {"ex_backward": _backward(delta3="(y - d[:, None]) / len(x)")},
        {"test_backward_basic", "test_backward_hidden"},
    ),
    "backward_forgets_the_first_relu_derivative": (
        {"ex_backward": _backward(delta1="delta2 @ W2.T")},
        {"test_backward_basic", "test_backward_hidden"},
    ),
    "backward_uses_the_wrong_relu_mask": (
        {"ex_backward": _backward(delta1="(delta2 @ W2.T) * (u2 > 0)")},
        {"test_backward_basic", "test_backward_hidden"},
    ),
    "backward_does_not_sum_the_bias_gradient": (
        {"ex_backward": _backward(db1="delta1")},
        {"test_backward_basic", "test_backward_hidden"},
    ),
    "backward_uses_the_wrong_input_for_W2": (
        {"ex_backward": _backward(dW2="z2.T @ delta2")},
        {"test_backward_basic", "test_backward_hidden"},
    ),
    "backward_softmax_without_the_max_trick": (
        {"ex_backward": _backward(softmax="    e = np.exp(u3)\n    y = e / np.sum(e, axis=1, keepdims=True)")},
        {"test_backward_hidden"},
    ),
    "backward_with_dlcore_layers": (
        {"ex_backward": "def backward(network, x, d):\n    from dlcore import layers\n    from dlcore.network import Sequential\n"
                        "    keys = ('W1', 'b1', 'W2', 'b2', 'W3', 'b3')\n"
                        "    seq = Sequential([layers.Affine(network['W1'].copy(), network['b1'].copy()), layers.Relu(),\n"
                        "                      layers.Affine(network['W2'].copy(), network['b2'].copy()), layers.Relu(),\n"
                        "                      layers.Affine(network['W3'].copy(), network['b3'].copy())],\n"
                        "                     layers.SoftmaxWithLoss())\n"
                        "    return {k: g.copy() for k, g in zip(keys, seq.gradient(x, d))}\n"},
        {"test_backward_basic", "test_backward_hidden"},
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
