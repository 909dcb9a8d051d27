"""What each open browser session holds, so that all of it is freed the moment the session ends.

A `Session` holds its answer in progress (so Stop can reach it), the knowledge base its uploads
made, and the files it uploaded; `Sessions` keeps them by session id. `AnswerLimit` counts the
answers each client (a session, an address) has running, so that no client holds every slot.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rag.errors import RagError
from rag.index import KnowledgeBase
from rag.uploads import SessionCorpus
from rag.web.answer import AnswerRun

# A file a session's upload event names counts as its own upload only if it was written this
# recently: the web framework stores an upload moments before the event that names it.
UPLOAD_ARRIVAL_S = 600
# The answers of a conversation whose sources and charts can be shown again (each a few tens of KB).
REMEMBERED_TURNS = 50


@dataclass
class Session:
    """What one browser session holds: its answer in progress (so Stop can reach it), what was drawn
    beside each answer of its conversation (to show again when the answer is chosen) and its uploads."""

    run: AnswerRun | None = None
    drawings: dict[int, str] = field(default_factory=dict)  # turn (from 0) -> its stages, sources and charts
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

    def remember_drawings(self, turn: int, drawings: str) -> None:
        """Keep what was drawn beside the conversation's `turn`-th answer, the last REMEMBERED_TURNS only."""
        self.drawings.pop(turn, None)  # a retried turn becomes the newest
        self.drawings[turn] = drawings
        while len(self.drawings) > REMEMBERED_TURNS:
            del self.drawings[next(iter(self.drawings))]

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


class TooManyAnswers(RagError):
    """A client asked for more answers at once than it may have; the message says so."""
