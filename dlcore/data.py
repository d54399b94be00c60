"""Datasets that need no download, and the mini-batch iterator (データセット).

Every generator takes a ``seed`` so that a chapter shows the same numbers on
every run; inputs are float32, class labels int64.
"""

import numpy as np


def load_digits(test_ratio=0.2, seed=0, one_hot=False):
    """scikit-learn's bundled 8×8 handwritten digits (1,797 images, 10 classes).

    Pixels are scaled from 0..16 to 0..1 and flattened to 64 features.  The
    split is stratified: each digit keeps the same share in train and test.

    Returns
    -------
    (x_train, t_train), (x_test, t_test)
    """
    from sklearn.datasets import load_digits as sklearn_digits
    from sklearn.model_selection import train_test_split

    if not 0 < test_ratio < 1:
        raise ValueError(f"load_digits: test_ratio must lie between 0 and 1, got {test_ratio}")
    digits = sklearn_digits()
    x = (digits.data / 16.0).astype(np.float32)
    t = digits.target.astype(np.int64)
    x_train, x_test, t_train, t_test = train_test_split(
        x, t, test_size=test_ratio, random_state=seed, stratify=t)
    if one_hot:
        t_train, t_test = to_one_hot(t_train, 10), to_one_hot(t_test, 10)
    return (x_train, t_train), (x_test, t_test)


def to_one_hot(labels, n_classes):
    """Integer labels (N,) → one-hot rows (N, n_classes) in float32."""
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu" or labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError(f"to_one_hot: labels must be integers in 0..{n_classes - 1}")
    return np.eye(n_classes, dtype=np.float32)[labels]


def train_validation_split(x, t, validation_ratio=0.2, seed=0):
    """Hold out a stratified validation set (検証データ) from training data.

    Hyperparameters and the epoch to stop at are chosen on the validation set,
    so the test set stays unseen until the final evaluation.  ``t`` holds
    integer labels (N,) or one-hot rows (N, K); each class keeps its share.

    Returns
    -------
    (x_train, t_train), (x_val, t_val)
    """
    from sklearn.model_selection import train_test_split

    if len(x) != len(t):
        raise ValueError(f"train_validation_split: {len(x)} inputs but {len(t)} targets")
    if not 0 < validation_ratio < 1:
        raise ValueError(f"train_validation_split: validation_ratio must lie between 0 and 1, got {validation_ratio}")
    labels = np.asarray(t)
    labels = labels.argmax(axis=1) if labels.ndim == 2 else labels
    x_train, x_val, t_train, t_val = train_test_split(
        x, t, test_size=validation_ratio, random_state=seed, stratify=labels)
    return (x_train, t_train), (x_val, t_val)


def corrupt_labels(t, ratio, n_classes, rng):
    """A copy of integer labels ``t`` with a share ``ratio`` replaced by another class (ラベルノイズ).

    Exactly round(ratio · N) labels, chosen at random, each move to a class drawn
    uniformly from the n_classes − 1 wrong ones.
    """
    t = np.asarray(t)
    if t.ndim != 1 or t.dtype.kind not in "iu":
        raise ValueError(f"corrupt_labels: t must be integer labels of shape (N,), got {t.dtype} {t.shape}")
    if not 0 <= ratio <= 1:
        raise ValueError(f"corrupt_labels: ratio must lie in [0, 1], got {ratio}")
    if n_classes < 2 or t.min() < 0 or t.max() >= n_classes:
        raise ValueError(f"corrupt_labels: labels must lie in 0..{n_classes - 1} with n_classes ≥ 2")
    noisy = t.copy()
    chosen = rng.choice(len(t), size=round(ratio * len(t)), replace=False)
    offset = rng.integers(1, n_classes, size=len(chosen))   # 1..K−1: never the true class
    noisy[chosen] = (t[chosen] + offset) % n_classes
    return noisy


def make_linear_regression(n_samples=200, noise=0.1, seed=0):
    """Toy regression y = 2·x0 + 3·x1 + noise, x uniform in [−1, 1]²; y has shape (N, 1)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(n_samples, 2)).astype(np.float32)
    y = 2 * x[:, :1] + 3 * x[:, 1:] + noise * rng.standard_normal((n_samples, 1))
    return x, y.astype(np.float32)


def make_spirals(n_per_class=100, n_classes=3, noise=0.2, seed=0):
    """Interleaved 2-D spirals, one arm per class: a problem no straight line separates."""
    rng = np.random.default_rng(seed)
    radius = np.tile(np.linspace(0.0, 1.0, n_per_class), n_classes)
    labels = np.repeat(np.arange(n_classes), n_per_class)
    angle = labels * (2 * np.pi / n_classes) + radius * 4 + noise * rng.standard_normal(radius.size)
    x = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)]).astype(np.float32)
    return x, labels.astype(np.int64)


def make_moons(n_samples=200, noise=0.15, seed=0):
    """Two interleaving half circles (scikit-learn's make_moons), labels 0 and 1."""
    from sklearn.datasets import make_moons as sklearn_moons

    x, t = sklearn_moons(n_samples=n_samples, noise=noise, random_state=seed)
    return x.astype(np.float32), t.astype(np.int64)


def minibatches(x, t, batch_size, rng=None):
    """Yield (x_batch, t_batch) covering every sample once, the last batch possibly smaller.

    With a NumPy ``Generator`` as ``rng`` the order is shuffled (as in SGD);
    without one it is the stored order.
    """
    if len(x) != len(t):
        raise ValueError(f"minibatches: {len(x)} inputs but {len(t)} targets")
    if int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"minibatches: batch_size must be a positive integer, got {batch_size}")
    order = rng.permutation(len(x)) if rng is not None else np.arange(len(x))
    for start in range(0, len(x), int(batch_size)):
        index = order[start:start + int(batch_size)]
        yield x[index], t[index]
