"""`python -m rag eval data/eval/corpus-questions.json`: how well the shipped corpus's own questions are answered.

SQuAD answers are short spans; the demo's questions are about its own documents and are often
answered by a whole sentence, so they are checked against key-fact regexes instead. The file:

    {"description": "…",
     "questions": [{"question": "…", "kind": "what", "document": "faiss-ivf-index.md", "facts": ["regex", …]}, …],
     "off_topic": [{"question": "…"}, …]}

The shipped corpus (`Settings.corpus_dir`) is loaded or built as the app does, and every question
is answered through `stream_answer` with the chosen backend and retrieval mode. The figures:

- recall@1, recall@5: the share of questions whose document is the source of the first hit / of
  one of the first five hits;
- fact_hit: the share of questions where one of the fact regexes matches the answer
  (case-insensitive, on the answer with its [n] marks removed and whitespace normalised);
- cited_right: of the answers with a fact hit, the share where the first [n] after the matched
  fact (the first fact in the question's list that matches) cites a hit whose chunk text, whitespace
  normalised, matches that fact too;
- dangling_starts: the share of quoted answers whose first sentence opens with a word that refers
  back to something before it (DANGLING_OPENERS). Nothing before an answer's first sentence can hold
  what it refers to, so later sentences are not checked;
- cut_answers: how many quoted answers hold a piece that is not a whole sentence. The answer is
  split at its [n] marks and each piece must end with . ! or ? (optionally followed by closing
  quotes or brackets) or with a colon that opens a list, unless it ends with "…", the mark of a
  deliberate excerpt;
- not_found: the share of questions answered with NOT_FOUND; off_topic_refused: the same share
  over the off-topic questions, which should all be refused;
- answer_ms_p50, answer_ms_p95: the whole answer, question to Done, in process. As in the app,
  the extractive backend's sentence vectors are computed before the first question, so the
  first mode evaluated does not pay for them;
- fact_hit_by_kind: fact_hit per kind of question (what, how, why, …).

"Quoted answers" are all answers that are not NOT_FOUND, to on- and off-topic questions alike.
The report also lists the questions whose fact was missed (with the sentence of their document
that states it), the cut and dangling answers and the off-topic questions that were answered:
`--failures N` and `--verbose` print them, `--json` always holds them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.citations import CITATION
from rag.config import Settings
from rag.corpus import DocumentError, sentence_spans
from rag.embed import Embedder, get_embedder
from rag.evaluate import AnswerRun, percentile, read_json, run_answer, share
from rag.events import Hit, Status, run_to_end
from rag.generate.base import NOT_FOUND
from rag.index import KnowledgeBase
from rag.knowledge import shared_knowledge_base
from rag.pipeline import search_query
from rag.retrieve import search

RECALL_DEPTH = 5
SHARE_KEYS = (
    "recall@1",
    "recall@5",
    "fact_hit",
    "cited_right",
    "dangling_starts",
    "not_found",
    "off_topic_refused",
)
COUNT_KEYS = ("cut_answers",)
LATENCY_KEYS = ("answer_ms_p50", "answer_ms_p95")
# Sentence openers that point back at something said before: pronouns and determiners, and
# connectives that continue an argument. Not "both X and Y", nor the "it" of "it is easy to…".
DANGLING_OPENERS = (
    r"it(?!\s+(?:is|was)\s+\w+\s+(?:to|that)\b)", "its", "this", "that", "these", "those", "they", "them", "their", "he", "she", "his", "her",
    "such", "the latter", "the former", "another", r"both(?!(?:\s+[\w-]+){1,3}\s+and\b)",
    "however", "therefore", "thus", "hence", "also", "instead", "but", "so", "then", "otherwise",
    "moreover", "furthermore", "similarly", "likewise", "in contrast", "by contrast", "on the other hand",
    "as a result", "for example", "for instance", "in that case", "in the same way",
    r"the same (?:is|are|holds|applies|goes)",
)  # fmt: skip
_DANGLING_START = re.compile("(?:" + "|".join(o.replace(" ", r"\s+") for o in DANGLING_OPENERS) + r")\b", re.IGNORECASE)
_MARK = re.compile(" ?" + CITATION.pattern)
_MARKS = re.compile(r"(?:\s*\[\d+\])+\s*")  # no groups: split() keeps groups
_MARKS_THEN_PUNCTUATION = re.compile(r"((?:\s*\[\d+\])+)([.!?:;,]+)")
_WHOLE_SENTENCE_END = re.compile(r"(?:[.!?][\"'”’)\]]*|:)$")
_OPENING_QUOTES = "\"'“‘(*"


@dataclass(frozen=True)
class CorpusQuestion:
    text: str
    kind: str
    document: str  # the Chunk.source of the document that answers it
    facts: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class CorpusQuestions:
    questions: list[CorpusQuestion]
    off_topic: list[str]


# --- reading the file ---------------------------------------------------------------------------


def read_corpus_questions(path: Path) -> CorpusQuestions:
    """The questions of a corpus question file, or a DocumentError naming the file and the question."""
    data = read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        raise DocumentError(f"{path}: not a corpus question file (expected an object with a 'questions' list)")
    off_topic = data.get("off_topic", [])
    if not isinstance(off_topic, list):
        raise DocumentError(f"{path}: 'off_topic' must be a list of {{'question': …}} objects")
    questions = [_question(item, f"{path}: question {n}") for n, item in enumerate(data["questions"], 1)]
    if not questions:
        raise DocumentError(f"{path}: has no questions")
    return CorpusQuestions(
        questions, [_text(item, "question", f"{path}: off-topic question {n}") for n, item in enumerate(off_topic, 1)]
    )


def _question(item: Any, where: str) -> CorpusQuestion:
    facts = item.get("facts") if isinstance(item, dict) else None
    if not isinstance(facts, list) or not facts or not all(isinstance(f, str) and f.strip() for f in facts):
        raise DocumentError(f"{where}: 'facts' must be a non-empty list of regexes")
    return CorpusQuestion(
        _text(item, "question", where),
        _text(item, "kind", where),
        _text(item, "document", where),
        tuple(_regex(fact, where) for fact in facts),
    )


def _text(item: Any, key: str, where: str) -> str:
    value = item.get(key) if isinstance(item, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise DocumentError(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


def _regex(fact: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(fact, re.IGNORECASE)
    except re.error as exc:
        raise DocumentError(f"{where}: fact {fact!r} is not a valid regex ({exc})") from None


# --- scoring one answer ---------------------------------------------------------------------------


def without_marks(answer: str) -> tuple[str, list[tuple[int, int]]]:
    """The answer whitespace-normalised without its [n] marks, and each mark as (offset in that text, n)."""
    text = " ".join(answer.split())
    kept, marks, length, cursor = [], [], 0, 0
    for mark in _MARK.finditer(text):
        kept.append(text[cursor : mark.start()])
        length += mark.start() - cursor
        marks.append((length, int(mark.group(1))))
        cursor = mark.end()
    kept.append(text[cursor:])
    return "".join(kept), marks


def fact_match(answer: str, facts: Sequence[re.Pattern[str]]) -> tuple[re.Pattern[str], re.Match[str]] | None:
    """The first fact (in the question's order) that the answer states, and where, or None."""
    text, _ = without_marks(answer)
    for fact in facts:
        if found := fact.search(text):
            return fact, found
    return None


def cited_right(answer: str, facts: Sequence[re.Pattern[str]], hits: Sequence[Hit]) -> bool:
    """Whether the passage cited right after the answer's fact (its first [n] after it) states the fact."""
    matched = fact_match(answer, facts)
    if matched is None:
        return False
    fact, found = matched
    _, marks = without_marks(answer)
    cited = next((n for offset, n in marks if offset >= found.end()), None)
    if cited is None or not 1 <= cited <= len(hits):
        return False
    return fact.search(" ".join(hits[cited - 1].chunk.text.split())) is not None


def quoted_pieces(answer: str) -> list[str]:
    """The answer's pieces between [n] marks, whitespace-normalised. Punctuation written after a
    mark ("… the index [1].") belongs to the piece before it."""
    text = _MARKS_THEN_PUNCTUATION.sub(r"\2\1", " ".join(answer.split()))
    return [piece.strip() for piece in _MARKS.split(text) if piece.strip()]


def dangling_start(answer: str) -> bool:
    """Whether the answer's first sentence opens with a word that refers back (an excerpt opening
    with "…" does not start a sentence)."""
    pieces = quoted_pieces(answer)
    return bool(pieces) and _DANGLING_START.match(pieces[0].lstrip(_OPENING_QUOTES)) is not None


def cut_pieces(answer: str) -> list[str]:
    """The answer's quoted pieces that stop in the middle of a sentence without saying so with "…"."""
    return [p for p in quoted_pieces(answer) if not p.endswith("…") and not _WHOLE_SENTENCE_END.search(p)]


def is_refusal(answer: str) -> bool:
    return " ".join(answer.split()).strip("\"'“” ") == NOT_FOUND


def fact_sentence(kb: KnowledgeBase, question: CorpusQuestion) -> str:
    """The first sentence of the question's document that states one of its facts ("" if none does)."""
    for chunk in kb.chunks:
        if chunk.source != question.document:
            continue
        for span in sentence_spans(chunk.text, 0, len(chunk.text)):
            sentence = " ".join(chunk.text[span.start : span.end].split())
            if any(fact.search(sentence) for fact in question.facts):
                return sentence
    return ""


# --- the whole file -------------------------------------------------------------------------------


def evaluate_corpus(
    path: Path,
    modes: Sequence[str] = ("hybrid",),
    settings: Settings | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> dict[str, Any]:
    """The report: the default mode's figures at the top level (or the first mode's when the
    default is not evaluated), every mode's under "modes"."""
    settings = settings or Settings()
    asked = read_corpus_questions(path)
    progress(f"{len(asked.questions)} questions and {len(asked.off_topic)} off-topic questions")
    kb = shipped_knowledge_base(settings, progress)
    check_documents(path, (q.document for q in asked.questions), kb, settings)
    embedder = get_embedder(kb.model)  # the knowledge base brought the vectors of the sentences answers quote
    report: dict[str, Any] = {"file": str(path), "kind": "corpus-questions", "corpus": str(settings.corpus_dir)}
    report |= {"documents": len({c.source for c in kb.chunks}), "chunks": len(kb.chunks)}
    report |= {"questions": len(asked.questions), "off_topic": len(asked.off_topic)}
    per_mode = {}
    for mode in modes:
        progress(f"Answering {len(asked.questions) + len(asked.off_topic)} questions with {mode} retrieval…")
        per_mode[mode] = mode_figures(kb, embedder, asked, settings.with_(mode=mode))
    main_mode = settings.mode if settings.mode in per_mode else modes[0]
    return report | per_mode[main_mode] | {"mode": main_mode, "modes": per_mode}


def shipped_knowledge_base(settings: Settings, progress: Callable[[str], None]) -> KnowledgeBase:
    """The knowledge base of `settings.corpus_dir`, loaded or built as the app does."""
    return run_to_end(
        shared_knowledge_base(settings), lambda event: progress(event.message) if isinstance(event, Status) else None
    )


def check_documents(path: Path, documents: Iterable[str], kb: KnowledgeBase, settings: Settings) -> None:
    """A DocumentError naming the documents that the file refers to but the corpus lacks."""
    missing = sorted(set(documents) - {c.source for c in kb.chunks})
    if missing:
        raise DocumentError(f"{path}: documents not in the corpus {settings.corpus_dir}: {', '.join(missing)}")


def mode_figures(kb: KnowledgeBase, embedder: Embedder, asked: CorpusQuestions, settings: Settings) -> dict[str, Any]:
    """Every figure of the module docstring for one retrieval mode (`settings.mode`)."""
    ranks = [document_rank(kb, embedder, q, settings.mode) for q in asked.questions]
    answered = [run_answer(q.text, settings, kb) for q in asked.questions]
    declined = [run_answer(text, settings, kb) for text in asked.off_topic]
    hits = [fact_match(run.done.answer, q.facts) is not None for q, run in zip(asked.questions, answered)]
    quoted = [run.done.answer for run in [*answered, *declined] if not is_refusal(run.done.answer)]
    cut = [{"answer": answer, "cut": pieces} for answer in quoted if (pieces := cut_pieces(answer))]
    times = [run.total_ms for run in [*answered, *declined]]
    return {
        "recall@1": share(rank == 1 for rank in ranks),
        "recall@5": share(rank is not None for rank in ranks),
        "fact_hit": share(hits),
        "cited_right": share(
            cited_right(run.done.answer, q.facts, run.done.hits)
            for q, run, hit in zip(asked.questions, answered, hits)
            if hit
        ),
        "dangling_starts": share(dangling_start(answer) for answer in quoted),
        "cut_answers": len(cut),
        "not_found": share(is_refusal(run.done.answer) for run in answered),
        "off_topic_refused": share(is_refusal(run.done.answer) for run in declined),
        "answer_ms_p50": percentile(times, 50),
        "answer_ms_p95": percentile(times, 95),
        "backend": answered[0].done.backend,
        "fact_hit_by_kind": by_kind(asked.questions, hits),
        "cut_examples": cut,
        "dangling_examples": [answer for answer in quoted if dangling_start(answer)],
        "off_topic_answered": [
            {"question": text, "answer": run.done.answer}
            for text, run in zip(asked.off_topic, declined)
            if not is_refusal(run.done.answer)
        ],
        "misses": [_miss(kb, q, run) for q, run, hit in zip(asked.questions, answered, hits) if not hit],
    }


def document_rank(kb: KnowledgeBase, embedder: Embedder, question: CorpusQuestion, mode: str) -> int | None:
    """The rank of the first hit from the question's document among the first RECALL_DEPTH, or None, for
    what the pipeline searches (`search_query`)."""
    hits, _ = search(kb, embedder, search_query(question.text, (), kb, embedder), RECALL_DEPTH, mode)
    return next((hit.rank for hit in hits if hit.chunk.source == question.document), None)


def by_kind(questions: Sequence[CorpusQuestion], hits: Sequence[bool]) -> dict[str, dict[str, float]]:
    """Per kind of question, in first-seen order: how many there are and their fact hit."""
    kinds: dict[str, list[bool]] = {}
    for question, hit in zip(questions, hits):
        kinds.setdefault(question.kind, []).append(hit)
    return {kind: {"questions": len(flags), "fact_hit": share(flags)} for kind, flags in kinds.items()}


def _miss(kb: KnowledgeBase, question: CorpusQuestion, run: AnswerRun) -> dict[str, Any]:
    """A question whose fact the answer missed: what was answered and what should have been quoted."""
    return {
        "question": question.text,
        "kind": question.kind,
        "document": question.document,
        "document_rank": next((h.rank for h in run.done.hits if h.chunk.source == question.document), None),
        "answer": run.done.answer,
        "should_quote": fact_sentence(kb, question),
    }


# --- printing -------------------------------------------------------------------------------------


def format_report(report: dict[str, Any], failures: int = 0, verbose: bool = False) -> str:
    """The report as plain text: one row per mode (the default marked *), fact hit per kind, and
    the first `failures` missed questions (all of them, and the cut, dangling and off-topic
    answers, when `verbose`)."""
    figures = report["modes"][report["mode"]]
    sections = [_mode_table(report), _kind_table(report)]
    if verbose:
        failures = len(figures["misses"])
        sections.append(_cut_list(report["mode"], figures["cut_examples"]))
        sections.append(_answer_list(f"dangling starts ({report['mode']})", figures["dangling_examples"]))
        sections.append(
            _answer_list(
                f"off-topic questions answered ({report['mode']})",
                [f"{item['question']} → {item['answer']}" for item in figures["off_topic_answered"]],
            )
        )
    sections.append(_miss_list(report["mode"], figures["misses"], failures))
    return "\n\n".join(sections)


def _mode_table(report: dict[str, Any]) -> str:
    keys = (*SHARE_KEYS, *COUNT_KEYS, *LATENCY_KEYS)
    title = (
        f"{report['file']}: {report['questions']} questions + {report['off_topic']} off-topic, "
        f"{report['documents']} documents ({report['chunks']} chunks), {report['backend']}"
    )
    rows = [title, f" {'mode':<8}" + "".join(f"{key:>{len(key) + 2}}" for key in keys)]
    for mode, figures in report["modes"].items():
        mark = "*" if mode == report["mode"] else " "
        cells = [f"{figures[key]:>{len(key) + 2}.3f}" for key in SHARE_KEYS]
        cells += [f"{figures[key]:>{len(key) + 2}d}" for key in COUNT_KEYS]
        cells += [f"{figures[key]:>{len(key) + 2}.1f}" for key in LATENCY_KEYS]
        rows.append(f"{mark}{mode:<8}{''.join(cells)}")
    return "\n".join(rows)


def _kind_table(report: dict[str, Any]) -> str:
    modes = list(report["modes"])
    rows = ["fact_hit by kind", f"  {'kind':<10}{'questions':>10}" + "".join(f"{mode:>9}" for mode in modes)]
    for kind, counted in report["modes"][modes[0]]["fact_hit_by_kind"].items():
        cells = "".join(f"{report['modes'][mode]['fact_hit_by_kind'][kind]['fact_hit']:>9.3f}" for mode in modes)
        rows.append(f"  {kind:<10}{counted['questions']:>10}{cells}")
    return "\n".join(rows)


def _cut_list(mode: str, cut: Sequence[dict[str, Any]]) -> str:
    rows = [f"cut sentences ({mode}): {len(cut)} answers"]
    for example in cut:
        rows += [f"- {piece!r}" for piece in example["cut"]]
        rows.append(f"  in: {example['answer']}")
    return "\n".join(rows)


def _answer_list(title: str, answers: Sequence[str]) -> str:
    return "\n".join([f"{title}: {len(answers)}", *(f"- {answer}" for answer in answers)])


def _miss_list(mode: str, misses: Sequence[dict[str, Any]], failures: int) -> str:
    shown = misses[:failures]
    hint = "; --failures N lists them" if misses and not shown else ""
    rows = [f"missed facts ({mode}): {len(misses)} questions{hint}"]
    for miss in shown:
        rank = f"rank {miss['document_rank']}" if miss["document_rank"] else "not retrieved"
        rows.append(f"- [{miss['kind']}] {miss['question']}  ({miss['document']}, {rank})")
        rows.append(f"  answer: {miss['answer']}")
        rows.append(f"  should quote: {miss['should_quote'] or '(no sentence of the document matches a fact)'}")
    return "\n".join(rows)
