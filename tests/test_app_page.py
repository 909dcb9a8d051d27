"""What the app shows without a browser: the warm-up line, the question as echoed, the backends offered."""

from __future__ import annotations

import pytest
from app_fixtures import GRADIO_QUEUE_PANDAS_WARNINGS

from rag.embed import ModelError
from rag.events import Progress, Status

pytestmark = pytest.mark.filterwarnings(GRADIO_QUEUE_PANDAS_WARNINGS)


def test_warming_up_says_ready_in_one_update_when_the_app_is_warm(handlers, kb):
    assert list(handlers.warming_up()) == ["Ready"]


def test_warm_up_builds_what_the_first_questions_read(handlers, kb):
    """The corpus's word counts, which a follow-up or a sentence before a question reads, had been built
    on the first such question (~60 ms)."""
    for built_on_first_use in ("spelling", "vocabulary"):
        kb.__dict__.pop(built_on_first_use, None)
    handlers.warm_up()
    assert {"spelling", "vocabulary"} <= kb.__dict__.keys()


def test_warming_up_shows_each_loading_step_then_ready(handlers, monkeypatch):
    def loading(settings):  # as another thread's loading is replayed to a page that opens meanwhile
        yield Status("index", "Loading embedding model bundled:all-MiniLM-L6-v2…", 0.0)
        yield Progress(64, 210, 800.0)
        yield Status("index", "Built index of 210 chunks; saved to .cache/x", 2000.0)

    monkeypatch.setattr(handlers, "shared_knowledge_base", loading)

    assert list(handlers.warming_up()) == [
        "Warming up: Loading embedding model bundled:all-MiniLM-L6-v2…",
        "Warming up: Embedded 64/210 passages",
        "Warming up: Built index of 210 chunks; saved to .cache/x",
        "Ready",
    ]


def test_warming_up_says_when_the_model_cannot_load(handlers, monkeypatch):
    def loading(settings):
        yield Status("index", "Loading embedding model missing-model…", 0.0)
        raise ModelError("missing-model <is not installed>")

    monkeypatch.setattr(handlers, "shared_knowledge_base", loading)

    *_, last = handlers.warming_up()
    assert last == "Could not load the documents: missing-model &lt;is not installed&gt;"


def test_a_huge_question_is_cut_before_the_page_echoes_it(handlers):
    assert len(handlers.shown_question("why " * 2_500_000)) <= handlers.SETTINGS.max_question_chars
    assert handlers.shown_question({"not": "text"}) == ""


def test_backends_that_cost_minutes_of_cpu_stay_out_of_the_app_unless_named(monkeypatch):
    from rag.config import Settings

    assert "smollm" not in Settings().app_backends and "transformers" not in Settings().app_backends
    monkeypatch.setenv("RAG_APP_BACKENDS", "extractive, smollm")
    assert Settings.from_env().app_backends == ("extractive", "smollm")
