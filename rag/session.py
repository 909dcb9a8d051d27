"""What one user session holds: the answer being streamed to it, and its own knowledge base.

An `AnswerRun` answers one question on a worker thread and folds the pipeline's events into what
the reader sees (a timed status log, the answer so far, the hits, the timings); a front end reads
`view()` whenever it likes and `stop()` closes the pipeline, and with it the answer backend.

Uploaded files are read where the web framework put them, checked one by one (type, size, count,
readable text, and what they become: characters of text and passages, within the session's limits),
read a page and embedded a batch at a time (so a session that ends or a client that goes away stops
the work at the next page or batch), and the shared knowledge base is *extended* into a new one that
only this session holds. The shared index is never modified, so one person's files are never
searchable by anyone else, and dropping the session's copy returns it to the shipped corpus.
`Sessions` keeps what each open session holds, so that all of it is freed the moment it ends.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import threading
import time
import unicodedata
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TypeVar

from rag import corpus
from rag.config import Settings
from rag.corpus import Chunk, Document, DocumentError, TextLimitError
from rag.embed import ModelError, get_embedder
from rag.events import Done, Error, Event, Hit, Progress, Retrieved, Status, Token
from rag.index import KnowledgeBase, embed_chunks
from rag.knowledge import chunking, shared_knowledge_base
from rag.pipeline import stream_answer

log = logging.getLogger(__name__)

MEGABYTE = 1024 * 1024
# A file a session's upload event names counts as its own upload only if it was written this
# recently: the web framework stores an upload moments before the event that names it.
UPLOAD_ARRIVAL_S = 600
ANSWER_THREAD = "rag-answer"
PAGES = "pages"  # the unit of the Progress of reading an uploaded PDF
# Drawing operations pypdf may carry out to read one uploaded PDF. Text PDFs take 0.1-0.2 for each
# character of text (measured on three), so 2,000,000 characters need at most about 400,000; each
# costs 5-8 µs here, so a PDF of pages drawn with millions of operations and next to no text (a
# few KB that would cost 5 s a page) is left out after some 15 s of reading.
MAX_PDF_OPERATIONS = 2_000_000


# --- the answer in progress -------------------------------------------------------------------


class StatusLog:
    """Status lines, each stamped with the time since the log was started: `+14 ms  Found 5 passages`."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.lines: list[str] = []

    def add(self, message: str) -> None:
        self.lines.append(f"{elapsed_label((time.perf_counter() - self.started) * 1000):>9}  {message}")

    def add_event(self, event: Status | Progress) -> None:
        if isinstance(event, Status):
            self.add(event.message)
        elif event.done and event.unit != PAGES:  # pages read are not logged: the file's own line follows
            self.add(f"Embedded {event.done}/{event.total} {event.unit}")

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def elapsed_label(ms: float) -> str:
    return f"+{duration_label(ms)}"


def duration_label(ms: float) -> str:
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.2f} s"


@dataclass(frozen=True)
class AnswerView:
    """What the reader of one answer sees at one moment."""

    status: str
    answer: str
    hits: tuple[Hit, ...]
    timings: dict[str, float]
    error: str
    stopped: bool
    finished: bool  # nothing more will change: the answer is done, failed or was stopped

    @property
    def words(self) -> int:
        return len(self.answer.split())


class AnswerRun:
    """One question answered on a worker thread; `view()` and `stop()` may be called from any thread."""

    _working = 0
    _working_lock = threading.Lock()

    def __init__(
        self,
        question: str,
        settings: Settings,
        kb: KnowledgeBase | None,
        words_per_second: float,
        notes: Sequence[str] = (),
    ):
        """`notes` are lines the status log opens with, before the pipeline's own."""
        self.question = question
        self.settings = settings
        self.kb = kb
        self.words_per_second = words_per_second
        self._lock = threading.Lock()
        self._log = StatusLog()
        for note in notes:
            self._log.add(note)
        self._answer = ""
        self._hits: tuple[Hit, ...] = ()
        self._timings: dict[str, float] = {}
        self._error = ""
        self._stopped = False
        self._stop = threading.Event()  # wakes a paced answer between two words
        self._finished = False
        self._on_change: Callable[[], None] = _nothing

    @property
    def started(self) -> float:
        """When the question was asked (a `time.perf_counter()` value)."""
        return self._log.started

    @classmethod
    def working(cls) -> int:
        """How many answers are being worked on in this process right now."""
        return cls._working

    def start(self, on_change: Callable[[], None]) -> None:
        """Start answering; `on_change` is called (on the worker thread) after every change."""
        self._on_change = on_change
        with AnswerRun._working_lock:
            AnswerRun._working += 1
        threading.Thread(target=self._work, name=ANSWER_THREAD, daemon=True).start()

    def stop(self) -> None:
        """Stop answering: the log says after how many words, the partial answer stays."""
        with self._lock:
            if self._stopped or self._finished:
                return
            self._stopped = True
            self._stop.set()
            words = len(self._answer.split())
            self._log.add(f"Stopped after {words} word{'' if words == 1 else 's'}")
        self._on_change()

    def view(self) -> AnswerView:
        with self._lock:
            return AnswerView(
                status=self._log.text,
                answer=self._answer,
                hits=self._hits,
                timings=dict(self._timings),
                error=self._error,
                stopped=self._stopped,
                finished=self._finished or self._stopped,
            )

    def _work(self) -> None:
        events = stream_answer(
            self.question, self.settings, kb=self.kb, words_per_second=self.words_per_second, stop=self._stop
        )
        try:
            for event in events:
                if not self._fold(event):
                    break
                self._on_change()
        except Exception as exc:  # a bug must not leave the reader waiting for an answer that never ends
            log.exception("answering %r failed", self.question)
            self._fold(Error(f"Internal error: {exc}"))
        finally:
            events.close()  # reaches the answer backend, which stops its work
            with self._lock:
                self._finished = True
            with AnswerRun._working_lock:
                AnswerRun._working -= 1
            self._on_change()

    def _fold(self, event: Event) -> bool:
        """Apply `event` to what the reader sees; False once the run was stopped (the event is dropped)."""
        with self._lock:
            if self._stopped:
                return False
            match event:
                case Status() | Progress():
                    self._log.add_event(event)
                case Retrieved(hits):
                    self._hits = tuple(hits)
                case Token(text):
                    self._answer += text
                case Done(timings=timings):
                    self._timings = dict(timings)
                case Error(message):
                    self._error = message
                    if not self._log.lines or message not in self._log.lines[-1]:
                        self._log.add(f"Error: {message}")
            return True


def _nothing() -> None:
    pass


# --- uploaded documents -----------------------------------------------------------------------


@dataclass(frozen=True)
class SessionCorpus:
    """The knowledge base one session searches, and the names of the files it added to the shared one."""

    kb: KnowledgeBase
    uploads: tuple[str, ...] = ()
    chars: int = 0  # characters of text in the uploads, counted against `Settings.max_upload_chars`
    passages: int = 0  # their passages, counted against `Settings.max_upload_passages`


@dataclass
class Session:
    """What one browser session holds: its answer in progress (so Stop can reach it) and its uploads."""

    run: AnswerRun | None = None
    corpus: SessionCorpus | None = None
    files: set[Path] = field(default_factory=set)  # the uploaded files as the web framework stored them
    own: set[Path] = field(default_factory=set)  # those of them this session brought: the only ones it deletes
    adding: list[str] = field(default_factory=list)  # names of the uploads being added right now
    # Set when the session ends: the upload it is adding stops at its next page or batch.
    stop_uploads: threading.Event = field(default_factory=threading.Event)

    @contextlib.contextmanager
    def adding_uploads(self, names: Sequence[str]) -> Iterator[None]:
        """Marks `names` as being added while the block runs: set `corpus` inside it, before they are unmarked."""
        self.adding.extend(names)
        try:
            yield
        finally:
            for name in names:
                self.adding.remove(name)

    def searched(self) -> tuple[KnowledgeBase | None, list[str]]:
        """The knowledge base a question asked now searches (None: the shared one), and the uploads being
        added that it does not hold yet.

        No lock needed: `adding` is read before `corpus`, and an upload's new `corpus` is set before its
        names leave `adding`, so a name read as adding is either missing from the corpus read after it
        (still being added) or already in it.
        """
        adding = list(self.adding)
        corpus = self.corpus
        if corpus is None:
            return None, adding
        return corpus.kb, [name for name in adding if name not in corpus.uploads]


class Sessions:
    """The open sessions of one app, by session id; ending a session frees all it held.

    Ending stops the session's answer and the upload it is adding (at its next page or batch),
    drops its knowledge base and deletes the files it uploaded, except those another open session
    holds too (the web framework stores identical uploads at one path): those pass to it. A file is
    a session's own only if it arrived just now and no other session holds it, so a session that
    names the path of an older file (another visitor's upload, anything else in the framework's
    cache) can never delete it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[str, Session] = {}

    def __getitem__(self, session_id: str) -> Session:
        with self._lock:
            return self._open.setdefault(session_id, Session())

    def __contains__(self, session_id: str) -> bool:
        return session_id in self._open

    def __len__(self) -> int:
        return len(self._open)

    def values(self) -> list[Session]:
        with self._lock:
            return list(self._open.values())

    def hold_files(self, session_id: str, paths: Sequence[str | Path]) -> Session:
        """Note uploaded files as the session's (its own, to delete when it ends, if it brought them);
        returns the session."""
        with self._lock:
            session = self._open.setdefault(session_id, Session())
            held = set().union(*(other.files for other in self._open.values() if other is not session))
            for path in map(Path, paths):
                session.files.add(path)
                if path not in held and _just_arrived(path):
                    session.own.add(path)
            return session

    def end(self, session_id: str) -> None:
        with self._lock:
            session = self._open.pop(session_id, None)
            if session is None:
                return
            still_used = set().union(*(other.files for other in self._open.values()))
            for other in self._open.values():  # a file this session brought passes to who still holds it
                other.own.update(session.own & other.files)
        session.stop_uploads.set()
        if session.run is not None:
            session.run.stop()
        for path in session.own - still_used:
            path.unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # the folder is shared with other uploads, or already gone
                path.parent.rmdir()
        del session
        return_freed_memory()


def _just_arrived(path: Path) -> bool:
    """Whether the file was written within the last UPLOAD_ARRIVAL_S (an upload, not an older file)."""
    try:
        return time.time() - path.stat().st_mtime <= UPLOAD_ARRIVAL_S
    except OSError:
        return False


def return_freed_memory() -> None:
    """Give the memory of freed knowledge bases back to the system.

    glibc keeps freed blocks of many threads' arenas for reuse, so a server whose sessions uploaded,
    asked and closed otherwise stays at its peak (measured: 30 sessions, 712 MB → 2.6 GB, still
    2.4 GB a minute later). `malloc_trim` hands them back; elsewhere than glibc it is skipped.
    """
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class AnswerLimit:
    """How many answers each client (a session, an address) has running, so that no client holds every
    answer slot; `who` names the kind of client in the message."""

    def __init__(self, per_client: int, who: str):
        self.per_client = per_client
        self.who = who
        self._lock = threading.Lock()
        self._running: dict[str, int] = {}

    @contextlib.contextmanager
    def slot(self, client: str) -> Iterator[None]:
        """Hold one of `client`'s answer slots while the block runs; `TooManyAnswers` when it has none left."""
        with self._lock:
            if self._running.get(client, 0) >= self.per_client:
                raise TooManyAnswers(
                    f"{self.per_client} answers from {self.who} are already running: wait for one to finish"
                )
            self._running[client] = self._running.get(client, 0) + 1
        try:
            yield
        finally:
            with self._lock:
                self._running[client] -= 1
                if not self._running[client]:
                    del self._running[client]


class TooManyAnswers(Exception):
    """A client asked for more answers at once than it may have; the message says so."""


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
            yield _status(started, "upload", f"{name}: {len(own)} passage{'' if len(own) == 1 else 's'}")
        if not chunks:
            return UploadResult(current, [], rejected)
        base = current.kb if current else (yield from _unless_stopped(shared_knowledge_base(settings), stop))
        vectors = yield from _unless_stopped(embed_chunks(chunks, get_embedder(base.model), started), stop)
    except _Stopped:
        yield _status(started, "stopped", "Stopped: the session ended before the files were added")
        return UploadResult(current, [], rejected, stopped=True)
    except (DocumentError, ModelError) as exc:
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
