"""Typical learner mistakes in 06_training and the graded cells each one must fail.

Each entry: the answer cells it replaces in an otherwise correct submission
(grade id → source), and the set of graded test cells that must then fail.
"""

MISTAKES = {
    "standardize_test_data_with_its_own_statistics": (
        {"ex_standardize": (
            "def standardize(x_train, x_test):\n"
            "    a = (x_train - x_train.mean(axis=0)) / x_train.std(axis=0)\n"
            "    b = (x_test - x_test.mean(axis=0)) / x_test.std(axis=0)\n"
            "    return a, b\n")},
        {"test_standardize_basic", "test_standardize_hidden"},
    ),
    "standardize_over_all_features_at_once": (
        {"ex_standardize": (
            "def standardize(x_train, x_test):\n"
            "    mean, std = x_train.mean(), x_train.std()\n"
            "    return (x_train - mean) / std, (x_test - mean) / std\n")},
        {"test_standardize_basic", "test_standardize_hidden"},
    ),
    "standardize_divides_by_a_zero_std": (
        {"ex_standardize": (
            "def standardize(x_train, x_test):\n"
            "    mean, std = x_train.mean(axis=0), x_train.std(axis=0)\n"
            "    return (x_train - mean) / std, (x_test - mean) / std\n")},
        {"test_standardize_hidden"},
    ),
    "standardize_overwrites_the_training_data": (
        {"ex_standardize": (
            "def standardize(x_train, x_test):\n"
            "    mean = x_train.mean(axis=0)\n"
            "    std = np.where(x_train.std(axis=0) == 0, 1.0, x_train.std(axis=0))\n"
            "    x_train -= mean\n"
            "    x_train /= std\n"
            "    return x_train, (x_test - mean) / std\n")},
        {"test_standardize_hidden"},
    ),
    "accuracy_counts_instead_of_a_fraction": (
        {"ex_accuracy": (
            "def accuracy(y, t):\n"
            "    if t.ndim == 2:\n"
            "        t = np.argmax(t, axis=1)\n"
            "    return np.sum(np.argmax(y, axis=1) == t)\n")},
        {"test_accuracy_basic", "test_accuracy_hidden"},
    ),
    "accuracy_argmax_over_the_batch_axis": (
        {"ex_accuracy": (
            "def accuracy(y, t):\n"
            "    if t.ndim == 2:\n"
            "        t = np.argmax(t, axis=0)\n"
            "    return float(np.mean(np.argmax(y, axis=0) == t))\n")},
        {"test_accuracy_basic", "test_accuracy_hidden"},
    ),
    "accuracy_ignores_one_hot_targets": (
        {"ex_accuracy": "def accuracy(y, t):\n    return float(np.mean(np.argmax(y, axis=1) == t))\n"},
        {"test_accuracy_hidden"},
    ),
    "confusion_matrix_fancy_index_increment": (
        {"ex_confusion_matrix": (
            "def confusion_matrix(pred, t, n_classes):\n"
            "    C = np.zeros((n_classes, n_classes), dtype=np.int64)\n"
            "    C[t, pred] += 1\n"
            "    return C\n")},
        {"test_confusion_matrix_basic", "test_confusion_matrix_hidden"},
    ),
    "confusion_matrix_transposed": (
        {"ex_confusion_matrix": (
            "def confusion_matrix(pred, t, n_classes):\n"
            "    C = np.zeros((n_classes, n_classes), dtype=np.int64)\n"
            "    np.add.at(C, (pred, t), 1)\n"
            "    return C\n")},
        {"test_confusion_matrix_basic", "test_confusion_matrix_hidden"},
    ),
    "accuracy_calls_dlcore_metrics": (
        {"ex_accuracy": "def accuracy(y, t):\n    from dlcore import metrics\n    return metrics.accuracy(y, t)\n"},
        {"test_accuracy_basic", "test_accuracy_hidden"},
    ),
    "confusion_matrix_size_from_the_largest_label": (
        {"ex_confusion_matrix": (
            "def confusion_matrix(pred, t, n_classes):\n"
            "    n = max(pred.max(), t.max()) + 1\n"
            "    return np.bincount(t * n + pred, minlength=n * n).reshape(n, n)\n")},
        {"test_confusion_matrix_hidden"},
    ),
    "train_epoch_forgets_the_update": (
        {"ex_train_epoch": (
            "def train_epoch(network, optimizer, x, t, batch_size, rng):\n"
            "    total = 0.0\n"
            "    order = rng.permutation(len(x))\n"
            "    for start in range(0, len(x), batch_size):\n"
            "        x_batch, t_batch = x[order[start:start + batch_size]], t[order[start:start + batch_size]]\n"
            "        loss, grads = network.loss_and_gradient(x_batch, t_batch)\n"
            "        total += loss * len(x_batch)\n"
            "    return total / len(x)\n")},
        {"test_train_epoch_basic", "test_train_epoch_hidden"},
    ),
    "train_epoch_drops_the_last_small_batch": (
        {"ex_train_epoch": (
            "def train_epoch(network, optimizer, x, t, batch_size, rng):\n"
            "    order = rng.permutation(len(x))\n"
            "    losses = []\n"
            "    for i in range(len(x) // batch_size):\n"
            "        index = order[i * batch_size:(i + 1) * batch_size]\n"
            "        loss, grads = network.loss_and_gradient(x[index], t[index])\n"
            "        optimizer.update(network.params, grads)\n"
            "        losses.append(loss)\n"
            "    return float(np.mean(losses))\n")},
        {"test_train_epoch_hidden"},
    ),
    "train_epoch_averages_batch_losses_without_weights": (
        {"ex_train_epoch": (
            "def train_epoch(network, optimizer, x, t, batch_size, rng):\n"
            "    losses = []\n"
            "    order = rng.permutation(len(x))\n"
            "    for start in range(0, len(x), batch_size):\n"
            "        x_batch, t_batch = x[order[start:start + batch_size]], t[order[start:start + batch_size]]\n"
            "        loss, grads = network.loss_and_gradient(x_batch, t_batch)\n"
            "        optimizer.update(network.params, grads)\n"
            "        losses.append(loss)\n"
            "    return float(np.mean(losses))\n")},
        {"test_train_epoch_hidden"},
    ),
    "train_epoch_never_shuffles": (
        {"ex_train_epoch": (
            "def train_epoch(network, optimizer, x, t, batch_size, rng):\n"
            "    total = 0.0\n"
            "    for start in range(0, len(x), batch_size):\n"
            "        x_batch, t_batch = x[start:start + batch_size], t[start:start + batch_size]\n"
            "        loss, grads = network.loss_and_gradient(x_batch, t_batch)\n"
            "        optimizer.update(network.params, grads)\n"
            "        total += loss * len(x_batch)\n"
            "    return total / len(x)\n")},
        {"test_train_epoch_hidden"},
    ),
    "train_epoch_uses_dlcore_minibatches": (
        {"ex_train_epoch": (
            "def train_epoch(network, optimizer, x, t, batch_size, rng):\n"
            "    total = 0.0\n"
            "    for x_batch, t_batch in data.minibatches(x, t, batch_size, rng):\n"
            "        loss, grads = network.loss_and_gradient(x_batch, t_batch)\n"
            "        optimizer.update(network.params, grads)\n"
            "        total += loss * len(x_batch)\n"
            "    return total / len(x)\n")},
        {"test_train_epoch_basic", "test_train_epoch_hidden"},
    ),
    "check_questions_answered_wrongly": (
        {"q1": "answer_q1 = 2000 // 64 * 15\n", "q2": "answer_q2 = 1\n", "q3": "answer_q3 = {3}\n",
         "q4": "answer_q4 = 2\n"},
        {"test_q1", "test_q2", "test_q3", "test_q4"},
    ),
}
