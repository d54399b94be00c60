"""Build the JupyterLite site of the course into _build/html/lite: ``python tools/build_lite.py``.

tools/build_book.py runs it after the book.  The site holds every chapter
(book/*.ipynb, without the cells the book removes) and every assignment
release (exercises/*/) as its files, and runs them in the browser with
Pyodide (``pyodide_dist.VERSION``, loaded from its CDN).  Nothing is installed with ``%pip``: the kernel's ``loadPyodideOptions``
preloads NumPy and matplotlib from Pyodide and, from the site's own ``pypi/``
folder, a wheel of dlcore built here plus the pure-Python wheels dlcore
imports lazily (``PYPI_WHEELS``, at the versions of requirements.lock), so a
chapter's first cell imports everything it needs.  The kernel itself is the
federated extension in the wheel ``KERNEL_EXTENSION``.
"""

import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pyodide_dist  # noqa: E402

ROOT = pyodide_dist.ROOT
SOURCE = ROOT / "_build" / "lite-source"
SITE = ROOT / "_build" / "html" / "lite"
WHEELS = ROOT / ".cache" / "downloads" / "wheels"
PYPI_WHEELS = ("ipywidgets", "comm", "matplotlib-fontja", "tqdm")
"""Pure-Python packages from PyPI that dlcore imports lazily (comm for ipywidgets)."""
PYODIDE_PACKAGES = ("numpy", "matplotlib")
KERNEL_EXTENSION = "jupyterlite-pyodide-kernel==0.5.2"
"""A kernel release that starts Pyodide 0.27 (0.8.x does not), with jupyterlite-core 0.5.1.  Only its wheel is
used, as the site's federated extension: installed, its lab extension would also load, and fail, in the
course's own JupyterLab."""
KERNEL = "@jupyterlite/pyodide-kernel-extension:kernel"
WIDGETS_EXTENSION = "@jupyter-widgets/jupyterlab-manager"
REMOVED = "remove-cell"
"""The tag of the cells the book does not show; the site's chapters leave them out too."""
WORKER_TO_SITE = "../../../../"
"""From the kernel's worker script (extensions/<scope>/<name>/static/) back to the site's root."""


def pinned_version(name):
    """The version of ``name`` in requirements.lock."""
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        package, _, version = line.partition("==")
        if pyodide_dist.canonical(package) == pyodide_dist.canonical(name):
            return version
    raise KeyError(f"{name} is not pinned in requirements.lock")


def pypi_wheel(name, version=None):
    """The pure-Python wheel of ``name`` (at its version in requirements.lock unless given), downloaded
    once from PyPI into .cache/downloads/wheels."""
    version = version or pinned_version(name)
    pattern = re.compile(rf"{re.sub(r'[-_.]+', '_', name)}-{re.escape(version)}-(py3|py2\.py3)-none-any\.whl",
                         re.IGNORECASE)

    def found():
        return [p for p in WHEELS.glob("*.whl") if pattern.fullmatch(p.name)]

    if not found():
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                        "--dest", str(WHEELS), f"{name}=={version}"], check=True)
    if not found():
        raise FileNotFoundError(f"PyPI has no pure-Python wheel of {name}=={version}")
    return found()[0]


def record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def dlcore_wheel(folder):
    """Write a pure-Python wheel of dlcore (its package files, metadata from pyproject.toml) into ``folder``."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = pyproject["project"]
    name, version = project["name"], project["version"]
    info = f"{name}-{version}.dist-info"
    patterns = ["*.py", *pyproject["tool"]["setuptools"]["package-data"][name]]
    files = {f"{name}/{p.name}": p.read_bytes() for pattern in patterns for p in sorted((ROOT / name).glob(pattern))}
    files[f"{info}/METADATA"] = (f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
                                 f"Summary: {project['description']}\n"
                                 f"Requires-Python: {project['requires-python']}\n"
                                 + "".join(f"Requires-Dist: {d}\n" for d in project["dependencies"])).encode()
    files[f"{info}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: tools/build_lite.py\nRoot-Is-Purelib: true\n"
                              b"Tag: py3-none-any\n")
    record = [record_line(path, data) for path, data in files.items()] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            archive.writestr(zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return wheel


def stage_contents(folder):
    """Write every chapter and copy every assignment release into ``folder`` (book/…, exercises/NN_topic/…).

    A chapter loses its cells tagged ``remove-cell``, as in the book: they are the build's checks of
    the prose's claims (DESIGN.md), run with the course's NumPy, not something a learner reads or runs.
    """
    (folder / "book").mkdir(parents=True)
    for chapter in sorted((ROOT / "book").glob("*.ipynb")):
        notebook = json.loads(chapter.read_text(encoding="utf-8"))
        notebook["cells"] = [c for c in notebook["cells"] if REMOVED not in c["metadata"].get("tags", [])]
        (folder / "book" / chapter.name).write_text(json.dumps(notebook, ensure_ascii=False, indent=1) + "\n",
                                                    encoding="utf-8")
    for release in sorted(p for p in (ROOT / "exercises").iterdir() if p.is_dir()):
        shutil.copytree(release, folder / "exercises" / release.name,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))


def kernel_settings(wheels):
    """The Pyodide kernel's settings: the CDN release, no PyPI fallback, the packages to preload."""
    return {
        "pyodideUrl": pyodide_dist.CDN_URL + "pyodide.js",
        "disablePyPIFallback": True,
        "loadPyodideOptions": {
            "packages": [*PYODIDE_PACKAGES, *(f"{WORKER_TO_SITE}pypi/{w.name}" for w in wheels)],
        },
    }


def check_written_config(site, expected_url):
    """The built jupyter-lite.json must load Pyodide from ``expected_url`` (a stale build may not)."""
    config = json.loads((site / "jupyter-lite.json").read_text())
    settings = config["jupyter-config-data"]["litePluginSettings"][KERNEL]
    if settings.get("pyodideUrl") != expected_url:
        raise RuntimeError(f"{site / 'jupyter-lite.json'} loads Pyodide from {settings.get('pyodideUrl')!r}, "
                           f"not {expected_url!r}")
    return settings


def build(site=SITE):
    """Build the site from scratch into ``site`` and return the kernel settings it was written with."""
    shutil.rmtree(SOURCE, ignore_errors=True)        # also drops a stale .jupyterlite.doit.db
    shutil.rmtree(site, ignore_errors=True)
    contents, wheel_folder = SOURCE / "files", SOURCE / "wheels"
    wheel_folder.mkdir(parents=True)
    stage_contents(contents)
    wheels = [dlcore_wheel(wheel_folder), *(pypi_wheel(name) for name in PYPI_WHEELS)]
    kernel_extension = pypi_wheel(*KERNEL_EXTENSION.split("=="))
    (SOURCE / "jupyter-lite.json").write_text(json.dumps({
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {"appName": "ディープラーニング講座",
                                "litePluginSettings": {KERNEL: kernel_settings(wheels)}},
    }, ensure_ascii=False, indent=2))
    labextensions = Path(sys.prefix) / "share" / "jupyter" / "labextensions"
    (SOURCE / "jupyter_lite_config.json").write_text(json.dumps({
        "LiteBuildConfig": {
            "output_dir": str(site), "contents": [str(contents)], "apps": ["lab"],
            "no_sourcemaps": True, "no_unused_shared_packages": True,
            "ignore_sys_prefix": ["federated_extensions"],
            "federated_extensions": [str(kernel_extension), str(labextensions / WIDGETS_EXTENSION)],
        },
    }, indent=2))
    jupyter = Path(sys.executable).parent / "jupyter"
    result = subprocess.run([str(jupyter), "lite", "build"], cwd=SOURCE, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"jupyter lite build failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    (site / "pypi").mkdir()
    for wheel in wheels:
        shutil.copy2(wheel, site / "pypi" / wheel.name)
    return check_written_config(site, pyodide_dist.CDN_URL + "pyodide.js")


def main():
    settings = build()
    print(f"JupyterLite site in {SITE}, Pyodide from {settings['pyodideUrl']}")


if __name__ == "__main__":
    main()
