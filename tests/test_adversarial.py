"""Adversarial submissions: one autograde batch over submissions that try to break or game grading.

Every case is the full solution of 02_activation with one thing done wrong or
maliciously.  The batch must finish, grade every readable notebook with the
exact expected score, name the unreadable one, keep manual grades through a
re-autograde and leave the gradebook consistent with the exported CSV.
"""

import csv
import json

import nbformat
import pytest
from nbgrader.api import Gradebook

from nbgrader_course import grade_id, graded_tests, hidden_test_lines, make_course, page_text, solution_answers

ASSIGNMENT = "02_activation"
TIMEOUT = 10  # seconds per cell for this batch (the course uses 300)
ALL = "every test"
# A wrong step_function (returns its input): an honest submission with it fails two tests.
WRONG_STEP = "def step_function(x):\n    return x\n"
SWALLOW = "from contextlib import suppress\n"


def _copy_cell(nb, grade):
    index = [grade_id(c) for c in nb.cells].index(grade)
    copy = nbformat.from_dict(json.loads(json.dumps(nb.cells[index])))
    copy.id = copy.id[:-1] + ("0" if copy.id[-1] != "0" else "1")
    nb.cells.insert(index + 1, copy)
    return nb


def _edit_cell(nb, grade, source):
    for cell in nb.cells:
        if grade_id(cell) == grade:
            cell.source = source
    return nb


def _drop_cell(nb, grade):
    nb.cells = [c for c in nb.cells if grade_id(c) != grade]
    return nb


def _kernel(nb, name):
    nb.metadata.kernelspec = {"name": name, "display_name": name, "language": "python"}
    return nb


# name → (answer cells replaced, change to the notebook, tests that must fail or ALL)
CASES = {
    "full": ({}, None, set()),
    "deleted_test_cell": ({"ex_relu": "def relu(x):\n    return x\n"}, lambda nb: _drop_cell(nb, "test_relu_hidden"),
                          {"test_relu_basic", "test_relu_hidden"}),
    "edited_test_cell": ({"q1": "answer_q1 = 2"}, lambda nb: _edit_cell(nb, "test_q1", "pass"), {"test_q1"}),
    "copied_answer_cell": ({}, lambda nb: _copy_cell(nb, "ex_relu"), set()),
    "copied_test_cell": ({"ex_relu": "def relu(x):\n    return x\n"}, lambda nb: _copy_cell(nb, "test_relu_basic"),
                         {"test_relu_basic", "test_relu_hidden"}),
    "infinite_loop": ({"ex_relu": "while True:\n    pass\n"}, None, {"test_relu_basic", "test_relu_hidden"}),
    "huge_output": ({"ex_relu": "print('x' * 10_000_000)\nfor i in range(100_000):\n    print(i)\n"
                                "def relu(x):\n    return np.maximum(x, 0)\n"}, None, set()),
    "sys_exit": ({"ex_sigmoid": "import sys\nsys.exit()\n"}, None,
                 {"test_sigmoid_basic", "test_sigmoid_hidden", "test_d_sigmoid_basic", "test_d_sigmoid_hidden"}),
    "exception_at_import": ({"ex_step_function": "import a_module_that_does_not_exist\n"}, None,
                            {"test_step_function_basic", "test_step_function_hidden"}),
    "nan_answer": ({"q2": "answer_q2 = float('nan')"}, None, {"test_q2"}),
    "string_answer": ({"q1": "answer_q1 = '1'"}, None, {"test_q1"}),
    "wrong_dtype_array": ({"ex_relu": "def relu(x):\n    return np.maximum(x, 0).astype(str)\n"}, None,
                          {"test_relu_basic", "test_relu_hidden"}),
    "wrong_kernel_name": ({}, lambda nb: _kernel(nb, "python2"), set()),
    "loops_on_hidden_input": ({"ex_relu": "def relu(x):\n    while x.ndim == 2:\n        pass\n"
                                          "    return np.maximum(x, 0)\n"}, None, {"test_relu_hidden"}),
    "interrupts_on_hidden_input": ({"ex_relu": "def relu(x):\n    if x.ndim == 2:\n        raise KeyboardInterrupt\n"
                                               "    return np.maximum(x, 0)\n"}, None, {"test_relu_hidden"}),
    # Tampering: each one turns a wrong step_function into passing tests unless it is caught.
    "rebinds_checks": ({"ex_step_function": SWALLOW + "checks = lambda message: suppress(Exception)\n"
                        "expect_array = lambda *args: None\n" + WRONG_STEP}, None, ALL),
    "patches_dlcore": ({"ex_step_function": SWALLOW + "import dlcore.grading\n"
                        "dlcore.grading.checks = lambda message: suppress(Exception)\n"
                        "dlcore.grading.expect_array = lambda *args: None\n"
                        "from dlcore.grading import checks, expect_array\n" + WRONG_STEP}, None, ALL),
    "patches_numpy": ({"ex_step_function": "np.allclose = lambda *args, **kwargs: True\n" + WRONG_STEP}, None, ALL),
    # nbgrader itself records the failure from the kernel's reply; the check rejects the attempt as well.
    "hides_errors_in_ipython": ({"ex_step_function": "get_ipython().showtraceback = lambda *args, **kwargs: None\n"
                                 + WRONG_STEP}, None, ALL),
    "array_that_passes_any_check": ({"ex_step_function": "class Fake(np.ndarray):\n"
                                     "    def __array_wrap__(self, array, context=None, return_scalar=False):\n"
                                     "        return True\n\n"
                                     "def step_function(x):\n    return np.full(np.shape(x), -7.0).view(Fake)\n"},
                                    None, ALL),
    "answer_equal_to_anything": ({"q1": "class Anything(int):\n    def __eq__(self, other):\n        return True\n"
                                  "    __hash__ = int.__hash__\nanswer_q1 = Anything(2)"}, None, ALL),
}
# Each tampering case → the honest submission with the same wrong answer and no tampering.
TAMPERING = {**{case: {"ex_step_function": WRONG_STEP} for case in (
    "rebinds_checks", "patches_dlcore", "patches_numpy", "array_that_passes_any_check")},
    "answer_equal_to_anything": {"q1": "answer_q1 = 2"}}
CORRUPTED = "corrupted_json"


def build_submissions(course):
    full = solution_answers(course.solution)
    for name, (answers, change, _) in CASES.items():
        nb = course.submission({**full, **answers})
        course.submit(name, change(nb) if change else nb)
    course.submit(CORRUPTED, nbformat.writes(course.submission(full))[:4000])


def scores(course):
    """student → (total score, set of failed test cells) from the gradebook."""
    points = graded_tests(course.solution)
    result = {}
    with Gradebook(course.db_url) as gb:
        for student in gb.students:
            grades = {c: gb.find_grade(c, ASSIGNMENT, ASSIGNMENT, student.id).auto_score for c in points}
            failed = {c for c, score in grades.items() if (score or 0) < points[c]}
            result[student.id] = (gb.find_submission(ASSIGNMENT, student.id).score, failed)
    return result


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The batch graded with the course configuration: (course, autograde result)."""
    course = make_course(tmp_path_factory.mktemp("adversarial"), ASSIGNMENT)
    build_submissions(course)
    result = course.nbgrader("autograde", ASSIGNMENT, f"--Execute.timeout={TIMEOUT}", check=False)
    return course, result


@pytest.fixture(scope="module")
def unguarded(tmp_path_factory):
    """The tampering cases graded without the tampering check: proves each attack would work."""
    config = ('\nc.Autograde.autograde_preprocessors = [p for p in c.Autograde.autograde_preprocessors\n'
              '                                       if not p.endswith("RejectTampering")]\n')
    course = make_course(tmp_path_factory.mktemp("unguarded"), ASSIGNMENT, config)
    full = solution_answers(course.solution)
    for case, honest in TAMPERING.items():
        course.submit(case, course.submission({**full, **CASES[case][0]}))
        course.submit(f"{case}_honest", course.submission({**full, **honest}))
    course.nbgrader("autograde", ASSIGNMENT)
    return scores(course)


def test_the_batch_finishes_and_reports_only_the_corrupted_notebook(graded):
    course, result = graded
    assert result.returncode != 0, "a notebook that cannot be read must make autograde report failure"
    errors = [line for line in result.output.splitlines() if "There was an error processing assignment" in line]
    assert errors and all(CORRUPTED in line for line in errors), errors
    for student in CASES:
        assert (course.root / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").exists(), student


@pytest.mark.parametrize("case", CASES)
def test_exact_score_of_each_case(graded, case):
    course, _ = graded
    points = graded_tests(course.solution)
    expected_failures = set(points) if CASES[case][2] == ALL else CASES[case][2]
    total, failed = scores(course)[case]
    assert failed == expected_failures
    assert total == sum(points.values()) - sum(points[c] for c in expected_failures)


def test_corrupted_notebook_scores_nothing(graded):
    course, _ = graded
    assert scores(course)[CORRUPTED][0] == 0


def test_huge_output_is_truncated(graded):
    course, _ = graded
    path = course.root / "autograded" / "huge_output" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert path.stat().st_size < 1_000_000


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_tampering_would_pay_off_without_the_check(unguarded, case):
    honest, _ = unguarded[f"{case}_honest"]
    assert unguarded[case][0] > honest, f"{case} gains nothing even unchecked; the case does not test the check"


@pytest.fixture(scope="module")
def feedback(graded):
    """student → visible text of the feedback page, for every graded case."""
    course, _ = graded
    course.nbgrader("generate_feedback", ASSIGNMENT)
    return {student: page_text(course.root / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html")
            for student in CASES}


def test_feedback_names_the_tampering(feedback):
    text = feedback["patches_numpy"]
    assert "採点の仕組みを書き換えるコード" in text and "`np` の属性 `allclose`" in text


def test_no_feedback_shows_a_hidden_test_line(graded, feedback):
    course, _ = graded
    hidden = hidden_test_lines(course.solution)
    leaks = {student: [line for line in hidden if line in text] for student, text in feedback.items()}
    assert {student: lines for student, lines in leaks.items() if lines} == {}


def test_manual_grades_survive_reautograde_and_the_export_agrees(graded):
    course, _ = graded
    with Gradebook(course.db_url) as gb:
        grade = gb.find_grade("explain_vanishing", ASSIGNMENT, ASSIGNMENT, "full")
        grade.manual_score = 1.5
        gb.db.commit()
    course.nbgrader("autograde", ASSIGNMENT, "--student=full", "--force")
    course.nbgrader("export", f"--to={course.root / 'grades.csv'}")
    with Gradebook(course.db_url) as gb:
        assert gb.find_grade("explain_vanishing", ASSIGNMENT, ASSIGNMENT, "full").manual_score == 1.5
        expected = {s.id: gb.find_submission(ASSIGNMENT, s.id).score for s in gb.students}
    with open(course.root / "grades.csv", newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert sorted(row["student_id"] for row in rows) == sorted(expected), "one row per student"
    assert {row["student_id"]: float(row["score"]) for row in rows} == expected
    assert expected["full"] == sum(graded_tests(course.solution).values()) + 1.5
