"""The one place that builds, saves and loads the searchable knowledge base.

Vectors live behind the small `VectorIndex` interface (add, search, save, load) so a vector
database could replace FAISS for corpora that outgrow one machine. The knowledge base is cached
on disk under a key made of the model, the chunking settings and the corpus contents: a second
start loads it without embedding anything, and any change to the corpus builds a new one.

Beside the chunk vectors a saved knowledge base keeps the vectors of every sentence an answer may
quote, so the extractive answer embeds nothing for it. The shipped corpus's saved knowledge base
ships with the project (`data/index/`, made by `python -m rag index --rebuild`): it is used when its
key is the key of the corpus being loaded, so a fresh clone, such as every cold start on Hugging
Face Spaces, embeds nothing at start-up, and a changed corpus still builds its own.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import shutil
import tempfile
import time
from collections.abc import Generator, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Protocol

import faiss
import numpy as np

from rag.corpus import Chunk, ChunkingSettings, Document, chunk_sentences
from rag.embed import Embedder
from rag.events import Progress, Status, counted
from rag.lexical import LexicalIndex, Spelling, Vocabulary

log = logging.getLogger(__name__)

# Part of the cache key: bumped whenever the same text and settings would give other chunks.
CACHE_FORMAT = 2
# Up to this many vectors an exact flat search takes a few milliseconds and is always right;
# above it HNSW answers in well under a millisecond at a recall near 0.99 (efSearch below).
EXACT_SEARCH_LIMIT = 20_000
HNSW_NEIGHBOURS = 32
HNSW_EF_SEARCH = 128
EMBED_BATCH = 64
# A save writes its staging folder within seconds; one this old was left by a process killed midway.
STAGING_ABANDONED_S = 3600


class VectorIndex(Protocol):
    def add(self, vectors: np.ndarray) -> None: ...
    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]: ...
    def vectors(self) -> np.ndarray: ...
    def reconstruct(self, ids: np.ndarray) -> np.ndarray: ...
    def save(self, path: Path) -> None: ...
    def __len__(self) -> int: ...


class FaissIndex:
    """Inner product over unit vectors (= cosine): exact flat search for small corpora, HNSW above."""

    def __init__(self, index: faiss.Index):
        self._index = index

    @classmethod
    def for_size(cls, expected: int, dim: int) -> FaissIndex:
        if expected <= EXACT_SEARCH_LIMIT:
            return cls(faiss.IndexFlatIP(dim))
        index = faiss.IndexHNSWFlat(dim, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efSearch = HNSW_EF_SEARCH
        return cls(index)

    @classmethod
    def load(cls, path: Path) -> FaissIndex:
        return cls(faiss.read_index(str(path)))

    @property
    def kind(self) -> str:
        return type(self._index).__name__

    def add(self, vectors: np.ndarray) -> None:
        self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, len(self))
        if k == 0:
            empty = np.zeros((len(queries), 0))
            return empty.astype(np.float32), empty.astype(np.int64)
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        if len(queries) > 1:
            return self._index.search(queries, k)
        # One query costs less on one thread than the threads cost to wake (flat, 10,000 vectors:
        # 1.4 vs 2.3 ms). FAISS's thread count, like OpenMP's, is the calling thread's own.
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        try:
            return self._index.search(queries, k)
        finally:
            faiss.omp_set_num_threads(threads)

    def vectors(self) -> np.ndarray:
        return self._index.reconstruct_n(0, len(self))

    def reconstruct(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors at these positions (flat and HNSW indexes keep them exactly)."""
        return self._index.reconstruct_batch(np.asarray(ids, dtype=np.int64))

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    def __len__(self) -> int:
        return self._index.ntotal


@dataclass
class KnowledgeBase:
    """Chunks with their dense and lexical indexes, searched together by `rag.retrieve`."""

    chunks: list[Chunk]
    index: VectorIndex
    model: str
    lexical: LexicalIndex = field(init=False)

    def __post_init__(self) -> None:
        if len(self.index) != len(self.chunks):
            raise ValueError(f"{len(self.chunks)} chunks but {len(self.index)} vectors")
        self.lexical = LexicalIndex([chunk.search_text for chunk in self.chunks])

    @cached_property
    def vocabulary(self) -> Vocabulary:
        """How many documents use each term, which tells a follow-up question from one that stands on
        its own; built on first use."""
        return Vocabulary.of_chunks(self.chunks)

    @cached_property
    def spelling(self) -> Spelling:
        """The words the chunks spell, to correct a question's typo; built on first use."""
        return Spelling.of_chunks(self.chunks)

    def extended(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> KnowledgeBase:
        """A new knowledge base with these chunks added; this one is left as it is (it is shared)."""
        index = FaissIndex.for_size(len(self.chunks) + len(chunks), vectors.shape[1])
        index.add(self.index.vectors())
        index.add(vectors)
        return KnowledgeBase([*self.chunks, *chunks], index, self.model)


_SAVED_FILES = ("vectors.faiss", "chunks.json", "sentences.json", "sentences.npy")


class CacheError(Exception):
    """A cached knowledge base is missing, truncated or corrupted."""


def embed_chunks(
    chunks: Sequence[Chunk], embedder: Embedder, started: float | None = None
) -> Generator[Progress, None, np.ndarray]:
    """Embed chunks batch by batch, yielding progress (ms since `started`); returns the vectors in the
    chunks' order. The longest are embedded first, as sentence-transformers orders the texts of one
    call, so that each batch is padded to a length near its own texts' (in the chunks' order, a build
    of the shipped corpus took 1.14× as long as one call encoding the same texts)."""
    started = time.perf_counter() if started is None else started
    texts = [chunk.search_text for chunk in chunks]
    longest_first = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    vectors = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    yield Progress(0, len(chunks), (time.perf_counter() - started) * 1000)
    for first in range(0, len(texts), EMBED_BATCH):
        batch = longest_first[first : first + EMBED_BATCH]
        vectors[batch] = embedder.encode([texts[i] for i in batch])
        yield Progress(first + len(batch), len(chunks), (time.perf_counter() - started) * 1000)
    return vectors


def build(
    chunks: Sequence[Chunk], embedder: Embedder, started: float | None = None
) -> Generator[Progress, None, KnowledgeBase]:
    vectors = yield from embed_chunks(chunks, embedder, started)
    index = FaissIndex.for_size(len(chunks), embedder.dim)
    index.add(vectors)
    return KnowledgeBase(list(chunks), index, embedder.name)


def cache_key(documents: Sequence[Document], model: str, chunking: ChunkingSettings) -> str:
    digest = hashlib.sha256()
    header = {"format": CACHE_FORMAT, "model": model, "chunking": asdict(chunking)}
    digest.update(json.dumps(header, sort_keys=True).encode())
    for doc in sorted(documents, key=lambda d: d.source):
        digest.update(f"\0{doc.source}\0{doc.title}\0".encode())
        digest.update(doc.text.encode())
    return digest.hexdigest()[:24]


def quoted_sentences(chunks: Sequence[Chunk]) -> list[str]:
    """Every sentence an answer may quote from `chunks`, each once, in order."""
    return list(dict.fromkeys(sentence for chunk in chunks for sentence in chunk_sentences(chunk.text)))


def embed_sentences(
    chunks: Sequence[Chunk], embedder: Embedder, started: float | None = None
) -> Generator[Progress, None, tuple[list[str], np.ndarray]]:
    """Embed the sentences answers quote from `chunks` (`quoted_sentences`), batch by batch with
    progress; returns them and their vectors. The embedder remembers them, and that it knows the
    chunks' sentences."""
    started = time.perf_counter() if started is None else started
    sentences = quoted_sentences(chunks)
    parts = [np.zeros((0, embedder.dim), dtype=np.float32)]
    step = 8 * EMBED_BATCH
    for first in range(0, len(sentences), step):
        parts.append(embedder.encode_sentences(sentences[first : first + step]))
        yield Progress(first + len(parts[-1]), len(sentences), (time.perf_counter() - started) * 1000, "sentences")
    embedder.remember_passages(chunk.text for chunk in chunks)
    return sentences, np.concatenate(parts)


def save(kb: KnowledgeBase, folder: Path, key: str, sentences: Sequence[str], sentence_vectors: np.ndarray) -> None:
    """Write the knowledge base and its sentence vectors to `folder` atomically, with checksums."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=folder.parent))
    try:
        kb.index.save(staging / "vectors.faiss")
        (staging / "chunks.json").write_text(json.dumps([asdict(c) for c in kb.chunks]), encoding="utf-8")
        (staging / "sentences.json").write_text(json.dumps(list(sentences), ensure_ascii=False), encoding="utf-8")
        np.save(staging / "sentences.npy", np.ascontiguousarray(sentence_vectors, dtype=np.float32))
        manifest = {
            "format": CACHE_FORMAT,
            "key": key,
            "model": kb.model,
            "count": len(kb.chunks),
            "sentences": len(sentences),
            "sha256": {name: _sha256(staging / name) for name in _SAVED_FILES},
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        staging.rename(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def load(folder: Path, embedder: Embedder, key: str | None = None) -> KnowledgeBase:
    """Load a saved knowledge base (the embedder remembers its sentence vectors), or raise `CacheError`
    if it is absent, damaged, or saved under another key than `key`."""
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        raise CacheError(f"no saved index in {folder}")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("format") != CACHE_FORMAT or (key is not None and manifest.get("key") != key):
            raise CacheError(f"the index in {folder} was saved for other documents or settings")
        for name in _SAVED_FILES:
            if _sha256(folder / name) != manifest["sha256"][name]:
                raise CacheError(f"{name} does not match its checksum")
        chunks = [Chunk(**fields) for fields in json.loads((folder / "chunks.json").read_text(encoding="utf-8"))]
        kb = KnowledgeBase(chunks, FaissIndex.load(folder / "vectors.faiss"), manifest["model"])
        sentences = json.loads((folder / "sentences.json").read_text(encoding="utf-8"))
        embedder.remember_sentences(sentences, np.load(folder / "sentences.npy"))
        embedder.remember_passages(chunk.text for chunk in chunks)
        return kb
    except CacheError:
        raise
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise CacheError(f"saved index in {folder} is unreadable: {exc}") from None


def load_or_build(
    documents: Sequence[Document],
    chunks: Sequence[Chunk],
    embedder: Embedder,
    cache_dir: Path,
    chunking: ChunkingSettings,
    rebuild: bool = False,
    started: float | None = None,
    shipped: Path | None = None,
) -> Generator[Status | Progress, None, KnowledgeBase]:
    """The saved knowledge base for these documents (cached, or `shipped` with the project when its key
    matches), built with progress when there is none, and saved to the cache (and to `shipped` when
    rebuilding it). Status times count from `started` (a `time.perf_counter()` value), by default from now.
    """
    started = time.perf_counter() if started is None else started

    def status(message: str) -> Status:
        return Status("index", message, (time.perf_counter() - started) * 1000)

    key = cache_key(documents, embedder.name, chunking)
    folder = cache_dir / key
    remove_abandoned_staging(cache_dir)
    if not rebuild:
        for where, saved, expected in (("cached", folder, None), ("shipped", shipped, key)):
            if saved is None:
                continue
            try:
                kb = load(saved, embedder, expected)
                yield status(f"Loaded {where} index of {counted(len(kb.chunks), 'passage')}")
                return kb
            except CacheError as exc:
                if where == "cached" and (folder / "manifest.json").exists():
                    yield status(f"Cached index is damaged ({exc}); rebuilding")
    yield status(f"Embedding {counted(len(chunks), 'passage')} from {counted(len(documents), 'document')}…")
    kb = yield from build(chunks, embedder, started)
    yield status(f"Embedding the sentences of {counted(len(chunks), 'passage')} for quoting…")
    sentences, sentence_vectors = yield from embed_sentences(chunks, embedder, started)
    targets = [folder, *([shipped] if rebuild and shipped is not None else [])]
    for target in targets:
        try:
            save(kb, target, key, sentences, sentence_vectors)
            yield status(f"Built index of {counted(len(chunks), 'passage')}; saved to {target}")
        except OSError as exc:
            yield status(f"Warning: could not save the index ({exc.strerror or exc}); running from memory")
    return kb


def remove_abandoned_staging(cache_dir: Path) -> None:
    """Delete staging folders that a save killed midway left behind (those older than STAGING_ABANDONED_S)."""
    for staging in cache_dir.glob(".staging-*"):
        with contextlib.suppress(OSError):
            if time.time() - staging.stat().st_mtime > STAGING_ABANDONED_S:
                shutil.rmtree(staging)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
