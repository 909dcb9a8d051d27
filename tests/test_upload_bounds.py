"""Uploads are bounded by what they become: a small PDF that expands into megabytes of text is read
only up to the limit, a PDF past pypdf's own limits is that file's error and never the batch's, and
reading stops page by page. Whether it stops is checked by the pages pypdf was asked to extract,
never by timing."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from pypdf import PageObject, PdfReader

from rag.cli import main
from rag.corpus import DocumentError, TextLimitError, read_document
from tests.bomb_pdfs import inflation_bomb, shared_stream_bomb

PAGES = 200
LINES_PER_PAGE = 1000  # 44,000 characters a page: 8.8 million in all, from a file of 33 KB
LIMIT = 100_000


@pytest.fixture
def pages_read(monkeypatch) -> list[int | None]:
    """The length of each page's text pypdf extracted, in order; None for a page it was stopped in."""
    extract_text = PageObject.extract_text
    lengths: list[int | None] = []

    def counted(page: PageObject, *args, **kwargs) -> str:
        lengths.append(None)
        text = extract_text(page, *args, **kwargs)
        lengths[-1] = len(text)
        return text

    monkeypatch.setattr(PageObject, "extract_text", counted)
    return lengths


@pytest.fixture
def shared_bomb(tmp_path: Path) -> Path:
    return shared_stream_bomb(tmp_path / "long.pdf", PAGES, LINES_PER_PAGE)


def _page_chars(pdf: Path) -> int:
    return len(PdfReader(pdf).pages[0].extract_text())


def test_reading_a_pdf_stops_as_soon_as_its_text_passes_the_limit(shared_bomb, pages_read):
    assert shared_bomb.stat().st_size < 50_000, "the bomb should be a small file"
    page_chars = _page_chars(shared_bomb)
    pages_read.clear()

    message = r"long.pdf: more than 100,000 characters of text \(the limit per upload\); not added"
    with pytest.raises(TextLimitError, match=message):
        read_document(shared_bomb, max_chars=LIMIT)

    assert len(pages_read) == math.ceil(LIMIT / page_chars), f"pages extracted: {pages_read}"
    assert pages_read[-1] is None, "the page that passes the limit should be cut short, not extracted whole"


def test_a_pdf_that_inflates_past_pypdfs_limit_is_a_clear_document_error(tmp_path: Path):
    bomb = inflation_bomb(tmp_path / "inflated.pdf")
    with pytest.raises(DocumentError, match=r"^inflated\.pdf: not a readable PDF \(.*safety limit.*\)"):
        read_document(bomb)


def test_indexing_a_bomb_from_the_cli_prints_one_error_line(tmp_path: Path, capsys):
    bomb = inflation_bomb(tmp_path / "bomb.pdf")
    assert main(["index", str(bomb)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("error: bomb.pdf: not a readable PDF"), err
    assert err.count("\n") == 1 and "Traceback" not in err, f"one error line, no traceback:\n{err}"
