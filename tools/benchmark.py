"""Time the course's slow paths: each chapter's execution, the book build (forced and cached) and autograding.

    .venv/bin/python tools/benchmark.py [--submissions N] [--skip-book]

Each chapter is executed once with nbclient in a fresh kernel (kernel start included).
The forced build starts from an empty build folder in a temporary copy of the
repository, so the real _build/ is left alone.  Autograding uses N copies of
each assignment's full solution as submissions in a temporary course.  Speed
figures depend on the machine; record OPENBLAS_CORETYPE beside them.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ENV = {**os.environ, "PATH": os.pathsep.join([str(BIN), os.environ["PATH"]])}


def timed(command, cwd):
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def bench_chapters():
    import nbclient
    import nbformat

    for path in sorted((ROOT / "book").glob("[0-9]*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        nbclient.NotebookClient(nb, timeout=600, resources={"metadata": {"path": str(path.parent)}}).execute()
        print(f"chapter {path.stem:22s}: {time.perf_counter() - start:6.1f} s")


def bench_book(scratch):
    copy = scratch / "book"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", ".venv", "_build", ".cache"))
    build = [str(BIN / "jupyter-book"), "build", ".", "--warningiserror", "--nitpick", "--keep-going"]
    print(f"book build, forced (empty _build): {timed(build, copy):6.1f} s")
    print(f"book build, cached (no change)   : {timed(build, copy):6.1f} s")


def bench_autograde(scratch, n):
    for source in sorted((ROOT / "solutions").iterdir()):
        course = scratch / f"course-{source.name}"
        course.mkdir()
        shutil.copy(ROOT / "nbgrader_config.py", course)
        shutil.copytree(source, course / "solutions" / source.name)
        nbgrader = [sys.executable, "-m", "nbgrader"]
        root = f"--CourseDirectory.root={course}"
        subprocess.run([*nbgrader, "generate_assignment", source.name, "--force", root],
                       cwd=course, check=True, env=ENV, capture_output=True)
        for i in range(n):
            shutil.copytree(source, course / "submitted" / f"student{i:02d}" / source.name)
        seconds = timed([*nbgrader, "autograde", source.name, root], course)
        print(f"autograde {source.name}: {n} submissions in {seconds:.1f} s = {seconds / n:.2f} s each")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=10)
    parser.add_argument("--skip-book", action="store_true")
    args = parser.parse_args()
    print(f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}, cpus={os.cpu_count()}")
    with tempfile.TemporaryDirectory() as scratch:
        if not args.skip_book:
            bench_chapters()
            bench_book(Path(scratch))
        bench_autograde(Path(scratch), args.submissions)


if __name__ == "__main__":
    main()
