"""The built pages, opened in headless Chromium as a reader would, with no kernel.

Needs Debian's chromium (/usr/bin/chromium); skipped with a message otherwise.
The machine has no internet: MathJax, which the published page takes from a CDN,
is fetched from the npm registry into .cache/npm and served in its place.
Screenshots of every chapter go to _build/screenshots/ for a human to look at.
"""

import shutil
import subprocess
import tarfile

import pytest

from conftest import BUILD_DIR, ROOT, needs_chromium, serve

CDN_PACKAGES = {"https://cdn.jsdelivr.net/npm/mathjax@3/": "mathjax@3"}
CHAPTERS = sorted(p.stem for p in (ROOT / "book").glob("[0-9]*.ipynb"))
OTHER_PAGES = sorted(p.stem for p in (ROOT / "book").glob("*.md"))

pytestmark = needs_chromium


def npm_package(spec):
    """Unpack an npm package (e.g. 'mathjax@3') into .cache/npm and return its folder."""
    target = ROOT / ".cache" / "npm" / spec.replace("/", "_")
    if not (target / "package").exists():
        if shutil.which("npm") is None:
            pytest.skip(f"npm is needed to fetch {spec} for the browser tests")
        target.mkdir(parents=True, exist_ok=True)
        name = subprocess.run(["npm", "pack", spec, "--silent", "--pack-destination", str(target)],
                              check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        with tarfile.open(target / name) as archive:
            archive.extractall(target, filter="data")
    return target / "package"


def screenshots():
    folder = BUILD_DIR / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def site(built_book):
    with serve({"/": built_book}) as (url, _):
        yield url


@pytest.fixture(scope="module")
def cdn():
    """CDN prefix → local folder holding the same files."""
    return {prefix: npm_package(spec) for prefix, spec in CDN_PACKAGES.items()}


@pytest.fixture
def open_page(browser, site, cdn):
    """Open a page of the book; returns (page, JavaScript errors, requests that went unanswered)."""
    pages = []

    def serve(route):
        url = route.request.url
        if url.startswith(site):
            return route.continue_()
        for prefix, folder in cdn.items():
            if url.startswith(prefix):
                path = folder / url[len(prefix):].split("?")[0]
                if path.is_file():
                    return route.fulfill(path=str(path))
        unanswered.append(url)
        return route.abort()

    def open_(path):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.route("**/*", serve)
        page.goto(f"{site}/{path}", wait_until="networkidle")
        pages.append(page)
        return page

    errors, unanswered = [], []
    yield open_, errors, unanswered
    for page in pages:
        page.close()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_loads_without_errors_typesets_math_and_shows_figures(open_page, chapter):
    open_, errors, unanswered = open_page
    page = open_(f"book/{chapter}.html")
    page.wait_for_selector("mjx-container", state="attached", timeout=20_000)
    page.evaluate("() => MathJax.startup.promise")
    assert errors == [], f"JavaScript errors on {chapter}: {errors}"
    assert page.locator("mjx-container").count() > 0, "no math was typeset"
    too_wide = page.evaluate(
        "() => [...document.querySelectorAll('mjx-container[display=\"true\"]')]"
        ".filter(m => m.offsetParent && m.firstElementChild"
        " && m.firstElementChild.getBoundingClientRect().width > m.getBoundingClientRect().width + 2)"
        ".map(m => m.textContent.slice(0, 60))")
    assert too_wide == [], f"display equations wider than the text column: {too_wide}"
    images = page.locator("article img")
    assert images.count() > 0
    broken = page.evaluate("[...document.querySelectorAll('article img')]"
                           ".filter(im => !im.hidden && im.naturalWidth === 0).map(im => im.src.slice(0, 80))")
    assert broken == [], f"images that did not load: {broken}"
    page.screenshot(path=str(screenshots() / f"{chapter}.png"), full_page=True)


@pytest.mark.parametrize("name", OTHER_PAGES)
def test_front_page_and_appendices_load_without_errors(open_page, name):
    open_, errors, _ = open_page
    page = open_(f"book/{name}.html")
    assert errors == [], f"JavaScript errors on {name}: {errors}"
    assert page.locator("article h1").count() == 1
    page.screenshot(path=str(screenshots() / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_static_slider_changes_its_figure(open_page, chapter):
    open_, errors, _ = open_page
    page = open_(f"book/{chapter}.html")
    sliders = page.locator(".dlcore-slider")
    assert sliders.count() > 0, f"{chapter} has no slider"
    visible_frame = "el => [...el.querySelectorAll('img.dlcore-frame')].filter(im => !im.hidden).map(im => im.src)"
    for i in range(sliders.count()):
        box = sliders.nth(i)
        before = box.evaluate(visible_frame)
        assert len(before) == 1
        for range_input in box.locator("input[type=range]").all():
            label_before = range_input.locator("xpath=following-sibling::output").inner_text()
            range_input.fill(range_input.get_attribute("max"))
            assert range_input.locator("xpath=following-sibling::output").inner_text() != label_before
        after = box.evaluate(visible_frame)
        assert len(after) == 1 and after != before, f"slider {i} on {chapter} did not change its figure"
        box.screenshot(path=str(screenshots() / f"{chapter}-slider{i}.png"))
    assert errors == []


def test_search_finds_a_japanese_query(open_page):
    open_, errors, _ = open_page
    page = open_("search.html?q=" + "誤差逆伝播")
    page.wait_for_selector("#search-results li", timeout=20_000)
    found = page.locator("#search-results li a").evaluate_all("links => links.map(a => a.href)")
    assert any("05_backprop" in href for href in found), found
    assert errors == []
