"""What the page shows, as HTML and Markdown: pure functions of what an answer's reader sees.

Everything a document, a model or a visitor wrote is escaped before it reaches the page. The
conversation's messages are escaped character by character, so a log that only gains lines and an
answer that only grows only gain text at their end, and stream to the browser as appends. The
conversation is drawn as text, not Markdown, so its citations' brackets stay as written (and copy
as written); the Markdown answers of the comparison tab have their square brackets escaped, so they
never become a Markdown link or image. The
sources show the sentences the answer quoted (the text before each `[n]`) marked in their passage.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from functools import lru_cache

from rag.citations import cited_numbers, quoted_sentences
from rag.events import Hit, Stage
from rag.uploads import SessionCorpus
from rag.web import page
from rag.web.answer import AnswerView, Pane, duration_label

SNIPPET_CHARS = 160
HEADING_QUESTION_CHARS = 200  # of the question, in the sources' heading
STREAMING_MARK = '<span class="streaming"></span>'  # shown in #answer-state while an answer streams
NOTICE_TEMPLATE = '<div class="notice" role="status">${value}</div>'  # the element stays, so changes are announced


def log_template(label: str, label_id: str) -> str:
    """A status log: a scroller that screen readers follow as a log, its newest line kept in view by the CSS."""
    return (
        f'<div class="log-label" id="{label_id}">{label}</div>'
        f'<div class="log" role="log" aria-live="polite" aria-labelledby="{label_id}" tabindex="0">'
        "<div>${value}</div></div>"
    )


def log_html(text: str) -> str:
    """A status log's lines, one element each. Escaping is per character, so a log that only gains
    lines only gains HTML at its end, and streams as appends."""
    return "".join(f"<div>{html.escape(line, quote=False)}</div>" for line in text.splitlines())


# Text drawn as HTML (the conversation's messages) could otherwise hold a tag, and an image tag
# would have the browser fetch a URL carrying data (`<img src=http://…?q=…>`). In Markdown, square
# brackets are escaped too, for the same reason: no link or image is ever made (`![x](http://…?q=…)`).
_MARKDOWN_BRACKETS = str.maketrans({"[": "\\[", "]": "\\]"})


def chat_text(text: str) -> str:
    """`text` as a conversation message (drawn as HTML, not Markdown) that shows it as written.
    Escaping is per character, so escaped text that only grows still only grows, and streams as appends."""
    return html.escape(text, quote=False)


def markdown_text(text: str) -> str:
    """`text` as Markdown that shows it as written, escaped per character as `chat_text` is."""
    return chat_text(text).translate(_MARKDOWN_BRACKETS)


def unescaped(text: str) -> str:
    """Undo `chat_text`: the message's text as it was written."""
    return html.unescape(text)


def answer_markdown(view: AnswerView) -> str:
    """The answer as Markdown that shows its text as written."""
    return markdown_text(view.answer)


def streaming_mark(view: AnswerView) -> str:
    """Shows the answer's cursor while it streams: a hidden element the page's CSS looks for, so the
    answer's text only grows and the answer component itself is never re-rendered for it."""
    return "" if view.finished else STREAMING_MARK


def used_spans(text: str, sentences: Sequence[str]) -> list[tuple[int, int]]:
    """Where in `text` each of `sentences` occurs, ignoring differences in white space."""
    spans = []
    for sentence in sentences:
        words = sentence.split()
        found = re.search(r"\s+".join(map(re.escape, words)), text) if words else None
        if found:
            spans.append(found.span())
    return sorted(spans)


def marked(text: str, spans: Sequence[tuple[int, int]], start: int = 0, end: int | None = None) -> str:
    """text[start:end], HTML-escaped, with the `spans` inside it wrapped in <mark>."""
    end = len(text) if end is None else end
    parts, cursor = [], start
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, cursor), min(span_end, end)
        if span_start >= span_end:
            continue
        parts.append(html.escape(text[cursor:span_start]))
        parts.append(f"<mark>{html.escape(text[span_start:span_end])}</mark>")
        cursor = span_end
    parts.append(html.escape(text[cursor:end]))
    return "".join(parts)


def snippet(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """A short window of `text` around the first used sentence (or its opening), escaped and marked."""
    if spans:
        start = max(0, spans[0][0] - SNIPPET_CHARS // 2)
        end = min(len(text), spans[0][1] + SNIPPET_CHARS // 2)
    else:
        start, end = 0, min(len(text), 2 * SNIPPET_CHARS)
    if start > 0:  # begin and end at word boundaries
        start = text.find(" ", start) + 1 or start
    if end < len(text) and text.rfind(" ", start, end) > start:
        end = text.rfind(" ", start, end)
    lead = "… " if start > 0 else ""
    tail = " …" if end < len(text) else ""
    return f"{lead}{marked(text, spans, start, end)}{tail}"


def score_label(score: float | None) -> str:
    return "–" if score is None else f"{score:.3f}"


def source_card(hit: Hit, quotes: Sequence[str]) -> str:
    chunk = hit.chunk
    spans = used_spans(chunk.text, quotes)
    section = "" if chunk.section in ("", chunk.title) else f" · {html.escape(chunk.section)}"
    scores = (
        f"fused {score_label(hit.score)} · dense {score_label(hit.dense_score)} · "
        f"lexical {score_label(hit.lexical_score)}"
    )
    return (
        f'<details class="source"><summary><span class="cite">[{hit.rank}]</span> '
        f'<b>{html.escape(chunk.title)}</b><span class="where">{section}</span> '
        f'<span class="file">{html.escape(chunk.source)}</span>'
        f'<span class="scores">{scores}</span>'
        f'<span class="snippet">{snippet(chunk.text, spans)}</span></summary>'
        f'<div class="chunk">{marked(chunk.text, spans)}</div></details>'
    )


def passages_role(view: AnswerView) -> str:
    """What the retrieved passages are to the answer: "sources" once it cites one; "unused" when it
    finished without citing any (such as a refusal); until then just "found"."""
    if cited_numbers(view.answer, view.hits):
        return "sources"
    if view.finished and not view.stopped and not view.error:
        return "unused"
    return "found"


@lru_cache(maxsize=256)  # asked for at every update, but changes only when the answer cites something new
def sources_html(question: str, hits: tuple[Hit, ...], quotes: tuple[tuple[int, str], ...], role: str) -> str:
    if not hits:
        return ""
    cards = "".join(source_card(hit, [text for n, text in quotes if n == hit.rank]) for hit in hits)
    asked = f"“{html.escape(shortened(question.strip(), HEADING_QUESTION_CHARS))}”"
    if role == "unused":
        heading = (
            "<h2>Closest passages (not used)</h2>"
            f'<p class="note">The answer cites none of these: they are the closest the search found to {asked}.</p>'
        )
    else:
        heading = f"<h2>{'Sources' if role == 'sources' else 'Passages found'} for {asked}</h2>"
    return f'<div class="sources {role}">{heading}{cards}</div>'


def shortened(text: str, limit: int) -> str:
    """`text`, cut at a word to at most `limit` characters with an ellipsis if it is longer."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip() + "…"


def chart_row(label: str, title: str, bars: str, value: str) -> str:
    return (
        f'<div class="row"><span class="label" title="{html.escape(title)}">{html.escape(label)}</span>'
        f'<span class="track">{bars}</span><span class="value">{value}</span></div>'
    )


def bar(kind: str, start: float, width: float) -> str:
    return f'<i class="bar {kind}" style="left:{100 * start:.1f}%;width:{100 * width:.1f}%"></i>'


@lru_cache(maxsize=256)
def scores_chart(hits: tuple[Hit, ...]) -> str:
    """Each hit's fused, dense and lexical score as three bars, each scaled to its best value among the hits."""
    if not hits:
        return ""
    kinds = {"fused": "score", "dense": "dense_score", "lexical": "lexical_score"}
    best = {
        kind: max((score for hit in hits if (score := getattr(hit, attr)) is not None), default=0.0) or 1.0
        for kind, attr in kinds.items()
    }
    rows = []
    for hit in hits:
        scores = {kind: getattr(hit, attr) for kind, attr in kinds.items()}
        bars = "".join(bar(kind, 0, max(score or 0.0, 0.0) / best[kind]) for kind, score in scores.items())
        title = f"{hit.chunk.title}: " + ", ".join(f"{kind} {score_label(score)}" for kind, score in scores.items())
        rows.append(chart_row(f"[{hit.rank}] {hit.chunk.title}", title, bars, score_label(hit.score)))
    legend = "".join(f'<span><i class="{kind}"></i>{kind}</span>' for kind in kinds)
    return f'<div class="chart scores"><h2>Scores</h2><div class="legend">{legend}</div>{"".join(rows)}</div>'


def timings_chart(timings: dict[str, float]) -> str:
    """When each stage of the answer ran, on one time axis from the question to the last word."""
    if "total_ms" not in timings:
        return ""
    total = timings["total_ms"] or 1.0
    embed, search = timings.get("embed_ms", 0.0), timings.get("search_ms", 0.0)
    retrieved = timings.get("retrieval_ms", embed + search)
    first = timings.get("first_token_ms", timings["total_ms"])
    searching_from = max(retrieved - embed - search, 0.0)
    stages = [
        ("Embed the question", searching_from, embed),
        ("Search the index", searching_from + embed, search),
        ("Wait for the first words", retrieved, first - retrieved),
        ("Stream the rest", first, timings["total_ms"] - first),
    ]
    rows = "".join(
        chart_row(name, name, bar("stage", start / total, max(length, 0) / total), duration_label(length))
        for name, start, length in stages
    )
    heading = f"Timings: first words after {duration_label(first)}, done after {duration_label(total)}"
    return f'<div class="chart"><h2>{heading}</h2>{rows}</div>'


def stages_html(stages: Sequence[Stage], paused: bool) -> str:
    """The stages a step-through has shown, each a table of its real data; the newest open."""
    if not stages:
        return ""
    shown = "".join(_stage(n, stage, n == len(stages)) for n, stage in enumerate(stages, 1))
    waiting = '<p class="paused">Paused: press <b>Next stage</b> to go on.</p>' if paused else ""
    return f'<div class="stages"><h2>Pipeline, stage by stage</h2>{shown}{waiting}</div>'


def _stage(number: int, stage: Stage, newest: bool) -> str:
    head = "".join(f"<th>{html.escape(column)}</th>" for column in stage.columns)
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in stage.rows)
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>" if stage.columns else ""
    return (
        f'<details class="stage {stage.name}"{" open" if newest else ""}><summary>{number}. {html.escape(stage.title)}'
        f'</summary><p class="note">{html.escape(stage.note)}</p>{table}</details>'
    )


def adding_notice(names: Sequence[str]) -> str:
    them = "it" if len(names) == 1 else "them"
    return html.escape(f"Adding {', '.join(names)}… questions asked now search without {them}")


def searched_without(names: Sequence[str]) -> str:
    """The status line of an answer asked while the session's uploads `names` are still being added."""
    if len(names) == 1:
        return f"Your upload ({names[0]}) is still being added; this answer searches without it"
    return f"Your uploads ({', '.join(names)}) are still being added; this answer searches without them"


def corpus_summary(corpus: SessionCorpus | None) -> str:
    if corpus is None:
        return "Questions search the shipped corpus."
    names = ", ".join(f"<b>{html.escape(name)}</b>" for name in corpus.uploads)
    return f"Questions search the shipped corpus and your documents: {names}."


def pane_info(pane: Pane, view: AnswerView) -> str:
    """One side of the comparison: when its first text and its whole answer were sent to the page."""
    if pane.first_text_ms is None:
        return html.escape(view.error or "No answer") if view.finished else "Waiting for the first text…"
    done = "" if pane.done_ms is None else f", whole answer after {duration_label(pane.done_ms)}"
    return f"First text after <b>{duration_label(pane.first_text_ms)}</b>{done}"


def answer_drawings(question: str, view: AnswerView) -> str:
    """What the Ask tab shows beside the conversation of its latest answer, as one HTML: the hidden mark
    that shows the answer's cursor while it streams, the stages of a step-through, its sources, score
    chart and timing chart. One component, not five: every output of the answering event is updated
    in the browser at each of its messages, and each costs the page time before it draws the first status."""
    parts = {
        page.ANSWER_STATE: streaming_mark(view),
        page.STAGES: stages_html(view.stages, view.paused),
        page.SOURCES: sources_html(question, view.hits, quoted_sentences(view.answer), passages_role(view)),
        page.SCORES: scores_chart(view.hits),
        page.TIMINGS: timings_chart(view.timings),
    }
    return "".join(f'<div id="{element.id}">{part}</div>' for element, part in parts.items())
