import importlib.util

import numpy as np
import pytest

from dlcore import data


def test_digits_split_is_stratified_normalised_and_repeatable():
    (x, t), (xt, tt) = data.load_digits(test_ratio=0.2, seed=0)
    assert x.shape == (1437, 64) and xt.shape == (360, 64)
    assert x.dtype == np.float32 and 0 <= x.min() and x.max() <= 1
    assert np.bincount(tt).min() >= 35
    (x2, _), _ = data.load_digits(test_ratio=0.2, seed=0)
    np.testing.assert_array_equal(x, x2)
    (_, t1), _ = data.load_digits(one_hot=True)
    assert t1.shape == (1437, 10)


def test_minibatches_cover_every_sample_once_including_the_last_partial_batch():
    x, t = np.arange(10).reshape(10, 1), np.arange(10)
    batches = list(data.minibatches(x, t, 4, rng=np.random.default_rng(0)))
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate([b[1] for b in batches])) == list(range(10))
    assert all((bx[:, 0] == bt).all() for bx, bt in batches)


def test_minibatches_reject_bad_input():
    with pytest.raises(ValueError, match="3 inputs but 2 targets"):
        list(data.minibatches(np.zeros((3, 1)), np.zeros(2), 2))
    with pytest.raises(ValueError, match="batch_size"):
        list(data.minibatches(np.zeros((3, 1)), np.zeros(3), 0))


def test_toy_sets_have_the_documented_shapes():
    x, y = data.make_linear_regression(50, noise=0.0)
    np.testing.assert_allclose(y[:, 0], 2 * x[:, 0] + 3 * x[:, 1], rtol=1e-5)
    x, t = data.make_spirals(n_per_class=20, n_classes=3)
    assert x.shape == (60, 2) and set(t) == {0, 1, 2}
    x, t = data.make_moons(30)
    assert x.shape == (30, 2) and set(t) == {0, 1}


def test_to_one_hot_rejects_out_of_range_labels():
    with pytest.raises(ValueError, match="0..2"):
        data.to_one_hot([0, 3], 3)


def test_train_validation_split_is_stratified_and_disjoint():
    (x, t), _ = data.load_digits(seed=0)
    (x_train, t_train), (x_val, t_val) = data.train_validation_split(x, t, validation_ratio=0.25, seed=0)
    assert len(x_train) + len(x_val) == len(x) and len(x_val) == pytest.approx(0.25 * len(x), abs=1)
    np.testing.assert_allclose(np.bincount(t_val, minlength=10) / len(t_val),
                               np.bincount(t, minlength=10) / len(t), atol=0.01)
    rows = {row.tobytes() for row in x_train}
    assert not any(row.tobytes() in rows for row in x_val)
    (_, t_hot), _ = data.train_validation_split(x, data.to_one_hot(t, 10), seed=0)
    assert t_hot.shape[1] == 10
    with pytest.raises(ValueError, match="train_validation_split: validation_ratio must lie between 0 and 1"):
        data.train_validation_split(x, t, validation_ratio=1.0)


def test_corrupt_labels_moves_exactly_the_share_to_other_classes():
    t = np.repeat(np.arange(10), 30)
    noisy = data.corrupt_labels(t, 0.3, 10, np.random.default_rng(0))
    assert np.sum(noisy != t) == 90                         # exactly 30 %, each to a wrong class
    assert noisy.min() >= 0 and noisy.max() <= 9 and noisy.dtype == t.dtype
    np.testing.assert_array_equal(t, np.repeat(np.arange(10), 30))   # the input is left alone
    np.testing.assert_array_equal(noisy, data.corrupt_labels(t, 0.3, 10, np.random.default_rng(0)))
    with pytest.raises(ValueError, match="corrupt_labels: t must be integer labels"):
        data.corrupt_labels(t.astype(float), 0.3, 10, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"corrupt_labels: ratio must lie in \[0, 1\]"):
        data.corrupt_labels(t, 1.5, 10, np.random.default_rng(0))


def test_labels_are_the_platforms_index_type():
    """np.intp, not int64: np.bincount refuses int64 labels on 32-bit WebAssembly (Pyodide)."""
    (_, t), _ = data.load_digits()
    assert t.dtype == np.intp and data.make_moons(10)[1].dtype == np.intp
    assert data.make_spirals(n_per_class=5)[1].dtype == np.intp


def test_stratified_split_keeps_every_class_and_rejects_a_class_of_one():
    labels = np.repeat(np.arange(3), [10, 6, 4])
    train, test = data.stratified_split(labels, 0.25, seed=0)
    assert len(test) == 5 and sorted(np.concatenate([train, test])) == list(range(20))
    assert set(labels[test]) == {0, 1, 2}
    with pytest.raises(ValueError, match=r"stratified_split: 5 samples in 3 classes \(the smallest with 1\)"):
        data.stratified_split([0, 0, 1, 1, 2], 0.4, seed=0)


needs_sklearn = pytest.mark.skipif(importlib.util.find_spec("sklearn") is None,
                                   reason="the comparisons with scikit-learn need scikit-learn")


@needs_sklearn

def test_shipped_digits_equal_scikit_learns():
    from sklearn.datasets import load_digits

    digits = load_digits()
    table = np.loadtxt(data.DIGITS, delimiter=",")
    np.testing.assert_array_equal(table[:, :-1], digits.data)
    np.testing.assert_array_equal(table[:, -1], digits.target)


@needs_sklearn
@pytest.mark.parametrize("seed", [0, 1, 42])
@pytest.mark.parametrize("ratio", [0.2, 0.25, 0.37])
def test_stratified_split_draws_what_train_test_split_draws(seed, ratio):
    from sklearn.model_selection import train_test_split

    labels = np.random.default_rng(seed).integers(0, 7, size=200)     # uneven classes: rounding ties occur
    index = np.arange(len(labels))
    expected_train, expected_test = train_test_split(index, test_size=ratio, random_state=seed, stratify=labels)
    train, test = data.stratified_split(labels, ratio, seed)
    np.testing.assert_array_equal(train, expected_train)
    np.testing.assert_array_equal(test, expected_test)


@needs_sklearn
def test_make_moons_draws_what_scikit_learn_draws():
    from sklearn.datasets import make_moons

    for n_samples, noise, seed in [(200, 0.15, 0), (31, 0.3, 5)]:
        x, t = data.make_moons(n_samples, noise, seed)
        expected_x, expected_t = make_moons(n_samples=n_samples, noise=noise, random_state=seed)
        np.testing.assert_array_equal(x, expected_x.astype(np.float32))
        np.testing.assert_array_equal(t, expected_t)
