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
from rag.config import Settings
from rag.corpus import ChunkingSettings, DocumentError
from rag.embed import ModelError, get_embedder
from rag.events import Done, Error, Event, Hit, Progress, Retrieved, Status, Token
from rag.generate import AnswerBackend, BackendError, make_backend
from rag.index import KnowledgeBase
from rag.retrieve import search
from rag.streaming import adapt, paced

_CITATION = re.compile(r"\[(\d+)\]")
_shared: dict[tuple, KnowledgeBase] = {}
_shared_lock = threading.Lock()


def chunking(settings: Settings) -> ChunkingSettings:
    return ChunkingSettings(settings.chunk_target_words, settings.chunk_max_words, settings.chunk_overlap_words)


def shared_knowledge_base(
    settings: Settings, rebuild: bool = False
) -> Generator[Status | Progress, None, KnowledgeBase]:
    """The process-wide knowledge base of `settings.corpus_dir`, loaded or built on first use."""
    key = (str(settings.corpus_dir), settings.embed_model, chunking(settings))
    started = time.perf_counter()
    with _shared_lock:
        if key in _shared and not rebuild:
            return _shared[key]
        documents = corpus.read_folder(settings.corpus_dir)
        chunks = corpus.chunk_documents(documents, chunking(settings))
        yield Status("index", f"Loading embedding model {settings.embed_model}…", 0.0)
        embedder = get_embedder(settings.embed_model)
        kb = yield from index.load_or_build(
            documents, chunks, embedder, settings.cache_dir, chunking(settings), rebuild, started
        )
        _shared[key] = kb
        return kb


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
) -> Iterator[Event]:
    """Answer `question` as a stream of events (see the module docstring).

    `words_per_second` paces the answer like a typewriter (0: as fast as it is produced); the
    pacing sits beneath the streaming mode, as a slower model would.
    """
    settings = settings or Settings.from_env()
    started = time.perf_counter()

    def elapsed() -> float:
        return (time.perf_counter() - started) * 1000

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
    found = f"Found {len(hits)} relevant passage{'' if len(hits) == 1 else 's'}"
    yield Status("retrieve", f"{found} ({search_timings.total_ms:.0f} ms)", elapsed())

    timings = {
        "embed_ms": search_timings.embed_ms,
        "search_ms": search_timings.search_ms,
        "retrieval_ms": elapsed(),
    }
    yield Status("generate", f"Generating with {backend.label}…", elapsed())
    answer: list[str] = []
    pieces = adapt(paced(backend.stream(question, hits), words_per_second), settings.stream)
    try:
        for piece in pieces:
            if not answer:
                timings["first_token_ms"] = elapsed()
            answer.append(piece)
            yield Token(piece)
    except BackendError as exc:
        yield Status("error", f"Error: {exc}", elapsed())
        yield Error(str(exc), "".join(answer))
        return
    finally:
        pieces.close()
    timings["total_ms"] = elapsed()
    text = "".join(answer)
    yield Status("done", "Done", elapsed())
    yield Done(text, hits, timings, backend.label, cited_numbers(text, hits))


def cited_numbers(answer: str, hits: Sequence[Hit]) -> list[int]:
    """The hit numbers that `answer` cites as [n], in order of first citation, valid ones only."""
    seen: list[int] = []
    for match in _CITATION.finditer(answer):
        n = int(match.group(1))
        if 1 <= n <= len(hits) and n not in seen:
            seen.append(n)
    return seen
