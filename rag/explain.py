"""The pipeline opened up stage by stage, for the step-through view and `python -m rag ask --explain`.

`search_stages` turns what one search did (a filled `rag.retrieve.SearchTrace`) into `Stage` events,
and `answer_plan` what the answer will be made from, each a small table of that stage's real data:
the question's embedding, the dense and the BM25 candidates, the fusion of their z-normalised
scores, the rerank by each passage's best sentence, and the sentences (extractive) or the prompt
(an LLM) the answer is made from. `stream_answer(..., explain=True)` yields the search's stages
before the passages it found, and the plan after them; a front end that pauses after each one
steps through the pipeline.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rag.conversation import asked_part
from rag.corpus import Chunk
from rag.embed import Embedder
from rag.events import Hit, Stage, counted
from rag.generate import AnswerBackend
from rag.generate.extractive import ExtractiveBackend, unmentioned_names
from rag.index import KnowledgeBase
from rag.lexical import asked_terms, terms
from rag.questions import acronyms_asked
from rag.retrieve import (
    DENSE_WEIGHT,
    LEXICAL_WEIGHT,
    OWN_WORDS_WEIGHT,
    RERANK_DEPTH,
    SPELLED_OUT_WEIGHT,
    OwnWords,
    SearchTrace,
    matching_sentence,
    z_scores,
)

VECTOR_VALUES = 8  # of the question's embedding, shown
MAX_ROWS = 10  # candidates shown per stage
SENTENCE_CHARS = 140


def search_stages(
    question: str, trace: SearchTrace, hits: Sequence[Hit], kb: KnowledgeBase, embedder: Embedder
) -> list[Stage]:
    """Every stage the search went through for `question` (the query searched) that found `hits`."""
    shown = max(len(hits), 1)
    found: list[Stage] = []
    if trace.query is not None:
        found += [_embedding(trace, embedder), _dense(trace, kb, shown)]
    if trace.lexical or trace.query is None:
        found.append(_lexical(question, trace, kb, shown))
    if trace.fused:
        found += [_fusion(trace, kb, shown), _rerank(question, trace, kb)]
    if trace.own_words:
        found.append(_own_words(trace.own_words, hits))
    return found


def answer_plan(
    question: str, hits: Sequence[Hit], backend: AnswerBackend, history: Sequence[str] = (), said: Sequence[str] = ()
) -> Stage:
    """What the answer to `question` will be made from `hits`, after the conversation's earlier
    questions `history` and answers `said`: the sentences it quotes (extractive) or the prompt (an LLM)."""
    if isinstance(backend, ExtractiveBackend):
        chosen = backend.choose(question, hits, said)
        asked = asked_part(question)
        note = "The extractive answer quotes these sentences, in reading order, each with its passage's number."
        if asked != question:
            note += (
                f' They are chosen for what the follow-up asks, "{asked}": the words carried from the conversation '
                "helped find the passages and count only in judging whether a sentence is evidence."
            )
        if not chosen:
            names = unmentioned_names(asked, hits)
            naming = f" (it names {', '.join(names)}, which no passage mentions)" if names else ""
            note = (
                f"No sentence is close enough to the question{naming}: the answer says the documents don't answer it."
            )
        rows = tuple((f"[{sentence.hit}]", sentence.quoted) for sentence in chosen)
        return Stage("answer", "Choose the sentences to quote", note, ("cites", "sentence"), rows)
    inspect = getattr(backend, "inspect_prompt", None)
    if inspect is None:
        return Stage("answer", "Give the passages to the model", f"{backend.label} is given the passages.", (), ())
    inspection = inspect(question, hits, history, said)
    prompt = inspection.prompt
    note = (
        f"{backend.label} receives a prompt of {inspection.tokens:,} tokens (budget {inspection.budget:,}): the "
        f"rules, {counted(prompt.passages, 'fenced passage')} and the question."
    )
    rows = tuple(
        (f"[{hit.rank}]", _passage(hit.chunk), "in the prompt" if n < prompt.passages else "dropped to fit")
        for n, hit in enumerate(hits)
    )
    return Stage("answer", "Build the prompt", note, ("cites", "passage", "prompt"), rows)


def _passage(chunk: Chunk) -> str:
    return chunk.title if chunk.section in ("", chunk.title) else f"{chunk.title} · {chunk.section}"


def _matched(asked: Sequence[str], chunk: Chunk) -> list[str]:
    held = set(terms(chunk.search_text))
    return list(dict.fromkeys(term for term in asked if term in held))


def _moved(was: int, rank: int) -> str:
    if was == rank:
        return f"{was} ="
    return f"{was} {'▲' if was > rank else '▼'}{abs(was - rank)}"


def _best_sentence(asked: Sequence[str], chunk: Chunk) -> str:
    """The chunk's sentence that the rerank scores best, without the heading line that a chunk's first
    sentence is read with (the passage column shows it)."""
    return matching_sentence(asked, chunk.search_text).removeprefix(chunk.heading).strip()


def _cut(sentence: str) -> str:
    """The sentence on one line (a passage's first comes after its heading line), cut to SENTENCE_CHARS."""
    sentence = " ".join(sentence.split())
    return sentence if len(sentence) <= SENTENCE_CHARS else sentence[: SENTENCE_CHARS - 1].rstrip() + "…"


def _embedding(trace: SearchTrace, embedder: Embedder) -> Stage:
    vector = trace.query
    if trace.embed_ms < 1:  # the embedder keeps recent queries' vectors (a follow-up's is made while reading it)
        made = (
            f"{embedder.name} had already turned this question into {len(vector)} numbers (the vectors of "
            "recent questions are kept), so none of its time was spent now."
        )
    else:
        made = f"{embedder.name} turned the question into {len(vector)} numbers in {trace.embed_ms:.0f} ms."
    note = (
        f"{made} Their length (norm) is {float(np.linalg.norm(vector)):.3f}: vectors are normalised, so a dot "
        "product is the cosine."
    )
    rows = tuple((str(n), f"{value:+.4f}") for n, value in enumerate(vector[:VECTOR_VALUES].tolist()))
    return Stage("embed", "Embed the question", note, ("dimension", "value"), rows)


def _dense(trace: SearchTrace, kb: KnowledgeBase, shown: int) -> Stage:
    note = f"FAISS finds the passages whose embeddings point closest to the question's, of {len(kb.chunks):,}."
    rows = tuple(
        (str(rank), _passage(kb.chunks[i]), f"{cosine:.3f}") for rank, (i, cosine) in enumerate(trace.dense[:shown], 1)
    )
    return Stage("dense", "Dense search: cosine similarity", note, ("rank", "passage", "cosine"), rows)


def _lexical(question: str, trace: SearchTrace, kb: KnowledgeBase, shown: int) -> Stage:
    asked = asked_terms(question)
    note = (
        "BM25 scores the passages on the words saying what is asked (stemmed, without stop words and "
        f"question wording such as what, how, does): {', '.join(asked)}."
    )
    rows = tuple(
        (str(rank), _passage(kb.chunks[i]), f"{bm25:.2f}", ", ".join(_matched(asked, kb.chunks[i])))
        for rank, (i, bm25) in enumerate(trace.lexical[:shown], 1)
    )
    return Stage("lexical", "Lexical search: BM25", note, ("rank", "passage", "BM25", "matched terms"), rows)


def _fusion(trace: SearchTrace, kb: KnowledgeBase, shown: int) -> Stage:
    ids = [i for i, _ in trace.fused]
    dense_z = dict(zip(ids, z_scores([trace.dense_all[i] for i in ids]).tolist()))
    lexical_z = dict(zip(ids, z_scores([trace.lexical_all[i] for i in ids]).tolist()))
    note = (
        f"Both scores of all {len(ids)} candidates are z-normalised (how many standard deviations above the "
        f"candidates' mean), then fused: {DENSE_WEIGHT} × dense z + {LEXICAL_WEIGHT} × BM25 z."
    )
    rows = tuple(
        (
            str(rank),
            _passage(kb.chunks[i]),
            f"{trace.dense_all[i]:.3f}",
            f"{dense_z[i]:+.2f}",
            f"{trace.lexical_all[i]:.2f}",
            f"{lexical_z[i]:+.2f}",
            f"{fused:+.2f}",
        )
        for rank, (i, fused) in enumerate(trace.fused[:shown], 1)
    )
    columns = ("rank", "passage", "cosine", "dense z", "BM25", "BM25 z", "fused")
    return Stage("fusion", "Fusion of the two scores", note, columns, rows)


def _rerank(question: str, trace: SearchTrace, kb: KnowledgeBase) -> Stage:
    asked = terms(question)
    before = {i: rank for rank, (i, _) in enumerate(trace.fused, 1)}
    depth = min(RERANK_DEPTH, MAX_ROWS, len(trace.reranked))
    note = (
        f"The top {depth} are reordered by their best single sentence: how many of the question's words and "
        "word pairs it holds, and how close it is in meaning."
    )
    acronyms = acronyms_asked(question)
    if acronyms:
        note += (
            f" The question asks what {' and '.join(acronyms)} means: a passage with a sentence that spells it out "
            f"gains {SPELLED_OUT_WEIGHT:g}."
        )
    rows = tuple(
        (
            str(rank),
            _moved(before[i], rank),
            _passage(kb.chunks[i]),
            _cut(_best_sentence(asked, kb.chunks[i])),
        )
        for rank, (i, _) in enumerate(trace.reranked[:depth], 1)
    )
    return Stage("rerank", "Rerank by the best sentence", note, ("rank", "was", "passage", "best sentence"), rows)


def _own_words(weighing: OwnWords, hits: Sequence[Hit]) -> Stage:
    before = {hit.chunk.id: hit.rank for hit in weighing.rewritten}
    note = (
        f'The follow-up was searched as asked too, "{weighing.asked}". Each passage now scores '
        f"{1 - OWN_WORDS_WEIGHT:g} × its score as rewritten + {OWN_WORDS_WEIGHT:g} × the best score of its document as "
        "asked, so that the words carried from the conversation do not pull a follow-up that moves on back to the "
        "earlier document."
    )
    rows = tuple(
        (
            str(hit.rank),
            _moved(before[hit.chunk.id], hit.rank) if hit.chunk.id in before else "new",
            _passage(hit.chunk),
            f"{weighing.as_rewritten(hit):.2f}",
            f"{weighing.document_as_asked(hit):.2f}",
            f"{hit.score:.2f}",
        )
        for hit in hits[:MAX_ROWS]
    )
    columns = ("rank", "was", "passage", "as rewritten", "document as asked", "weighed")
    return Stage("own-words", "Weigh by the follow-up's own words", note, columns, rows)
