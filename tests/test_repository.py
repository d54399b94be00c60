"""Repository rules: clean notebooks, one assignment per chapter, no leaked solutions."""

import ast
import json
import re

import nbformat
import pytest

from conftest import ROOT
from nbgrader_course import hidden_test_lines

NOTEBOOKS = sorted(
    p for folder in ("book", "solutions", "exercises") for p in (ROOT / folder).rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts
)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_is_committed_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    dirty = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
             and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, f"{path.name}: cells {dirty} have outputs; run ./course strip"


@pytest.mark.parametrize("path", sorted((ROOT / "solutions").rglob("*.ipynb")), ids=lambda p: p.parent.name)
def test_solutions_never_expect_an_exception(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    tagged = [i for i, c in enumerate(nb["cells"]) if "raises-exception" in c.get("metadata", {}).get("tags", [])]
    assert not tagged, f"{path.name}: cells {tagged} are tagged raises-exception"


def test_every_chapter_has_its_assignment_and_mistakes():
    for chapter in sorted((ROOT / "book").glob("[0-9]*.ipynb")):
        stem = chapter.stem
        assert (ROOT / "solutions" / stem / f"{stem}.ipynb").exists(), stem
        assert (ROOT / "exercises" / stem / f"{stem}.ipynb").exists(), stem
        assert (ROOT / "tests" / "mistakes" / f"{stem}.py").exists(), stem


def test_learner_facing_notebooks_hold_no_solution_or_hidden_test():
    for folder in ("book", "exercises"):
        for path in (ROOT / folder).rglob("*.ipynb"):
            if path.is_file():
                text = path.read_text(encoding="utf-8")
                for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
                    assert marker not in text, f"{path.relative_to(ROOT)} contains {marker}"


def hidden_lines_of_every_assignment():
    """Every hidden test line of every assignment except imports, which give nothing away."""
    return sorted({line for path in (ROOT / "solutions").rglob("*.ipynb")
                   for line in hidden_test_lines(nbformat.read(path, as_version=4))
                   if not line.startswith(("import ", "from "))})


def files_holding(lines, paths):
    """(file, line) for every hidden test line found in one of ``paths``."""
    found = []
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [(str(path.relative_to(ROOT)), line) for line in lines if line in text]
    return found


def test_no_hidden_test_line_in_the_releases_or_the_book_sources():
    lines = hidden_lines_of_every_assignment()
    assert len(lines) > 50
    paths = [p for folder in ("book", "exercises") for p in (ROOT / folder).rglob("*") if p.is_file()]
    assert files_holding(lines, paths) == []


def test_publishing_workflow_builds_the_readme_book_and_deploys_it_to_pages():
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "book.yml").read_text(encoding="utf-8"))
    build, deploy = workflow["jobs"]["build"]["steps"], workflow["jobs"]["deploy"]["steps"]
    assert [s["run"] for s in build if "run" in s] == ["./course book --no-serve"]
    assert "./course book" in (ROOT / "README.md").read_text(encoding="utf-8")
    upload = next(s for s in build if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "_build/html"
    assert any(s.get("uses", "").startswith("actions/deploy-pages") for s in deploy)


@pytest.mark.parametrize("path", sorted((ROOT / "solutions").rglob("*.ipynb")), ids=lambda p: p.parent.name)
def test_setup_cell_is_locked_and_imports_the_grading_helpers(path):
    """The tampering check trusts only locked and test cells; the setup cell must be one of them."""
    nb = nbformat.read(path, as_version=4)
    setup = next(c for c in nb.cells if c.cell_type == "code")
    assert setup.metadata.get("nbgrader", {}).get("locked") is True
    assert "from dlcore.grading import checks, expect_array" in setup.source


def first_statement(source):
    """The first statement of a cell, looking inside a leading ``with checks(...):``."""
    tree = ast.parse(source)
    statement = tree.body[0] if tree.body else None
    while isinstance(statement, ast.With):
        statement = statement.body[0]
    return statement


def calls_expect_own_code(statement):
    return (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)
            and isinstance(statement.value.func, ast.Name) and statement.value.func.id == "expect_own_code")


@pytest.mark.parametrize("path", sorted((ROOT / "solutions").rglob("*.ipynb")), ids=lambda p: p.parent.name)
def test_every_implementation_test_first_rejects_answers_that_use_dlcore(path):
    """実装演習 ask for transfer: each of their test cells opens with expect_own_code (CONTRIBUTING.md)."""
    nb = nbformat.read(path, as_version=4)
    tests = [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")
             and not re.fullmatch(r"test_q\d+", c.metadata.nbgrader["grade_id"])]
    assert tests, f"{path.name} has no 実装演習"
    missing = [c.metadata.nbgrader["grade_id"] for c in tests if not calls_expect_own_code(first_statement(c.source))]
    assert not missing, f"{path.name}: these test cells do not start with expect_own_code(...): {missing}"
