"""Helpers for tests that grade in a temporary nbgrader course (test_grading, test_adversarial, test_exchange)."""

import atexit
import functools
import html
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from conftest import ROOT
import release  # noqa: E402  (tools/release.py: conftest puts tools/ on the path)

NBGRADER = [sys.executable, "-m", "nbgrader"]
# jupyter_client picks a kernel's free TCP ports before the kernel binds them, so a kernel started
# at the same moment elsewhere can take one first; the kernel then dies at start-up.
PORT_RACE = "zmq.error.ZMQError: Address already in use"
# nbgrader runs the venv's `alembic` by name, so the venv's bin/ must be on PATH.
ENV = {**os.environ, "PATH": os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]])}


def nbgrader(cwd, *args, check=True, home=None):
    """Run an nbgrader command in ``cwd`` (as a user whose HOME is ``home``, if given).

    Returns the completed process, with stdout and stderr together in ``.output``.
    """
    env = {**ENV, "HOME": str(home)} if home else ENV
    result = subprocess.run([*NBGRADER, *args], cwd=cwd, capture_output=True, text=True, env=env)
    result.output = result.stdout + result.stderr
    if check:
        assert result.returncode == 0, result.output
    return result


def load_mistakes(assignment):
    """MISTAKES of tests/mistakes/<assignment>.py: name → ({grade id: source}, failing test cells)."""
    spec = importlib.util.spec_from_file_location("mistakes", ROOT / "tests" / "mistakes" / f"{assignment}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MISTAKES


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def is_answer(cell):
    return cell.metadata.get("nbgrader", {}).get("solution", False)


def graded_tests(nb):
    """grade id → points of every autograded test cell."""
    return {grade_id(c): c.metadata.nbgrader["points"] for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")}


def strip_solution_markers(source):
    return "\n".join(line for line in source.splitlines() if "### BEGIN SOLUTION" not in line
                     and "### END SOLUTION" not in line)


def solution_answers(solution):
    """grade id → source of every answer cell of the source notebook, without solution markers."""
    return {grade_id(c): strip_solution_markers(c.source) for c in solution.cells if is_answer(c)}


def hidden_test_lines(nb):
    """Every non-empty source line inside a HIDDEN TESTS block.

    Except the bare header of a function or class the hidden test defines, such as
    ``def update(self, params, grads):``: it gives nothing away, and the learner's own
    answer may hold the same line.
    """
    lines = []
    for cell in nb.cells:
        inside = False
        for line in cell.source.splitlines():
            if "BEGIN HIDDEN TESTS" in line or "END HIDDEN TESTS" in line:
                inside = "BEGIN" in line
            elif inside and line.strip() and not re.fullmatch(r"(def|class) \w+(\([\w, =*]*\))?:", line.strip()):
                lines.append(line.strip())
    return lines


def page_text(path):
    """The visible text of an HTML page."""
    return html.unescape(re.sub(r"<[^>]+>", "", Path(path).read_text(encoding="utf-8")))


@dataclass
class Course:
    """A temporary course with one released assignment recorded in its gradebook."""

    root: Path
    assignment: str

    @property
    def solution(self):
        return nbformat.read(self.root / "solutions" / self.assignment / f"{self.assignment}.ipynb", as_version=4)

    @property
    def release(self):
        return nbformat.read(self.root / "exercises" / self.assignment / f"{self.assignment}.ipynb", as_version=4)

    def submission(self, answers):
        """The release with the named answer cells replaced (grade id → source)."""
        nb = self.release
        for cell in nb.cells:
            if grade_id(cell) in answers:
                cell.source = answers[grade_id(cell)]
        return nb

    def as_autograded(self, submission):
        """The submission as the autograder runs it: locked and test cells back from the source, hidden tests included."""
        source = {grade_id(c): c.source for c in self.solution.cells if grade_id(c) and not is_answer(c)}
        nb = nbformat.from_dict(submission)
        for cell in nb.cells:
            if grade_id(cell) in source:
                cell.source = source[grade_id(cell)]
        return nb

    def submit(self, student, nb):
        """Place a notebook (or raw text) where nbgrader autograde looks for it."""
        folder = self.root / "submitted" / student / self.assignment
        folder.mkdir(parents=True)
        path = folder / f"{self.assignment}.ipynb"
        if isinstance(nb, str):
            path.write_text(nb, encoding="utf-8")
        else:
            nbformat.write(nb, path)

    def nbgrader(self, *args, check=True):
        return nbgrader(self.root, *args, f"--CourseDirectory.root={self.root}", check=check)

    @property
    def db_url(self):
        return f"sqlite:///{self.root}/gradebook.db"


def grade_in_parallel(course, submissions, workers=min(2, os.cpu_count() or 1)):
    """Autograde ``submissions`` (student → notebook) and generate their feedback, ``workers`` at a time.

    nbgrader grades one submission after another in one process and one gradebook, so
    the students are dealt out to ``workers`` copies of the released course, graded side
    by side, each with one BLAS thread.  Returns student → the Course copy (with its
    gradebook) that graded them.
    """
    copies = [course] + [Course(shutil.copytree(course.root, course.root.with_name(f"{course.root.name}-{i}")),
                                course.assignment) for i in range(1, workers)]
    graded_by = {student: copies[i % len(copies)] for i, student in enumerate(sorted(submissions))}
    for student, copy in graded_by.items():
        copy.submit(student, submissions[student])
    for step in ("autograde", "generate_feedback"):
        command = [*NBGRADER, step, course.assignment]
        running = [(copy, subprocess.Popen([*command, f"--CourseDirectory.root={copy.root}"], cwd=copy.root,
                                           env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
                   for copy in copies]
        for copy, process in running:
            output = process.communicate()[0]
            if process.returncode != 0 and PORT_RACE in output:
                # Only the submissions whose kernel did not start are graded again (nbgrader skips the others).
                retry = subprocess.run([*command, f"--CourseDirectory.root={copy.root}"], cwd=copy.root,
                                       env=ENV, capture_output=True, text=True)
                process, output = retry, output + retry.stdout + retry.stderr
            assert process.returncode == 0, f"nbgrader {step} in {copy.root}:\n{output}"
    return graded_by


def fewest_covering(cases):
    """Names of a few cases (greedy set cover) whose failing tests together include every failing test of ``cases``."""
    chosen, left = [], set().union(*cases.values())
    while left:
        best = max(sorted(cases), key=lambda name: len(cases[name] & left))
        chosen.append(best)
        left -= cases[best]
    return chosen


def _failing_graded_tests(nb):
    """Run the code cells in order in this (forked) process, going on after errors as the autograder does."""
    namespace = {"__name__": "__main__"}
    failed = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            exec(compile(cell.source, f"<cell {grade_id(cell)}>", "exec"), namespace)
        except Exception:  # noqa: BLE001 (any error fails the cell, as in nbgrader)
            if cell.metadata.get("nbgrader", {}).get("grade"):
                failed.add(grade_id(cell))
    return failed


def failing_tests_in_process(submissions, timeout=300):
    """student → grade ids of the graded test cells that fail, without nbgrader.

    Each submission runs in a forked copy of this process (numpy and dlcore already
    imported), two at a time: a few milliseconds each instead of a kernel start and an
    nbgrader run.  It is the autograder's verdict for honest submissions (plain code, no
    magics, no attempt on the grading), which is what tests/mistakes holds; test_grading
    checks it against nbgrader on the submissions that nbgrader grades.
    """
    import multiprocessing

    import numpy  # noqa: F401  (imported once, before forking)
    import dlcore.grading  # noqa: F401

    names = sorted(submissions)
    with multiprocessing.get_context("fork").Pool(min(2, os.cpu_count() or 1)) as pool:
        verdicts = pool.map_async(_failing_graded_tests, [submissions[n] for n in names]).get(timeout)
    return dict(zip(names, verdicts))


@functools.cache
def empty_gradebook():
    """An empty gradebook.db, made once per test session.

    nbgrader stamps a new gradebook with the schema version it asks of an ``alembic``
    subprocess (seconds); a copy of this one lets each temporary course skip that.
    """
    folder = Path(tempfile.mkdtemp(prefix="gradebook-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "gradebook.db"
    subprocess.run([sys.executable, "-c", "import sys; from nbgrader.api import Gradebook; Gradebook(sys.argv[1]).close()",
                    f"sqlite:///{path}"], check=True, env=ENV)
    return path


def make_course(root, assignment, config=""):
    """Copy the course configuration (plus ``config``) and one assignment's source; generate its release.

    Only nbgrader's ``generate_assignment`` step of tools/release.py runs: tagging the
    raising cells would execute the release once more, and the grading tests check the
    committed tags against the untouched submission that autograde executes anyway.
    The course starts from a copy of an empty gradebook (``empty_gradebook``).
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text() + config)
    shutil.copyfile(empty_gradebook(), root / "gradebook.db")
    shutil.copytree(ROOT / "solutions" / assignment, root / "solutions" / assignment)
    release.generate(assignment, root, quiet=True)
    return Course(root, assignment)
