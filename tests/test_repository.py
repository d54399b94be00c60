"""Repository rules: clean notebooks, one assignment per chapter, no leaked solutions."""

import json

import pytest

from conftest import ROOT

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


def test_learner_facing_files_hold_no_solution_or_hidden_test():
    for folder in ("book", "exercises"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file():
                text = path.read_text(encoding="utf-8")
                for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
                    assert marker not in text, f"{path.relative_to(ROOT)} contains {marker}"
