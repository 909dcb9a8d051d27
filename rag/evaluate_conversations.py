"""`python -m rag eval data/eval/conversations.json`: do follow-up questions find their document?

A follow-up ("What are its drawbacks?") leans on the turns before it. `rag.conversation` rewrites it
into a standalone search query from the conversation's earlier questions; this measures that
rewrite, per retrieval mode, beside searching the follow-up's own words and the hand-written
standalone rewrite:

- <rewrite>_recall@1: over the follow-up turns (every turn after a conversation's first), the share
  whose document is the source of the first hit when searching the rewrite's query. The rewrites
  are `without_history` (the follow-up as asked) and `with_history` (the pipeline's rewrite,
  `rag.pipeline.follow_up_query`: `rag.conversation`'s rules, or the model's with an LLM backend), or any
  `Rewrite(question, history) -> str` passed in, the history being the earlier questions, oldest
  first;
- standalone_recall@1: the same for each turn's hand-written standalone question, the upper bound
  of what a rewrite can reach;
- first_turn_<rewrite>_recall@1: the same over the first turns. A first turn has no history, but
  `with_history` still reads it as the pipeline does (asked plainly, spelt as the corpus spells it:
  `rag.pipeline.search_query`), so the two may differ there: this is what that reading does to
  questions that stand on their own;
- standalone_rewritten, standalone_as_asked_recall@1, standalone_with_history_recall@1: questions
  that stand on their own asked mid-conversation. Each question of the corpus question set
  (STANDALONE_QUESTIONS) is asked with the question before it in the file as its history (the
  first with the last): the share whose `with_history` query differs from the question, and the
  recall@1 of its source document searching the question as asked and the `with_history` query.
  Their splits are the file's even (dev) and odd (held-out) positions, as in `rag.retrieve`;
- fact_hit: the share of follow-ups whose answer states one of the turn's facts (regexes, scored
  as `rag.evaluate_corpus` scores the corpus questions), asking each conversation's turns in order
  through the pipeline as the app does, each after the earlier questions and answers, with the
  chosen backend (extractive by default): so on the hits of the pipeline's own rewrite, which the
  answer also reads. Measured with the default rewrites only. The pipeline rewrites each follow-up
  again rather than being handed the `with_history` query, so an LLM backend is asked twice, and its
  second rewrite may differ from the one whose recall@1 is reported;
- repeated: the share of those follow-up answers that quote only sentences an earlier answer of the
  conversation quoted (lower is better: a follow-up should learn something new);
- by_kind: when the file labels its follow-ups with a "kind" ("pronoun", "what about", "comparison"…),
  the follow-up figures of the default mode over all conversations for each kind, so that a teacher
  sees which kind of follow-up the rewrite fails.

Every figure is given for all conversations and for two halves, "dev" and "held-out", split by a
stable hash of each conversation's first question (`split_of`): the rewrite was designed looking
at dev only. The file:

    {"conversations": [{"turns": [{"question": "…", "document": "faiss-hnsw-index.md",
                                   "facts": ["regex", …], "standalone": "…", "kind": "…"}, …]}, …]}

"kind" is optional, and only a follow-up's counts.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.citations import quoted_sentences
from rag.config import PROJECT_DIR, Settings
from rag.corpus import DocumentError
from rag.embed import Embedder, get_embedder
from rag.evaluate import read_json, run_answer, share
from rag.evaluate_corpus import (
    CorpusQuestion,
    check_documents,
    fact_match,
    read_corpus_questions,
    shipped_knowledge_base,
)
from rag.events import run_to_end
from rag.generate import make_backend
from rag.index import KnowledgeBase
from rag.pipeline import conversation, follow_up_query, search_for
from rag.retrieve import search

Rewrite = Callable[[str, Sequence[str]], str]
SPLITS = ("all", "dev", "held-out")
PIPELINE_REWRITE = "with_history"
STANDALONE_QUESTIONS = PROJECT_DIR / "data" / "eval" / "corpus-questions.json"
STANDALONE_KEYS = ("standalone_rewritten", "standalone_as_asked_recall@1", "standalone_with_history_recall@1")


def own_words(question: str, history: Sequence[str]) -> str:
    """No rewrite: the follow-up as it was asked."""
    return question


def default_rewrites(kb: KnowledgeBase, embedder: Embedder, settings: Settings) -> dict[str, Rewrite]:
    """The follow-up as asked, and rewritten with the history as the pipeline rewrites it for
    `settings.backend`: by the model for an LLM backend, else without one."""
    backend = make_backend(settings.backend, settings, embedder)

    def with_history(question: str, history: Sequence[str]) -> str:
        earlier = conversation(history, settings)
        return run_to_end(follow_up_query(question, earlier, kb, embedder, backend, settings, None, lambda: 0.0))

    return {"without_history": own_words, "with_history": with_history}


@dataclass(frozen=True)
class Turn:
    question: str
    document: str  # the Chunk.source of the document that answers it
    standalone: str  # the question rewritten to stand on its own
    facts: tuple[re.Pattern[str], ...] = ()
    kind: str = ""  # what kind of follow-up it is, in the file's own words ("pronoun"), if the file says


def split_of(turns: Sequence[Turn]) -> str:
    """ "dev" or "held-out", by the parity of the first byte of the SHA-256 of the first question."""
    return "dev" if hashlib.sha256(turns[0].question.encode("utf-8")).digest()[0] % 2 == 0 else "held-out"


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
    kind = item.get("kind", "")
    if not isinstance(kind, str):
        raise DocumentError(f"{where}: 'kind' must be a string")
    return Turn(**fields, facts=_facts(item.get("facts"), where), kind=kind.strip())


def _facts(facts: Any, where: str) -> tuple[re.Pattern[str], ...]:
    if not isinstance(facts, list) or not facts or not all(isinstance(f, str) and f.strip() for f in facts):
        raise DocumentError(f"{where}: 'facts' must be a non-empty list of regexes")
    try:
        return tuple(re.compile(fact, re.IGNORECASE) for fact in facts)
    except re.error as exc:
        raise DocumentError(f"{where}: fact {exc.pattern!r} is not a valid regex ({exc})") from None


def follow_ups(conversations: Sequence[Sequence[Turn]]) -> Iterator[tuple[Turn, list[str]]]:
    """Every turn after a conversation's first, with the questions asked before it."""
    for turns in conversations:
        for n, turn in enumerate(turns[1:], 1):
            yield turn, [earlier.question for earlier in turns[:n]]


def mid_conversation(questions: Sequence[CorpusQuestion]) -> list[tuple[CorpusQuestion, list[str], str]]:
    """Each question with the one before it (the first with the last) as its history, and its split:
    "dev" at even positions, "held-out" at odd ones."""
    before = [questions[-1], *questions[:-1]]
    return [
        (question, [earlier.text], "dev" if n % 2 == 0 else "held-out")
        for n, (question, earlier) in enumerate(zip(questions, before))
    ]


def evaluate_conversations(
    path: Path,
    modes: Sequence[str] = ("hybrid",),
    settings: Settings | None = None,
    progress: Callable[[str], None] = lambda message: None,
    rewrites: Mapping[str, Rewrite] | None = None,
    standalone_questions: Path | None = STANDALONE_QUESTIONS,
) -> dict[str, Any]:
    """The report: the default mode's figures over all conversations at the top level (or the first
    mode's when the default is not evaluated); every mode's, per split, under "modes". The
    stand-alone questions asked mid-conversation (none when `standalone_questions` is None, or
    without the `with_history` rewrite) are under "standalone_questions", the default mode's
    overall figures also at the top level."""
    settings = settings or Settings()
    conversations = read_conversations(path)
    splits = [split_of(turns) for turns in conversations]
    turns = [
        (turn, history, split) for conv, split in zip(conversations, splits) for turn, history in follow_ups([conv])
    ]
    progress(f"{len(conversations)} conversations, {len(turns)} follow-up turns")
    kb = shipped_knowledge_base(settings, progress)
    check_documents(path, (turn.document for turns in conversations for turn in turns), kb, settings)
    embedder = get_embedder(kb.model)
    answers_follow_ups = rewrites is None
    rewrites = default_rewrites(kb, embedder, settings) if rewrites is None else rewrites
    queries = {
        name: [rewrite(turn.question, history) for turn, history, _ in turns] for name, rewrite in rewrites.items()
    }
    queries["standalone"] = [turn.standalone for turn, _, _ in turns]
    firsts = [turns[0] for turns in conversations]
    first_queries = {
        f"first_turn_{name}": [rewrite(turn.question, []) for turn in firsts] for name, rewrite in rewrites.items()
    }
    asked = [turn.question for turn, _, _ in turns]  # the pipeline's rewrite is searched as the pipeline does
    main_mode = settings.mode if settings.mode in modes else modes[0]
    per_mode: dict[str, Any] = {}
    main_flags: dict[str, list[bool]] = {}  # the main mode's, per follow-up, for the figures by kind
    for mode in modes:
        progress(f"Searching the turns with {mode} retrieval…")
        found = {
            name: found_documents(
                kb,
                embedder,
                texts,
                [turn.document for turn, _, _ in turns],
                mode,
                asked if name == PIPELINE_REWRITE else None,
            )
            for name, texts in queries.items()
        }
        found |= {
            name: found_documents(kb, embedder, texts, [turn.document for turn in firsts], mode)
            for name, texts in first_queries.items()
        }
        turn_flags = {f"{name}_recall@1": hits for name, hits in found.items() if name in queries}
        if answers_follow_ups:
            progress(f"Answering {len(turns)} follow-ups ({mode})…")
            answered = answered_follow_ups(kb, conversations, settings.with_(mode=mode))
            turn_flags["fact_hit"] = [hit for hit, _ in answered]
            turn_flags["repeated"] = [repeated for _, repeated in answered]
        flags = {key: (values, [split for _, _, split in turns]) for key, values in turn_flags.items()}
        flags |= {f"{name}_recall@1": (hits, splits) for name, hits in found.items() if name in first_queries}
        per_mode[mode] = {
            split: {key: _share_in(values, of, split) for key, (values, of) in flags.items()} for split in SPLITS
        }
        if mode == main_mode:
            main_flags = turn_flags
    report = {"file": str(path), "kind": "conversations", "conversations": len(conversations), "follow_ups": len(turns)}
    report["split_sizes"] = {
        split: {"conversations": _count_in(splits, split), "follow_ups": _count_in([s for _, _, s in turns], split)}
        for split in SPLITS
    }
    report |= per_mode[main_mode]["all"] | {"mode": main_mode, "modes": per_mode}
    kinds = [turn.kind for turn, _, _ in turns]
    if any(kinds):
        report["by_kind"] = {
            kind: {"follow_ups": kinds.count(kind)}
            | {key: share(v for v, of in zip(values, kinds) if of == kind) for key, values in main_flags.items()}
            for kind in dict.fromkeys(kinds)
        }
    if standalone_questions is not None and PIPELINE_REWRITE in rewrites:
        alone = standalone_figures(kb, embedder, standalone_questions, rewrites[PIPELINE_REWRITE], modes, progress)
        report |= alone["modes"][main_mode]["all"] | {"standalone_questions": alone}
    return report


def standalone_figures(
    kb: KnowledgeBase,
    embedder: Embedder,
    path: Path,
    rewrite: Rewrite,
    modes: Sequence[str],
    progress: Callable[[str], None],
) -> dict[str, Any]:
    """STANDALONE_KEYS per mode and split for the corpus questions asked mid-conversation."""
    asked = mid_conversation(read_corpus_questions(path).questions)
    progress(f"Asking {len(asked)} stand-alone questions mid-conversation…")
    splits = [split for _, _, split in asked]
    documents = [question.document for question, _, _ in asked]
    questions = [question.text for question, _, _ in asked]
    queries = [rewrite(question.text, history) for question, history, _ in asked]
    changed = [query != question for query, question in zip(queries, questions)]
    per_mode = {}
    for mode in modes:
        flags = dict(
            zip(
                STANDALONE_KEYS,
                (
                    changed,
                    found_documents(kb, embedder, questions, documents, mode),
                    found_documents(kb, embedder, queries, documents, mode, questions),
                ),
            )
        )
        per_mode[mode] = {
            split: {key: _share_in(values, splits, split) for key, values in flags.items()} for split in SPLITS
        }
    sizes = {split: _count_in(splits, split) for split in SPLITS}
    return {"file": str(path), "questions": len(asked), "split_sizes": sizes, "modes": per_mode}


def _share_in(values: Sequence[bool], splits: Sequence[str], split: str) -> float:
    return share(value for value, of in zip(values, splits) if split in ("all", of))


def _count_in(splits: Sequence[str], split: str) -> int:
    return sum(split in ("all", of) for of in splits)


def found_documents(
    kb: KnowledgeBase,
    embedder: Embedder,
    queries: Sequence[str],
    documents: Sequence[str],
    mode: str,
    asked: Sequence[str] | None = None,
) -> list[bool]:
    """For each query, whether its first hit comes from its document: searched as it is, or with the
    questions `asked`, as the pipeline searches it for its question (`search_for`)."""
    questions: Sequence[str | None] = asked or [None] * len(queries)
    return [
        _first_source(kb, embedder, query, mode, question) == document
        for query, document, question in zip(queries, documents, questions, strict=True)
    ]


def answered_follow_ups(
    kb: KnowledgeBase, conversations: Sequence[Sequence[Turn]], settings: Settings
) -> list[tuple[bool, bool]]:
    """For each follow-up (in the order of `follow_ups`), its conversation asked turn by turn as the
    app asks it: whether its answer states one of its facts, and whether it only repeats (`repeats`)."""
    results = []
    for turns in conversations:
        questions: list[str] = []
        answers: list[str] = []
        for turn in turns:
            answer = run_answer(turn.question, settings, kb, questions, answers).done.answer
            if questions:
                results.append((fact_match(answer, turn.facts) is not None, repeats(answer, answers)))
            questions.append(turn.question)
            answers.append(answer)
    return results


def repeats(answer: str, said: Sequence[str]) -> bool:
    """Whether `answer` quotes something, all of it already quoted by one of the answers `said`."""
    earlier = " ".join(" ".join(text.split()) for text in said)
    quoted = [" ".join(text.split()) for _, text in quoted_sentences(answer)]
    return bool(quoted) and all(text in earlier for text in quoted)


def _first_source(kb: KnowledgeBase, embedder: Embedder, query: str, mode: str, asked: str | None) -> str | None:
    if asked is None:
        hits, _ = search(kb, embedder, query, 1, mode)
    else:
        hits, _ = search_for(asked, query, kb, embedder, 1, mode)
    return hits[0].chunk.source if hits else None


def format_report(report: dict[str, Any]) -> str:
    """The report as plain text: one row per mode and split, the default mode marked with *."""
    keys = list(report["modes"][report["mode"]]["all"])
    sizes = report["split_sizes"]
    title = (
        f"{report['file']}: {report['conversations']} conversations, {report['follow_ups']} follow-up turns "
        f"(dev {sizes['dev']['follow_ups']}, held-out {sizes['held-out']['follow_ups']}); recall@1 of the source document"
    )
    rows = [title, *_figure_rows(report["modes"], keys, report["mode"])]
    if "by_kind" in report:
        rows += ["", f"By kind of follow-up ({report['mode']}, all):", *_kind_rows(report["by_kind"])]
    if "standalone_questions" in report:
        rows += ["", _standalone_table(report["standalone_questions"], report["mode"])]
    return "\n".join(rows)


def _standalone_table(alone: dict[str, Any], main_mode: str) -> str:
    sizes = alone["split_sizes"]
    title = (
        f"{alone['file']}: {alone['questions']} stand-alone questions (dev {sizes['dev']}, held-out "
        f"{sizes['held-out']}), each asked with the one before it as history"
    )
    return "\n".join([title, *_figure_rows(alone["modes"], STANDALONE_KEYS, main_mode)])


def _kind_rows(by_kind: dict[str, dict[str, float]]) -> list[str]:
    """A header, then one row per kind of follow-up: how many, and their figures."""
    keys = [key for key in next(iter(by_kind.values())) if key != "follow_ups"]
    width = max(len("kind"), *(len(kind or "-") for kind in by_kind)) + 2
    rows = [f" {'kind':<{width}}{'follow_ups':>12}" + _headings(keys)]
    for kind, figures in by_kind.items():
        rows.append(f" {kind or '-':<{width}}{figures['follow_ups']:>12}" + _shares(figures, keys))
    return rows


def _figure_rows(modes: dict[str, dict[str, dict[str, float]]], keys: Sequence[str], main_mode: str) -> list[str]:
    """A header, then one row of `keys`' figures per mode and split, the main mode marked with *."""
    rows = [f" {'mode':<8}{'split':<10}" + _headings(keys)]
    for mode, by_split in modes.items():
        mark = "*" if mode == main_mode else " "
        for split, figures in by_split.items():
            rows.append(f"{mark}{mode:<8}{split:<10}" + _shares(figures, keys))
    return rows


def _headings(keys: Sequence[str]) -> str:
    return "".join(f"{key:>{len(key) + 2}}" for key in keys)


def _shares(figures: Mapping[str, float], keys: Sequence[str]) -> str:
    """Each key's figure, right-aligned under its heading."""
    return "".join(f"{figures[key]:>{len(key) + 2}.3f}" for key in keys)
