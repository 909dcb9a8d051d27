"""`python -m rag eval data/eval/conversations.json`: do follow-up questions find their document?

A follow-up ("What are its drawbacks?") leans on the turns before it, and the pipeline searches
each question on its own. Until follow-ups are rewritten with the conversation's history, this
reports what needs no new pipeline feature, per retrieval mode, over the follow-up turns (every
turn after a conversation's first):

- without_history_recall@1: the share whose document is the source of the first hit when
  searching the follow-up's own words;
- standalone_recall@1: the same for the turn's hand-written standalone rewrite, the upper bound of
  what a history-aware rewrite can reach.

A rewrite is any `Rewrite(question, history) -> str`, the history being the conversation's
earlier questions, oldest first. Each one in REWRITES is measured as "<name>_recall@1", so a
history-aware rewrite is measured by adding it there (or passing `rewrites`). The file:

    {"conversations": [{"turns": [{"question": "…", "document": "faiss-hnsw-index.md",
                                   "facts": ["regex", …], "standalone": "…"}, …]}, …]}

The facts are not scored yet: that needs answers given with the history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.config import Settings
from rag.corpus import DocumentError
from rag.embed import Embedder, get_embedder
from rag.evaluate import read_json, share
from rag.evaluate_corpus import check_documents, shipped_knowledge_base
from rag.index import KnowledgeBase
from rag.retrieve import search

Rewrite = Callable[[str, Sequence[str]], str]


def own_words(question: str, history: Sequence[str]) -> str:
    """No rewrite: the follow-up as it was asked."""
    return question


REWRITES: dict[str, Rewrite] = {"without_history": own_words}


@dataclass(frozen=True)
class Turn:
    question: str
    document: str  # the Chunk.source of the document that answers it
    standalone: str  # the question rewritten to stand on its own


def read_conversations(path: Path) -> list[list[Turn]]:
    """The turns of each conversation, or a DocumentError naming the file and the turn."""
    data = read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("conversations"), list) or not data["conversations"]:
        raise DocumentError(f"{path}: not a conversation file (expected an object with a 'conversations' list)")
    return [_turns(item, f"{path}: conversation {n}") for n, item in enumerate(data["conversations"], 1)]


def _turns(item: Any, where: str) -> list[Turn]:
    turns = item.get("turns") if isinstance(item, dict) else None
    if not isinstance(turns, list) or not turns:
        raise DocumentError(f"{where}: 'turns' must be a non-empty list")
    return [_turn(turn, f"{where}, turn {n}") for n, turn in enumerate(turns, 1)]


def _turn(item: Any, where: str) -> Turn:
    fields = {}
    for key in ("question", "document", "standalone"):
        value = item.get(key) if isinstance(item, dict) else None
        if not isinstance(value, str) or not value.strip():
            raise DocumentError(f"{where}: '{key}' must be a non-empty string")
        fields[key] = value.strip()
    return Turn(**fields)


def follow_ups(conversations: Sequence[Sequence[Turn]]) -> Iterator[tuple[Turn, list[str]]]:
    """Every turn after a conversation's first, with the questions asked before it."""
    for turns in conversations:
        for n, turn in enumerate(turns[1:], 1):
            yield turn, [earlier.question for earlier in turns[:n]]


def evaluate_conversations(
    path: Path,
    modes: Sequence[str] = ("hybrid",),
    settings: Settings | None = None,
    progress: Callable[[str], None] = lambda message: None,
    rewrites: Mapping[str, Rewrite] = REWRITES,
) -> dict[str, Any]:
    """The report: the default mode's figures at the top level (or the first mode's when the
    default is not evaluated), every mode's under "modes"."""
    settings = settings or Settings()
    conversations = read_conversations(path)
    turns = list(follow_ups(conversations))
    progress(f"{len(conversations)} conversations, {len(turns)} follow-up turns")
    kb = shipped_knowledge_base(settings, progress)
    check_documents(path, (turn.document for turns in conversations for turn in turns), kb, settings)
    embedder = get_embedder(kb.model)
    queries = {
        name: [(rewrite(turn.question, history), turn.document) for turn, history in turns]
        for name, rewrite in rewrites.items()
    }
    queries["standalone"] = [(turn.standalone, turn.document) for turn, _ in turns]
    per_mode = {}
    for mode in modes:
        progress(f"Searching the follow-ups with {mode} retrieval…")
        per_mode[mode] = {f"{name}_recall@1": recall_at_1(kb, embedder, pairs, mode) for name, pairs in queries.items()}
    main_mode = settings.mode if settings.mode in per_mode else modes[0]
    report = {"file": str(path), "kind": "conversations", "conversations": len(conversations), "follow_ups": len(turns)}
    return report | per_mode[main_mode] | {"mode": main_mode, "modes": per_mode}


def recall_at_1(kb: KnowledgeBase, embedder: Embedder, queries: Sequence[tuple[str, str]], mode: str) -> float:
    """The share of (query, document) pairs whose first hit comes from the document."""
    return share(_first_source(kb, embedder, query, mode) == document for query, document in queries)


def _first_source(kb: KnowledgeBase, embedder: Embedder, query: str, mode: str) -> str | None:
    hits, _ = search(kb, embedder, query, 1, mode)
    return hits[0].chunk.source if hits else None


def format_report(report: dict[str, Any]) -> str:
    """The report as plain text: one row per mode, the default mode marked with *."""
    keys = list(report["modes"][report["mode"]])
    title = (
        f"{report['file']}: {report['conversations']} conversations, {report['follow_ups']} follow-up turns; "
        "source recall@1 of the follow-ups"
    )
    rows = [title, f" {'mode':<8}" + "".join(f"{key:>{len(key) + 2}}" for key in keys)]
    for mode, figures in report["modes"].items():
        mark = "*" if mode == report["mode"] else " "
        rows.append(f"{mark}{mode:<8}" + "".join(f"{figures[key]:>{len(key) + 2}.3f}" for key in keys))
    return "\n".join(rows)
