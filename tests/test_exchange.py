"""A class through nbgrader's own exchange: release, fetch, submit, collect, autograde, feedback, export.

An instructor course and three students (each in their
own home folder, submitting under their own id) share a temporary exchange, as on a
JupyterHub.  The students hand in the full solution, the untouched release and
the solution with one typical mistake.  One assignment is enough to exercise
the exchange; tests/test_grading.py grades every assignment's cases.
"""

import csv

import nbformat
import pytest

from nbgrader_course import (grade_id, graded_tests, hidden_test_lines, load_mistakes, make_course, nbgrader,
                             page_text, solution_answers)

COURSE_ID = "dl-ja"
ASSIGNMENT = "03_output_loss"


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    """The assignment taken through the exchange: (course, student homes, {student: (answers, failing tests)})."""
    assignment = ASSIGNMENT
    tmp = tmp_path_factory.mktemp(f"exchange_{assignment}")
    exchange = tmp / "exchange"
    course = make_course(tmp / "instructor", assignment,
                         f'\nc.CourseDirectory.course_id = "{COURSE_ID}"\nc.Exchange.root = r"{exchange}"\n')
    solution = course.solution
    full = solution_answers(solution)
    mistake, (overrides, fails) = next(iter(load_mistakes(assignment).items()))
    students = {"s001": (full, set()), "s002": ({}, set(graded_tests(solution))), "s003": ({**full, **overrides}, fails)}

    (course.root / "students.csv").write_text(
        "id,first_name,last_name,email\n" + "".join(f"{s},太郎,学生{s[-1]},{s}@example.jp\n" for s in students),
        encoding="utf-8")
    course.nbgrader("db", "student", "import", "students.csv")
    course.nbgrader("release_assignment", assignment)

    student_options = [f"--course={COURSE_ID}", f"--Exchange.root={exchange}"]
    for student, (answers, _) in students.items():
        home = tmp / "home" / student
        home.mkdir(parents=True)
        nbgrader(home, "fetch_assignment", assignment, *student_options, home=home)
        path = home / assignment / f"{assignment}.ipynb"
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if grade_id(cell) in answers:
                cell.source = answers[grade_id(cell)]
        nbformat.write(nb, path)
        nbgrader(home, "submit", assignment, f"--student={student}", *student_options, home=home)

    course.nbgrader("collect", assignment)
    course.nbgrader("autograde", assignment)
    course.nbgrader("generate_feedback", assignment)
    course.nbgrader("release_feedback", assignment)
    for student in students:
        home = tmp / "home" / student
        nbgrader(home, "fetch_feedback", assignment, f"--student={student}", *student_options, home=home)
    course.nbgrader("export", f"--to={course.root / 'grades.csv'}")
    return course, tmp / "home", students


def test_every_student_is_collected(term):
    course, _, students = term
    collected = sorted(p.name for p in (course.root / "submitted").iterdir())
    assert collected == sorted(students)


def test_exported_scores_are_exact(term):
    course, _, students = term
    points = graded_tests(course.solution)
    with open(course.root / "grades.csv", newline="", encoding="utf-8") as file:
        rows = {row["student_id"]: row for row in csv.DictReader(file)}
    assert sorted(rows) == sorted(students)
    for student, (_, fails) in students.items():
        expected = sum(points.values()) - sum(points[c] for c in fails)
        assert float(rows[student]["score"]) == expected, student
        assert float(rows[student]["max_score"]) >= sum(points.values())


def test_fetched_feedback_shows_no_hidden_test_and_no_answer_the_student_did_not_write(term):
    course, homes, students = term
    hidden = hidden_test_lines(course.solution)
    solution_lines = {line.strip() for source in solution_answers(course.solution).values()
                      for line in source.splitlines() if line.strip() and not line.strip().startswith("#")}
    for student in students:
        (page,) = (homes / student / course.assignment / "feedback").glob(f"*/{course.assignment}.html")
        text = page_text(page)
        submitted = (course.root / "submitted" / student / course.assignment / f"{course.assignment}.ipynb").read_text()
        written = {line.strip() for cell in nbformat.reads(submitted, as_version=4).cells
                   for line in cell.source.splitlines()}
        assert [line for line in hidden if line in text] == [], student
        leaked = [line for line in solution_lines - written if line in text]
        assert leaked == [], f"feedback of {student} shows solution lines: {leaked}"
