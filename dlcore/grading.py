"""Support for graded notebooks: hidden tests that report without showing their source.

IPython prints a few lines of the failing cell around any exception, so a
failing hidden check would show the hidden code (and the answer) in the
learner's feedback.  Wrap hidden checks in ``hidden_tests()``: any failure
inside is re-raised as ``HiddenTestFailure``, which IPython renders as its
message alone.
"""

from contextlib import contextmanager


class HiddenTestFailure(AssertionError):
    """A failed hidden test; its traceback is just the message."""

    def _render_traceback_(self):
        return [f"{type(self).__name__}: {self}"]


@contextmanager
def hidden_tests(message="隠しテストに合格しませんでした。境界の値・2 次元の入力・入力の書き換えなどを確かめてください。"):
    """Run hidden checks; on any failure raise ``HiddenTestFailure(message)``.

    The message says what kind of case failed, never the expected value.
    An exception raised by the learner's own code is reported by type.
    """
    try:
        yield
    except AssertionError:
        raise HiddenTestFailure(message) from None
    except Exception as error:
        raise HiddenTestFailure(
            f"{message}(隠しテストの実行中に {type(error).__name__} が発生しました: {error})"
        ) from None


def expect_array(actual, expected, call):
    """Assert that ``actual`` is an ndarray equal to ``expected`` (to 1e-6), in Japanese.

    ``call`` is how the learner's call reads, e.g. ``"relu([-2., 0., 3.])"``;
    it appears in every failure message.
    """
    import numpy as np

    expected = np.asarray(expected)
    assert isinstance(actual, np.ndarray), (
        f"{call} は NumPy 配列 (np.ndarray) を返してください(返り値の型: {type(actual).__name__})"
    )
    assert actual.shape == expected.shape, (
        f"{call} の形は {expected.shape} のはずですが {actual.shape} でした"
    )
    assert np.allclose(actual, expected, atol=1e-6), (
        f"{call} は {expected} になるはずですが {actual} でした"
    )
