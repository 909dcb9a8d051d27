"""The retrieval lab: one question searched by the dense, the lexical and the hybrid retriever side by side.

Students cannot tell whether retrieval works from one ranking. Here every retriever's top
LAB_DEPTH passages stand next to each other, scored as that retriever scores them (cosine, BM25,
the fused z-score), with the answer each ranking would give: the extractive answer, which only
quotes, so the difference between columns is the retriever's alone. The question is read as
`stream_answer` reads it for the extractive answer (a follow-up rewritten with the conversation,
without a model), against the knowledge base given, so a session's uploads are searched too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rag.config import RETRIEVAL_MODES, Settings
from rag.events import Hit
from rag.generate.extractive import ExtractiveBackend
from rag.index import KnowledgeBase
from rag.pipeline import read_question, search_for

LAB_DEPTH = 10  # passages shown per retriever, at least (all `top_k` when it asks for more)


@dataclass(frozen=True)
class Ranking:
    mode: str
    hits: list[Hit]  # the top max(LAB_DEPTH, top_k), best first
    search_ms: float  # embedding the question and searching
    answer: str  # the extractive answer from the top `settings.top_k` of them


@dataclass(frozen=True)
class Comparison:
    question: str  # as asked (cleaned)
    query: str  # as searched: a follow-up rewritten to stand on its own
    rankings: list[Ranking]  # one per retrieval mode, hybrid (the default) last


def compare_retrievers(
    question: str, settings: Settings, *, kb: KnowledgeBase | None = None, history: Sequence[str] = ()
) -> Comparison:
    """Search `question` with every retrieval mode and answer from each ranking (see the module docstring).

    Raises RagError when the question is empty or the knowledge base cannot be loaded.
    """
    read = read_question(question, settings, kb=kb, history=history)
    answerer = ExtractiveBackend(read.embedder)
    rankings = []
    for mode in RETRIEVAL_MODES:
        hits, timings = search_for(
            read.question, read.query, read.kb, read.embedder, max(LAB_DEPTH, settings.top_k), mode
        )
        answer = "".join(answerer.stream(read.query, hits[: settings.top_k]))
        rankings.append(Ranking(mode, hits, timings.total_ms, answer))
    return Comparison(read.question, read.query, rankings)
