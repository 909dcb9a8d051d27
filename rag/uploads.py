"""Documents a user uploads, added to a knowledge base only they search.

Uploaded files are checked one by one (type, size, count, readable text, and what they become:
characters of text and passages, within the session's limits), read a page and embedded a batch at
a time (so a session that ends or a client that goes away stops the work at the next page or
batch), and the shared knowledge base is *extended* into a new one that only this session holds.
The shared index is never modified, so one person's files are never searchable by anyone else, and
dropping the session's copy returns it to the shipped corpus.
"""

from __future__ import annotations

import contextlib
import threading
import time
import unicodedata
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TypeVar

from rag import corpus
from rag.config import Settings
from rag.corpus import Chunk, Document, DocumentError, TextLimitError
from rag.embed import get_embedder
from rag.errors import RagError
from rag.events import Progress, Status, counted
from rag.index import KnowledgeBase, embed_chunks
from rag.knowledge import chunking, shared_knowledge_base

MEGABYTE = 1024 * 1024
PAGES = "pages"  # the unit of the Progress of reading an uploaded PDF
# Drawing operations pypdf may carry out to read one uploaded PDF. Text PDFs take 0.1-0.2 for each
# character of text (measured on three), so 2,000,000 characters need at most about 400,000; each
# costs 5-8 µs here, so a PDF of pages drawn with millions of operations and next to no text (a
# few KB that would cost 5 s a page) is left out after some 15 s of reading.
MAX_PDF_OPERATIONS = 2_000_000


@dataclass(frozen=True)
class SessionCorpus:
    """The knowledge base one session searches, and the names of the files it added to the shared one."""

    kb: KnowledgeBase
    uploads: tuple[str, ...] = ()
    chars: int = 0  # characters of text in the uploads, counted against `Settings.max_upload_chars`
    passages: int = 0  # their passages, counted against `Settings.max_upload_passages`


@dataclass(frozen=True)
class UploadResult:
    corpus: SessionCorpus | None
    added: list[str]
    rejected: list[str]  # one message per file that was not added, saying why
    stopped: bool = False  # the session ended before the files were added: none was


class _Stopped(Exception):
    """The session ended while its uploads were being read or embedded."""


@dataclass
class _Taken:
    """What a session's uploads hold so far: their names, characters of text and passages."""

    names: list[str]
    chars: int = 0
    passages: int = 0

    @classmethod
    def of(cls, current: SessionCorpus | None) -> _Taken:
        return cls(list(current.uploads), current.chars, current.passages) if current else cls([])

    def add(self, document: Document, chunks: Sequence[Chunk]) -> None:
        self.names.append(document.source)
        self.chars += len(document.text)
        self.passages += len(chunks)


def display_name(path: str | Path) -> str:
    """The base name of an uploaded file: never a folder, never `..`, whatever separators it used, and
    without the invisible format characters (such as right-to-left overrides) that can disguise a name."""
    name = PurePosixPath(str(path).replace("\\", "/")).name
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf"))
    return name if name not in ("", ".", "..") else "upload"


def add_uploads(
    paths: Sequence[str | Path], current: SessionCorpus | None, settings: Settings, stop: threading.Event | None = None
) -> Generator[Status | Progress, None, UploadResult]:
    """Add the readable files among `paths` to the session's knowledge base (the shared one if `current` is None).

    Yields a status line per file, the pages read and the embedding progress; returns the new session
    corpus (`current` unchanged when nothing could be added) and a message for each file left out.
    Uploads are bounded by what they become, not only by their bytes: a file's reading stops as soon
    as its text passes what is left of `max_upload_chars`, and a file that would take the session past
    `max_upload_passages` is left out. Reading and embedding stop at the next page or batch when `stop`
    is set (the session ended) or this generator is closed (the client went away); nothing is added.
    """
    started = time.perf_counter()
    stop = stop or threading.Event()
    taken = _Taken.of(current)
    chunks: list[Chunk] = []
    rejected: list[str] = []
    try:
        for path in map(Path, paths):
            name = display_name(path)
            try:
                document, own = yield from _upload(path, name, taken, settings, stop, started)
            except DocumentError as exc:
                rejected.append(str(exc))
                yield _status(started, "rejected", str(exc))
                continue
            taken.add(document, own)
            chunks.extend(own)
            yield _status(started, "upload", f"{name}: {counted(len(own), 'passage')}")
        if not chunks:
            return UploadResult(current, [], rejected)
        base = current.kb if current else (yield from _unless_stopped(shared_knowledge_base(settings), stop))
        vectors = yield from _unless_stopped(embed_chunks(chunks, get_embedder(base.model), started), stop)
    except _Stopped:
        yield _status(started, "stopped", "Stopped: the session ended before the files were added")
        return UploadResult(current, [], rejected, stopped=True)
    except RagError as exc:
        yield _status(started, "error", f"Error: {exc}")
        return UploadResult(current, [], [*rejected, str(exc)])
    added = list(dict.fromkeys(chunk.source for chunk in chunks))
    session_corpus = SessionCorpus(base.extended(chunks, vectors), tuple(taken.names), taken.chars, taken.passages)
    return UploadResult(session_corpus, added, rejected)


def _status(started: float, stage: str, message: str) -> Status:
    return Status(stage, message, (time.perf_counter() - started) * 1000)


def _upload(
    path: Path, name: str, taken: _Taken, settings: Settings, stop: threading.Event, started: float
) -> Generator[Progress, None, tuple[Document, list[Chunk]]]:
    """One uploaded file read and chunked within what its session has left, or DocumentError saying why not."""
    if name in taken.names:
        raise DocumentError(f"{name}: a file with this name was already added")
    if len(taken.names) >= settings.max_upload_files:
        raise DocumentError(f"{name}: not added, at most {settings.max_upload_files} uploaded files per session")
    _check_size(path, name, settings.max_upload_mb)
    reading = corpus.reading_document(path, name, max(settings.max_upload_chars - taken.chars, 0), MAX_PDF_OPERATIONS)
    try:
        document = yield from _unless_stopped(_pages_read(reading, started), stop)
    except TextLimitError:
        raise DocumentError(_too_much_text(name, settings.max_upload_chars, taken.chars)) from None
    own = corpus.chunk_document(document, chunking(settings))
    if not own:
        raise DocumentError(f"{name}: has no text to search, only headings")
    if taken.passages + len(own) > settings.max_upload_passages:
        raise DocumentError(_too_many_passages(name, len(own), settings.max_upload_passages, taken.passages))
    return document, own


def _check_size(path: Path, name: str, max_mb: int) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DocumentError(f"{name}: could not be read ({exc.strerror or exc})") from None
    if size > max_mb * MEGABYTE:
        raise DocumentError(f"{name}: {size / MEGABYTE:.1f} MB is over the {max_mb} MB limit")


def _too_much_text(name: str, limit: int, used: int) -> str:
    if not used:
        return f"{name}: more than {limit:,} characters of text (the limit per upload); not added"
    left = max(limit - used, 0)
    return f"{name}: more text than the {left:,} characters left of the {limit:,} per session; not added"


def _too_many_passages(name: str, passages: int, limit: int, used: int) -> str:
    if not used:
        return f"{name}: {passages:,} passages, more than {limit:,} (the limit per session); not added"
    left = max(limit - used, 0)
    return f"{name}: {passages:,} passages, more than the {left:,} left of the {limit:,} per session; not added"


def _pages_read(
    reading: Generator[tuple[int, int], None, Document], started: float
) -> Generator[Progress, None, Document]:
    """A document being read, as Progress events counting its pages."""
    with contextlib.closing(reading):
        while True:
            try:
                page, pages = next(reading)
            except StopIteration as done:
                return done.value
            yield Progress(page, pages, (time.perf_counter() - started) * 1000, unit=PAGES)


Yielded = TypeVar("Yielded")
Returned = TypeVar("Returned")


def _unless_stopped(
    work: Generator[Yielded, None, Returned], stop: threading.Event
) -> Generator[Yielded, None, Returned]:
    """`yield from work`, but raise `_Stopped` before asking it for more once `stop` is set; closing
    this generator closes `work`, so a client that went away stops it at its next page or batch."""
    with contextlib.closing(work):
        while True:
            if stop.is_set():
                raise _Stopped
            try:
                event = next(work)
            except StopIteration as done:
                return done.value
            yield event
