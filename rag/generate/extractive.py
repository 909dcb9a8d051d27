"""The default answer: the retrieved sentences that best answer the question, each cited.

No LLM is involved, so it cannot invent anything: it only quotes the documents. Sentences of
the top hits are scored against the question (embedding cosine blended with stemmed word
overlap); one to three are chosen with maximal marginal relevance so they don't repeat each
other, a sentence opening with a pronoun brings the sentence before it, and when even the best
sentence is a weak match the answer says plainly that the documents don't answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from rag.corpus import sentence_spans
from rag.embed import Embedder
from rag.events import Hit
from rag.generate.base import NOT_FOUND
from rag.lexical import tokenize

HITS_TO_READ = 3
MAX_SENTENCES = 2
MAX_WORDS = 80
LEXICAL_WEIGHT = 0.5
MMR_LAMBDA = 0.7
# Keep a further sentence only if it scores at least this share of the best one.
FOLLOWER_RATIO = 0.8
# Below this blended score the best sentence is not evidence; calibrated with `python -m rag eval`.
NOT_FOUND_THRESHOLD = 0.35
_PRONOUN_START = re.compile(
    r"^(it|its|this|that|these|those|they|them|their|he|she|his|her|such|however|also|thus|then)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Sentence:
    hit: int  # the 1-based citation number of the hit it comes from
    position: int  # its index among that hit's sentences
    text: str
    previous: str  # the sentence before it in the chunk, or ""


class ExtractiveBackend:
    name = "extractive"
    label = "extractive (no LLM)"

    def __init__(self, embedder: Embedder):
        self.embedder = embedder

    def stream(self, question: str, hits: Sequence[Hit]) -> Iterator[str]:
        chosen = self.choose(question, hits)
        if not chosen:
            yield NOT_FOUND
            return
        for n, sentence in enumerate(chosen):
            lead = " " if n else ""
            yield f"{lead}{sentence.text} [{sentence.hit}]"

    def choose(self, question: str, hits: Sequence[Hit]) -> list[Sentence]:
        """The sentences to answer with, in reading order, or [] when none is good enough."""
        sentences = [s for hit in hits[:HITS_TO_READ] for s in _sentences(hit)]
        if not sentences:
            return []
        query = self.embedder.encode_query(question)
        vectors = self.embedder.encode([s.text for s in sentences])
        scores = vectors @ query + LEXICAL_WEIGHT * _overlap(question, [s.text for s in sentences])
        if scores.max() < NOT_FOUND_THRESHOLD:
            return []
        picked = _mmr(scores, vectors)
        chosen = _with_antecedents([sentences[i] for i in picked])
        return sorted(chosen, key=lambda s: (s.hit, s.position))


def _sentences(hit: Hit) -> list[Sentence]:
    texts = _split(hit.chunk.text)
    return [Sentence(hit.rank, i, text, texts[i - 1] if i else "") for i, text in enumerate(texts)]


@lru_cache(maxsize=4096)
def _split(text: str) -> tuple[str, ...]:
    return tuple(
        " ".join(text[s.start : s.end].split())
        for s in sentence_spans(text, 0, len(text))
        if not text[s.start : s.end].lstrip().startswith("#")
    )


def _overlap(question: str, texts: Sequence[str]) -> np.ndarray:
    """The share of the question's (stemmed, non-stop) words that each text contains."""
    tokens = tokenize([question, *texts])
    asked = set(tokens[0])
    if not asked:
        return np.zeros(len(texts), dtype=np.float32)
    return np.array([len(asked & set(t)) / len(asked) for t in tokens[1:]], dtype=np.float32)


def _mmr(scores: np.ndarray, vectors: np.ndarray) -> list[int]:
    picked = [int(np.argmax(scores))]
    while len(picked) < MAX_SENTENCES:
        redundancy = (vectors @ vectors[picked].T).max(axis=1)
        mmr = MMR_LAMBDA * scores - (1 - MMR_LAMBDA) * redundancy
        mmr[picked] = -np.inf
        best = int(np.argmax(mmr))
        if scores[best] < FOLLOWER_RATIO * scores[picked[0]]:
            break
        picked.append(best)
    return picked


def _with_antecedents(chosen: list[Sentence]) -> list[Sentence]:
    """Add the sentence before any chosen one that opens with a pronoun, within the word budget."""
    result = list(chosen)
    words = sum(len(s.text.split()) for s in result)
    for sentence in chosen:
        if not (sentence.previous and _PRONOUN_START.match(sentence.text)):
            continue
        before = Sentence(sentence.hit, sentence.position - 1, sentence.previous, "")
        if any((s.hit, s.position) == (before.hit, before.position) for s in result):
            continue
        if words + len(before.text.split()) <= MAX_WORDS:
            result.append(before)
            words += len(before.text.split())
    return result
