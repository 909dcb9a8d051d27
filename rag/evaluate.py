"""`python -m rag eval`: measure retrieval and the default answer on a SQuAD-format file.

This module also holds what every evaluation file shares: reading it, telling its kind from its
contents (`file_kind`) and timing one answer through the pipeline. The shipped corpus's own
question set and the conversation set are evaluated in `rag.evaluate_corpus` and
`rag.evaluate_conversations`.

Any SQuAD JSON file (v1.1 or v2.0) works. Every paragraph becomes one document titled by its
article, chunked with the normal chunker and indexed in memory with the real model and FAISS.
The gold item of an answerable question is the paragraph it was written on, so a retrieved chunk
counts when its `source` ("Article/7") is that paragraph. For each retrieval mode it reports:

- Recall@1, Recall@5 and MRR@10 of the gold paragraph over the answerable questions;
- answer hit: the pipeline's answer (citation marks removed) is at most 2 sentences / 80 words
  and contains a gold answer string (case-insensitive, whitespace-normalised);
- how often the answer is "not found", on answerable and on unanswerable (v2.0) questions;
- in-process latency (p50, p95) of retrieval and of the whole answer.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rag import corpus, index
from rag.citations import CITATION
from rag.config import RETRIEVAL_MODES, Settings
from rag.corpus import Document, DocumentError
from rag.embed import Embedder, get_embedder
from rag.events import Done, Error, Retrieved, run_to_end
from rag.generate.base import NOT_FOUND, BackendError
from rag.index import KnowledgeBase
from rag.knowledge import chunking
from rag.pipeline import search_query, stream_answer
from rag.retrieve import search

MAX_ANSWER_SENTENCES = 2
MAX_ANSWER_WORDS = 80
RANKS_TO_SCORE = 10
_CITATION_MARK = re.compile(r"\s*" + CITATION.pattern)
METRIC_KEYS = ("recall@1", "recall@5", "mrr@10", "answer_hit", "not_found_answerable", "not_found_impossible")
LATENCY_KEYS = ("retrieval_ms_p50", "retrieval_ms_p95", "answer_ms_p50", "answer_ms_p95")


FILE_KINDS = ("squad", "corpus-questions", "conversations")


@dataclass(frozen=True)
class AnswerRun:
    """One question answered through `stream_answer`: the Done event and how long it took (ms)."""

    done: Done
    retrieval_ms: float
    total_ms: float


def read_json(path: Path) -> Any:
    """The file's JSON, or a DocumentError naming the file."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DocumentError(f"{path}: could not be read ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise DocumentError(f"{path}: not a JSON file ({exc})") from None


def file_kind(path: Path) -> str:
    """Which evaluation file this is, told from its contents: one of FILE_KINDS."""
    data = read_json(path)
    if isinstance(data, dict):
        if isinstance(data.get("data"), list):
            return "squad"
        if isinstance(data.get("questions"), list):
            return "corpus-questions"
        if isinstance(data.get("conversations"), list):
            return "conversations"
    raise DocumentError(
        f"{path}: not an evaluation file; expected SQuAD JSON (a 'data' list of articles with 'paragraphs'), "
        "corpus questions (a 'questions' list) or conversations (a 'conversations' list)"
    )


def run_answer(
    question: str, settings: Settings, kb: KnowledgeBase, history: Sequence[str] = (), said: Sequence[str] = ()
) -> AnswerRun:
    """Answer through the pipeline, as the app would, after the conversation's earlier questions
    `history` and answers `said`; a backend failure stops the evaluation."""
    started = time.perf_counter()
    retrieval_ms = 0.0
    for event in stream_answer(question, settings, kb=kb, history=history, said=said):
        match event:
            case Retrieved(_, ms):
                retrieval_ms = ms
            case Done():
                return AnswerRun(event, retrieval_ms, (time.perf_counter() - started) * 1000)
            case Error(message, _):
                raise BackendError(f"the pipeline failed on {question!r}: {message}")
    raise BackendError(f"the pipeline gave no answer to {question!r}")


@dataclass(frozen=True)
class SquadQuestion:
    text: str
    source: str  # the Document.source of the paragraph it was written on
    answers: tuple[str, ...]
    impossible: bool


@dataclass(frozen=True)
class SquadSet:
    documents: list[Document]
    questions: list[SquadQuestion]

    @property
    def answerable(self) -> list[SquadQuestion]:
        return [q for q in self.questions if not q.impossible]


def read_squad(path: Path) -> SquadSet:
    """The paragraphs (as documents) and questions of a SQuAD v1.1 or v2.0 JSON file."""
    data = read_json(path)
    try:
        articles = data["data"]
    except (KeyError, TypeError):
        raise DocumentError(f"{path}: not a SQuAD JSON file (expected an object with a 'data' list)") from None
    documents, questions = [], []
    seen_titles: Counter[str] = Counter()
    for article in articles:
        title = str(article.get("title") or "Untitled").replace("_", " ")
        for paragraph in article.get("paragraphs", []):
            source = f"{title}/{seen_titles[title]}"
            seen_titles[title] += 1
            documents.append(Document(title=title, source=source, text=paragraph["context"]))
            for qa in paragraph.get("qas", []):
                answers = tuple(a["text"] for a in qa.get("answers", []) if a.get("text"))
                impossible = bool(qa.get("is_impossible")) or not answers
                questions.append(SquadQuestion(qa["question"], source, answers, impossible))
    if not documents:
        raise DocumentError(f"{path}: has no paragraphs")
    return SquadSet(documents, questions)


def build_knowledge_base(documents: Sequence[Document], settings: Settings, embedder: Embedder) -> KnowledgeBase:
    """The documents chunked and indexed in memory, with the vectors of the sentences answers quote,
    exactly as the pipeline would index them."""
    chunks = corpus.chunk_documents(documents, chunking(settings))
    kb = run_to_end(index.build(chunks, embedder))
    run_to_end(index.embed_sentences(chunks, embedder))
    return kb


def evaluate(
    path: Path,
    modes: Sequence[str] = RETRIEVAL_MODES,
    settings: Settings | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> dict[str, Any]:
    """The report: the default mode's figures at the top level (or the first mode's when the
    default is not evaluated), every mode's under "modes"."""
    settings = settings or Settings()
    squad = read_squad(path)
    progress(
        f"{len(squad.documents)} paragraphs, {len(squad.answerable)} answerable of {len(squad.questions)} questions"
    )
    progress(f"Loading {settings.embed_model} and indexing…")
    embedder = get_embedder(settings.embed_model)
    kb = build_knowledge_base(squad.documents, settings, embedder)
    report: dict[str, Any] = {"file": str(path), "paragraphs": len(squad.documents), "chunks": len(kb.chunks)}
    report |= {"answerable": len(squad.answerable), "impossible": len(squad.questions) - len(squad.answerable)}
    per_mode = {}
    for mode in modes:
        progress(f"Evaluating {mode} retrieval…")
        figures = retrieval_metrics(kb, embedder, squad.answerable, mode)
        progress(f"Answering {len(squad.questions)} questions with {mode} retrieval…")
        figures |= answer_metrics(kb, settings.with_(mode=mode), squad.questions)
        per_mode[mode] = figures
    main_mode = settings.mode if settings.mode in per_mode else modes[0]
    return report | per_mode[main_mode] | {"mode": main_mode, "modes": per_mode}


def retrieval_metrics(
    kb: KnowledgeBase, embedder: Embedder, questions: Sequence[SquadQuestion], mode: str
) -> dict[str, float]:
    ranks = [gold_rank(kb, embedder, q, mode) for q in questions]
    if not ranks:
        return {"recall@1": 0.0, "recall@5": 0.0, "mrr@10": 0.0}
    return {
        "recall@1": share(r == 1 for r in ranks),
        "recall@5": share(r is not None and r <= 5 for r in ranks),
        "mrr@10": float(np.mean([1.0 / r if r else 0.0 for r in ranks])),
    }


def gold_rank(kb: KnowledgeBase, embedder: Embedder, question: SquadQuestion, mode: str) -> int | None:
    """The rank of the first hit from the question's paragraph among the top ten, or None, for what the
    pipeline searches (the question as plainly asked and spelt, `search_query`)."""
    hits, _ = search(kb, embedder, search_query(question.text, (), kb, embedder), RANKS_TO_SCORE, mode)
    return next((hit.rank for hit in hits if hit.chunk.source == question.source), None)


def answer_metrics(kb: KnowledgeBase, settings: Settings, questions: Sequence[SquadQuestion]) -> dict[str, float]:
    """Answer the questions through `stream_answer`; score the answers and time them."""
    hits, not_found, retrieval_ms, answer_ms = [], {True: [], False: []}, [], []
    for question in questions:
        run = run_answer(question.text, settings, kb)
        retrieval_ms.append(run.retrieval_ms)
        answer_ms.append(run.total_ms)
        not_found[question.impossible].append(run.done.answer.strip() == NOT_FOUND)
        if not question.impossible:
            hits.append(answer_hit(run.done.answer, question.answers))
    return {
        "answer_hit": share(hits),
        "not_found_answerable": share(not_found[False]),
        "not_found_impossible": share(not_found[True]),
        "retrieval_ms_p50": percentile(retrieval_ms, 50),
        "retrieval_ms_p95": percentile(retrieval_ms, 95),
        "answer_ms_p50": percentile(answer_ms, 50),
        "answer_ms_p95": percentile(answer_ms, 95),
    }


def answer_hit(answer: str, gold_answers: Sequence[str]) -> bool:
    """Whether the answer is short enough (2 sentences, 80 words) and contains a gold answer."""
    text = " ".join(_CITATION_MARK.sub("", answer).split())
    if not text or len(text.split()) > MAX_ANSWER_WORDS:
        return False
    if len(corpus.sentence_spans(text, 0, len(text))) > MAX_ANSWER_SENTENCES:
        return False
    return any(_normalise(gold) in text.lower() for gold in gold_answers if gold.strip())


def _normalise(text: str) -> str:
    return " ".join(text.split()).lower()


def share(flags: Iterable[bool]) -> float:
    """The share of true flags (0 when there are none)."""
    flags = list(flags)
    return sum(flags) / len(flags) if flags else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else 0.0


def format_table(report: dict[str, Any]) -> str:
    """The report as a plain-text table: one row per mode, the default mode marked with *."""
    widths = {key: len(key) + 2 for key in (*METRIC_KEYS, *LATENCY_KEYS)}
    header = f" {'mode':<8}" + "".join(f"{key:>{width}}" for key, width in widths.items())
    title = (
        f"{report['file']}: {report['paragraphs']} paragraphs, {report['chunks']} chunks, "
        f"{report['answerable']} answerable + {report['impossible']} unanswerable questions"
    )
    rows = [title, header]
    for mode, figures in report["modes"].items():
        mark = "*" if mode == report["mode"] else " "
        metrics = "".join(f"{figures[key]:>{widths[key]}.3f}" for key in METRIC_KEYS)
        latencies = "".join(f"{figures[key]:>{widths[key]}.1f}" for key in LATENCY_KEYS)
        rows.append(f"{mark}{mode:<8}{metrics}{latencies}")
    return "\n".join(rows)
