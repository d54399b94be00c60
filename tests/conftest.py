"""Shared fixtures: repository paths, the list of assignments and the built book."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENTS = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())

BUILD_DIR = ROOT / "_build"


@pytest.fixture(scope="session")
def built_book():
    """Build the whole book (notebooks executed through jupyter-cache) with warnings as errors.

    Returns the html directory; a second build reuses the cache and takes seconds.
    """
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run(
        [str(jupyter_book), "build", str(ROOT), "--warningiserror", "--nitpick", "--keep-going"],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    return BUILD_DIR / "html"
