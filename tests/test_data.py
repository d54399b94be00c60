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
