#!/usr/bin/env bash
# Install the course's Jupyter kernel into the environment of the given Python (default: python):
# the standard ipykernel spec, with BLAS pinned to one thread in every kernel that runs a chapter or
# an assignment (JupyterLab, Binder, the book build, nbgrader).  The course's matrices are small:
# a second BLAS thread mostly waits for the first, and starves whatever else runs on a 2-core
# machine (tools/benchmark.py measures it; see the book's appendix 「性能」).
# Used by ./course (local .venv) and binder/postBuild, so both get the same kernel.
set -euo pipefail
"${1:-python}" -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (ipykernel)" \
  --env OPENBLAS_NUM_THREADS 1 --env OMP_NUM_THREADS 1 --env MKL_NUM_THREADS 1 >/dev/null
