"""Datasets that need no download, and the mini-batch iterator (データセット).

Every generator takes a ``seed`` so that a chapter shows the same numbers on
every run; inputs are float32, class labels np.intp (the platform's index type,
which ``np.bincount`` accepts on 32-bit WebAssembly too).  Nothing here needs
scikit-learn: the digits ship with dlcore (digits.csv.gz, its header says where
they come from), and the splits and the moons draw exactly what scikit-learn's
``train_test_split(..., stratify=...)`` and ``make_moons`` draw for the same seed.
"""

import math
from pathlib import Path

import numpy as np

DIGITS = Path(__file__).with_name("digits.csv.gz")


def load_digits(test_ratio=0.2, seed=0, one_hot=False):
    """The 8×8 handwritten digits that scikit-learn bundles (1,797 images, 10 classes).

    Pixels are scaled from 0..16 to 0..1 and flattened to 64 features.  The
    split is stratified: each digit keeps the same share in train and test.

    Returns
    -------
    (x_train, t_train), (x_test, t_test)
    """
    if not 0 < test_ratio < 1:
        raise ValueError(f"load_digits: test_ratio must lie between 0 and 1, got {test_ratio}")
    table = np.loadtxt(DIGITS, delimiter=",")
    x = (table[:, :-1] / 16.0).astype(np.float32)
    t = table[:, -1].astype(np.intp)
    train, test = stratified_split(t, test_ratio, seed)
    x_train, x_test, t_train, t_test = x[train], x[test], t[train], t[test]
    if one_hot:
        t_train, t_test = to_one_hot(t_train, 10), to_one_hot(t_test, 10)
    return (x_train, t_train), (x_test, t_test)


def stratified_split(labels, test_ratio, seed):
    """Indices (train, test) of a random split in which each class keeps its share.

    The same draw as scikit-learn's ``train_test_split(..., test_size=test_ratio,
    random_state=seed, stratify=labels)`` (``StratifiedShuffleSplit``): ⌈ratio · N⌉
    test samples, shares rounded as its ``_approximate_mode`` rounds them.
    """
    classes, label_ids, counts = np.unique(labels, return_inverse=True, return_counts=True)
    n_test = math.ceil(test_ratio * len(label_ids))
    n_train = len(label_ids) - n_test
    if counts.min() < 2 or min(n_train, n_test) < len(classes):
        raise ValueError(f"stratified_split: {len(label_ids)} samples in {len(classes)} classes (the smallest with "
                         f"{counts.min()}) cannot give every class a place in both parts at ratio {test_ratio}")
    by_class = np.split(np.argsort(label_ids, kind="stable"), np.cumsum(counts)[:-1])
    rng = np.random.RandomState(seed)
    n_train_per_class = _approximate_mode(counts, n_train, rng)
    n_test_per_class = _approximate_mode(counts - n_train_per_class, n_test, rng)
    train, test = [], []
    for members, n_tr, n_te in zip(by_class, n_train_per_class, n_test_per_class):
        members = members[rng.permutation(len(members))]
        train.extend(members[:n_tr])
        test.extend(members[n_tr:n_tr + n_te])
    return rng.permutation(train), rng.permutation(test)


def _approximate_mode(counts, n_draws, rng):
    """Samples per class for ``n_draws`` draws: the floored shares, then one more each for the largest
    remainders, ties broken at random (scikit-learn's ``_approximate_mode``)."""
    continuous = counts / counts.sum() * n_draws
    floored = np.floor(continuous)
    need = int(n_draws - floored.sum())
    remainder = continuous - floored
    for value in np.sort(np.unique(remainder))[::-1]:
        if need == 0:
            break
        (tied,) = np.where(remainder == value)
        chosen = rng.choice(tied, size=min(len(tied), need), replace=False)
        floored[chosen] += 1
        need -= len(chosen)
    return floored.astype(np.intp)


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
    if len(x) != len(t):
        raise ValueError(f"train_validation_split: {len(x)} inputs but {len(t)} targets")
    if not 0 < validation_ratio < 1:
        raise ValueError(f"train_validation_split: validation_ratio must lie between 0 and 1, got {validation_ratio}")
    labels = np.asarray(t)
    labels = labels.argmax(axis=1) if labels.ndim == 2 else labels
    train, val = stratified_split(labels, validation_ratio, seed)
    return (x[train], t[train]), (x[val], t[val])


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
    return x, labels.astype(np.intp)


def make_moons(n_samples=200, noise=0.15, seed=0):
    """Two interleaving half circles, labels 0 and 1: scikit-learn's ``make_moons`` for the same seed."""
    n_outer = n_samples // 2
    outer, inner = np.linspace(0, np.pi, n_outer), np.linspace(0, np.pi, n_samples - n_outer)
    x = np.column_stack([np.append(np.cos(outer), 1 - np.cos(inner)),
                         np.append(np.sin(outer), 1 - np.sin(inner) - 0.5)])
    t = np.repeat(np.array([0, 1], dtype=np.intp), [n_outer, n_samples - n_outer])
    rng = np.random.RandomState(seed)
    order = np.arange(n_samples)
    rng.shuffle(order)
    x, t = x[order], t[order]
    x += rng.normal(scale=noise, size=x.shape)
    return x.astype(np.float32), t


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
