"""What the page shows, without a browser: how the passages are headed."""

from __future__ import annotations

import pytest
from app_fixtures import GRADIO_QUEUE_PANDAS_WARNINGS

from rag.corpus import Chunk
from rag.events import Hit
from rag.generate import NOT_FOUND
from rag.session import AnswerView

pytestmark = pytest.mark.filterwarnings(GRADIO_QUEUE_PANDAS_WARNINGS)

TEXT = "Text is flushed in pieces."
HITS = (Hit(Chunk("buffered.md#0", "Buffered streaming", "Buffers", "buffered.md", 0, len(TEXT), TEXT), 1, 0.9),)


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
