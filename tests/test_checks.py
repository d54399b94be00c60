"""dlcore.grading: graded checks report a message, never the source of the cell."""

import numpy as np
import pytest

from dlcore import optimizers
from dlcore.gradcheck import numerical_gradient
from dlcore.grading import CheckFailure, checks, expect_array, expect_own_code
from dlcore.optimizers import SGD as ImportedSGD


def failure_of(block):
    with pytest.raises(CheckFailure) as caught:
        with checks("隠しテストに合格しませんでした。"):
            block()
    return caught.value


def fail_with(exception):
    def block():
        raise exception
    return block


def test_a_visible_assert_reports_its_own_message():
    failure = failure_of(fail_with(AssertionError("形が違います")))
    assert str(failure) == "形が違います"


def test_a_hidden_assert_reports_the_cell_message_only():
    failure = failure_of(fail_with(AssertionError()))
    assert str(failure) == "隠しテストに合格しませんでした。"
    assert failure._render_traceback_() == ["CheckFailure: 隠しテストに合格しませんでした。"]
    assert failure.__cause__ is None and failure.__suppress_context__


@pytest.mark.parametrize("exception", [ValueError("shapes (2,) and (3,)"), KeyboardInterrupt(), SystemExit(1)])
def test_any_other_exception_is_named_after_the_message(exception):
    failure = failure_of(fail_with(exception))
    assert str(failure).startswith("隠しテストに合格しませんでした。(テストの実行中に ")
    assert type(exception).__name__ in str(failure)


def test_passing_checks_raise_nothing():
    with checks("never shown"):
        assert True


@pytest.mark.parametrize("actual, message", [
    ([1.0, 2.0], "NumPy 配列"),
    (np.array([1.0]), "形は (2,) のはずですが (1,)"),
    (np.array([1.0, 3.0]), "になるはずですが"),
])
def test_expect_array_says_what_is_wrong_in_japanese(actual, message):
    with pytest.raises(AssertionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        expect_array(actual, [1.0, 2.0], "f(x)")


# --- expect_own_code: answers written without dlcore --------------------------------------


def own_relu(x):
    return np.maximum(x, 0) + 0 * numerical_gradient(lambda v: v.sum(), x)


class OwnOptimizer:
    def __init__(self, lr):
        self.lr = lr

    def update(self, params, grads):
        for p, g in zip(params, grads):
            p -= self.lr * g


def test_own_code_with_numpy_and_gradcheck_passes():
    expect_own_code(own_relu, "own_relu")
    expect_own_code(OwnOptimizer, "OwnOptimizer")


def calls_a_module(params, grads):
    optimizers.SGD(0.1).update(params, grads)


def imports_inside(params, grads):
    import dlcore.optimizers
    return dlcore.optimizers


def uses_an_imported_class(params, grads):
    return ImportedSGD(0.1)


def through_a_helper(params, grads):
    return uses_an_imported_class(params, grads)


class Subclassed(ImportedSGD):
    pass


class MethodCallsDlcore:
    def update(self, params, grads):
        optimizers.SGD(0.1).update(params, grads)


_instance = ImportedSGD(0.1)


def bound_as_default(params, grads, step=_instance.update):
    step(params, grads)


@pytest.mark.parametrize("answer", [calls_a_module, imports_inside, uses_an_imported_class, through_a_helper,
                                    Subclassed, MethodCallsDlcore, bound_as_default, optimizers.SGD,
                                    lambda p, g: _instance.update(p, g)])
def test_own_code_rejects_every_way_of_using_dlcore(answer):
    with pytest.raises(AssertionError, match=r"^momentum_update は dlcore を使わずに NumPy で書いてください\(使われていたもの: dlcore"):
        expect_own_code(answer, "momentum_update")


def test_an_attribute_named_like_a_dlcore_module_is_not_a_use_of_it():
    def reads_attributes(model):
        return model.optimizers, model.data

    expect_own_code(reads_attributes, "reads_attributes")
