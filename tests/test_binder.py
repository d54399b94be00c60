"""Binder: a fresh environment built from exactly the files repo2docker reads runs every notebook.

repo2docker installs binder/requirements.txt with the Python of binder/runtime.txt,
from the repository root, then runs binder/postBuild there.  This test does the
same in a new virtual environment over a copy of the repository's files, checks
that it holds exactly the packages of the course's own environment (so every
notebook the book build and the grading tests execute would run the same way
there), executes one chapter and its assignment with that environment's kernel,
checks that JupyterLab loads the widget extension, and moves a live slider in
JupyterLab in headless Chromium (where the learner's Validate button shows and
the instructor's tools do not).
"""

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import venv

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from conftest import CHROMIUM, CHROMIUM_ARGS, ROOT
from test_browser import screenshots

CHAPTERS = sorted(ROOT.glob("book/*.ipynb"))
SAMPLE = ["book/02_activation.ipynb", "solutions/02_activation/02_activation.ipynb"]   # sliders, dlcore, grading


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
    run("bash", "-c", f'PATH="{bin_dir}:$PATH" binder/postBuild', cwd=repo)
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


def test_chapter_pages_launch_binder_into_jupyterlab(built_book):
    for chapter in CHAPTERS:
        page = (built_book / "book" / f"{chapter.stem}.html").read_text(encoding="utf-8")
        expected = f"mybinder.org/v2/gh/dlcore-course/deep-learning-ja/main?urlpath=lab/tree/book/{chapter.name}"
        assert expected in page, chapter.name


def freeze(python):
    out = run(python, "-m", "pip", "freeze", "--exclude-editable", cwd="/")
    return sorted(line for line in out.splitlines() if line and not line.startswith("#"))


def test_binder_holds_exactly_the_course_environment(binder_env):
    """The book build and the grading tests run every notebook; here it would run with the same packages."""
    _, bin_dir = binder_env
    assert freeze(bin_dir / "python") == freeze(sys.executable)


def kernel_env(python):
    """The environment variables the python3 kernel of that Python's environment sets."""
    out = run(python, "-c", "from jupyter_client.kernelspec import get_kernel_spec; "
              "print(sorted(get_kernel_spec('python3').env.items()))", cwd="/")
    return out.strip()


def test_binder_and_the_course_run_kernels_with_one_blas_thread(binder_env):
    _, bin_dir = binder_env
    pinned = str(sorted({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}.items()))
    assert kernel_env(bin_dir / "python") == pinned
    assert kernel_env(sys.executable) == pinned


def test_a_chapter_and_its_assignment_run(binder_env, tmp_path):
    repo, bin_dir = binder_env
    for i, notebook in enumerate(SAMPLE):            # a chapter and its assignment share a name: one folder each
        run(bin_dir / "jupyter", "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=300",
            f"--output-dir={tmp_path / str(i)}", notebook, cwd=repo)
        assert (tmp_path / str(i) / notebook.rsplit("/", 1)[-1]).exists()


LIVE_SLIDER = """\
import matplotlib.pyplot as plt
from dlcore.interactive import slider

def draw(height):
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar([0], [height])
    ax.set_ylim(0, 3)
    return fig

slider(draw, height=[1, 2, 3])
"""


@pytest.fixture
def jupyterlab(binder_env):
    """JupyterLab from the Binder environment on a free local port, serving a one-slider notebook."""
    repo, bin_dir = binder_env
    nbformat.write(new_notebook(cells=[new_code_cell(LIVE_SLIDER)], metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}}), repo / "live_slider.ipynb")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = open(repo / "jupyterlab.log", "w")
    server = subprocess.Popen(
        [bin_dir / "jupyter", "lab", "--no-browser", "--allow-root", f"--port={port}", "--ServerApp.token=",
         "--ServerApp.password=", f"--ServerApp.root_dir={repo}",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        cwd=repo, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=1)
                break
            except OSError:
                assert server.poll() is None, (repo / "jupyterlab.log").read_text()
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install chromium")
def test_a_slider_is_a_live_widget_in_jupyterlab(jupyterlab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{jupyterlab}/lab/tree/live_slider.ipynb")
        page.locator(".jp-Notebook .jp-Cell .cm-content").first.click(timeout=60_000)
        page.locator(".jp-NotebookPanel-toolbar [data-status=idle]").wait_for(timeout=60_000)
        page.keyboard.press("Shift+Enter")
        handle = page.locator(".widget-slider .noUi-handle").first
        handle.wait_for(timeout=60_000)
        image = page.locator(".widget-output img").first
        image.wait_for(timeout=60_000)
        first = image.get_attribute("src")
        readout = page.locator(".widget-readout").first
        assert readout.inner_text() == "1"
        handle.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "src => { const img = document.querySelector('.widget-output img'); return img && img.src !== src; }",
            arg=first, timeout=60_000)
        assert readout.inner_text() == "2"
        assert page.locator(".jp-NotebookPanel-toolbar").get_by_text("Validate").is_visible()
        assert page.get_by_text("Create Assignment").count() == 0, "instructor tools should be hidden on Binder"
        page.screenshot(path=str(screenshots() / "jupyterlab_live_slider.png"))
        browser.close()
    assert errors == []
