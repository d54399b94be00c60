"""Build the HTML book with warnings as errors: ``python tools/build_book.py [--all]``.

jupyter-cache re-executes a notebook only when its code cells change, so a
change to dlcore alone would leave stale figures in the book.  The build
therefore records a fingerprint of dlcore/ and clears the execution cache
when it differs.
"""

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build"
STAMP = BUILD / ".dlcore-fingerprint"


def dlcore_fingerprint():
    digest = hashlib.sha256()
    for path in sorted((ROOT / "dlcore").glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def build(force=False, capture=True):
    """Run jupyter-book; returns the CompletedProcess (output captured unless ``capture`` is False)."""
    fingerprint = dlcore_fingerprint()
    if force or not STAMP.exists() or STAMP.read_text() != fingerprint:
        shutil.rmtree(BUILD, ignore_errors=True)
    BUILD.mkdir(exist_ok=True)
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run(
        [str(jupyter_book), "build", str(ROOT), "--warningiserror", "--nitpick", "--keep-going"],
        capture_output=capture, text=True, cwd=ROOT)
    if result.returncode == 0:
        STAMP.write_text(fingerprint)
    return result


def main():
    sys.exit(build(force="--all" in sys.argv[1:], capture=False).returncode)


if __name__ == "__main__":
    main()
