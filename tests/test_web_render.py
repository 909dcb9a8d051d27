"""What the page shows, without a browser: the HTML and Markdown of the log, the answer, sources and charts.

Pure functions of an answer's view, checked for what matters on a page that shows other people's
text: everything is escaped, the quoted sentences are marked in their passages, growing text grows
by appends, and the charts scale to the hits they show.
"""

from __future__ import annotations

import html
import re

import pytest

from rag.citations import quoted_sentences
from rag.corpus import Chunk
from rag.events import Hit, Stage
from rag.generate import NOT_FOUND
from rag.uploads import SessionCorpus
from rag.web.answer import AnswerView
from rag.web.render import (
    STREAMING_MARK,
    answer_drawings,
    answer_markdown,
    corpus_summary,
    log_html,
    passages_role,
    scores_chart,
    snippet,
    source_card,
    sources_html,
    stages_html,
    streaming_mark,
    timings_chart,
    used_spans,
)

TEXT = "Text is flushed in pieces."
HITS = (Hit(Chunk("buffered.md#0", "Buffered streaming", "Buffers", "buffered.md", 0, len(TEXT), TEXT), 1, 0.9),)
LONG = (
    "Buffered streaming holds text back. It is flushed once 50 characters wait,\n  or a sentence ends. "
    "Readers then see whole phrases <b>appear</b> at once, which reads calmly but starts later. " * 3
)


def hit(rank: int, score: float, dense: float | None, lexical: float | None, title: str = "Doc") -> Hit:
    chunk = Chunk(f"doc{rank}.md#0", title, title, f"doc{rank}.md", 0, len(LONG), LONG)
    return Hit(chunk, rank, score, dense, lexical)


def view(answer: str, *, finished: bool, stopped: bool = False, error: str = "") -> AnswerView:
    return AnswerView("", answer, HITS, {}, error, stopped, finished, 0.0)


@pytest.mark.parametrize(
    ("answer_view", "role"),
    [
        (view("Text is flushed in pieces. [1]", finished=True), "sources"),
        (view("Text is flushed in pieces. [1]", finished=False), "sources"),
        (view(NOT_FOUND, finished=True), "unused"),
        (view("Text is flushed", finished=False), "found"),
        (view("Text is flushed", finished=True, stopped=True), "found"),
        (view("Half of", finished=True, error="the server hung up"), "found"),
        (view("See [7].", finished=True), "unused"),  # cites no passage that was retrieved
    ],
)
def test_the_passages_are_sources_only_once_the_answer_cites_one(answer_view, role):
    assert passages_role(answer_view) == role


def test_passages_the_answer_did_not_use_are_headed_so():
    shown = sources_html("Capital of Peru?", HITS, (), "unused")
    assert "<h2>Closest passages (not used)</h2>" in shown and "Sources" not in shown
    assert sources_html("Q?", HITS, (), "found").startswith('<div class="sources found"><h2>Passages found')


def test_a_long_question_is_cut_at_a_word_in_the_sources_heading():
    question = "why " * 5000
    heading = sources_html(question, HITS, (), "found").split("</h2>")[0]
    assert len(heading) < 300 and heading.endswith("why…”"), heading[-40:]


def test_an_answer_never_becomes_a_markdown_image_link_or_html():
    answer = "See ![chart](http://127.0.0.1:9/exfil?q=secret) and [click](javascript:alert(1)) <img src=x> [1]"
    view = AnswerView("", answer, HITS, {}, "", False, True, 0.0)
    markdown = answer_markdown(view)
    assert "![" not in markdown and "](" not in markdown.replace("\\](", ""), markdown
    assert "<img" not in markdown
    so_far = answer_markdown(AnswerView("", answer[:30], HITS, {}, "", False, False, 0.0))
    assert markdown.startswith(so_far), "escaping must keep a growing answer growing by appends"


def test_the_status_log_is_escaped_line_by_line_and_grows_by_appends():
    shown = log_html("   +3 ms  Searching…\n  +12 ms  <script>alert(1)</script> & more")
    assert (
        shown == "<div>   +3 ms  Searching…</div><div>  +12 ms  &lt;script&gt;alert(1)&lt;/script&gt; &amp; more</div>"
    )
    assert log_html("a\nb\nc").startswith(log_html("a\nb"))


def test_the_cursor_shows_only_while_the_answer_streams():
    assert streaming_mark(AnswerView("", "So far", HITS, {}, "", False, False, 0.0)) == STREAMING_MARK
    assert streaming_mark(AnswerView("", "Done.", HITS, {}, "", False, True, 0.0)) == ""


def test_the_text_before_each_citation_is_what_the_answer_quoted_from_that_hit():
    answer = "Text is flushed in pieces. [1] Readers wait. [2][1] Trailing words"
    assert quoted_sentences(answer) == ((1, "Text is flushed in pieces."), (2, "Readers wait."))


def test_quoted_sentences_are_marked_in_their_passage_whatever_its_white_space():
    quote = "It is flushed once 50 characters wait, or a sentence ends."
    spans = used_spans(LONG, [quote, "Not in the passage."])
    assert len(spans) == 1
    card = source_card(hit(1, 0.8, 0.7, 3.2, title="Buffers & <i>you</i>"), [quote])
    assert "<mark>It is flushed once 50 characters wait,\n  or a sentence ends.</mark>" in card
    assert "Buffers &amp; &lt;i&gt;you&lt;/i&gt;" in card and "<i>you" not in card
    assert "&lt;b&gt;appear&lt;/b&gt;" in card and "<b>appear" not in card
    assert 'class="cite">[1]</span>' in card and "fused 0.800 · dense 0.700 · lexical 3.200" in card


def test_a_snippet_is_a_window_at_word_boundaries_around_the_first_quote():
    quote = "Readers then see whole phrases"
    start = LONG.index(quote, 200)
    shown = snippet(LONG, [(start, start + len(quote))])
    assert shown.startswith("… ") and shown.endswith(" …")
    assert f"<mark>{quote}</mark>" in shown
    words = html.unescape(re.sub(r"</?mark>", "", shown)).removeprefix("… ").removesuffix(" …").split()
    assert {words[0], words[-1]} <= set(LONG.split()), f"a snippet begins and ends on whole words: {shown!r}"
    assert not snippet(LONG, []).startswith("…"), "without a quote a snippet is the passage's opening"


def test_the_score_chart_scales_each_kind_of_score_to_its_best_hit():
    chart = scores_chart((hit(1, 0.5, 0.8, None), hit(2, 0.25, 0.4, 2.0)))
    widths = re.findall(r'class="bar (\w+)" style="left:0.0%;width:([\d.]+)%"', chart)
    assert widths == [
        ("fused", "100.0"), ("dense", "100.0"), ("lexical", "0.0"),
        ("fused", "50.0"), ("dense", "50.0"), ("lexical", "100.0"),
    ]  # fmt: skip
    assert "lexical –" in chart, "a score the hit does not have is shown as a dash"
    assert scores_chart(()) == ""


def test_the_timing_chart_puts_each_stage_on_one_axis_from_question_to_last_word():
    timings = {"embed_ms": 10.0, "search_ms": 30.0, "retrieval_ms": 50.0, "first_token_ms": 100.0, "total_ms": 200.0}
    chart = timings_chart(timings)
    assert "first words after 100 ms, done after 200 ms" in chart
    bars = re.findall(r'style="left:([\d.]+)%;width:([\d.]+)%"', chart)
    assert bars == [("5.0", "5.0"), ("10.0", "15.0"), ("25.0", "25.0"), ("50.0", "50.0")]
    assert timings_chart({}) == "", "no chart before the answer is done"


def test_beside_the_conversation_the_latest_answers_sources_and_charts():
    view = AnswerView("+1 ms  Found", "Text is flushed in pieces. [1]", HITS, {}, "", False, True, 0.0)
    drawn = answer_drawings("What is <buffering>?", view)
    parts = dict(re.findall(r'<div id="([a-z-]+)">(.*?)</div>(?=<div id=|$)', drawn, re.DOTALL))
    assert list(parts) == ["answer-state", "stages", "sources", "scores", "timings"]
    assert parts["answer-state"] == "", "no cursor once the answer is done"
    assert parts["stages"] == "", "no stages unless stepping through"
    sources = parts["sources"]
    assert (
        "Sources for “What is &lt;buffering&gt;?”" in sources and "<mark>Text is flushed in pieces.</mark>" in sources
    )
    assert parts["scores"] == scores_chart(HITS) and parts["timings"] == ""
    streaming = AnswerView("+1 ms  Found", "Text is", HITS, {}, "", False, False, 0.0)
    assert f'<div id="answer-state">{STREAMING_MARK}</div>' in answer_drawings("What is buffering?", streaming)


def test_the_corpus_summary_names_the_uploads_escaped(kb):
    assert corpus_summary(None) == "Questions search the shipped corpus."
    shown = corpus_summary(SessionCorpus(kb, ("<img src=x>.md", "notes.md")))
    assert "<b>&lt;img src=x&gt;.md</b>, <b>notes.md</b>" in shown


def test_a_step_throughs_stages_are_tables_the_newest_open_and_escaped():
    stages = (
        Stage("dense", "Dense search", "FAISS <finds>", ("rank", "passage"), (("1", "<b>Doc</b>"),)),
        Stage("answer", "Choose the sentences", "Quotes these.", ("cites", "sentence"), (("[1]", "It is."),)),
    )
    shown = stages_html(stages, paused=True)

    assert re.findall(r"<details class=\"stage (\w+)\"( open)?>", shown) == [("dense", ""), ("answer", " open")]
    assert "<td>&lt;b&gt;Doc&lt;/b&gt;</td>" in shown and "FAISS &lt;finds&gt;" in shown
    assert "press <b>Next stage</b>" in shown
    assert "Next stage" not in stages_html(stages, paused=False) and stages_html((), paused=False) == ""
