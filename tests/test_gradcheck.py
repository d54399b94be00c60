import numpy as np
import pytest

from dlcore.gradcheck import numerical_derivative, numerical_gradient, relative_error


def test_numerical_gradient_of_a_quadratic():
    x = np.array([[1.0, -2.0], [3.0, 0.5]])
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v**2), x), 2 * x, rtol=1e-8)


def test_numerical_gradient_leaves_its_input_unchanged():
    x = np.array([1.0, 2.0])
    numerical_gradient(lambda v: np.sum(v**3), x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_numerical_derivative_is_element_wise():
    x = np.linspace(-1, 1, 5)
    np.testing.assert_allclose(numerical_derivative(np.sin, x), np.cos(x), rtol=1e-9)


def test_relative_error_detects_a_wrong_gradient():
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error([1.0, 2.0], [1.0, 2.5]) > 0.1
    assert relative_error([0.0], [0.0]) == 0.0
    with pytest.raises(ValueError, match="shapes differ"):
        relative_error([1.0], [1.0, 2.0])
