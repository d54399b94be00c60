"""Grading round trip: release without drift, validate, and autograde simulated submissions.

Each assignment is graded in a temporary course directory with its own
gradebook.  Submissions are the release notebook with answer cells filled in:
the full solution, nothing (the untouched release), and every typical mistake
listed in tests/mistakes/<assignment>.py, each with its exact expected score.
"""

import html
import importlib.util
import os
import re
import shutil
import subprocess
import sys

import nbformat
import pytest
from nbgrader.api import Gradebook

from conftest import ASSIGNMENTS, ROOT

NBGRADER = [sys.executable, "-m", "nbgrader"]
# nbgrader runs the venv's `alembic` by name, so the venv's bin/ must be on PATH.
ENV = {**os.environ, "PATH": os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]])}


def load_mistakes(assignment):
    spec = importlib.util.spec_from_file_location("mistakes", ROOT / "tests" / "mistakes" / f"{assignment}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MISTAKES


def nbgrader(course, *args):
    result = subprocess.run(
        [*NBGRADER, *args, f"--CourseDirectory.root={course}"],
        cwd=course, capture_output=True, text=True, env=ENV,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def strip_solution_markers(source):
    return "\n".join(line for line in source.splitlines() if "### BEGIN SOLUTION" not in line
                     and "### END SOLUTION" not in line)


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def is_answer(cell):
    return cell.metadata.get("nbgrader", {}).get("solution", False)


def graded_tests(nb):
    """grade id → points of every autograded test cell."""
    return {grade_id(c): c.metadata.nbgrader["points"] for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")}


def submission(release, solution, answers):
    """The release with the named answer cells replaced (grade id → source)."""
    nb = nbformat.from_dict(release)
    for cell in nb.cells:
        if grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    return nb


def hidden_test_lines(nb):
    """Every non-empty source line inside a HIDDEN TESTS block."""
    lines = []
    for cell in nb.cells:
        inside = False
        for line in cell.source.splitlines():
            if "BEGIN HIDDEN TESTS" in line or "END HIDDEN TESTS" in line:
                inside = "BEGIN" in line
            elif inside and line.strip():
                lines.append(line.strip())
    return lines


def solution_answers(solution):
    return {grade_id(c): strip_solution_markers(c.source) for c in solution.cells if is_answer(c)}


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def course(request, tmp_path_factory):
    """A graded temporary course for one assignment: (assignment, course dir, gradebook url, cases)."""
    assignment = request.param
    course = tmp_path_factory.mktemp(assignment)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / assignment, course / "solutions" / assignment)
    subprocess.run([sys.executable, str(ROOT / "tools" / "release.py"), assignment, "--root", str(course)],
                   check=True, capture_output=True)
    released = {p.name: p.read_bytes() for p in (course / "exercises" / assignment).glob("*.ipynb")}

    (notebook_path,) = (course / "solutions" / assignment).glob("*.ipynb")
    solution = nbformat.read(notebook_path, as_version=4)
    release = nbformat.read(course / "exercises" / assignment / notebook_path.name, as_version=4)
    full = solution_answers(solution)
    cases = {"full": set(), "untouched": set(graded_tests(solution))}
    answers = {"full": full, "untouched": {}}
    for name, (overrides, fails) in load_mistakes(assignment).items():
        cases[name] = fails
        answers[name] = {**full, **overrides}
    for student, student_answers in answers.items():
        folder = course / "submitted" / student / assignment
        folder.mkdir(parents=True)
        nbformat.write(submission(release, solution, student_answers), folder / notebook_path.name)
    nbgrader(course, "autograde", assignment)
    nbgrader(course, "generate_feedback", assignment)
    return assignment, course, notebook_path.stem, solution, released, cases


def test_release_is_regenerated_without_drift(course):
    assignment, _, _, _, released, _ = course
    committed = {p.name: p.read_bytes() for p in (ROOT / "exercises" / assignment).glob("*.ipynb")}
    assert released == committed, f"exercises/{assignment} differs from solutions/: run ./course release {assignment}"


def test_every_solution_validates_and_no_release_passes_a_test(course):
    assignment, _, stem, _, _, _ = course
    out = subprocess.run([*NBGRADER, "validate", str(ROOT / "solutions" / assignment / f"{stem}.ipynb")],
                         capture_output=True, text=True, cwd=ROOT).stdout
    assert "Success! Your notebook passes all the tests." in out, out
    out = subprocess.run([*NBGRADER, "validate", "--invert", str(ROOT / "exercises" / assignment / f"{stem}.ipynb")],
                         capture_output=True, text=True, cwd=ROOT).stdout
    assert "Success! The notebook does not pass any tests." in out, out


def test_every_graded_test_fails_on_some_typical_mistake(course):
    _, _, _, solution, _, cases = course
    mistakes = set().union(*(fails for name, fails in cases.items() if name not in ("full", "untouched")))
    assert mistakes == set(graded_tests(solution))


def test_autograde_gives_the_exact_expected_scores(course):
    assignment, course_dir, stem, solution, _, cases = course
    points = graded_tests(solution)
    with Gradebook(f"sqlite:///{course_dir}/gradebook.db") as gb:
        for student, fails in cases.items():
            failed = {cell for cell in points
                      if gb.find_grade(cell, stem, assignment, student).auto_score < points[cell]}
            assert failed == fails, f"{student}: failed {sorted(failed)}, expected {sorted(fails)}"
            expected = sum(points.values()) - sum(points[c] for c in fails)
            assert gb.find_submission(assignment, student).score == expected, student


def test_feedback_shows_no_hidden_test_source(course):
    assignment, course_dir, _, solution, _, cases = course
    hidden = hidden_test_lines(solution)
    assert hidden, "the assignment has no hidden tests"
    for student in cases:
        (page,) = (course_dir / "feedback" / student / assignment).glob("*.html")
        text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))
        leaked = [line for line in hidden if line in text]
        assert leaked == [], f"feedback of {student} shows hidden test lines: {leaked}"
