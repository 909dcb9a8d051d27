"""The process-wide knowledge base: the shipped or configured corpus, loaded or built once.

Loading runs on its own thread (`Loading`), so any number of callers can follow its progress
and none of them stops it by going away; the chunking settings live here because they decide,
with the model and the corpus, which knowledge base a process has.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Generator

from rag import corpus, index
from rag.config import PROJECT_DIR, Settings
from rag.corpus import ChunkingSettings
from rag.embed import get_embedder
from rag.events import Event, Progress, Status, run_to_end
from rag.index import KnowledgeBase

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
