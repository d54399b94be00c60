"""Grading round trip: release without drift, autograde simulated submissions, validate.

Each assignment is graded in a temporary course directory with its own
gradebook.  Submissions are the release notebook with answer cells filled in:
the full solution, nothing (the untouched release), and every typical mistake
listed in tests/mistakes/<assignment>.py, each with its exact expected score.

nbgrader autogrades the full solution, the untouched release and the fewest
typical mistakes that together fail every graded test (so every test's failure
shows up in some feedback); every submission, those included, is also graded
in process, which must agree with nbgrader and checks each remaining mistake
in milliseconds instead of seconds.

Each notebook of an assignment is executed once per purpose, and the suite reads
what it needs from that run: the autograded untouched release shows which cells
raise on the stubs (the release's ``raises-exception`` tags must name exactly
those, so ``pytest --nbval-lax exercises/`` passes), and the full solution's exact
score is what ``nbgrader validate`` would say of it.  ``nbgrader validate`` itself,
the learners' check, is run on one assignment.
"""

import subprocess

import nbformat
import pytest
from nbgrader.api import Gradebook

from conftest import ASSIGNMENTS, ROOT
from nbgrader_course import (ENV, NBGRADER, failing_tests_in_process, fewest_covering, grade_in_parallel,
                             graded_tests, hidden_test_lines, load_mistakes, make_course, page_text, solution_answers)
import release  # noqa: E402  (tools/release.py)

VALIDATED = "02_activation"
"""The assignment on which the learners' own check, ``nbgrader validate``, is run."""


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def course(request, tmp_path_factory):
    """A graded temporary course for one assignment.

    (assignment, student → grading course for the nbgrader-graded ones, source, release bytes,
    expected failing tests per student, failing tests per student found in process)
    """
    assignment = request.param
    course = make_course(tmp_path_factory.mktemp(assignment), assignment)
    released = {p.name: p.read_bytes() for p in (course.root / "exercises" / assignment).glob("*.ipynb")}
    solution = course.solution
    full = solution_answers(solution)
    cases = {"full": set(), "untouched": set(graded_tests(solution))}
    submissions = {"full": course.submission(full), "untouched": course.submission({})}
    for name, (overrides, fails) in load_mistakes(assignment).items():
        cases[name] = fails
        submissions[name] = course.submission({**full, **overrides})
    mistakes = {name: fails for name, fails in cases.items() if name not in ("full", "untouched")}
    by_nbgrader = ["full", "untouched", *fewest_covering(mistakes)]
    graded_by = grade_in_parallel(course, {student: submissions[student] for student in by_nbgrader})
    in_process = failing_tests_in_process({student: course.as_autograded(nb) for student, nb in submissions.items()})
    return assignment, graded_by, solution, released, cases, in_process


def without_raises_tags(nb):
    """The notebook as nbgrader generates it, before tools/release.py tags the raising cells."""
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        tags = [t for t in cell.metadata.get("tags", []) if t != release.RAISES_TAG]
        if tags:
            cell.metadata["tags"] = tags
        else:
            cell.metadata.pop("tags", None)
    return nbformat.writes(nb)


def committed_release(assignment):
    return {p.name: nbformat.read(p, as_version=4) for p in (ROOT / "exercises" / assignment).glob("*.ipynb")}


def test_release_is_regenerated_without_drift(course):
    assignment, _, _, released, _, _ = course
    generated = {name: without_raises_tags(nbformat.reads(data, as_version=4)) for name, data in released.items()}
    committed = {name: without_raises_tags(nb) for name, nb in committed_release(assignment).items()}
    assert generated == committed, f"exercises/{assignment} differs from solutions/: run ./course release {assignment}"


def test_release_tags_exactly_the_cells_that_raise_on_the_stubs(course):
    assignment, graded_by, _, _, _, _ = course
    (nb,) = committed_release(assignment).values()
    autograded = nbformat.read(graded_by["untouched"].root / "autograded" / "untouched" / assignment
                               / f"{assignment}.ipynb", as_version=4)
    assert len(autograded.cells) == len(nb.cells)
    tagged = [i for i, c in enumerate(nb.cells) if release.RAISES_TAG in c.metadata.get("tags", [])]
    raising = [i for i, c in enumerate(autograded.cells)
               if c.cell_type == "code" and any(out.output_type == "error" for out in c.outputs)]
    assert tagged == raising, f"run ./course release {assignment}"


def start_validate(*args):
    """``nbgrader validate ARGS`` started in the background (stdout captured)."""
    return subprocess.Popen([*NBGRADER, "validate", *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, cwd=ROOT, env=ENV)


def test_validate_passes_the_solution_and_nothing_of_the_release():
    solution = start_validate(str(ROOT / "solutions" / VALIDATED / f"{VALIDATED}.ipynb"))
    release_ = start_validate("--invert", str(ROOT / "exercises" / VALIDATED / f"{VALIDATED}.ipynb"))
    out = solution.communicate()[0]
    assert "Success! Your notebook passes all the tests." in out, out
    out = release_.communicate()[0]
    assert "Success! The notebook does not pass any tests." in out, out


def test_every_graded_test_fails_on_some_typical_mistake(course):
    _, _, solution, _, cases, _ = course
    mistakes = set().union(*(fails for name, fails in cases.items() if name not in ("full", "untouched")))
    assert mistakes == set(graded_tests(solution))


def test_autograde_gives_the_exact_expected_scores(course):
    assignment, graded_by, solution, _, cases, _ = course
    points = graded_tests(solution)
    for student in graded_by:
        fails = cases[student]
        with Gradebook(graded_by[student].db_url) as gb:
            failed = {cell for cell in points
                      if gb.find_grade(cell, assignment, assignment, student).auto_score < points[cell]}
            assert failed == fails, f"{student}: failed {sorted(failed)}, expected {sorted(fails)}"
            expected = sum(points.values()) - sum(points[c] for c in fails)
            assert gb.find_submission(assignment, student).score == expected, student


def test_grading_in_process_agrees_with_nbgrader(course):
    assignment, graded_by, solution, _, _, in_process = course
    points = graded_tests(solution)
    for student in graded_by:
        with Gradebook(graded_by[student].db_url) as gb:
            failed = {cell for cell in points
                      if gb.find_grade(cell, assignment, assignment, student).auto_score < points[cell]}
        assert in_process[student] == failed, student


def test_every_typical_mistake_fails_exactly_its_tests(course):
    _, _, _, _, cases, in_process = course
    wrong = {student: (sorted(in_process[student]), sorted(fails)) for student, fails in cases.items()
             if in_process[student] != fails}
    assert not wrong, f"student: (failed, expected): {wrong}"


def test_feedback_shows_no_hidden_test_source(course):
    assignment, graded_by, solution, _, _, _ = course
    hidden = hidden_test_lines(solution)
    assert hidden, "the assignment has no hidden tests"
    for student in graded_by:
        (page,) = (graded_by[student].root / "feedback" / student / assignment).glob("*.html")
        text = page_text(page)
        leaked = [line for line in hidden if line in text]
        assert leaked == [], f"feedback of {student} shows hidden test lines: {leaked}"
