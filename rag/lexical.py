"""BM25 scoring with `bm25s`, and the one tokenizer of the project: English stemming and stop words."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

TOKEN = re.compile(r"(?u)\b\w\w+\b")  # bm25s's default token pattern
_STOPWORDS = frozenset(STOPWORDS_EN)


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Each text as BM25 sees it, in one batch (bm25s stems each distinct word once)."""
    return bm25s.tokenize(
        list(texts),
        token_pattern=TOKEN.pattern,
        stopwords="en",
        stemmer=_stemmer(),
        return_ids=False,
        show_progress=False,
    )


def terms(text: str) -> tuple[str, ...]:
    """One text's lower-cased, stemmed words without stop words, in order: `tokenize` for one text,
    without the batch machinery (this runs on every sentence a search or an answer weighs)."""
    words = [w for w in TOKEN.findall(text.lower()) if w not in _STOPWORDS]
    return tuple(_stemmer().stemWords(words))


class LexicalIndex:
    def __init__(self, texts: Sequence[str]):
        self.size = len(texts)
        self._bm25 = bm25s.BM25()
        if texts:
            self._bm25.index(tokenize(texts), show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of `query` against every indexed text (zeros where no term matches)."""
        terms = tokenize([query])[0]
        if not self.size or not terms:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(terms), dtype=np.float32)
