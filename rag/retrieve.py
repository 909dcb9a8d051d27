"""Find the chunks that answer a question: dense (FAISS), lexical (BM25) or hybrid (fused).

Hybrid is the default: dense search finds paraphrases, BM25 finds rare exact terms (names,
API identifiers), and reciprocal rank fusion combines their rankings without having to make
cosine and BM25 scores comparable.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from rag.embed import Embedder
from rag.events import Hit
from rag.index import KnowledgeBase

RRF_K = 60
MIN_CANDIDATES = 100


@dataclass(frozen=True)
class SearchTimings:
    embed_ms: float
    search_ms: float

    @property
    def total_ms(self) -> float:
        return self.embed_ms + self.search_ms


def search(
    kb: KnowledgeBase, embedder: Embedder, question: str, k: int = 5, mode: str = "hybrid"
) -> tuple[list[Hit], SearchTimings]:
    """The top `k` hits for `question`, best first, with how long embedding and searching took."""
    if mode not in ("dense", "lexical", "hybrid"):
        raise ValueError(f"unknown retrieval mode {mode!r}; use dense, lexical or hybrid")
    started = time.perf_counter()
    query = embedder.encode_query(question) if mode != "lexical" else None
    embedded = time.perf_counter()
    candidates = min(len(kb.chunks), max(MIN_CANDIDATES, 10 * k))
    dense = _dense(kb, query, candidates) if query is not None else {}
    lexical = _lexical(kb, question, candidates) if mode != "dense" else {}
    if mode == "dense":
        ranked = sorted(dense.items(), key=lambda item: -item[1])
    elif mode == "lexical":
        ranked = sorted(lexical.items(), key=lambda item: -item[1])
    else:
        ranked = _reciprocal_rank_fusion(dense, lexical)
    hits = [
        Hit(kb.chunks[i], rank, float(score), dense.get(i), lexical.get(i))
        for rank, (i, score) in enumerate(ranked[:k], 1)
    ]
    done = time.perf_counter()
    return hits, SearchTimings((embedded - started) * 1000, (done - embedded) * 1000)


def _dense(kb: KnowledgeBase, query: np.ndarray, candidates: int) -> dict[int, float]:
    scores, ids = kb.index.search(query[None, :], candidates)
    return {int(i): float(s) for i, s in zip(ids[0], scores[0]) if i >= 0}


def _lexical(kb: KnowledgeBase, question: str, candidates: int) -> dict[int, float]:
    scores = kb.lexical.scores(question)
    top = np.argsort(-scores, kind="stable")[:candidates]
    return {int(i): float(scores[i]) for i in top if scores[i] > 0}


def _reciprocal_rank_fusion(*rankings: dict[int, float]) -> list[tuple[int, float]]:
    fused: dict[int, float] = {}
    for scores in rankings:
        ordered = sorted(scores, key=lambda i: -scores[i])
        for rank, i in enumerate(ordered, 1):
            fused[i] = fused.get(i, 0.0) + 1.0 / (RRF_K + rank)
    return sorted(fused.items(), key=lambda item: -item[1])
