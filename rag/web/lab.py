"""The retrieval lab's view: the dense, lexical and hybrid rankings of one question side by side.

Each passage gets a letter (in the order the hybrid ranking, then the others, first show it) and a
colour, the same in every column, so the eye can follow a passage across the rankings; each row
says where the passage stands in the other rankings. Under each column, the answer its ranking
gives. Everything a document or a visitor wrote is escaped.
"""

from __future__ import annotations

import html
import string

from rag.events import Hit
from rag.lab import Comparison, Ranking
from rag.web.answer import duration_label

HOW_SCORED = {
    "dense": "cosine of the question's and the passage's embeddings (FAISS)",
    "lexical": "BM25 over stemmed words",
    "hybrid": "0.7 × dense + 0.3 × BM25 (z-scored), reordered by each passage's best sentence",
}
GOLDEN_ANGLE = 137.5  # degrees between successive passages' hues, so neighbours in the order differ


def lab_html(comparison: Comparison) -> str:
    order = _passage_order(comparison.rankings)
    places = {r.mode: {hit.chunk.id: hit.rank for hit in r.hits} for r in comparison.rankings}
    columns = "".join(_column(ranking, order, places) for ranking in comparison.rankings)
    searched = ""
    if comparison.query != comparison.question:
        searched = (
            f'<p class="note">Searched as “{html.escape(comparison.query)}”, the question read with the '
            f"conversation (asked: “{html.escape(comparison.question)}”).</p>"
        )
    return f'<div class="lab">{searched}<div class="rankings">{columns}</div></div>'


def _passage_order(rankings: list[Ranking]) -> dict[str, int]:
    """Each passage's number among all the rankings' passages: the hybrid ranking's first, then the others'."""
    order: dict[str, int] = {}
    for ranking in sorted(rankings, key=lambda r: r.mode != "hybrid"):
        for hit in ranking.hits:
            order.setdefault(hit.chunk.id, len(order))
    return order


def _column(ranking: Ranking, order: dict[str, int], places: dict[str, dict[str, int]]) -> str:
    rows = "".join(_row(hit, order[hit.chunk.id], ranking.mode, places) for hit in ranking.hits)
    return (
        f'<section class="ranking {ranking.mode}"><h3>{ranking.mode} '
        f'<span class="took">{duration_label(ranking.search_ms)}</span></h3>'
        f'<p class="how">{HOW_SCORED[ranking.mode]}</p><ol>{rows}</ol>'
        f'<div class="lab-answer"><h4>Its answer</h4><p>{html.escape(ranking.answer)}</p></div></section>'
    )


def _row(hit: Hit, number: int, mode: str, places: dict[str, dict[str, int]]) -> str:
    chunk = hit.chunk
    section = f" · {html.escape(chunk.section)}" if chunk.section and chunk.section != chunk.title else ""
    return (
        f'<li data-passage="{_letter(number)}"><span class="tag" style="background:{_colour(number)}">'
        f"{_letter(number)}</span> <b>{html.escape(chunk.title)}</b>{section} "
        f'<span class="score">{hit.score:.3f}</span><span class="elsewhere">{_elsewhere(hit, mode, places)}</span></li>'
    )


def _elsewhere(hit: Hit, mode: str, places: dict[str, dict[str, int]]) -> str:
    """Where the passage stands in the other rankings: "dense #2 · lexical —" (— : not in its list)."""
    shown = []
    for other, ranks in places.items():
        if other != mode:
            rank = ranks.get(hit.chunk.id)
            shown.append(f"{other} #{rank}" if rank else f"{other} —")
    return " · ".join(shown)


def _letter(number: int) -> str:
    """A, B, …, Z, then AA, AB, …"""
    letters = string.ascii_uppercase
    return letters[number] if number < len(letters) else _letter(number // len(letters) - 1) + letters[number % 26]


def _colour(number: int) -> str:
    return f"hsl({number * GOLDEN_ANGLE % 360:.0f} 80% 85%)"
