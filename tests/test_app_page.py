"""What the page shows, without a browser: the warm-up line, and how the passages are headed."""

from __future__ import annotations

import pytest
from app_fixtures import GRADIO_QUEUE_PANDAS_WARNINGS

from rag.corpus import Chunk
from rag.embed import ModelError
from rag.events import Hit, Progress, Status
from rag.generate import NOT_FOUND
from rag.session import AnswerView

pytestmark = pytest.mark.filterwarnings(GRADIO_QUEUE_PANDAS_WARNINGS)

TEXT = "Text is flushed in pieces."
HITS = (Hit(Chunk("buffered.md#0", "Buffered streaming", "Buffers", "buffered.md", 0, len(TEXT), TEXT), 1, 0.9),)


def test_warming_up_says_ready_in_one_update_when_the_app_is_warm(app_module, kb):
    assert list(app_module.warming_up()) == ["Ready"]


def test_warming_up_shows_each_loading_step_then_ready(app_module, monkeypatch):
    def loading(settings):  # as another thread's loading is replayed to a page that opens meanwhile
        yield Status("index", "Loading embedding model bundled:all-MiniLM-L6-v2…", 0.0)
        yield Progress(64, 210, 800.0)
        yield Status("index", "Built index of 210 chunks; saved to .cache/x", 2000.0)

    monkeypatch.setattr(app_module, "shared_knowledge_base", loading)

    assert list(app_module.warming_up()) == [
        "Warming up: Loading embedding model bundled:all-MiniLM-L6-v2…",
        "Warming up: Embedded 64/210 passages",
        "Warming up: Built index of 210 chunks; saved to .cache/x",
        "Ready",
    ]


def test_warming_up_says_when_the_model_cannot_load(app_module, monkeypatch):
    def loading(settings):
        yield Status("index", "Loading embedding model missing-model…", 0.0)
        raise ModelError("missing-model <is not installed>")

    monkeypatch.setattr(app_module, "shared_knowledge_base", loading)

    *_, last = app_module.warming_up()
    assert last == "Could not load the documents: missing-model &lt;is not installed&gt;"


def view(answer: str, *, finished: bool, stopped: bool = False, error: str = "") -> AnswerView:
    return AnswerView("", answer, HITS, {}, error, stopped, finished)


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
def test_the_passages_are_sources_only_once_the_answer_cites_one(app_module, answer_view, role):
    assert app_module.passages_role(answer_view) == role


def test_passages_the_answer_did_not_use_are_headed_so(app_module):
    shown = app_module.sources_html("Capital of Peru?", HITS, (), "unused")
    assert "<h2>Closest passages (not used)</h2>" in shown and "Sources" not in shown
    assert app_module.sources_html("Q?", HITS, (), "found").startswith('<div class="sources found"><h2>Passages found')


def test_an_answer_never_becomes_a_markdown_image_link_or_html(app_module):
    answer = "See ![chart](http://127.0.0.1:9/exfil?q=secret) and [click](javascript:alert(1)) <img src=x> [1]"
    view = AnswerView("", answer, HITS, {}, "", False, True)
    markdown = app_module.answer_markdown(view)
    assert "![" not in markdown and "](" not in markdown.replace("\\](", ""), markdown
    assert "<img" not in markdown
    so_far = app_module.answer_markdown(AnswerView("", answer[:30], HITS, {}, "", False, False))
    assert markdown.startswith(so_far), "escaping must keep a growing answer growing by appends"


def test_a_huge_question_is_cut_before_the_page_echoes_it(app_module):
    assert len(app_module.shown_question("why " * 2_500_000)) <= app_module.SETTINGS.max_question_chars
    assert app_module.shown_question({"not": "text"}) == ""


def test_backends_that_cost_minutes_of_cpu_stay_out_of_the_app_unless_named(monkeypatch):
    from rag.config import Settings

    assert "smollm" not in Settings().app_backends and "transformers" not in Settings().app_backends
    monkeypatch.setenv("RAG_APP_BACKENDS", "extractive, smollm")
    assert Settings.from_env().app_backends == ("extractive", "smollm")
