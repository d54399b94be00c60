"""Typical learner mistakes in 07_initialization and the graded cells each one must fail.

Each entry: the answer cells it replaces in an otherwise correct submission
(grade id → source), and the set of graded test cells that must then fail.
"""

_GRAD_NORMS = '''def weight_grad_norms(x, weights, activation, dout):
    f = {{"sigmoid": lambda u: 1 / (1 + np.exp(-u)), "tanh": np.tanh,
          "relu": lambda u: np.maximum(u, 0)}}[activation]
    d_f = {{"sigmoid": lambda u: f(u) * (1 - f(u)), "tanh": lambda u: 1 - np.tanh(u) ** 2,
            "relu": lambda u: (u > 0).astype(float)}}[activation]
    zs, us = [x], []
    for W in weights:
        us.append(zs[-1] @ W)
        zs.append(f(us[-1]))
    norms = []
    grad_z = dout
    for l in reversed(range(len(weights))):
        delta = {delta}
        norms.append({norm})
        grad_z = {grad_z}
    return np.array({order})
'''


def grad_norms(delta="grad_z * d_f(us[l])", norm="np.linalg.norm(zs[l].T @ delta)",
               grad_z="delta @ weights[l].T", order="norms[::-1]"):
    """The model answer of weight_grad_norms with one piece replaced."""
    return _GRAD_NORMS.format(delta=delta, norm=norm, grad_z=grad_z, order=order)


MISTAKES = {
    "glorot_limit_from_fan_in_only": (
        {"ex_glorot_uniform": "def glorot_uniform(fan_in, fan_out, rng):\n"
                              "    limit = np.sqrt(6 / fan_in)\n"
                              "    return rng.uniform(-limit, limit, size=(fan_in, fan_out))\n"},
        {"test_glorot_uniform_basic", "test_glorot_uniform_hidden"},
    ),
    "glorot_variance_used_as_the_limit": (
        {"ex_glorot_uniform": "def glorot_uniform(fan_in, fan_out, rng):\n"
                              "    limit = np.sqrt(2 / (fan_in + fan_out))\n"
                              "    return rng.uniform(-limit, limit, size=(fan_in, fan_out))\n"},
        {"test_glorot_uniform_hidden"},
    ),
    "glorot_normal_instead_of_uniform": (
        {"ex_glorot_uniform": "def glorot_uniform(fan_in, fan_out, rng):\n"
                              "    return rng.normal(0, np.sqrt(2 / (fan_in + fan_out)), size=(fan_in, fan_out))\n"},
        {"test_glorot_uniform_basic", "test_glorot_uniform_hidden"},
    ),
    "glorot_shape_transposed": (
        {"ex_glorot_uniform": "def glorot_uniform(fan_in, fan_out, rng):\n"
                              "    limit = np.sqrt(6 / (fan_in + fan_out))\n"
                              "    return rng.uniform(-limit, limit, size=(fan_out, fan_in))\n"},
        {"test_glorot_uniform_basic", "test_glorot_uniform_hidden"},
    ),
    "glorot_from_zero_to_the_limit": (
        {"ex_glorot_uniform": "def glorot_uniform(fan_in, fan_out, rng):\n"
                              "    limit = np.sqrt(6 / (fan_in + fan_out))\n"
                              "    return rng.uniform(0, limit, size=(fan_in, fan_out))\n"},
        {"test_glorot_uniform_hidden"},
    ),
    "glorot_ignores_the_given_rng": (
        {"ex_glorot_uniform": "def glorot_uniform(fan_in, fan_out, rng):\n"
                              "    limit = np.sqrt(6 / (fan_in + fan_out))\n"
                              "    return np.random.uniform(-limit, limit, size=(fan_in, fan_out))\n"},
        {"test_glorot_uniform_hidden"},
    ),
    "glorot_imports_dlcore_xavier": (
        {"ex_glorot_uniform": "from dlcore import initializers\n\n"
                              "def glorot_uniform(fan_in, fan_out, rng):\n"
                              "    return initializers.xavier(fan_in, fan_out, rng) * np.sqrt(2 * fan_in / (fan_in + fan_out))\n"},
        {"test_glorot_uniform_basic", "test_glorot_uniform_hidden"},
    ),
    "he_conv_fan_in_from_the_first_axis": (
        {"ex_he_conv_weights": "def he_conv_weights(shape, rng):\n"
                               "    return rng.normal(0, np.sqrt(2 / shape[0]), size=shape)\n"},
        {"test_he_conv_weights_hidden"},
    ),
    "he_conv_fan_in_is_the_channels_only": (
        {"ex_he_conv_weights": "def he_conv_weights(shape, rng):\n"
                               "    return rng.normal(0, np.sqrt(2 / shape[1]), size=shape)\n"},
        {"test_he_conv_weights_hidden"},
    ),
    "he_conv_with_the_xavier_variance": (
        {"ex_he_conv_weights": "def he_conv_weights(shape, rng):\n"
                               "    fan_in = shape[1] * shape[2] * shape[3]\n"
                               "    return rng.normal(0, np.sqrt(1 / fan_in), size=shape)\n"},
        {"test_he_conv_weights_basic", "test_he_conv_weights_hidden"},
    ),
    "he_conv_uniform_instead_of_normal": (
        {"ex_he_conv_weights": "def he_conv_weights(shape, rng):\n"
                               "    limit = np.sqrt(6 / (shape[1] * shape[2] * shape[3]))\n"
                               "    return rng.uniform(-limit, limit, size=shape)\n"},
        {"test_he_conv_weights_hidden"},
    ),
    "he_conv_calls_dlcore_initial_weights": (
        {"ex_he_conv_weights": "from dlcore.initializers import initial_weights\n\n"
                               "def he_conv_weights(shape, rng):\n"
                               "    return initial_weights(shape, rng, 'he')\n"},
        {"test_he_conv_weights_basic", "test_he_conv_weights_hidden"},
    ),
    "grad_norms_without_the_activation_derivative": (
        {"ex_weight_grad_norms": grad_norms(delta="grad_z")},
        {"test_weight_grad_norms_basic", "test_weight_grad_norms_hidden"},
    ),
    "grad_norms_derivative_of_the_output_instead_of_the_input": (
        {"ex_weight_grad_norms": grad_norms(delta="grad_z * d_f(zs[l + 1])")},
        {"test_weight_grad_norms_hidden"},
    ),
    "grad_norms_of_delta_instead_of_the_weight_gradient": (
        {"ex_weight_grad_norms": grad_norms(norm="np.linalg.norm(delta)")},
        {"test_weight_grad_norms_basic", "test_weight_grad_norms_hidden"},
    ),
    "grad_norms_backpropagated_through_w_instead_of_its_transpose": (
        {"ex_weight_grad_norms": grad_norms(grad_z="delta @ weights[l]")},
        {"test_weight_grad_norms_hidden"},
    ),
    "grad_norms_output_layer_first": (
        {"ex_weight_grad_norms": grad_norms(order="norms")},
        {"test_weight_grad_norms_hidden"},
    ),
    "grad_norms_through_dlcore_layers": (
        {"ex_weight_grad_norms": "from dlcore import layers\n\n"
                                 "def weight_grad_norms(x, weights, activation, dout):\n"
                                 "    kind = {'sigmoid': layers.Sigmoid, 'tanh': layers.Tanh, 'relu': layers.Relu}[activation]\n"
                                 "    stack = [l for W in weights for l in (layers.Affine(W.copy(), np.zeros(W.shape[1])), kind())]\n"
                                 "    z = x\n"
                                 "    for layer in stack:\n"
                                 "        z = layer.forward(z)\n"
                                 "    for layer in reversed(stack):\n"
                                 "        dout = layer.backward(dout)\n"
                                 "    return np.array([np.linalg.norm(l.grads[0]) for l in stack[::2]])\n"},
        {"test_weight_grad_norms_basic", "test_weight_grad_norms_hidden"},
    ),
    "check_questions_answered_wrongly": (
        {"q1": "answer_q1 = np.sqrt(2 / 80)\n", "q2": "answer_q2 = 1 / 120\n", "q3": "answer_q3 = 4\n",
         "q4": "answer_q4 = 4.0\n", "q5": "answer_q5 = 50\n"},
        {"test_q1", "test_q2", "test_q3", "test_q4", "test_q5"},
    ),
}
