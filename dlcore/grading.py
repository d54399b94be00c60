"""Support for graded notebooks: checks that report a message, never their source.

IPython prints a few lines of the failing cell around any exception, so a
failing test cell would show its hidden lines (and the answer) in the
learner's feedback.  A graded cell therefore runs its checks inside
``checks(message)``: any failure is re-raised as ``CheckFailure``, which
IPython renders as its message alone.
"""

from contextlib import contextmanager


class CheckFailure(AssertionError):
    """A failed graded check; its traceback is just the message."""

    def _render_traceback_(self):
        return [f"{type(self).__name__}: {self}"]


@contextmanager
def checks(message):
    """Run a graded cell's checks; on failure raise ``CheckFailure`` with a message only.

    - an ``assert`` with its own message (a visible test) reports that message;
    - an ``assert`` without one (a hidden test) reports ``message``, which says
      what kind of case failed, never the expected value;
    - any other exception, e.g. from the learner's code, reports ``message``
      and the exception's type and text; this includes ``KeyboardInterrupt``
      (the autograder's timeout interrupts the kernel) and ``SystemExit``,
      whose tracebacks would otherwise show the hidden lines.
    """
    try:
        yield
    except AssertionError as failure:
        raise CheckFailure(str(failure) or message) from None
    except BaseException as error:
        raise CheckFailure(f"{message}(テストの実行中に {type(error).__name__}: {error})") from None


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
