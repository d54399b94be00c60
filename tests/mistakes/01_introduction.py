"""Typical learner mistakes in 01_introduction and the graded cells each one must fail.

Each entry: the answer cells it replaces in an otherwise correct submission
(grade id → source), and the set of graded test cells that must then fail.
The correct ``forward`` calls ``affine``, so a mistake in ``affine`` also fails
the ``forward`` tests that depend on it.
"""

MISTAKES = {
    "affine_with_the_weight_in_front": (
        {"ex_affine": "def affine(x, W, b):\n    return np.dot(W, x) + b\n"},
        {"test_affine_basic", "test_affine_hidden", "test_forward_basic", "test_forward_hidden"},
    ),
    "affine_with_the_weight_transposed": (
        {"ex_affine": "def affine(x, W, b):\n    return np.dot(x, W.T) + b\n"},
        {"test_affine_basic", "test_affine_hidden", "test_forward_basic", "test_forward_hidden"},
    ),
    "affine_forgets_the_bias": (
        {"ex_affine": "def affine(x, W, b):\n    return np.dot(x, W)\n"},
        {"test_affine_basic", "test_affine_hidden", "test_forward_basic", "test_forward_hidden"},
    ),
    "affine_turns_the_bias_into_a_row": (
        {"ex_affine": "def affine(x, W, b):\n    return np.dot(x, W) + b.reshape(1, -1)\n"},
        {"test_affine_hidden", "test_forward_hidden"},
    ),
    "affine_without_shape_checks": (
        {"ex_affine": "def affine(x, W, b):\n    return np.dot(x, W) + b\n"},
        {"test_affine_hidden"},
    ),
    "forward_applies_relu_to_the_output": (
        {"ex_forward": (
            "def forward(network, x):\n"
            "    z1 = np.maximum(affine(x, network['W1'], network['b1']), 0)\n"
            "    z2 = np.maximum(affine(z1, network['W2'], network['b2']), 0)\n"
            "    return np.maximum(affine(z2, network['W3'], network['b3']), 0)\n"
        )},
        {"test_forward_hidden"},
    ),
    "forward_forgets_the_second_activation": (
        {"ex_forward": (
            "def forward(network, x):\n"
            "    z1 = np.maximum(affine(x, network['W1'], network['b1']), 0)\n"
            "    u2 = affine(z1, network['W2'], network['b2'])\n"
            "    return affine(u2, network['W3'], network['b3'])\n"
        )},
        {"test_forward_basic", "test_forward_hidden"},
    ),
    "forward_with_sigmoid_instead_of_relu": (
        {"ex_forward": (
            "def forward(network, x):\n"
            "    z1 = 1 / (1 + np.exp(-affine(x, network['W1'], network['b1'])))\n"
            "    z2 = 1 / (1 + np.exp(-affine(z1, network['W2'], network['b2'])))\n"
            "    return affine(z2, network['W3'], network['b3'])\n"
        )},
        {"test_forward_basic", "test_forward_hidden"},
    ),
    "forward_loops_over_the_samples": (
        {"ex_forward": (
            "def forward(network, x):\n"
            "    outputs = []\n"
            "    for sample in x:\n"
            "        z1 = np.maximum(sample @ network['W1'] + network['b1'], 0)\n"
            "        z2 = np.maximum(z1 @ network['W2'] + network['b2'], 0)\n"
            "        outputs.append(z2 @ network['W3'] + network['b3'])\n"
            "    return np.array(outputs)\n"
        )},
        {"test_forward_hidden"},
    ),
    "forward_built_from_dlcore_layers": (
        {"ex_forward": "def forward(network, x):\n    from dlcore import layers\n"
                       "    z1 = layers.Relu().forward(layers.Affine(network['W1'], network['b1']).forward(x))\n"
                       "    z2 = layers.Relu().forward(layers.Affine(network['W2'], network['b2']).forward(z1))\n"
                       "    return layers.Affine(network['W3'], network['b3']).forward(z2)\n"},
        {"test_forward_basic", "test_forward_hidden"},
    ),
    "posterior_forgets_the_priors": (
        {"ex_posterior": (
            "def posterior(likelihoods, priors):\n"
            "    return likelihoods / likelihoods.sum(axis=-1, keepdims=True)\n"
        )},
        {"test_posterior_basic", "test_posterior_hidden"},
    ),
    "posterior_sums_over_the_samples": (
        {"ex_posterior": (
            "def posterior(likelihoods, priors):\n"
            "    joint = likelihoods * priors\n"
            "    return joint / joint.sum(axis=0)\n"
        )},
        {"test_posterior_basic", "test_posterior_hidden"},
    ),
    "posterior_only_for_batches": (
        {"ex_posterior": (
            "def posterior(likelihoods, priors):\n"
            "    joint = likelihoods * priors\n"
            "    return joint / joint.sum(axis=1, keepdims=True)\n"
        )},
        {"test_posterior_hidden"},
    ),
    "posterior_overwrites_the_likelihoods": (
        {"ex_posterior": (
            "def posterior(likelihoods, priors):\n"
            "    likelihoods *= priors\n"
            "    likelihoods /= likelihoods.sum(axis=-1, keepdims=True)\n"
            "    return likelihoods\n"
        )},
        {"test_posterior_hidden"},
    ),
    "posterior_adds_an_epsilon_to_p_x": (
        {"ex_posterior": (
            "def posterior(likelihoods, priors):\n"
            "    joint = likelihoods * priors\n"
            "    return joint / (joint.sum(axis=-1, keepdims=True) + 1e-7)\n"
        )},
        {"test_posterior_hidden"},
    ),
    "check_questions_answered_wrongly": (
        {"q1": "answer_q1 = {1, 3, 5}\n", "q2": "answer_q2 = 0.4 * 0.3\n",
         "q3": "answer_q3 = (50, 200)\n", "q4": "answer_q4 = {4, 6}\n",
         "q5": "answer_q5 = {1, 3, 5}\n"},
        {"test_q1", "test_q2", "test_q3", "test_q4", "test_q5"},
    ),
}
