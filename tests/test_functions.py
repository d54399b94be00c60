import warnings

import numpy as np
import pytest

from dlcore import functions as F
from dlcore.gradcheck import numerical_derivative, numerical_gradient, relative_error

X = np.linspace(-4, 4, 41)  # avoids exactly 0 except at the centre
X_OFF_ZERO = X[np.abs(X) > 1e-3]

ACTIVATIONS = [
    (F.sigmoid, F.d_sigmoid),
    (F.tanh, F.d_tanh),
    (F.relu, F.d_relu),
    (F.leaky_relu, F.d_leaky_relu),
    (F.identity, F.d_identity),
    (F.step_function, F.d_step_function),
]


@pytest.mark.parametrize("f, df", ACTIVATIONS, ids=lambda f: getattr(f, "__name__", ""))
def test_derivative_matches_central_difference(f, df):
    # kinks (relu, leaky_relu, step) sit at 0, which X_OFF_ZERO leaves out
    assert relative_error(df(X_OFF_ZERO), numerical_derivative(f, X_OFF_ZERO)) < 1e-7


@pytest.mark.parametrize("f, df", ACTIVATIONS, ids=lambda f: getattr(f, "__name__", ""))
def test_activation_keeps_shape_and_float32_and_does_not_mutate(f, df):
    x = np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4)
    before = x.copy()
    for g in (f, df):
        y = g(x)
        assert y.shape == x.shape
        assert y.dtype == np.float32
    np.testing.assert_array_equal(x, before)


def test_known_values():
    np.testing.assert_allclose(F.step_function([-1.0, 0.0, 2.0]), [0, 0, 1])
    np.testing.assert_allclose(F.sigmoid(0.0), 0.5)
    np.testing.assert_allclose(F.d_sigmoid(0.0), 0.25)
    np.testing.assert_allclose(F.d_tanh(0.0), 1.0)
    np.testing.assert_allclose(F.relu([-2.0, 0.0, 3.0]), [0, 0, 3])
    np.testing.assert_allclose(F.leaky_relu([-2.0, 3.0], alpha=0.1), [-0.2, 3.0])
    np.testing.assert_allclose(F.d_leaky_relu([-2.0, 3.0], alpha=0.1), [0.1, 1.0])
    np.testing.assert_allclose(F.d_relu([-1.0, 0.0, 1.0]), [0, 0, 1])


def test_sigmoid_derivative_is_at_most_a_quarter():
    u = np.linspace(-20, 20, 2001)
    assert F.d_sigmoid(u).max() == pytest.approx(0.25)


def test_integer_input_is_computed_in_float():
    assert F.sigmoid(np.array([0, 1])).dtype == np.float64
    assert F.relu(np.array([-1, 2])).dtype == np.float64


def test_non_numeric_input_is_rejected_with_the_function_name():
    with pytest.raises(TypeError, match="sigmoid"):
        F.sigmoid(np.array(["a", "b"]))
    with pytest.raises(TypeError, match="relu"):
        F.relu(np.array([True, False]))


def test_sigmoid_and_softmax_do_not_overflow_at_1000():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(F.sigmoid(np.array([-1000.0, 1000.0])), [0.0, 1.0])
        np.testing.assert_allclose(F.softmax(np.array([1000.0, 0.0, -1000.0])), [1, 0, 0])
        np.testing.assert_allclose(F.softmax(np.array([[1000.0, 1000.0]])), [[0.5, 0.5]])
        assert np.isfinite(F.d_sigmoid(np.array([-1000.0, 1000.0]))).all()


def test_softmax_rows_sum_to_one_and_are_shift_invariant():
    rng = np.random.default_rng(0)
    u = rng.normal(size=(5, 4))
    y = F.softmax(u)
    np.testing.assert_allclose(y.sum(axis=1), 1)
    np.testing.assert_allclose(F.softmax(u + 100), y)
    np.testing.assert_allclose(F.softmax(u[0]), y[0])


def test_softmax_rejects_3d():
    with pytest.raises(ValueError, match=r"softmax.*\(2, 2, 2\)"):
        F.softmax(np.zeros((2, 2, 2)))


def test_mean_squared_error_is_half_squared_norm_averaged_over_batch():
    d = np.array([[1.0, 0.0], [0.0, 1.0]])
    y = np.array([[0.5, 0.0], [0.0, 0.0]])
    assert F.mean_squared_error(d, y) == pytest.approx((0.5 * 0.25 + 0.5 * 1.0) / 2)
    assert F.mean_squared_error(d[0], y[0]) == pytest.approx(0.5 * 0.25)


def test_mean_squared_error_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"mean_squared_error.*\(3,\).*\(2, 3\)"):
        F.mean_squared_error(np.zeros(3), np.zeros((2, 3)))


def test_d_mean_squared_error_is_its_gradient():
    rng = np.random.default_rng(1)
    d, y = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    numeric = numerical_gradient(lambda v: F.mean_squared_error(d, v), y)
    assert relative_error(F.d_mean_squared_error(d, y), numeric) < 1e-7


def test_cross_entropy_accepts_one_hot_labels_single_and_batch():
    y = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    expected = -(np.log(0.7 + 1e-7) + np.log(0.8 + 1e-7)) / 2
    one_hot = np.array([[1, 0, 0], [0, 0, 1]])
    assert F.cross_entropy_error(one_hot, y) == pytest.approx(expected)
    assert F.cross_entropy_error(np.array([0, 2]), y) == pytest.approx(expected)
    assert F.cross_entropy_error(np.array([0, 0, 1]), y[1]) == pytest.approx(-np.log(0.8 + 1e-7))
    assert F.cross_entropy_error(2, y[1]) == pytest.approx(-np.log(0.8 + 1e-7))


def test_cross_entropy_is_finite_when_a_probability_is_zero():
    assert F.cross_entropy_error(np.array([1]), np.array([[1.0, 0.0]])) == pytest.approx(-np.log(1e-7))


def test_cross_entropy_rejects_bad_targets():
    y = np.full((2, 3), 1 / 3)
    with pytest.raises(ValueError, match="0..2"):
        F.cross_entropy_error(np.array([0, 3]), y)
    with pytest.raises(TypeError, match="integers"):
        F.cross_entropy_error(np.array([0.0, 1.0]), y)
    with pytest.raises(ValueError, match=r"\(4,\)"):
        F.cross_entropy_error(np.array([0, 1, 2, 0]), y)


def test_d_cross_entropy_error_is_its_gradient():
    rng = np.random.default_rng(2)
    y = F.softmax(rng.normal(size=(3, 4)))
    labels = np.array([0, 3, 1])
    numeric = numerical_gradient(lambda v: F.cross_entropy_error(labels, v), y)
    assert relative_error(F.d_cross_entropy_error(labels, y), numeric) < 1e-7


def test_binary_cross_entropy_matches_the_formula_and_survives_zero():
    d = np.array([[1.0], [0.0]])
    y = np.array([[0.8], [0.3]])
    expected = -(np.log(0.8 + 1e-7) + np.log(0.7 + 1e-7)) / 2
    assert F.binary_cross_entropy_error(d, y) == pytest.approx(expected)
    assert np.isfinite(F.binary_cross_entropy_error(d, np.array([[0.0], [1.0]])))


def test_the_syllabus_scalar_output_regression_runs_unchanged():
    """The syllabus's 2–5–1 network: one sample, a scalar output y and a scalar target d."""
    rng = np.random.default_rng(0)
    x = np.array([1.0, 2.0])
    W1, b1, W2, b2 = rng.normal(size=(2, 5)), np.zeros(5), rng.normal(size=5), 0.0
    z1 = F.relu(np.dot(x, W1) + b1)
    y = np.dot(z1, W2) + b2                      # a 0-d value
    d = 3.0
    loss = F.mean_squared_error(d, y)
    delta2 = F.d_mean_squared_error(d, y)
    assert np.ndim(y) == 0 and loss == pytest.approx(0.5 * (y - d) ** 2)
    assert delta2 == pytest.approx(y - d)
    grad_W2 = delta2 * z1                        # the syllabus's backward
    assert grad_W2.shape == (5,)


def test_losses_reject_an_empty_batch():
    with pytest.raises(ValueError, match="mean_squared_error: the batch is empty"):
        F.mean_squared_error(np.zeros((0, 2)), np.zeros((0, 2)))


def test_labels_become_one_hot_rows_without_a_classes_by_classes_matrix():
    y = np.full((3, 200_000), 1 / 200_000, dtype=np.float32)   # np.eye(200000) would need 160 GB
    d = np.array([0, 199_999, 7])
    assert F.cross_entropy_error(d, y) == pytest.approx(-np.log(1 / 200_000 + 1e-7), rel=1e-5)
    one_hot = F.one_hot_target(d, y, "test")
    assert one_hot.dtype == np.float32 and one_hot.sum() == 3 and one_hot[1, 199_999] == 1
