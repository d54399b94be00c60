"""Typical learner mistakes in 04_gradient_descent and the graded cells each one must fail.

Each entry: the answer cells it replaces in an otherwise correct submission
(grade id → source), and the set of graded test cells that must then fail.
"""

MISTAKES = {
    "gradient_descent_climbs_uphill": (
        {"ex_gradient_descent": (
            "def gradient_descent(grad_f, w0, lr, n_steps):\n"
            "    w = np.array(w0, dtype=np.float64)\n"
            "    path = [w]\n"
            "    for _ in range(n_steps):\n"
            "        w = w + lr * grad_f(w)\n"
            "        path.append(w)\n"
            "    return np.array(path)\n")},
        {"test_gradient_descent_basic", "test_gradient_descent_hidden"},
    ),
    "gradient_descent_updates_w0_in_place": (
        {"ex_gradient_descent": (
            "def gradient_descent(grad_f, w0, lr, n_steps):\n"
            "    w = w0\n"
            "    path = [w.copy()]\n"
            "    for _ in range(n_steps):\n"
            "        w -= lr * grad_f(w)\n"
            "        path.append(w.copy())\n"
            "    return np.array(path)\n")},
        {"test_gradient_descent_hidden"},
    ),
    "gradient_descent_appends_the_same_array": (
        {"ex_gradient_descent": (
            "def gradient_descent(grad_f, w0, lr, n_steps):\n"
            "    w = np.array(w0, dtype=np.float64)\n"
            "    path = [w]\n"
            "    for _ in range(n_steps):\n"
            "        w -= lr * grad_f(w)\n"
            "        path.append(w)\n"
            "    return np.array(path)\n")},
        {"test_gradient_descent_basic", "test_gradient_descent_hidden"},
    ),
    "gradient_descent_leaves_out_the_start": (
        {"ex_gradient_descent": (
            "def gradient_descent(grad_f, w0, lr, n_steps):\n"
            "    w = np.array(w0, dtype=np.float64)\n"
            "    path = []\n"
            "    for _ in range(n_steps):\n"
            "        w = w - lr * grad_f(w)\n"
            "        path.append(w)\n"
            "    return np.array(path)\n")},
        {"test_gradient_descent_basic", "test_gradient_descent_hidden"},
    ),
    "minibatches_drop_the_last_partial_batch": (
        {"ex_minibatch_indices": (
            "def minibatch_indices(n, batch_size, rng):\n"
            "    order = rng.permutation(n)\n"
            "    return [order[i * batch_size:(i + 1) * batch_size] for i in range(n // batch_size)]\n")},
        {"test_minibatch_indices_basic", "test_minibatch_indices_hidden"},
    ),
    "minibatches_end_with_an_empty_batch": (
        {"ex_minibatch_indices": (
            "def minibatch_indices(n, batch_size, rng):\n"
            "    order = rng.permutation(n)\n"
            "    return [order[i * batch_size:(i + 1) * batch_size] for i in range(n // batch_size + 1)]\n")},
        {"test_minibatch_indices_hidden"},
    ),
    "minibatches_without_shuffling": (
        {"ex_minibatch_indices": (
            "def minibatch_indices(n, batch_size, rng):\n"
            "    order = np.arange(n)\n"
            "    return [order[start:start + batch_size] for start in range(0, n, batch_size)]\n")},
        {"test_minibatch_indices_basic", "test_minibatch_indices_hidden"},
    ),
    "regression_gradient_summed_instead_of_averaged": (
        {"ex_linear_regression_gradient": (
            "def linear_regression_gradient(x, d, W, b):\n"
            "    delta = x @ W + b - d\n"
            "    return x.T @ delta, delta.sum(axis=0)\n")},
        {"test_linear_regression_gradient_basic", "test_linear_regression_gradient_hidden"},
    ),
    "regression_gradient_with_the_wrong_sign": (
        {"ex_linear_regression_gradient": (
            "def linear_regression_gradient(x, d, W, b):\n"
            "    delta = (d - (x @ W + b)) / len(x)\n"
            "    return x.T @ delta, delta.sum(axis=0)\n")},
        {"test_linear_regression_gradient_basic", "test_linear_regression_gradient_hidden"},
    ),
    "regression_gradient_divided_by_the_number_of_features": (
        {"ex_linear_regression_gradient": (
            "def linear_regression_gradient(x, d, W, b):\n"
            "    delta = (x @ W + b - d) / x.shape[1]\n"
            "    return x.T @ delta, delta.sum(axis=0)\n")},
        {"test_linear_regression_gradient_hidden"},
    ),
    "regression_bias_gradient_summed_over_the_wrong_axis": (
        {"ex_linear_regression_gradient": (
            "def linear_regression_gradient(x, d, W, b):\n"
            "    delta = (x @ W + b - d) / len(x)\n"
            "    return x.T @ delta, delta.sum(axis=1)\n")},
        {"test_linear_regression_gradient_basic", "test_linear_regression_gradient_hidden"},
    ),
    "regression_gradient_without_the_half": (
        {"ex_linear_regression_gradient": (
            "def linear_regression_gradient(x, d, W, b):\n"
            "    delta = 2 * (x @ W + b - d) / len(x)\n"
            "    return x.T @ delta, delta.sum(axis=0)\n")},
        {"test_linear_regression_gradient_basic", "test_linear_regression_gradient_hidden"},
    ),
    "regression_gradient_from_dlcore_layers": (
        {"ex_linear_regression_gradient": (
            "def linear_regression_gradient(x, d, W, b):\n"
            "    from dlcore import layers\n"
            "    affine, loss = layers.Affine(W.copy(), b.copy()), layers.IdentityWithLoss()\n"
            "    loss.forward(affine.forward(x), d)\n"
            "    affine.backward(loss.backward())\n"
            "    return affine.grads[0], affine.grads[1]\n")},
        {"test_linear_regression_gradient_basic", "test_linear_regression_gradient_hidden"},
    ),
    "step_added_instead_of_subtracted": (
        {"q1": "answer_q1 = (1.2, -2.3)\n"},
        {"test_q1"},
    ),
    "check_questions_answered_wrongly": (
        {"q2": "answer_q2 = 1\n", "q3": "answer_q3 = 75\n", "q4": "answer_q4 = {1, 2, 3, 4}\n"},
        {"test_q2", "test_q3", "test_q4"},
    ),
}
