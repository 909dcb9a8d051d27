"""Uploads are bounded by what they become: a small PDF that expands into megabytes of text is read
only up to the limit, a PDF past pypdf's own limits is that file's error and never the batch's, a
session holds only so much text and so many passages, and reading and embedding stop at the next
page or batch when the session ends. Whether reading stops is checked by the pages pypdf was asked
to extract, never by timing."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from pypdf import PageObject, PdfReader

from rag import uploads
from rag.cli import main
from rag.corpus import DocumentError, TextLimitError, read_document
from rag.events import Progress, Status, run_to_end
from rag.index import EMBED_BATCH
from rag.uploads import PAGES, add_uploads
from rag.web.sessions import Sessions
from tests.bomb_pdfs import drawing_bomb, form_bomb, inflation_bomb, shared_stream_bomb

BOMB_PAGES = 200
LINES_PER_PAGE = 1000  # 44,000 characters a page: 8.8 million in all, from a file of 33 KB
LIMIT = 100_000
DRAWINGS_PER_PAGE = 20_000  # 60,004 operations a page


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
    return shared_stream_bomb(tmp_path / "long.pdf", BOMB_PAGES, LINES_PER_PAGE)


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


def test_reading_stops_in_the_middle_of_a_form_shown_many_times(tmp_path, pages_read):
    bomb = form_bomb(tmp_path / "forms.pdf", BOMB_PAGES, LINES_PER_PAGE, invocations=100)  # 880 million characters
    with pytest.raises(TextLimitError, match=r"^forms\.pdf: more than 100,000 characters"):
        read_document(bomb, max_chars=LIMIT)
    assert pages_read == [None], "the first page should be cut short, and no other page read"


def test_reading_a_pdf_stops_once_pypdf_has_carried_out_too_many_drawing_operations(tmp_path, pages_read):
    bomb = drawing_bomb(tmp_path / "drawn.pdf", BOMB_PAGES, DRAWINGS_PER_PAGE)
    message = r"^drawn\.pdf: too much work to read, more than 100,000 drawing operations \(the limit per upload\)"
    with pytest.raises(DocumentError, match=message):
        read_document(bomb, max_pdf_operations=100_000)
    assert pages_read == [1, None], "one page read whole, the second cut short, no third"


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


def _run(adding):
    events = []
    return run_to_end(adding, events.append), events


def _markdown(path: Path, sections: int, sentence: str = "Owls hunt at night over the fields.") -> Path:
    """A Markdown file of `sections` short sections: one passage each."""
    path.write_text("\n\n".join(f"## Section {n}\n\n{sentence}" for n in range(sections)), encoding="utf-8")
    return path


def test_bombs_beside_a_good_file_each_get_their_own_message_and_the_good_file_is_added(
    settings, kb, tmp_path, shared_bomb, pages_read, monkeypatch
):
    monkeypatch.setattr(uploads, "MAX_PDF_OPERATIONS", 300_000)  # the text bomb needs 5,000 a page
    good = _markdown(tmp_path / "good.md", 1, "The zorblax constant is 42, measured on Tuesdays.")
    inflated = inflation_bomb(tmp_path / "inflated.pdf")
    drawn = drawing_bomb(tmp_path / "drawn.pdf", BOMB_PAGES, DRAWINGS_PER_PAGE)
    page_chars = _page_chars(shared_bomb)
    pages_read.clear()

    result, events = _run(add_uploads([shared_bomb, good, inflated, drawn], None, settings))

    assert result.added == ["good.md"], result.rejected
    assert result.rejected[0] == "long.pdf: more than 2,000,000 characters of text (the limit per upload); not added"
    assert result.rejected[1].startswith("inflated.pdf: not a readable PDF ("), result.rejected
    assert result.rejected[2].startswith("drawn.pdf: too much work to read, more than 300,000 drawing operations")
    assert len(result.rejected) == 3
    assert [e.message for e in events if isinstance(e, Status) and e.stage == "rejected"] == result.rejected
    text_pages = math.ceil(settings.max_upload_chars / page_chars)
    drawn_pages = math.ceil(300_000 / (3 * DRAWINGS_PER_PAGE + 4))
    assert len(pages_read) == text_pages + 1 + drawn_pages, "each bomb is read up to its limit, and no further"
    assert result.corpus.passages == 1, "only the good file's passage is embedded"
    assert result.corpus.chars < 100


def test_a_session_holds_only_so_much_text_and_so_many_passages(settings, kb, tmp_path):
    limited = settings.with_(max_upload_chars=2_000, max_upload_passages=4)
    many = _markdown(tmp_path / "many.md", 6)
    notes = _markdown(tmp_path / "notes.md", 3)
    first, _ = _run(add_uploads([many, notes], None, limited))
    assert first.added == ["notes.md"]
    assert first.rejected == ["many.md: 6 passages, more than 4 (the limit per session); not added"]
    assert (first.corpus.passages, first.corpus.chars) == (3, len(notes.read_text(encoding="utf-8")))

    more = _markdown(tmp_path / "more.md", 2)
    long = tmp_path / "long.md"
    long.write_text("Owls hunt at night. " * 100, encoding="utf-8")
    second, _ = _run(add_uploads([more, long], first.corpus, limited))
    left = 2_000 - first.corpus.chars
    assert second.added == []
    assert second.rejected == [
        "more.md: 2 passages, more than the 1 left of the 4 per session; not added",
        f"long.md: more text than the {left:,} characters left of the 2,000 per session; not added",
    ]
    assert second.corpus is first.corpus


def test_ending_the_session_stops_its_upload_between_two_pages(settings, kb, shared_bomb, pages_read):
    sessions = Sessions()
    unlimited = settings.with_(max_upload_chars=10**9)
    adding = add_uploads([shared_bomb], None, unlimited, stop=sessions["a"].stop_uploads)
    first = next(adding)
    assert isinstance(first, Progress) and first.unit == PAGES and (first.done, first.total) == (1, BOMB_PAGES)

    sessions.end("a")
    result, events = _run(adding)

    assert result.stopped and result.added == [] and result.corpus is None
    assert len(pages_read) == 1, f"{len(pages_read)} pages were read after the session ended"
    assert events[-1].stage == "stopped", events


def test_ending_the_session_stops_its_upload_between_two_batches(settings, kb, tmp_path):
    sessions = Sessions()
    notes = _markdown(tmp_path / "notes.md", 2 * EMBED_BATCH + 1)
    adding = add_uploads([notes], None, settings, stop=sessions["a"].stop_uploads)
    embedded = next(e for e in adding if isinstance(e, Progress) and e.unit == "passages" and e.done)
    assert embedded.done == EMBED_BATCH < embedded.total

    sessions.end("a")
    result, events = _run(adding)

    assert result.stopped and result.added == []
    assert not [e for e in events if isinstance(e, Progress)], "nothing more is embedded once the session ended"


def test_closing_the_upload_stops_reading_at_the_page_it_is_on(settings, kb, shared_bomb, pages_read):
    adding = add_uploads([shared_bomb], None, settings.with_(max_upload_chars=10**9))
    next(adding)
    adding.close()  # what the web framework does when the client goes away
    assert len(pages_read) == 1
