"""The whole book builds with warnings as errors and every chapter page is produced."""

from conftest import ROOT


def test_book_builds_with_warnings_as_errors(built_book):
    assert (built_book / "index.html").exists()


def test_every_chapter_has_an_html_page(built_book):
    for chapter in sorted((ROOT / "book").glob("[0-9]*.ipynb")):
        assert (built_book / "book" / f"{chapter.stem}.html").exists(), chapter.stem
