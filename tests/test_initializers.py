import numpy as np
import pytest

from dlcore import initializers


def test_fans_of_affine_and_convolution_weights():
    assert initializers.fans((784, 100)) == (784, 100)
    assert initializers.fans((64, 32, 3, 3)) == (32 * 9, 64 * 9)


@pytest.mark.parametrize("method, variance", [("xavier", 1 / 288), ("he", 2 / 288), ("normal", 0.01 ** 2)])
def test_the_variance_follows_the_fan_in(method, variance):
    w = initializers.initial_weights((64, 32, 3, 3), np.random.default_rng(0), method)
    assert w.shape == (64, 32, 3, 3) and w.dtype == np.float32
    assert w.var() == pytest.approx(variance, rel=0.03)


def test_the_affine_shortcuts_repeat_with_a_seed():
    a = initializers.he(100, 50, np.random.default_rng(1))
    b = initializers.initial_weights((100, 50), np.random.default_rng(1), "he")
    np.testing.assert_array_equal(a, b)
    assert initializers.xavier(100, 50, np.random.default_rng(1)).std() == pytest.approx(0.1, rel=0.03)


def test_bad_shapes_and_methods_name_the_call():
    with pytest.raises(ValueError, match=r"he: a weight shape is \(in, out\)"):
        initializers.he(0, 3, np.random.default_rng(0))
    with pytest.raises(ValueError, match="initial_weights: method must be one of"):
        initializers.initial_weights((3, 3), np.random.default_rng(0), "glorot")
