"""Shared fixtures: repository paths, the list of assignments, the built book, Chromium and a loopback server."""

import functools
import http.server
import sys
import threading
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import build_book  # noqa: E402
ASSIGNMENTS = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())

BUILD_DIR = ROOT / "_build"


def pytest_addoption(parser):
    parser.addoption("--pyodide-chapters", action="store_true",
                     help="also run every chapter in Pyodide (tests/test_lite.py; about 12 minutes on 2 cores)")


@pytest.fixture(scope="session")
def built_book():
    """Build the whole book with warnings as errors (tools/build_book.py); returns the html folder.

    Notebooks are executed through jupyter-cache, so a rebuild without changes takes seconds.
    """
    result = build_book.build()
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    return BUILD_DIR / "html"


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run",
                 # whatever a test does not route itself finds no host but this one
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="browser tests need Debian's chromium: apt-get install chromium fonts-noto-cjk",
)


class FolderHandler(http.server.SimpleHTTPRequestHandler):
    """Serves ``folders`` (URL prefix → folder, longest prefix first) and ``replies`` (path → (type, bytes));
    appends every requested path to ``log``."""

    folders, replies, log = {}, {}, []

    def translate_path(self, path):
        path = urllib.parse.unquote(path.split("?")[0].split("#")[0])
        for prefix, folder in self.folders.items():
            if path.startswith(prefix):
                return str(Path(folder) / path[len(prefix):])
        return str(Path(self.directory) / "missing")

    def do_GET(self):
        self.log.append(self.path)
        reply = self.replies.get(self.path.split("?")[0])
        if reply is None:
            return super().do_GET()
        content_type, body = reply
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextmanager
def serve(folders, replies=None):
    """Serve ``folders`` (URL prefix → folder) on a free loopback port; yields (base URL, request log)."""
    log = []
    handler = type("Handler", (FolderHandler,), {
        "folders": dict(sorted(folders.items(), key=lambda item: -len(item[0]))),
        "replies": replies or {}, "log": log})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(ROOT)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", log
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
