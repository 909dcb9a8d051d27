"""Turn a follow-up question into a standalone search query, without a model.

"What is HNSW?" then "What are its drawbacks?": searched on its own words the follow-up finds
nothing about HNSW. `standalone_query` carries the conversation's topic into a follow-up that
refers back to it and leaves a question that stands on its own as it was asked.

A question refers back when it opens with a continuation ("and …", "so …", "what about …"), when
it holds an anaphor (it, its, they, this, these, one…) before anything it could refer to inside the
question, or when none of its content words is specific: a name (an acronym, a mixed-case or
alphanumeric word, a capitalised word after the first) or a word that few documents of the corpus
use (`Vocabulary`). Function words are NLTK's English stop words as bm25s ships them.

The topic is that of the last question that stood on its own: its runs of adjacent content words
("maximal marginal relevance", "HNSW"), the head being the first run with a name in it, else the
one with the rarest word. A follow-up gets it this way:

- "it/its/they/them/their" is replaced by the head ("What are HNSW's drawbacks?");
- a follow-up that brings a name of its own that the conversation has not used ("What about
  IVF?") is about that name instead: the earlier question's other words are carried, its names
  dropped ("What about IVF? — drawbacks");
- any other follow-up gets the topic appended ("Why is that? — IVF index, few hundred chunks").

A follow-up keeps the topic it was given, so a third question still refers to the first one's.
Everything is word lists and dictionary look-ups: microseconds a question, deterministic.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bm25s.stopwords import STOPWORDS_EN_PLUS

from rag.corpus import Chunk
from rag.lexical import terms

# A word that at most this share of the corpus's documents use is specific enough to carry a topic.
RARE_SHARE = 0.1
CONTINUATIONS = ("and", "or", "but", "so", "then", "also", "what about", "how about", "what if")
PERSONAL = {"it": "", "its": "'s", "they": "", "them": "", "their": "'s"}
ANAPHORS = frozenset({*PERSONAL, "this", "that", "these", "those", "one", "ones", "both", "former", "latter", "there"})
# A question with no name needs this many words few documents use to stand on its own.
MIN_RARE_WORDS = 2
_FUNCTION_WORDS = frozenset(STOPWORDS_EN_PLUS) | {"would", "could", "may", "might", "must", "shall", "get", "got"}
_WORD = re.compile(r"\w(?:[\w'’.+-]*\w)?")
_CONTINUATION = re.compile(r"(?:" + "|".join(c.replace(" ", r"\s+") for c in CONTINUATIONS) + r")\b", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)


@dataclass(frozen=True)
class Vocabulary:
    """How many of a corpus's documents use each stemmed term."""

    document_frequency: dict[str, int]
    documents: int

    @classmethod
    def of(cls, documents: Iterable[str]) -> Vocabulary:
        counts: Counter[str] = Counter()
        total = 0
        for text in documents:
            counts.update(set(terms(text)))
            total += 1
        return cls(dict(counts), total)

    @classmethod
    def of_chunks(cls, chunks: Iterable[Chunk]) -> Vocabulary:
        """The vocabulary of the documents these chunks come from (a knowledge base's `chunks`)."""
        texts: dict[str, list[str]] = {}
        for chunk in chunks:
            texts.setdefault(chunk.source, []).append(chunk.text)
        return cls.of("\n".join(parts) for parts in texts.values())

    def rare(self, word: str) -> bool:
        """Whether a term of `word` is used by at most RARE_SHARE of the documents (a word the
        corpus never uses is rare)."""
        limit = max(1, math.floor(RARE_SHARE * self.documents))
        return any(self.document_frequency.get(term, 0) <= limit for term in terms(word))


@dataclass(frozen=True)
class _Topic:
    runs: tuple[tuple[str, ...], ...]  # runs of adjacent content words, in order
    head: tuple[str, ...]  # the run a pronoun stands for

    @property
    def words(self) -> list[str]:
        return [word for run in self.runs for word in run]


def standalone_query(question: str, history: Sequence[str], vocabulary: Vocabulary) -> str:
    """`question` rewritten to stand on its own, given the earlier user questions (oldest first).
    A question without history, or one that does not refer back, is returned unchanged."""
    topic: _Topic | None = None
    query = question
    for asked in [*history, question]:
        if topic is None or not refers_back(asked, vocabulary):
            query, topic = asked, _topic_of(asked, vocabulary)
        else:
            query, topic = _follow_up(asked, topic, vocabulary)
    return query


def refers_back(question: str, vocabulary: Vocabulary) -> bool:
    """Whether the question leans on an earlier turn (see the module docstring)."""
    if _CONTINUATION.match(question.strip()):
        return True
    words = _words(question)
    if _open_anaphor(words) is not None:
        return True
    names = sum(_named(word, n) for n, word in enumerate(words))
    rare = sum(_content(word) and vocabulary.rare(word) for word in words)
    return names == 0 and rare < MIN_RARE_WORDS


def _open_anaphor(words: Sequence[str], kinds: frozenset[str] = ANAPHORS) -> str | None:
    """The first anaphor of `kinds` that no name before it in the question can resolve, or None.
    "there" counts only where it points somewhere ("the bug there"), not in "is there"."""
    for n, word in enumerate(words):
        lowered = word.lower()
        if _named(word, n):
            return None
        if lowered in kinds or (lowered == "there" and "there" in kinds and not _existential(words, n)):
            return word
    return None


def _existential(words: Sequence[str], n: int) -> bool:
    around = {w.lower() for w in words[max(0, n - 1) : n + 2]}
    return bool(around & {"is", "are", "was", "were", "be"})


def _follow_up(question: str, topic: _Topic, vocabulary: Vocabulary) -> tuple[str, _Topic]:
    words = _words(question)
    known = set(terms(" ".join(topic.words)))
    new_names = [w for n, w in enumerate(words) if _named(w, n) and not set(terms(w)) <= known]
    pronoun = _open_anaphor(words, frozenset(PERSONAL))
    if new_names and pronoun is None:
        kept = [w for w in topic.words if not _named(w, 1) and not set(terms(w)) & set(terms(question))]
        own = _topic_of(question, vocabulary)
        return _with_context(question, kept), _Topic((*own.runs, tuple(kept)) if kept else own.runs, own.head)
    if pronoun is not None:
        resolved = _replace(question, pronoun, " ".join(topic.head))
        rest = [w for run in topic.runs if run != topic.head for w in run]
        return _with_context(resolved, _missing(rest, resolved)), topic
    return _with_context(question, _missing(topic.words, question)), topic


def _replace(question: str, pronoun: str, head: str) -> str:
    """The question with its first `pronoun` (a whole word) replaced by `head`."""
    ending = PERSONAL[pronoun.lower()]
    return re.sub(rf"\b{re.escape(pronoun)}\b", lambda _: head + ending, question, count=1)


def _missing(words: Sequence[str], text: str) -> list[str]:
    """The words whose terms `text` does not already hold."""
    present = set(terms(text))
    return [w for w in words if not set(terms(w)) <= present]


def _with_context(question: str, words: Sequence[str]) -> str:
    return f"{question} — {' '.join(words)}" if words else question


def _topic_of(question: str, vocabulary: Vocabulary) -> _Topic:
    runs: list[list[str]] = [[]]
    for word in _words(question):
        if word.lower() in _FUNCTION_WORDS:
            runs.append([])
        else:
            runs[-1].append(_POSSESSIVE.sub("", word))
    found = tuple(tuple(run) for run in runs if run)
    if not found:
        return _Topic((), ())
    named = [run for run in found if any(_named(word, 1) for word in run)]
    rare = [run for run in found if any(vocabulary.rare(word) for word in run)]
    return _Topic(found, named[0] if named else max(rare or found, key=len))


def _words(question: str) -> list[str]:
    return _WORD.findall(question)


def _content(word: str) -> bool:
    return word.lower() not in _FUNCTION_WORDS


def _named(word: str, position: int) -> bool:
    """Shaped like a name: an acronym or mixed-case word (HNSW, IndexIVFFlat), letters with digits
    (BM25), or a capitalised word that does not open the question."""
    bare = _POSSESSIVE.sub("", word)
    if bare.lower() in _FUNCTION_WORDS or not any(c.isalpha() for c in bare):
        return False
    mixed = any(c.isupper() for c in bare[1:])
    return mixed or (position > 0 and bare[0].isupper())
