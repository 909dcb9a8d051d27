"""Read documents (.md, .txt, .pdf) and split them into chunks that keep their provenance.

A chunk is always one contiguous span of its document's text, so its character offsets point
back at the exact words it holds. Chunks follow the document's headings and paragraphs and are
roughly 100-250 words, and at most `MAX_CHARS_PER_WORD` characters a word (text whose "words" are
megabytes long still gives passages of a readable size); consecutive chunks of a section share a
few trailing sentences so that an idea cut at a boundary still appears whole in one of them.

The text of a PDF or a .txt file is reflowed first (`rag.reflow`): its wrapped lines become
paragraphs and its headings Markdown headings, so a document's text is the reflowed text.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Generator, Iterable, Iterator
from dataclasses import asdict, dataclass
from functools import lru_cache
from io import BytesIO
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pysbd

from rag.errors import RagError
from rag.reflow import LIST_ITEM, reflow, reflow_pages

if TYPE_CHECKING:
    from pypdf import PageObject

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".pdf")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_MARKDOWN_HEADING = re.compile(r"^\s*#{1,6}\s")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_WORD = re.compile(r"\S+")
# A chunk holds at most this many characters for each word it may hold (250 words: 10,000
# characters). Prose averages about 6 characters a word, so only text without spaces (a single-line
# blob, a base64 dump) reaches it, and it is cut into pieces of that size instead of one passage of
# megabytes that the browser would receive with every answer quoting it.
MAX_CHARS_PER_WORD = 40
# pysbd's time grows faster than its text (per character: 3.4 µs in pieces of 1,200 characters,
# 5.2 µs in 6,200, 100 µs in 185,000), so longer text is split into sentences a window at a time.
SENTENCE_WINDOW_CHARS = 3_000
# A line break next to a heading, a table row or a code fence stays a sentence boundary.
_BLOCK_LINE = re.compile(r"^\s*(#{1,6}\s|\||```)")


class DocumentError(RagError):
    """A file that cannot become a document; the message is written for the person who gave it."""


class TextLimitError(DocumentError):
    """A file with more text than the reader may take from it; reading stopped when the text passed `limit`."""

    def __init__(self, name: str, limit: int):
        super().__init__(f"{name}: more than {limit:,} characters of text (the limit per upload); not added")
        self.name = name
        self.limit = limit


@dataclass(frozen=True)
class Document:
    title: str
    source: str
    text: str


@dataclass(frozen=True)
class Chunk:
    id: str
    title: str
    section: str
    source: str
    start: int
    end: int
    text: str

    @property
    def heading(self) -> str:
        """Its title, and its section when the section is not the title."""
        return self.title if self.section in ("", self.title) else f"{self.title} — {self.section}"

    @property
    def search_text(self) -> str:
        """What gets embedded and scored: the text under its heading line, for context."""
        return f"{self.heading}\n{self.text}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ChunkingSettings:
    target_words: int = 160
    max_words: int = 250
    overlap_words: int = 40


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    words: int


# --- reading files ----------------------------------------------------------------------------


def read_document(
    path: Path, source: str | None = None, max_chars: int | None = None, max_pdf_operations: int | None = None
) -> Document:
    """Read one file into a `Document`, or raise `DocumentError` saying why it can't be used.

    The limits (None: no limit) are those of `reading_document`.
    """
    reading = reading_document(path, source, max_chars, max_pdf_operations)
    while True:
        try:
            next(reading)
        except StopIteration as done:
            return done.value


def reading_document(
    path: Path, source: str | None = None, max_chars: int | None = None, max_pdf_operations: int | None = None
) -> Generator[tuple[int, int], None, Document]:
    """Read one file into a `Document` a page at a time: yields (pages read, pages) after each PDF page.

    The caller can stop between two pages by closing the generator, so a PDF of a thousand pages is
    never read to the end for nobody. A PDF's size says little about the work of reading it: one
    compressed stream shown on every page makes 200 MB of text from a 34 KB file, or costs seconds a
    page to parse and yields no text at all. So reading stops, in the middle of a page if need be,
    with `TextLimitError` as soon as the text passes `max_chars`, and with `DocumentError` once pypdf
    has carried out more than `max_pdf_operations` of the PDF's drawing operations.
    """
    name = source or path.name
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(f"{name}: unsupported file type {suffix or '(none)'}; use .md, .txt or .pdf")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{name}: could not be read ({exc.strerror or exc})") from None
    if not data.strip():
        raise DocumentError(f"{name}: the file is empty")
    budget = _ReadingBudget(name, max_chars, max_pdf_operations)
    if suffix == ".pdf":
        pages = yield from _pdf_pages(data, name, budget)
        text = reflow_pages(pages)
    else:
        text = _decode_text(data, name, budget).replace("\r\n", "\n").replace("\r", "\n")
        text = reflow(text) if suffix == ".txt" else text
    if not text.strip():
        raise DocumentError(f"{name}: the file has no text")
    return Document(title=_title(text, suffix, path), source=name, text=text)


def read_folder(folder: Path) -> list[Document]:
    """Every supported file below `folder`, sources relative to it, in a stable order."""
    if not folder.is_dir():
        raise DocumentError(f"corpus folder not found: {folder}")
    paths = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
    if not paths:
        raise DocumentError(f"no .md, .txt or .pdf files in {folder}")
    return [read_document(p, p.relative_to(folder).as_posix()) for p in paths]


class _ReadingBudget:
    """What reading one file may take: characters of text and a PDF's drawing operations (None: no limit).

    pypdf reports each piece of a page's text (`visit_text`) and each operation (`visit_operation`) as
    it extracts the page, so reading stops in the middle of a page that alone passes a limit; a page's
    text is counted exactly once it is read (`add`).
    """

    def __init__(self, name: str, max_chars: int | None, max_operations: int | None):
        self.name = name
        self.max_chars = max_chars
        self.max_operations = max_operations
        self.chars = 0  # in the text read whole (a file's, or its PDF pages')
        self._page_chars = 0  # seen so far of the page being read
        self._operations = 0

    def visit_text(self, text: str, *_: Any) -> None:
        """pypdf's `visitor_text`."""
        self._page_chars += len(text)
        if self._too_much_text(self.chars + self._page_chars):
            raise _Escape(TextLimitError(self.name, self.max_chars))

    def visit_operation(self, *_: Any) -> None:
        """pypdf's `visitor_operand_before`."""
        self._operations += 1
        if self.max_operations is not None and self._operations > self.max_operations:
            raise _Escape(
                DocumentError(
                    f"{self.name}: too much work to read, more than {self.max_operations:,} drawing operations"
                    " (the limit per upload); not added"
                )
            )

    def add(self, text: str) -> None:
        self._page_chars = 0
        self.chars += len(text)
        if self._too_much_text(self.chars):
            raise TextLimitError(self.name, self.max_chars)

    def _too_much_text(self, chars: int) -> bool:
        return self.max_chars is not None and chars > self.max_chars


class _Escape(BaseException):
    """Carries a `DocumentError` out of pypdf's text extraction, which catches every `Exception`
    raised while it extracts a form XObject, logs it and goes on with the next: a page that shows
    one form a thousand times would otherwise be read a thousand times past the limit."""

    def __init__(self, error: DocumentError):
        super().__init__(str(error))
        self.error = error


def _decode_text(data: bytes, name: str, budget: _ReadingBudget) -> str:
    if b"\x00" in data:
        raise DocumentError(f"{name}: looks like binary data, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DocumentError(f"{name}: is not UTF-8 text") from None
    budget.add(text)
    unprintable = sum(1 for c in text if not c.isprintable() and c not in "\n\r\t")
    if unprintable > 0.05 * len(text):
        raise DocumentError(f"{name}: looks like binary data, not text")
    return text


def _pdf_pages(data: bytes, name: str, budget: _ReadingBudget) -> Generator[tuple[int, int], None, list[str]]:
    """The text of each page, extracted one page at a time; yields (pages read, pages) after each."""
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError

    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(f"{name}: the PDF is encrypted with a password")
        pages: list[str] = []
        for page in reader.pages:
            pages.append(_page_text(page, budget))
            budget.add(pages[-1])
            yield len(pages), len(reader.pages)
    except DocumentError:
        raise
    except LimitReachedError as exc:
        raise DocumentError(f"{name}: not a readable PDF (it passes a safety limit of the PDF reader: {exc})") from None
    except _pdf_read_errors() as exc:
        raise DocumentError(f"{name}: not a readable PDF ({exc})") from None
    if not any(page.strip() for page in pages):
        raise DocumentError(f"{name}: the PDF has no text layer (a scan?); OCR it first")
    return pages


def _page_text(page: PageObject, budget: _ReadingBudget) -> str:
    try:
        return page.extract_text(visitor_text=budget.visit_text, visitor_operand_before=budget.visit_operation) or ""
    except _Escape as escape:
        raise escape.error from None


def _pdf_read_errors() -> tuple[type[BaseException], ...]:
    """What pypdf raises on a malformed or hostile file: its own errors (LimitReachedError among them,
    for content that inflates past its limits), the errors of the parsing and decompressing beneath,
    and AssertionError, as pypdf narrows types with `assert`, which a malformed file can fail."""
    from pypdf.errors import DependencyError, PyPdfError

    return (
        PyPdfError,
        DependencyError,
        ValueError,
        KeyError,
        IndexError,
        TypeError,
        AttributeError,
        ArithmeticError,
        AssertionError,
        OSError,
        RecursionError,
        zlib.error,
    )


def _title(text: str, suffix: str, path: Path) -> str:
    for line in text.splitlines():
        match = _HEADING.match(line)
        if match and len(match.group(1)) == 1:
            return match.group(2)
        if line.strip() and suffix != ".md":
            break
    return path.stem.replace("-", " ").replace("_", " ").strip() or path.name


# --- chunking ---------------------------------------------------------------------------------


def chunk_documents(documents: Iterable[Document], settings: ChunkingSettings) -> list[Chunk]:
    return [chunk for doc in documents for chunk in chunk_document(doc, settings)]


def chunk_document(doc: Document, settings: ChunkingSettings) -> list[Chunk]:
    chunks = []
    for heading, body_start, body_end in _sections(doc):
        for start, end in _pack(doc.text, _units(doc.text, body_start, body_end, settings), settings):
            chunks.append(
                Chunk(
                    id=f"{doc.source}#{len(chunks)}",
                    title=doc.title,
                    section=heading,
                    source=doc.source,
                    start=start,
                    end=end,
                    text=doc.text[start:end],
                )
            )
    return chunks


def _sections(doc: Document) -> Iterator[tuple[str, int, int]]:
    """(heading, body start, body end) for each part of the text between headings."""
    heading, body_start, offset, in_fence = "", 0, 0, False
    for line in doc.text.splitlines(keepends=True):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line.rstrip("\n"))
        if match:
            yield heading or doc.title, body_start, offset
            heading, body_start = match.group(2), offset + len(line)
        offset += len(line)
    yield heading or doc.title, body_start, len(doc.text)


def _units(text: str, start: int, end: int, settings: ChunkingSettings) -> list[_Span]:
    """Paragraph spans in text[start:end]; a paragraph too long for one chunk becomes sentences."""
    units = []
    cursor = start
    max_chars = _max_chars(settings)
    for part in [*_PARAGRAPH_BREAK.finditer(text, start, end), None]:
        stop = part.start() if part else end
        span = _strip(text, cursor, stop)
        if span:
            if span.words > settings.max_words or span.end - span.start > max_chars:
                units.extend(_long_paragraph(text, span, settings.max_words, max_chars))
            else:
                units.append(span)
        cursor = part.end() if part else end
    return units


def _max_chars(settings: ChunkingSettings) -> int:
    return settings.max_words * MAX_CHARS_PER_WORD


def _long_paragraph(text: str, paragraph: _Span, max_words: int, max_chars: int) -> list[_Span]:
    spans = []
    for sentence in sentence_spans(text, paragraph.start, paragraph.end):
        if sentence.words <= max_words and sentence.end - sentence.start <= max_chars:
            spans.append(sentence)
        else:
            spans.extend(_pieces(text, sentence, max_words, max_chars))
    return spans


def _pieces(text: str, sentence: _Span, max_words: int, max_chars: int) -> Iterator[_Span]:
    """A sentence too long for one chunk as spans of at most max_words words and max_chars characters;
    a word longer than max_chars is cut into pieces of that length."""
    piece: list[_Span] = []
    for word in _words(text, sentence, max_chars):
        if piece and (len(piece) == max_words or word.end - piece[0].start > max_chars):
            yield _Span(piece[0].start, piece[-1].end, len(piece))
            piece = []
        piece.append(word)
    if piece:
        yield _Span(piece[0].start, piece[-1].end, len(piece))


def _words(text: str, span: _Span, max_chars: int) -> Iterator[_Span]:
    """The words in text[span], a word longer than max_chars as pieces of max_chars characters."""
    for word in _WORD.finditer(text, span.start, span.end):
        for piece in range(word.start(), word.end(), max_chars):
            yield _Span(piece, min(piece + max_chars, word.end()), 1)


def _pack(text: str, units: list[_Span], settings: ChunkingSettings) -> Iterator[tuple[int, int]]:
    """Group consecutive units into (start, end) chunk spans of about target..max words (and at most max chars)."""
    group: list[_Span] = []
    group_start = overlap_words = 0
    max_chars = _max_chars(settings)
    for i, unit in enumerate(units):
        words = overlap_words + sum(u.words for u in group)
        if group and (words + unit.words > settings.max_words or unit.end - group_start > max_chars):
            yield group_start, group[-1].end
            group_start, overlap_words = _overlap(text, group, settings.overlap_words)
            group = []
        if not group and (not overlap_words or unit.end - group_start > max_chars):
            group_start, overlap_words = unit.start, 0  # no overlap when it would make the chunk too long
        group.append(unit)
        if overlap_words + sum(u.words for u in group) >= settings.target_words and i + 1 < len(units):
            yield group_start, unit.end
            group_start, overlap_words = _overlap(text, group, settings.overlap_words)
            group = []
    if group:
        yield group_start, group[-1].end


def _overlap(text: str, group: list[_Span], max_words: int) -> tuple[int, int]:
    """Where the next chunk starts so that it repeats the group's last sentences (≤ max_words)."""
    last = group[-1]
    start, words = last.end, 0
    for sentence in reversed(sentence_spans(text, last.start, last.end)):
        if words + sentence.words > max_words:
            break
        start, words = sentence.start, words + sentence.words
    return start, words


def sentence_spans(text: str, start: int, end: int) -> list[_Span]:
    """Sentence spans (pysbd) of text[start:end], as offsets into `text`.

    A line break inside a paragraph is read as a space, so a sentence wrapped over two lines stays
    one sentence; a blank line, a list item, a heading, a table row or a code fence still ends one.
    Text longer than `SENTENCE_WINDOW_CHARS` is split a window at a time; a window's last sentence
    may go on past it, so it is read again at the start of the next window.
    """
    piece = _soft_breaks_as_spaces(text[start:end])
    spans: list[_Span] = []
    offset = 0
    while offset < len(piece):
        window_end = min(offset + SENTENCE_WINDOW_CHARS, len(piece))
        found = _window_sentences(piece, offset, window_end)
        offset = window_end
        if window_end < len(piece) and len(found) > 1:
            offset = found.pop()[0]
        for found_start, found_end in found:
            span = _strip(text, start + found_start, start + found_end)
            if span:
                spans.append(span)
    return spans


def _window_sentences(piece: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) offsets into `piece` of the sentences pysbd finds in piece[start:end]."""
    window = piece[start:end]
    found, cursor = [], 0
    for sentence in _segment(window):
        at = window.find(sentence, cursor)
        if at >= 0:
            found.append((start + at, start + at + len(sentence)))
            cursor = at + len(sentence)
    return found


@lru_cache(maxsize=4096)
def chunk_sentences(text: str) -> tuple[str, ...]:
    """The sentences of a chunk's text that an answer may quote: whitespace-normalised, headings left out."""
    return tuple(
        " ".join(text[s.start : s.end].split())
        for s in sentence_spans(text, 0, len(text))
        if not _MARKDOWN_HEADING.match(text[s.start : s.end])
    )


def _soft_breaks_as_spaces(text: str) -> str:
    """`text` with each line break inside a paragraph replaced by a space (same length, same offsets)."""
    lines = text.split("\n")
    parts = [lines[0]]
    for before, after in pairwise(lines):
        hard = (
            not before.strip()
            or not after.strip()
            or _BLOCK_LINE.match(before)
            or _BLOCK_LINE.match(after)
            or LIST_ITEM.match(after)  # not before: a line after an item goes on with it (lazy continuation)
        )
        parts += ["\n" if hard else " ", after]
    return "".join(parts)


@lru_cache(maxsize=8192)
def _segment(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in _segmenter().segment(text) if s.strip())


def _segmenter() -> pysbd.Segmenter:
    # A new one per call (about 1 µs): `Segmenter.segment` keeps the text it is splitting on the
    # instance, so a shared one returns wrong sentences when two threads split text at once.
    return pysbd.Segmenter(language="en", clean=False)


def _strip(text: str, start: int, end: int) -> _Span | None:
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return None
    lead = len(piece) - len(piece.lstrip())
    return _Span(start + lead, start + lead + len(stripped), len(stripped.split()))
