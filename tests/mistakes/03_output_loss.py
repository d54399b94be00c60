"""Typical learner mistakes in 03_output_loss and the graded cells each one must fail.

Each entry: the answer cells it replaces in an otherwise correct submission
(grade id → source), and the set of graded test cells that must then fail.
"""

MISTAKES = {
    # --- softmax ---------------------------------------------------------------------
    "softmax_without_the_max_trick": (
        {"ex_softmax": "def softmax(x):\n    e = np.exp(x)\n    return e / np.sum(e, axis=-1, keepdims=True)\n"},
        {"test_softmax_hidden"},
    ),
    "softmax_normalises_over_the_whole_batch": (
        {"ex_softmax": "def softmax(x):\n    e = np.exp(x - np.max(x, axis=-1, keepdims=True))\n    return e / np.sum(e)\n"},
        {"test_softmax_basic", "test_softmax_hidden"},
    ),
    "softmax_normalises_columns_instead_of_rows": (
        {"ex_softmax": "def softmax(x):\n    e = np.exp(x - np.max(x, axis=0))\n    return e / np.sum(e, axis=0)\n"},
        {"test_softmax_basic", "test_softmax_hidden"},
    ),
    "softmax_subtracts_the_maximum_of_the_whole_batch": (
        {"ex_softmax": "def softmax(x):\n    e = np.exp(x - np.max(x))\n    return e / np.sum(e, axis=-1, keepdims=True)\n"},
        {"test_softmax_hidden"},
    ),
    "softmax_overwrites_its_input": (
        {"ex_softmax": "def softmax(x):\n    x -= np.max(x, axis=-1, keepdims=True)\n"
                       "    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)\n"},
        {"test_softmax_hidden"},
    ),
    # --- cross_entropy_error ---------------------------------------------------------
    "cross_entropy_without_the_batch_mean": (
        {"ex_cross_entropy_error": "def cross_entropy_error(d, y):\n    d = np.asarray(d)\n    if d.shape != y.shape:\n"
                                   "        d = np.eye(y.shape[-1])[d]\n    return -np.sum(d * np.log(y + 1e-7))\n"},
        {"test_cross_entropy_error_basic", "test_cross_entropy_error_hidden"},
    ),
    "cross_entropy_with_target_and_output_swapped": (
        {"ex_cross_entropy_error": "def cross_entropy_error(d, y):\n    d = np.asarray(d)\n    if d.shape != y.shape:\n"
                                   "        d = np.eye(y.shape[-1])[d]\n    n = 1 if y.ndim == 1 else y.shape[0]\n"
                                   "    return -np.sum(y * np.log(d + 1e-7)) / n\n"},
        {"test_cross_entropy_error_basic", "test_cross_entropy_error_hidden"},
    ),
    "cross_entropy_only_for_one_hot_targets": (
        {"ex_cross_entropy_error": "def cross_entropy_error(d, y):\n    n = 1 if y.ndim == 1 else y.shape[0]\n"
                                   "    return -np.sum(d * np.log(y + 1e-7)) / n\n"},
        {"test_cross_entropy_error_basic", "test_cross_entropy_error_hidden"},
    ),
    "cross_entropy_mean_over_all_elements": (
        {"ex_cross_entropy_error": "def cross_entropy_error(d, y):\n    d = np.asarray(d)\n    if d.shape != y.shape:\n"
                                   "        d = np.eye(y.shape[-1])[d]\n    return -np.mean(d * np.log(y + 1e-7))\n"},
        {"test_cross_entropy_error_basic", "test_cross_entropy_error_hidden"},
    ),
    "cross_entropy_without_the_epsilon": (
        {"ex_cross_entropy_error": "def cross_entropy_error(d, y):\n    d = np.asarray(d)\n    if d.shape != y.shape:\n"
                                   "        d = np.eye(y.shape[-1])[d]\n    n = 1 if y.ndim == 1 else y.shape[0]\n"
                                   "    return -np.sum(d * np.log(y)) / n\n"},
        {"test_cross_entropy_error_hidden"},
    ),
    "cross_entropy_batch_size_from_len_of_a_single_sample": (
        {"ex_cross_entropy_error": "def cross_entropy_error(d, y):\n    d = np.asarray(d)\n    if d.shape != y.shape:\n"
                                   "        d = np.eye(y.shape[-1])[d]\n    return -np.sum(d * np.log(y + 1e-7)) / len(y)\n"},
        {"test_cross_entropy_error_hidden"},
    ),
    "cross_entropy_adds_the_epsilon_in_place": (
        {"ex_cross_entropy_error": "def cross_entropy_error(d, y):\n    d = np.asarray(d)\n    if d.shape != y.shape:\n"
                                   "        d = np.eye(y.shape[-1])[d]\n    n = 1 if y.ndim == 1 else y.shape[0]\n"
                                   "    y += 1e-7\n    return -np.sum(d * np.log(y)) / n\n"},
        {"test_cross_entropy_error_hidden"},
    ),
    # --- mean_squared_error ----------------------------------------------------------
    "squared_error_without_the_half": (
        {"ex_mean_squared_error": "def mean_squared_error(d, y):\n    n = 1 if y.ndim == 1 else y.shape[0]\n"
                                  "    return np.sum((y - d) ** 2) / n\n"},
        {"test_mean_squared_error_basic", "test_mean_squared_error_hidden"},
    ),
    "squared_error_mean_over_all_elements": (
        {"ex_mean_squared_error": "def mean_squared_error(d, y):\n    return np.mean(np.square(d - y)) / 2\n"},
        {"test_mean_squared_error_basic", "test_mean_squared_error_hidden"},
    ),
    "squared_error_batch_size_from_len_of_a_single_sample": (
        {"ex_mean_squared_error": "def mean_squared_error(d, y):\n    return 0.5 * np.sum((y - d) ** 2) / len(y)\n"},
        {"test_mean_squared_error_hidden"},
    ),
    "squared_error_subtracts_in_place": (
        {"ex_mean_squared_error": "def mean_squared_error(d, y):\n    n = 1 if y.ndim == 1 else y.shape[0]\n"
                                  "    y -= d\n    return 0.5 * np.sum(y ** 2) / n\n"},
        {"test_mean_squared_error_hidden"},
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
