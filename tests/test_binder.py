"""Binder: a fresh environment built from exactly the files repo2docker reads runs every notebook.

repo2docker installs binder/requirements.txt with the Python of binder/runtime.txt,
from the repository root, then runs binder/postBuild there.  This test does the
same in a new virtual environment over a copy of the repository's files, checks
that JupyterLab will load the widget extension, and executes every book and
solution notebook with that environment's kernel.
"""

import shutil
import subprocess
import sys
import venv

import pytest

from conftest import ROOT

NOTEBOOKS = {"book": sorted(ROOT.glob("book/*.ipynb")), "solutions": sorted(ROOT.glob("solutions/*/*.ipynb"))}


def repository_files():
    """Tracked and new, not ignored files: what a clone of this working tree would hold."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


def run(*command, cwd):
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(map(str, command))}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory):
    """(repository copy, environment bin/) after repo2docker's steps."""
    tmp = tmp_path_factory.mktemp("binder")
    repo = tmp / "repo"
    for name in repository_files():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, repo / name)
    runtime = (repo / "binder" / "runtime.txt").read_text().strip()
    assert runtime == f"python-{sys.version_info.major}.{sys.version_info.minor}", (
        f"binder/runtime.txt asks for {runtime}; build the test environment with that Python")
    venv.create(tmp / "env", with_pip=True)
    bin_dir = tmp / "env" / "bin"
    run(bin_dir / "python", "-m", "pip", "install", "--quiet", "-r", "binder/requirements.txt", cwd=repo)
    subprocess.run(["bash", "-c", f'PATH="{bin_dir}:$PATH" binder/postBuild'], cwd=repo, check=True,
                   capture_output=True)
    return repo, bin_dir


def test_dlcore_is_importable_from_the_repository(binder_env):
    repo, bin_dir = binder_env
    out = run(bin_dir / "python", "-c", "import dlcore, ipywidgets; print(dlcore.__file__)", cwd="/")
    assert out.strip() == str(repo / "dlcore" / "__init__.py")


def test_jupyterlab_loads_the_widget_and_nbgrader_extensions(binder_env):
    repo, bin_dir = binder_env
    out = run(bin_dir / "jupyter", "labextension", "list", cwd=repo)
    for extension in ("@jupyter-widgets/jupyterlab-manager", "@jupyter/nbgrader"):
        line = next((line for line in out.splitlines() if extension in line), "")
        assert "enabled" in line and "OK" in line, out


@pytest.mark.parametrize("folder", NOTEBOOKS)
def test_every_book_and_solution_notebook_runs(binder_env, tmp_path, folder):
    repo, bin_dir = binder_env
    notebooks = [str(path.relative_to(ROOT)) for path in NOTEBOOKS[folder]]
    run(bin_dir / "jupyter", "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=300",
        f"--output-dir={tmp_path}", *notebooks, cwd=repo)
    assert sorted(p.name for p in tmp_path.glob("*.ipynb")) == sorted(p.name for p in NOTEBOOKS[folder])
