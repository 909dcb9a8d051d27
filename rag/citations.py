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
