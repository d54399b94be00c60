"""The tampering check of dlcore.autograding: what it flags, and that honest answers pass it."""

import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from conftest import ASSIGNMENTS, ROOT
from dlcore.autograding import find_tampering
from nbgrader_course import load_mistakes, solution_answers, grade_id

SETUP = "import numpy as np\nfrom dlcore.grading import checks, expect_array"
TEST = "with checks('x'):\n    assert isinstance(answer, float)\n    expect_array(np.abs(f(1)), [1], 'f')"


def notebook(answer_source):
    """setup (locked) + one answer cell + one test cell that reads np, checks, expect_array, isinstance."""
    return new_notebook(cells=[
        new_code_cell(SETUP, metadata={"nbgrader": {"grade_id": "setup", "locked": True, "solution": False,
                                                    "grade": False}}),
        new_code_cell(answer_source, metadata={"nbgrader": {"grade_id": "answer", "solution": True,
                                                            "grade": False, "locked": False}}),
        new_code_cell(TEST, metadata={"nbgrader": {"grade_id": "test", "grade": True, "solution": False,
                                                   "locked": True, "points": 1}}),
    ])


@pytest.mark.parametrize("source", [
    "checks = None",
    "def expect_array(*args):\n    pass",
    "isinstance = lambda *args: True",
    "from contextlib import nullcontext as checks",
    "import numpy\nnumpy.allclose = lambda *a: True",
    "np.testing.assert_allclose = print",
    "import dlcore.grading\ndlcore.grading.checks = None",
    "from dlcore import grading\ndel grading.checks",
    "m = np\nm.abs = lambda x: 1",
    "setattr(np, 'abs', lambda x: 1)",
    "get_ipython().set_custom_exc((Exception,), print)",
    "from IPython import get_ipython",
    "exec('checks = None')",
    "globals()['checks'] = None",
    "import sys\nsys.modules['numpy'].abs = None",
    "f = np.abs\nf.__code__ = (lambda x: 1).__code__",
    "class A:\n    def __eq__(self, other):\n        return True",
    "class B(float):\n    __eq__ = lambda self, other: True",
    "from unittest import mock",
    "import builtins",
    "%run other.py",
    "class Fake(np.ndarray):\n    def __array_wrap__(self, array, context=None, return_scalar=False):\n        return True",
    "def f():\n    global checks\n    checks = None",
    "def f():\n    np.allclose = None",
    "def patch(module):\n    module.allclose = None\n\npatch(np)",
    "modules = [np]\nmodules[0].allclose = None",
    "def f():\n    import numpy as m\n    m.allclose = None",
])
def test_tampering_is_found(source):
    (finding,) = find_tampering(notebook(source))[:1]
    assert finding.cell == "answer" and finding.line >= 1 and finding.reason


@pytest.mark.parametrize("source", [
    "def f(x):\n    return np.maximum(x, 0)",
    "import numpy as np\nanswer = 0.5",
    "class Layer:\n    def __init__(self):\n        self.W = np.zeros(3)\n    def forward(self, x):\n        return x",
    "sum = 0\nfor i in range(3):\n    sum += i\nanswer = float(sum)",
    "%timeit np.zeros(3)\nanswer = 1.0",
    "params = {}\nparams['W'] = np.ones(2)\nanswer = 1.0",
    "this is not python",
    "def f(np, isinstance):\n    np.W = 1\n    isinstance = 2\n    return np",
    "def train(network, data):\n    network.params = {}\n    data = data * 2\n    len = 3\n    return len",
    "answer = float(sum(np for np in range(3)))",
    "def show(vars):\n    return vars",
])
def test_honest_code_is_not_flagged(source):
    assert find_tampering(notebook(source)) == []


def test_every_solution_and_typical_mistake_passes_the_check():
    for assignment in ASSIGNMENTS:
        solution = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
        full = solution_answers(solution)
        for name, answers in {"full": {}, **{k: v[0] for k, v in load_mistakes(assignment).items()}}.items():
            nb = nbformat.from_dict(solution)
            for cell in nb.cells:
                if grade_id(cell) in full:
                    cell.source = answers.get(grade_id(cell), full[grade_id(cell)])
            assert find_tampering(nb) == [], f"{assignment} {name}"


def test_learners_can_run_the_check_from_the_command_line(tmp_path):
    clean, tampered = tmp_path / "clean.ipynb", tmp_path / "tampered.ipynb"
    nbformat.write(notebook("def f(x):\n    return x"), clean)
    nbformat.write(notebook("np.allclose = None"), tampered)
    run = [sys.executable, "-m", "dlcore.autograding"]
    ok = subprocess.run([*run, str(clean)], capture_output=True, text=True)
    assert ok.returncode == 0 and "見つかりませんでした" in ok.stdout
    bad = subprocess.run([*run, str(clean), str(tampered)], capture_output=True, text=True)
    assert bad.returncode == 1 and "セル answer の 1 行目: モジュール `np` の属性 `allclose` を書き換えています" in bad.stdout
