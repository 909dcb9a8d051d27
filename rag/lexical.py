"""BM25 scoring with `bm25s`: English stemming and stop words, scores for every chunk at once."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import bm25s
import numpy as np
import Stemmer


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    return bm25s.tokenize(list(texts), stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False)


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
