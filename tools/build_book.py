"""Build the HTML book with warnings as errors: ``python tools/build_book.py [--all]``.

jupyter-cache re-executes a notebook only when its code cells change, so a
change to dlcore alone would leave stale figures in the book.  The build
therefore records a fingerprint of dlcore/ and clears the execution cache
when it differs.

Jupyter Book executes the notebooks it finds out of date one after another.
Before it runs, the chapters that are not in the cache are executed into the
same cache, one per core in parallel (jupyter-cache's ``local-parallel``
executor; the course's kernel runs BLAS on one thread, tools/install_kernel.sh),
and Jupyter Book then only reads them.  A chapter that fails there is executed
again by Jupyter Book, which reports the error and fails the build.

After the book, tools/build_lite.py writes the JupyterLite site into
_build/html/lite, which each chapter page's launch menu links to.
"""

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import build_lite

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build"
CACHE = BUILD / ".jupyter_cache"
STAMP = BUILD / ".dlcore-fingerprint"
TIMEOUT = 120
"""Seconds a cell may run (the same as ``execute.timeout`` in _config.yml)."""


def dlcore_fingerprint():
    digest = hashlib.sha256()
    for path in sorted(p for p in (ROOT / "dlcore").iterdir() if p.is_file()):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def chapters():
    return sorted((ROOT / "book").glob("*.ipynb"))


def execute_in_parallel():
    """Execute every chapter missing from the cache, as many at a time as there are cores."""
    from jupyter_cache import get_cache
    from jupyter_cache.executors import load_executor

    cache = get_cache(str(CACHE))
    for notebook in chapters():
        cache.add_nb_to_project(str(notebook))
    load_executor("local-parallel", cache).run_and_cache(timeout=TIMEOUT, allow_errors=False)


def build(force=False, capture=True):
    """Run jupyter-book, then build the JupyterLite site; returns jupyter-book's CompletedProcess
    (output captured unless ``capture`` is False)."""
    fingerprint = dlcore_fingerprint()
    if force or not STAMP.exists() or STAMP.read_text() != fingerprint:
        shutil.rmtree(BUILD, ignore_errors=True)
    BUILD.mkdir(exist_ok=True)
    execute_in_parallel()
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run(
        [str(jupyter_book), "build", str(ROOT), "--warningiserror", "--nitpick", "--keep-going"],
        capture_output=capture, text=True, cwd=ROOT)
    if result.returncode == 0:
        STAMP.write_text(fingerprint)
        build_lite.build()
    return result


def main():
    sys.exit(build(force="--all" in sys.argv[1:], capture=False).returncode)


if __name__ == "__main__":
    main()
