"""Reading files and chunking them: spans, metadata, sizes, overlap, clear errors."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from fpdf import FPDF
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from rag.corpus import (
    MAX_CHARS_PER_WORD,
    SENTENCE_WINDOW_CHARS,
    ChunkingSettings,
    Document,
    DocumentError,
    chunk_document,
    read_document,
    read_folder,
    sentence_spans,
)
from tests.wrapped_documents import COOPERAGE, FIRE, HEADINGS, LIGHTHOUSE, QUAY, RUNNING_HEADER, write_pdf, write_text

CHUNKING = ChunkingSettings(target_words=160, max_words=250, overlap_words=40)


def _paragraph(n: int, words: int = 60) -> str:
    sentences = [f"Paragraph {n} sentence {i} talks about vectors and search." for i in range(words // 8)]
    return " ".join(sentences)


def _markdown(sections: int = 3, paragraphs: int = 4) -> str:
    parts = ["# The Title", "", "An introduction paragraph."]
    for s in range(sections):
        parts += ["", f"## Section {s}", ""]
        parts += [f"{_paragraph(p)}\n" for p in range(paragraphs)]
    return "\n".join(parts)


def test_chunks_are_exact_spans_with_metadata():
    doc = Document("The Title", "notes.md", _markdown())
    chunks = chunk_document(doc, CHUNKING)
    assert chunks, "a document with text must give chunks"
    for chunk in chunks:
        assert chunk.text == doc.text[chunk.start : chunk.end]
        assert chunk.title == "The Title" and chunk.source == "notes.md"
        assert "#" not in chunk.text, "headings belong in metadata, not chunk text"
    assert {c.section for c in chunks} == {"The Title", "Section 0", "Section 1", "Section 2"}
    assert len({c.id for c in chunks}) == len(chunks)


def test_chunk_sizes_stay_within_bounds():
    doc = Document("T", "t.md", "# T\n\n## Long\n\n" + "\n\n".join(_paragraph(p, 80) for p in range(12)))
    sizes = [len(c.text.split()) for c in chunk_document(doc, CHUNKING)]
    assert max(sizes) <= CHUNKING.max_words
    assert all(size >= 100 for size in sizes[:-1]), f"only the last chunk may be short: {sizes}"


def test_consecutive_chunks_share_their_boundary_sentences():
    doc = Document("T", "t.md", "# T\n\n## Long\n\n" + "\n\n".join(_paragraph(p, 80) for p in range(12)))
    chunks = chunk_document(doc, CHUNKING)
    assert len(chunks) >= 3
    for before, after in pairwise(chunks):
        assert after.start < before.end, "a chunk should repeat the end of the one before it"
        overlap = doc.text[after.start : before.end]
        assert len(overlap.split()) <= CHUNKING.overlap_words


def test_a_paragraph_longer_than_a_chunk_is_split_by_sentences():
    doc = Document("T", "t.txt", _paragraph(0, 900))
    chunks = chunk_document(doc, CHUNKING)
    assert len(chunks) >= 4
    assert all(c.text.rstrip().endswith(".") for c in chunks), "splits fall on sentence ends"


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("one word of 300,000 characters", "Before it. " + "x" * 300_000 + " after it."),
        ("a line of 60,000 words with no full stop", "word " * 60_000),
        ("two words 200,000 spaces apart", "start" + " " * 200_000 + "end"),
    ],
)
def test_no_chunk_is_longer_than_its_character_cap(kind, text):
    doc = Document("T", "blob.txt", text)
    chunks = chunk_document(doc, CHUNKING)
    cap = CHUNKING.max_words * MAX_CHARS_PER_WORD
    longest = max(len(chunk.text) for chunk in chunks)
    assert longest <= cap, f"{kind}: a chunk of {longest:,} characters, over the cap of {cap:,}"
    covered = [False] * len(text)
    for chunk in chunks:
        assert chunk.text == text[chunk.start : chunk.end], f"{kind}: chunks must be exact spans of the text"
        covered[chunk.start : chunk.end] = [True] * len(chunk.text)
    missing = "".join(c for c, seen in zip(text, covered, strict=True) if not seen)
    assert not missing.strip(), f"{kind}: {len(missing.strip()):,} characters of text are in no chunk"


def test_sentences_of_a_paragraph_longer_than_a_window_are_the_same_as_read_whole():
    text = " ".join(f"Sentence {n} of a long paragraph (e.g. one wrongly joined) ends here." for n in range(200))
    assert len(text) > 3 * SENTENCE_WINDOW_CHARS
    sentences = _sentences(text)
    assert sentences == [f"Sentence {n} of a long paragraph (e.g. one wrongly joined) ends here." for n in range(200)]


def test_headings_inside_code_fences_are_not_sections():
    text = "# Doc\n\n## Real\n\nSome text.\n\n```python\n# not a heading\nx = 1\n```\n\nMore text."
    sections = {c.section for c in chunk_document(Document("Doc", "d.md", text), CHUNKING)}
    assert sections == {"Real"}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="abc xyz.\n", min_size=1, max_size=400), min_size=1, max_size=6))
def test_chunking_never_loses_or_invents_text(paragraphs):
    text = "\n\n".join(paragraphs)
    doc = Document("T", "t.txt", text)
    chunks = chunk_document(doc, ChunkingSettings(target_words=20, max_words=40, overlap_words=8))
    covered = [False] * len(text)
    for chunk in chunks:
        assert chunk.text == text[chunk.start : chunk.end]
        for i in range(chunk.start, chunk.end):
            covered[i] = True
    missing = "".join(c for c, seen in zip(text, covered) if not seen)
    assert not missing.strip(), f"text outside every chunk: {missing!r}"
    for before, after in pairwise(chunks):
        shared = text[after.start : before.end] if after.start < before.end else ""
        assert len(shared.split()) <= 8, "chunks may only share the overlap"


def _sentences(text: str) -> list[str]:
    return [text[s.start : s.end] for s in sentence_spans(text, 0, len(text))]


def test_a_sentence_wrapped_over_lines_is_one_sentence():
    text = "It was designed by the engineer Oddny\nFjellstad and first lit on 14\nMarch 1871. It burned in 1902."
    assert _sentences(text) == [
        "It was designed by the engineer Oddny\nFjellstad and first lit on 14\nMarch 1871.",
        "It burned in 1902.",
    ]


def test_list_items_headings_and_table_rows_stay_sentence_boundaries():
    text = (
        "The parts are\n- a boiler\n- a pump that wraps\n  onto a second line\n1. a valve\n"
        "## Heading\nText under it\n| a | b |\n| c | d |\n\nA paragraph without a full stop\n\nThe next one"
    )
    assert _sentences(text) == [
        "The parts are",
        "- a boiler",
        "- a pump that wraps\n  onto a second line",
        "1. a valve",
        "## Heading",
        "Text under it",
        "| a | b |",
        "| c | d |",
        "A paragraph without a full stop",
        "The next one",
    ]


def test_read_markdown_text_and_pdf(tmp_path: Path):
    (tmp_path / "a.md").write_text("# Alpha Notes\n\nSome words.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Plain text here.", encoding="utf-8")
    (tmp_path / "c.pdf").write_bytes(_pdf_with_text("Portable document words"))
    docs = {doc.source: doc for doc in read_folder(tmp_path)}
    assert docs["a.md"].title == "Alpha Notes"
    assert docs["b.txt"].title == "b"
    assert "Portable document words" in docs["c.pdf"].text


def test_a_pdf_reads_as_whole_paragraphs_under_its_headings(tmp_path: Path):
    path = write_pdf(tmp_path / "harbour.pdf")
    pages = [page.extract_text() for page in PdfReader(path).pages]
    assert len(pages) >= 3
    for wrapped in ("first lit on 14\nMarch 1871.", "cooperage behind the\nold customs house", "extraordi-\nnary"):
        assert wrapped in "\n".join(pages), f"the test PDF should wrap {wrapped!r}; pypdf returned other lines"

    doc = read_document(path)

    for paragraph in (LIGHTHOUSE, COOPERAGE, FIRE, QUAY):
        assert paragraph in doc.text, f"not whole in the document: {paragraph[:60]!r}…"
    body = [line for line in doc.text.splitlines() if not line.startswith("## ")]
    for furniture in (*HEADINGS, RUNNING_HEADER):
        assert not any(furniture in line for line in body), f"{furniture!r} is in the text, not a heading"
    for before, after in pairwise(pages):  # each page: the running header, its lines, the page number
        last, first = before.splitlines()[-2].strip(), after.splitlines()[1].strip()
        if not last.endswith("."):
            assert f"{last} {first}" in doc.text, "a paragraph running over a page break should stay whole"
    sections = {chunk.section for chunk in chunk_document(doc, CHUNKING)}
    assert {f"{heading} (page 1)" for heading in HEADINGS[:3]} <= sections, sections


def test_a_hard_wrapped_text_file_reads_as_whole_paragraphs_under_its_headings(tmp_path: Path):
    doc = read_document(write_text(tmp_path / "harbour.txt"))
    for paragraph in (LIGHTHOUSE, COOPERAGE, FIRE, QUAY):
        assert paragraph in doc.text, f"not whole in the document: {paragraph[:60]!r}…"
    for heading in (RUNNING_HEADER.upper(), *HEADINGS):
        assert f"\n## {heading}\n" in f"\n{doc.text}", f"{heading!r} should be a heading"
    assert "\n\n- a croze for cutting the groove\n\n- a sun plane\n\n- an adze\n\n" in doc.text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.md", b"  \n", "empty"),
        ("binary.txt", b"\x00\x01\x02binary", "binary"),
        ("latin1.txt", "caf\xe9".encode("latin-1"), "UTF-8"),
        ("table.csv", b"a,b\n1,2", "unsupported file type"),
        ("broken.pdf", b"%PDF-1.4 not really a pdf", "PDF"),
    ],
)
def test_unreadable_files_raise_a_clear_message(tmp_path: Path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DocumentError, match=message) as raised:
        read_document(path)
    assert str(raised.value).startswith(name)


def test_pdf_without_text_layer_and_encrypted_pdf(tmp_path: Path):
    from pypdf import PdfWriter

    blank = PdfWriter()
    blank.add_blank_page(200, 200)
    blank.write(tmp_path / "scan.pdf")
    with pytest.raises(DocumentError, match="no text layer"):
        read_document(tmp_path / "scan.pdf")

    locked = PdfWriter()
    locked.add_blank_page(200, 200)
    locked.encrypt("secret")
    locked.write(tmp_path / "locked.pdf")
    with pytest.raises(DocumentError, match="encrypted"):
        read_document(tmp_path / "locked.pdf")


def _pdf_with_text(text: str) -> bytes:
    """A one-page PDF whose text layer holds `text` on one line."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())
