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



ALLOWED_DLCORE = ("dlcore.grading", "dlcore.gradcheck")
"""The parts of dlcore an answer may use: the graded notebook's own helpers."""


def expect_own_code(obj, call):
    """Assert that the learner's function or class ``obj`` is written without dlcore.

    An exercise asks for something dlcore already has; an answer that imports,
    calls or subclasses dlcore's version earns nothing.  The check follows the
    compiled code: every global name that a function (or a method, nested
    function or lambda) reads, every module it imports, its defaults and
    closures, and the notebook's own helper functions and classes it reaches.
    Only ``dlcore.grading`` and ``dlcore.gradcheck`` are allowed.  ``call``
    names the answer in the Japanese message.
    """
    found = _dlcore_uses(obj, set())
    assert not found, (
        f"{call} は dlcore を使わずに NumPy で書いてください(使われていたもの: {', '.join(sorted(found))})"
    )


def _dlcore_name(value):
    """The dotted name of ``value`` if it is a dlcore module, or a function, class or object of dlcore."""
    import types

    value = getattr(value, "__func__", value)  # bound methods, staticmethod, classmethod
    if isinstance(value, types.ModuleType):
        name = value.__name__
    elif isinstance(value, (types.FunctionType, type)):
        name = f"{value.__module__}.{value.__qualname__}"
    else:
        name = f"{type(value).__module__}.{type(value).__qualname__}"
    if name == "dlcore" or (name.startswith("dlcore.") and not name.startswith(ALLOWED_DLCORE)):
        return name
    return None


def _global_reads(code):
    """(name, is_import) for every global a code object (or one nested in it) reads or imports.

    Attribute names (``self.network``) are not global reads, even where a global has the same name.
    """
    import dis

    for instruction in dis.get_instructions(code):
        if instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME"):
            yield instruction.argval, False
        elif instruction.opname == "IMPORT_NAME":
            yield instruction.argval, True
    for const in code.co_consts:
        if hasattr(const, "co_code"):
            yield from _global_reads(const)


def _dlcore_uses(obj, seen):
    """Names of the dlcore modules and objects that ``obj`` reaches (see ``expect_own_code``)."""
    import types

    obj = getattr(obj, "__func__", obj)
    if id(obj) in seen:
        return set()
    seen.add(id(obj))
    name = _dlcore_name(obj)
    if name:
        return {name}
    found = set()
    if isinstance(obj, type):
        reached = list(obj.__mro__[1:]) + [getattr(m, "fget", m) for m in vars(obj).values()]
    elif isinstance(obj, types.FunctionType):
        reached = [*(obj.__defaults__ or ()), *(obj.__kwdefaults__ or {}).values(),
                   *(_cell_value(cell) for cell in obj.__closure__ or ())]
        for name, is_import in _global_reads(obj.__code__):
            if is_import:
                found |= {name} if name.split(".")[0] == "dlcore" else set()
            elif name in obj.__globals__:
                reached.append(obj.__globals__[name])
    else:
        return found
    for value in reached:
        if _dlcore_name(value):
            found.add(_dlcore_name(value))
        elif isinstance(value, (types.FunctionType, type, staticmethod, classmethod)):
            found |= _dlcore_uses(value, seen)
    return found


def _cell_value(cell):
    try:
        return cell.cell_contents
    except ValueError:  # a closure variable not yet assigned
        return None
