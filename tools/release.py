"""Regenerate an assignment's release (exercises/) from its source (solutions/).

    python tools/release.py NN_topic [--root DIR]

1. ``nbgrader generate_assignment`` writes exercises/NN_topic from
   solutions/NN_topic (solutions replaced by Japanese stubs, hidden tests removed)
   and records its graded cells in the course's gradebook.db, which autograding needs.
2. Each release notebook is executed once; every cell that raises on the
   untouched stubs is tagged ``raises-exception`` so that ``pytest --nbval-lax``
   accepts it in exercises/ (solutions/ never carry that tag).
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

import nbclient
import nbformat

RAISES_TAG = "raises-exception"


def generate(assignment, root, quiet=False):
    """Run nbgrader generate_assignment for one assignment under ``root`` (its output captured if ``quiet``)."""
    # nbgrader runs the venv's `alembic` by name to create the gradebook.
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]])
    subprocess.run(
        [
            sys.executable, "-m", "nbgrader", "generate_assignment", assignment,
            "--force", "--log-level=WARN", f"--CourseDirectory.root={root}",
        ],
        check=True,
        cwd=root,
        env={**os.environ, "PATH": path},
        capture_output=quiet,
    )


def tag_raising_cells(path):
    """Execute a release notebook and tag the cells that raise; save it without outputs."""
    nb = nbformat.read(path, as_version=4)
    executed = nbformat.from_dict(nb)
    nbclient.NotebookClient(
        executed, allow_errors=True, timeout=300, resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    for cell, run in zip(nb.cells, executed.cells):
        if cell.cell_type != "code":
            continue
        tags = [t for t in cell.metadata.get("tags", []) if t != RAISES_TAG]
        if any(out.output_type == "error" for out in run.outputs):
            tags.append(RAISES_TAG)
        if tags:
            cell.metadata["tags"] = tags
        else:
            cell.metadata.pop("tags", None)
    nbformat.write(nb, path)


def release(assignment, root):
    """Generate exercises/<assignment> and tag its raising cells."""
    root = Path(root).resolve()
    if not (root / "solutions" / assignment).is_dir():
        raise SystemExit(f"release: no assignment source at {root / 'solutions' / assignment}")
    generate(assignment, root)
    for path in sorted((root / "exercises" / assignment).glob("*.ipynb")):
        tag_raising_cells(path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="+", help="assignment stem, e.g. 02_activation")
    parser.add_argument("--root", default=Path(__file__).resolve().parent.parent, help="course root")
    args = parser.parse_args(argv)
    for assignment in args.assignment:
        release(assignment, args.root)
        print(f"exercises/{assignment} regenerated")


if __name__ == "__main__":
    main()
