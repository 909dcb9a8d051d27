"""Streaming RAG, the web app: ask the documents and watch retrieval and the answer arrive as they happen.

The page is one fold over `rag.stream_answer`'s events (see `rag.session.AnswerRun`): a status log
that grows line by line with the time since the question, the answer as it streams, the sources
with the sentences the answer used, and charts of the scores and of where the time went. A second
tab asks the same question twice, waiting for the whole answer and streaming it, to show what
streaming does to the time until the first words appear.

Importing this module builds `demo` without loading the model or the index: both load when the
first page opens or the first question is asked (or in the background when run as `python app.py`),
so tests can launch it on any port. A line under the title follows the loading until it says Ready.
Every update is one message to the browser, so updates are coalesced to at most
MAX_UPDATES_PER_SECOND in any second (fewer each when many answers stream at once), and outputs
that did not change are skipped.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import asyncio
import contextlib
import html
import json
import logging
import re
import threading
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import gradio as gr

from rag.citations import CITATION, cited_numbers
from rag.config import PROJECT_DIR, RETRIEVAL_MODES, STREAM_MODES, Settings
from rag.corpus import DocumentError
from rag.embed import ModelError
from rag.events import Hit, Status, run_to_end
from rag.generate import available_backends
from rag.knowledge import shared_knowledge_base
from rag.pipeline import clean_question
from rag.session import (
    AnswerLimit,
    AnswerRun,
    AnswerView,
    SessionCorpus,
    Sessions,
    StatusLog,
    TooManyAnswers,
    add_uploads,
    display_name,
    duration_label,
)
from rag.streaming import UpdateBudget

log = logging.getLogger(__name__)

SETTINGS = Settings.from_env()
BACKENDS = [name for name in available_backends(SETTINGS) if name in SETTINGS.app_backends]
EXAMPLES_FILE = PROJECT_DIR / "data" / "examples.json"
SESSIONS = Sessions()  # not gr.State: Gradio keeps a closed tab's state for an hour, and this is freed at once

MAX_UPDATES_PER_SECOND = 20  # each update is a message and a re-render in the browser
UPDATE_BURST = 3  # the first status, the sources and the first words go out without waiting
# Each update costs the server CPU, so answers streaming at once share this many updates a second
# (30 at once, measured with `python -m rag bench --parts 5`: p95 time to first event 1.26 s with
# every answer at full rate, 0.68 s sharing 60 a second), never fewer than MIN_UPDATES_PER_SECOND.
SHARED_UPDATES_PER_SECOND = 60
MIN_UPDATES_PER_SECOND = 4
DRAWINGS_AFTER_S = 0.02  # lets the browser draw the words before the sources and charts arrive
DEFAULT_WORDS_PER_SECOND = 25
MAX_WORDS_PER_SECOND = 100
MAX_TOP_K = 20
# Answers mostly wait on the typewriter (a sleeping thread each), so there are slots for a class of 30
# and more; no session (a tab, an API client) may hold more than ANSWERS_PER_SESSION of them, nor one
# address more than ANSWERS_PER_ADDRESS (behind a proxy every visitor has the proxy's address, which
# still leaves others a quarter of the slots).
ASK_CONCURRENCY = 64
ANSWERS_PER_SESSION = 2
ANSWERS_PER_ADDRESS = 48
SESSION_LIMIT = AnswerLimit(ANSWERS_PER_SESSION, "this browser tab or API client")
ADDRESS_LIMIT = AnswerLimit(ANSWERS_PER_ADDRESS, "your address")
UPLOAD_CONCURRENCY = 2  # embedding uploads is CPU-bound
SNIPPET_CHARS = 160
WAYS = ("whole", "token")  # the streaming modes compared side by side
STREAMING_MARK = '<span class="streaming"></span>'  # shown in #answer-state while an answer streams
NOTICE_TEMPLATE = '<div class="notice" role="status">${value}</div>'  # the element stays, so changes are announced


def log_template(label: str, label_id: str) -> str:
    """A status log: a scroller that screen readers follow as a log, its newest line kept in view by the CSS."""
    return (
        f'<div class="log-label" id="{label_id}">{label}</div>'
        f'<div class="log" role="log" aria-live="polite" aria-labelledby="{label_id}" tabindex="0">'
        "<div>${value}</div></div>"
    )


CSS = """
.app-header h1 { margin-bottom: 0; }
.app-header p { margin-top: 0.2em; opacity: 0.8; }
#answer { min-height: 8.5em; }
#answer::before { content: "Answer"; display: block; margin-bottom: 0.4em; font-size: var(--block-label-text-size);
  color: var(--block-label-text-color); }
#answer .md { font-size: 1.15rem; line-height: 1.55; }
#answer-state { display: none !important; }
body:has(#answer-state .streaming) #answer .md > :last-child::after,
body:has(#answer-state .streaming) #answer .md:empty::after {
  content: "▌"; color: var(--color-accent); animation: cursor-blink 1s steps(2, start) infinite;
}
@keyframes cursor-blink { to { visibility: hidden; } }
.log-label { margin-bottom: 0.4em; font-size: var(--block-label-text-size); color: var(--block-label-text-color); }
/* column-reverse starts the scroller at its bottom and keeps it there as lines are added; the lines' box
   grows to fill a short log, so a short log reads from the top */
.log { display: flex; flex-direction: column-reverse; overflow: auto; height: calc(6 * 1.45em + 1em);
  padding: 0.5em 0.7em; border: 1px solid var(--border-color-primary); border-radius: var(--radius-md);
  background: var(--input-background-fill); font-family: var(--font-mono); font-size: 0.8rem; line-height: 1.45;
  white-space: pre-wrap; overflow-wrap: anywhere; }
.log > div { flex-grow: 1; }
#question-hint, #warm-up { font-size: 0.85rem; color: var(--body-text-color-subdued); }
#upload-notice .notice:not(:empty) { padding: 0.2em 0.6em; border-left: 3px solid var(--color-accent);
  background: var(--background-fill-secondary); font-size: 0.9rem; }
button:focus-visible, .log:focus-visible, .sources summary:focus-visible {
  outline: 3px solid var(--color-accent); outline-offset: 2px; }
#question textarea:focus { outline: 3px solid var(--color-accent) !important; }  /* Gradio's is `none !important` */
.sources h2, .chart h2 { margin: 0.2em 0 0.4em; font-size: 0.95rem; }
.sources .note { margin: 0 0 0.5em; font-size: 0.9em; }
.sources.unused details { border-style: dashed; background: var(--background-fill-secondary); }
.sources.unused .cite { color: inherit; }
.sources details { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 0.45em 0.7em;
  margin-bottom: 0.5em; }
.sources summary { cursor: pointer; }
.sources .cite { font-weight: 700; color: var(--color-accent); }
.sources .where { opacity: 0.75; font-size: 0.9em; }
.sources .file { font-family: var(--font-mono); font-size: 0.8em; opacity: 0.7; }
.sources .scores { display: block; font-size: 0.8em; opacity: 0.75; font-variant-numeric: tabular-nums; }
.sources .snippet { display: block; margin-top: 0.3em; font-size: 0.92em; }
.sources details[open] .snippet { display: none; }
.sources .chunk { white-space: pre-wrap; font-size: 0.9em; margin-top: 0.5em; padding-top: 0.5em;
  border-top: 1px dashed var(--border-color-primary); }
.sources mark { background: rgba(250, 204, 21, 0.45); color: inherit; padding: 0 0.1em; border-radius: 3px; }
.chart { font-size: 0.85rem; font-variant-numeric: tabular-nums; margin-bottom: 0.8em; }
.chart .row { display: grid; grid-template-columns: minmax(6em, 11em) 1fr 4em; gap: 0.5em; align-items: center;
  margin: 0.25em 0; }
.chart .label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.chart .track { position: relative; height: 0.9em; background: var(--background-fill-secondary); border-radius: 3px; }
.chart.scores .track { height: 1.35em; }
.chart .bar { position: absolute; top: 0; bottom: 0; min-width: 2px; border-radius: 2px; }
.chart.scores .bar { bottom: auto; height: 30%; }
.chart.scores .dense { top: 35%; }
.chart.scores .lexical { top: 70%; }
.chart .value { text-align: right; }
.chart .fused { background: var(--color-accent); }
.chart .dense { background: #3b82f6; }
.chart .lexical { background: #f59e0b; }
.chart .stage { background: #10b981; }
.chart .legend { font-size: 0.9em; opacity: 0.85; }
.chart .legend span { margin-right: 0.8em; }
.chart .legend i { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 2px; margin-right: 0.3em;
  vertical-align: -0.1em; }
.pane-info { font-size: 0.95rem; min-height: 1.5em; }
"""
# Text at least 4.5:1 against its background (white on indigo-500 was 4.46:1, on red-500 3.76:1; the
# placeholder and the footer's zinc-400 1.9:1), and the accent (citations, focus outlines) at 6.3:1.
THEME = gr.themes.Default(primary_hue="indigo").set(
    button_primary_background_fill="*primary_600",
    button_primary_background_fill_hover="*primary_700",
    button_cancel_background_fill=gr.themes.colors.red.c600,
    button_cancel_background_fill_hover=gr.themes.colors.red.c700,
    color_accent="*primary_600",
    body_text_color_subdued="*neutral_500",
    input_placeholder_color="*neutral_500",
    input_placeholder_color_dark="*neutral_400",
)
# Gradio offers no attributes for these: the answer is announced as it grows, and the question box
# is described by the hint under it.
PAGE_JS = """() => {
  document.querySelector('#answer')?.setAttribute('aria-live', 'polite');
  document.querySelector('#question textarea')?.setAttribute('aria-describedby', 'question-hint');
}"""
APPEARANCE: dict[str, Any] = {"theme": THEME, "css": CSS, "js": PAGE_JS}


def load_examples() -> list[str]:
    """The example questions shipped in data/examples.json (none if it is missing)."""
    try:
        return [item["question"] for item in json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def answer_settings(top_k: float, mode: str, stream: str, backend: str) -> Settings:
    if mode not in RETRIEVAL_MODES:
        raise gr.Error(f"Unknown retrieval mode {mode!r}; use {', '.join(RETRIEVAL_MODES)}")
    if stream not in STREAM_MODES:
        raise gr.Error(f"Unknown streaming mode {stream!r}; use {', '.join(STREAM_MODES)}")
    if backend not in BACKENDS:
        raise gr.Error(f"Unknown answer backend {backend!r}; available here: {', '.join(BACKENDS)}")
    return SETTINGS.with_(top_k=min(max(int(top_k), 1), MAX_TOP_K), mode=mode, stream=stream, backend=backend)


def pacing(words_per_second: float) -> float:
    return min(max(float(words_per_second or 0), 0.0), MAX_WORDS_PER_SECOND)


async def follow(*runs: AnswerRun) -> AsyncIterator[tuple[AnswerView, ...]]:
    """Start `runs` and yield their views as they change, within an `UpdateBudget`; always the final ones.

    Closing this generator (Stop, a cancelled job, a closed page) stops the runs.
    """
    loop = asyncio.get_running_loop()
    changed = asyncio.Event()

    def notify() -> None:
        try:
            loop.call_soon_threadsafe(changed.set)
        except RuntimeError:  # the server shut down while an answer was still running
            pass

    for run in runs:
        run.start(notify)
    rate = updates_per_second(AnswerRun.working())
    budget = UpdateBudget(rate, UPDATE_BURST if rate == MAX_UPDATES_PER_SECOND - UPDATE_BURST else 1)
    try:
        while True:
            await changed.wait()
            budget.per_second = updates_per_second(AnswerRun.working())
            await asyncio.sleep(budget.spend())
            changed.clear()
            views = tuple(run.view() for run in runs)
            yield views
            if all(view.finished for view in views):
                return
    finally:
        for run in runs:
            run.stop()


def updates_per_second(answers: int) -> float:
    """Each answer's share of the updates: alone, a burst and 17 a second (never more than 20 in any
    second); when many stream at once, fewer, each carrying more words."""
    share = SHARED_UPDATES_PER_SECOND / max(answers, 1)
    return max(MIN_UPDATES_PER_SECOND, min(MAX_UPDATES_PER_SECOND - UPDATE_BURST, share))


def only_changed(values: Sequence[Any], shown: Sequence[Any] | None) -> list[Any]:
    """`values`, with gr.skip() for each one the browser already shows."""
    if shown is None:
        return list(values)
    return [gr.skip() if value == old else value for value, old in zip(values, shown, strict=True)]


def unchanged(update: Any) -> bool:
    return update == gr.skip()


# --- what the page shows ----------------------------------------------------------------------


def log_html(text: str) -> str:
    """A status log's lines, one element each. Escaping is per character, so a log that only gains
    lines only gains HTML at its end, and streams as appends."""
    return "".join(f"<div>{html.escape(line, quote=False)}</div>" for line in text.splitlines())


# Square brackets are escaped too, so no Markdown link or image is ever made from an answer: a
# document or a model could otherwise have the browser fetch a URL carrying data (`![x](http://…?q=…)`).
_MARKDOWN_SAFE = str.maketrans({"<": "&lt;", ">": "&gt;", "&": "&amp;", "[": "\\[", "]": "\\]"})


def answer_markdown(view: AnswerView) -> str:
    """The answer as Markdown that shows its text as written. Escaping is per character, so the escaped
    answer still only grows and streams as appends."""
    return view.answer.translate(_MARKDOWN_SAFE)


def shown_question(question: Any) -> str:
    """The question as the page may echo it: text only, cut to the length the answer uses."""
    return clean_question(question, SETTINGS.max_question_chars)[0] if isinstance(question, str) else ""


@contextlib.contextmanager
def answer_slot(request: gr.Request | None) -> Iterator[None]:
    """Hold one of the asking session's and one of its address's answer slots while answering."""
    session = request.session_hash if request else None
    address = request.client.host if request and request.client else None
    try:
        with SESSION_LIMIT.slot(session or "unknown"), ADDRESS_LIMIT.slot(address or "unknown"):
            yield
    except TooManyAnswers as exc:
        raise gr.Error(str(exc)) from None


def streaming_mark(view: AnswerView) -> str:
    """Shows the answer's cursor while it streams: a hidden element the page's CSS looks for, so the
    answer's text only grows and the answer component itself is never re-rendered for it."""
    return "" if view.finished else STREAMING_MARK


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
    asked = f"“{html.escape(question.strip())}”"
    if role == "unused":
        heading = (
            "<h2>Closest passages (not used)</h2>"
            f'<p class="note">The answer cites none of these: they are the closest the search found to {asked}.</p>'
        )
    else:
        heading = f"<h2>{'Sources' if role == 'sources' else 'Passages found'} for {asked}</h2>"
    return f'<div class="sources {role}">{heading}{cards}</div>'


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


@dataclass
class Pane:
    """One side of the comparison: its run, and when its first text and its last word were sent to the page."""

    run: AnswerRun
    first_text_ms: float | None = None
    done_ms: float | None = None

    def show(self, view: AnswerView) -> list[str]:
        sent_ms = (time.perf_counter() - self.run.started) * 1000
        if self.first_text_ms is None and view.answer:
            self.first_text_ms = sent_ms
        if self.done_ms is None and view.finished:
            self.done_ms = sent_ms
        return [self.info(view), answer_markdown(view)]

    def info(self, view: AnswerView) -> str:
        if self.first_text_ms is None:
            return html.escape(view.error or "No answer") if view.finished else "Waiting for the first text…"
        done = "" if self.done_ms is None else f", whole answer after {duration_label(self.done_ms)}"
        return f"First text after <b>{duration_label(self.first_text_ms)}</b>{done}"


# --- event handlers ---------------------------------------------------------------------------


async def answer_in_page(
    question: str,
    top_k: float,
    mode: str,
    stream: str,
    words_per_second: float,
    backend: str,
    request: gr.Request,
) -> AsyncIterator[list[Any]]:
    """Stream the answer to the page: status log, answer and its cursor; sources, score chart, timing chart.

    The status log opens by saying so if the session's uploads are still being added (and so not searched).
    """
    session = SESSIONS[request.session_hash]
    kb, adding = session.searched()
    notes = [searched_without(adding)] if adding else []
    run = AnswerRun(question, answer_settings(top_k, mode, stream, backend), kb, pacing(words_per_second), notes)
    if session.run is not None:
        session.run.stop()  # one answer per tab: a new question ends the one before
    session.run = run
    question = shown_question(question)
    shown: list[Any] | None = None
    warned = ""
    with answer_slot(request):
        async for (view,) in follow(run):
            if view.error and view.error != warned:
                warned = view.error
                gr.Warning(view.error)
            values = [
                log_html(view.status),
                answer_markdown(view),
                streaming_mark(view),
                sources_html(question, view.hits, quoted_sentences(view.answer), passages_role(view)),
                scores_chart(view.hits),
                timings_chart(view.timings),
            ]
            updates = only_changed(values, shown)
            shown = values
            words, drawings = updates[:3], updates[3:]
            if not all(map(unchanged, words)) and not all(map(unchanged, drawings)):
                # The words first: the sources and charts take the browser longer to draw.
                yield [*words, *(gr.skip() for _ in drawings)]
                await asyncio.sleep(DRAWINGS_AFTER_S)
                yield [*(gr.skip() for _ in words), *drawings]
            else:
                yield updates


def stop(request: gr.Request) -> tuple[Any, Any, Any]:
    """Stop the session's answer: the status log says so, the partial answer stays."""
    run = SESSIONS[request.session_hash].run
    if run is None:
        return gr.skip(), gr.skip(), gr.skip()
    run.stop()  # unless the cancelled event's generator, closed first, already stopped it
    view = run.view()
    if not view.stopped:  # it had finished before Stop was pressed
        return gr.skip(), gr.skip(), gr.skip()
    return log_html(view.status), answer_markdown(view), streaming_mark(view)


async def ask(
    question: str,
    top_k: int = SETTINGS.top_k,
    mode: str = SETTINGS.mode,
    stream: str = SETTINGS.stream,
    words_per_second: float = DEFAULT_WORDS_PER_SECOND,
    backend: str = BACKENDS[0],
    request: gr.Request | None = None,
) -> AsyncIterator[tuple[str, str, list[dict]]]:
    """Answer `question` from the shipped corpus, streaming [status log, answer, sources] as it goes.

    `sources` are the retrieved passages as dicts (rank, scores, title, section, source, text);
    the answer cites them as [n]. Cancel the job to stop the answer.
    """
    run = AnswerRun(question, answer_settings(top_k, mode, stream, backend), None, pacing(words_per_second))
    with answer_slot(request):
        async for (view,) in follow(run):
            yield view.status, view.answer, [hit.to_json() for hit in view.hits]


async def compare(
    question: str, top_k: float, mode: str, words_per_second: float, backend: str, request: gr.Request
) -> AsyncIterator[list[Any]]:
    """The same question answered twice at once: once waiting for the whole answer, once streaming it."""
    settings = answer_settings(top_k, mode, "token", backend)
    kb, _ = SESSIONS[request.session_hash].searched()
    panes = [Pane(AnswerRun(question, settings.with_(stream=way), kb, pacing(words_per_second))) for way in WAYS]
    shown: list[Any] | None = None
    with answer_slot(request):
        async for views in follow(*(pane.run for pane in panes)):
            values = [value for pane, view in zip(panes, views, strict=True) for value in pane.show(view)]
            yield only_changed(values, shown)
            shown = values


def add_documents(files: list[str] | None, request: gr.Request) -> Iterator[tuple[Any, ...]]:
    """Index uploaded files into this session's own knowledge base, with progress in the upload log and,
    by the question box, a notice that questions asked meanwhile search without them."""
    if not files:
        yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return
    session = SESSIONS.hold_files(request.session_hash, files)
    names = [display_name(path) for path in files]
    status = StatusLog()
    status.add(f"Adding {len(files)} file{'' if len(files) == 1 else 's'}…")
    with session.adding_uploads(names):
        yield log_html(status.text), adding_notice(names), gr.skip(), gr.skip()
        adding = add_uploads(files, session.corpus, SETTINGS, stop=session.stop_uploads)
        with contextlib.closing(adding):  # a client that went away stops the upload at its next page or batch
            while True:
                try:
                    event = next(adding)
                except StopIteration as finished:
                    result = finished.value
                    break
                status.add_event(event)
                yield log_html(status.text), gr.skip(), gr.skip(), gr.skip()
        if result.stopped:  # the session ended: there is no one to tell
            return
        session.corpus = result.corpus
    for message in result.rejected:
        gr.Warning(message)
    if result.added:
        status.add(f"Added {', '.join(result.added)}: questions in this browser tab now search them too")
    else:
        status.add("No documents were added")
    yield log_html(status.text), "", None, corpus_summary(result.corpus)


def use_shipped_corpus(request: gr.Request) -> tuple[str, str]:
    SESSIONS[request.session_hash].corpus = None
    status = StatusLog()
    status.add("Back to the shipped corpus: your uploaded documents are no longer searched")
    return log_html(status.text), corpus_summary(None)


def warming_up() -> Iterator[str]:
    """The page's readiness line: each step of loading the model and the shared index, as it happens
    (whichever thread loads them), then "Ready". Only "Ready" when they were already loaded."""
    try:
        for event in shared_knowledge_base(SETTINGS):
            step = event.message if isinstance(event, Status) else f"Embedded {event.done}/{event.total} passages"
            yield html.escape(f"Warming up: {step}")
    except (DocumentError, ModelError) as exc:
        yield html.escape(f"Could not load the documents: {exc}")
        return
    yield "Ready"


def end_session(request: gr.Request) -> None:
    """The tab was closed: stop its answer, free its documents and delete its uploaded files."""
    SESSIONS.end(request.session_hash)


def warm_up() -> None:
    """Load the model and the shared index (with the sentence vectors answers quote) before questions need them."""
    try:
        run_to_end(shared_knowledge_base(SETTINGS))
    except (DocumentError, ModelError) as exc:
        log.warning("could not load the knowledge base: %s", exc)


# --- layout -----------------------------------------------------------------------------------

# Uploads are read once, when they arrive: Gradio may delete its copies after an hour (checked hourly).
with gr.Blocks(title="Streaming RAG", delete_cache=(3600, 3600)) as demo:
    gr.Markdown(
        "# Streaming RAG\nAsk the documents a question and watch the search and the answer arrive as they happen.",
        elem_classes=["app-header"],
    )
    warm_up_state = gr.HTML("", html_template=NOTICE_TEMPLATE, elem_id="warm-up", js_on_load=None)
    with gr.Tabs():
        with gr.Tab("Ask"):
            with gr.Row():
                question = gr.Textbox(
                    label="Question",
                    show_label=False,
                    placeholder="Ask the documents a question",
                    container=False,
                    scale=6,
                    min_width=150,
                    elem_id="question",
                )
                ask_button = gr.Button("Ask", variant="primary", scale=0, min_width=72, elem_id="ask")
                stop_button = gr.Button("Stop", variant="stop", scale=0, min_width=72, elem_id="stop")
            with gr.Row():
                gr.HTML(
                    "Press Enter to ask. Stop ends the answer and keeps what it has written.",
                    elem_id="question-hint",
                    js_on_load=None,
                )
                upload_notice = gr.HTML("", html_template=NOTICE_TEMPLATE, elem_id="upload-notice", js_on_load=None)
            with gr.Row():
                with gr.Column(scale=3, min_width=300):
                    answer = gr.Markdown(container=True, elem_id="answer")
                    answer_state = gr.HTML(elem_id="answer-state", js_on_load=None)
                with gr.Column(scale=2, min_width=280):
                    status = gr.HTML(
                        "",
                        html_template=log_template("Status", "status-log-label"),
                        elem_id="status-log",
                        js_on_load=None,
                    )
            with gr.Row():
                with gr.Column(scale=3, min_width=300):
                    sources = gr.HTML(elem_id="sources", js_on_load=None)
                with gr.Column(scale=2, min_width=280):
                    scores = gr.HTML(elem_id="scores", js_on_load=None)
                    timings = gr.HTML(elem_id="timings", js_on_load=None)
            with gr.Accordion("Settings", open=False):
                with gr.Row():
                    top_k = gr.Slider(1, MAX_TOP_K, value=SETTINGS.top_k, step=1, label="Passages to retrieve (top-k)")
                    words_per_second = gr.Slider(
                        0,
                        MAX_WORDS_PER_SECOND,
                        value=DEFAULT_WORDS_PER_SECOND,
                        step=1,
                        label="Typewriter pacing (words per second, 0 = as fast as produced)",
                        elem_id="pacing",
                    )
                with gr.Row():
                    mode = gr.Radio(list(RETRIEVAL_MODES), value=SETTINGS.mode, label="Retrieval")
                    stream_mode = gr.Radio(list(STREAM_MODES), value=SETTINGS.stream, label="Streaming")
                    backend = gr.Dropdown(BACKENDS, value=BACKENDS[0], label="Answer backend")
            with gr.Accordion("Your documents", open=False):
                gr.Markdown(
                    f"Add `.md`, `.txt` or `.pdf` files (up to {SETTINGS.max_upload_files} files of "
                    f"{SETTINGS.max_upload_mb} MB, {SETTINGS.max_upload_chars:,} characters of text in all). "
                    "Only questions from this browser tab search them."
                )
                uploads = gr.File(label="Upload documents", file_count="multiple", elem_id="uploads")
                upload_status = gr.HTML(
                    "",
                    html_template=log_template("Upload progress", "upload-log-label"),
                    elem_id="upload-log",
                    js_on_load=None,
                )
                with gr.Row():
                    corpus_info = gr.HTML(corpus_summary(None), elem_id="corpus-info", js_on_load=None)
                    shipped_button = gr.Button("Use shipped corpus", size="sm", scale=0, min_width=160)
            examples = load_examples()
            if examples:
                gr.Examples([[example] for example in examples], inputs=[question], label="Example questions")
        with gr.Tab("With vs without streaming"):
            gr.Markdown(
                "The same question, answered twice at the same time with the Ask tab's settings: the left pane "
                "waits for the whole answer, the right one shows each word as it is produced. Compare the time "
                "until the first text appears. The typewriter pacing stands in for the speed of a language model."
            )
            with gr.Row():
                compare_question = gr.Textbox(
                    show_label=False,
                    placeholder="A question to answer both ways",
                    container=False,
                    scale=6,
                    min_width=150,
                    elem_id="compare-question",
                )
                compare_button = gr.Button("Run both", variant="primary", scale=0, min_width=100)
            with gr.Row():
                with gr.Column(min_width=280):
                    gr.Markdown("#### Without streaming (waits for the whole answer)")
                    whole_info = gr.HTML(elem_id="whole-info", elem_classes=["pane-info"], js_on_load=None)
                    whole_answer = gr.Markdown(elem_id="whole-answer", container=True)
                with gr.Column(min_width=280):
                    gr.Markdown("#### With streaming (word by word)")
                    streamed_info = gr.HTML(elem_id="streamed-info", elem_classes=["pane-info"], js_on_load=None)
                    streamed_answer = gr.Markdown(elem_id="streamed-answer", container=True)

    ask_event = gr.on(
        [ask_button.click, question.submit],
        answer_in_page,
        inputs=[question, top_k, mode, stream_mode, words_per_second, backend],
        outputs=[status, answer, answer_state, sources, scores, timings],
        show_progress="hidden",
        concurrency_limit=ASK_CONCURRENCY,
        concurrency_id="answer",
        api_visibility="private",
    )
    stop_button.click(
        stop,
        outputs=[status, answer, answer_state],
        cancels=[ask_event],
        show_progress="hidden",
        concurrency_limit=None,
        api_visibility="private",
    )
    gr.api(ask, api_name="ask", concurrency_limit=ASK_CONCURRENCY, concurrency_id="answer")
    gr.on(
        [compare_button.click, compare_question.submit],
        compare,
        inputs=[compare_question, top_k, mode, words_per_second, backend],
        outputs=[whole_info, whole_answer, streamed_info, streamed_answer],
        show_progress="hidden",
        concurrency_limit=ASK_CONCURRENCY // 2,
        api_visibility="private",
    )
    uploads.upload(
        add_documents,
        inputs=[uploads],
        outputs=[upload_status, upload_notice, uploads, corpus_info],
        show_progress="hidden",
        concurrency_limit=UPLOAD_CONCURRENCY,
        api_visibility="private",
    )
    shipped_button.click(
        use_shipped_corpus, outputs=[upload_status, corpus_info], concurrency_limit=None, api_visibility="private"
    )
    demo.load(
        warming_up, outputs=[warm_up_state], show_progress="hidden", concurrency_limit=None, api_visibility="private"
    )
    demo.unload(end_session)

demo.queue(default_concurrency_limit=4, max_size=4 * ASK_CONCURRENCY)

if __name__ == "__main__":
    threading.Thread(target=warm_up, name="rag-warm-up", daemon=True).start()
    demo.launch(ssr_mode=False, max_file_size=f"{4 * SETTINGS.max_upload_mb}mb", **APPEARANCE)
