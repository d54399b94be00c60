"""The whole book builds with warnings as errors and every chapter page is produced."""

import re

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


def test_no_line_break_between_japanese_characters(built_book):
    """A source line break inside Japanese text shows as a stray space in Chromium."""
    cjk = "[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]"
    broken = []
    for page in sorted(built_book.glob("book/*.html")):
        text = page.read_text(encoding="utf-8")
        for block in re.findall(r"<(?:p|li)>(.*?)</(?:p|li)>", text, flags=re.S):
            for match in re.finditer(f"{cjk}\n{cjk}", re.sub(r"<[^>]+>", "", block)):
                broken.append(f"{page.name}: {match.group()!r}")
    assert broken == []
