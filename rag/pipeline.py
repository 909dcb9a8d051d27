"""`stream_answer`: question in, typed events out. Every front end is a fold over this stream.

    Status("retrieve", "Searching knowledge base…")
    Retrieved(hits, ms)
    Status("generate", "Generating…")
    Token("Chunks") Token(" are") …
    Status("done", "Done") and Done(answer, sources, timings)      — or Error(message, partial)

The shared knowledge base and the embedding model are loaded once per process (the first call
yields the loading progress); closing the stream closes the answer generator beneath it.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections.abc import Generator, Iterator, Sequence

from rag import corpus, index
from rag.config import PROJECT_DIR, Settings
from rag.corpus import ChunkingSettings, DocumentError
from rag.embed import ModelError, get_embedder
from rag.events import Done, Error, Event, Hit, Progress, Retrieved, Status, Token, run_to_end
from rag.generate import AnswerBackend, BackendError, make_backend
from rag.index import KnowledgeBase
from rag.retrieve import search
from rag.streaming import adapt, paced

_CITATION = re.compile(r"\[(\d+)\]")
SHIPPED_CORPUS = PROJECT_DIR / "data" / "corpus"
SHIPPED_INDEX = PROJECT_DIR / "data" / "index"
FOLLOW_POLL_S = 0.25  # how often a follower looks at the loading, at most; news wakes it at once


def chunking(settings: Settings) -> ChunkingSettings:
    return ChunkingSettings(settings.chunk_target_words, settings.chunk_max_words, settings.chunk_overlap_words)


class Loading:
    """One loading of a knowledge base on its own thread, which any number of callers follow.

    Everyone who asks while it loads sees the same progress, replayed from the start and then as it
    happens (a question asked during warm-up says what it is waiting for, instead of a blank page),
    and closing a follower never stops the loading that others wait for.
    """

    def __init__(self, load: Generator[Status | Progress, None, KnowledgeBase]):
        self._load = load
        self._changed = threading.Condition()
        self.events: list[Status | Progress] = []
        self.kb: KnowledgeBase | None = None
        self.error: Exception | None = None
        self.finished = False
        threading.Thread(target=self._run, name="rag-load-index", daemon=True).start()

    def follow(self) -> Generator[Status | Progress, None, KnowledgeBase]:
        """Yield the loading's events (those so far, then each as it comes); return the knowledge base
        or raise what the loading raised."""
        seen = 0
        while True:
            with self._changed:
                if seen == len(self.events) and not self.finished:
                    self._changed.wait(FOLLOW_POLL_S)
                news, finished = self.events[seen:], self.finished
            seen += len(news)
            yield from news
            if finished and seen == len(self.events):
                if self.error is not None:
                    raise self.error
                assert self.kb is not None
                return self.kb

    def _run(self) -> None:
        try:
            kb = run_to_end(self._load, self._record)
        except Exception as exc:  # noqa: BLE001 (handed to every follower: a user error or a bug, theirs to show)
            self._finish(None, exc)
        else:
            self._finish(kb, None)

    def _record(self, event: Event) -> None:
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def _finish(self, kb: KnowledgeBase | None, error: Exception | None) -> None:
        with self._changed:
            self.kb, self.error, self.finished = kb, error, True
            self._changed.notify_all()


_loadings: dict[tuple, Loading] = {}
_loadings_lock = threading.Lock()


def shared_knowledge_base(
    settings: Settings, rebuild: bool = False
) -> Generator[Status | Progress, None, KnowledgeBase]:
    """The process-wide knowledge base of `settings.corpus_dir`, loaded or built once (on its own thread).

    Returns at once, without events, when it is loaded; otherwise yields the loading's progress.
    A loading that failed is tried again by the next caller.
    """
    key = (str(settings.corpus_dir), settings.embed_model, chunking(settings))
    with _loadings_lock:
        loading = _loadings.get(key)
        if loading is None or rebuild or (loading.finished and loading.error is not None):
            loading = _loadings[key] = Loading(_load_knowledge_base(settings, rebuild))
    if loading.finished and loading.kb is not None:
        return loading.kb
    yield Status("index", "Waiting for the knowledge base to load…", 0.0)
    return (yield from loading.follow())


def _load_knowledge_base(settings: Settings, rebuild: bool) -> Generator[Status | Progress, None, KnowledgeBase]:
    started = time.perf_counter()
    documents = corpus.read_folder(settings.corpus_dir)
    chunks = corpus.chunk_documents(documents, chunking(settings))
    yield Status("index", f"Loading the embedding model ({settings.embed_model})…", 0.0)
    embedder = get_embedder(settings.embed_model)
    yield Status("index", f"Loaded the embedding model in {time.perf_counter() - started:.1f} s", _ms_since(started))
    shipped = SHIPPED_INDEX if settings.corpus_dir.resolve() == SHIPPED_CORPUS.resolve() else None
    return (
        yield from index.load_or_build(
            documents, chunks, embedder, settings.cache_dir, chunking(settings), rebuild, started, shipped
        )
    )


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def clean_question(question: str, limit: int) -> tuple[str, str]:
    """The question with control characters removed and cut to `limit`, and a notice if it was cut."""
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in question or "")
    text = " ".join(text.split())
    if len(text) <= limit:
        return text, ""
    return text[:limit], f"Question was {len(text):,} characters; using the first {limit:,}"


def stream_answer(
    question: str,
    settings: Settings | None = None,
    *,
    kb: KnowledgeBase | None = None,
    backend: AnswerBackend | None = None,
    words_per_second: float = 0,
    stop: threading.Event | None = None,
) -> Iterator[Event]:
    """Answer `question` as a stream of events (see the module docstring).

    `words_per_second` paces the answer like a typewriter (0: as fast as it is produced); the
    pacing sits beneath the streaming mode, as a slower model would. Setting `stop` (from any
    thread) wakes a paced answer at once, so it ends without waiting for its next word; an answer
    still streaming after `settings.max_answer_seconds` is cut off with an error.
    """
    settings = settings or Settings.from_env()
    started = time.perf_counter()

    def elapsed() -> float:
        return (time.perf_counter() - started) * 1000

    if not isinstance(question, str):
        yield Error("The question must be text.")
        return
    question, notice = clean_question(question, settings.max_question_chars)
    if not question:
        yield Error("Please type a question.")
        return
    if notice:
        yield Status("input", notice, elapsed())
    try:
        if kb is None:
            kb = yield from shared_knowledge_base(settings)
        embedder = get_embedder(kb.model)
        backend = backend or make_backend(settings.backend, settings, embedder)
    except (DocumentError, ModelError, BackendError) as exc:
        yield Error(str(exc))
        return

    yield Status("retrieve", "Searching knowledge base…", elapsed())
    hits, search_timings = search(kb, embedder, question, settings.top_k, settings.mode)
    yield Retrieved(hits, search_timings.total_ms)
    yield Status("retrieve", f"Found {_passages(len(hits))} ({search_timings.total_ms:.0f} ms)", elapsed())

    timings = {
        "embed_ms": search_timings.embed_ms,
        "search_ms": search_timings.search_ms,
        "retrieval_ms": elapsed(),
    }
    yield Status("generate", f"Generating with {backend.label}…", elapsed())
    answer: list[str] = []
    pieces = adapt(paced(backend.stream(question, hits), words_per_second, stop), settings.stream)
    try:
        for piece in pieces:
            if not answer:
                timings["first_token_ms"] = elapsed()
            answer.append(piece)
            yield Token(piece)
            if elapsed() > settings.max_answer_seconds * 1000:
                raise BackendError(f"the answer took longer than {settings.max_answer_seconds} s and was cut off")
    except BackendError as exc:
        yield Status("error", f"Error: {exc}", elapsed())
        yield Error(str(exc), "".join(answer))
        return
    finally:
        pieces.close()
    timings["total_ms"] = elapsed()
    text = "".join(answer)
    cited = cited_numbers(text, hits)
    if hits and not cited:
        yield Status("done", f"None of the {_passages(len(hits))} answers the question: none is cited", elapsed())
    yield Status("done", "Done", elapsed())
    yield Done(text, hits, timings, backend.label, cited)


def _passages(count: int) -> str:
    return f"{count} passage{'' if count == 1 else 's'}"


def cited_numbers(answer: str, hits: Sequence[Hit]) -> list[int]:
    """The hit numbers that `answer` cites as [n], in order of first citation, valid ones only."""
    seen: list[int] = []
    for match in _CITATION.finditer(answer):
        n = int(match.group(1))
        if 1 <= n <= len(hits) and n not in seen:
            seen.append(n)
    return seen
