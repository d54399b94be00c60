"""The whole book builds with warnings as errors and every chapter page is produced."""

from conftest import ROOT
from test_repository import files_holding, hidden_lines_of_every_assignment


def test_book_builds_with_warnings_as_errors(built_book):
    assert (built_book / "index.html").exists()


def test_every_chapter_has_an_html_page(built_book):
    for chapter in sorted((ROOT / "book").glob("[0-9]*.ipynb")):
        assert (built_book / "book" / f"{chapter.stem}.html").exists(), chapter.stem


def test_no_hidden_test_line_in_the_built_html(built_book):
    pages = [p for p in built_book.rglob("*") if p.suffix in (".html", ".js", ".txt", ".ipynb")]
    assert len(pages) > 10
    assert files_holding(hidden_lines_of_every_assignment(), pages) == []
