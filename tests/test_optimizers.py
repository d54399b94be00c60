import numpy as np
import pytest

from dlcore.optimizers import SGD


def test_sgd_takes_one_hand_computed_step_in_place():
    w = np.array([1.0, -2.0])
    params = [w]
    SGD(lr=0.1).update(params, [np.array([0.5, -1.0])])
    np.testing.assert_allclose(w, [0.95, -1.9])
    assert params[0] is w


def test_sgd_keeps_float32():
    w = np.ones(3, np.float32)
    SGD(0.1).update([w], [np.ones(3, np.float32)])
    assert w.dtype == np.float32


def test_sgd_rejects_bad_arguments():
    with pytest.raises(ValueError, match="learning rate"):
        SGD(lr=0)
    with pytest.raises(ValueError, match="2 parameters but 1 gradients"):
        SGD().update([np.ones(1), np.ones(1)], [np.ones(1)])
