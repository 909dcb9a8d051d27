"""How an answer cites its passages: `[n]` names the n-th retrieved hit, counted from 1."""

from __future__ import annotations

import re
from collections.abc import Sequence

CITATION = re.compile(r"\[(\d+)\]")


def cited_numbers(answer: str, hits: Sequence[object]) -> list[int]:
    """The hit numbers that `answer` cites as [n], in order of first citation, valid ones only."""
    seen: list[int] = []
    for match in CITATION.finditer(answer):
        n = int(match.group(1))
        if 1 <= n <= len(hits) and n not in seen:
            seen.append(n)
    return seen


def quoted_sentences(answer: str) -> tuple[tuple[int, str], ...]:
    """(n, text) for the text before each [n] citation in `answer`: the sentences it took from hit n.

    One pass over the citations (a regex that also matched the quoted text was quadratic in the
    answer's length, and this runs at every update of a long answer).
    """
    quotes, cursor = [], 0
    for match in CITATION.finditer(answer):
        text = answer[cursor : match.start()].strip()
        if text:
            quotes.append((int(match.group(1)), text))
        cursor = match.end()
    return tuple(quotes)
