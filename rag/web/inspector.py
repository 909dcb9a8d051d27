"""The prompt inspector's view: the exact messages a model receives, coloured by part, with their cost.

Each message is shown as its exact text, every part (rules, markup, a fenced passage, the reminder,
the earlier questions and answers, the question) in its own colour and named by a label drawn by the
stylesheet (`data-label`, so copying the text copies the prompt and nothing else). Above them: whose
prompt it is, the tokens it takes against the context budget as a bar per kind of part, the question
as searched when a follow-up was rewritten, and the passages dropped or cut to fit.
"""

from __future__ import annotations

import html
from collections import Counter

from rag.generate.prompt import Part, PromptInspection
from rag.inspector import InspectedPrompt

KINDS = {  # kind of part: its name in the legend
    "rules": "rules",
    "passage": "passages",
    "reminder": "reminder",
    "history": "earlier questions",
    "said": "earlier answers",
    "question": "question",
    "markup": "markup",
}


def prompt_html(inspected: InspectedPrompt) -> str:
    inspection = inspected.inspection
    return (
        f'<div class="prompt">{_heading(inspected)}{_question_line(inspected)}{_budget(inspection)}'
        f"{_fit(inspection)}{''.join(_message(role, parts, inspection) for role, parts in inspection.prompt.parts)}"
        "</div>"
    )


def _heading(inspected: InspectedPrompt) -> str:
    backend = html.escape(inspected.backend)
    if inspected.sent:
        return f"<h2>What {backend} receives</h2>"
    return (
        f'<h2>What a language model would receive</h2><p class="note">The {backend} answer sends no prompt: it '
        "quotes the passages itself. This is the prompt an LLM backend would send with the same settings.</p>"
    )


def _question_line(inspected: InspectedPrompt) -> str:
    if inspected.query == inspected.question:
        return ""
    return (
        f'<p class="note">The question, read with the conversation, was searched and put in the prompt as '
        f"“{html.escape(inspected.query)}” (asked: “{html.escape(inspected.question)}”).</p>"
    )


def _budget(inspection: PromptInspection) -> str:
    """The tokens of each kind of part as a bar against the budget, and the total."""
    spent: Counter[str] = Counter()
    for _, parts in inspection.prompt.parts:
        for part in parts:
            spent[part.kind] += inspection.part_tokens(part)
    scale = max(inspection.budget, inspection.tokens, 1)
    bars = "".join(
        f'<i class="kind-{kind}" style="width:{100 * spent[kind] / scale:.1f}%"></i>' for kind in KINDS if spent[kind]
    )
    legend = "".join(
        f'<span><i class="kind-{kind}"></i>{name} {spent[kind]:,}</span>' for kind, name in KINDS.items() if spent[kind]
    )
    total = f"{inspection.tokens:,} of {inspection.budget:,} tokens"
    return (
        f'<p class="total"><b>{total}</b>: the budget is the context window less the room kept for the answer</p>'
        f'<div class="budget" role="img" aria-label="{total}">{bars}</div><div class="legend">{legend}</div>'
    )


def _fit(inspection: PromptInspection) -> str:
    prompt, dropped = inspection.prompt, inspection.dropped
    if not inspection.hits:
        return '<p class="fit">The search found no passages.</p>'
    lines = []
    if dropped:
        names = ", ".join(f"[{hit.rank}] {html.escape(hit.chunk.title)}" for hit in dropped)
        lines.append(f"Dropped to fit the budget: {names}.")
    else:
        lines.append(f"All {prompt.passages} passages fit.")
    if prompt.cut:
        lines.append("The best passage alone was too long and is cut at a word boundary.")
    return f'<p class="fit">{" ".join(lines)}</p>'


def _message(role: str, parts: list[Part], inspection: PromptInspection) -> str:
    spans = "".join(_part(part, inspection.part_tokens(part)) for part in parts)
    return f'<section class="message"><h3>{role} message</h3><pre>{spans}</pre></section>'


def _part(part: Part, tokens: int) -> str:
    name = f"passage [{part.rank}]" if part.rank is not None else KINDS[part.kind]
    label = "" if part.kind == "markup" else f' data-label="{name} · {tokens:,} tokens"'
    return f'<span class="part part-{part.kind}"{label}>{html.escape(part.text, quote=False)}</span>'
