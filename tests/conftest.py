"""Shared fixtures: repository paths, the list of assignments and the built book."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import build_book  # noqa: E402
ASSIGNMENTS = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())

BUILD_DIR = ROOT / "_build"


@pytest.fixture(scope="session")
def built_book():
    """Build the whole book with warnings as errors (tools/build_book.py); returns the html folder.

    Notebooks are executed through jupyter-cache, so a rebuild without changes takes seconds.
    """
    result = build_book.build()
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    return BUILD_DIR / "html"
